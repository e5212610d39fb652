"""The store contract: what any backend (SQLite today, PostgreSQL later) must do, tested by one suite."""

from __future__ import annotations

from typing import Protocol

from covenant.model import Document, Footnote, IngestEvent, MapRun, Passage, Report, Section


class Store(Protocol):
    def report_id_for_path(self, path: str) -> str | None:
        """The report currently stored for a file path, if any."""

    def has_report(self, report_id: str) -> bool: ...

    def save_document(self, doc: Document, path: str, event: IngestEvent, replaces: str | None) -> None:
        """Store one report in one transaction, removing `replaces` (the path's old version) in it."""

    def link_path(self, path: str, report_id: str) -> None:
        """Point a path at a report already stored (the same content under another name)."""

    def remove_report(self, report_id: str) -> bool: ...

    def log(self, event: IngestEvent) -> None:
        """Record an ingest attempt that stored nothing (unchanged, skipped)."""

    def ingest_log(self, limit: int = 100) -> list[IngestEvent]: ...

    def reports(self) -> list[Report]: ...

    def find_report(self, ref: str) -> Report:
        """A report by id, id prefix or file name; NotFoundError when none or several match."""

    def sections(self, report_id: str) -> list[Section]: ...

    def passages(self, report_id: str | None = None) -> list[Passage]: ...

    def passage(self, passage_id: str) -> Passage: ...

    def footnotes(self, report_id: str) -> list[Footnote]: ...

    def clean_text(self, report_id: str) -> str: ...

    def offset_map(self, report_id: str) -> list[MapRun]: ...

    def countries(self) -> list[str]:
        """The countries passages are about (codes, sorted)."""

    def passage_counts(self) -> dict[str, int]:
        """Passages per report id."""

    def passages_by_ids(self, ids: list[str]) -> dict[str, Passage]: ...

    def embeddings(self, model: str, text_hashes: list[str]) -> dict[str, bytes]:
        """Stored vectors (float32 bytes) by passage-text hash for one model."""

    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None: ...

    def setting(self, key: str) -> str | None:
        """A library-wide setting (e.g. "semantic_model"), None when unset."""

    def set_setting(self, key: str, value: str) -> None: ...

    def stats(self) -> dict[str, int]: ...

    def close(self) -> None: ...
