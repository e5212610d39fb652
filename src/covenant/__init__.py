"""Covenant: a cited, searchable library of human-rights reports."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["Library", "__version__"]


def __getattr__(name: str) -> Any:
    # `from covenant import Library` without paying for the whole package when only the version is wanted.
    if name == "Library":
        from covenant.library import Library

        return Library
    raise AttributeError(f"module 'covenant' has no attribute {name!r}")
