"""Score upright's gait-event detector against force-plate contacts (RBDS001, 3.5 m/s).

The motion-capture markers of an instrumented-treadmill run are projected to a side view
(1 px = 1 mm), resampled to video-like frame rates, cleaned as the pipeline cleans pose
data, and fed to ``detect_gait_events``. The treadmill's vertical force gives the true
contacts and toe-offs. Run from the repository root::

    python benchmarks/gait_events_forceplate.py --fps 150 30 25
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from upright.io.c3d import read_c3d_side_view, read_force_plate_contacts
from upright.kinematics.events import detect_gait_events
from upright.kinematics.scoring import EventScore, score_events
from upright.signal.filters import fill_gaps, lowpass

MOCAP = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mocap"


@dataclass(frozen=True)
class Row:
    fps: float
    contacts: EventScore | None
    toe_offs: EventScore | None
    foot_agreement: float
    cadence_spm: float
    seconds: float
    error: str = ""


def cadence_spm(contact_s: np.ndarray) -> float:
    """Steps per minute from contact times: (contacts - 1) steps over their time span."""
    t = np.sort(contact_s[np.isfinite(contact_s)])
    return float(60.0 * (t.size - 1) / (t[-1] - t[0])) if t.size > 1 else float("nan")


def foot_agreement(truth: pd.DataFrame, found: pd.DataFrame, tolerance_s: float) -> float:
    """Share of true contacts whose nearest detection (within tolerance) has the same foot."""
    if found.empty:
        return float("nan")
    det_t = found["contact_s"].to_numpy()
    same = []
    for row in truth.itertuples():
        j = int(np.argmin(np.abs(det_t - row.contact_s)))
        if abs(det_t[j] - row.contact_s) <= tolerance_s:
            same.append(found["foot"].iloc[j] == row.foot)
    return float(np.mean(same)) if same else float("nan")


def prepare(run: Path, static: Path | None, fps: float, view: str, raw: bool) -> xr.Dataset:
    ds = read_c3d_side_view(
        run,
        fps=fps,
        view="left" if view == "left" else "right",
        static_path=static,
        sole_level=True,
    )
    return ds if raw else lowpass(fill_gaps(ds))


def evaluate(args: argparse.Namespace, truth: pd.DataFrame, fps: float) -> Row:
    tol = args.tolerance_ms / 1000.0
    start = time.perf_counter()
    try:
        ds = prepare(args.run, args.static, fps, args.view, args.raw)
        events = detect_gait_events(ds)
    except Exception as exc:  # a benchmark reports every failure and carries on
        return Row(
            fps,
            None,
            None,
            float("nan"),
            float("nan"),
            time.perf_counter() - start,
            error=f"{type(exc).__name__}: {exc}",
        )
    found = events.contacts
    return Row(
        fps=fps,
        contacts=score_events(truth["contact_s"], found["contact_s"], tolerance_s=tol),
        toe_offs=score_events(truth["toe_off_s"], found["toe_off_s"], tolerance_s=tol),
        foot_agreement=foot_agreement(truth, found, tol),
        cadence_spm=float(events.cadence_spm),
        seconds=time.perf_counter() - start,
    )


def _cells(score: EventScore | None, fps: float) -> list[str]:
    if score is None:
        return ["-"] * 6
    frame_ms = 1000.0 / fps
    return [
        f"{score.n_matched}/{score.n_true}",
        f"{score.n_detected}",
        f"{score.recall:.2f}",
        f"{score.precision:.2f}",
        f"{score.median_abs_error_ms:.1f} ({score.median_abs_error_ms / frame_ms:.2f} fr)",
        f"{score.median_error_ms:+.1f}",
    ]


def print_table(rows: list[Row], truth: pd.DataFrame, args: argparse.Namespace) -> None:
    true_cadence = cadence_spm(truth["contact_s"].to_numpy())
    stance = (truth["toe_off_s"] - truth["contact_s"]).median()
    print(f"run: {args.run}")
    print(
        f"force plate: {len(truth)} contacts, median stance {stance * 1000:.0f} ms, "
        f"cadence {true_cadence:.1f} steps/min (threshold {args.threshold_n:g} N)"
    )
    print(
        f"match tolerance {args.tolerance_ms:g} ms; cleaning: "
        f"{'none' if args.raw else 'fill_gaps + lowpass (pipeline defaults)'}\n"
    )
    head = ["fps", "event", "matched", "found", "recall", "prec", "med|err| ms", "bias ms"]
    widths = [5, 8, 8, 6, 7, 6, 20, 8]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
    for row in rows:
        for name, score in (("contact", row.contacts), ("toe-off", row.toe_offs)):
            cells = [f"{row.fps:g}", name, *_cells(score, row.fps)]
            print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
        if row.error:
            print(f"      detection failed: {row.error}")
        else:
            print(
                f"      feet agree {row.foot_agreement:.0%}; cadence {row.cadence_spm:.1f} "
                f"detected vs {true_cadence:.1f} force plate; {row.seconds:.2f} s"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=MOCAP / "RBDS001runT35.c3d")
    parser.add_argument(
        "--static",
        type=Path,
        default=MOCAP / "RBDS001static.c3d",
        help="standing trial for knee/ankle centres; '' to use estimates",
    )
    parser.add_argument("--fps", type=float, nargs="+", default=[150.0, 30.0])
    parser.add_argument("--view", choices=["left", "right"], default="right")
    parser.add_argument("--tolerance-ms", type=float, default=100.0)
    parser.add_argument("--threshold-n", type=float, default=50.0)
    parser.add_argument("--raw", action="store_true", help="skip gap filling and low-pass")
    args = parser.parse_args()
    if args.static is not None and str(args.static) in ("", "."):
        args.static = None
    truth = read_force_plate_contacts(args.run, threshold_n=args.threshold_n)
    rows = [evaluate(args, truth, fps) for fps in args.fps]
    print_table(rows, truth, args)


if __name__ == "__main__":
    main()
