"""Logging a browser in with a token (once) and out: a signed session cookie, HttpOnly and SameSite=Strict."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from covenant.web.auth import SESSION_COOKIE, SESSION_SECONDS, AuthError, ForbiddenError, sign_session, token_owner
from covenant.web.render import json_response, page, wanted
from covenant.web.views.annotations import WRITE_RESPONSES, back_to, body_doc, body_fields, writer

router = APIRouter(responses=WRITE_RESPONSES)


@router.get(
    "/login",
    summary="The login page",
    description="A form that takes a token (`covenant token create`) once; the browser then writes with a session "
    "cookie. JSON: `logged_in`, `name` (the token's), `writable` (whether this workbench can write at all).",
    response_model=None,
)
async def login_page(request: Request) -> Response:
    session = getattr(request.state, "session", None)
    writable = request.app.state.writer is not None
    if wanted(request) == "json":
        return json_response({"logged_in": session is not None, "name": session and session.name, "writable": writable})
    next_page = back_to(dict(request.query_params), "/")
    return page(request, "login.html", {"writable": writable, "next": next_page, "error": None})


@router.post(
    "/login",
    summary="Log a browser in with a token",
    description="Body: `token` (a form, or JSON). Sets the session cookie (signed with the library's own key, "
    "HttpOnly, SameSite=Strict) and sends a form back (303) to `next`; JSON: `name`. A wrong or revoked token is "
    "a 401.",
    response_model=None,
    openapi_extra=body_doc("token"),
)
async def login(request: Request) -> Response:
    fields, is_form = await body_fields(request)
    if request.app.state.writer is None or request.app.state.secret is None:
        raise ForbiddenError("this workbench cannot write to its library (it is read-only here)")
    token = fields.get("token", "").strip()
    record = await request.app.state.pool.run(lambda lib: token_owner(lib, token)) if token else None
    if record is None:
        message = "this token is not valid: it was revoked or mistyped (`covenant token list`)"
        if not is_form or wanted(request) == "json":
            raise AuthError(message)
        context = {"writable": True, "next": back_to(fields, "/"), "error": message}
        return page(request, "login.html", context, status_code=401)
    cookie, _session = sign_session(request.app.state.secret, record)
    response: Response = (
        RedirectResponse(back_to(fields, "/"), status_code=303) if is_form else json_response({"name": record.name})
    )
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",  # a Secure cookie is not sent back over plain http://127.0.0.1
        path="/",
    )
    return response


@router.post(
    "/logout",
    summary="Log a browser out",
    description="Clears the session cookie (the form carries the session's `csrf` field) and sends the browser to "
    "`next` or the library.",
    response_model=None,
    openapi_extra=body_doc(),
)
async def logout(request: Request) -> Response:
    fields, is_form = await body_fields(request)
    await writer(request, fields)
    response: Response = (
        RedirectResponse(back_to(fields, "/"), status_code=303) if is_form else json_response({"logged_in": False})
    )
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    return response
