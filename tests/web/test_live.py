"""The live form check's page and WebSocket (FastAPI's test client; the real pose model
on a few drawn frames)."""

from __future__ import annotations

import json
import struct

import cv2
import pytest
from starlette.websockets import WebSocketDisconnect
from tests.web.conftest import Browser, clear_checkup, make_runner, red_flag_form

from upright.assessment.redflags import red_flag_questions
from upright.skeleton import KEYPOINTS
from upright.synthetic.exercise import ExerciseSpec, simulate_exercise
from upright.synthetic.exercise_render import render_exercise_frames

ORIGIN = {"origin": "http://testserver"}


def _socket_url(page_text: str) -> str:
    start = page_text.index('data-socket="') + len('data-socket="')
    return page_text[start : page_text.index('"', start)].replace("&amp;", "&")


def _frames(n: int) -> list[bytes]:
    """JPEG frames of a drawn plank, 384 px wide as the page sends them."""
    ex = simulate_exercise(ExerciseSpec(duration_s=4.0, fps=10.0))
    out = []
    for _, rgb in list(render_exercise_frames(ex))[-n:]:
        small = cv2.resize(rgb, (384, 216), interpolation=cv2.INTER_AREA)
        ok, data = cv2.imencode(".jpg", small[:, :, ::-1])
        assert ok
        out.append(data.tobytes())
    return out


def _message(time_ms: float, jpeg: bytes) -> bytes:
    return struct.pack("<d", time_ms) + jpeg


def test_page_without_runner_offers_every_exercise(browser: Browser) -> None:
    page = browser.get("/form/live")
    assert page.status_code == 200
    assert 'id="exercise"' in page.text and "Front plank" in page.text
    assert "data-socket" not in page.text  # nothing to check until an exercise is chosen


def test_chosen_exercise_page_may_connect_to_its_own_socket(browser: Browser) -> None:
    page = browser.get("/form/live?exercise=front_plank")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "connect-src 'self' ws://testserver wss://testserver;" in policy
    assert "script-src 'self';" in policy and "<script>" not in page.text
    url = _socket_url(page.text)
    assert url.startswith("/form/live-ws?exercise=front_plank&token=")
    assert "/static/live.js" in page.text


def test_a_side_is_asked_where_the_exercise_has_one(browser: Browser) -> None:
    page = browser.get("/form/live?exercise=side_plank")
    assert page.status_code == 400
    assert "checked one side at a time" in page.text
    assert "data-socket" not in page.text


def test_socket_answers_frames_with_skeleton_and_form(browser: Browser) -> None:
    url = _socket_url(browser.get("/form/live?exercise=front_plank").text)
    with browser.client.websocket_connect(url, headers=ORIGIN) as ws:
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["exercise"] == "Front plank"
        assert ready["keypoints"] == list(KEYPOINTS)
        answers = []
        for k, jpeg in enumerate(_frames(3)):
            ws.send_bytes(_message(1000.0 + 100.0 * k, jpeg))
            answers.append(ws.receive_json())
    for k, answer in enumerate(answers):
        assert answer["type"] == "frame"
        assert answer["time_s"] == pytest.approx(1.0 + 0.1 * k)
        assert len(answer["skeleton"]) == len(KEYPOINTS)
        for field in ("in_position", "good", "in_hold", "good_form_s", "hold_s", "held_s"):
            assert field in answer
        assert answer["fault"] is None or set(answer["fault"]) == {"name", "label", "cue"}
        assert answer["good_form_s"] == 0.0  # a hold needs a steady second first
    seen = [p for p in answers[-1]["skeleton"] if p is not None]
    assert all(0.0 <= x <= 1.0 and 0.0 <= y <= 1.0 for x, y in seen)


def test_socket_refuses_a_frame_that_is_not_an_image(browser: Browser) -> None:
    url = _socket_url(browser.get("/form/live?exercise=front_plank").text)
    with browser.client.websocket_connect(url, headers=ORIGIN) as ws:
        ws.receive_json()
        ws.send_bytes(_message(1.0, b"not a picture at all"))
        answer = ws.receive_json()
    assert answer["type"] == "error" and "not a JPEG image" in answer["message"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"origin": "http://elsewhere.example"}, {"origin": "null"}],
    ids=["no origin", "other origin", "null origin"],
)
def test_socket_refuses_other_origins(browser: Browser, headers: dict[str, str]) -> None:
    url = _socket_url(browser.get("/form/live?exercise=front_plank").text)
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        browser.client.websocket_connect(url, headers=headers) as ws,
    ):
        ws.receive_json()
    assert refused.value.code == 1008


def test_socket_refuses_a_wrong_or_missing_token(browser: Browser) -> None:
    browser.get("/form/live")  # the session cookie
    for url in (
        "/form/live-ws?exercise=front_plank&token=" + "0" * 64,
        "/form/live-ws?exercise=front_plank",
    ):
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            browser.client.websocket_connect(url, headers=ORIGIN) as ws,
        ):
            ws.receive_json()
        assert refused.value.code == 1008


def test_runner_without_a_checkup_gets_no_form_cues(browser: Browser) -> None:
    make_runner(browser, "Ann")
    page = browser.get("/form/live/Ann?exercise=front_plank")
    assert page.status_code == 200
    assert "No live form check while the red-flag screen is open" in page.text
    assert "Red-flag screen: incomplete" in page.text
    assert "data-socket" not in page.text and "live.js" in page.text
    token = browser.token()
    url = f"/form/live-ws?exercise=front_plank&alias=Ann&token={token}"
    with browser.client.websocket_connect(url, headers=ORIGIN) as ws:
        answer = ws.receive_json()
        assert answer["type"] == "error" and "blocks exercise advice" in answer["message"]
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()


def test_cleared_runner_gets_the_camera(browser: Browser) -> None:
    make_runner(browser, "Ann")
    clear_checkup(browser, "Ann")
    home = browser.get("/runner/Ann")
    assert "/form/live/Ann" in home.text
    page = browser.get("/form/live/Ann?exercise=glute_bridge")
    assert page.status_code == 200
    assert "alias=Ann" in _socket_url(page.text)
    assert "red-flag screen is open" not in page.text


def test_unknown_runner(browser: Browser) -> None:
    page = browser.get("/form/live/Nobody")
    assert page.status_code == 404
    assert json.dumps("Nobody")[1:-1] in page.text


def test_runner_with_an_emergency_answer_goes_to_the_stop_page(browser: Browser) -> None:
    make_runner(browser, "Ann")
    emergency = next(q for q in red_flag_questions() if q.level == "emergency")
    browser.post("/checkup/Ann", red_flag_form("no", **{emergency.key: "yes"}))
    page = browser.get("/form/live/Ann?exercise=front_plank", follow_redirects=False)
    assert page.status_code == 303
    assert (
        page.headers["location"].startswith("/checkup-stop/") or "stop" in page.headers["location"]
    )
