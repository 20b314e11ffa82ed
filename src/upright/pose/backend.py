"""Pose backends behind one Protocol.

A backend turns one RGB frame into the canonical keypoints of
:data:`upright.skeleton.KEYPOINTS`, in image pixels (y down) with a confidence in 0..1.
Whatever the model, the rest of upright only ever sees that.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from upright.skeleton import KEYPOINTS

__all__ = ["PoseBackend", "PoseResult", "empty_result"]

PoseResult = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]
"""(xy_px of shape (keypoint, 2) in image pixels, y down; confidence of shape (keypoint,))."""


class PoseBackend(Protocol):
    """What a pose estimator must offer to upright."""

    name: str

    def estimate(self, rgb: npt.NDArray[np.uint8]) -> PoseResult:
        """Keypoints of the one runner in ``rgb`` (H x W x 3, uint8).

        Frames come in time order; a backend may track between calls. When no
        person is found, positions are NaN and confidences 0.
        """
        ...

    def close(self) -> None:
        """Release the model."""
        ...


def empty_result() -> PoseResult:
    """The result for a frame with no person: NaN positions, zero confidence."""
    n = len(KEYPOINTS)
    return np.full((n, 2), np.nan), np.zeros(n)
