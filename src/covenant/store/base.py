"""The store contract: what any backend (SQLite today, PostgreSQL later) must do, tested by one suite."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from covenant.annotations import Note, Tag, TagCount
from covenant.model import (
    Document,
    Entity,
    EntityMention,
    Event,
    Footnote,
    IngestEvent,
    MapRun,
    Passage,
    Recommendation,
    Report,
    RightCorrection,
    RightLabel,
    Section,
)

if TYPE_CHECKING:
    from covenant.recommendations.links import FollowUp


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

    def footnotes_by_ids(self, ids: list[str]) -> dict[str, Footnote]:
        """The footnotes among these ids (ids of no footnote are left out)."""

    def embeddings(self, model: str, text_hashes: list[str]) -> dict[str, bytes]:
        """Stored vectors (float32 bytes) by passage-text hash for one model."""

    def save_embeddings(self, model: str, vectors: dict[str, bytes]) -> None: ...

    def setting(self, key: str) -> str | None:
        """A library-wide setting (e.g. "semantic_model"), None when unset."""

    def set_setting(self, key: str, value: str) -> None: ...

    # A researcher's tags and notes, keyed to passage ids. They outlive their passage: a replaced report's
    # move to the passage with the same text in the new version (in save_document's transaction); the rest,
    # and a removed report's, stay under the old id and are listed as orphaned.
    def add_tag(self, passage_id: str, tag: str) -> bool:
        """Tag a stored passage (NotFoundError when there is none); False when it carries the tag already,
        in any spelling (tags match case-insensitively and are stored as first written)."""

    def remove_tag(self, passage_id: str, tag: str) -> bool: ...

    def tag_counts(self) -> list[TagCount]:
        """Every tag with its number of passages (and of orphaned ones), most used first."""

    def tags(self, tag: str | None = None) -> list[Tag]:
        """The tags on passages, of one tag or all, in passage order, orphaned ones included."""

    def tagged_ids(self, tags: list[str]) -> set[str]:
        """Ids of stored passages carrying any of these tags."""

    def add_note(self, passage_id: str, text: str) -> Note: ...

    def edit_note(self, note_id: int, text: str) -> Note: ...

    def note(self, note_id: int) -> Note: ...

    def remove_note(self, note_id: int) -> bool: ...

    def notes(self, passage_id: str | None = None, search: str | None = None) -> list[Note]:
        """Notes, oldest first; `search`: those holding every one of its words (case-insensitive, parts of
        words too)."""

    def annotations(self, passage_ids: list[str]) -> dict[str, tuple[list[str], list[Note]]]:
        """Tags and notes of these passages at once (a page of search hits): id -> (tags, notes)."""

    # Rights labels: the model's replace each other; a user's corrections (keyed to passage ids like tags,
    # carried into a new version of the report) win over them in every count and filter.
    def save_right_labels(
        self, passage_ids: list[str], labels: list[RightLabel], model: str, with_vector: set[str]
    ) -> None:
        """Replace these passages' model labels, and record which model labelled them (with their vector?)."""

    def reports_to_label(self, model: str, with_vectors: bool) -> list[str]:
        """Reports with passages `model` has not labelled (or, `with_vectors`, labelled without their vector)."""

    def right_runs(self, report_id: str) -> dict[str, tuple[str, bool]]: ...

    def right_labels(self, passage_ids: list[str]) -> list[RightLabel]: ...

    def report_right_labels(self, report_id: str) -> list[RightLabel]: ...

    def set_right_correction(self, passage_id: str, scheme: str, code: str, present: bool) -> None: ...

    def drop_right_correction(self, passage_id: str, scheme: str, code: str) -> bool: ...

    def right_corrections(self, passage_ids: list[str] | None = None) -> list[RightCorrection]: ...

    def passages_with_right(self, scheme: str, code: str) -> set[str]:
        """Passages carrying a label in effect (the model's unless a user removed it, or a user's)."""

    def right_counts_of(self, passage_ids: list[str], scheme: str) -> dict[str, int]:
        """Passages per code of one scheme among these passages (a search's facet)."""

    def right_counts(self, scheme: str | None = None, report_id: str | None = None) -> list[tuple[str, str, str, int]]:
        """(report id, scheme, code, passages) for the labels in effect."""

    # Recommendations: derived from a report (gone with it), with their library-wide groups, ICCPR articles and
    # follow-up links to later passages (replaced whole whenever the library's reports change).
    def save_recommendations(self, report_id: str, recommendations: list[Recommendation], extractor: str) -> None:
        """Replace one report's recommendations and record which extractor read it, in one transaction."""

    def recommendation_runs(self) -> dict[str, str]:
        """The extractor that read each report, by report id."""

    def recommendations(self, report_id: str | None = None, ids: list[str] | None = None) -> list[Recommendation]: ...

    def recommendation(self, recommendation_id: str) -> Recommendation:
        """One recommendation by its full id (NotFoundError when there is none)."""

    def set_recommendation_groups(self, groups: dict[str, str], iccpr: dict[str, list[int]]) -> None: ...

    def save_recommendation_links(self, links: list[FollowUp]) -> None:
        """Replace every follow-up link in the library."""

    def recommendation_links(self, recommendation_ids: list[str] | None = None) -> list[FollowUp]: ...

    # Entities: mentions derived from a report's passages and footnotes (gone with them) and the library's
    # entities, replaced whole whenever resolution runs again.
    def save_entity_mentions(self, report_id: str, mentions: list[EntityMention], recogniser: str) -> None:
        """Replace one report's mentions (in passages and footnotes) and record which recogniser read it, in one
        transaction."""

    def entity_runs(self) -> dict[str, str]:
        """The recogniser that read each report, by report id."""

    def entity_mentions(
        self,
        report_id: str | None = None,
        entity_id: str | None = None,
        passage_ids: list[str] | None = None,
        footnotes: bool = False,
    ) -> list[EntityMention]:
        """Mentions in passages (and with `footnotes`, in footnotes too), in report and text order."""

    def save_entities(self, entities: list[Entity], mentions: list[EntityMention]) -> None:
        """Replace the library's entities and set each mention's entity id."""

    def entities(self, ids: list[str] | None = None) -> list[Entity]: ...

    def save_events(self, report_id: str, events: list[Event], extractor: str) -> None:
        """Replace one report's events and record the extractor that read it, in one transaction."""

    def event_runs(self) -> dict[str, str]:
        """The extractor that read each report, by report id."""

    def events(self, report_id: str | None = None, passage_ids: list[str] | None = None) -> list[Event]:
        """Events of one report, in these passages, or all, in report and text order."""

    def set_event_groups(self, groups: dict[str, str]) -> None:
        """Set each event's `event_group` (by event id), in one transaction."""

    def stats(self) -> dict[str, int]: ...

    def close(self) -> None: ...
