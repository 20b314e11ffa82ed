"""The report page (the HTML report framed and sandboxed, the PDF to download) and the
backup export and import: the CLI's files and messages, nothing stored on a bad file."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from upright.services.report import gather_report
from upright.services.runner_index import list_runners
from upright.web import WebSettings, create_app
from upright.web.routes import backup
from upright.web.security import CSP, REPORT_FRAME_CSP

from ._cli import cli_message, page_message
from .conftest import Browser, clear_checkup, make_runner, red_flag_form


@pytest.fixture
def ready(browser: Browser) -> Browser:
    """Ann, female, with a clear check-up (typed endurance) and a run logged."""
    make_runner(browser, sex="female")
    assert clear_checkup(browser, **{"en.flexor": "80", "en.extensor": "60"}).status_code == 200
    assert browser.post("/log/run/Ann", {"distance_km": "6", "pain_during": "2"}).status_code == 200
    return browser


# -- the report ----------------------------------------------------------------------


def test_the_report_page_frames_the_report_and_links_the_pdf(ready: Browser) -> None:
    page = ready.get("/report/Ann")
    assert page.status_code == 200
    assert page.headers["content-security-policy"] == CSP  # the page itself: no inline script
    assert 'src="/report-frame/Ann"' in page.text and 'sandbox="allow-scripts"' in page.text
    assert 'href="/report-pdf/Ann"' in page.text
    home = ready.get("/runner/Ann").text
    assert 'href="/report/Ann"' in home and 'href="/backup/Ann"' in home


def test_the_framed_report_is_the_commands_report_sandboxed(ready: Browser) -> None:
    frame = ready.get("/report-frame/Ann")
    assert frame.status_code == 200
    assert frame.headers["content-security-policy"] == REPORT_FRAME_CSP
    assert REPORT_FRAME_CSP.startswith("sandbox allow-scripts;")
    assert "allow-same-origin" not in REPORT_FRAME_CSP and "connect-src 'none'" in REPORT_FRAME_CSP
    assert frame.headers["x-frame-options"] == "SAMEORIGIN"
    text = frame.text
    for section in ("glance", "red-flags", "triage", "endurance", "plan", "progress"):
        assert f'data-section="{section}"' in text
    data = ready.stored(lambda: gather_report("Ann"))
    assert data.disclaimer in text
    assert "Status: clear" in text
    assert "<script" in text and 'src="http' not in text  # plotly inline, nothing fetched


def test_the_pdf_downloads(ready: Browser) -> None:
    response = ready.get("/report-pdf/Ann?weeks=3")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''upright-report-Ann.pdf"
    )
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")


def test_the_report_shows_a_blocked_plan_as_the_command_does(browser: Browser) -> None:
    make_runner(browser)
    flags = red_flag_form("no", fever_chills_unwell="yes")
    browser.post("/checkup/Ann", flags)
    browser.post("/checkup-details/Ann", flags)
    page = browser.get("/report/Ann")
    assert "Red-flag screen: same-day" in page.text
    frame = browser.get("/report-frame/Ann").text
    assert "The plan is blocked." in frame
    data = browser.stored(lambda: gather_report("Ann"))
    assert data.plan is not None and data.plan.blocked


@pytest.mark.parametrize("path", ["/report/Bob", "/report-frame/Bob", "/report-pdf/Bob"])
def test_an_unknown_runner_is_not_found(ready: Browser, path: str) -> None:
    response = ready.get(path)
    assert response.status_code == 404
    assert "unknown runner 'Bob'" in html.unescape(response.text)
    assert response.headers["content-security-policy"] == CSP


@pytest.mark.parametrize(
    ("query", "words"),
    [("weeks=99", "--weeks is 99"), ("sessions_per_week=x", "--sessions-per-week 'x'")],
)
def test_bad_report_options_are_refused(ready: Browser, query: str, words: str) -> None:
    page = ready.get(f"/report/Ann?{query}")
    assert page.status_code == 400
    assert words in page_message(page.text)
    assert "report-frame" not in page.text
    assert ready.get(f"/report-pdf/Ann?{query}").status_code == 400


# -- backup export -------------------------------------------------------------------


def _without_time(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "exported_at"}


def test_the_backup_is_the_file_upright_export_writes(ready: Browser, tmp_path: Path) -> None:
    response = ready.get("/backup-file/Ann")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert "attachment" in response.headers["content-disposition"]
    doc = json.loads(response.content)
    assert doc["schema_version"] == "upright.backup/1"
    assert len(doc["checkups"]) == 1 and len(doc["run_logs"]) == 1
    from typer.testing import CliRunner

    from upright.cli.main import app

    out = tmp_path / "cli.json"
    result = CliRunner().invoke(
        app,
        ["export", "--runner", "Ann", "--out", str(out)],
        env={"UPRIGHT_DATABASE_URL": ready.database_url},
    )
    assert result.exit_code == 0, result.output
    assert _without_time(json.loads(out.read_text())) == _without_time(doc)


def test_exporting_an_unknown_runner_is_not_found(ready: Browser) -> None:
    response = ready.get("/backup-file/Bob")
    assert response.status_code == 404
    assert "unknown runner 'Bob'" in html.unescape(response.text)


# -- backup import -------------------------------------------------------------------


def _upload(browser: Browser, name: str, content: bytes, merge: bool = False, **kwargs: Any) -> Any:
    data = {"csrf_token": browser.token(), **({"merge": "yes"} if merge else {})}
    return browser.client.post(
        "/import-backup", data=data, files={"file": (name, content, "text/plain")}, **kwargs
    )


def test_a_backup_restores_into_another_database(
    ready: Browser, tmp_path: Path, new_database: Callable[..., str]
) -> None:
    content = ready.get("/backup-file/Ann").content
    folder = tmp_path / "other"
    other = WebSettings(data_dir=folder, database_url=new_database(folder / "other.db"))
    with TestClient(create_app(other)) as client:
        fresh = Browser(client, other.database_url)
        page = _upload(fresh, "anything.txt", content)  # the content decides, not the name
        assert page.status_code == 200, page.text
        assert "Restored runner Ann from anything.txt." in page.text
        assert 'href="/runner/Ann"' in page.text
        [row] = fresh.stored(list_runners)
        assert row.alias == "Ann" and row.sex == "female"
        data = fresh.stored(lambda: gather_report("Ann"))
        assert len(data.runs) == 1 and data.red_flags is not None
        assert data.red_flags.status == "clear"


def _bad_files() -> list[tuple[str, bytes]]:
    return [
        ("broken.json", b'{"schema_version": "upright.backup/1", '),
        ("list.json", b"[1, 2, 3]"),
        ("picture.json", b"\x89PNG\r\n\x1a\n" + bytes(range(256))),
        ("other.json", json.dumps({"schema_version": "something/9", "runner": {}}).encode()),
    ]


@pytest.mark.parametrize(("name", "content"), _bad_files())
def test_a_bad_file_gives_the_clis_message_and_stores_nothing(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, content: bytes
) -> None:
    page = _upload(browser, name, content)
    assert page.status_code == 400
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    expected = cli_message(browser.database_url, "import-backup", name)
    assert page_message(page.text) == expected
    assert expected.startswith(f"{name}:")
    assert browser.stored(list_runners) == []


def test_a_stored_runner_is_refused_without_merge(
    ready: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    content = ready.get("/backup-file/Ann").content
    before = ready.stored(lambda: gather_report("Ann"))
    page = _upload(ready, "ann.json", content)
    assert page.status_code == 400
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ann.json").write_bytes(content)
    assert page_message(page.text) == cli_message(ready.database_url, "import-backup", "ann.json")
    after = ready.stored(lambda: gather_report("Ann"))
    assert (len(after.runs), len(after.endurance_history)) == (
        len(before.runs),
        len(before.endurance_history),
    )
    merged = _upload(ready, "ann.json", content, merge=True)
    assert merged.status_code == 200 and "Restored runner Ann" in merged.text


def test_no_file_chosen_is_refused(browser: Browser) -> None:
    page = _upload(browser, "", b"")
    assert page.status_code == 400
    assert "no backup file was chosen" in page_message(page.text)


def test_an_upload_over_the_limit_is_refused_as_it_arrives(
    browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "MAX_BACKUP_BYTES", 4096)
    declared = _upload(browser, "big.json", b" " * 8000)  # refused by its Content-Length
    assert declared.status_code == 413
    assert "larger than" in page_message(declared.text)
    token = browser.token()
    boundary = "upright-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\n'
        "Content-Type: application/json\r\n\r\n"
    ).encode()

    def chunks() -> Any:  # no Content-Length: counted while it arrives
        yield head
        for _ in range(8):
            yield b" " * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    streamed = browser.client.post(
        "/import-backup",
        content=chunks(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert streamed.status_code == 413
    assert "larger than" in page_message(streamed.text)
    assert browser.stored(list_runners) == []


def test_import_needs_the_csrf_token(ready: Browser) -> None:
    content = ready.get("/backup-file/Ann").content
    refused = ready.client.post(
        "/import-backup", data={"merge": "yes"}, files={"file": ("a.json", content, "text/plain")}
    )
    assert refused.status_code == 403
    assert len(ready.stored(lambda: gather_report("Ann")).runs) == 1


def test_the_import_form_is_labelled(browser: Browser) -> None:
    page = browser.get("/import-backup")
    assert page.status_code == 200
    assert 'for="backup-file"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert 'href="/import-backup"' in browser.get("/runners").text
