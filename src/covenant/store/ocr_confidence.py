"""Schema migration 11: a passage read by OCR keeps Tesseract's mean word confidence for its words."""

# Passages stored before were never marked: they keep NULL (read from the text) until their report is ingested
# again; a scan's report still says in its metadata_method["text"] which pages were read by OCR.
MIGRATION = """
ALTER TABLE passages ADD COLUMN ocr_confidence REAL;
"""
