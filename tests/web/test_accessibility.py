"""Every page of the app read by an HTML parser, for what a screen reader or a keyboard
needs: each form field has a label, each page one h1, a language, a title; images have
alt text, buttons have text, and nothing jumps the Tab order (no positive tabindex).

The pages are those of a runner with a check-up, a plan, logs, endurance results, a
finished clip analysis and a finished form check, and the pages reached by a form (the
check-up's second page, the stop page, a logged session, a comparison of clips).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from upright.io.keypoints import write_keypoints_netcdf
from upright.io.video import VideoWriter
from upright.services.jobs import JobQueue
from upright.services.report import gather_report
from upright.synthetic.runner import RunnerSpec, simulate_run
from upright.web import WebSettings, create_app

from .conftest import Browser, clear_checkup, make_runner, red_flag_form

_FIELDS = {"input", "select", "textarea"}
_UNLABELLED_INPUTS = {"hidden", "submit", "button", "reset", "image"}
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)
    labels: int = 0  # how many open <label> elements enclose it


class _Audit(HTMLParser):
    """Collects what the checks need in one pass over a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Node] = []
        self.fields: list[_Node] = []
        self.label_for: set[str] = set()
        self.ids: set[str] = set()
        self.repeated_ids: set[str] = set()
        self.field_ids: set[str] = set()
        self.h1: list[str] = []
        self.html_lang: str | None = None
        self.title: list[str] = []
        self.images: list[dict[str, str]] = []
        self.buttons: list[tuple[dict[str, str], str]] = []
        self.tabindex: list[str] = []
        self._title_open = False

    def _open_labels(self) -> int:
        return sum(1 for n in self.stack if n.tag == "label")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if "id" in a:
            if a["id"] in self.ids:
                self.repeated_ids.add(a["id"])
            self.ids.add(a["id"])
            if tag in _FIELDS:
                self.field_ids.add(a["id"])
        if "tabindex" in a:
            self.tabindex.append(a["tabindex"])
        if tag == "html":
            self.html_lang = a.get("lang")
        elif tag == "title":
            self._title_open = True
        elif tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        elif tag == "img":
            self.images.append(a)
        node = _Node(tag, a, labels=self._open_labels())
        if tag in _FIELDS:
            self.fields.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._title_open = False
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                node = self.stack.pop(i)
                del self.stack[i:]
                text = " ".join("".join(node.text).split())
                if tag == "h1":
                    self.h1.append(text)
                elif tag == "button":
                    self.buttons.append((node.attrs, text))
                if self.stack:
                    self.stack[-1].text.append(" " + text + " ")
                return

    def handle_data(self, data: str) -> None:
        if self._title_open:
            self.title.append(data)
        if self.stack:
            self.stack[-1].text.append(data)


def problems(page: str) -> list[str]:
    """What the page lacks, one line each (empty when it passes)."""
    audit = _Audit()
    audit.feed(page)
    audit.close()
    out: list[str] = []
    if not audit.html_lang:
        out.append("<html> has no lang attribute")
    if not "".join(audit.title).strip():
        out.append("no <title>")
    if len(audit.h1) != 1:
        out.append(f"{len(audit.h1)} h1 elements: {audit.h1}")
    for node in audit.fields:
        a = node.attrs
        if node.tag == "input" and a.get("type", "text") in _UNLABELLED_INPUTS:
            continue
        named = a.get("aria-label", "").strip() or any(
            ref in audit.ids for ref in a.get("aria-labelledby", "").split()
        )
        if not (named or node.labels or a.get("id") in audit.label_for):
            out.append(f"unlabelled <{node.tag} {a}>")
    for ref in sorted(audit.label_for - audit.field_ids):
        out.append(f"<label for={ref!r}> names no field")
    out += [f"id {ref!r} used twice" for ref in sorted(audit.repeated_ids)]
    for img in audit.images:
        if "alt" not in img:
            out.append(f"<img> without alt: {img}")
    for attrs, text in audit.buttons:
        if not (text or attrs.get("aria-label", "").strip()):
            out.append(f"<button> without text: {attrs}")
    out += [f"positive tabindex {t}" for t in audit.tabindex if t.strip().lstrip("+").isdigit()
            and int(t) > 0]  # fmt: skip
    return out


# ----------------------------------------------------------------- the checker itself


@pytest.mark.parametrize(
    ("page", "found"),
    [
        ('<input id="a">', "unlabelled <input"),
        ('<label for="b">B</label><input id="a">', "unlabelled <input"),
        ("<select name=s></select>", "unlabelled <select"),
        ('<img src="x.png">', "<img> without alt"),
        ('<button type="submit"> </button>', "<button> without text"),
        ('<a href="/" tabindex="2">x</a>', "positive tabindex 2"),
        ("<h1>one</h1><h1>two</h1>", "2 h1 elements"),
        ('<label for="b">B</label><input id="a" aria-label="A">', "<label for='b'> names"),
        ('<p id="a"></p><input id="a" aria-label="A">', "id 'a' used twice"),
    ],
)
def test_the_checker_finds_each_problem(page: str, found: str) -> None:
    whole = f'<html lang="en"><head><title>t</title></head><body><h1>h</h1>{page}</body></html>'
    if "h1 elements" in found:
        whole = whole.replace("<h1>h</h1>", "")
    assert any(p.startswith(found) for p in problems(whole)), problems(whole)


def test_the_checker_accepts_each_way_of_labelling() -> None:
    page = (
        '<html lang="en"><head><title>t</title></head><body><h1>h</h1>'
        '<label for="a">A</label><input id="a">'
        "<label>B <select name=b><option>1</option></select></label>"
        '<textarea aria-label="C"></textarea>'
        '<span id="d-name">D</span><input aria-labelledby="d-name">'
        '<input type="hidden" name="t"><input type="submit" value="Go">'
        '<img src="x.png" alt=""><button><img src="y.png" alt="">Go</button>'
        '<a href="/" tabindex="-1">x</a><a href="/" tabindex="0">y</a></body></html>'
    )
    assert problems(page) == []


# ----------------------------------------------------------------- the app's pages

DURATION_S = 10.0


@pytest.fixture(scope="module")
def analysis_inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Synthetic keypoints and a grey clip with as many frames (300 at 30 fps)."""
    folder = tmp_path_factory.mktemp("inputs")
    keypoints = folder / "synthetic.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=DURATION_S)).ds, keypoints)
    clip = folder / "grey.mp4"
    with VideoWriter(clip, width_px=64, height_px=48, fps=30, preset="ultrafast") as writer:
        for _ in range(round(DURATION_S * 30)):
            writer.write(np.full((48, 64, 3), 128, dtype=np.uint8))
    return keypoints, clip


@pytest.fixture
def pages(
    web_settings: WebSettings, tmp_path: Path, analysis_inputs: tuple[Path, Path]
) -> Iterator[dict[str, str]]:
    """Every page of the app as HTML, by a name saying which page it is."""
    from tests.form_cases import plank, save

    with TestClient(create_app(web_settings)) as client:
        b = Browser(client, web_settings.database_url)
        out: dict[str, str] = {}

        def get(name: str, path: str) -> None:
            response = b.get(path)
            assert response.status_code == 200, (path, response.status_code)
            out[name] = response.text

        get("runners (none yet)", "/runners")
        make_runner(b, sex="female", height_cm="168")
        get("home (new runner)", "/runner/Ann")
        get("check-up, red flags", "/checkup/Ann")
        details = b.post("/checkup/Ann", red_flag_form("no"))
        out["check-up, details"] = details.text
        done = clear_checkup(b, **{"en.flexor": "80", "en.extensor": "60"})
        assert done.status_code == 200
        get("triage", "/triage/Ann")
        plan = b.stored(lambda: gather_report("Ann")).plan
        first = plan.sessions[0].exercises[0].key
        session = b.post(
            "/log/session/Ann",
            {f"ex.{first}": "5", "form": "good", "pain_during": "1", "pain_next_morning": "1"},
        )
        assert "stored (stage 1)" in session.text, session.text
        out["session logged"] = session.text
        out["run logged"] = b.post("/log/run/Ann", {"distance_km": "6", "pain_during": "2"}).text
        keypoints, clip = analysis_inputs
        queue: JobQueue = client.app.state.jobs  # type: ignore[attr-defined]
        jobs = [
            queue.submit(
                "analyze",
                {"keypoints": str(keypoints), "video": str(clip), "source_name": name},
                runner="Ann",
            ).id
            for name in ("early.mp4", "late.mp4")
        ]
        plank_kp = save(plank(), tmp_path / "plank.nc")
        form_job = queue.submit(
            "form",
            {"keypoints": str(plank_kp), "exercise": "front_plank", "source_name": "plank.nc"},
            runner="Ann",
        ).id
        for job in (*jobs, form_job):
            assert queue.wait(job, timeout_s=300).status == "done"
        for name, path in {
            "runners": "/runners",
            "home (a history)": "/runner/Ann",
            "clearance": "/clearance/Ann",
            "tests": "/tests/Ann",
            "live form check": "/form/live",
            "live form check, runner": "/form/live/Ann",
            "log a session": "/log/session/Ann",
            "log a run": "/log/run/Ann",
            "plan": "/plan/Ann",
            "report": "/report/Ann",
            "backup": "/backup/Ann",
            "import a backup": "/import-backup",
            "video upload": "/video/Ann",
            "form-check upload": "/form-check/Ann",
            "analysis": f"/analysis/{jobs[0]}",
            "form result": f"/form-result/{form_job}",
            "not found": "/runner/Nobody",
        }.items():
            response = b.get(path)
            assert response.status_code == (404 if name == "not found" else 200), path
            out[name] = response.text
        out["compare"] = b.post(
            "/compare/Ann",
            {f"use.{jobs[0]}": "yes", f"at.{jobs[0]}": "2", f"use.{jobs[1]}": "yes",
             f"at.{jobs[1]}": "8"},
        ).text  # fmt: skip
        out["a refused form"] = b.post("/log/run/Ann", {"distance_km": "-1"}).text
        make_runner(b, "Bo")
        emergency = red_flag_form("no", saddle_numbness="yes")
        stop = b.post("/checkup/Bo", emergency)
        out["stop"] = stop.text
        yield out


def test_every_page_is_labelled_titled_and_in_tab_order(pages: dict[str, str]) -> None:
    assert "STOP" in pages["stop"].upper() and "Posture across 2 clips" in pages["compare"]
    assert 'class="error"' in pages["a refused form"]
    found = {name: problems(html) for name, html in pages.items()}
    assert {name: p for name, p in found.items() if p} == {}


def test_every_page_names_its_title_after_what_it_shows(pages: dict[str, str]) -> None:
    """Titles tell the tabs apart: no two different pages share one."""
    titles: dict[str, str] = {}
    for name, html in pages.items():
        match = re.search(r"<title>(.*?)</title>", html, re.S)
        assert match is not None, name
        titles[name] = " ".join(match.group(1).split())
    assert all(t != "upright · upright" for t in titles.values()), titles
