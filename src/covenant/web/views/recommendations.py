"""Recommendations: a tracker of every ask with filters, and each ask's page with its group and follow-up trail."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from covenant.library import Library
from covenant.recommendations.component import STATUSES
from covenant.web.render import ERROR_RESPONSES, json_response, page, wanted

router = APIRouter(responses=ERROR_RESPONSES)


def tracker(
    lib: Library, issuer: str | None, right: str | None, status: str | None, report: str | None
) -> dict[str, Any]:
    """The asks that pass the filters, each with its count of stated and inferred follow-up links, and the
    choices the filter form offers."""
    recs = lib.recommendations.list(issuer=issuer, right=right, status=status, report=report)
    everything = lib.store.recommendations()
    issuers = sorted({name for r in everything for name in (r.issuers or ([r.issuer] if r.issuer else []))})
    reports = [r for r in lib.reports() if any(rec.report_id == r.id for rec in everything)]
    return {
        "filters": {"issuer": issuer, "right": right, "status": status, "report": report},
        "total": len(recs),
        "pending_reports": len(lib.recommendations.pending()),
        "recommendations": lib.recommendations.rows(recs),
        "choices": {
            "issuers": issuers,
            "statuses": list(STATUSES),
            "reports": [{"id": r.id, "name": r.title or r.file_name} for r in reports],
        },
    }


@router.get(
    "/recommendations",
    summary="Recommendations: who asked whom to do what, and what happened after",
    description="HTML: every ask the library's reports make or quote, with its issuer, ICCPR articles, the status "
    "the text claims and its follow-up links (stated / inferred), filtered by `issuer` (words of the name), `right` "
    "(an ICCPR article: 19 or iccpr:19), `status` (implemented, partially_implemented, not_implemented, none) and "
    "`report` (id, id prefix or file name). JSON: `filters`, `total` and `recommendations` (the fields of "
    "recommendations.jsonl, each with `follow_up` counts), as `covenant recommendations --json` prints them.",
    response_model=None,
)
async def recommendations_page(
    request: Request,
    issuer: Annotated[str | None, Query(description="words of the issuer's name")] = None,
    right: Annotated[str | None, Query(description="an ICCPR article: 19 or iccpr:19")] = None,
    status: Annotated[str | None, Query(description="the claimed status, or none")] = None,
    report: Annotated[str | None, Query(description="a report id, id prefix or file name")] = None,
) -> Response:
    found = await request.app.state.pool.run(
        lambda lib: tracker(lib, issuer or None, right or None, status or None, report or None)
    )
    if wanted(request) == "json":
        return json_response({k: v for k, v in found.items() if k != "choices"})
    return page(request, "recommendations.html", {"found": found})


@router.get(
    "/recommendations/{recommendation_id}",
    summary="One recommendation and its trail",
    description="HTML: the ask with its citation, the near-duplicate asks of its group across the library and its "
    "follow-up trail: later passages by date, stated links (the text says what became of it) apart from inferred "
    "ones, each with its score and evidence. JSON: the recommendation's fields with `citation`, `group_members` "
    "and `follow_up` (each link with its passage's `text` and `citation`), as `covenant recommendation ID --json`.",
    response_model=None,
)
async def recommendation_page(request: Request, recommendation_id: str) -> Response:
    found = await request.app.state.pool.run(lambda lib: lib.recommendations.trail(recommendation_id).to_dict())
    if wanted(request) == "json":
        return json_response(found)
    return page(request, "recommendation.html", {"rec": found})
