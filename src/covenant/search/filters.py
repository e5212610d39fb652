"""Parse `--filter key=value` options into search Filters, with a clear message for anything malformed."""

from __future__ import annotations

import re

from covenant.errors import QueryError
from covenant.model import DOC_TYPES
from covenant.search.fulltext import Filters

KEYS = {
    "country": "countries",
    "source": "source_orgs",
    "source_org": "source_orgs",
    "type": "doc_types",
    "doc_type": "doc_types",
    "section": "sections",
    "report": "report_ids",
}
_YEARS = re.compile(r"^(\d{4})?(?:\.\.(\d{4})?)?$")
_SECTION = re.compile(r"^\d{1,2}(?:\.[a-h])?$")


def parse_filters(items: list[str] | tuple[str, ...]) -> Filters:
    """`country=KZ`, `source=Human Rights Watch`, `type=letter`, `section=2.a`, `year=2003..2005`, `period=2004`."""
    values: dict[str, list[str]] = {}
    years: dict[str, tuple[int | None, int | None]] = {}
    for item in items:
        if "=" not in item:
            raise QueryError(f"filter {item!r} needs the form key=value (keys: {', '.join(_all_keys())})")
        key, value = (part.strip() for part in item.split("=", 1))
        key = key.lower()
        if not value:
            raise QueryError(f"filter {item!r} has no value")
        if key in ("year", "period"):
            years[key] = _year_range(item, value)
            continue
        if key not in KEYS:
            raise QueryError(f"unknown filter {key!r} (keys: {', '.join(_all_keys())})")
        if key in ("country",):
            value = value.upper()
        if key in ("type", "doc_type") and value not in DOC_TYPES:
            raise QueryError(f"filter {item!r}: type is one of {', '.join(DOC_TYPES)}")
        if key == "section" and not _SECTION.match(value):
            raise QueryError(f"filter {item!r}: a section is a State Department code like 2 or 2.a")
        values.setdefault(KEYS[key], []).append(value)
    year_from, year_to = years.get("year", (None, None))
    period_from, period_to = years.get("period", (None, None))
    return Filters(
        **{k: tuple(v) for k, v in values.items()},
        year_from=year_from,
        year_to=year_to,
        period_from=period_from,
        period_to=period_to,
    )


def _year_range(item: str, value: str) -> tuple[int | None, int | None]:
    m = _YEARS.match(value)
    if not m or not (m.group(1) or m.group(2)):
        raise QueryError(f"filter {item!r}: give a year (2005) or a range (2003..2005, 2003.., ..2005)")
    start = int(m.group(1)) if m.group(1) else None
    end = int(m.group(2)) if m.group(2) else (start if ".." not in value else None)
    if start and end and start > end:
        raise QueryError(f"filter {item!r}: the range runs backwards")
    return start, end


def _all_keys() -> list[str]:
    return ["country", "source", "type", "section", "year", "period", "report"]
