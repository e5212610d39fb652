"""Storage of reports, sections, passages and footnotes behind one contract (`Store`)."""

from __future__ import annotations

from pathlib import Path

from covenant.store.base import Store

DEFAULT_DB = "covenant.db"


def open_store(location: str | Path | None = None) -> Store:
    """Open the library: a SQLite file path (the default, `covenant.db`)."""
    from covenant.store.sqlite import SQLiteStore

    return SQLiteStore(Path(location or DEFAULT_DB))


__all__ = ["DEFAULT_DB", "Store", "open_store"]
