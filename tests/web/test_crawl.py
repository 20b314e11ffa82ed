"""Every link the app prints leads somewhere: a breadth-first crawl from "/" of the demo
runner's app (as ``upright serve --demo`` serves it) and of a clinic signed in as its admin.

Each same-origin URL an HTML page names (``<a href>``, ``<link href>``, and the ``src`` of
``<script>``, ``<img>``, ``<video>``, ``<source>``, ``<iframe>``) is read with GET, up to
:data:`LIMIT` URLs: no answer is a server error, no printed link is a 404, and every HTML
page carries the Content-Security-Policy header. SQLite only (the crawl reads; the
database behind it is not what it tests).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import numpy as np
from fastapi.testclient import TestClient

from upright.io.keypoints import write_keypoints_netcdf
from upright.io.video import VideoWriter
from upright.services.demo_database import build_demo_database
from upright.services.demo_journey import DEMO_ALIAS
from upright.services.jobs import JobQueue
from upright.synthetic.runner import RunnerSpec, simulate_run
from upright.web import WebSettings, create_app

from ._clinic import OTHER, OWN, clinic_app

ORIGIN = "http://testserver"
LIMIT = 300
DURATION_S = 10.0
_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
#: The attribute that names a URL, per element the crawl follows.
_URL_ATTRS = {
    "a": "href",
    "link": "href",
    "script": "src",
    "img": "src",
    "video": "src",
    "source": "src",
    "iframe": "src",
}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = _URL_ATTRS.get(tag)
        value = dict(attrs).get(name) if name else None
        if value:
            self.urls.append(value)


def links(page: str, base: str) -> list[str]:
    """The same-origin URLs (path and query) ``page`` names, read at ``base``."""
    parser = _Links()
    parser.feed(page)
    parser.close()
    out = []
    for raw in parser.urls:
        url = urldefrag(urljoin(base, raw.strip())).url
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == ORIGIN:
            out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


@dataclass
class Crawl:
    """What a crawl read: each URL's status, and where each was first printed."""

    status: dict[str, int] = field(default_factory=dict)
    found_on: dict[str, str] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    dead_links: list[str] = field(default_factory=list)  # printed, then refused or not found
    no_csp: list[str] = field(default_factory=list)


def crawl(get: Callable[[str], object], start: str = "/", limit: int = LIMIT) -> Crawl:
    """Breadth-first from ``start``, GET only, at most ``limit`` URLs read."""
    seen = Crawl()
    queue: deque[str] = deque([start])
    queued = {start}
    while queue and len(seen.status) < limit:
        path = queue.popleft()
        response = get(path)
        code = response.status_code  # type: ignore[attr-defined]
        seen.status[path] = code
        where = f"{path} (printed on {seen.found_on.get(path, 'nothing: the start')})"
        if code >= 500:
            seen.server_errors.append(f"{code} {where}")
        elif code in (403, 404) and path != start:
            seen.dead_links.append(where)
        headers = response.headers  # type: ignore[attr-defined]
        html = headers.get("content-type", "").startswith("text/html")
        if html and "content-security-policy" not in headers:
            seen.no_csp.append(path)
        if 300 <= code < 400:
            printed = [urljoin(ORIGIN + path, headers.get("location", ""))]
            note = f"{path} (a redirect)"
        elif html:
            printed = links(response.text, ORIGIN + path)  # type: ignore[attr-defined]
            note = path
        else:
            continue
        for link in printed:
            parts = urlsplit(link)
            if parts.netloc and f"{parts.scheme}://{parts.netloc}" != ORIGIN:
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in queued:
                queued.add(link)
                seen.found_on[link] = note
                queue.append(link)
    return seen


def assert_sound(result: Crawl) -> None:
    assert result.server_errors == []
    assert result.dead_links == []
    assert result.no_csp == []


# ----------------------------------------------------------------- the crawler itself


def test_links_keep_this_origin_and_drop_fragments() -> None:
    page = (
        '<a href="/runner/Ann#plan">a</a><a href="plan/Ann?x=1">b</a>'
        '<a href="https://example.org/x">c</a><a href="mailto:a@b.c">d</a>'
        '<link rel="stylesheet" href="/static/app.css"><script src="/static/app.js"></script>'
        '<img src="/jobs/3/files/still.png" alt=""><iframe src="/report-frame/Ann"></iframe>'
        '<video src="/jobs/3/files/a.mp4"></video><a>no href</a>'
    )
    assert links(page, ORIGIN + "/runners") == [
        "/runner/Ann",
        "/plan/Ann?x=1",
        "/static/app.css",
        "/static/app.js",
        "/jobs/3/files/still.png",
        "/report-frame/Ann",
        "/jobs/3/files/a.mp4",
    ]


def test_the_crawl_reports_dead_links_errors_and_pages_without_a_policy() -> None:
    @dataclass
    class Answer:
        status_code: int
        text: str = ""
        headers: dict[str, str] = field(default_factory=dict)

    html = {"content-type": "text/html; charset=utf-8", "content-security-policy": "x"}
    site = {
        "/": Answer(200, '<a href="/a">a</a><a href="/b">b</a><a href="/c">c</a>', html),
        "/a": Answer(500, "", html),
        "/b": Answer(404, "", html),
        "/c": Answer(200, '<a href="/">home</a><a href="/d">d</a>', {"content-type": "text/html"}),
        "/d": Answer(403, "", html),
    }
    result = crawl(lambda path: site[path])
    assert result.server_errors == ["500 /a (printed on /)"]
    assert result.dead_links == ["/b (printed on /)", "/d (printed on /c)"]
    assert result.no_csp == ["/c"]
    assert list(result.status) == ["/", "/a", "/b", "/c", "/d"]
    assert len(crawl(lambda path: site[path], limit=2).status) == 2


# ----------------------------------------------------------------- the app's pages


def _finished_jobs(client: TestClient, folder: Path) -> list[str]:
    """A clip analysis, a form check, a watch file and a worn-sensor recording of the demo
    runner, each run to its end by the app's queue (the last two when the shared
    recordings are here); the result pages they lead to."""
    from tests.conftest import REPO_ROOT
    from tests.form_cases import plank, save

    folder.mkdir(parents=True)
    keypoints = folder / "synthetic.nc"
    write_keypoints_netcdf(simulate_run(RunnerSpec(duration_s=DURATION_S)).ds, keypoints)
    clip = folder / "grey.mp4"
    with VideoWriter(clip, width_px=64, height_px=48, fps=30, preset="ultrafast") as writer:
        for _ in range(round(DURATION_S * 30)):
            writer.write(np.full((48, 64, 3), 128, dtype=np.uint8))
    queue: JobQueue = client.app.state.jobs  # type: ignore[attr-defined]
    params = {"keypoints": str(keypoints), "video": str(clip), "source_name": "early.mp4"}
    form = {"keypoints": str(save(plank(), folder / "plank.nc")), "exercise": "front_plank"}
    jobs = [
        queue.submit("analyze", params, runner=DEMO_ALIAS).id,
        queue.submit("form", {**form, "source_name": "plank.nc"}, runner=DEMO_ALIAS).id,
    ]
    shared = REPO_ROOT.parent / "shared" / "data"
    token = _TOKEN.search(client.get(f"/watch-file/{DEMO_ALIAS}").text)
    assert token is not None
    for page, name, path in [
        ("watch-file", "activity", shared / "fit" / "activity-small-fenix2-run.fit"),
        ("sensor", "recording", shared / "imu" / "acc_running_left_hip.csv.gz"),
    ]:
        if not path.is_file():
            continue
        sent = client.post(
            f"/{page}/{DEMO_ALIAS}",
            data={"csrf_token": token.group(1)},
            files={name: (path.name, path.read_bytes(), "application/octet-stream")},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        jobs.append(int(sent.headers["location"].rsplit("/", 1)[1]))
    for job in jobs:
        done = queue.wait(job, timeout_s=300)
        assert done.status == "done", done.message
    return [urlsplit(str(client.get(f"/jobs/{job}").url)).path for job in jobs]


def test_every_link_of_the_demo_app_leads_to_a_page(tmp_path: Path) -> None:
    """The demo runner's three weeks (check-up, plan, logs, clips) as --demo serves them,
    with finished jobs of each kind."""
    folder = tmp_path / "data"
    database = build_demo_database(folder / "demo", duration_s=10, today=dt.date.today())
    settings = WebSettings(
        data_dir=folder,
        database_url=f"sqlite:///{database}",
        work_dir=folder / "demo",
        demo=True,
    )
    with TestClient(create_app(settings)) as client:
        results = _finished_jobs(client, tmp_path / "inputs")
        result = crawl(client.get)
    assert_sound(result)
    read = set(result.status)
    pages = {"/runners", f"/runner/{DEMO_ALIAS}", f"/plan/{DEMO_ALIAS}", *results}
    assert pages <= read, sorted(pages - read)
    assert len(read) >= 40, sorted(read)


def test_every_link_the_clinic_shows_each_account_leads_to_a_page(tmp_path: Path) -> None:
    """The seeded clinic (two therapists' runners, finished and failed jobs) crawled by
    its admin, a therapist, a runner and someone not signed in: what each is shown, each
    may open (no 403 or 404 behind a printed link)."""
    with clinic_app(tmp_path, f"sqlite:///{tmp_path / 'clinic.db'}") as clinic:
        results = {role: crawl(visitor.get) for role, visitor in clinic.visitors.items()}
        jobs = clinic.jobs.by_runner
    found = {
        role: problem
        for role, result in results.items()
        if (problem := result.server_errors + result.dead_links + result.no_csp)
    }
    assert found == {}
    admin = set(results["admin"].status)
    ann = {f"/runner/{OWN}", f"/form-check/{OWN}", f"/sensor/{OWN}", f"/jobs/{jobs[OWN]['imu']}"}
    assert {"/admin", "/admin/audit", f"/runner/{OTHER}", *ann} <= admin, sorted(admin)
    assert ann <= set(results["therapist"].status) and ann <= set(results["runner"].status)
    assert not any(OTHER in url for url in results["runner"].status)
    anonymous = results["anonymous"].status  # sent to sign in from every page but that one
    assert {u: c for u, c in anonymous.items() if not u.startswith(("/static/", "/login"))} == {
        "/": 303,
        "/runners": 303,
    }
    assert anonymous["/login?next=%2Frunners"] == 200
