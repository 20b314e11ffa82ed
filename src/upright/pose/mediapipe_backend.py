"""MediaPipe BlazePose (legacy ``solutions`` API) as an upright pose backend.

The model ships inside the ``mediapipe==0.10.21`` wheel (``model_complexity=1``,
``pose_landmark_full.tflite``); nothing is downloaded. ``model_complexity=2`` would
download the heavy model at run time, so it is not offered.
"""

from __future__ import annotations

import os
from contextlib import ExitStack
from typing import Any

import numpy as np
import numpy.typing as npt

from upright.pose.backend import PoseResult, empty_result
from upright.pose.native_log import filtered_native_stderr
from upright.skeleton import KEYPOINTS

__all__ = ["MEDIAPIPE_TO_CANONICAL", "MediaPipePose"]

#: BlazePose landmark index for each canonical keypoint (BlazePose has no head top).
MEDIAPIPE_TO_CANONICAL: dict[str, int] = {
    "nose": 0,
    "left_eye": 2,
    "right_eye": 5,
    "left_ear": 7,
    "right_ear": 8,
    "left_shoulder": 11,
    "right_shoulder": 12,
    "left_elbow": 13,
    "right_elbow": 14,
    "left_wrist": 15,
    "right_wrist": 16,
    "left_hip": 23,
    "right_hip": 24,
    "left_knee": 25,
    "right_knee": 26,
    "left_ankle": 27,
    "right_ankle": 28,
    "left_heel": 29,
    "right_heel": 30,
    "left_toe": 31,
    "right_toe": 32,
}

_CANONICAL_INDEX = np.array([KEYPOINTS.index(k) for k in MEDIAPIPE_TO_CANONICAL])
_MP_INDEX = np.array(list(MEDIAPIPE_TO_CANONICAL.values()))


class MediaPipePose:
    """BlazePose full (``model_complexity=1``) in video (tracking) mode.

    Confidence is BlazePose's per-landmark *visibility*: in a side view the far limbs
    get low values, which the signal layer masks. From creation to :meth:`close`,
    MediaPipe's native info and warning lines are kept off stderr
    (:func:`upright.pose.native_log.filtered_native_stderr`).
    """

    name = "mediapipe-blazepose-full-0.10.21"

    def __init__(self, *, min_detection_confidence: float = 0.5) -> None:
        # Ask MediaPipe's C++ logging for warnings and up only; absl ignores this before
        # it is initialised, so the native stderr is filtered as well, until close().
        os.environ.setdefault("GLOG_minloglevel", "2")
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        self._quiet = ExitStack()
        self._quiet.enter_context(filtered_native_stderr())
        try:
            import mediapipe as mp  # heavy: imported only when a backend is built

            self._pose: Any = mp.solutions.pose.Pose(
                static_image_mode=False,
                model_complexity=1,
                smooth_landmarks=False,  # causal smoothing lags; upright filters zero-lag
                enable_segmentation=False,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=0.5,
            )
        except BaseException:
            self._quiet.close()
            raise

    def estimate(self, rgb: npt.NDArray[np.uint8]) -> PoseResult:
        """Keypoints of the runner in ``rgb``, in pixels of ``rgb`` (y down)."""
        result = self._pose.process(rgb)
        if result.pose_landmarks is None:
            return empty_result()
        height, width = rgb.shape[:2]
        raw = np.array(
            [(lm.x * width, lm.y * height, lm.visibility) for lm in result.pose_landmarks.landmark],
            dtype=np.float64,
        )
        xy, conf = empty_result()
        xy[_CANONICAL_INDEX] = raw[_MP_INDEX, :2]
        conf[_CANONICAL_INDEX] = np.clip(raw[_MP_INDEX, 2], 0.0, 1.0)
        return xy, conf

    def close(self) -> None:
        """Release the MediaPipe graph, then give stderr back (once the last model closes)."""
        try:
            self._pose.close()
        finally:
            self._quiet.close()
