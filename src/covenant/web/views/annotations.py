"""Tags and notes: the tags with their counts, a tag's passages, and writing tags and notes on a passage (with a
token: see `auth.py`)."""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse, Response

from covenant.annotations import clean_tag
from covenant.errors import NotFoundError, QueryError
from covenant.library import Library
from covenant.web.auth import AuthError, ForbiddenError, token_owner
from covenant.web.render import ERROR_RESPONSES, csv_response, json_response, page, passage_link, wanted

WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    401: {"model": ERROR_RESPONSES[400]["model"], "description": "no valid token (Bearer) or session"},
    403: {"model": ERROR_RESPONSES[400]["model"], "description": "a form without its CSRF token; a read-only library"},
}
router = APIRouter(responses=ERROR_RESPONSES)
writes = APIRouter(responses=WRITE_RESPONSES)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# What /openapi.json says the write routes take: the same fields as JSON or as a form (the workbench's own forms).
_FIELDS_BODY = {
    "tag": {"type": "string", "description": "the tag (1-64 characters)"},
    "text": {"type": "string", "description": "the note's text"},
    "right": {"type": "string", "description": "a right: 19 or iccpr:19, 1.c, media, icescr:8"},
    "present": {"type": "string", "description": "true (default): set the label; false: take it off"},
    "token": {"type": "string", "description": "a token made by `covenant token create`"},
    "csrf": {"type": "string", "description": "the session's CSRF token (forms of a logged-in browser)"},
    "next": {"type": "string", "description": "where a form post is sent back to (a path of this server)"},
}


def body_doc(*fields: str) -> dict[str, Any]:
    schema = {"type": "object", "properties": {f: _FIELDS_BODY[f] for f in (*fields, "csrf", "next")}}
    return {
        "requestBody": {
            "content": {"application/json": {"schema": schema}, "application/x-www-form-urlencoded": {"schema": schema}}
        }
    }


async def body_fields(request: Request) -> tuple[dict[str, str], bool]:
    """The request's fields, from a form or a JSON object, and whether it was a form (answered by a redirect)."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind in FORM_TYPES:
        form = await request.form()
        return {k: v for k, v in form.items() if isinstance(v, str)}, True
    raw = await request.body()
    if not raw.strip():
        return {}, False
    if kind != "application/json":
        raise QueryError("send the fields as JSON (Content-Type: application/json) or as a form")
    try:
        data = json.loads(raw)
    except ValueError:
        raise QueryError("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise QueryError('the body is a JSON object, e.g. {"tag": "torture"}')
    return {k: v for k, v in data.items() if isinstance(v, str)}, False


async def writer(request: Request, fields: dict[str, str]) -> str:
    """The name of the token a write comes with, or AuthError / ForbiddenError.

    A Bearer token needs no CSRF check: a browser never adds that header by itself. A session cookie does (a
    browser sends it with any request to this server), so its forms carry the session's CSRF token."""
    if request.app.state.writer is None:
        raise ForbiddenError("this workbench cannot write to its library (it is read-only here)")
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthError("give the token as 'Authorization: Bearer <token>'")
        record = await request.app.state.pool.run(lambda lib: token_owner(lib, token))
        if record is None:
            raise AuthError("this token is not valid: it was revoked or mistyped (`covenant token list`)")
        return str(record.name)
    session = getattr(request.state, "session", None)
    if session is None:
        raise AuthError(
            "writing needs a token: log in at /login, or send 'Authorization: Bearer <token>' "
            "(`covenant token create` makes one)"
        )
    sent = fields.get("csrf") or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(sent.encode(), session.csrf.encode()):
        raise ForbiddenError("this form has no valid CSRF token: reload the page and send it again")
    return str(session.name)


def back_to(fields: dict[str, str], fallback: str) -> str:
    """Where a form post returns: its `next` when that is a path of this server (never another site's address)."""
    target = fields.get("next", "")
    local = target.startswith("/") and not target.startswith(("//", "/\\")) and target.isprintable()
    return target if local else fallback


def answered(is_form: bool, fields: dict[str, str], fallback: str, data: Any, status_code: int = 200) -> Response:
    if is_form:
        return RedirectResponse(back_to(fields, fallback), status_code=303)
    return json_response(data, status_code)


# -- reading ----------------------------------------------------------------------------------------


@router.get(
    "/tags",
    summary="Every tag and how many passages carry it",
    description="HTML: the tags, most used first, each with its passages (and how many of them are orphaned: "
    "their report was removed or replaced), a link to its passages and to search with `filter=tag=NAME`. "
    "JSON: `covenant tags --json`: `tag`, `passages`, `orphaned`. `?format=csv`: every tag on every passage, "
    "with the passage's text and its plain and COI citations (blank when orphaned), ready for a brief.",
    response_model=None,
)
async def tags_page(request: Request) -> Response:
    if wanted(request) == "csv":
        rows = await request.app.state.pool.run(tag_rows)
        return csv_response(TAG_COLUMNS, rows, "covenant-tags.csv")
    counts = await request.app.state.pool.run(lambda lib: lib.tags())
    if wanted(request) == "json":
        return json_response([c.to_dict() for c in counts])
    return page(request, "tags.html", {"counts": counts, "quote": quote})


TAG_COLUMNS = ("tag", "passage_id", "report_id", "orphaned", "created_at", "citation", "citation_coi", "text")


def tag_rows(lib: Library) -> list[dict[str, Any]]:
    """Every tag on every passage, with what a brief quotes: the text and its citation in both styles."""
    records = lib.tag_records()
    passages = lib.store.passages_by_ids([r.passage_id for r in records])
    rows = []
    for record in records:
        found = passages.get(record.passage_id)
        citation = lib.cite(found) if found is not None else None
        rows.append(
            {
                **record.to_dict(),
                "citation": citation.formatted() if citation else "",
                "citation_coi": citation.formatted("coi") if citation else "",
                "text": found.text if found is not None else "",
            }
        )
    return rows


def tag_view(lib: Library, name: str) -> dict[str, Any]:
    records = lib.tag_records(name)
    if not records:
        raise NotFoundError(f"no passage carries the tag {clean_tag(name)!r} (see /tags)")
    passages = lib.store.passages_by_ids([r.passage_id for r in records])
    annotated = lib.store.annotations(list(passages))
    rows = []
    for record in records:
        found = passages.get(record.passage_id)
        citation = lib.cite(found) if found is not None else None
        tags, notes = annotated.get(record.passage_id, ([], []))
        rows.append((record, found, citation, tags, notes))
    return {"tag": records[0].tag, "rows": rows}


@router.get(
    "/tags/{tag:path}",
    summary="The passages that carry a tag",
    description="HTML: each passage with its citation, tags and notes, and a link to it in its report; orphaned "
    "ones (their report was removed or replaced) by their old id. JSON: `covenant tags TAG --json` (Tag fields and "
    "`text`), each with its `citation` (null when orphaned).",
    response_model=None,
)
async def tag_page(request: Request, tag: Annotated[str, Path(description="the tag, in any case")]) -> Response:
    view = await request.app.state.pool.run(lambda lib: tag_view(lib, tag))
    if wanted(request) == "json":
        return json_response(
            [
                {
                    **record.to_dict(),
                    "text": found.text if found is not None else None,
                    "citation": citation.to_dict() if citation is not None else None,
                }
                for record, found, citation, _tags, _notes in view["rows"]
            ]
        )
    return page(request, "tag.html", {**view, "passage_link": passage_link, "here": str(request.url.path)})


# -- writing ----------------------------------------------------------------------------------------


def _tags_of(lib: Library, passage_id: str) -> list[str]:
    return lib.store.annotations([passage_id]).get(passage_id, ([], []))[0]


@writes.post(
    "/passages/{passage_id}/tags",
    summary="Tag a passage",
    description="Body: `tag` (JSON or a form). Needs `Authorization: Bearer <token>`, or a logged-in browser's "
    "session with its `csrf` field. JSON: `passage_id`, `tag`, `added` (false when it carried the tag already), "
    "`tags` (all of the passage's). A form post is sent back (303) to `next`.",
    response_model=None,
    status_code=201,
    openapi_extra=body_doc("tag"),
)
async def add_tag(request: Request, passage_id: Annotated[str, Path(description="a passage id")]) -> Response:
    fields, is_form = await body_fields(request)
    await writer(request, fields)
    tag = clean_tag(fields.get("tag", ""))

    def work(lib: Library) -> dict[str, Any]:
        pid = lib.passage(passage_id).id
        added = lib.tag(pid, tag)
        return {"passage_id": pid, "tag": tag, "added": added, "tags": _tags_of(lib, pid)}

    done = await request.app.state.writer.run(work)
    return answered(is_form, fields, passage_link(done["passage_id"]), done, 201)


async def _untag(request: Request, passage_id: str, tag: str | None) -> Response:
    fields, is_form = await body_fields(request)
    await writer(request, fields)
    name = clean_tag(tag if tag is not None else fields.get("tag", ""))

    def work(lib: Library) -> dict[str, Any]:
        if not lib.untag(passage_id, name):
            raise NotFoundError(f"{passage_id} does not carry the tag {name!r}")
        try:
            pid = lib.passage(passage_id).id
        except NotFoundError:  # an orphaned passage: its tags stay under its old id
            pid = passage_id
        return {"passage_id": pid, "tag": name, "removed": True, "tags": _tags_of(lib, pid)}

    done = await request.app.state.writer.run(work)
    return answered(is_form, fields, passage_link(done["passage_id"]), done)


@writes.delete(
    "/passages/{passage_id}/tags/{tag:path}",
    summary="Take a tag off a passage",
    description="Needs a token (as for tagging). JSON: `passage_id`, `tag`, `removed`, `tags` (those left); a 404 "
    "when the passage does not carry the tag.",
    response_model=None,
)
async def remove_tag(
    request: Request,
    passage_id: Annotated[str, Path(description="a passage id (an orphaned one by its full id)")],
    tag: Annotated[str, Path(description="the tag, in any case")],
) -> Response:
    return await _untag(request, passage_id, tag)


@writes.post(
    "/passages/{passage_id}/tags/delete",
    summary="Take a tag off a passage (from a form)",
    description="The same as `DELETE /passages/{passage_id}/tags/{tag}` for HTML forms, which cannot send DELETE: "
    "the tag in the `tag` field.",
    response_model=None,
    openapi_extra=body_doc("tag"),
)
async def remove_tag_form(request: Request, passage_id: Annotated[str, Path(description="a passage id")]) -> Response:
    return await _untag(request, passage_id, None)


@writes.post(
    "/passages/{passage_id}/notes",
    summary="Write a note on a passage",
    description="Body: `text` (JSON or a form; line breaks allowed, 20,000 characters at most). Needs a token (as "
    "for tagging). JSON: the note (`id`, `passage_id`, `text`, `created_at`, `updated_at`, ...).",
    response_model=None,
    status_code=201,
    openapi_extra=body_doc("text"),
)
async def add_note(request: Request, passage_id: Annotated[str, Path(description="a passage id")]) -> Response:
    fields, is_form = await body_fields(request)
    await writer(request, fields)
    text = fields.get("text", "")
    made = await request.app.state.writer.run(lambda lib: lib.note(passage_id, text))
    return answered(is_form, fields, passage_link(made.passage_id), made.to_dict(), 201)


async def _remove_note(request: Request, note_id: int) -> Response:
    fields, is_form = await body_fields(request)
    await writer(request, fields)
    gone = await request.app.state.writer.run(lambda lib: lib.remove_note(note_id))
    return answered(is_form, fields, passage_link(gone.passage_id), gone.to_dict())


@writes.delete(
    "/notes/{note_id}",
    summary="Remove a note",
    description="Needs a token (as for tagging). JSON: the note removed; a 404 when there is none.",
    response_model=None,
)
async def remove_note(request: Request, note_id: Annotated[int, Path(description="the note's number")]) -> Response:
    return await _remove_note(request, note_id)


@writes.post(
    "/notes/{note_id}/delete",
    summary="Remove a note (from a form)",
    description="The same as `DELETE /notes/{note_id}` for HTML forms.",
    response_model=None,
    openapi_extra=body_doc(),
)
async def remove_note_form(request: Request, note_id: Annotated[int, Path(description="the note number")]) -> Response:
    return await _remove_note(request, note_id)
