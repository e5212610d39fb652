"""The library's events: extract them from reports not yet read (with their stored entity mentions and rights
labels), link mentions of one event across the library, and list them, filtered, or as a cited timeline."""

from __future__ import annotations

import builtins
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from covenant.countries import country_code
from covenant.errors import QueryError
from covenant.events import EVENT_TYPES, METHOD, document_events, link
from covenant.events.timeline import TimelineLine, entity_timeline, sort_key
from covenant.model import Citation, Document, Entity, Event, Report
from covenant.rights.crosswalk import parse_right

if TYPE_CHECKING:
    from covenant.library import Library

Progress = Callable[[str, int, int], None]

LINKED_SETTING = "events_linked"  # fingerprint of the reports read when event groups were last set
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


@dataclass(slots=True)
class TimelineEntry:
    """One dated line of a timeline with its citation: an event, or (on an entity's timeline) a dated sentence
    naming the entity that tells no event (`type` "mention"). `event` is the stored event when there is one."""

    date: str
    type: str
    quote: str
    passage_id: str
    citation: Citation
    event: Event | None = None

    def to_dict(self) -> dict[str, Any]:
        fields = self.event.to_dict() if self.event is not None else {}
        return {
            **fields,
            "date": self.date,
            "type": self.type,
            "quote": self.quote,
            "report_id": self.citation.report_id,
            "passage_id": self.passage_id,
            "start": self.citation.start,
            "end": self.citation.end,
            "citation": self.citation.to_dict(),
            "formatted": self.citation.formatted(),
        }


def _bound(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    if not _DATE.fullmatch(value.strip()):
        raise QueryError(f"{option} {value!r} is no date: write YYYY, YYYY-MM or YYYY-MM-DD")
    return value.strip()


def _overlaps(date: str, date_from: str | None, date_to: str | None) -> bool:
    """Whether an event's date (of any precision, or a range) can fall within [date_from, date_to], compared at
    the coarser of the two precisions ("2003" is within "from 2003-07")."""
    first, last = date.split("/")[0], date.split("/")[-1]
    if date_from is not None:
        n = min(len(last), len(date_from))
        if last[:n] < date_from[:n]:
            return False
    if date_to is not None:
        n = min(len(first), len(date_to))
        if first[:n] > date_to[:n]:
            return False
    return True


class Events:
    """`Library.events`: events in their own table keyed to passage ids; event groups linked across the library."""

    def __init__(self, library: Library) -> None:
        self.library = library
        self.store = library.store

    # -- extracting and linking -----------------------------------------------------------------
    def pending(self) -> list[str]:
        """Reports whose entities are recognised but whose events the current rules have not read."""
        runs, recognised = self.store.event_runs(), self.store.entity_runs()
        return [r.id for r in self.store.reports() if r.id in recognised and runs.get(r.id) != METHOD]

    def extract(self, reports: list[str] | None = None, *, on_progress: Progress | None = None) -> dict[str, int]:
        """Find the events of the reports not read yet (or these, again) from their stored entity mentions and
        rights labels in effect, then link event groups across the library if the reports read changed."""
        self.library._writable("extract events")
        ids = [self.library.report(r).id for r in reports] if reports else self.pending()
        found = 0
        for n, report_id in enumerate(ids, start=1):
            events = self._read(self.library.report(report_id))
            self.store.save_events(report_id, events, METHOD)
            found += len(events)
            if on_progress is not None:
                on_progress("extracting events", n, len(ids))
        groups = self.link()
        return {"reports": len(ids), "events": found, "groups": groups}

    def _read(self, report: Report) -> list[Event]:
        passages = self.store.passages(report.id)
        if not passages:
            return []
        # The stage reads passages and the report only; the clean text and layout stay in the store.
        document = Document(report, "", self.store.sections(report.id), passages, [], [], [])
        labels = [label for found in self.library.rights.report_labels(report).values() for label in found]
        return document_events(document, self.store.entity_mentions(report_id=report.id), labels)

    def fingerprint(self) -> str:
        """What the stored groups depend on: the reports read and by which rules."""
        return hashlib.sha256(json.dumps(sorted(self.store.event_runs().items())).encode()).hexdigest()[:16]

    def link(self, *, force: bool = False) -> int:
        """Set `event_group` on every stored event when the reports read changed (or `force`); the number of
        groups set now (0 when nothing changed)."""
        self.library._writable("link events")
        fingerprint = self.fingerprint()
        if not force and self.store.setting(LINKED_SETTING) == fingerprint:
            return 0
        events = self._in_report_order(self.store.events())
        link(events)
        self.store.set_event_groups({e.id: e.event_group or "" for e in events})
        self.store.set_setting(LINKED_SETTING, fingerprint)
        return len({e.event_group for e in events})

    def _in_report_order(self, events: list[Event]) -> list[Event]:
        """Events by the years their reports cover, then text order: a group takes its earliest report's id."""
        reports = {r.id: r for r in self.store.reports()}

        def key(event: Event) -> tuple[str, str, int]:
            report = reports.get(event.report_id)
            year = (report.period_start or report.publication_date or "9999") if report else "9999"
            return (year, event.report_id, event.start)

        return sorted(events, key=key)

    def _fresh(self) -> None:
        """Link again before reading when reports were removed since; a read-only library is read as it stands."""
        if not self.library.read_only and self.store.setting(LINKED_SETTING) != self.fingerprint():
            self.link()

    # -- reading --------------------------------------------------------------------------------
    def of_report(self, report: str | Report) -> list[Event]:
        """One report's events in text order."""
        report_id = report.id if isinstance(report, Report) else self.library.report(report).id
        self._fresh()
        return self.store.events(report_id=report_id)

    def for_entity(self, entity: str | Entity) -> list[Event]:
        """The events told in sentences naming an entity (an Entity, its id or any spelling), in date order."""
        return self.list(entity=entity)

    def list(
        self,
        *,
        entity: str | Entity | None = None,
        type: str | None = None,
        right: str | None = None,
        country: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> builtins.list[Event]:
        """Events, in date order (undated last, in report order), filtered by the entity a sentence names, type,
        right (an ICCPR article the event bears on, or any other right its passage is labelled with), the
        country of its report, and dates (an event of coarser date counts when it may fall within)."""
        if type is not None and type not in EVENT_TYPES:
            raise QueryError(f"unknown event type {type!r}: choose one of {', '.join(EVENT_TYPES)}")
        date_from, date_to = _bound(date_from, "--from"), _bound(date_to, "--to")
        self._fresh()
        if entity is not None:
            found = entity if isinstance(entity, Entity) else self.library.entities._entity(entity)
            named = self.store.entity_mentions(entity_id=found.id)
            starts: dict[str, list[int]] = {}
            for mention in named:
                starts.setdefault(mention.passage_id, []).append(mention.start)
            candidates = self.store.events(passage_ids=sorted(starts))
            events = [e for e in candidates if any(e.start <= s < e.end for s in starts[e.passage_id])]
        else:
            events = self.store.events()
        if type is not None:
            events = [e for e in events if e.type == type]
        if right is not None:
            scheme, code = parse_right(right)
            if scheme == "iccpr":
                events = [e for e in events if int(code) in e.iccpr]
            else:
                labelled = self.store.passages_with_right(scheme, code)
                events = [e for e in events if e.passage_id in labelled]
        if country is not None:
            of_country = self._reports_of(country)
            events = [e for e in events if e.report_id in of_country]
        if date_from is not None or date_to is not None:
            events = [e for e in events if e.date and _overlaps(e.date, date_from, date_to)]
        dated = sorted((e for e in events if e.date), key=lambda e: (sort_key(e.date or ""), e.report_id, e.start))
        return dated + [e for e in events if not e.date]

    def _reports_of(self, country: str) -> set[str]:
        code = country_code(country)
        if code is None:
            raise QueryError(f"unknown country {country!r}: give its name or ISO code (Kazakhstan, KZ)")
        return {r.id for r in self.store.reports() if r.country == code}

    def timeline(
        self,
        *,
        entity: str | Entity | None = None,
        type: str | None = None,
        right: str | None = None,
        country: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> builtins.list[TimelineEntry]:
        """Dated lines in date order, each with its citation: the dated events of `list(...)`, or for an `entity`
        its history (`covenant.events.timeline`): the events naming it and the dated sentences naming it, a
        sentence opening with a pronoun counting for the person just named."""
        if entity is None:
            events = self.list(type=type, right=right, country=country, date_from=date_from, date_to=date_to)
            return [
                TimelineEntry(
                    e.date or "", e.type, e.quote, e.passage_id, self.library.cite(e.passage_id, e.start, e.end), e
                )
                for e in events
                if e.date
            ]
        found = entity if isinstance(entity, Entity) else self.library.entities._entity(entity)
        if type is not None and type not in (*EVENT_TYPES, "mention"):
            raise QueryError(f"unknown event type {type!r}: choose one of {', '.join(EVENT_TYPES)} or mention")
        date_from, date_to = _bound(date_from, "--from"), _bound(date_to, "--to")
        self._fresh()
        report_ids = sorted(found.reports)
        if country is not None:
            report_ids = [r for r in report_ids if r in self._reports_of(country)]
        documents, mentions, events = [], [], []
        for report_id in report_ids:
            report = self.library.report(report_id)
            documents.append(Document(report, "", [], self.store.passages(report_id), [], [], []))
            mentions += self.store.entity_mentions(report_id=report_id)
            events += self.store.events(report_id=report_id)
        lines = entity_timeline({found.id}, documents, mentions, events)
        if type is not None:
            lines = [line for line in lines if line.kind == type]
        if right is not None:
            scheme, code = parse_right(right)
            labelled = self.store.passages_with_right(scheme, code)
            by_id = {e.id: e for e in events}
            lines = [line for line in lines if line.passage_id in labelled or _bears_on(line, by_id, scheme, code)]
        if date_from is not None or date_to is not None:
            lines = [line for line in lines if _overlaps(line.date, date_from, date_to)]
        stored = {(e.passage_id, e.start, e.type): e for e in events}
        return [
            TimelineEntry(
                line.date,
                line.kind,
                line.quote,
                line.passage_id,
                self.library.cite(line.passage_id, line.start, line.end),
                stored.get((line.passage_id, line.start, line.kind)),
            )
            for line in lines
        ]


def _bears_on(line: TimelineLine, events: dict[str, Event], scheme: str, code: str) -> bool:
    """Whether a timeline line's event bears on an ICCPR article (its own articles, not only its passage's)."""
    if scheme != "iccpr":
        return False
    return any(
        e.passage_id == line.passage_id and e.start == line.start and e.type == line.kind and int(code) in e.iccpr
        for e in events.values()
    )
