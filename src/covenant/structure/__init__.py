"""Structure: clean text -> heading tree (outline), passages with citations, and the report's metadata."""
