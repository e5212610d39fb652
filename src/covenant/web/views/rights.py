"""Rights: a right x year heatmap per source that drills down to the passages, each with its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from covenant.library import Library
from covenant.rights.crosswalk import SCHEMES, describe, parse_right
from covenant.web.render import ERROR_RESPONSES, json_response, page, wanted

router = APIRouter(responses=ERROR_RESPONSES)


def heatmap(lib: Library, scheme: str) -> dict[str, Any]:
    """The matrix as the page draws it: one table per source, rights down, years across, each cell a count
    with the address of its passages."""
    cells = lib.rights.matrix(scheme)
    sources: dict[str, dict[str, Any]] = {}
    for cell in cells:
        table = sources.setdefault(cell.source, {"source": cell.source, "years": set(), "rows": {}})
        table["years"].add(cell.year or 0)
        row = table["rows"].setdefault(cell.code, {"code": cell.code, "name": describe(scheme, cell.code), "cells": {}})
        row["cells"][cell.year or 0] = cell.passages
    out = []
    for table in sources.values():
        years = sorted(table["years"])
        peak = max((n for row in table["rows"].values() for n in row["cells"].values()), default=1)
        rows = list(table["rows"].values())
        out.append({"source": table["source"], "years": years, "peak": peak, "rows": rows})
    return {"scheme": scheme, "sources": out, "cells": [c.to_dict() for c in cells]}


@router.get(
    "/rights",
    summary="Passages per right, year and source",
    description="HTML: for each source, a heatmap of rights (down) by year (across); each cell links to its "
    "passages. JSON: `scheme` and `cells` (`scheme`, `code`, `year`, `source`, `passages`), as `covenant rights "
    "--matrix --json` prints them. `scheme`: iccpr (default), dos_section, theme or icescr. Counts are of the labels "
    "in effect: the model's, less those a user removed, plus those a user set.",
    response_model=None,
)
async def rights_page(
    request: Request,
    scheme: Annotated[str, Query(description="iccpr, dos_section, theme or icescr")] = "iccpr",
) -> Response:
    found = await request.app.state.pool.run(lambda lib: heatmap(lib, scheme))
    if wanted(request) == "json":
        return json_response({"scheme": found["scheme"], "cells": found["cells"]})
    return page(request, "rights.html", {"map": found, "schemes": SCHEMES})


@router.get(
    "/rights/passages",
    summary="The passages with a right",
    description="`right`: an ICCPR article (19 or iccpr:19), a State Department section (1.c), an ICESCR article "
    "(icescr:8) or a theme (media); `year` and `source` narrow it to one heatmap cell. HTML: the passages with their "
    "citations and links into the reader. JSON: `right`, `total` and `passages` (each with its citation and labels).",
    response_model=None,
)
async def right_passages_page(
    request: Request,
    right: Annotated[str, Query(description="19, iccpr:19, 1.c, media, icescr:8")],
    year: Annotated[int | None, Query(description="the year the reports cover")] = None,
    source: Annotated[str | None, Query(description="the reports' source organisation")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Response:
    scheme, code = parse_right(right)

    def listing(lib: Library) -> dict[str, Any]:
        passages, total = lib.rights.passages(f"{scheme}:{code}", year=year, source=source, limit=limit)
        labels = lib.rights.for_passages([p.id for p in passages])
        return {
            "right": {"scheme": scheme, "code": code, "name": describe(scheme, code)},
            "year": year,
            "source": source,
            "total": total,
            "passages": [
                {
                    "passage": p.to_dict(),
                    "citation": lib.cite(p).to_dict(),
                    "formatted": lib.cite(p).formatted(),
                    "labels": [lab.to_dict() for lab in labels.get(p.id, [])],
                }
                for p in passages
            ],
        }

    found = await request.app.state.pool.run(listing)
    if wanted(request) == "json":
        return json_response(found)
    return page(request, "right_passages.html", {"found": found})
