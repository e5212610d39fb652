"""Events: the library's dated events as a timeline (a bar per year and a table, each line cited), filtered by
entity, type, right, country and dates."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from covenant.events import EVENT_TYPES
from covenant.library import Library
from covenant.web.render import ERROR_RESPONSES, json_response, page, wanted

router = APIRouter(responses=ERROR_RESPONSES)
PAGE_SIZE = 1000  # the page shows the first lines; the JSON twin and `covenant timeline` give them all


def timeline(lib: Library, filters: dict[str, str | None]) -> dict[str, Any]:
    lines = [line.to_dict() for line in lib.events.timeline(**filters)]
    years = Counter(line["date"][:4] for line in lines)
    return {
        "filters": filters,
        "total": len(lines),
        "pending_reports": len(lib.events.pending()),
        "years": [{"year": y, "events": n} for y, n in sorted(years.items())],
        "lines": lines,
    }


@router.get(
    "/timeline",
    summary="Timeline: the library's dated events, cited",
    description="HTML: a bar per year and a table of the dated events (date, type, quote, citation), in date order, "
    "filtered by `entity` (any spelling: its history, dated sentences naming it too), `type`, `right` (19, iccpr:19, "
    "1.c, media), `country` (name or ISO code), `from` and `to` (YYYY, YYYY-MM or YYYY-MM-DD). JSON: `filters`, "
    "`total`, `years` and `lines` (the fields of events.jsonl with `citation` and `formatted`), as `covenant "
    "timeline --json` prints them.",
    response_model=None,
)
async def timeline_page(
    request: Request,
    entity: Annotated[str | None, Query(description="an entity id or any spelling")] = None,
    type: Annotated[str | None, Query(description="an event type, or mention")] = None,
    right: Annotated[str | None, Query(description="19, iccpr:19, 1.c or a theme")] = None,
    country: Annotated[str | None, Query(description="a country name or ISO code")] = None,
    date_from: Annotated[str | None, Query(alias="from", description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(alias="to", description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
) -> Response:
    filters = {
        "entity": entity or None,
        "type": type or None,
        "right": right or None,
        "country": country or None,
        "date_from": date_from or None,
        "date_to": date_to or None,
    }
    found = await request.app.state.pool.run(lambda lib: timeline(lib, filters))
    if wanted(request) == "json":
        return json_response(found)
    most = max((y["events"] for y in found["years"]), default=0)
    shown = {**found, "lines": found["lines"][:PAGE_SIZE], "most": most, "types": [*EVENT_TYPES, "mention"]}
    return page(request, "timeline.html", {"found": shown})
