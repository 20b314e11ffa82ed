"""Cross-model agreement: MediaPipe BlazePose against RTMPose on the same clip.

Both keypoint series go through the same analysis. Strides are paired by contact time
(same foot, within 0.1 s); per-stride differences (MediaPipe minus RTMPose) in trunk lean
and head-trunk angle are summarised by median and spread. Per-frame lean is compared too.
RTMPose (Halpe-26 in this file) has no ears, so its head point is the head top, which
shifts its head-trunk angle by a constant: compare changes, not absolute values.

Run: python benchmarks/cross_model.py
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from _common import CLIP, RTMPOSE, require_data
from upright.io.keypoints import read_keypoints
from upright.pose.runner import estimate_pose_video
from upright.services.analyze import analyze_keypoints


def pair_strides(a: pd.DataFrame, b: pd.DataFrame, tol_s: float = 0.1) -> pd.DataFrame:
    rows = []
    for _, ra in a.iterrows():
        same = b[b["foot"] == ra["foot"]]
        if same.empty:
            continue
        j = (same["start_s"] - ra["start_s"]).abs().idxmin()
        if abs(same.loc[j, "start_s"] - ra["start_s"]) <= tol_s:
            rows.append(
                {
                    "start_s": ra["start_s"],
                    "lean_mp": ra["trunk_lean_stance_deg"],
                    "lean_rtm": same.loc[j, "trunk_lean_stance_deg"],
                    "head_mp": ra["head_trunk_deg"],
                    "head_rtm": same.loc[j, "head_trunk_deg"],
                }
            )
    return pd.DataFrame(rows)


def describe(diff: np.ndarray) -> str:
    q1, med, q3 = np.percentile(diff, [25, 50, 75])
    return f"median {med:+.2f} deg, IQR {q1:+.2f} to {q3:+.2f}, SD {np.std(diff, ddof=1):.2f}"


def main() -> None:
    require_data()
    mp = analyze_keypoints(estimate_pose_video(CLIP), source_kind="video")
    rtm = analyze_keypoints(read_keypoints(RTMPOSE))
    print(
        f"MediaPipe: cadence {mp.summary.cadence_spm}, {len(mp.strides)} strides, "
        f"lean {mp.summary.metrics['trunk_lean_stance_deg'].value:.2f} deg, head point "
        f"{mp.summary.setup.head_point}"
    )
    print(
        f"RTMPose:   cadence {rtm.summary.cadence_spm}, {len(rtm.strides)} strides, "
        f"lean {rtm.summary.metrics['trunk_lean_stance_deg'].value:.2f} deg, head point "
        f"{rtm.summary.setup.head_point}"
    )
    pairs = pair_strides(mp.strides, rtm.strides)
    print(f"\n{len(pairs)} strides paired (same foot, contacts within 0.1 s)")
    print(
        "per-stride trunk lean, MediaPipe - RTMPose:  "
        + describe((pairs["lean_mp"] - pairs["lean_rtm"]).to_numpy())
    )
    print(
        "per-stride head-trunk, MediaPipe - RTMPose: "
        + describe((pairs["head_mp"] - pairs["head_rtm"]).to_numpy())
    )
    r = np.corrcoef(pairs["lean_mp"], pairs["lean_rtm"])[0, 1]
    print(f"per-stride lean correlation r = {r:.2f}")
    n = min(len(mp.frames), len(rtm.frames))
    frame_diff = (
        mp.frames["trunk_lean_deg"].to_numpy()[:n] - rtm.frames["trunk_lean_deg"].to_numpy()[:n]
    )
    print(
        "per-frame trunk lean, MediaPipe - RTMPose:   "
        + describe(frame_diff[~np.isnan(frame_diff)])
    )
    for name, a in (("MediaPipe", mp), ("RTMPose", rtm)):
        d = {x.metric: x for x in a.summary.drift}
        lean_d, head_d = d.get("trunk_lean_stance_deg"), d.get("head_trunk_deg")
        print(
            f"{name} within-clip drift: lean "
            f"{lean_d.change if lean_d else float('nan'):+.2f} deg, head-trunk "
            f"{head_d.change if head_d else float('nan'):+.2f} deg"
        )


if __name__ == "__main__":
    main()
