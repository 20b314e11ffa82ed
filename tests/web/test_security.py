"""CSRF on every form, the security headers on every response, the per-install secret."""

from __future__ import annotations

import stat

import pytest
from fastapi.testclient import TestClient

from upright.services.runner_index import list_runners
from upright.web import WebSettings, create_app
from upright.web.security import CHART_CSP, CSP, SECRET_FILE

from .conftest import Browser, make_runner


def _assert_headers(response: object, policy: str = CSP) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-security-policy"] == policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self';" in policy and "unsafe-eval" not in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize(
    "path",
    [
        "/runners",
        "/runner/Ann",
        "/checkup/Ann",
        "/triage/Ann",
        "/plan/Ann",
        "/log/session/Ann",
        "/log/run/Ann",
        "/stop/Ann",
        "/static/app.css",
        "/static/vendor/htmx.min.js",
        "/vendor/plotly.min.js",
        "/no-such-page",
        "/runner/nobody",
    ],
)
def test_every_response_has_the_security_headers(browser: Browser, path: str) -> None:
    make_runner(browser)
    response = browser.get(path, follow_redirects=False)
    assert response.status_code in (200, 303, 400, 404)
    _assert_headers(response)


def test_csp_forbids_inline_style_except_on_chart_pages(browser: Browser) -> None:
    assert "unsafe-inline" not in CSP
    assert CSP.replace("style-src 'self';", "style-src 'self' 'unsafe-inline';") == CHART_CSP
    make_runner(browser)
    assert browser.get("/runner/Ann").headers["content-security-policy"] == CSP
    browser.post("/log/run/Ann", {"distance_km": "5", "pain_during": "2"})
    home = browser.get("/runner/Ann")
    assert 'class="chart"' in home.text
    _assert_headers(home, CHART_CSP)  # plotly draws with inline styles; scripts stay 'self'
    assert browser.get("/runners").headers["content-security-policy"] == CSP


def test_a_refused_post_has_the_headers_too(browser: Browser) -> None:
    response = browser.client.post("/runners", data={"alias": "Ann"})
    assert response.status_code == 403
    _assert_headers(response)


@pytest.mark.parametrize(
    "path",
    ["/runners", "/checkup/Ann", "/checkup-details/Ann", "/log/session/Ann", "/log/run/Ann"],
)
def test_every_form_refuses_a_post_without_the_token(browser: Browser, path: str) -> None:
    make_runner(browser)
    before = browser.stored(list_runners)
    response = browser.client.post(path, data={"alias": "Eve", "pain_during": "2"})
    assert response.status_code == 403
    assert "expired or comes from elsewhere" in response.text
    assert browser.stored(list_runners) == before


def test_a_wrong_token_is_refused_and_nothing_stored(browser: Browser) -> None:
    browser.token()  # the session cookie
    response = browser.client.post("/runners", data={"alias": "Eve", "csrf_token": "0" * 64})
    assert response.status_code == 403
    assert browser.stored(list_runners) == []


def test_another_sessions_token_is_refused(browser: Browser, web_settings: WebSettings) -> None:
    token = browser.token()
    with TestClient(create_app(web_settings)) as other:
        other.get("/runners")  # a session of its own
        response = other.post("/runners", data={"alias": "Eve", "csrf_token": token})
    assert response.status_code == 403
    assert browser.stored(list_runners) == []


def test_a_post_from_another_site_is_refused_even_with_the_token(browser: Browser) -> None:
    response = browser.post("/runners", {"alias": "Eve"}, headers={"origin": "http://evil.example"})
    assert response.status_code == 403
    assert browser.stored(list_runners) == []


def test_the_token_may_come_in_the_header_as_htmx_sends_it(browser: Browser) -> None:
    token = browser.token()
    response = browser.client.post(
        "/runners", data={"alias": "Hx"}, headers={"X-CSRF-Token": token}, follow_redirects=False
    )
    assert response.status_code == 303
    assert [r.alias for r in browser.stored(list_runners)] == ["Hx"]


def test_session_cookie_is_signed_http_only_and_strict(web_settings: WebSettings) -> None:
    with TestClient(create_app(web_settings)) as client:
        response = client.get("/runners")
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        assert "set-cookie" not in client.get("/runners").headers  # the session is kept
    forged = {"upright_session": "forged.abc"}
    with TestClient(create_app(web_settings), cookies=forged) as client:
        page = client.get("/runners")
        assert "set-cookie" in page.headers  # a forged cookie is replaced, never trusted
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        client.cookies.clear()
        client.cookies.set("upright_session", "forged.abc")
        refused = client.post("/runners", data={"alias": "Eve", "csrf_token": token})
        assert refused.status_code == 403


def test_secret_is_kept_owner_only_and_reused(web_settings: WebSettings) -> None:
    first = create_app(web_settings).state.secret
    path = web_settings.data_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert create_app(web_settings).state.secret == first
    assert len(first) == 32


def test_user_text_is_escaped_everywhere(browser: Browser) -> None:
    alias = '<script>alert("x")</script>'
    make_runner(browser, alias)
    for path in ("/runners", "/runner/%3Cscript%3Ealert(%22x%22)%3C%2Fscript%3E"):
        page = browser.get(path)
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text


def test_a_fault_before_any_answer_still_carries_the_headers(web_settings: WebSettings) -> None:
    app = create_app(web_settings)

    @app.get("/fault-for-test")
    def fault() -> None:
        raise RuntimeError("a fault inside a page")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/fault-for-test")
    assert response.status_code == 500
    assert response.text == "upright: internal error"
    _assert_headers(response)
