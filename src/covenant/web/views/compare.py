"""Two editions of a report side by side: sections matched, passages changed (word diff), moved, added, dropped."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup, escape

from covenant.compare import SHOWN_BY_DEFAULT, STATUSES, ComparedPassage, Comparison, DiffRun, compare, parse_only
from covenant.errors import QueryError
from covenant.library import Library
from covenant.model import Report
from covenant.web.render import ERROR_RESPONSES, json_response, page, wanted

router = APIRouter(responses=ERROR_RESPONSES)


def diff_sides(runs: list[DiffRun]) -> tuple[Markup, Markup]:
    """A word diff as the older text with its deleted words in <del> and the newer with its inserted words in
    <ins>: every run is escaped first, so the report's words can never become markup."""
    older: list[str] = []
    newer: list[str] = []
    for run in runs:
        text = str(escape(run.text))
        if run.op == "equal":
            older.append(text)
            newer.append(text)
        elif run.op == "delete":
            older.append(f"<del>{text}</del>")
        else:
            newer.append(f"<ins>{text}</ins>")
    return Markup(" ".join(older)), Markup(" ".join(newer))


def sides(passage: ComparedPassage) -> tuple[Markup | None, Markup | None]:
    """What each column shows of a compared passage: the diff when there is one, else the plain text."""
    if passage.diff and passage.a is not None and passage.b is not None:
        return diff_sides(passage.diff)
    return (
        None if passage.a is None else Markup(escape(passage.a.text)),
        None if passage.b is None else Markup(escape(passage.b.text)),
    )


def _statuses(only: str | None) -> tuple[str, ...] | None:
    try:
        return parse_only(only)
    except QueryError as exc:  # the CLI's message names its option; here it is a parameter
        raise QueryError(str(exc).replace("--only", "only", 1)) from None


@router.get(
    "/compare",
    summary="Compare two editions of a report",
    description="`a` (the older edition) and `b`: report ids, short ids or file names. HTML: a form to pick the two "
    "reports, the counts, then section by section the passages side by side: changed ones with their word diff "
    "(`<del>`, `<ins>`), moved, added and dropped ones, each side with its citation and a link to its passage. "
    "JSON: `covenant compare --json`'s object (`a`, `b`, `summary`, `only_in_a`, `only_in_b`, `sections`). "
    "`section`: a code with its subsections (`2`, `2.a`) or a title; `only`: the statuses whose passages are "
    "listed, comma-separated (unchanged, changed, added, dropped, moved; the counts stay whole).",
    response_model=None,
)
async def compare_page(
    request: Request,
    a: Annotated[str | None, Query(description="the older report: id, short id or file name")] = None,
    b: Annotated[str | None, Query(description="the newer report: id, short id or file name")] = None,
    section: Annotated[str | None, Query(description="a section code (2, 2.a) or title (Women)")] = None,
    only: Annotated[
        list[str] | None,
        Query(description="statuses to list, comma-separated or repeated (default: all but unchanged)"),
    ] = None,
) -> Response:
    form = wanted(request)
    first, second, part = (a or "").strip(), (b or "").strip(), (section or "").strip() or None
    # `only=changed,added` (as the CLI takes it) or `only=changed&only=added` (the page's check boxes)
    statuses = _statuses(",".join(only or []))
    # the page without reports is the form; an API call, or a half-filled address, is a mistake to explain
    if not (first and second) and (form == "json" or first or second):
        raise QueryError("give two reports to compare: /compare?a=REPORT&b=REPORT (ids, short ids or file names)")

    def run(lib: Library) -> tuple[list[Report], Comparison | None]:
        reports = lib.reports()
        return reports, compare(lib, first, second, section=part) if first and second else None

    reports, result = await request.app.state.pool.run(run)
    if form == "json":
        assert result is not None
        return json_response(result.to_dict(statuses))
    shown = statuses or SHOWN_BY_DEFAULT
    context = {
        "reports": sorted(reports, key=lambda r: (r.country or "", r.publication_date or "", r.title or r.file_name)),
        "a": first,
        "b": second,
        "section": part or "",
        "chosen": shown,
        "statuses": STATUSES,
        "result": result,
        "summary": result.summary() if result else None,
        "sides": sides,
    }
    return page(request, "compare.html", context)
