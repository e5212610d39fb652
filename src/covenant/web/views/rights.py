"""Rights: a right x year heatmap per source that drills down to the passages, each with its JSON twin."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from covenant.errors import NotFoundError, QueryError
from covenant.library import Library
from covenant.rights.crosswalk import SCHEMES, describe, parse_right
from covenant.web.render import ERROR_RESPONSES, json_response, page, passage_link, wanted
from covenant.web.views.annotations import WRITE_RESPONSES, answered, body_doc, body_fields, writer

router = APIRouter(responses=ERROR_RESPONSES)
writes = APIRouter(responses=WRITE_RESPONSES)


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


def _labels_of(lib: Library, passage_id: str) -> list[dict[str, Any]]:
    return [lab.to_dict() for lab in lib.rights.of(passage_id)]


@writes.post(
    "/passages/{passage_id}/rights",
    summary="Set or take off a right on a passage",
    description="Body: `right` (19, iccpr:19, 1.c, media, icescr:8) and `present` (true, the default: set the label; "
    "false: take it off, the model's too). The user's label wins over the model and survives re-labelling and "
    "re-training (`covenant label`). Needs a token, as tagging does. JSON: `passage_id`, `scheme`, `code`, "
    "`present`, `labels` (the passage's labels in effect).",
    response_model=None,
    openapi_extra=body_doc("right", "present"),
)
async def set_right(request: Request, passage_id: Annotated[str, Path(description="a passage id")]) -> Response:
    fields, is_form = await body_fields(request)
    await writer(request, fields)
    scheme, code = parse_right(fields.get("right", ""))
    present = fields.get("present", "true").strip().lower()
    if present not in ("true", "false"):
        raise QueryError("present is true or false")

    def work(lib: Library) -> dict[str, Any]:
        pid = lib.passage(passage_id).id
        right = f"{scheme}:{code}"
        lib.rights.set(pid, right) if present == "true" else lib.rights.remove(pid, right)
        return {
            "passage_id": pid,
            "scheme": scheme,
            "code": code,
            "present": present == "true",
            "labels": _labels_of(lib, pid),
        }

    done = await request.app.state.writer.run(work)
    return answered(is_form, fields, passage_link(done["passage_id"]), done)


@writes.delete(
    "/passages/{passage_id}/rights/{right}",
    summary="Give a right on a passage back to the model",
    description="Drops the user's correction of this right on the passage (set or taken off): the model decides "
    "again. JSON: `passage_id`, `scheme`, `code`, `labels`; a 404 when there was no correction.",
    response_model=None,
)
async def forget_right(
    request: Request,
    passage_id: Annotated[str, Path(description="a passage id")],
    right: Annotated[str, Path(description="19, iccpr:19, 1.c, media, icescr:8")],
) -> Response:
    fields, _ = await body_fields(request)
    await writer(request, fields)
    scheme, code = parse_right(right)

    def work(lib: Library) -> dict[str, Any]:
        pid = lib.passage(passage_id).id
        if not lib.rights.forget(pid, f"{scheme}:{code}"):
            raise NotFoundError(f"{pid} has no correction of {scheme}:{code}")
        return {"passage_id": pid, "scheme": scheme, "code": code, "labels": _labels_of(lib, pid)}

    return json_response(await request.app.state.writer.run(work))
