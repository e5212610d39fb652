"""The workbench: a FastAPI app built around one library (`create_app`), served by `covenant serve`.

Every page is server-rendered HTML with a JSON twin at the same address (`Accept: application/json` or
`?format=json`); the data is the data model's own `to_dict()`, so a field has the name `covenant export` gives it.
Each view runs on a pool thread holding a read-only `Library` (see `pool.py`); tags, notes and logins are written by
one writer thread with the app's only writable Library, and only with a token (see `auth.py`).
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from covenant import __version__
from covenant.errors import CovenantError, NotFoundError, QueryError
from covenant.library import Library
from covenant.web.auth import SESSION_COOKIE, AuthError, ForbiddenError, read_session, session_secret, session_valid
from covenant.web.pool import LibraryPool, LibraryWriter
from covenant.web.render import error_response, page, templates
from covenant.web.views import ROUTERS
from covenant.web.views.uploads import Uploads

STATIC = Path(__file__).parent / "static"

# Report text is untrusted: scripts only from this server, never inline (so no injected <script> or on* attribute
# runs even if escaping failed somewhere), no plugins, no framing by other sites, forms only back to this server.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """Adds the security headers to every response, errors and static files included (a pure ASGI middleware:
    it sees every response the app sends, before any other middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in names]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def load_session(request: Request) -> None:
    """The browser's session, when its cookie is signed by this library and its token is still valid (a revoked
    token ends its sessions); every page shows the write forms only then."""
    request.state.session = None
    secret: bytes | None = request.app.state.secret
    cookie = request.cookies.get(SESSION_COOKIE)
    if secret is None or not cookie:
        return
    session = read_session(secret, cookie)
    if session is not None and await request.app.state.pool.run(lambda lib: session_valid(lib, session)):
        request.state.session = session


READ_METHODS = ("GET", "HEAD", "OPTIONS")


async def refuse_writes(request: Request) -> None:
    """A workbench that only reads refuses every write route (403) before its body or any token is looked at."""
    if request.app.state.writer is None and request.method not in READ_METHODS:
        raise ForbiddenError("this workbench cannot write to its library (it is read-only here)")


def _open_writer(path: Path) -> tuple[LibraryWriter | None, bytes | None]:
    """The writer thread and the library's session key, or (None, None) when the library cannot be written (a
    read-only file or medium): the workbench then only reads."""
    writer = LibraryWriter(path)
    try:
        return writer, writer.run_now(session_secret)
    except (CovenantError, sqlite3.Error, OSError):
        writer.close()
        return None, None


def create_app(library_path: str | Path, *, workers: int = 2, writable: bool = True) -> FastAPI:
    """The workbench over the library at `library_path` (which must exist: the app never creates one).

    `workers`: threads that answer views, each with its own read-only Library (and loaded embedding model).
    `writable`: whether tags and notes may be written (with a token); False, or a library that cannot be written,
    makes a workbench that only reads.
    """
    path = Path(library_path)
    with Library(path, read_only=True):  # a missing or unreadable library fails here, not on the first request
        pass
    pool = LibraryPool(path, workers=workers)
    writer, secret = _open_writer(path) if writable else (None, None)
    uploads = Uploads(path) if writer is not None else None  # a read-only workbench takes no uploads

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        pool.close()
        if uploads is not None:
            uploads.close()
        if writer is not None:
            writer.close()

    app = FastAPI(
        title="Covenant",
        version=__version__,
        summary="A cited, searchable library of human-rights reports.",
        description="Every page has a JSON twin: the same address with `Accept: application/json` (or "
        '`?format=json`). Errors: `{"error": {"type": ..., "message": ...}}` with a 400 or 404 (401 or 403 for '
        "a write without a valid token, session or CSRF token). Writes take `Authorization: Bearer <token>` "
        "(`covenant token create`).",
        docs_url=None,  # FastAPI's own page loads Swagger UI from a CDN with an inline script: ours is below
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(refuse_writes), Depends(load_session)],
    )
    app.state.pool = pool
    app.state.writer = writer
    app.state.secret = secret
    app.state.uploads = uploads
    app.state.library_path = path
    app.state.templates = templates()
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        return page(request, "docs.html", {})

    _errors(app)
    return app


def _errors(app: FastAPI) -> None:
    """Every failure is a page with a message, or the one JSON error shape; never a stack trace."""

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return error_response(request, 400, "QueryError", str(exc))

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return error_response(request, 404, "NotFoundError", str(exc))

    @app.exception_handler(AuthError)
    async def unauthorised(request: Request, exc: AuthError) -> Response:
        response = error_response(request, 401, "AuthError", str(exc))
        response.headers["WWW-Authenticate"] = 'Bearer realm="covenant"'
        return response

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, exc: ForbiddenError) -> Response:
        return error_response(request, 403, "ForbiddenError", str(exc))

    @app.exception_handler(CovenantError)
    async def covenant_error(request: Request, exc: CovenantError) -> Response:
        return error_response(request, 500, type(exc).__name__, str(exc))

    @app.exception_handler(RequestValidationError)
    async def bad_parameter(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in e.get('loc', ())[1:]) or 'request'}: {e.get('msg', 'invalid')}"
            for e in exc.errors()
        )
        return error_response(request, 400, "QueryError", problems or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        kind = "NotFoundError" if exc.status_code == 404 else "HTTPError"
        message = f"no page at {request.url.path}" if exc.status_code == 404 else str(exc.detail)
        return error_response(request, exc.status_code, kind, message)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        # Starlette answers this outside the other middleware (and logs the traceback to the server's console):
        # the security headers are added here.
        response = error_response(request, 500, "InternalError", "an internal error; the server log has the details")
        for name, value in SECURITY_HEADERS:
            response.headers[name.decode()] = value.decode()
        return response


def serve(library_path: str | Path, *, host: str = "127.0.0.1", port: int = 8000, writable: bool = True) -> None:
    """Run the workbench with uvicorn until Ctrl-C; `writable=False` (`covenant serve --read-only`) only reads."""
    import uvicorn

    app = create_app(library_path, writable=writable)
    shown = f"[{host}]" if ":" in host else host
    mode = "" if app.state.writer is not None else ", read-only"
    print(
        f"Covenant workbench for {library_path}{mode}: http://{shown}:{port}/ (Ctrl-C to stop)",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
