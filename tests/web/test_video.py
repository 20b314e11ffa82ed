"""The clip pages: a running clip streamed in as an upload, its job, the job's page with
the progress bar, the analysis page with the annotated video served by byte ranges, a
failed job's paragraph, clips of one run compared; every bad upload refused with the
command line's kind of message, and nothing kept."""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from tests.upload_streams import small_clip
from tests.web._cli import page_message
from tests.web.conftest import Browser, app_settings, make_runner

from upright.io.keypoints import write_keypoints_netcdf
from upright.io.video import VideoWriter
from upright.services.jobs import JobQueue
from upright.synthetic.runner import RunnerSpec, simulate_run
from upright.web import WebSettings, create_app

LIMIT_BYTES = 64 * 1024
DURATION_S = 10.0
TOO_BIG = "the upload is larger than the limit"


@pytest.fixture
def settings(new_database: Callable[..., str], tmp_path: Path) -> WebSettings:
    return app_settings(new_database, tmp_path, max_upload_bytes=LIMIT_BYTES)


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


def _upload(browser: Browser, content: bytes, name: str = "run.mp4", **fields: str) -> object:
    data = {"csrf_token": browser.token(), **fields}
    return browser.client.post(
        "/video/Ann",
        data=data,
        files={"clip": (name, content, "video/mp4")},
        follow_redirects=False,
    )


@pytest.fixture(scope="module")
def keypoints(tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = simulate_run(RunnerSpec(duration_s=DURATION_S, cadence_spm=170.0))
    path = tmp_path_factory.mktemp("kp") / "synthetic.nc"
    write_keypoints_netcdf(run.ds, path)
    return path


@pytest.fixture(scope="module")
def grey_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A grey clip with as many frames (300 at 30 fps) as the synthetic keypoints."""
    path = tmp_path_factory.mktemp("clip") / "matching.mp4"
    with VideoWriter(path, width_px=64, height_px=48, fps=30, preset="ultrafast") as writer:
        for _ in range(round(DURATION_S * 30)):
            writer.write(np.full((48, 64, 3), 128, dtype=np.uint8))
    return path


# ---------------------------------------------------------------- bad uploads


@pytest.mark.parametrize(
    ("content", "name", "problem"),
    [
        (b"these are my notes, not a video\n" * 20, "notes.mp4", "the content is not a video"),
        (b"", "empty.mp4", "the upload is empty (0 bytes)"),
        (
            b"\x00\x00\x00\x18ftypmp42" + bytes(LIMIT_BYTES),
            "big.mp4",
            "the upload is larger than the limit of 64 kB",
        ),
    ],
)
def test_bad_upload_is_refused_and_nothing_is_kept(
    client: Browser, settings: WebSettings, content: bytes, name: str, problem: str
) -> None:
    make_runner(client)
    page = _upload(client, content, name)
    assert page.status_code == 400  # type: ignore[attr-defined]
    message = page_message(page.text)  # type: ignore[attr-defined]
    assert message.startswith(f"{name}: {problem}"), message
    assert _kept(settings) == []
    assert _queue(client).list_jobs() == []


def test_bad_setting_is_refused_before_the_clip_is_kept(
    client: Browser, settings: WebSettings, tmp_path: Path
) -> None:
    make_runner(client)
    clip = small_clip(tmp_path / "c.mp4").read_bytes()
    page = _upload(client, clip, height_cm="12")
    assert page.status_code == 400  # type: ignore[attr-defined]
    assert "height_cm" in page_message(page.text)  # type: ignore[attr-defined]
    assert 'value="12"' in page.text  # type: ignore[attr-defined]  # the form keeps it
    assert _kept(settings) == []
    assert _queue(client).list_jobs() == []


def test_upload_without_the_token_before_the_file_is_forbidden(
    client: Browser, settings: WebSettings, tmp_path: Path
) -> None:
    make_runner(client)
    clip = small_clip(tmp_path / "c.mp4").read_bytes()
    no_token = client.client.post(
        "/video/Ann", files={"clip": ("run.mp4", clip, "video/mp4")}, follow_redirects=False
    )
    wrong = client.client.post(
        "/video/Ann",
        data={"csrf_token": "0" * 64},
        files={"clip": ("run.mp4", clip, "video/mp4")},
        follow_redirects=False,
    )
    assert no_token.status_code == wrong.status_code == 403
    assert _kept(settings) == []
    assert _queue(client).list_jobs() == []


def test_upload_for_an_unknown_runner_is_not_found(client: Browser, tmp_path: Path) -> None:
    clip = small_clip(tmp_path / "c.mp4").read_bytes()
    assert _upload(client, clip).status_code == 404  # type: ignore[attr-defined]


# ---------------------------------------------------------------- a clip's job


def test_uploaded_clip_runs_as_a_job_and_a_failure_shows_the_paragraph(
    client: Browser, settings: WebSettings, tmp_path: Path
) -> None:
    """A grey bar is no runner: the job fails with the command line's paragraph, which
    names the clip as it was sent; the upload is kept once, under its hash."""
    make_runner(client)
    clip = small_clip(tmp_path / "c.mp4", n_frames=25).read_bytes()
    sent = _upload(client, clip, name="my run.mp4", setting="treadmill")
    assert sent.status_code == 303  # type: ignore[attr-defined]
    job_url = sent.headers["location"]  # type: ignore[attr-defined]
    job_id = int(job_url.rsplit("/", 1)[1])
    kept = _kept(settings)
    assert [p.parent.name for p in kept] == ["video"] and kept[0].read_bytes() == clip
    waiting = client.get(job_url)
    assert waiting.status_code == 200
    done = _queue(client).wait(job_id, timeout_s=300)
    assert done.status == "failed" and done.params["setting"] == "treadmill"
    page = client.get(job_url)
    assert page_message(page.text).startswith("my run.mp4"), page.text
    assert done.message is not None and done.message in " ".join(page.text.split())
    again = client.get(job_url)  # a reload finds the same job
    assert page_message(again.text) == page_message(page.text)
    progress = client.get(f"/jobs/{job_id}/progress")
    assert progress.status_code == 204 and progress.headers["hx-redirect"].endswith(job_url)


def _analysed(client: Browser, keypoints: Path, clip: Path, name: str) -> int:
    job = _queue(client).submit(
        "analyze",
        {"keypoints": str(keypoints), "video": str(clip), "source_name": name},
        runner="Ann",
    )
    done = _queue(client).wait(job.id, timeout_s=300)
    assert done.status == "done", done.message
    return job.id


def test_analysis_page_plays_the_annotated_video_by_ranges(
    client: Browser, keypoints: Path, grey_clip: Path
) -> None:
    make_runner(client)
    job_id = _analysed(client, keypoints, grey_clip, "early.mp4")
    opened = client.get(f"/jobs/{job_id}", follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"] == f"/analysis/{job_id}"
    page = client.get(f"/analysis/{job_id}")
    assert page.status_code == 200
    assert "'unsafe-inline'" in page.headers["content-security-policy"]  # plotly's styles
    assert "<script>" not in page.text
    video = re.search(r'<video id="annotated"[^>]* src="([^"]+)"', page.text)
    assert video is not None
    assert 'data-figure="' in page.text and "Quality checks" in page.text
    assert "SYNTHETIC FIGURE" in page.text  # the summary says it is no person
    whole = client.get(video.group(1))
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    size = len(whole.content)
    part = client.get(video.group(1), headers={"range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{size}"
    assert part.content == whole.content[100:1100]
    tail = client.get(video.group(1), headers={"range": f"bytes={size - 10}-"})
    assert tail.status_code == 206 and tail.content == whole.content[-10:]
    beyond = client.get(video.group(1), headers={"range": f"bytes={size + 10}-"})
    assert beyond.status_code == 416
    assert client.get(f"/jobs/{job_id}/files/keypoints.nc").status_code == 404
    assert client.get(f"/jobs/{job_id}/files/..%2Fweb.db").status_code == 404


def test_job_page_after_a_restart_finds_the_result(
    settings: WebSettings, keypoints: Path, grey_clip: Path
) -> None:
    with TestClient(create_app(settings)) as test_client:
        first = Browser(test_client, settings.database_url)
        make_runner(first)
        job_id = _analysed(first, keypoints, grey_clip, "early.mp4")
    with TestClient(create_app(settings)) as test_client:
        page = test_client.get(f"/jobs/{job_id}")
        assert page.status_code == 200 and "Running posture in early.mp4" in page.text
        listed = test_client.get("/video/Ann")
        assert f'/analysis/{job_id}"' in listed.text
    assert multiprocessing.active_children() == []


def test_clips_of_one_run_are_compared_by_distance(
    client: Browser, keypoints: Path, grey_clip: Path
) -> None:
    make_runner(client)
    first = _analysed(client, keypoints, grey_clip, "early.mp4")
    second = _analysed(client, keypoints, grey_clip, "late.mp4")
    form = {f"use.{first}": "yes", f"at.{first}": "2", f"use.{second}": "yes"}
    missing = client.post("/compare/Ann", form)
    assert missing.status_code == 200 or missing.status_code == 400
    assert "no point of the run given for late.mp4" in page_message(missing.text)
    page = client.post("/compare/Ann", {**form, f"at.{second}": "8"})
    assert page.status_code == 200, page.text
    assert "Posture across 2 clips of one run" in page.text
    assert "early.mp4 at 2 km" in page.text and "late.mp4 at 8 km" in page.text
    assert "same recording" in page.text  # the same bytes twice is said to be a mistake
    one = client.post("/compare/Ann", {f"use.{first}": "yes", f"at.{first}": "2"})
    assert "a comparison needs at least 2" in page_message(one.text)


def test_form_check_result_page(client: Browser, tmp_path: Path) -> None:
    """A form job (the plank's keypoints) -> the page: good-form seconds, per-second
    verdicts, the angle chart; the form upload page lists it."""
    from tests.form_cases import plank, save

    make_runner(client)
    keypoints = save(plank(), tmp_path / "plank.nc")
    job = _queue(client).submit(
        "form",
        {"keypoints": str(keypoints), "exercise": "front_plank", "source_name": "plank.nc"},
        runner="Ann",
    )
    done = _queue(client).wait(job.id, timeout_s=300)
    assert done.status == "done", done.message
    page = client.get(f"/jobs/{job.id}")
    assert page.status_code == 200 and "in plank.nc" in page.text
    held = f"with good form {done.result['good_form_s']:.1f} s"  # type: ignore[index]
    assert held in page.text
    assert "Second by second" in page.text and 'id="chart-form" data-figure="' in page.text
    assert "<video" not in page.text  # keypoints only: no annotated video
    assert f'/form-result/{job.id}"' in client.get("/form-check/Ann").text
