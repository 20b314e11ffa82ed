"""The watch-file and worn-sensor pages: a FIT/GPX/TCX file or an accelerometer
recording streamed in, read once at submission, measured in a job, its result page with
the plots and the drift of the running measures, and the record stored for the runner
as ``upright import --runner`` / ``upright imu --runner`` store it; a damaged or wrong
file refused with the command line's message, and nothing kept."""

from __future__ import annotations

import json
import multiprocessing
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web._cli import page_message
from tests.web.conftest import Browser, make_runner
from typer.testing import CliRunner

from upright.cli.main import app as cli_app
from upright.services.jobs import JobQueue
from upright.web import WebSettings, create_app

_FIELD = {"/watch-file": "activity", "/sensor": "recording"}


@pytest.fixture
def settings(web_settings: WebSettings) -> WebSettings:
    return web_settings


@pytest.fixture
def client(settings: WebSettings) -> Iterator[Browser]:
    with TestClient(create_app(settings)) as test_client:
        yield Browser(test_client, settings.database_url)
    assert multiprocessing.active_children() == [], "a job worker outlived the app"


def _queue(browser: Browser) -> JobQueue:
    queue: JobQueue = browser.client.app.state.jobs  # type: ignore[attr-defined]
    return queue


def _kept(settings: WebSettings) -> list[Path]:
    """Every file under the uploads folder (hidden .part files too)."""
    root = settings.uploads_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _upload(
    browser: Browser, page: str, content: bytes, name: str, alias: str = "Ann", **fields: str
) -> Any:
    data = {"csrf_token": browser.token(), **fields}
    return browser.client.post(
        f"{page}/{alias}",
        data=data,
        files={_FIELD[page]: (name, content, "application/octet-stream")},
        follow_redirects=False,
    )


def _records(browser: Browser, alias: str) -> list[dict[str, Any]]:
    from upright.services.runner_record import _session
    from upright.store import get_runner, records

    def read() -> list[dict[str, Any]]:
        with _session("test") as session:
            return [
                {"kind": r.kind, "source_name": r.source_name, "summary": dict(r.summary)}
                for r in records(session, get_runner(session, alias))
            ]

    result: list[dict[str, Any]] = browser.stored(read)
    return result


def _cli(database_url: str, *args: str) -> Any:
    return CliRunner().invoke(
        cli_app, list(args), env={"COLUMNS": "300", "UPRIGHT_DATABASE_URL": database_url}
    )


def _cli_message(database_url: str, path: Path, *args: str) -> str:
    """The paragraph ``upright ARGS`` prints (exit 2), naming the file by its name only
    (the page names the upload as it was sent, the command as it was typed)."""
    result = _cli(database_url, *args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    return text.split("upright could not finish.", 1)[1].strip().replace(str(path), path.name)


def _comparable(record: dict[str, Any]) -> dict[str, Any]:
    """A stored record without what differs between two imports of one file: when it was
    made and where the file lay."""
    summary = dict(record["summary"])
    summary.pop("created_utc")
    summary["source"] = {k: v for k, v in summary["source"].items() if k != "file"}
    return {**record, "summary": summary}


def _done(client: Browser, sent: Any) -> tuple[int, Any]:
    assert sent.status_code == 303, sent.text
    job_id = int(sent.headers["location"].rsplit("/", 1)[1])
    done = _queue(client).wait(job_id, timeout_s=120)
    assert done.status == "done", done.message
    return job_id, done


def _figure(page_html: str, chart_id: str) -> dict[str, Any]:
    import html

    match = re.search(rf'id="{chart_id}" data-figure="([^"]*)"', page_html)
    assert match is not None, f"no {chart_id} on the page"
    figure: dict[str, Any] = json.loads(html.unescape(match.group(1)))
    return figure


# ---------------------------------------------------------------- watch files


def test_watch_file_is_imported_shown_and_stored_as_the_command_stores_it(
    client: Browser, settings: WebSettings, shared_data: Path, tmp_path: Path
) -> None:
    fit = shared_data / "fit" / "activity-small-fenix2-run.fit"
    make_runner(client, "Ann")
    make_runner(client, "Bob")
    sent = _upload(client, "/watch-file", fit.read_bytes(), fit.name, pain_onset_km="6")
    job_id, done = _done(client, sent)
    assert done.params["source_name"] == fit.name and done.params["pain_onset_km"] == 6.0

    page = client.get(f"/jobs/{job_id}")  # the job's page sends on to the result
    assert page.status_code == 200 and str(page.url).endswith(f"/run-result/{job_id}")
    text = " ".join(page.text.split())
    assert f"Run from {fit.name}" in text and "Stored as a run record of Ann" in text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # the per-third table and every fatigue sign with its verdict and reason
    stored = _records(client, "Ann")
    assert [r["kind"] for r in stored] == ["run"] and stored[0]["source_name"] == fit.name
    summary = stored[0]["summary"]
    assert f"{summary['distance_km']:.2f} km" in text
    for sign in summary["fatigue_signs"]:
        assert sign["label"] in text and sign["reason"][1:] in text
    assert summary["pain_onset"]["description"] in text
    # the figure: one panel per measure with data, its samples plotted against km
    figure = _figure(page.text, "chart-run")
    names = {t.get("name") for t in figure["data"]}
    assert {"Pace (min/km)", "Cadence (steps/min)", "Stance time (ms)"} <= names
    # the files a page offers
    png = client.get(f"/jobs/{job_id}/files/run.png")
    assert png.status_code == 200 and png.content[:4] == b"\x89PNG"
    splits = client.get(f"/jobs/{job_id}/files/splits_km.csv")
    assert splits.status_code == 200 and splits.text.count("\n") >= 9

    # the command on the same file stores the same record (but for its time and path)
    result = _cli(
        client.database_url,
        "import",
        str(fit),
        "--runner",
        "Bob",
        "--pain-onset-km",
        "6",
        "--out",
        str(tmp_path / "cli-out"),
    )
    assert result.exit_code == 0, result.output
    (by_cli,) = _records(client, "Bob")
    assert _comparable(by_cli) == _comparable(stored[0])


@pytest.mark.parametrize(
    "name",
    [
        "activity-unexpected-eof.fit",  # cut short
        "activity-settings-corruptheader.fit",  # a damaged header
        "garmin-fenix-5-walk.fit",  # a walk, not a run
    ],
)
def test_bad_watch_file_gets_the_commands_message_and_nothing_is_kept(
    client: Browser, settings: WebSettings, shared_data: Path, tmp_path: Path, name: str
) -> None:
    path = shared_data / "fit" / name
    make_runner(client)
    page = _upload(client, "/watch-file", path.read_bytes(), name)
    assert page.status_code == 400
    expected = _cli_message(
        client.database_url, path, "import", str(path), "--runner", "Ann", "--out", str(tmp_path)
    )
    assert page_message(page.text) == expected
    assert _kept(settings) == []
    assert _queue(client).list_jobs() == []
    assert _records(client, "Ann") == []


def test_not_a_watch_file_is_refused_by_its_content(
    client: Browser, settings: WebSettings, shared_data: Path
) -> None:
    make_runner(client)
    csv = (shared_data / "fit" / "garmin-fenix-5-run-records.csv").read_bytes()
    page = _upload(client, "/watch-file", csv, "run.fit")
    assert page.status_code == 400
    assert page_message(page.text).startswith("run.fit: the content is not a watch activity file")
    assert _kept(settings) == [] and _queue(client).list_jobs() == []


def test_both_pain_onsets_are_refused_before_the_file_is_kept(
    client: Browser, settings: WebSettings, shared_data: Path, tmp_path: Path
) -> None:
    fit = shared_data / "fit" / "garmin-fenix-5-run.fit"
    make_runner(client)
    page = _upload(
        client, "/watch-file", fit.read_bytes(), fit.name, pain_onset_km="1", pain_onset_min="5"
    )
    assert page.status_code == 400
    expected = _cli_message(
        client.database_url,
        fit,
        "import",
        str(fit),
        "--pain-onset-km",
        "1",
        "--pain-onset-min",
        "5",
        "--out",
        str(tmp_path),
    )
    assert page_message(page.text) == expected
    assert 'value="5"' in page.text  # the form keeps what was typed
    assert _kept(settings) == [] and _queue(client).list_jobs() == []


def test_a_failure_found_while_measuring_shows_the_paragraph_and_stores_nothing(
    client: Browser, shared_data: Path, tmp_path: Path
) -> None:
    """A pain onset after the end of the run is only known once the run is measured: the
    job fails with the command's paragraph, naming the file as sent."""
    fit = shared_data / "fit" / "garmin-fenix-5-run.fit"
    make_runner(client)
    sent = _upload(client, "/watch-file", fit.read_bytes(), fit.name, pain_onset_km="500")
    assert sent.status_code == 303
    job_id = int(sent.headers["location"].rsplit("/", 1)[1])
    failed = _queue(client).wait(job_id, timeout_s=120)
    assert failed.status == "failed"
    page = client.get(f"/jobs/{job_id}")
    expected = _cli_message(
        client.database_url,
        fit,
        "import",
        str(fit),
        "--pain-onset-km",
        "500",
        "--out",
        str(tmp_path),
    )
    assert page_message(page.text) == expected
    assert 'href="/watch-file/Ann"' in page.text  # upload again
    assert _records(client, "Ann") == []
    assert client.get(f"/run-result/{job_id}", follow_redirects=False).status_code == 303


def test_upload_pages_need_the_token_and_a_known_runner(
    client: Browser, settings: WebSettings, shared_data: Path
) -> None:
    fit = (shared_data / "fit" / "garmin-fenix-5-run.fit").read_bytes()
    make_runner(client)
    for page in ("/watch-file", "/sensor"):
        forged = client.client.post(
            f"{page}/Ann",
            data={"csrf_token": "0" * 64},
            files={_FIELD[page]: ("x", fit, "application/octet-stream")},
            follow_redirects=False,
        )
        assert forged.status_code == 403
        assert client.get(f"{page}/Nobody").status_code == 404
        assert _upload(client, page, fit, "x", alias="Nobody").status_code == 404
    assert _kept(settings) == [] and _queue(client).list_jobs() == []


def test_home_page_links_to_both_upload_pages(client: Browser) -> None:
    make_runner(client)
    home = client.get("/runner/Ann").text
    assert 'href="/watch-file/Ann"' in home and 'href="/sensor/Ann"' in home
    for url in ("/watch-file/Ann", "/sensor/Ann"):
        page = client.get(url)
        assert page.status_code == 200
        for field in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', page.text):
            assert f'for="{field}"' in page.text, f"{url}: {field} has no label"


def test_result_page_of_another_kind_or_no_job_is_not_found(client: Browser) -> None:
    assert client.get("/run-result/99").status_code == 404
    assert client.get("/sensor-result/99").status_code == 404


# ---------------------------------------------------------------- worn sensors


def test_sensor_recording_is_analysed_shown_and_stored_as_the_command_stores_it(
    client: Browser, shared_data: Path, tmp_path: Path
) -> None:
    gz = shared_data / "imu" / "acc_running_left_hip.csv.gz"
    make_runner(client, "Ann")
    make_runner(client, "Bob")
    sent = _upload(client, "/sensor", gz.read_bytes(), gz.name, placement="hip")
    job_id, _done_job = _done(client, sent)
    page = client.get(f"/jobs/{job_id}")
    assert str(page.url).endswith(f"/sensor-result/{job_id}")
    text = " ".join(page.text.split())
    assert "Stored as a sensor record of Ann" in text and "sensor at the hip" in text
    stored = _records(client, "Ann")
    assert [r["kind"] for r in stored] == ["imu"] and stored[0]["source_name"] == gz.name
    summary = stored[0]["summary"]
    assert f"{summary['steps']} steps" in text and summary["activity_reason"] in text
    for sign in summary["fatigue_signs"]:
        assert sign["label"] in text and sign["reason"][1:] in text
    figure = _figure(page.text, "chart-imu")
    assert len(figure["data"]) >= 3  # pitch, cadence, regularity per minute

    result = _cli(
        client.database_url, "imu", str(gz), "--runner", "Bob", "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 0, result.output
    (by_cli,) = _records(client, "Bob")
    assert _comparable(by_cli) == _comparable(stored[0])


def test_bad_sensor_recording_gets_the_commands_message_and_nothing_is_kept(
    client: Browser, settings: WebSettings, shared_data: Path, tmp_path: Path
) -> None:
    """A CSV without acceleration columns passes the type check (it is CSV text) and is
    refused when read, with the command's message."""
    features = shared_data / "imu" / "gaitpy_lumbar_walk_features.csv"
    make_runner(client)
    page = _upload(client, "/sensor", features.read_bytes(), features.name)
    assert page.status_code == 400
    expected = _cli_message(
        client.database_url, features, "imu", str(features), "--out", str(tmp_path)
    )
    assert page_message(page.text) == expected
    assert _kept(settings) == [] and _queue(client).list_jobs() == []
    assert _records(client, "Ann") == []


def test_cut_short_gzip_recording_is_refused_and_nothing_is_kept(
    client: Browser, settings: WebSettings, shared_data: Path
) -> None:
    data = (shared_data / "imu" / "acc_running_left_hip.csv.gz").read_bytes()
    make_runner(client)
    page = _upload(client, "/sensor", data[: len(data) // 2], "cut.csv.gz")
    assert page.status_code == 400
    assert page_message(page.text).startswith("cut.csv.gz: the gzip file is damaged")
    assert _kept(settings) == [] and _queue(client).list_jobs() == []


def test_half_a_still_interval_is_refused_as_the_command_refuses_it(
    client: Browser, settings: WebSettings, shared_data: Path, tmp_path: Path
) -> None:
    gz = shared_data / "imu" / "acc_running_left_hip.csv.gz"
    make_runner(client)
    page = _upload(client, "/sensor", gz.read_bytes(), gz.name, still_from="10")
    assert page.status_code == 400
    expected = _cli_message(
        client.database_url, gz, "imu", str(gz), "--still-from", "10", "--out", str(tmp_path)
    )
    assert page_message(page.text) == expected
    assert _kept(settings) == [] and _queue(client).list_jobs() == []
