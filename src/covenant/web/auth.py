"""Who may write through the workbench: access tokens (stored as hashes), signed session cookies and CSRF tokens.

A token is made by `covenant token create` and shown once; the library keeps only its SHA-256 under the
`web.tokens` setting, so a copy of the library does not give anyone the right to write. The JSON API takes the
token in `Authorization: Bearer`; a browser gives it once on /login and then carries a signed session cookie,
and every form it posts carries that session's CSRF token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from covenant.errors import CovenantError, NotFoundError, QueryError, StoreError
from covenant.library import Library

TOKENS_SETTING = "web.tokens"
SECRET_SETTING = "web.secret"
TOKEN_PREFIX = "cov_"  # makes a leaked token recognisable in a log or a paste
SESSION_COOKIE = "covenant_session"
SESSION_SECONDS = 7 * 24 * 3600
LOGIN_COOKIE = "covenant_login"  # the login form's CSRF token, before any session (double-submit)
LOGIN_SECONDS = 2 * 3600
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


class AuthError(CovenantError):
    """A write without a valid token or session (401)."""


class ForbiddenError(CovenantError):
    """A write refused although the writer is known: a form without its CSRF token, or a read-only library (403)."""


@dataclass(slots=True)
class TokenRecord:
    name: str
    sha256: str
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        # the hash is not a secret that writes, but it has no use outside the library: not listed
        return {k: v for k, v in asdict(self).items() if k != "sha256"}


@dataclass(slots=True)
class Session:
    """A browser's login: the token's name and hash (so revoking the token ends the session too) and its CSRF token."""

    name: str
    sha256: str
    csrf: str
    issued: int


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _records(lib: Library) -> dict[str, TokenRecord]:
    raw = lib.store.setting(TOKENS_SETTING)
    found = json.loads(raw) if raw else {}
    return {name: TokenRecord(name, entry["sha256"], entry["created_at"]) for name, entry in found.items()}


def _save(lib: Library, records: dict[str, TokenRecord]) -> None:
    value = {r.name: {"sha256": r.sha256, "created_at": r.created_at} for r in records.values()}
    lib.store.set_setting(TOKENS_SETTING, json.dumps(value, sort_keys=True))


def _writable(lib: Library, what: str) -> None:
    if lib.read_only:
        raise StoreError(f"{lib.path}: opened read-only, cannot {what}")


def create_token(lib: Library, name: str | None = None) -> tuple[str, TokenRecord]:
    """A new token (returned once, never stored) and its record; `name` defaults to token-1, token-2, ..."""
    _writable(lib, "create tokens")
    records = _records(lib)
    if name is None:
        name = next(f"token-{n}" for n in range(1, len(records) + 2) if f"token-{n}" not in records)
    if not _NAME.fullmatch(name):
        raise QueryError(
            f"token name {name!r}: 1-64 letters, digits, '.', '_', '@' or '-', beginning with a letter or digit"
        )
    if name in records:
        raise QueryError(f"a token named {name!r} exists already (`covenant token revoke {name}` first)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = TokenRecord(name, _digest(token), datetime.now(UTC).isoformat(timespec="seconds"))
    records[name] = record
    _save(lib, records)
    return token, record


def list_tokens(lib: Library) -> list[TokenRecord]:
    return sorted(_records(lib).values(), key=lambda r: (r.created_at, r.name))


def revoke_token(lib: Library, name: str) -> TokenRecord:
    """Remove a token: requests and browser sessions that use it are refused from the next request on."""
    _writable(lib, "revoke tokens")
    records = _records(lib)
    if name not in records:
        known = ", ".join(records) or "none"
        raise NotFoundError(f"no token named {name!r} (tokens: {known})")
    gone = records.pop(name)
    _save(lib, records)
    return gone


def token_owner(lib: Library, token: str) -> TokenRecord | None:
    """The record of a valid token, or None. Every record is compared in constant time."""
    digest = _digest(token.strip())
    found = None
    for record in _records(lib).values():
        if hmac.compare_digest(record.sha256, digest):
            found = record
    return found


def session_valid(lib: Library, session: Session) -> bool:
    record = _records(lib).get(session.name)
    return record is not None and hmac.compare_digest(record.sha256, session.sha256)


def session_secret(lib: Library) -> bytes:
    """The library's key for signing session cookies, made on first use (so each library has its own)."""
    found = lib.store.setting(SECRET_SETTING)
    if found is None:
        _writable(lib, "keep a session key")
        found = secrets.token_hex(32)
        lib.store.set_setting(SECRET_SETTING, found)
    return bytes.fromhex(found)


# The cookie is signed by hand with HMAC-SHA256 (the standard library's) rather than with another dependency:
# payload and signature, both base64url, joined by a dot.
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_session(secret: bytes, record: TokenRecord) -> tuple[str, Session]:
    session = Session(record.name, record.sha256, secrets.token_urlsafe(24), int(time.time()))
    payload = _b64(json.dumps(asdict(session), separators=(",", ":")).encode("utf-8"))
    signature = _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())
    return f"{payload}.{signature}", session


def read_session(secret: bytes, cookie: str) -> Session | None:
    """The session a cookie carries, or None when it is forged, damaged or expired."""
    payload, _, signature = cookie.partition(".")
    expected = _b64(hmac.new(secret, payload.encode("ascii", "replace"), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        data = json.loads(_unb64(payload))
        session = Session(str(data["name"]), str(data["sha256"]), str(data["csrf"]), int(data["issued"]))
    except (ValueError, KeyError, TypeError):
        return None
    return session if 0 <= time.time() - session.issued <= SESSION_SECONDS else None


def login_csrf(secret: bytes) -> str:
    """A CSRF token for the login form, given both as a cookie and as the form's `csrf` field: a random value and
    its HMAC under the library's key (so a cookie planted by someone else, without the key, is not taken)."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_login_mac(secret, nonce)}"


def login_csrf_valid(secret: bytes, cookie: str, field: str) -> bool:
    """Whether a login post carries the same CSRF token in its cookie and its field, signed by this library."""
    nonce, _, mac = cookie.partition(".")
    signed = bool(nonce) and bool(mac) and hmac.compare_digest(mac, _login_mac(secret, nonce))
    return signed and hmac.compare_digest(field.encode(), cookie.encode())


def _login_mac(secret: bytes, nonce: str) -> str:
    return _b64(hmac.new(secret, b"login:" + nonce.encode("ascii", "replace"), hashlib.sha256).digest())
