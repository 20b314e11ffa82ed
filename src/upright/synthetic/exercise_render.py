"""Drawing a synthetic exercise figure to video frames.

The figure is drawn as a filled body, not a stick figure: limbs as thick rounded
segments (thigh and upper arm thicker than shin and forearm), the trunk as a filled
band from mid-shoulder to mid-hip, the head as a disc, on a plain background
with the floor line (and the bench of the extensor hold). Widths are fractions of body
height, roughly a person's (Winter 2009 proportions). A banner says it is synthetic.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from upright.skeleton import KEYPOINTS
from upright.synthetic._core_figures import BENCH_TOP_H
from upright.synthetic._figure import BACKGROUND, GROUND, Frame, tilt_scene
from upright.synthetic.exercise import SyntheticExercise

__all__ = ["BANNER", "render_exercise_frames"]

BANNER = "SYNTHETIC FIGURE - not a real recording"
_BENCH = (150, 120, 90)
_FAR = (30, 70, 140)  # the far side, drawn first, a little darker
_NEAR = (50, 110, 200)
_SKIN = (225, 180, 150)
_TEXT = (190, 30, 30)
#: Segment widths, fractions of body height.
_WIDTH_H = {
    ("shoulder", "elbow"): 0.055,
    ("elbow", "wrist"): 0.045,
    ("hip", "knee"): 0.085,
    ("knee", "ankle"): 0.060,
    ("ankle", "toe"): 0.040,
    ("ankle", "heel"): 0.040,
}
_TRUNK_WIDTH_H = 0.11
_HEAD_RADIUS_H = 0.062


#: Figures with the front of the body toward the floor (the rest lie on their back, sit,
#: or face the camera).
_FACE_DOWN = ("front_plank", "bird_dog", "extensor")


def _near_side(figure: str, facing: int) -> str:
    """The body side nearer the camera. Right = front x head direction: face down with
    the head toward image right, the right side faces the camera; face up, the left."""
    right_near = (figure in _FACE_DOWN) == (facing > 0)
    return "right" if right_near else "left"


def _scene_to_picture(ex: SyntheticExercise, uv: npt.NDArray[np.float64]) -> list[tuple[int, int]]:
    """Room points (u, v) of the figure's frame to pixel rows and columns."""
    spec = ex.spec
    w, h = spec.image_width_px, spec.image_height_px
    x0 = w / 2 + spec.facing * 0.35 * spec.height_px
    xy = np.stack([x0 + spec.facing * uv[:, 0], 0.2 * h + uv[:, 1]], -1)
    xy = tilt_scene(xy, w, h, spec.camera_tilt_deg)
    return [(round(x), round(h - y)) for x, y in xy]


def _scenery(ex: SyntheticExercise) -> Frame:
    import cv2

    spec = ex.spec
    w, h = spec.image_width_px, spec.image_height_px
    img = np.full((h, w, 3), BACKGROUND, dtype=np.uint8)
    big = 3.0 * max(w, h)
    floor = _scene_to_picture(ex, np.array([[-big, 0.0], [big, 0.0]]))
    cv2.line(img, floor[0], floor[1], GROUND, max(2, round(0.01 * spec.height_px)), cv2.LINE_AA)
    if spec.figure == "extensor":
        hp, top = spec.height_px, BENCH_TOP_H * spec.height_px
        board = np.array(
            [
                [0.03 * hp, top],
                [0.03 * hp, top - 0.05 * hp],
                [-0.9 * hp, top - 0.05 * hp],
                [-0.9 * hp, top],
            ]
        )
        cv2.fillPoly(img, [np.array(_scene_to_picture(ex, board), dtype=np.int32)], _BENCH)
        for u in (-0.05 * hp, -0.8 * hp):
            leg = _scene_to_picture(ex, np.array([[u, top], [u, 0.0]]))
            cv2.line(img, leg[0], leg[1], _BENCH, max(2, round(0.03 * hp)))
    return img


def render_exercise_frames(ex: SyntheticExercise) -> Iterator[tuple[float, Frame]]:
    """Draw the figure frame by frame: ``(time_s, rgb)`` of the spec's picture size.

    The joints are the keypoints of ``ex.ds`` at their own pixels (y flipped to image
    rows); the banner :data:`BANNER` is in the bottom-left corner.
    """
    import cv2

    spec = ex.spec
    h = spec.image_height_px
    hp = spec.height_px
    pos = np.asarray(ex.ds["position"].isel(individual=0).values, dtype=np.float64)
    index = {k: i for i, k in enumerate(KEYPOINTS)}
    scenery = _scenery(ex)
    near = _near_side(spec.figure, spec.facing)
    far = "left" if near == "right" else "right"
    for t, p in zip(ex.ds["time"].values, pos, strict=True):
        img = scenery.copy()

        def at(name: str, p: npt.NDArray[np.float64] = p) -> tuple[int, int] | None:
            xy = p[:, index[name]]
            return (round(xy[0]), round(h - xy[1])) if np.isfinite(xy).all() else None

        def limbs(side: str, colour: tuple[int, int, int], img: Frame = img) -> None:
            for (a, b), width in _WIDTH_H.items():
                pa, pb = at(f"{side}_{a}"), at(f"{side}_{b}")
                if pa and pb:
                    cv2.line(img, pa, pb, colour, max(2, round(width * hp)), cv2.LINE_AA)

        limbs(far, _FAR)
        found = [at(f"{s}_{k}") for s in (far, near) for k in ("shoulder", "hip")]
        corners = [c for c in found if c is not None]
        if len(corners) == 4:  # the trunk: a thick band from mid-shoulder to mid-hip
            sh = np.round(np.mean([corners[0], corners[2]], axis=0)).astype(int)
            hi = np.round(np.mean([corners[1], corners[3]], axis=0)).astype(int)
            cv2.line(
                img,
                (int(sh[0]), int(sh[1])),
                (int(hi[0]), int(hi[1])),
                _NEAR,
                max(2, round(_TRUNK_WIDTH_H * hp)),
                cv2.LINE_AA,
            )
        limbs(near, _NEAR)
        ear, nose = at("left_ear"), at("nose")
        if ear and nose:
            centre = (round((2 * ear[0] + nose[0]) / 3), round((2 * ear[1] + nose[1]) / 3))
            cv2.circle(img, centre, max(3, round(_HEAD_RADIUS_H * hp)), _SKIN, -1, cv2.LINE_AA)
        cv2.putText(img, BANNER, (10, h - 12), cv2.FONT_HERSHEY_SIMPLEX, 0.6, _TEXT, 2, cv2.LINE_AA)
        yield float(t), img
