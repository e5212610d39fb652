"""Parse `--filter key=value` options into search Filters, with a clear message for anything malformed."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from covenant.annotations import clean_tag
from covenant.countries import country_code
from covenant.errors import QueryError
from covenant.model import DOC_TYPES, Report
from covenant.publishers import publisher_named
from covenant.rights.crosswalk import parse_right
from covenant.search.fulltext import Filters

KEYS = {
    "country": "countries",
    "source": "source_orgs",
    "source_org": "source_orgs",
    "type": "doc_types",
    "doc_type": "doc_types",
    "section": "sections",
    "report": "report_ids",
    "tag": "tags",
    "right": "rights",
}
_YEARS = re.compile(r"^(\d{4})?(?:\.\.(\d{4})?)?$")
_SECTION = re.compile(r"^\d{1,2}(?:\.[a-h])?$")


def parse_filters(items: list[str] | tuple[str, ...]) -> Filters:
    """`country=KZ`, `source=Human Rights Watch`, `type=letter`, `section=2.a`, `year=2003..2005`, `period=2004`,
    `tag=torture`, `right=19` (ICCPR article; also `right=1.c`, `right=media`, `right=icescr:8`) (a key given twice
    matches either value)."""
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
        if key in ("type", "doc_type") and value not in DOC_TYPES:
            raise QueryError(f"filter {item!r}: type is one of {', '.join(DOC_TYPES)}")
        if key == "section" and not _SECTION.match(value):
            raise QueryError(f"filter {item!r}: a section is a State Department code like 2 or 2.a")
        if key == "tag":
            value = clean_tag(value)
        if key == "right":
            scheme, code = parse_right(value)
            value = f"{scheme}:{code}"
        values.setdefault(KEYS[key], []).append(value)
    year_from, year_to = years.get("year", (None, None))
    period_from, period_to = years.get("period", (None, None))
    lists: dict[str, Any] = {k: tuple(v) for k, v in values.items()}
    return Filters(
        **lists,
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
    return ["country", "source", "type", "section", "year", "period", "report", "tag", "right"]


def resolve_filters(
    filters: Filters,
    reports: list[Report],
    passage_countries: list[str] | None = None,
    tags: list[str] | None = None,
) -> Filters:
    """Filters in the library's own values: country names to codes, source names and short names to the
    stored source, short report ids and file names to report ids, tags in any case to the library's tags
    (`tags`: those on at least one passage). A value that matches no report (or no tagged passage) of the
    library is a QueryError naming the values that exist, never a silently empty result."""
    if filters.is_empty():
        return filters
    countries = sorted({r.country for r in reports if r.country} | set(passage_countries or ()))
    sources = sorted({r.source_org for r in reports if r.source_org})
    types = sorted({r.doc_type for r in reports if r.doc_type})
    return replace(
        filters,
        countries=tuple(_one_of("country", v, countries, _country_value(v, countries)) for v in filters.countries),
        source_orgs=tuple(_one_of("source", v, sources, _source_value(v, sources)) for v in filters.source_orgs),
        doc_types=tuple(_one_of("type", v, types, v if v in types else None) for v in filters.doc_types),
        report_ids=tuple(_report_value(v, reports) for v in filters.report_ids),
        tags=tuple(_tag_value(v, tags or []) for v in filters.tags),
    )


def _tag_value(value: str, tags: list[str]) -> str:
    folded = value.casefold()
    found = next((t for t in tags if t.casefold() == folded), None)
    if found is not None:
        return found
    here = ", ".join(tags[:20]) + (f" and {len(tags) - 20} more" if len(tags) > 20 else "")
    raise QueryError(f"filter tag={value}: no passage in the library has that tag; tags here: {here or 'none'}")


def _one_of(key: str, value: str, existing: list[str], found: str | None) -> str:
    if found is not None:
        return found
    here = ", ".join(existing[:20]) + (f" and {len(existing) - 20} more" if len(existing) > 20 else "")
    raise QueryError(f"filter {key}={value}: no report in the library matches it; {key} values here: {here or 'none'}")


def _country_value(value: str, countries: list[str]) -> str | None:
    if value.upper() in countries:
        return value.upper()
    code = country_code(value)
    return code if code in countries else None


def _source_value(value: str, sources: list[str]) -> str | None:
    folded = value.casefold()
    exact = [s for s in sources if s.casefold() == folded]
    if exact:
        return exact[0]
    publisher = publisher_named(value)
    if publisher is not None and publisher.name in sources:
        return publisher.name
    partial = [s for s in sources if folded in s.casefold()]
    return partial[0] if len(partial) == 1 else None


def _report_value(value: str, reports: list[Report]) -> str:
    exact = [r.id for r in reports if value in (r.id, r.file_name)]
    found = exact or [r.id for r in reports if r.id.startswith(value) or r.file_name.startswith(value)]
    if len(found) == 1:
        return found[0]
    if not found:
        raise QueryError(
            f"filter report={value}: no report in the library has that id or file name (see `covenant reports`)"
        )
    raise QueryError(f"filter report={value}: {len(found)} reports match; give more of the id")
