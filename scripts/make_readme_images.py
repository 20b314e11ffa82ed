"""Regenerate the README pictures from the built-in SYNTHETIC demo (never from real data).

Run: python scripts/make_readme_images.py (needs the test extras, for pypdfium2)
Writes docs/images/demo_annotated_frame.png, docs/images/demo_posture.png and
docs/images/demo_report_page1.png (the first page of the demo's PDF report).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np

from upright.cli.jobs import run_demo_job
from upright.io.video import iter_frames

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        run_demo_job(out, duration_s=30.0)
        shutil.copy(out / "posture.png", IMAGES / "demo_posture.png")
        import cv2

        for frame in iter_frames(out / "annotated.mp4", start_frame=600, stop_frame=601):
            rgb = np.ascontiguousarray(frame.rgb)
            h = rgb.shape[0]
            crop = rgb[int(0.0 * h) : int(0.85 * h)]
            cv2.imwrite(
                str(IMAGES / "demo_annotated_frame.png"),
                cv2.cvtColor(cv2.resize(crop, None, fx=0.6, fy=0.6), cv2.COLOR_RGB2BGR),
            )
        import pypdfium2

        page = pypdfium2.PdfDocument(out / "report.pdf")[0]
        page.render(scale=1.2).to_pil().save(IMAGES / "demo_report_page1.png", optimize=True)
    print(f"wrote {IMAGES}")


if __name__ == "__main__":
    main()
