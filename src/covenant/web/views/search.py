"""Search: the CLI's query syntax and filters, facets to click, highlighted hits with their citations, CSV."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from covenant.errors import QueryError
from covenant.library import Library
from covenant.search.engine import SearchResults
from covenant.web.render import ERROR_RESPONSES, csv_response, json_response, page, wanted

router = APIRouter(responses=ERROR_RESPONSES)

Mode = Literal["hybrid", "bm25", "semantic"]
# The facets of search results, and the filter key each value adds when clicked.
FACET_FILTERS = {
    "country": "country",
    "source_org": "source",
    "doc_type": "type",
    "year": "year",
    "section": "section",
    "tag": "tag",
}
HIT_COLUMNS = [
    "rank",
    "kind",
    "passage_id",
    "score",
    "report_id",
    "file_name",
    "title",
    "source_org",
    "publication_date",
    "section_path",
    "paragraph",
    "page_start",
    "page_end",
    "printed_page_start",
    "printed_page_end",
    "line_start",
    "line_end",
    "footnote",
    "url",
    "formatted",
    "formatted_coi",
    "text",
]


def hit_rows(results: SearchResults) -> list[dict[str, Any]]:
    rows = []
    for hit in results.hits:
        c = hit.citation
        rows.append(
            {
                **{name: getattr(c, name) for name in HIT_COLUMNS if hasattr(c, name)},
                "rank": hit.rank,
                "kind": hit.kind,
                "passage_id": hit.passage_id,
                "score": round(hit.score, 6),
                "section_path": " > ".join(c.section_path),
                "formatted": c.formatted(),
                "formatted_coi": c.formatted("coi"),
                "text": hit.text,
            }
        )
    return rows


def facet_links(query: list[tuple[str, str]], results: SearchResults) -> dict[str, list[tuple[str, int, str | None]]]:
    """Each facet value with its count and the address of this search with that value's filter added (None for a
    value no filter can name: an unknown country or source, year 0, text outside numbered sections)."""
    chosen = {value for key, value in query if key == "filter"}
    out: dict[str, list[tuple[str, int, str | None]]] = {}
    for name, counts in results.facets.items():
        rows = []
        for value, count in counts.items():
            spec = f"{FACET_FILTERS.get(name, name)}={value}"
            unnamed = value in ("", "none") or (name == "year" and value == "0")
            link = None if unnamed or spec in chosen else "/search?" + urlencode([*query, ("filter", spec)])
            rows.append((value, count, link))
        out[name] = rows
    return out


@router.get(
    "/search",
    summary="Search the library",
    description='The CLI\'s query syntax (words, "phrases", AND/OR/NOT, prefix*) and filters (`filter=country=KZ`, '
    "repeatable). Answers from what is indexed now (nothing is indexed inside a request); `pending` says what the "
    "indexes cannot see yet. HTML: the query box, facets to click (the `tag` facet too), highlighted hits with "
    "citations, copy buttons, their tags and notes (and, for a logged-in browser, forms to add and remove them). "
    "`footnotes=true`: the reports' footnotes match too (by their words; a hit of one has `kind` `footnote` and is "
    "cited to its note); without it, `footnotes_matching` says how many footnotes would also match. "
    "JSON: `covenant search --json`'s object. `?format=csv` (or `/search.csv`): the hits as CSV. "
    'A malformed query or filter is a 400 with `{"error": {"type": "QueryError", "message": ...}}`.',
    response_model=None,
)
async def search_page(
    request: Request,
    q: Annotated[str, Query(description="the query")] = "",
    mode: Annotated[Mode, Query(description="ranking: BM25 full text, semantic vectors, or both fused")] = "hybrid",
    filter: Annotated[
        list[str] | None, Query(description="key=value (country, source, type, section, year, ...)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000, description="how many hits")] = 20,
    footnotes: Annotated[bool, Query(description="search the reports' footnotes too")] = False,
) -> Response:
    return await _search(request, q, mode, _given(filter), limit, footnotes, wanted(request))


@router.get(
    "/search.csv",
    summary="Search results as CSV",
    description="The same as `/search?format=csv`: one row per hit with its citation fields and text.",
    response_model=None,
)
async def search_csv(
    request: Request,
    q: Annotated[str, Query(description="the query")] = "",
    mode: Annotated[Mode, Query()] = "hybrid",
    filter: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 20,
    footnotes: Annotated[bool, Query()] = False,
) -> Response:
    return await _search(request, q, mode, _given(filter), limit, footnotes, "csv")


def _given(filters: list[str] | None) -> list[str]:
    # The page's "add a filter" box sends an empty filter when left blank.
    return [f.strip() for f in filters or [] if f.strip()]


async def _search(
    request: Request, q: str, mode: str, filters: list[str], limit: int, footnotes: bool, form: str
) -> Response:
    query = q.strip()
    if not query and form != "html":
        raise QueryError("give a query: /search?q=words")
    results: SearchResults | None = None
    error: str | None = None
    if query:

        def run(lib: Library) -> SearchResults:
            return lib.search(query, mode=mode, filters=filters, limit=limit, update=False, footnotes=footnotes)

        try:
            results = await request.app.state.pool.run(run)
        except QueryError as exc:
            if form != "html":
                raise
            error = str(exc)  # on the page, under the query box that holds what was typed
    if form == "json":
        assert results is not None
        return json_response(results.to_dict())
    if form == "csv":
        assert results is not None
        return csv_response(HIT_COLUMNS, hit_rows(results), "covenant-search.csv")
    params = [("q", query), ("mode", mode), *(("filter", f) for f in filters)]
    if limit != 20:
        params.append(("limit", str(limit)))
    if footnotes:
        params.append(("footnotes", "true"))
    context = {
        "q": query,
        "mode": mode,
        "filters": filters,
        "limit": limit,
        "footnotes": footnotes,
        "with_footnotes": "/search?" + urlencode([*params, ("footnotes", "true")]),
        "results": results,
        "error": error,
        "facets": facet_links(params, results) if results else {},
        "without": {f: "/search?" + urlencode([p for p in params if p != ("filter", f)]) for f in filters},
        "csv_link": "/search.csv?" + urlencode(params),
        "json_link": "/search?" + urlencode([*params, ("format", "json")]),
        "here": "/search?" + urlencode(params),  # where a hit's tag and note forms send the browser back
    }
    return page(request, "search.html", context, status_code=400 if error else 200)
