"""Covenant: a cited, searchable library of human-rights reports."""

__version__ = "0.1.0"
