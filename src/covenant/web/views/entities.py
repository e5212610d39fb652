"""Entities: the people, bodies, places, laws and outlets the library names (filter by type or report), and each
entity's dossier with every spelling, report and passage naming it, and the entities named beside it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from covenant.entities.component import TYPES
from covenant.library import Library
from covenant.web.render import ERROR_RESPONSES, json_response, page, wanted

router = APIRouter(responses=ERROR_RESPONSES)
PAGE_SIZE = 500  # the listing shows the most mentioned; the JSON twin and `covenant entities` give them all


def listing(lib: Library, kind: str | None, report: str | None, name: str | None) -> dict[str, Any]:
    found = lib.entities.all(type=kind, report=report)
    if name:
        wanted_words = name.casefold()
        found = [e for e in found if any(wanted_words in a.casefold() for a in e.aliases)]
    return {
        "filters": {"type": kind, "report": report, "name": name},
        "total": len(found),
        "pending_reports": len(lib.entities.pending()),
        "entities": [e.to_dict() for e in found],
        "choices": {
            "types": list(TYPES),
            "reports": [{"id": r.id, "name": r.title or r.file_name} for r in lib.reports()],
        },
    }


@router.get(
    "/entities",
    summary="Entities: who and what the reports name",
    description="HTML: the people (PERSON), bodies (ORG), places (GPE), laws (LAW) and outlets (MEDIA) the library's "
    "reports name, resolved across spellings, most mentioned first, filtered by `type`, `report` (id, id prefix or "
    "file name) and `name` (words of any spelling). JSON: `filters`, `total` and `entities` (the fields of "
    "entities.jsonl), as `covenant entities --json` prints them.",
    response_model=None,
)
async def entities_page(
    request: Request,
    type: Annotated[str | None, Query(description="PERSON, ORG, GPE, LAW or MEDIA")] = None,
    report: Annotated[str | None, Query(description="a report id, id prefix or file name")] = None,
    name: Annotated[str | None, Query(description="words of any spelling")] = None,
) -> Response:
    found = await request.app.state.pool.run(lambda lib: listing(lib, type or None, report or None, name or None))
    if wanted(request) == "json":
        return json_response({k: v for k, v in found.items() if k != "choices"})
    shown = {**found, "entities": found["entities"][:PAGE_SIZE]}
    return page(request, "entities.html", {"found": shown})


@router.get(
    "/entities/{ref}",
    summary="An entity's dossier",
    description="HTML: who this is, every spelling with its count, every report (in the order of the years they "
    "cover) and passage naming them with its citation, the entities named in the same passages, and its timeline: a "
    "bar per year and a cited table (as /timeline?entity=). `ref` is an entity id or any spelling. JSON: "
    "`entity`, `spellings`, `reports` (each with its `passages`: `passage_id`, `spellings`, `citation`, `formatted`, "
    "`text`), `co_occurring`, `events` and `timeline` (`years` and `lines`, as the /timeline twin gives them), as "
    "`covenant dossier NAME --json`.",
    response_model=None,
)
async def entity_page(request: Request, ref: str) -> Response:
    found = await request.app.state.pool.run(lambda lib: lib.entities.dossier(ref).to_dict())
    if wanted(request) == "json":
        return json_response(found)
    return page(request, "entity.html", {"dossier": found})
