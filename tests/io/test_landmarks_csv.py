"""MediaPipe landmark CSV tables: read into the pose Dataset, broken tables refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from upright.errors import CorruptFileError, InputError, InsufficientDataError
from upright.io.landmarks_csv import read_landmarks_csv

PARTS = ("shoulder", "hip", "ankle", "knee")


def write_table(path: Path, rows: int = 2, *, drop: str = "", text_in: str = "") -> Path:
    names = [f"{s}_{p}" for p in PARTS for s in ("left", "right")] + ["left_foot_index"]
    header = ["label"] + [
        f"{n}_{a}" for n in names for a in ("x", "y", "z", "v") if f"{n}_{a}" != drop
    ]
    lines = [",".join(header)]
    for r in range(rows):
        values = ["C"]
        for col in header[1:]:
            value = "0.25" if col.endswith("_x") else "0.75" if col.endswith("_y") else "0.9"
            values.append("oops" if col == text_in and r == 1 else value)
        lines.append(",".join(values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_landmarks_become_pixels_with_y_up_and_the_label_is_kept(tmp_path: Path) -> None:
    table = read_landmarks_csv(
        write_table(tmp_path / "t.csv"), image_width_px=1280, image_height_px=720
    )
    ds = table.ds
    xy = ds["position"].sel(keypoint="left_hip").isel(individual=0, time=0).values
    assert xy == pytest.approx([0.25 * 1280, 720 - 0.75 * 720])
    toe = ds["position"].sel(keypoint="left_toe").isel(individual=0, time=0).values
    assert toe == pytest.approx([320.0, 180.0])
    assert np.isnan(ds["position"].sel(keypoint="nose").values).all()
    assert ds["confidence"].sel(keypoint="left_hip").values == pytest.approx(0.9)
    assert table.extra["label"].tolist() == ["C", "C"]
    assert ds.attrs["image_size_assumed"] == 1 and ds.attrs["fps_assumed"] == 1


def test_missing_landmark_columns_are_named(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.csv", drop="right_ankle_y")
    with pytest.raises(CorruptFileError, match=r"lacks the landmark column.*right_ankle_y"):
        read_landmarks_csv(path, image_width_px=1280, image_height_px=720)


def test_text_where_a_number_belongs_is_named_by_row_and_column(tmp_path: Path) -> None:
    path = write_table(tmp_path / "t.csv", text_in="left_hip_x")
    with pytest.raises(CorruptFileError, match="row 3, column 'left_hip_x' is not a number"):
        read_landmarks_csv(path, image_width_px=1280, image_height_px=720)


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InsufficientDataError, match="is empty"):
        read_landmarks_csv(empty, image_width_px=1280, image_height_px=720)
    header_only = write_table(tmp_path / "h.csv", rows=0)
    with pytest.raises(InsufficientDataError, match="no rows"):
        read_landmarks_csv(header_only, image_width_px=1280, image_height_px=720)
    with pytest.raises(InputError, match="no such file"):
        read_landmarks_csv(tmp_path / "nope.csv", image_width_px=1280, image_height_px=720)
    with pytest.raises(InputError, match="image_width_px must be a positive number"):
        read_landmarks_csv(empty, image_width_px=0, image_height_px=720)
