"""The library's entities: recognise mentions in reports not yet read, resolve them library-wide, find an entity by
any spelling, and gather a dossier (every spelling, report and passage naming it, the entities it appears with)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from covenant.citation import cite_footnote, cite_passage, section_codes
from covenant.entities.keys import name_key, person_name, sound_key, words
from covenant.entities.overrides import load_overrides
from covenant.entities.resolve import resolve, surface_form
from covenant.errors import CovenantError, NotFoundError, QueryError
from covenant.model import Citation, Entity, EntityMention, Event, Report

if TYPE_CHECKING:
    from covenant.entities.mentions import Recogniser
    from covenant.events.component import TimelineEntry
    from covenant.library import Library

Progress = Callable[[str, int, int], None]

# recorded per report: a library read by another version of the rules reads all again (`/2`: no nationality words;
# `/3`: no all-lower-case names; `/4`: footnotes read too; `/5`: a body's or outlet's former name the text states)
RECOGNISER = "spacy:en_core_web_sm+natasha:news+rules/5"
OVERRIDES_SETTING = "entity_overrides"  # a library setting naming the override file, if not beside the library
RESOLVED_SETTING = "entities_resolved"  # fingerprint of the reports and overrides the stored entities come from
TYPES = ("PERSON", "ORG", "GPE", "LAW", "MEDIA")


@dataclass(slots=True)
class PassageMention:
    """A passage (or a footnote) naming an entity: how it spells it there, and its citation."""

    passage_id: str
    text: str
    spellings: list[str]
    citation: Citation

    def to_dict(self) -> dict[str, Any]:
        return {
            "passage_id": self.passage_id,
            "spellings": self.spellings,
            "citation": self.citation.to_dict(),
            "formatted": self.citation.formatted(),
            "text": self.text,
        }


@dataclass(slots=True)
class ReportMentions:
    report: Report
    mentions: int
    passages: list[PassageMention] = field(default_factory=list)
    footnotes: list[PassageMention] = field(default_factory=list)  # in the order of their numbers

    def to_dict(self) -> dict[str, Any]:
        return {
            "report_id": self.report.id,
            "title": self.report.title or self.report.file_name,
            "period_start": self.report.period_start,
            "mentions": self.mentions,
            "passages": [p.to_dict() for p in self.passages],
            "footnotes": [f.to_dict() for f in self.footnotes],
        }


@dataclass(slots=True)
class Dossier:
    """Who an entity is, every spelling with its count, the reports (in the order of the years they cover) and
    passages naming it, the entities named in the same passages (most shared passages first), the events told in
    sentences naming it, and its timeline (those events and its other dated sentences, as `covenant timeline
    --entity` gives them)."""

    entity: Entity
    spellings: dict[str, int]
    reports: list[ReportMentions]
    co_occurring: list[tuple[Entity, int]]
    events: list[Event] = field(default_factory=list)  # the events told in sentences naming it, in date order
    timeline: list[TimelineEntry] = field(default_factory=list)  # its dated lines, cited, in date order

    def years(self) -> list[dict[str, Any]]:
        """Dated lines of its timeline per year, as the /timeline page's `years`."""
        counts = Counter(line.date[:4] for line in self.timeline)
        return [{"year": year, "events": n} for year, n in sorted(counts.items())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity.to_dict(),
            "spellings": self.spellings,
            "reports": [r.to_dict() for r in self.reports],
            "co_occurring": [{**e.to_dict(), "passages": n} for e, n in self.co_occurring],
            "events": [e.to_dict() for e in self.events],
            "timeline": {"years": self.years(), "lines": [line.to_dict() for line in self.timeline]},
        }


class Entities:
    """`Library.entities`: mentions in their own table keyed to passage ids; entities resolved across the library."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.store = library.store

    @cached_property
    def recogniser(self) -> Recogniser:
        from covenant.entities.mentions import Recogniser

        return Recogniser()

    @property
    def overrides_path(self) -> Path:
        """The user's merge / split file: a path in the library's settings, else `<library>.entities.jsonl`."""
        named = self.store.setting(OVERRIDES_SETTING)
        return Path(named) if named else Path(f"{self.library.path}.entities.jsonl")

    # -- recognising and resolving ----------------------------------------------------------------
    def pending(self) -> list[str]:
        """Reports not yet read by the current recogniser."""
        runs = self.store.entity_runs()
        return [r.id for r in self.store.reports() if runs.get(r.id) != RECOGNISER]

    def recognise(self, reports: list[str] | None = None, *, on_progress: Progress | None = None) -> dict[str, int]:
        """Find mentions in the reports not read yet (or these, again), then resolve the library if its reports or
        the override file changed since the last resolution."""
        self.library._writable("recognise entities")
        ids = [self.library.report(r).id for r in reports] if reports else self.pending()
        counts = self.store.passage_counts()
        total, seen, found = sum(counts.get(r, 0) for r in ids), 0, 0
        for report_id in ids:
            passages = self.store.passages(report_id)
            footnotes = self.store.footnotes(report_id)
            mentions = self.recogniser.passages(passages, footnotes) if passages or footnotes else []
            self.store.save_entity_mentions(report_id, mentions, RECOGNISER)
            found += len(mentions)
            seen += len(passages)
            if on_progress is not None:
                on_progress("recognising entities", seen, total)
        resolved = self.resolve()
        return {"reports": len(ids), "mentions": found, "entities": resolved}

    def fingerprint(self) -> str:
        """What the stored entities depend on: the reports read and the override file's content."""
        digest = hashlib.sha256(json.dumps(sorted(self.store.entity_runs().items())).encode())
        if self.overrides_path.exists():
            digest.update(self.overrides_path.read_bytes())
        return digest.hexdigest()[:16]

    def resolve(self, *, force: bool = False) -> int:
        """Resolve every stored mention into entities when the reports or overrides changed (or `force`); the
        number of entities resolved now (0 when nothing changed). Ids are hashes of type and canonical key, so an
        entity keeps its id while its canonical name does."""
        self.library._writable("resolve entities")
        fingerprint = self.fingerprint()
        if not force and self.store.setting(RESOLVED_SETTING) == fingerprint:
            return 0
        overrides = load_overrides(self.overrides_path) if self.overrides_path.exists() else None
        resolution = resolve(self.store.entity_mentions(footnotes=True), overrides)
        self.store.save_entities(resolution.entities, resolution.mentions)
        self.store.set_setting(RESOLVED_SETTING, fingerprint)
        return len(resolution.entities)

    # -- the user's corrections -----------------------------------------------------------------
    def merge(self, *names: str) -> Entity:
        """Join the entities holding these spellings (written to the override file, so it outlives re-ingesting)."""
        if len(names) < 2:
            raise QueryError("merge needs two or more names")
        for name in names:
            self.find(name)
        self._add_override({"merge": list(names)})
        return self.find(names[0])

    def split(self, spelling: str, from_name: str, report: str | None = None) -> Entity:
        """Take the mentions written `spelling` (in `report`, if given) out of the entity holding `from_name`."""
        self.find(from_name)
        record: dict[str, Any] = {"split": spelling, "from": from_name}
        if report:
            record["report"] = self.library.report(report).id
        self._add_override(record)
        return self.find(spelling)

    def _add_override(self, record: dict[str, Any]) -> None:
        self.library._writable("correct entities")
        path = self.overrides_path
        try:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise CovenantError(f"{path}: cannot write the entity override file ({exc.strerror or exc})") from exc
        self.resolve(force=True)

    # -- reading --------------------------------------------------------------------------------
    def _fresh(self) -> None:
        """Resolve again before reading when reports were removed since (their mentions went with them); a
        read-only library is read as it stands."""
        if not self.library.read_only and self.store.setting(RESOLVED_SETTING) != self.fingerprint():
            self.resolve()

    def all(self, type: str | None = None, report: str | None = None) -> list[Entity]:
        """Entities, most mentioned first: all, of one type, or named in one report."""
        if type is not None and type.upper() not in TYPES:
            raise QueryError(f"unknown entity type {type!r}: choose one of {', '.join(TYPES)}")
        report_id = self.library.report(report).id if report else None
        self._fresh()
        return [
            e
            for e in self.store.entities()
            if (type is None or e.type == type.upper()) and (report_id is None or report_id in e.reports)
        ]

    def entity(self, entity_id: str) -> Entity:
        self._fresh()
        found = self.store.entities([entity_id])
        if not found:
            raise NotFoundError(f"no entity {entity_id!r} in the library (`covenant entities` lists them)")
        return found[0]

    def candidates(self, name: str) -> list[Entity]:
        """The entities a name may mean, best first: those with this spelling, else those whose spelling sounds the
        same (transliteration keys: "Galimzhan Zhakiyanov", "Nazarbaev"), else those holding it as a surname."""
        wanted = surface_form(name)
        if not wanted:
            return []
        self._fresh()
        entities = self.store.entities()
        exact = [e for e in entities if any(surface_form(a) == wanted for a in e.aliases)]
        if exact:
            return exact
        key = name_key(name)
        keyed = [e for e in entities if key and any(name_key(a) == key for a in e.aliases)]
        if keyed:
            return keyed
        person = person_name(name)
        if person is not None and person.surname:
            surname = sound_key(person.surname)
            return [
                e
                for e in entities
                if e.type == "PERSON" and any(sound_key(w) == surname for a in e.aliases for w in words(a))
            ]
        return []

    def find(self, name: str) -> Entity:
        """The entity a name means, in any spelling (the most mentioned when several)."""
        found = self.candidates(name)
        if not found:
            raise NotFoundError(f"no entity named {name!r} in the library (`covenant entities` lists them)")
        return found[0]

    def mentions(self, entity: str | Entity) -> list[EntityMention]:
        """Every mention of an entity (an Entity, its id or a name), in report and text order, its mentions in
        footnotes after each report's passage mentions."""
        return self.store.entity_mentions(entity_id=self._entity(entity).id, footnotes=True)

    def of_report(self, report: str | Report, footnotes: bool = False) -> list[EntityMention]:
        """A report's mentions in its passages (and with `footnotes`, in its footnotes too)."""
        report_id = report.id if isinstance(report, Report) else self.library.report(report).id
        return self.store.entity_mentions(report_id=report_id, footnotes=footnotes)

    def dossier(self, name: str, co_occurring: int = 20) -> Dossier:
        """Who an entity is (by id or any spelling), every spelling, every report, passage and footnote naming it with
        citations, and the `co_occurring` entities named most often in the same passages."""
        entity = self._entity(name)
        mentions = self.store.entity_mentions(entity_id=entity.id, footnotes=True)
        by_passage: dict[str, list[EntityMention]] = {}
        by_footnote: dict[str, list[EntityMention]] = {}
        for m in mentions:
            (by_footnote if m.footnote else by_passage).setdefault(m.passage_id, []).append(m)
        passages = self.store.passages_by_ids(sorted(by_passage))
        reports: dict[str, ReportMentions] = {}
        for report_id in dict.fromkeys(m.report_id for m in mentions):
            report = self.library.report(report_id)
            codes = section_codes(self.store.sections(report_id))
            group = ReportMentions(report, sum(1 for m in mentions if m.report_id == report_id))
            for pid, found in by_passage.items():
                passage = passages.get(pid)
                if passage is None or passage.report_id != report_id:
                    continue
                citation = cite_passage(report, passage, codes.get(passage.section_id or "") or None)
                spellings = list(dict.fromkeys(m.text for m in found))
                group.passages.append(PassageMention(pid, passage.text, spellings, citation))
            group.passages.sort(key=lambda p: p.citation.start)
            if by_footnote:
                for note in self.store.footnotes(report_id):
                    if note.id in by_footnote:
                        spellings = list(dict.fromkeys(m.text for m in by_footnote[note.id]))
                        cited = cite_footnote(report, note)
                        group.footnotes.append(PassageMention(note.id, note.text, spellings, cited))
            reports[report_id] = group
        ordered = sorted(
            reports.values(), key=lambda r: (r.report.period_start or r.report.publication_date or "9999", r.report.id)
        )
        pairs = {(m.passage_id, m.entity_id) for m in self.store.entity_mentions(passage_ids=sorted(by_passage))}
        together = Counter(eid for _, eid in pairs if eid and eid != entity.id)
        top = together.most_common(co_occurring)
        known = {e.id: e for e in self.store.entities([eid for eid, _ in top])}
        return Dossier(
            entity=entity,
            spellings=dict(Counter(m.text for m in mentions).most_common()),
            reports=ordered,
            co_occurring=[(known[eid], n) for eid, n in top if eid in known],
            events=self.library.events.for_entity(entity),
            timeline=self.library.events.timeline(entity=entity),
        )

    def _entity(self, ref: str | Entity) -> Entity:
        if isinstance(ref, Entity):
            return ref
        if ref.startswith("E") and len(ref) == 13:
            found = self.store.entities([ref])
            if found:
                return found[0]
        return self.find(ref)
