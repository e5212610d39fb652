"""The library page: every report with its metadata, facets to narrow the table, and files skipped recently."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from covenant.errors import QueryError
from covenant.library import Library
from covenant.model import IngestEvent, Report
from covenant.search.fulltext import Filters
from covenant.web.render import ERROR_RESPONSES, csv_response, json_response, page, wanted

router = APIRouter(responses=ERROR_RESPONSES)

# The report facets of the library page, as filter keys (the search filters' keys and values).
FACETS = ("source", "type", "country", "year")
REPORT_COLUMNS = [
    "id",
    "file_name",
    "title",
    "source_org",
    "doc_type",
    "country",
    "period_start",
    "period_end",
    "publication_date",
    "language",
    "format",
    "pages",
    "passages",
    "symbol",
    "url",
    "accessed",
    "ingested_at",
    "path",
    "sha256",
]


@dataclass(slots=True)
class LibraryView:
    reports: list[Report]
    counts: dict[str, int]
    total: int  # reports in the library, before the filters
    facets: dict[str, list[tuple[str, int]]]
    skipped: list[IngestEvent]
    filters: list[str] = field(default_factory=list)

    def facet_link(self, name: str, value: str) -> str | None:
        """The library narrowed by this value too (None for an unknown value, or one already chosen)."""
        spec = f"{name}={value}"
        if not value or spec in self.filters:
            return None
        return "/?" + urlencode([("filter", f) for f in [*self.filters, spec]])

    def without(self, spec: str) -> str:
        rest = [("filter", f) for f in self.filters if f != spec]
        return "/?" + urlencode(rest) if rest else "/"

    def records(self) -> list[dict[str, Any]]:
        """The reports as `covenant reports --json` prints them: Report.to_dict() and the passage count."""
        return [{**r.to_dict(), "passages": self.counts.get(r.id, 0)} for r in self.reports]


def library_view(lib: Library, filters: list[str]) -> LibraryView:
    everything = lib.reports()
    resolved = lib.filters(filters)  # names and short ids resolved; a value no report has is refused
    if resolved.sections or resolved.period_from is not None or resolved.period_to is not None:
        raise QueryError("the library can be narrowed by source, type, country, year and report; search for the rest")
    chosen = [r for r in everything if _matches(r, resolved)]
    skipped: list[IngestEvent] = []
    seen: set[str] = set()
    for event in lib.log(limit=1000):
        if event.status == "skipped" and event.path not in seen:
            seen.add(event.path)
            skipped.append(event)
    facets = {
        "source": Counter(r.source_org or "" for r in chosen),
        "type": Counter(r.doc_type or "" for r in chosen),
        "country": Counter(r.country or "" for r in chosen),
        "year": Counter(str(_year(r) or "") for r in chosen),
    }
    return LibraryView(
        reports=chosen,
        counts=lib.passage_counts(),
        total=len(everything),
        facets={name: counts.most_common() for name, counts in facets.items()},
        skipped=skipped,
        filters=filters,
    )


def _year(r: Report) -> int | None:
    """The year search filters by: publication year, else the last year of the period covered."""
    for value in (r.publication_date, r.period_end):
        if value and value[:4].isdigit():
            return int(value[:4])
    return None


def _matches(r: Report, f: Filters) -> bool:
    if f.countries and r.country not in f.countries:
        return False
    if f.source_orgs and r.source_org not in f.source_orgs:
        return False
    if f.doc_types and r.doc_type not in f.doc_types:
        return False
    if f.report_ids and r.id not in f.report_ids:
        return False
    if f.year_from is not None or f.year_to is not None:
        year = _year(r)
        if year is None or (f.year_from is not None and year < f.year_from):
            return False
        if f.year_to is not None and year > f.year_to:
            return False
    return True


@router.get(
    "/",
    summary="The library: every report with its metadata",
    description="HTML: the table of reports, facets (source, type, country, year) and files skipped recently. "
    "JSON (`Accept: application/json` or `?format=json`): the list of reports as `covenant reports --json` "
    "prints it (Report fields and `passages`). `?format=csv`: the table as CSV.",
    response_model=None,
)
async def library_page(
    request: Request,
    filter: Annotated[
        list[str] | None,
        Query(description="key=value, as `covenant search --filter` (source, type, country, year, report); repeatable"),
    ] = None,
) -> Response:
    chosen = filter or []
    view = await request.app.state.pool.run(lambda lib: library_view(lib, chosen))
    form = wanted(request)
    if form == "json":
        return json_response(view.records())
    if form == "csv":
        return csv_response(REPORT_COLUMNS, view.records(), "covenant-reports.csv")
    return page(request, "library.html", {"view": view, "facet_names": FACETS})
