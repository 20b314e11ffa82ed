"""The exercise-clip journey through the page, with the real pose model: a rendered
synthetic front plank (a filled body MediaPipe finds) uploaded to the form-check page,
its job to done, the result page with the good-form seconds the figure was built with,
and the annotated video served by byte ranges."""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from tests.form_cases import rendered_clip
from tests.web.conftest import Browser, make_runner

from upright.services.jobs import JobQueue
from upright.synthetic.exercise import ExerciseSpec
from upright.web import WebSettings, create_app

#: Held from about 2.6 s, form good until the hips sag below the line (0 deg, at
#: 4 + 10/22 * 3 s), lowered at 8 s.
SPEC = ExerciseSpec(
    figure="front_plank",
    duration_s=10.0,
    hold_end_s=8.0,
    offset_knots=((4.0, 10.0), (7.0, -12.0)),
    height_px=420.0,
    image_width_px=960,
    image_height_px=540,
)
#: The pose model's keypoints are not the figure's joint centres (see
#: tests/cli/test_form_rendered.py): times are allowed 1.5 s.
POSE_TOL_S = 1.5


@pytest.fixture
def client(web_settings: WebSettings) -> Iterator[Browser]:
    with TestClient(create_app(web_settings)) as test_client:
        yield Browser(test_client, web_settings.database_url)
    assert multiprocessing.active_children() == [], "a job worker outlived the app"


def _sag_s() -> float:
    t = np.arange(SPEC.reached_s, SPEC.duration_s, 1e-3)
    return float(t[np.argmax(SPEC.offset_at(t) < 0.0)])


@pytest.mark.slow
def test_rendered_plank_clip_through_the_form_check_page(client: Browser, tmp_path: Path) -> None:
    clip, _keypoints = rendered_clip(SPEC, tmp_path, "plank")
    make_runner(client)
    sent = client.client.post(
        "/form-check/Ann",
        data={"csrf_token": client.token(), "exercise": "front_plank"},
        files={"clip": ("my plank.mp4", clip.read_bytes(), "video/mp4")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    job_id = int(sent.headers["location"].rsplit("/", 1)[1])
    queue: JobQueue = client.client.app.state.jobs  # type: ignore[attr-defined]
    done = queue.wait(job_id, timeout_s=900)
    assert done.status == "done", done.message

    page = client.get(f"/jobs/{job_id}")
    assert str(page.url).endswith(f"/form-result/{job_id}")
    text = " ".join(page.text.split())
    assert "in my plank.mp4" in text
    good_form_s = done.result["good_form_s"]  # type: ignore[index]
    assert f"with good form {good_form_s:.1f} s" in text
    expected = _sag_s() - SPEC.reached_s
    assert good_form_s == pytest.approx(expected, abs=POSE_TOL_S)
    assert "Form first lost at" in text and "hips sag" in text

    video = re.search(r'<video id="annotated"[^>]* src="([^"]+)"', page.text)
    assert video is not None, "no annotated video on the page"
    whole = client.get(video.group(1))
    assert whole.status_code == 200 and whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes" and whole.content[4:8] == b"ftyp"
    size = len(whole.content)
    part = client.get(video.group(1), headers={"range": "bytes=0-1023"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 0-1023/{size}"
    assert part.content == whole.content[:1024]
