"""``upright test --video``: an endurance hold timed from a clip by the test's stop rule.

Each test is filmed as the form check's exercise it is (a side bridge is a side plank seen
from the front, the supine bridge a glute bridge seen from the side) and timed from the
moment the position is reached to the moment it is lost, by the protocol's own rule: the
faults that stop the protocol's clock end the hold here (the hip dropping from the line
in a side bridge; McGill, Childs & Liebenson 1999). A clip that ends while the position
is still held gives only a lower bound, which is never stored as a result.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import xarray as xr
from pydantic import BaseModel, ConfigDict

from upright.errors import InputError, QualityError
from upright.form.definitions import Side
from upright.services.endurance_test import (
    KEY_ALIASES,
    PROTOCOLS,
    EnduranceTestReport,
    timed_clip,
)
from upright.services.form import FormOptions, FormResult, check_form_keypoints
from upright.services.red_flag_gate import EnduranceTestHeldBack
from upright.store import TimedClip
from upright.summaries import DISCLAIMER

__all__ = [
    "VIDEO_TESTS",
    "VideoTest",
    "VideoTestReport",
    "VideoTiming",
    "resolve_video_test",
    "time_test",
]


@dataclass(frozen=True)
class VideoTest:
    """How one endurance test is timed from a clip: the form check's exercise and side,
    and the faults that stop the protocol's clock."""

    key: str
    exercise: str
    side: Side | None
    stop_faults: tuple[str, ...]


#: The tests a clip can time. Flexor and extensor holds end by their definitions' own
#: stop faults; the bridges and the plank end when the protocol says stop (Schellenberg
#: 2007, AJPMR 86:380: hips dropping out of the line; McGill, Childs & Liebenson 1999).
VIDEO_TESTS: Final[dict[str, VideoTest]] = {
    t.key: t
    for t in (
        VideoTest("flexor", "flexor", None, ()),
        VideoTest("extensor", "extensor", None, ()),
        VideoTest("side_bridge_right", "side_plank", "right", ("hip_drop",)),
        VideoTest("side_bridge_left", "side_plank", "left", ("hip_drop",)),
        VideoTest("supine_bridge", "glute_bridge", None, ("hips_low",)),
        VideoTest("front_plank", "front_plank", None, ("sag", "pike")),
    )
}
_REP_TESTS: Final = ("single_leg_bridge_left", "single_leg_bridge_right")
_NAMES: Final = {p.key: p.name for p in PROTOCOLS}
_FORM_OPTION: Final = "choose the exercise it shows with --exercise"


def resolve_video_test(key: str, side: Side | None) -> VideoTest:
    """The test ``key`` (``side_bridge`` with ``side`` picks the side; the keys of earlier
    versions are read as the keys they stand for).

    Raises
    ------
    InputError
        An unknown key, a rep test, a side missing or contradicting the key, or a side
        given to a test that has none.
    """
    key = KEY_ALIASES.get(key, key)
    if key == "side_bridge":
        if side is None:
            raise InputError(
                "--test side_bridge: which side is down?",
                fix="Give --side right or --side left (or --test side_bridge_right)",
            )
        key = f"side_bridge_{side}"
    if key in _REP_TESTS:
        raise InputError(
            f"--test {key} counts repetitions, not a hold, so a clip cannot time it",
            fix=f"Type the reps: upright test {key}=REPS",
        )
    test = VIDEO_TESTS.get(key)
    if test is None:
        raise InputError(
            f"--test {key!r} is not an endurance test a clip can time",
            fix=f"Use one of: {', '.join(VIDEO_TESTS)}",
        )
    if side is not None and side != test.side:
        problem = (
            f"--side {side} contradicts --test {key}"
            if test.side is not None
            else f"--test {key} has no side"
        )
        raise InputError(problem, fix="Leave out --side: the test key says the side")
    return test


class VideoTiming(BaseModel):
    """One hold timed from a clip."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    test: str
    test_name: str
    exercise: str
    side: Side | None
    source_file: str
    source_kind: Literal["video", "keypoints"]
    sha256: str
    reached_at_s: float
    ended_at_s: float
    held_s: float
    ended_reason: str
    ended_by: Literal["stop rule", "position lost", "time limit"]
    synthetic: bool
    notes: list[str]

    def clip(self) -> TimedClip:
        """What the store keeps of the clip."""
        return TimedClip(self.source_file, self.sha256, self.ended_at_s, self.ended_reason)

    def described(self) -> str:
        """ "timed from video: side_right.mp4, ended at 41.2 s: hip drops"."""
        return timed_clip(self.source_file, self.ended_at_s, self.ended_reason)


class VideoTestReport(BaseModel):
    """What ``upright test --video ... --json`` prints: the timing, and the judged result
    (or, while a red flag is open, what was stored unjudged)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal["upright.endurance-video-test/1"] = "upright.endurance-video-test/1"
    timing: VideoTiming
    result: EnduranceTestReport | None
    held_back: EnduranceTestHeldBack | None = None
    disclaimer: str = DISCLAIMER


def _labels(result: FormResult) -> dict[str, str]:
    return {t.fault: t.label for t in result.summary.exercise.tolerances}


def time_test(
    ds: xr.Dataset,
    test: VideoTest,
    *,
    source: Path,
    source_kind: Literal["video", "keypoints"],
    sha256: str,
    tilt_deg: float | None = None,
) -> VideoTiming:
    """Time the first hold of ``test`` in one clip's keypoints (y-up pixels).

    Raises
    ------
    QualityError
        Nobody in view, the body cut off, the wrong camera view, or the position never
        reached (another exercise, running, standing).
    InputError
        The clip ended while the position was still held: the time is only a lower
        bound (the message gives it); nothing is timed.
    """
    options = FormOptions(
        exercise=test.exercise, side=test.side, tilt_deg=tilt_deg, stop_faults=test.stop_faults
    )
    try:
        result = check_form_keypoints(ds, options, source_kind=source_kind, source_file=str(source))
    except QualityError as exc:  # the form check's advice names its own option
        fix = exc.fix.replace(_FORM_OPTION, "give the test it shows with --test")
        raise QualityError(exc.problem, path=exc.path, fix=fix) from None
    hold = result.summary.holds[0]  # screened: the position was reached at least once
    name = _NAMES[test.key]
    if hold.still_going:
        raise InputError(
            f"{name}: still holding at the end of the clip: {hold.duration_s:.1f} s is a "
            "lower bound, not the test's result (the clock stops when the position is "
            "lost), so nothing was stored or judged",
            path=source,
            fix="Film until the position is lost, or type the time you stopped: "
            f"upright test {test.key}=SECONDS",
        )
    notes = list(result.summary.notes)
    if len(result.summary.holds) > 1:
        notes.append(
            f"The position was reached {len(result.summary.holds)} times in the clip; the "
            "test is the first hold."
        )
    if hold.hit_limit:
        ended_by: Literal["stop rule", "position lost", "time limit"] = "time limit"
        reason = hold.end_reason
    elif hold.ended_by_fault is not None:
        ended_by, reason = "stop rule", _labels(result).get(hold.ended_by_fault, hold.end_reason)
    else:
        ended_by, reason = "position lost", hold.end_reason
    return VideoTiming(
        test=test.key,
        test_name=name,
        exercise=test.exercise,
        side=test.side,
        source_file=source.name,
        source_kind=source_kind,
        sha256=sha256,
        reached_at_s=round(hold.start_s, 2),
        ended_at_s=round(hold.end_s, 2),
        held_s=round(hold.duration_s, 1),
        ended_reason=reason,
        ended_by=ended_by,
        synthetic=result.summary.synthetic,
        notes=notes,
    )
