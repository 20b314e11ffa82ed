"""Safe by default, even for one user on one computer.

- a per-install secret (``web-secret`` in the data folder, readable by its owner only)
  signs the session cookie;
- every form carries a CSRF token derived from the signed session: a POST (or any other
  unsafe method) without the right token, in the form field ``csrf_token`` or the header
  ``X-CSRF-Token`` (htmx requests and uploads send the header), is refused with 403;
- every response says what the page may load: only this server's own files, no inline
  script, no framing (Content-Security-Policy), no type sniffing, no referrer elsewhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from pathlib import Path
from typing import Final, cast
from urllib.parse import urlsplit

from fastapi import HTTPException, Request, WebSocket
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from upright.errors import StoreError

__all__ = [
    "CHART_CSP",
    "CSP",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "REPORT_FRAME_CSP",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "SecurityMiddleware",
    "connection_session",
    "csrf_matches",
    "csrf_token",
    "live_csp",
    "load_secret",
    "new_session_cookie",
    "require_csrf",
    "websocket_allowed",
]

SESSION_COOKIE: Final = "upright_session"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "x-csrf-token"
SECRET_FILE: Final = "web-secret"

_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'{styles}; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: Only this server's own files; no inline script or style; nothing may frame the pages.
CSP: Final = _POLICY.format(styles="")
#: A page with plotly charts: the same, but plotly.js draws with inline styles (style
#: attributes and rules it adds), so those are allowed there; still no inline script, and
#: a style can load nothing from elsewhere (images and fonts stay 'self').
CHART_CSP: Final = _POLICY.format(styles=" 'unsafe-inline'")
#: The stored report, shown in a frame of the report page: it is one self-contained HTML
#: file with plotly.js and its figures inline, so inline script and style run there, but
#: sandboxed (an opaque origin: no cookie, no request to this server, no form, no
#: navigation of the page around it) and nothing may be loaded or sent anywhere; only
#: this server's own pages may frame it.
REPORT_FRAME_CSP: Final = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:; font-src 'none'; connect-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)
_OWN_POLICIES: Final = frozenset({CHART_CSP, REPORT_FRAME_CSP})
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def live_csp(host: str) -> str:
    """The policy of the live camera page: :data:`CSP`, and its WebSocket may connect
    to this same server (``ws://`` and ``wss://`` of the page's own host, which
    ``'self'`` does not cover in every browser). A host header that is not a plain
    host[:port] gets nothing more than :data:`CSP`."""
    if not _HOST.match(host):
        return CSP
    return CSP.replace("connect-src 'self'", f"connect-src 'self' ws://{host} wss://{host}")


def _page_policy(value: str | None) -> bool:
    """Whether a page set one of the policies above for itself (kept as it is): a chart
    page's, the report frame's or the live page's."""
    return value is not None and (value in _OWN_POLICIES or value.startswith(_LIVE_PREFIX))


SECURITY_HEADERS: Final = (
    ("content-security-policy", CSP),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
)
_LIVE_PREFIX: Final = CSP.split("connect-src 'self'")[0] + "connect-src 'self' ws://"
_UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def load_secret(folder: Path) -> bytes:
    """The install's secret key, created (owner-only) on first use.

    Raises
    ------
    StoreError
        The data folder cannot be created, or the key cannot be read or written.
    """
    path = folder / SECRET_FILE
    try:
        if path.is_file():
            key = bytes.fromhex(path.read_text("ascii").strip())
            if len(key) >= 32:
                return key
        folder.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(key.hex())
        return key
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"cannot keep the web app's secret key in {path} ({exc})",
            fix="Set UPRIGHT_DATA_DIR to a folder you can write to",
        ) from exc


def _sign(secret: bytes, purpose: str, value: str) -> str:
    return hmac.new(secret, f"{purpose}|{value}".encode(), hashlib.sha256).hexdigest()


def _session_id(secret: bytes, cookie: str | None) -> str | None:
    """The session id of a correctly signed cookie, else None."""
    if not cookie or "." not in cookie:
        return None
    sid, _, signature = cookie.partition(".")
    if hmac.compare_digest(signature, _sign(secret, "session", sid)):
        return sid
    return None


def connection_session(conn: HTTPConnection) -> str | None:
    """The session id of a request (the middleware's) or of a WebSocket's signed cookie."""
    if conn.scope["type"] == "http":
        sid: str | None = conn.scope.get("upright.session")
        return sid
    return _session_id(conn.app.state.secret, conn.cookies.get(SESSION_COOKIE))


def _cookie_attributes(secure: bool, same_site: str) -> str:
    attributes = f"; Path=/; HttpOnly; SameSite={same_site}"
    return attributes + "; Secure" if secure else attributes


def new_session_cookie(response: Response, request: Request, sid: str) -> None:
    """Give the browser a new session id (at sign-in and sign-out: a session id known
    before signing in is never the signed-in one), replacing the one it had."""
    middleware: dict[str, object] = request.app.state.cookie
    value = f"{sid}.{_sign(request.app.state.secret, 'session', sid)}"
    attributes = _cookie_attributes(bool(middleware["secure"]), str(middleware["same_site"]))
    response.headers.append("set-cookie", f"{SESSION_COOKIE}={value}{attributes}")


def csrf_token(request: Request) -> str:
    """The CSRF token of this request's session (every form includes it)."""
    secret: bytes = request.app.state.secret
    sid: str = request.scope["upright.session"]
    return _sign(secret, "csrf", sid)


def csrf_matches(request: Request, given: str) -> bool:
    """Whether ``given`` is this request's session's CSRF token."""
    return hmac.compare_digest(given, csrf_token(request))


def _same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin == "null":
        return False
    if not origin:
        return True
    host = request.headers.get("host", "")
    return urlsplit(origin).netloc == host


async def require_csrf(connection: HTTPConnection) -> None:
    """Refuse (403) an unsafe request without this session's CSRF token.

    A WebSocket is checked by its own route (:func:`websocket_allowed`).

    The token is read from the ``X-CSRF-Token`` header or, when it is absent, from the
    form field ``csrf_token`` (the form is parsed once; the route reads the same copy).
    A route that streams an upload (``reads_own_body``, see
    :mod:`upright.web.streamed_upload`) checks the field itself before it keeps any of
    the file, so the body is not read here first.
    """
    if connection.scope["type"] != "http":
        return
    request = cast(Request, connection)
    if request.method not in _UNSAFE_METHODS:
        return
    if not request.scope.get("upright.session_valid") or not _same_origin(request):
        raise HTTPException(403, "This form has expired or comes from elsewhere.")
    given = request.headers.get(CSRF_HEADER)
    if given is None and getattr(request.scope.get("route"), "reads_own_body", False):
        return
    if given is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
    if given is None or not csrf_matches(request, given):
        raise HTTPException(403, "This form has expired or comes from elsewhere.")


def websocket_allowed(websocket: WebSocket, secret: bytes, token: str | None) -> bool:
    """Whether a WebSocket may open: it comes from a page of this server (its Origin is
    this host; browsers always send one), with a signed session cookie and the CSRF
    token of that session."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host", "")
    if not origin or origin == "null" or urlsplit(origin).netloc != host:
        return False
    sid = _session_id(secret, websocket.cookies.get(SESSION_COOKIE))
    if sid is None or token is None:
        return False
    return hmac.compare_digest(token, _sign(secret, "csrf", sid))


class SecurityMiddleware:
    """Gives every request a signed session and every response the security headers."""

    def __init__(
        self,
        app: ASGIApp,
        secret: bytes,
        *,
        secure_cookie: bool = False,
        same_site: str = "Strict",
    ) -> None:
        self.app = app
        self.secret = secret
        self.secure_cookie = secure_cookie
        self.same_site = same_site

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookie = _cookie(scope, SESSION_COOKIE)
        sid = _session_id(self.secret, cookie)
        new_cookie = None
        if sid is None:
            sid = secrets.token_urlsafe(24)
            new_cookie = f"{sid}.{_sign(self.secret, 'session', sid)}"
        scope["upright.session"] = sid
        scope["upright.session_valid"] = new_cookie is None

        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                own = _page_policy(headers.get("content-security-policy"))
                framed = headers.get("content-security-policy") == REPORT_FRAME_CSP
                for name, value in SECURITY_HEADERS:
                    if name == "content-security-policy" and own:
                        continue  # a page's own policy (charts, the report frame, live)
                    if name == "x-frame-options" and framed:
                        headers[name] = "SAMEORIGIN"
                        continue
                    headers[name] = value
                if new_cookie is not None and not _sets_session(headers):
                    attributes = _cookie_attributes(self.secure_cookie, self.same_site)
                    headers.append("set-cookie", f"{SESSION_COOKIE}={new_cookie}{attributes}")
            await send(message)

        finished = False
        try:
            await self.app(scope, receive, send_with_headers)
            finished = True
        finally:
            # A fault before any answer: the server's own error page would go out without
            # the headers, so this one goes first (the fault still propagates, and is
            # logged, after it).
            if not finished and not started:
                await send_with_headers(
                    {
                        "type": "http.response.start",
                        "status": 500,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8")],
                    }
                )
                await send_with_headers(
                    {"type": "http.response.body", "body": b"upright: internal error"}
                )


def _sets_session(headers: MutableHeaders) -> bool:
    """Whether the response gives a session cookie of its own (sign-in, sign-out)."""
    return any(v.startswith(f"{SESSION_COOKIE}=") for v in headers.getlist("set-cookie"))


def _cookie(scope: Scope, name: str) -> str | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k == name:
                    return v
    return None
