"""Logging a browser in with a token (once) and out: a signed session cookie, HttpOnly and SameSite=Strict.

The login form itself carries a CSRF token (double-submit: a cookie and a field with the same signed value), so
another site cannot make a browser post its own token here and so write, unknowingly, as that site's token."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from covenant.web.auth import (
    LOGIN_COOKIE,
    LOGIN_SECONDS,
    SESSION_COOKIE,
    SESSION_SECONDS,
    AuthError,
    ForbiddenError,
    login_csrf,
    login_csrf_valid,
    sign_session,
    token_owner,
)
from covenant.web.render import json_response, page, wanted
from covenant.web.views.annotations import WRITE_RESPONSES, back_to, body_doc, body_fields, writer

router = APIRouter(responses=WRITE_RESPONSES)


def _login_form(request: Request, next_page: str, error: str | None, status_code: int = 200) -> Response:
    """The login page with its form's CSRF token: the browser's own when it is valid, else a new one (set as the
    cookie that the post must match)."""
    secret: bytes | None = request.app.state.secret
    writable = request.app.state.writer is not None and secret is not None
    context = {"writable": writable, "next": next_page, "error": error, "login_csrf": ""}
    if not writable or secret is None:
        return page(request, "login.html", context, status_code=status_code)
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    token = cookie if login_csrf_valid(secret, cookie, cookie) else login_csrf(secret)
    response = page(request, "login.html", {**context, "login_csrf": token}, status_code=status_code)
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=LOGIN_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/login",
    )
    return response


@router.get(
    "/login",
    summary="The login page",
    description="A form that takes a token (`covenant token create`) once; the browser then writes with a session "
    "cookie. The page sets the login form's CSRF cookie (`covenant_login`, signed, HttpOnly, SameSite=Strict) and "
    "puts the same value in the form's `csrf` field. JSON: `logged_in`, `name` (the token's), `writable` (whether "
    "this workbench can write at all).",
    response_model=None,
)
async def login_page(request: Request) -> Response:
    session = getattr(request.state, "session", None)
    writable = request.app.state.writer is not None
    if wanted(request) == "json":
        return json_response({"logged_in": session is not None, "name": session and session.name, "writable": writable})
    return _login_form(request, back_to(dict(request.query_params), "/"), None)


@router.post(
    "/login",
    summary="Log a browser in with a token",
    description="Body: `token` (a form, or JSON). A form must carry the login page's `csrf` field, equal to its "
    "`covenant_login` cookie (else a 403: another site cannot log a browser in with its own token); JSON needs "
    "no CSRF token (a browser sends JSON to another site only with that site's consent). Sets the session cookie "
    "(signed with the library's own key, HttpOnly, SameSite=Strict) and sends a form back (303) to `next`; JSON: "
    "`name`. A wrong or revoked token is a 401.",
    response_model=None,
    openapi_extra=body_doc("token"),
)
async def login(request: Request) -> Response:
    fields, is_form = await body_fields(request)
    secret: bytes | None = request.app.state.secret
    if request.app.state.writer is None or secret is None:
        raise ForbiddenError("this workbench cannot write to its library (it is read-only here)")
    if is_form and not login_csrf_valid(secret, request.cookies.get(LOGIN_COOKIE, ""), fields.get("csrf", "")):
        raise ForbiddenError("this login form has no valid CSRF token: open /login again and give the token there")
    token = fields.get("token", "").strip()
    record = await request.app.state.pool.run(lambda lib: token_owner(lib, token)) if token else None
    if record is None:
        message = "this token is not valid: it was revoked or mistyped (`covenant token list`)"
        if not is_form or wanted(request) == "json":
            raise AuthError(message)
        return _login_form(request, back_to(fields, "/"), message, status_code=401)
    cookie, _session = sign_session(secret, record)
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
    response.delete_cookie(LOGIN_COOKIE, path="/login", httponly=True, samesite="strict")
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
