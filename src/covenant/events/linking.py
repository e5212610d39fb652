"""Link mentions of the same event across passages and reports: one `event_group` for events of one type that
name the same victim (by transliteration-aware key) at compatible dates."""

from __future__ import annotations

import hashlib

from covenant.entities.keys import name_key, person_name
from covenant.entities.resolve import UnionFind
from covenant.model import Event


def link(events: list[Event]) -> None:
    """Set `event_group` on every event: the id of the first mention of its group, in the order given."""
    sets = UnionFind()
    by_key: dict[tuple[str, str], list[int]] = {}
    for n, event in enumerate(events):
        sets.find(n)
        for key in _people_keys(event):
            for other in by_key.get((event.type, key), []):
                if compatible_dates(events[other].date, event.date, events[other].report_id == event.report_id):
                    sets.union(other, n)
            by_key.setdefault((event.type, key), []).append(n)
    groups: dict[object, str] = {}
    for n, event in enumerate(events):
        root = sets.find(n)
        if root not in groups:
            groups[root] = "G" + hashlib.blake2b(event.id.encode(), digest_size=6).hexdigest()
        event.event_group = groups[root]


def compatible_dates(a: str | None, b: str | None, same_report: bool) -> bool:
    """Equal dates, or one the more precise form of the other ("2003-01" and "2003-01-28"); a missing date only
    within one report, where the text around it fixes the time."""
    if a is None or b is None:
        return same_report and a is None and b is None
    a, b = a.split("/")[0], b.split("/")[0]
    return a.startswith(b) or b.startswith(a)


def _people_keys(event: Event) -> set[str]:
    keys = set()
    for name in event.victims:
        person = person_name(name)
        key = person.surname_key if person and name[:1].isupper() and " " in name.strip() else name_key(name)
        if key:
            keys.add(key)
    return keys
