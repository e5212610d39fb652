"""Search over passages: full-text and vector."""
