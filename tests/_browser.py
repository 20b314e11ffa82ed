"""Test support: open HTML in headless Chromium and turn pages and PDFs into PNG images.

Tests of the HTML report use these helpers to check what a person would see:

- :func:`dump_dom` runs the page's JavaScript (plotly) and returns the resulting DOM;
- :func:`screenshot` renders the page to a PNG;
- :func:`pdf_to_pngs` renders each page of a PDF to a PNG (pypdfium2, no system libraries);
- :func:`image_stats` tells whether an image is blank.

Chromium runs with the network cut off (every host name fails to resolve, even
``localhost`` and IP addresses, and any other request goes to a closed proxy port), so a
page that renders here works offline. Every run gets its own throw-away profile.

Chromium comes from Debian (``apt-get install chromium``; ``bash .ci/run`` installs it when
it can). :func:`require_chromium` skips a test without it, and fails the test instead when
``CI`` is set, so CI cannot pass by skipping the browser tests.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
MISSING_CHROMIUM = "Chromium not installed: apt-get install chromium (bash .ci/run does this)"

#: Seconds one Chromium run may take before it is killed (a 5 MB plotly page takes ~2 s).
TIMEOUT_S = 120.0

#: Flags for every run: headless, no GPU, no first-run chores, and no network at all.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # no host resolves, not even localhost or an IP
    "--proxy-server=127.0.0.1:9",  # and whatever still tries goes to a closed port,
    "--proxy-bypass-list=<-loopback>",  # loopback addresses included
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-sync",
    "--disable-component-update",
    "--hide-scrollbars",
    "--mute-audio",
)

# stderr lines that every headless run prints on a machine without D-Bus; left out of errors
_NOISE = ("dbus/", "unexpected operator")


class ChromiumError(RuntimeError):
    """Chromium failed, timed out or produced no output; the message has its stderr."""


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable on ``PATH``, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_chromium() -> str:
    """The Chromium path; without one, skip the test (fail it when ``CI`` is set)."""
    path = find_chromium()
    if path is None:
        if _in_ci():
            pytest.fail(MISSING_CHROMIUM)
        pytest.skip(MISSING_CHROMIUM)
    return path


def _stderr_tail(stderr: bytes, lines: int = 30) -> str:
    text = stderr.decode("utf-8", errors="replace").splitlines()
    kept = [line for line in text if not any(noise in line for noise in _NOISE)]
    return "\n".join(kept[-lines:]) or "(no stderr)"


def _run_chromium(args: list[str], *, timeout_s: float) -> bytes:
    """Run Chromium with the common flags and a fresh profile; return its stdout.

    On a timeout the whole process group (the browser and its helpers) is killed.
    """
    chromium = require_chromium()
    with tempfile.TemporaryDirectory(prefix="upright-chromium-", ignore_cleanup_errors=True) as tmp:
        profile = Path(tmp)
        # HOME and XDG folders too: the launcher and crash reporter write there
        env = {
            **os.environ,
            "HOME": str(profile),
            "XDG_CONFIG_HOME": str(profile / "config"),
            "XDG_CACHE_HOME": str(profile / "cache"),
        }
        command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile / 'profile'}", *args]
        with subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        ) as process:
            try:
                stdout, stderr = process.communicate(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                _, stderr = process.communicate()
                raise ChromiumError(
                    f"Chromium took longer than {timeout_s:g} s and was killed:\n"
                    f"{_stderr_tail(stderr)}"
                ) from None
    if process.returncode != 0:
        raise ChromiumError(
            f"Chromium exited with code {process.returncode}:\n{_stderr_tail(stderr)}"
        )
    return stdout


def _page_url(html_path: Path) -> str:
    if not html_path.is_file():
        raise FileNotFoundError(html_path)
    return html_path.resolve().as_uri()


def dump_dom(html_path: Path, *, budget_ms: int = 10000, timeout_s: float = TIMEOUT_S) -> str:
    """The page's serialised DOM after its JavaScript ran (up to ``budget_ms`` virtual ms).

    Virtual time runs as fast as the page allows, so a generous budget costs little:
    a 5 MB page with a plotly figure takes about 2 s in all.
    """
    url = _page_url(html_path)
    stdout = _run_chromium(
        [f"--virtual-time-budget={budget_ms}", "--dump-dom", url], timeout_s=timeout_s
    )
    dom = stdout.decode("utf-8", errors="replace")
    if "<html" not in dom.lower():
        raise ChromiumError(f"Chromium printed no DOM for {html_path}: {dom[:200]!r}")
    return dom


def screenshot(
    html_path: Path,
    png_path: Path,
    *,
    width: int = 1280,
    height: int = 4000,
    budget_ms: int = 10000,
    timeout_s: float = TIMEOUT_S,
) -> Path:
    """Render the page in a ``width`` x ``height`` window to ``png_path``; return it.

    The image is exactly the window: make ``height`` large enough for the whole page
    (the part below stays white).
    """
    url = _page_url(html_path)
    png_path = png_path.resolve()
    png_path.parent.mkdir(parents=True, exist_ok=True)
    png_path.unlink(missing_ok=True)
    _run_chromium(
        [
            f"--window-size={width},{height}",
            f"--virtual-time-budget={budget_ms}",
            f"--screenshot={png_path}",
            url,
        ],
        timeout_s=timeout_s,
    )
    if not png_path.is_file() or png_path.stat().st_size < 100:
        raise ChromiumError(f"Chromium wrote no screenshot of {html_path} to {png_path}")
    with Image.open(png_path) as image:
        if image.format != "PNG" or image.size != (width, height):
            raise ChromiumError(
                f"screenshot {png_path} is a {image.format} of {image.size}, "
                f"not a PNG of {(width, height)}"
            )
    return png_path


def pdf_to_pngs(pdf_path: Path, out_dir: Path, *, scale: float = 1.5) -> list[Path]:
    """Render every page of the PDF to ``out_dir/page-001.png`` ...; return the paths.

    ``scale`` is pixels per PDF point (1.5 = 108 dpi: an A4 page is 893 x 1263 pixels).
    Raises FileNotFoundError for a missing file and ValueError for one that is not a
    readable PDF or has no pages.
    """
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # test extra; untyped

    if not pdf_path.is_file():
        raise FileNotFoundError(pdf_path)
    try:
        pdf = pdfium.PdfDocument(pdf_path)
    except pdfium.PdfiumError as exc:
        raise ValueError(f"{pdf_path} is not a readable PDF: {exc}") from exc
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    try:
        n_pages = len(pdf)
        if n_pages == 0:
            raise ValueError(f"{pdf_path} has no pages")
        for index in range(n_pages):
            page = pdf[index]
            try:
                bitmap = page.render(scale=scale)
                try:
                    path = out_dir / f"page-{index + 1:03d}.png"
                    bitmap.to_pil().save(path, format="PNG")
                    paths.append(path)
                finally:
                    bitmap.close()
            finally:
                page.close()
    finally:
        pdf.close()
    return paths


def image_stats(png: Path, *, white_level: int = 250) -> tuple[int, int, float]:
    """Width, height and the fraction of pixels that are not white.

    A pixel counts as white when all its channels are at least ``white_level`` (after
    flattening any transparency onto white), so anti-aliasing noise on a blank page
    does not count.
    """
    with Image.open(png) as image:
        rgba = image.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = np.asarray(Image.alpha_composite(background, rgba).convert("RGB"))
    not_white = (rgb < white_level).any(axis=2)
    return rgba.width, rgba.height, float(not_white.mean())
