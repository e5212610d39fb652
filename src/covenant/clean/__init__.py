"""Cleaning: raw lines -> clean text with a map back to the original; furniture and footnotes set aside."""

from covenant.clean.cleaner import Block, CleanText, clean

__all__ = ["Block", "CleanText", "clean"]
