"""Motion-capture C3D files as ground truth: a side-view keypoint series and foot contacts.

A marker trial is turned into the pose Dataset of :mod:`upright.skeleton` as if an ideal
camera (orthographic, no lens, no occlusion) watched the runner from the side. One
"pixel" is one millimetre of the lab frame. The treadmill force plate of the same file
gives the true foot contacts, against which upright's video event detector is scored.

Frames
------
The lab axes are found from the markers, never assumed:

==============  ============================================================  ==========
lab axis        how it is found                                               image axis
==============  ============================================================  ==========
vertical        largest median offset between pelvis and heel markers        ``y`` (up)
anterior        largest median heel-to-toe offset of the remaining two axes   ``x``
mediolateral    the axis left over                                            dropped
==============  ============================================================  ==========

``x = +anterior`` in a ``view="right"`` series (the camera sees the runner's right side,
so the runner faces image-right) and ``x = -anterior`` in a ``view="left"`` series
(runner faces image-left; x values are then negative millimetres). ``anterior`` is the
lab axis signed so that toes lie ahead of heels, e.g. ``+X``.

Marker names follow the Running Biomechanics Data Set (RBDS, CAST marker set:
``L.Heel.Bottom``, ``R.MT1`` ...; Fukuchi, Fukuchi & Duarte 2017, PeerJ 5:e3298), with
a few Plug-in Gait aliases (``LHEE``, ``LASI`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import xarray as xr

from upright.errors import CorruptFileError, InputError, UnsupportedFormatError
from upright.skeleton import KEYPOINTS, FloatArray, add_processing_step, make_pose_dataset

__all__ = ["read_c3d_side_view", "read_force_plate_contacts"]

Side = Literal["left", "right"]
_SIDES: tuple[Side, Side] = ("left", "right")
_PREFIX: dict[Side, str] = {"left": "L", "right": "R"}

#: Candidate labels of each anatomical marker, ``{s}`` standing for ``L`` or ``R``.
_ALIASES: dict[str, tuple[str, ...]] = {
    "asis": ("{s}.ASIS", "{s}ASI", "{s}ASIS"),
    "psis": ("{s}.PSIS", "{s}PSI", "{s}PSIS"),
    "heel": ("{s}.Heel.Bottom", "{s}.Heel", "{s}HEE"),
    "mt1": ("{s}.MT1", "{s}MT1"),
    "mt5": ("{s}.MT5", "{s}MT5"),
    "toe": ("{s}.MT2", "{s}TOE"),
    "lat_malleolus": ("{s}.Ankle", "{s}.Ankle.Lateral", "{s}ANK"),
    "med_malleolus": ("{s}.Ankle.Medial", "{s}MED", "{s}MMA"),
    "lat_epicondyle": ("{s}.Knee", "{s}.Knee.Lateral", "{s}KNE"),
    "med_epicondyle": ("{s}.Knee.Medial", "{s}KNM", "{s}MKN"),
    "shoulder": ("{s}.Shoulder", "{s}.Acromion", "{s}SHO"),
}

#: Ankle fallback: height of the ankle above the heel-toe midpoint, along the foot normal.
ANKLE_ABOVE_FOOT_MM = 50.0
#: Knee fallback: knee centre above the shank-cluster top along the cluster's long axis.
KNEE_ABOVE_SHANK_CLUSTER_MM = 270.0

_C3D_SIGNATURE_BYTE = 0x50
_FORCE_LOWPASS_HZ = 50.0
_MIN_CONTACT_S = 0.05


@dataclass(frozen=True)
class _Markers:
    """Marker trajectories of one trial: ``xyz`` is (time, marker, 3) mm, NaN if missing."""

    labels: tuple[str, ...]
    xyz: FloatArray
    rate_hz: float
    path: Path

    def find(self, role: str, side: Side) -> FloatArray | None:
        """Trajectory (time, 3) of the first label of ``role`` present on ``side``."""
        index = {label.split(":")[-1].lower(): i for i, label in enumerate(self.labels)}
        for pattern in _ALIASES[role]:
            i = index.get(pattern.format(s=_PREFIX[side]).lower())
            if i is not None:
                return self.xyz[:, i, :]
        return None

    def cluster(self, segment: str, side: Side) -> dict[str, FloatArray]:
        """Technical cluster markers ``{s}.{segment}.*`` of one side, by label."""
        head = f"{_PREFIX[side]}.{segment}.".lower()
        return {
            label.split(":")[-1]: self.xyz[:, i, :]
            for i, label in enumerate(self.labels)
            if label.split(":")[-1].lower().startswith(head)
        }


@dataclass(frozen=True)
class _LabAxes:
    """Which lab axis (0, 1, 2 = X, Y, Z) is vertical and anterior, and their signs."""

    vertical: int
    vertical_sign: float
    anterior: int
    anterior_sign: float

    def describe(self, axis: int, sign: float) -> str:
        return f"{'+' if sign > 0 else '-'}{'XYZ'[axis]}"


# --------------------------------------------------------------------------- loading


def _import_ezc3d() -> Any:
    try:
        import ezc3d
    except ImportError as exc:
        raise InputError(
            "reading C3D motion-capture files needs the optional package ezc3d",
            fix="Install it with `pip install ezc3d` or `pip install upright[test]`",
        ) from exc
    return ezc3d


def _open_c3d(path: str | Path, *, with_force_plates: bool) -> Any:
    """Check the file and read it with ezc3d, raising upright errors that name it."""
    p = Path(path)
    if not p.is_file():
        raise InputError("file not found", path=p, fix="Check the path to the .c3d file")
    with p.open("rb") as fh:
        head = fh.read(2)
    if len(head) < 2 or head[1] != _C3D_SIGNATURE_BYTE:
        raise UnsupportedFormatError(
            "is not a C3D file (the second header byte is not the C3D signature 0x50)",
            path=p,
            fix="Export the trial as .c3d from the motion-capture software",
        )
    ezc3d = _import_ezc3d()
    try:
        c3d = ezc3d.c3d(str(p), extract_forceplat_data=with_force_plates)
    except (OSError, RuntimeError, ValueError) as exc:
        raise CorruptFileError(f"could not be read as C3D ({exc})", path=p) from exc
    header = c3d["header"]["points"]
    n_expected = int(header["last_frame"]) - int(header["first_frame"]) + 1
    n_read = int(c3d["data"]["points"].shape[-1])
    if n_read != n_expected:
        raise CorruptFileError(
            f"holds {n_read} marker frames but its header announces {n_expected}; "
            "the file looks truncated",
            path=p,
            fix="Copy or export the file again",
        )
    return c3d


def _read_markers(c3d: Any, path: Path) -> _Markers:
    labels = tuple(str(label) for label in c3d["parameters"]["POINT"]["LABELS"]["value"])
    points = np.asarray(c3d["data"]["points"][:3], dtype=np.float64)  # (3, marker, time)
    xyz = points.transpose(2, 1, 0).copy()
    residuals = np.asarray(c3d["data"]["meta_points"]["residuals"][0], dtype=np.float64).T
    missing = ~np.isfinite(xyz).all(axis=-1) | (xyz == 0.0).all(axis=-1) | (residuals < 0)
    xyz[missing] = np.nan
    rate_hz = float(c3d["header"]["points"]["frame_rate"])
    if rate_hz <= 0 or xyz.shape[0] == 0:
        raise InputError("has no marker frames", path=path, fix="Use a marker trial")
    return _Markers(labels=labels, xyz=xyz, rate_hz=rate_hz, path=path)


def _require(markers: _Markers, roles: tuple[str, ...]) -> dict[tuple[str, Side], FloatArray]:
    """Look up ``roles`` on both sides; name every missing marker in one error."""
    found: dict[tuple[str, Side], FloatArray] = {}
    missing: list[str] = []
    for role in roles:
        for side in _SIDES:
            traj = markers.find(role, side)
            if traj is None:
                missing.append(_ALIASES[role][0].format(s=_PREFIX[side]))
            else:
                found[role, side] = traj
    if missing:
        raise InputError(
            f"lacks the markers {', '.join(missing)} (or their Plug-in Gait aliases)",
            path=markers.path,
            fix="Use a trial with pelvis (ASIS, PSIS), heel and MT1/MT5 markers on both sides",
        )
    return found


# ------------------------------------------------------------------------ geometry


def _toe(markers: _Markers, side: Side) -> tuple[FloatArray, str]:
    mt1, mt5, toe = (markers.find(r, side) for r in ("mt1", "mt5", "toe"))
    if mt1 is not None and mt5 is not None:
        return (mt1 + mt5) / 2.0, "mean of MT1 and MT5 markers"
    for traj, name in ((mt1, "MT1"), (toe, "toe")):
        if traj is not None:
            return traj, f"{name} marker"
    raise InputError(
        f"lacks a {side} toe marker (MT1, MT5 or TOE)",
        path=markers.path,
        fix="Use a trial with forefoot markers",
    )


def _lab_axes(markers: _Markers) -> _LabAxes:
    """Find the vertical and anterior lab axes from pelvis, heel and toe markers."""
    m = _require(markers, ("asis", "psis", "heel"))
    pelvis = np.nanmean([m["asis", s] for s in _SIDES] + [m["psis", s] for s in _SIDES], axis=0)
    heels = [m["heel", s] for s in _SIDES]
    up = np.nanmedian(pelvis - np.nanmean(heels, axis=0), axis=0)
    vertical = int(np.argmax(np.abs(up)))
    heel_to_toe = np.concatenate([_toe(markers, s)[0] - m["heel", s] for s in _SIDES])
    forward = np.nanmedian(heel_to_toe, axis=0)
    horizontal = [a for a in range(3) if a != vertical]
    anterior = max(horizontal, key=lambda a: abs(float(forward[a])))
    return _LabAxes(
        vertical=vertical,
        vertical_sign=float(np.sign(up[vertical])),
        anterior=anterior,
        anterior_sign=float(np.sign(forward[anterior])),
    )


def _hip_joint_centres(asis: dict[Side, FloatArray], psis: dict[Side, FloatArray]) -> dict[
    Side, FloatArray
]:
    """Hip joint centres (time, 3) by the Harrington et al. (2007) regression.

    Pelvis frame at the ASIS midpoint: z to the right ASIS, x anterior (from the PSIS
    midpoint, made orthogonal to z), y = z x x superior. PW = ASIS distance, PD = depth
    between ASIS and PSIS midpoints; HJC = (-0.24 PD - 9.9, -0.30 PW - 10.9,
    +-(0.33 PW + 7.3)) mm, + for the right hip.
    """
    origin = (asis["left"] + asis["right"]) / 2.0
    across = asis["right"] - asis["left"]
    width = np.linalg.norm(across, axis=-1, keepdims=True)
    z = across / width
    back_to_front = origin - (psis["left"] + psis["right"]) / 2.0
    depth = np.linalg.norm(back_to_front, axis=-1, keepdims=True)
    x = back_to_front - np.sum(back_to_front * z, axis=-1, keepdims=True) * z
    x /= np.linalg.norm(x, axis=-1, keepdims=True)
    y = np.cross(z, x)
    hjc: dict[Side, FloatArray] = {}
    for side, lateral in (("left", -1.0), ("right", 1.0)):
        local_x = -0.24 * depth - 9.9
        local_y = -0.30 * width - 10.9
        local_z = lateral * (0.33 * width + 7.3)
        hjc[side] = origin + local_x * x + local_y * y + local_z * z
    return hjc


def _rigid_fit(reference: FloatArray, current: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Least-squares rotation and translation taking ``reference`` (n, 3) onto each frame.

    ``current`` is (time, n, 3). Returns R (time, 3, 3) and the centroids of
    ``reference`` and ``current`` so that ``p_now = R (p_ref - c_ref) + c_now``
    (Söderkvist & Wedin 1993). Frames with a missing marker get NaN.
    """
    n_t = current.shape[0]
    rotation = np.full((n_t, 3, 3), np.nan)
    ok = np.isfinite(current).all(axis=(1, 2))
    ref = reference - reference.mean(axis=0)
    cur = current[ok] - current[ok].mean(axis=1, keepdims=True)
    u, _, vt = np.linalg.svd(np.einsum("ni,tnj->tij", ref, cur))
    v, ut = vt.transpose(0, 2, 1), u.transpose(0, 2, 1)
    det = np.sign(np.linalg.det(v @ ut))
    flip = np.ones((det.size, 3))
    flip[:, 2] = det
    rotation[ok] = (v * flip[:, np.newaxis, :]) @ ut
    return rotation, current.mean(axis=1)


def _from_static(
    static: _Markers, run: _Markers, segment: str, side: Side, landmarks: FloatArray
) -> FloatArray | None:
    """Carry static-trial ``landmarks`` (3,) into the run through a marker cluster."""
    ref_cluster = static.cluster(segment, side)
    run_cluster = run.cluster(segment, side)
    common = sorted(set(ref_cluster) & set(run_cluster))
    if len(common) < 3:
        return None
    reference = np.stack([np.nanmean(ref_cluster[k], axis=0) for k in common])
    if not np.isfinite(reference).all() or not np.isfinite(landmarks).all():
        return None
    rotation, centroid = _rigid_fit(reference, np.stack([run_cluster[k] for k in common], 1))
    offset = landmarks - reference.mean(axis=0)
    return np.asarray(np.einsum("tij,j->ti", rotation, offset) + centroid, dtype=np.float64)


def _midpoint(a: FloatArray | None, b: FloatArray | None) -> FloatArray | None:
    if a is None:
        return None
    return a if b is None else (a + b) / 2.0


def _joint_3d(
    run: _Markers, static: _Markers | None, side: Side, joint: Literal["knee", "ankle"]
) -> tuple[FloatArray | None, str]:
    """A knee or ankle centre from markers in the run, else via the static trial."""
    lat, med, segment = (
        ("lat_epicondyle", "med_epicondyle", "Thigh")
        if joint == "knee"
        else ("lat_malleolus", "med_malleolus", "Shank")
    )
    direct = _midpoint(run.find(lat, side), run.find(med, side))
    if direct is not None:
        return direct, f"{joint} markers of the running trial (midpoint if both)"
    if static is not None:
        ref = _midpoint(static.find(lat, side), static.find(med, side))
        if ref is not None:
            carried = _from_static(static, run, segment, side, np.nanmean(ref, axis=0))
            if carried is not None:
                return carried, (
                    f"midpoint of the static-trial {joint} markers carried by the "
                    f"{segment.lower()} cluster (rigid fit)"
                )
    return None, ""


# ------------------------------------------------------------------ 2-D fallbacks


def _ankle_fallback(heel: FloatArray, toe: FloatArray, facing: float) -> FloatArray:
    """Heel-toe midpoint raised by ANKLE_ABOVE_FOOT_MM along the foot's upward normal."""
    foot = toe - heel
    normal = facing * np.stack([-foot[:, 1], foot[:, 0]], axis=1)
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    return np.asarray((heel + toe) / 2.0 + ANKLE_ABOVE_FOOT_MM * normal, dtype=np.float64)


def _knee_fallback(shank: dict[str, FloatArray]) -> FloatArray | None:
    """Shank-cluster top centroid extended KNEE_ABOVE_SHANK_CLUSTER_MM along its axis."""
    tops = [v for k, v in shank.items() if ".top" in k.lower()]
    bottoms = [v for k, v in shank.items() if ".bottom" in k.lower()]
    if not tops or not bottoms:
        return None
    top, bottom = np.mean(tops, axis=0), np.mean(bottoms, axis=0)
    axis = top - bottom
    axis /= np.linalg.norm(axis, axis=-1, keepdims=True)
    return np.asarray(top + KNEE_ABOVE_SHANK_CLUSTER_MM * axis, dtype=np.float64)
