"""The front door: one `Library` object owns the store, the search indexes and the settings of one library.

The CLI, the evaluation, the tests and the benchmarks all go through it; later stages attach to it as
components with their own tables rather than wiring the store and the search engine again.

```python
from covenant import Library

with Library("covenant.db") as lib:
    lib.ingest(["reports/"])
    for hit in lib.search("closure of the newspaper Respublika").hits:
        print(hit.citation.formatted())
```
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from covenant.annotations import Note, Tag, TagCount, clean_tag
from covenant.batch import IngestSummary, ingest_files
from covenant.citation import cite, cite_passage, section_codes
from covenant.errors import NotFoundError, QueryError, StoreError
from covenant.model import Citation, Footnote, IngestEvent, Passage, Report, Section
from covenant.store import DEFAULT_DB
from covenant.store.base import Store
from covenant.workers import Limits

if TYPE_CHECKING:
    from covenant.entities.component import Entities
    from covenant.events.component import Events
    from covenant.recommendations.component import Recommendations
    from covenant.rights.component import Rights
    from covenant.search.engine import SearchEngine, SearchResults
    from covenant.search.fulltext import Filters

Progress = Callable[[str, int, int], None]


PASSAGE_ORDINAL = re.compile(r"p\d{5,}")


@dataclass(slots=True)
class PassageContext:
    """What `covenant show PASSAGE_ID` prints: a passage in its place, with its footnotes and citation."""

    report: Report
    passage: Passage
    before: list[Passage]
    after: list[Passage]
    footnotes: list[Footnote]
    citation: Citation

    def to_dict(self) -> dict[str, Any]:
        return {
            "report": self.report.to_dict(),
            "passage": self.passage.to_dict(),
            "citation": self.citation.to_dict(),
            "before": [p.to_dict() for p in self.before],
            "after": [p.to_dict() for p in self.after],
            "footnotes": [n.to_dict() for n in self.footnotes],
        }


class Library:
    """One library: a SQLite file (`covenant.db`) and its derived search folder (`covenant.db.index/`).

    `read_only`: open without writing anything (a library on read-only media, or a reader beside a writer);
    `create=False`: refuse a path where no library exists instead of creating an empty one.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        read_only: bool = False,
        create: bool = True,
        models: Sequence[str] | None = None,
    ) -> None:
        self.path = Path(path or os.environ.get("COVENANT_DB") or DEFAULT_DB)
        self.read_only = read_only
        if (read_only or not create) and not self.path.exists():
            raise NotFoundError(
                f"{self.path}: no library here (ingest reports to create one, or give the right --db path)"
            )
        from covenant.store.sqlite import SQLiteStore

        self.store: Store = SQLiteStore(self.path, read_only=read_only)
        self._models = list(models) if models else None
        self._engine: SearchEngine | None = None

    # -- lifetime -------------------------------------------------------------------------------
    def __enter__(self) -> Library:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    def __repr__(self) -> str:
        return f"Library({str(self.path)!r})"

    # -- ingest and the reports -----------------------------------------------------------------
    def ingest(
        self,
        paths: Iterable[str | Path],
        *,
        overrides: dict[str, str | None] | None = None,
        strict: bool = False,
        workers: int | None = None,
        limits: Limits | None = None,
        on_event: Callable[[IngestEvent], None] | None = None,
    ) -> IngestSummary:
        """Ingest files and folders (text, HTML, PDF): one transaction per report; bad files are skipped
        with their reason; the search indexes catch up on the next `index()` or searching `update`."""
        self._writable("ingest")
        return ingest_files(
            paths, self.store, overrides=overrides, strict=strict, workers=workers, limits=limits, on_event=on_event
        )

    def reports(self) -> list[Report]:
        return self.store.reports()

    def report(self, ref: str) -> Report:
        """A report by id, id prefix or file name (NotFoundError when none or several match)."""
        return self.store.find_report(ref)

    def sections(self, report: str | Report) -> list[Section]:
        return self.store.sections(self._report_id(report))

    def passages(self, report: str | Report | None = None) -> list[Passage]:
        return self.store.passages(None if report is None else self._report_id(report))

    def passage(self, passage_id: str) -> Passage:
        """A passage by its id (`<report id>:p00022`); the report part may be the short id `reports` prints."""
        report_ref, sep, ordinal = passage_id.rpartition(":")
        if sep and report_ref and len(report_ref) < 16 and PASSAGE_ORDINAL.fullmatch(ordinal):
            passage_id = f"{self.report(report_ref).id}:{ordinal}"
        return self.store.passage(passage_id)

    def context(self, passage: str | Passage, around: int = 2) -> PassageContext:
        """A passage with `around` passages before and after it in its report, and the footnotes it marks."""
        found = passage if isinstance(passage, Passage) else self.passage(passage)
        items = self.store.passages(found.report_id)
        at = next(i for i, p in enumerate(items) if p.id == found.id)
        notes = [
            n
            for n in self.store.footnotes(found.report_id)
            if n.marker_offset is not None and found.start <= n.marker_offset <= found.end
        ]
        return PassageContext(
            report=self.report(found.report_id),
            passage=found,
            before=items[max(0, at - around) : at],
            after=items[at + 1 : at + 1 + around],
            footnotes=notes,
            citation=self.cite(found),
        )

    def is_passage_id(self, ref: str) -> bool:
        """Whether a reference names a passage (`<report id>:p00022`) rather than a report."""
        report_ref, sep, ordinal = ref.rpartition(":")
        return bool(sep and report_ref and PASSAGE_ORDINAL.fullmatch(ordinal))

    def footnotes(self, report: str | Report) -> list[Footnote]:
        return self.store.footnotes(self._report_id(report))

    def clean_text(self, report: str | Report) -> str:
        return self.store.clean_text(self._report_id(report))

    def passage_counts(self) -> dict[str, int]:
        return self.store.passage_counts()

    def log(self, limit: int = 100) -> list[IngestEvent]:
        return self.store.ingest_log(limit)

    def remove(self, report: str | Report) -> Report:
        """Remove a report and everything keyed to it; the indexes drop it on their next update."""
        self._writable("remove reports")
        found = report if isinstance(report, Report) else self.report(report)
        self.store.remove_report(found.id)
        return found

    def export(
        self, out_dir: str | Path, reports: Sequence[str] | None = None, *, force: bool = False
    ) -> dict[str, int]:
        """Write reports, sections, passages, footnotes, tags and notes as JSON Lines (see docs/export.md)."""
        from covenant.export import export_library

        ids = [self.report(ref).id for ref in reports] if reports else None
        return export_library(self.store, Path(out_dir), ids, force=force)

    # -- tags and notes -------------------------------------------------------------------------
    def tag(self, passage_id: str, tag: str) -> bool:
        """Tag a passage (its id, or a short report id with `:p00022`); False when it carries the tag already.

        A tag is a short label (1-64 characters once trimmed, no control characters), matched whatever its
        case and stored as first written. Tags and notes outlive a report's replacement: they move to the
        passage with the same text in the new version, or stay, orphaned, under the old id.
        """
        self._writable("tag passages")
        tag = clean_tag(tag)  # a bad tag is refused before the passage is looked up
        return self.store.add_tag(self.passage(passage_id).id, tag)

    def untag(self, passage_id: str, tag: str) -> bool:
        """Take a tag off a passage (an orphaned one too, by its full id); False when it did not carry it."""
        self._writable("untag passages")
        return self.store.remove_tag(self._annotated_id(passage_id), clean_tag(tag))

    def tags(self) -> list[TagCount]:
        """Every tag and how many passages carry it (and how many of those are orphaned), most used first."""
        return self.store.tag_counts()

    def tagged(self, tag: str) -> list[Passage]:
        """The passages in the library that carry a tag (any spelling), in report order."""
        tag = clean_tag(tag)
        found = self.store.passages_by_ids(sorted(self.store.tagged_ids([tag])))
        return sorted(found.values(), key=lambda p: (p.report_id, p.ordinal))

    def tag_records(self, tag: str | None = None) -> list[Tag]:
        """Each tag on each passage, orphaned ones included (what `covenant export` writes to tags.jsonl)."""
        return self.store.tags(None if tag is None else clean_tag(tag))

    def note(self, passage_id: str, text: str) -> Note:
        """Write a note on a passage; notes are searchable (`notes(search=...)`) and shown beside search hits."""
        self._writable("add notes")
        return self.store.add_note(self.passage(passage_id).id, text)

    def edit_note(self, note_id: int, text: str) -> Note:
        self._writable("edit notes")
        return self.store.edit_note(note_id, text)

    def notes(self, passage_id: str | None = None, search: str | None = None) -> list[Note]:
        """Notes, oldest first: all, or one passage's; `search`: those holding every one of its words."""
        return self.store.notes(None if passage_id is None else self._annotated_id(passage_id), search)

    def remove_note(self, note_id: int) -> Note:
        """Remove a note by its id; returns it (NotFoundError when there is none)."""
        self._writable("remove notes")
        found = self.store.note(note_id)
        self.store.remove_note(note_id)
        return found

    def _annotated_id(self, passage_id: str) -> str:
        """A passage id with its short report id resolved; an id whose passage is gone (orphaned tags and
        notes) is taken as given."""
        try:
            return self.passage(passage_id).id
        except NotFoundError:
            if self.is_passage_id(passage_id):
                return passage_id
            raise

    # -- citations ------------------------------------------------------------------------------
    def cite(self, passage: str | Passage, start: int | None = None, end: int | None = None) -> Citation:
        """The citation of a passage, or of clean offsets [start, end) of its report: what every stage
        attaches to the facts it finds."""
        found = passage if isinstance(passage, Passage) else self.passage(passage)
        report = self.report(found.report_id)
        sections = self.store.sections(report.id)
        if start is None and end is None:
            return cite_passage(report, found, section_codes(sections).get(found.section_id or "") or None)
        text = self.store.clean_text(report.id)
        runs = self.store.offset_map(report.id)
        start = found.start if start is None else start
        end = found.end if end is None else end
        return cite(report, text, runs, sections, start, end, self.store.passages(report.id))

    # -- search ---------------------------------------------------------------------------------
    @property
    def engine(self) -> SearchEngine:
        if self._engine is None:
            from covenant.search.engine import SearchEngine

            self._engine = SearchEngine(self.store, self.path, self._models)
        return self._engine

    @property
    def models(self) -> list[str]:
        """The library's embedding models, the main one first."""
        return list(self.engine.models)

    def set_models(self, names: Sequence[str]) -> list[str]:
        """Choose the library's embedding models (each is loaded once here, so a missing one fails now)."""
        from covenant.search.embed import load_embedder
        from covenant.search.engine import MODEL_SETTING, split_models

        self._writable("change its models")
        chosen = split_models(names)
        for name in chosen:
            load_embedder(name)
        self.store.set_setting(MODEL_SETTING, ",".join(chosen))
        self._models = chosen
        self._engine = None
        return chosen

    def index(self, semantic: bool = True, on_progress: Progress | None = None, rights: bool = True) -> dict[str, int]:
        """Bring the full-text index (and, with `semantic`, the passage vectors) up to date, incrementally; with
        `rights`, label the passages not yet labelled (and those labelled before their vector was stored)."""
        counts = dict(self.engine.refresh(semantic=semantic, on_progress=on_progress))
        if rights and not self.read_only:
            done = self.rights.label(vectors_stored=semantic, on_progress=on_progress)
            counts["labelled_passages"] = done["passages"]
            counts["recommendation_reports"] = self.recommendations.extract(on_progress=on_progress)["reports"]
            counts["entity_reports"] = self.entities.recognise(on_progress=on_progress)["reports"]
            counts["event_reports"] = self.events.extract(on_progress=on_progress)["reports"]
        return counts

    @cached_property
    def rights(self) -> Rights:
        """The rights labels of the library's passages (`covenant.rights.component.Rights`)."""
        from covenant.rights.component import Rights

        return Rights(self)

    @cached_property
    def recommendations(self) -> Recommendations:
        """The recommendations of the library's reports and their follow-up
        (`covenant.recommendations.component.Recommendations`)."""
        from covenant.recommendations.component import Recommendations

        return Recommendations(self)

    @cached_property
    def entities(self) -> Entities:
        """The people, bodies, places, laws and outlets the reports name, resolved across the library
        (`covenant.entities.component.Entities`)."""
        from covenant.entities.component import Entities

        return Entities(self)

    @cached_property
    def events(self) -> Events:
        """The acts the reports tell (arrests, convictions, killings), dated, linked across reports, and as a
        cited timeline (`covenant.events.component.Events`)."""
        from covenant.events.component import Events

        return Events(self)

    @property
    def repairs(self) -> list[str]:
        """Derived search files found damaged and rebuilt from the library since it was opened (one line each)."""
        return self.engine.repairs if self._engine is not None else []

    def embedding_estimate(self) -> tuple[int, float]:
        """Passages still to embed for semantic search, and about how many seconds `index()` will take."""
        from covenant.search.embed import MODELS

        waiting = self.pending(semantic=True).get("unembedded_passages", 0)
        rate = sum(1 / MODELS[name].passages_per_second for name in self.models if name in MODELS)
        return waiting, waiting * rate

    def pending(self, semantic: bool = True) -> dict[str, int]:
        """What a search without `update` cannot see yet (reports and passages not indexed or embedded)."""
        return self.engine.pending(semantic=semantic)

    def search(
        self,
        query: str,
        *,
        mode: str = "hybrid",
        filters: Filters | Iterable[str] | dict[str, str] | None = None,
        limit: int = 10,
        facets: bool = True,
        collapse: bool = False,
        update: bool = False,
        footnotes: bool = False,
    ) -> SearchResults:
        """The best passages for `query`, each with its citation, and facet counts.

        By default the search answers from what is indexed now and says in `results.pending` what it could
        not see yet; `update=True` first brings the indexes up to date (which may embed many passages).
        `filters`: "country=KZ"-style strings (as the CLI's --filter), a dict, or a `Filters`.
        `footnotes`: the reports' footnotes match too (by their words: they have no vectors), each hit of one
        cited to its note (`hit.kind == "footnote"`); without it, `results.footnotes_matching` says how many
        footnotes the query would also find.
        """
        chosen = self.filters(filters)
        return self.engine.search(
            query,
            mode=mode,
            filters=replace(chosen, footnotes=True) if footnotes else chosen,
            limit=limit,
            refresh=update,
            facets=facets,
            collapse=collapse,
        )

    def filters(self, spec: Filters | Iterable[str] | dict[str, str] | None) -> Filters:
        """Search filters from "key=value" strings (as the CLI's --filter), a dict or a `Filters`, in this
        library's values: names and short ids resolved, a value no report has refused with the ones it has."""
        from covenant.search.filters import parse_filters, resolve_filters
        from covenant.search.fulltext import Filters

        if spec is None:
            return Filters()
        if isinstance(spec, Filters):
            parsed = spec
        elif isinstance(spec, dict):
            parsed = parse_filters([f"{k}={v}" for k, v in spec.items()])
        elif isinstance(spec, str):
            raise QueryError("give filters as a list of 'key=value' strings, not one string")
        else:
            parsed = parse_filters(list(spec))
        tags = [c.tag for c in self.store.tag_counts() if c.passages > c.orphaned] if parsed.tags else None
        return resolve_filters(parsed, self.reports(), self.store.countries(), tags)

    # -- internals ------------------------------------------------------------------------------
    def _report_id(self, report: str | Report) -> str:
        return report.id if isinstance(report, Report) else self.report(report).id

    def _writable(self, what: str) -> None:
        if self.read_only:
            raise StoreError(f"{self.path}: opened read-only, cannot {what}")

    def stats(self) -> dict[str, Any]:
        return dict(self.store.stats())
