"""Tests of the headless-Chromium and PDF helpers in ``tests/_browser.py``.

Tests that need Chromium skip without it (and fail under ``CI``); the PDF tests need
only pypdfium2 and reportlab.
"""

from __future__ import annotations

import re
import stat
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from _browser import (
    MISSING_CHROMIUM,
    ChromiumError,
    dump_dom,
    find_chromium,
    image_stats,
    pdf_to_pngs,
    require_chromium,
    screenshot,
)

PAGE_WITH_SCRIPT = """<!doctype html>
<html><head><meta charset="utf-8"><title>js</title></head>
<body><h1>static</h1>
<script>
  const div = document.createElement("div");
  div.id = "made-by-js";
  div.textContent = "made " + (6 * 7);
  document.body.appendChild(div);
</script>
</body></html>
"""


def _fake_executable(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


# --- finding Chromium (no browser needed) --------------------------------------------


def test_find_chromium_looks_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert find_chromium() is None
    fake = _fake_executable(tmp_path / "bin", "chromium-browser", "exit 0")
    monkeypatch.setenv("PATH", str(fake.parent))
    assert find_chromium() == str(fake)


def test_require_chromium_skips_without_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=re.escape(MISSING_CHROMIUM)):
        require_chromium()


def test_require_chromium_fails_under_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=re.escape(MISSING_CHROMIUM)):
        require_chromium()


def test_chromium_failure_reports_its_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fake_executable(tmp_path / "bin", "chromium", "echo 'cannot open display: boom' >&2; exit 3")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    page = tmp_path / "page.html"
    page.write_text(PAGE_WITH_SCRIPT)
    with pytest.raises(ChromiumError, match=r"code 3:\n.*cannot open display: boom"):
        dump_dom(page)


def test_chromium_that_hangs_is_killed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_executable(tmp_path / "bin", "chromium", "echo started >&2; exec /bin/sleep 60")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    page = tmp_path / "page.html"
    page.write_text(PAGE_WITH_SCRIPT)
    with pytest.raises(ChromiumError, match=r"longer than 1 s and was killed:\nstarted"):
        dump_dom(page, timeout_s=1)


def test_missing_page_is_reported_before_starting_chromium(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        dump_dom(tmp_path / "absent.html")


# --- real Chromium --------------------------------------------------------------------


def test_dump_dom_has_what_page_javascript_made(tmp_path: Path) -> None:
    require_chromium()
    page = tmp_path / "page.html"
    page.write_text(PAGE_WITH_SCRIPT)
    dom = dump_dom(page)
    assert "<h1>static</h1>" in dom
    assert '<div id="made-by-js">made 42</div>' in dom


def test_page_cannot_load_scripts_from_a_cdn(tmp_path: Path) -> None:
    """A report that relied on plotly.js from its CDN would show no plots offline."""
    require_chromium()
    page = tmp_path / "cdn.html"
    page.write_text(
        "<!doctype html><html><body>"
        '<script src="https://cdn.plot.ly/plotly-2.35.2.min.js"></script>'
        "<script>"
        'const p = document.createElement("p"); p.id = "plotly-check";'
        'p.textContent = "Plotly " + (typeof window.Plotly);'
        "document.body.appendChild(p);"
        "</script></body></html>"
    )
    dom = dump_dom(page)
    assert '<p id="plotly-check">Plotly undefined</p>' in dom


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 serving a script; yields its URL and the paths asked for."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            body = b'window.loadedFromNetwork = "yes";'
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_page_cannot_reach_even_a_server_on_this_machine(
    tmp_path: Path, local_server: tuple[str, list[str]]
) -> None:
    """The network is cut in Chromium itself, not just missing from the machine."""
    require_chromium()
    url, requests = local_server
    port = url.rsplit(":", 1)[1]
    # the server does answer (so its silence below means something)
    with urllib.request.urlopen(f"{url}/probe.js", timeout=5) as response:
        assert response.read().startswith(b"window.loadedFromNetwork")
    assert requests == ["/probe.js"]

    page = tmp_path / "net.html"
    page.write_text(
        "<!doctype html><html><body>"
        f'<script src="{url}/by-ip.js"></script>'
        f'<script src="http://localhost:{port}/by-name.js"></script>'
        "<script>"
        'const p = document.createElement("p"); p.id = "net-check";'
        'p.textContent = "network " + (window.loadedFromNetwork || "no");'
        "document.body.appendChild(p);"
        "</script></body></html>"
    )
    dom = dump_dom(page)
    assert '<p id="net-check">network no</p>' in dom
    assert requests == ["/probe.js"]


def test_plotly_figure_with_inlined_plotlyjs_renders(tmp_path: Path) -> None:
    """The way the report embeds plots: plotly.js inlined, drawn without any network."""
    require_chromium()
    import plotly.graph_objects as go
    import plotly.io as pio

    page = tmp_path / "plot.html"
    figure = go.Figure(go.Scatter(x=[0, 1, 2, 3], y=[6.0, 7.5, 9.0, 11.0], name="lean"))
    pio.write_html(figure, page, include_plotlyjs=True, full_html=True)
    dom = dump_dom(page)
    assert 'class="main-svg"' in dom  # the SVG that plotly.js draws
    assert 'class="scatterlayer' in dom


def test_screenshot_of_a_coloured_block_is_not_blank(tmp_path: Path) -> None:
    require_chromium()
    page = tmp_path / "block.html"
    page.write_text(
        "<!doctype html><html><body style='margin:0'>"
        "<div style='width:600px;height:300px;background:rgb(200,40,40)'></div>"
        "</body></html>"
    )
    png = screenshot(page, tmp_path / "shots" / "block.png", width=800, height=600)
    assert png == (tmp_path / "shots" / "block.png").resolve()
    width, height, not_white = image_stats(png)
    assert (width, height) == (800, 600)
    assert not_white == pytest.approx(600 * 300 / (800 * 600), abs=0.02)


def test_screenshot_of_an_empty_page_is_blank(tmp_path: Path) -> None:
    require_chromium()
    page = tmp_path / "empty.html"
    page.write_text("<!doctype html><html><body></body></html>")
    _, _, not_white = image_stats(screenshot(page, tmp_path / "empty.png", width=400, height=300))
    assert not_white == 0.0


# --- PDF ----------------------------------------------------------------------------


def test_two_page_pdf_renders_to_two_images(tmp_path: Path) -> None:
    pytest.importorskip("reportlab", reason="reportlab is needed to write the test PDF")
    from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
    from reportlab.pdfgen import canvas  # type: ignore[import-untyped]

    pdf_path = tmp_path / "two.pdf"
    pdf = canvas.Canvas(str(pdf_path), pagesize=A4)
    for number in (1, 2):
        pdf.setFont("Helvetica", 24)
        pdf.drawString(72, 760, f"Page {number}")
        pdf.setFillColorRGB(0.2, 0.4, 0.8)
        pdf.rect(72, 300, 300 * number // 2 + 150, 300, stroke=0, fill=1)
        pdf.showPage()
    pdf.save()

    pngs = pdf_to_pngs(pdf_path, tmp_path / "pages", scale=1.5)
    assert [p.name for p in pngs] == ["page-001.png", "page-002.png"]
    fractions = []
    for png in pngs:
        width, height, not_white = image_stats(png)
        assert (width, height) == (round(A4[0] * 1.5), round(A4[1] * 1.5))
        fractions.append(not_white)
    assert 0.1 < fractions[0] < fractions[1] < 0.5  # page 2 has the wider block


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\nthis is not really a PDF\n%%EOF\n"])
def test_broken_pdf_gives_a_clear_error(tmp_path: Path, content: bytes) -> None:
    pdf_path = tmp_path / "broken.pdf"
    pdf_path.write_bytes(content)
    with pytest.raises(ValueError, match=r"broken\.pdf is not a readable PDF"):
        pdf_to_pngs(pdf_path, tmp_path / "pages")
    assert not (tmp_path / "pages").exists()


def test_missing_pdf_is_reported(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        pdf_to_pngs(tmp_path / "absent.pdf", tmp_path / "pages")
