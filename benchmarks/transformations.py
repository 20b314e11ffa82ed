"""Transformations of the real clip whose effect on the lean is known exactly.

1. Frames rotated by a known angle: with tilt correction off (``--tilt-deg 0``) the lean
   changes by that angle; with it on (the default, from the ground line) it barely moves.
2. The clip mirrored left-right: the same lean, the running direction reversed.
3. The clip looped 5 times (60 s) with a rotation growing slowly from 0 to 6 deg:
   analysed as a level camera, the lean drift is the 6 deg put in (the runner "leans"
   more and more), and it is flagged; the plain loop shows no flagged drift.

Rotation: counter-clockwise on screen. The runner faces image-left, so a counter-clockwise
turn tips the trunk further toward the running direction: lean rises by the angle.

Run: python benchmarks/transformations.py   (about 3 minutes on 2 cores)
"""

from __future__ import annotations

from pathlib import Path

from _common import CLIP, OUT, make_clip, require_data, rotate_frame
from upright.pose.runner import estimate_pose_video
from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints


def analyse(clip: Path, tilt_deg: float | None) -> Analysis:
    ds = estimate_pose_video(clip)
    return analyze_keypoints(
        ds, AnalysisOptions(tilt_deg=tilt_deg), source_kind="video", source_file=str(clip)
    )


def lean(a: Analysis) -> float:
    return a.summary.metrics["trunk_lean_stance_deg"].value


def main() -> None:
    require_data()
    base_level = analyse(CLIP, 0.0)
    base_auto = analyse(CLIP, None)
    print(
        f"original clip: lean {lean(base_level):.2f} deg level camera, {lean(base_auto):.2f} deg "
        f"with tilt correction (tilt found {base_auto.summary.setup.tilt_deg:+.2f} deg)"
    )
    print("\nrotated frames (counter-clockwise on screen)")
    print(
        f"{'angle':>6} {'expected':>9} {'change, tilt off':>17} {'change, tilt on':>16} "
        f"{'tilt found':>11}"
    )
    for angle in (-10.0, -5.0, 5.0, 10.0):
        clip = make_clip(
            OUT / f"male_side_rot{angle:+.0f}.mp4",
            transform=lambda rgb, t, a=angle: rotate_frame(rgb, a),
        )
        off, on = analyse(clip, 0.0), analyse(clip, None)
        print(
            f"{angle:+6.1f} {angle:+9.1f} {lean(off) - lean(base_level):+17.2f} "
            f"{lean(on) - lean(base_auto):+16.2f} {on.summary.setup.tilt_deg:+11.2f}"
        )
    mirrored = make_clip(OUT / "male_side_mirror.mp4", transform=lambda rgb, t: rgb[:, ::-1])
    m = analyse(mirrored, None)
    print(
        f"\nmirrored: direction {m.summary.setup.direction} (original "
        f"{base_auto.summary.setup.direction}), lean {lean(m):.2f} deg vs {lean(base_auto):.2f}, "
        f"head-trunk {m.summary.metrics['head_trunk_deg'].value:.2f} vs "
        f"{base_auto.summary.metrics['head_trunk_deg'].value:.2f} deg, cadence "
        f"{m.summary.cadence_spm} vs {base_auto.summary.cadence_spm}"
    )
    loops, grow_deg = 5, 6.0
    duration = loops * 12.0
    plain = make_clip(OUT / f"male_side_x{loops}.mp4", loops=loops)
    growing = make_clip(
        OUT / f"male_side_x{loops}_grow{grow_deg:.0f}.mp4",
        loops=loops,
        transform=lambda rgb, t: rotate_frame(rgb, grow_deg * t / duration),
    )
    for label, clip in (("looped, no rotation", plain), (f"looped, 0->{grow_deg:g} deg", growing)):
        a = analyse(clip, 0.0)
        d = next(x for x in a.summary.drift if x.metric == "trunk_lean_stance_deg")
        expected = grow_deg * (d.span_s / duration) if "deg" in label else 0.0
        print(
            f"{label}: drift {d.change:+.2f} deg [{d.ci95_low:+.2f}, {d.ci95_high:+.2f}] "
            f"over {d.span_s:.0f} s, expected {expected:+.2f}; MDC {d.mdc95:.2f}; "
            f"flagged={d.flagged}; strides {d.n_strides}"
        )


if __name__ == "__main__":
    main()
