"""The plank rule against labelled real frames: tolerances chosen on half, scored on the rest.

Data: ``../shared/data/exercise/plank_mediapipe_keypoints.csv``, 710 side-view forearm
plank frames with MediaPipe Pose landmarks, labelled by the people who recorded them:
C correct, L low back (hips sagging, the spine extended), H high back (hips piked).
Exercise-Correction (NgoQuocBao1010), MIT licence.

Split. The frames come in blocks of one label (25 blocks of 5 to 62 frames), each block
a stretch of one recording whose neighbouring frames are nearly identical. A random split
of frames would put near-copies on both sides and measure memory; the split here keeps
each block whole and deals the blocks of each label alternately to the two halves
(1st, 3rd, 5th... block of a label to half A). No seed is needed. Tolerances are chosen on
half A and scored on half B, then the other way round as a check.

Rule. Per frame, the hip's signed angular offset from the shoulder-ankle line (mid-points
of the left and right keypoints; a point seen with visibility under 0.3 is not used, the
other side stands in): sag when the offset is below the sag limit, pike when it is above
the pike limit, correct otherwise. A limit is put halfway between two classes of the
training half, with the most extreme 5% of each class ignored (upright.form.calibration).

Aspect ratio. The CSV holds normalised coordinates (x / width, y / height) and no frame
size, so the true pixel geometry is unknown. The rule is run with an assumed 16:9
landscape frame (1280 x 720, the usual phone and webcam video); the table at the end
repeats it for 4:3 and 1:1. A stretch of one axis keeps every point on its side of the
shoulder-ankle line, so the sign of the offset (the side the hip is on) never changes;
its size does, so the pike limit in degrees holds for the assumed frame shape only.

Run: python benchmarks/plank_form.py   (a few seconds)
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from _common import DATA
from upright.form.calibration import block_split, choose_threshold, confusion_matrix
from upright.form.definitions import form_definition
from upright.form.judge import judge_frames
from upright.io.landmarks_csv import read_landmarks_csv
from upright.signal.filters import DEFAULT_CONFIDENCE_THRESHOLD, mask_low_confidence

CSV = DATA / "exercise" / "plank_mediapipe_keypoints.csv"
NAMES = {"C": "good", "L": "sag", "H": "pike"}
CLASSES = ("good", "sag", "pike")
FRAME_SHAPES = {"16:9": (1280, 720), "4:3": (960, 720), "1:1": (720, 720)}


def hip_offsets(width_px: int, height_px: int) -> tuple[np.ndarray, np.ndarray]:
    """The hip offset of every frame and the labels in words."""
    table = read_landmarks_csv(CSV, image_width_px=width_px, image_height_px=height_px)
    ds = mask_low_confidence(table.ds, DEFAULT_CONFIDENCE_THRESHOLD)
    frames = judge_frames(ds, form_definition("front_plank"))
    labels = table.extra["label"].map(NAMES).to_numpy(dtype=str)
    return frames["hip_offset_deg"].to_numpy(dtype=np.float64), labels


def limits(offset: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    sag = choose_threshold(offset[labels == "sag"], offset[labels == "good"])
    pike = choose_threshold(offset[labels == "good"], offset[labels == "pike"])
    return sag, pike


def predict(offset: np.ndarray, sag: float, pike: float) -> np.ndarray:
    return np.where(offset < sag, "sag", np.where(offset > pike, "pike", "good"))


def report(title: str, offset: np.ndarray, labels: np.ndarray, sag: float, pike: float) -> None:
    print(f"\n{title}: {labels.size} frames; sag below {sag:+.1f} deg, pike above {pike:+.1f} deg")
    print(confusion_matrix(labels, predict(offset, sag, pike), CLASSES).to_string())


def main() -> None:
    if not CSV.exists():
        sys.exit(f"benchmark needs the shared recordings; {CSV} is missing")
    offset, labels = hip_offsets(*FRAME_SHAPES["16:9"])
    half_a = block_split(labels.tolist())
    print(
        f"{labels.size} frames, {int(half_a.sum())} in half A and {int((~half_a).sum())} in "
        "half B (whole blocks, alternating within each label)"
    )
    print("\nhip offset by class (16:9 frame), degrees: 5th / 50th / 95th percentile")
    for c in CLASSES:
        q = np.percentile(offset[labels == c], [5, 50, 95])
        print(f"  {c:5s} {q[0]:+6.1f} {q[1]:+6.1f} {q[2]:+6.1f}")
    sag, pike = limits(offset[half_a], labels[half_a])
    report("chosen on A, scored on B", offset[~half_a], labels[~half_a], sag, pike)
    sag_b, pike_b = limits(offset[~half_a], labels[~half_a])
    report("chosen on B, scored on A", offset[half_a], labels[half_a], sag_b, pike_b)
    plank = form_definition("front_plank")
    low, high = plank.band("hip_offset_deg")
    assert low is not None and high is not None
    report("upright's tolerances, scored on B", offset[~half_a], labels[~half_a], low, high)
    print("\nframe shape assumed: limits chosen on A, correct % on B per class")
    rows = []
    for shape, size in FRAME_SHAPES.items():
        off, lab = hip_offsets(*size)
        s, p = limits(off[half_a], lab[half_a])
        cm = confusion_matrix(lab[~half_a], predict(off[~half_a], s, p), CLASSES)
        rows.append(
            {"frame": shape, "sag below": round(s, 1), "pike above": round(p, 1)}
            | {c: cm.loc[c, "correct %"] for c in CLASSES}
        )
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
