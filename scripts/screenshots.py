"""Screenshots of the web app for the README, from ``upright serve --demo`` (the SYNTHETIC
demo runner: made-up data, no real person; never your own record).

The server runs in a subprocess on a free port of 127.0.0.1, on a temporary data folder;
Debian's Chromium (``/usr/bin/chromium``, or ``UPRIGHT_CHROMIUM``) is driven by Playwright
(the test extra) with every other address unreachable. Each page is captured at 1200 px
wide, quantised to a 64-colour palette with Pillow and written as a small PNG to
docs/images/web_*.png (each must stay under 150 kB).

Run: ``python scripts/screenshots.py``
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from PIL import Image

from upright.services.demo_journey import DEMO_ALIAS

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"
WIDTH = 1200
MAX_BYTES = 150_000

#: file name -> (path, what to wait for, what to capture: a height in px from the top, or
#: the section that holds that element)
PAGES: dict[str, tuple[str, str, int | str]] = {
    "web_home.png": (f"/runner/{DEMO_ALIAS}", ".chart[data-drawn='true']", 800),
    "web_progress.png": (
        f"/runner/{DEMO_ALIAS}",
        ".chart[data-drawn='true']",
        "section:has(#chart-progress)",
    ),
    "web_checkup.png": (f"/checkup/{DEMO_ALIAS}", "fieldset.question", 700),
    "web_plan.png": (f"/plan/{DEMO_ALIAS}", "#plan-body table", 800),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _wait_for(url: str, server: subprocess.Popen[bytes], timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("upright serve --demo did not start") from None
            time.sleep(0.5)


def _small_png(png: bytes, path: Path) -> int:
    """``png`` quantised to 64 colours, saved optimised; its size in bytes."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise SystemExit(f"{path.name} is {size} bytes, over {MAX_BYTES}: capture less height")
    return size


def main() -> None:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("UPRIGHT_CHROMIUM", "/usr/bin/chromium")
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        env = {**os.environ, "UPRIGHT_DATA_DIR": tmp}
        env.pop("UPRIGHT_DATABASE_URL", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "upright.cli.main", "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_for(f"{base}/runners", server)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=chromium,
                    args=["--no-sandbox", "--disable-gpu", "--proxy-server=127.0.0.1:9"],
                )
                context = browser.new_context(
                    base_url=base, viewport={"width": WIDTH, "height": 900}
                )
                page = context.new_page()
                for name, (path, ready, part) in PAGES.items():
                    page.set_viewport_size({"width": WIDTH, "height": 900})
                    page.goto(path)
                    page.wait_for_selector(ready, timeout=60_000)
                    if isinstance(part, str):
                        png = page.locator(part).screenshot()
                    else:
                        page.set_viewport_size({"width": WIDTH, "height": part})
                        png = page.screenshot(full_page=False)
                    size = _small_png(png, IMAGES / name)
                    print(f"{IMAGES / name}: {size / 1000:.0f} kB")
                browser.close()
        finally:
            server.send_signal(signal.SIGINT)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
