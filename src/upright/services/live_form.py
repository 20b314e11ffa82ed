"""The live camera form check: a camera frame (JPEG) in, the skeleton and the form out.

One :class:`LiveFormSession` per camera connection: it owns a pose model of its own (the
model tracks from frame to frame, so two cameras cannot share one) and the streaming form
check of :mod:`upright.form.live`. Its methods block (the pose model takes tens of
milliseconds): the web app calls them in a worker thread.

Red flags: a runner whose red-flag screen blocks advice gets no live form check at all,
since its cues are exercise advice (:func:`live_gate`); without a runner the check runs as
``upright form`` does on a clip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from upright.assessment.redflags import RedFlagScreen
from upright.errors import InputError
from upright.form.definitions import ExerciseForm, Side, form_definition
from upright.form.live import LiveFormCheck, LiveUpdate
from upright.pose.backend import PoseBackend
from upright.services.runner_index import runner_screen
from upright.skeleton import BONES, KEYPOINTS

__all__ = ["LiveFormSession", "decode_jpeg", "live_gate", "ready_message"]

#: A camera frame larger than this is refused (a 640 px JPEG is some 50 kB).
MAX_FRAME_BYTES = 2_000_000


def live_gate(alias: str) -> RedFlagScreen | None:
    """None when the runner's red-flag screen lets a live form check go ahead, else the
    screen that blocks it.

    Raises
    ------
    InputError
        No runner has this alias.
    """
    screen = runner_screen(alias)
    return screen if screen.plan_blocked else None


def decode_jpeg(data: bytes) -> npt.NDArray[np.uint8]:
    """The RGB image of a JPEG (or PNG) camera frame.

    Raises
    ------
    InputError
        Empty, too large, or not an image.
    """
    import cv2

    if not data or len(data) > MAX_FRAME_BYTES:
        raise InputError(
            f"a camera frame of {len(data)} bytes",
            fix=f"Send one JPEG image of at most {MAX_FRAME_BYTES} bytes per frame",
        )
    bgr = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise InputError("a camera frame that is not a JPEG image", fix="Send JPEG frames")
    return np.ascontiguousarray(bgr[:, :, ::-1])


def _default_backend() -> PoseBackend:
    from upright.pose.mediapipe_backend import MediaPipePose

    return MediaPipePose()


@dataclass
class LiveFormSession:
    """One camera's form check: its own pose model and streaming check."""

    definition: ExerciseForm
    side: Side | None
    check: LiveFormCheck
    backend: PoseBackend

    @classmethod
    def open(
        cls,
        exercise: str,
        side: Side | None,
        backend_factory: Callable[[], PoseBackend] = _default_backend,
    ) -> LiveFormSession:
        """A session for ``exercise`` (and ``side``); builds the pose model.

        Raises
        ------
        InputError
            Unknown exercise, or a side missing or unwanted.
        """
        definition = form_definition(exercise, side)
        return cls(definition, side, LiveFormCheck(definition, side), backend_factory())

    def process_jpeg(self, time_s: float, data: bytes) -> dict[str, Any]:
        """The answer to one frame taken at ``time_s`` (seconds, increasing).

        Raises
        ------
        InputError
            The frame is not an image, or its time does not come after the last one.
        """
        rgb = decode_jpeg(data)
        return self.process_rgb(time_s, rgb)

    def process_rgb(self, time_s: float, rgb: npt.NDArray[np.uint8]) -> dict[str, Any]:
        """The answer to one RGB frame (see :meth:`process_jpeg`)."""
        xy, conf = self.backend.estimate(rgb)
        height, width = rgb.shape[:2]
        try:
            update = self.check.push(time_s, xy, conf, width, height)
        except ValueError as err:
            raise InputError(
                f"camera frame at {time_s:.3f} s: {err}", fix="Send frames in time order"
            ) from err
        return frame_message(update)

    def close(self) -> None:
        """Release the pose model."""
        self.backend.close()


def frame_message(update: LiveUpdate) -> dict[str, Any]:
    """One frame's answer as the page reads it (JSON)."""
    step = update.step
    fault = step.fault
    return {
        "type": "frame",
        "time_s": round(step.time_s, 3),
        "skeleton": update.skeleton,
        "in_position": step.in_position,
        "position_note": step.position_note,
        "phase": step.phase,
        "in_hold": step.in_hold,
        "good": step.in_position and fault is None,
        "fault": None
        if fault is None
        else {"name": fault.name, "label": fault.label, "cue": fault.cue},
        "good_form_s": round(step.good_form_s, 2),
        "hold_s": round(step.hold_s, 2),
        "held_s": round(step.held_s, 2),
        "holds": step.holds,
    }


def ready_message(definition: ExerciseForm, side: Side | None) -> dict[str, Any]:
    """The first message of a connection: what is checked and how to draw the skeleton."""
    index = {k: i for i, k in enumerate(KEYPOINTS)}
    return {
        "type": "ready",
        "exercise": definition.name,
        "side": side,
        "filming": definition.filming,
        "reached": definition.reached,
        "keypoints": list(KEYPOINTS),
        "bones": [[index[a], index[b]] for a, b in BONES],
    }
