"""Live form check: the camera page (with or without a runner) and its WebSocket.

The page sends camera frames (JPEG, each after the answer to the last, so one frame at
most is on its way) and draws the skeleton and the form that come back. The WebSocket
opens only for a page of this server (Origin) with the session's CSRF token, and not at
all for a runner whose red-flag screen blocks advice.

Messages: the page sends binary frames, 8 bytes of capture time (milliseconds, float64
little-endian) then the JPEG; the server answers ``ready`` once
(:func:`upright.services.live_form.ready_message`), then one ``frame`` per frame or an
``error`` with the message before closing.
"""

from __future__ import annotations

import struct
from typing import Any, cast

import anyio.to_thread
from fastapi import APIRouter, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import RedirectResponse, Response

from upright.errors import InputError, UprightError
from upright.form.definitions import Side, form_definition, load_form_table
from upright.services.live_form import LiveFormSession, live_gate, ready_message
from upright.web.pages import guarded, render, runner_path
from upright.web.security import csrf_token, live_csp, websocket_allowed

router = APIRouter()

#: WebSocket close code for a refused connection (policy violation).
REFUSED = 1008


def _choice(query: dict[str, str]) -> tuple[str | None, Side | None]:
    exercise = query.get("exercise") or None
    side = query.get("side") or None
    if side not in (None, "left", "right"):
        raise InputError(f"side is {side!r}", fix="Choose left or right")
    if exercise is not None:
        form_definition(exercise, cast(Side | None, side))
    return exercise, cast(Side | None, side)


def _page(request: Request, alias: str | None) -> Response:
    query = dict(request.query_params)
    if alias is not None:
        blocked = guarded(lambda: live_gate(alias))
        if isinstance(blocked, UprightError):
            return render(
                request, "error.html", {"status": 404, "detail": blocked.message}, status_code=404
            )
        if blocked is not None and blocked.stop_everything:
            return RedirectResponse(runner_path(request, "checkup_stop", alias), status_code=303)
        if blocked is not None:
            return render(request, "live/live.html", _context(alias, query, None, blocked))
    chosen = guarded(lambda: _choice(query))
    error = chosen if isinstance(chosen, UprightError) else None
    response = render(
        request,
        "live/live.html",
        _context(alias, query, error, None, chosen if error is None else None, request),
        status_code=400 if error else 200,
    )
    response.headers["content-security-policy"] = live_csp(request.headers.get("host", ""))
    return response


def _context(
    alias: str | None,
    query: dict[str, str],
    error: UprightError | None,
    screen: Any,
    chosen: Any = None,
    request: Request | None = None,
) -> dict[str, Any]:
    exercise, side = chosen if chosen else (None, None)
    socket = None
    if exercise is not None and request is not None:
        params = {"exercise": exercise, "token": csrf_token(request)}
        if side:
            params["side"] = side
        if alias is not None:
            params["alias"] = alias
        socket = str(request.app.url_path_for("live_socket")) + "?" + _encode(params)
    return {
        "alias": alias,
        "query": query,
        "error": error,
        "screen": screen,
        "exercises": [(e.key, e.name, e.side) for e in load_form_table().exercises],
        "exercise": form_definition(exercise, side) if exercise else None,
        "side": side,
        "socket": socket,
    }


def _encode(params: dict[str, str]) -> str:
    from urllib.parse import urlencode

    return urlencode(params)


@router.get("/form/live", name="live_form_any")
def live_page(request: Request) -> Response:
    """The live form check on its own (no runner: nothing is stored, as ``upright form``)."""
    return _page(request, None)


@router.get("/form/live/{alias:path}", name="live_form")
def live_runner_page(request: Request, alias: str) -> Response:
    """A runner's live form check, or their red-flag screen when it blocks advice."""
    return _page(request, alias)


def _open(query: dict[str, str]) -> LiveFormSession:
    exercise, side = _choice(query)
    if exercise is None:
        raise InputError("no exercise chosen", fix="Choose the exercise to check")
    alias = query.get("alias")
    if alias is not None and live_gate(alias) is not None:
        raise InputError(
            f"runner {alias!r}'s red-flag screen blocks exercise advice",
            fix="Open the runner's page for what to do first",
        )
    return LiveFormSession.open(exercise, side)


@router.websocket("/form/live-ws", name="live_socket")
async def live_socket(websocket: WebSocket) -> None:
    """The camera frames of one page, answered one by one."""
    query = dict(websocket.query_params)
    if not websocket_allowed(websocket, websocket.app.state.secret, query.get("token")):
        await websocket.close(code=REFUSED)
        return
    try:
        session = await anyio.to_thread.run_sync(lambda: _open(query))
    except UprightError as err:
        await websocket.accept()
        await websocket.send_json({"type": "error", "message": err.message})
        await websocket.close(code=REFUSED)
        return
    try:
        await websocket.accept()
        await websocket.send_json(ready_message(session.definition, session.side))
        await _answer_frames(websocket, session)
    except WebSocketDisconnect:
        pass
    finally:
        await anyio.to_thread.run_sync(session.close)


async def _answer_frames(websocket: WebSocket, session: LiveFormSession) -> None:
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes") or b""
        if len(data) < 9:
            await websocket.send_json(
                {"type": "error", "message": "a camera frame needs its time and a JPEG image"}
            )
            await websocket.close(code=REFUSED)
            return
        (time_ms,) = struct.unpack("<d", data[:8])
        try:
            answer = await anyio.to_thread.run_sync(
                session.process_jpeg, time_ms / 1000.0, data[8:]
            )
        except UprightError as err:
            await websocket.send_json({"type": "error", "message": err.message})
            await websocket.close(code=REFUSED)
            return
        await websocket.send_json(answer)
