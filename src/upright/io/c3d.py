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

import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import xarray as xr
from scipy.signal import butter, filtfilt

from upright.errors import CorruptFileError, InputError, UnsupportedFormatError
from upright.skeleton import KEYPOINTS, FloatArray, add_processing_step, make_pose_dataset

__all__ = ["read_c3d_side_view", "read_force_plate_contacts"]

Side = Literal["left", "right"]
_SIDES: tuple[Side, Side] = ("left", "right")
_PREFIX: dict[Side, str] = {"left": "L", "right": "R"}
Joint = Literal["knee", "ankle"]
_JOINTS: tuple[Joint, Joint] = ("knee", "ankle")

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

#: Ankle fallback (mm): along the heel-to-toe line from its midpoint, and up its normal.
#: Read from the RBDS001 static trial (malleolus midpoint); approximate for anyone else.
ANKLE_FROM_FOOT_MM: tuple[float, float] = (-15.0, 65.0)
#: Knee fallback (mm): from the shank-cluster top centroid along the cluster's
#: bottom-to-top axis, and forward of it. Same source and caveat.
KNEE_FROM_SHANK_CLUSTER_MM: tuple[float, float] = (270.0, 65.0)

_C3D_SIGNATURE_BYTE = 0x50
_C3D_BLOCK_BYTES = 512
_MIPS_PROCESSOR = 86  # big-endian files; Intel (84) and DEC (85) are little-endian
_FORCE_LOWPASS_HZ = 50.0
_FZ_LABEL = re.compile(r"(^|[._ :])f(orce)?[._ ]?z\d*$", re.IGNORECASE)
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


def _header_frame_count(path: Path) -> int | None:
    """Marker frames announced by the raw C3D header (None when it cannot say).

    ezc3d silently shortens a truncated file to the frames it could read and rewrites
    its own header copy, so the announced count is read from the file itself.
    """
    with path.open("rb") as fh:
        head = fh.read(_C3D_BLOCK_BYTES)
        fh.seek(max(head[0] - 1, 0) * _C3D_BLOCK_BYTES)
        param = fh.read(4)
    if len(head) < 10 or len(param) < 4:
        return None
    order = ">" if param[3] == _MIPS_PROCESSOR else "<"
    first, last = struct.unpack(order + "HH", head[6:10])
    if last == 0xFFFF or last < first:  # long trials keep the count elsewhere
        return None
    return int(last - first + 1)


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
    n_expected = _header_frame_count(p)
    n_read = int(c3d["data"]["points"].shape[-1])
    if n_expected is not None and n_read != n_expected:
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


def _hip_joint_centres(
    asis: dict[Side, FloatArray], psis: dict[Side, FloatArray]
) -> dict[Side, FloatArray]:
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
    local_x = -0.24 * depth - 9.9
    local_y = -0.30 * width - 10.9
    local_z = 0.33 * width + 7.3
    return {
        "left": origin + local_x * x + local_y * y - local_z * z,
        "right": origin + local_x * x + local_y * y + local_z * z,
    }


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
    run: _Markers, static: _Markers | None, side: Side, joint: Joint
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
    """2-D ankle from heel and toe, offset by :data:`ANKLE_FROM_FOOT_MM` in the foot frame."""
    along = toe - heel
    along /= np.linalg.norm(along, axis=1, keepdims=True)
    up = facing * np.stack([-along[:, 1], along[:, 0]], axis=1)
    a, n = ANKLE_FROM_FOOT_MM
    return np.asarray((heel + toe) / 2.0 + a * along + n * up, dtype=np.float64)


def _knee_fallback(top: FloatArray, bottom: FloatArray, facing: float) -> FloatArray:
    """2-D knee from shank-cluster centroids, offset by :data:`KNEE_FROM_SHANK_CLUSTER_MM`."""
    along = top - bottom
    along /= np.linalg.norm(along, axis=1, keepdims=True)
    forward = facing * np.stack([along[:, 1], -along[:, 0]], axis=1)
    a, f = KNEE_FROM_SHANK_CLUSTER_MM
    return np.asarray(top + a * along + f * forward, dtype=np.float64)


def _cluster_ends(shank: dict[str, FloatArray]) -> tuple[FloatArray, FloatArray] | None:
    """Centroids (time, 3) of the ``*.Top.*`` and ``*.Bottom.*`` markers of a cluster."""
    tops = [v for k, v in shank.items() if ".top" in k.lower()]
    bottoms = [v for k, v in shank.items() if ".bottom" in k.lower()]
    if not tops or not bottoms:
        return None
    return np.mean(tops, axis=0), np.mean(bottoms, axis=0)


# ------------------------------------------------------------------- side view


def _resample(
    time_s: FloatArray, position: FloatArray, native_hz: float, fps: float, path: Path
) -> tuple[FloatArray, FloatArray, str]:
    """Decimate (integer ratio) or linearly interpolate ``position`` (time, ...) to ``fps``."""
    if not 0 < fps <= native_hz:
        raise InputError(
            f"cannot resample the {native_hz:g} Hz markers to fps={fps:g}",
            path=path,
            fix=f"Choose 0 < fps <= {native_hz:g}",
        )
    ratio = native_hz / fps
    step = round(ratio)
    if abs(ratio - step) < 1e-9:
        return time_s[::step], position[::step], f"every {step}th frame of {native_hz:g} Hz"
    new_t = time_s[0] + np.arange(int(np.floor((time_s[-1] - time_s[0]) * fps)) + 1) / fps
    flat = position.reshape(position.shape[0], -1)
    out = np.stack([np.interp(new_t, time_s, col) for col in flat.T], axis=1)
    return (
        new_t,
        out.reshape((new_t.size, *position.shape[1:])),
        (f"linear interpolation of {native_hz:g} Hz frames (NaN next to a missing frame)"),
    )


def _side_view_points(
    run: _Markers, static: _Markers | None, axes: _LabAxes, facing: float
) -> tuple[dict[str, FloatArray], dict[str, str]]:
    """Projected (time, 2) trajectories and their source, per canonical keypoint."""

    def project(p3: FloatArray) -> FloatArray:
        x = facing * axes.anterior_sign * p3[:, axes.anterior]
        y = axes.vertical_sign * p3[:, axes.vertical]
        return np.stack([x, y], axis=1)

    m = _require(run, ("asis", "psis", "heel"))
    hips = _hip_joint_centres({s: m["asis", s] for s in _SIDES}, {s: m["psis", s] for s in _SIDES})
    points: dict[str, FloatArray] = {}
    sources: dict[str, str] = {}
    for side in _SIDES:
        points[f"{side}_hip"] = project(hips[side])
        sources[f"{side}_hip"] = "hip joint centre from ASIS and PSIS (Harrington 2007)"
        points[f"{side}_heel"] = project(m["heel", side])
        sources[f"{side}_heel"] = "heel marker (Heel.Bottom / HEE)"
        toe3, sources[f"{side}_toe"] = _toe(run, side)
        points[f"{side}_toe"] = project(toe3)
        for joint in _JOINTS:
            name = f"{side}_{joint}"
            p3, sources[name] = _joint_3d(run, static, side, joint)
            if p3 is not None:
                points[name] = project(p3)
        ends = _cluster_ends(run.cluster("Shank", side))
        if f"{side}_knee" not in points and ends is not None:
            points[f"{side}_knee"] = _knee_fallback(project(ends[0]), project(ends[1]), facing)
            sources[f"{side}_knee"] = (
                "estimate: shank-cluster top centroid offset by (along, forward) = "
                f"{KNEE_FROM_SHANK_CLUSTER_MM} mm"
            )
        if f"{side}_ankle" not in points:
            heel, toe = points[f"{side}_heel"], points[f"{side}_toe"]
            points[f"{side}_ankle"] = _ankle_fallback(heel, toe, facing)
            sources[f"{side}_ankle"] = (
                f"estimate: heel-toe midpoint offset by (along, up) = {ANKLE_FROM_FOOT_MM} mm"
            )
        shoulder = run.find("shoulder", side)
        if shoulder is not None:
            points[f"{side}_shoulder"] = project(shoulder)
            sources[f"{side}_shoulder"] = "shoulder marker"
    return points, {k: v for k, v in sources.items() if k in points}


def read_c3d_side_view(
    path: str | Path,
    *,
    fps: float | None = None,
    view: Literal["left", "right"] = "right",
    static_path: str | Path | None = None,
    sole_level: bool = False,
) -> xr.Dataset:
    """Project a C3D marker trial to a 2-D side-view pose Dataset (1 px = 1 mm).

    Parameters
    ----------
    path
        C3D file of the (treadmill) running trial.
    fps
        Frame rate of the output. ``None`` keeps the marker rate. When the marker rate
        divided by ``fps`` is an integer, every k-th frame is kept (150 Hz -> 30 fps:
        frames 0, 5, 10 ...); otherwise positions are linearly interpolated.
    view
        Side the virtual camera looks at: ``"right"`` (runner faces image-right, +x) or
        ``"left"`` (runner faces image-left, x = minus the anterior lab coordinate).
    static_path
        Optional standing calibration trial of the same subject. Knee and ankle markers
        that exist only there (epicondyles, malleoli) are carried into the run through
        the thigh and shank clusters. Without it knee and ankle are rough estimates.
    sole_level
        Move the heel and toe points down to the sole, as a video pose model places its
        heel and toe keypoints: each marker's height when on the ground (its 2nd
        percentile over the trial) is subtracted from it. The MT markers sit about 2 cm
        above the floor on the side of the forefoot; a keypoint toe sits at the floor.

    Returns
    -------
    xarray.Dataset
        Pose Dataset (see :mod:`upright.skeleton`) with ``time`` in seconds from the
        first frame, ``position`` in lab millimetres (``attrs["units"] = "mm"``),
        ``confidence`` 1 where the keypoint exists and 0 where its markers are missing
        (position NaN there). Keypoints the marker set lacks (head, arms, usually the
        shoulders) are NaN throughout. ``attrs`` name the lab axes used, the running
        direction and how each keypoint was made (``keypoint_sources``).

    Raises
    ------
    InputError
        File missing, ezc3d not installed, markers missing, or ``fps`` out of range.
    UnsupportedFormatError
        The file is not a C3D file.
    CorruptFileError
        The C3D file cannot be read or is truncated.

    Notes
    -----
    Hips are hip joint centres from the Harrington et al. (2007) regression on the ASIS
    and PSIS markers (J Biomech 40:595-602). Heel = ``Heel.Bottom``; toe = mean of MT1
    and MT5. Knee = epicondyle midpoint and ankle = malleolus midpoint when those markers
    exist (in the run, or via ``static_path`` and a cluster rigid fit, Söderkvist &
    Wedin 1993, J Biomech 26:1473-7). Otherwise knee and ankle are fixed 2-D offsets
    from the shank cluster (:data:`KNEE_FROM_SHANK_CLUSTER_MM`) and from the heel-toe
    line (:data:`ANKLE_FROM_FOOT_MM`), read from the RBDS001 static trial; on the
    RBDS001 run they stay within a few cm of the calibrated points.
    The projection is orthographic: both legs stay visible, with no perspective.
    """
    run = _read_markers(_open_c3d(path, with_force_plates=False), Path(path))
    static = None
    if static_path is not None:
        static = _read_markers(_open_c3d(static_path, with_force_plates=False), Path(static_path))
    axes = _lab_axes(run)
    facing = 1.0 if view == "right" else -1.0
    points, sources = _side_view_points(run, static, axes, facing)

    n_t = run.xyz.shape[0]
    position = np.full((n_t, 2, len(KEYPOINTS)), np.nan)
    for k, name in enumerate(KEYPOINTS):
        if name in points:
            position[:, :, k] = points[name]
    if sole_level:
        ground = np.nanmin(
            [
                np.nanpercentile(position[:, 1, KEYPOINTS.index(f"{s}_heel")], 2)
                for s in ("left", "right")
            ]
        )
        for name in ("left_heel", "right_heel", "left_toe", "right_toe"):
            k = KEYPOINTS.index(name)
            position[:, 1, k] -= np.nanpercentile(position[:, 1, k], 2) - ground
            sources[name] = sources.get(name, "") + ", moved down to the sole"
    time_s = np.arange(n_t, dtype=np.float64) / run.rate_hz
    resampling = "none"
    out_fps = run.rate_hz
    if fps is not None:
        time_s, position, resampling = _resample(time_s, position, run.rate_hz, fps, run.path)
        out_fps = float(fps)
    valid = np.isfinite(position).all(axis=1)  # (time, keypoint)
    position = np.where(valid[:, np.newaxis, :], position, np.nan)
    confidence = valid.astype(np.float64)

    ds = make_pose_dataset(
        position,
        confidence,
        time_s,
        fps=out_fps,
        source_software="C3D motion capture (ezc3d), orthographic side view",
        source_file=str(path),
    )
    anterior = axes.describe(axes.anterior, axes.anterior_sign)
    vertical = axes.describe(axes.vertical, axes.vertical_sign)
    x_from = axes.describe(axes.anterior, axes.anterior_sign * facing)
    ds.attrs.update(
        {
            "units": "mm",
            "pixel_size_mm": 1.0,
            "view": view,
            "native_fps": run.rate_hz,
            "resampling": resampling,
            "lab_vertical_axis": vertical,
            "lab_anterior_axis": anterior,
            "running_direction": f"runner faces {anterior} of the lab (toes ahead of heels)",
            "x_image_from_lab": x_from,
            "y_image_from_lab": vertical,
            "keypoint_sources": "; ".join(f"{k}: {v}" for k, v in sources.items()),
        }
    )
    return add_processing_step(
        ds, f"read_c3d_side_view(view={view}, x={x_from}, y={vertical}, resampling={resampling})"
    )


# ------------------------------------------------------------------ force plate


def _vertical_force(c3d: Any, path: Path) -> tuple[FloatArray, float, str]:
    """Vertical ground-reaction force (N, positive up = loading) and its sampling rate."""
    rate_hz = float(c3d["header"]["analogs"]["frame_rate"])
    n_channels = int(c3d["header"]["analogs"]["size"])
    platforms = [np.asarray(pf["force"], dtype=np.float64) for pf in c3d["data"]["platform"]]
    platforms = [f for f in platforms if f.ndim == 2 and f.shape[1] > 0]
    if n_channels > 0 and platforms:
        total = np.sum(platforms, axis=0)  # (3, sample) in the lab frame
        axis = int(np.argmax(np.abs(total.mean(axis=1))))
        sign = float(np.sign(total[axis].mean()))
        axis_name = f"{'+' if sign > 0 else '-'}{'XYZ'[axis]}"
        source = f"{len(platforms)} force plate(s), vertical = lab axis {axis_name}"
        return sign * total[axis], rate_hz, source
    labels = [str(x) for x in c3d["parameters"]["ANALOG"]["LABELS"]["value"]]
    picked = [i for i, label in enumerate(labels) if re.search(_FZ_LABEL, label)]
    if n_channels == 0 or not picked:
        raise InputError(
            "has no vertical force channel (no FORCE_PLATFORM data, no analog label "
            f"like Fz or Force.Fz1 among {labels or 'no analog channels'})",
            path=path,
            fix="Use the running trial recorded with the treadmill force plate",
        )
    force = np.asarray(c3d["data"]["analogs"][0][picked], dtype=np.float64).sum(axis=0)
    sign = float(np.sign(force.mean()))
    names = ", ".join(labels[i] for i in picked)
    return sign * force, rate_hz, f"analog channel(s) {names}, sign {'+' if sign > 0 else '-'}"


def _lowpass(signal: FloatArray, rate_hz: float, cutoff_hz: float) -> FloatArray:
    """Zero-lag 2nd-order Butterworth low-pass, run forward and back (4th order)."""
    if cutoff_hz >= rate_hz / 2 or signal.size < 16:
        return signal
    b, a = butter(2, cutoff_hz / (rate_hz / 2))
    return np.asarray(filtfilt(b, a, signal), dtype=np.float64)


def _threshold_intervals(
    force: FloatArray, rate_hz: float, threshold: float
) -> tuple[FloatArray, FloatArray]:
    """Rising and falling crossings of ``threshold`` (s, linearly interpolated), paired.

    A load already on at the first sample has no known contact and is dropped; a load
    still on at the last sample keeps a NaN toe-off.
    """
    above = force > threshold
    edges = np.diff(above.astype(np.int8))

    def when(i: npt.NDArray[np.intp]) -> FloatArray:
        frac = (threshold - force[i]) / (force[i + 1] - force[i])
        return np.asarray((i + frac) / rate_hz, dtype=np.float64)

    rises = when(np.flatnonzero(edges == 1))
    falls = when(np.flatnonzero(edges == -1))
    if above[0]:
        falls = falls[1:]
    if above[-1]:
        falls = np.append(falls, np.nan)
    return rises, falls


def _lowest_foot(contact_s: FloatArray, markers: _Markers, axes: _LabAxes) -> list[str]:
    """Foot whose lowest heel / MT marker is lower at each contact ('' if unknown)."""
    time_s = np.arange(markers.xyz.shape[0]) / markers.rate_hz
    height: dict[Side, FloatArray] = {}
    for side in _SIDES:
        trajs = [markers.find(r, side) for r in ("heel", "mt1", "mt5", "toe")]
        tracks = [axes.vertical_sign * t[:, axes.vertical] for t in trajs if t is not None]
        at_contact = [np.interp(contact_s, time_s, z) for z in tracks]
        height[side] = np.min(at_contact, axis=0) if at_contact else np.full(contact_s.size, np.nan)
    gap = height["right"] - height["left"]
    return ["left" if g > 0 else "right" if g < 0 else "" for g in gap]


def _fill_by_alternation(feet: list[str]) -> list[str]:
    """Give undecided contacts ('') the foot opposite their nearest decided neighbour."""
    known = [i for i, f in enumerate(feet) if f]
    if not known:
        return ["unknown"] * len(feet)
    other = {"left": "right", "right": "left"}
    out = list(feet)
    for i, foot in enumerate(feet):
        if not foot:
            j = min(known, key=lambda k: abs(k - i))
            out[i] = feet[j] if (i - j) % 2 == 0 else other[feet[j]]
    return out


def read_force_plate_contacts(path: str | Path, *, threshold_n: float = 50.0) -> pd.DataFrame:
    """Foot contacts and toe-offs from the vertical ground-reaction force of a C3D trial.

    Parameters
    ----------
    path
        C3D file with force-plate analog channels (one treadmill plate, or several
        plates whose forces are summed).
    threshold_n
        Vertical force (N) above which a foot is on the ground.

    Returns
    -------
    pandas.DataFrame
        One row per foot contact in time order: ``contact_s`` (rising crossing of the
        threshold), ``toe_off_s`` (falling crossing; NaN if the trial ends in stance),
        ``stance_s`` and ``foot`` ('left' / 'right'; 'unknown' if the file has no foot
        markers). ``attrs`` record the force source, filter and threshold.

    Raises
    ------
    InputError
        File missing, ezc3d not installed, or no force channel in the file.
    UnsupportedFormatError
        The file is not a C3D file.
    CorruptFileError
        The C3D file cannot be read or is truncated.

    Notes
    -----
    The force is the plate force in the lab frame as computed by ezc3d from the
    FORCE_PLATFORM calibration; its vertical axis is the component with the largest
    mean (on a treadmill the mean vertical force equals body weight). It is low-pass
    filtered at 50 Hz (zero lag), which removes the +-30 N flight-phase noise of the
    RBDS plate. Contacts shorter than 50 ms are discarded as blips. Thresholds of
    20-50 N are usual for running on instrumented treadmills; 50 N keeps clear of the
    plate noise. Running has no double support, so each loaded interval is one foot:
    the one whose lowest heel or metatarsal marker is lower at contact; contacts
    without markers take the foot opposite their nearest decided neighbour.
    """
    p = Path(path)
    c3d = _open_c3d(p, with_force_plates=True)
    force, rate_hz, source = _vertical_force(c3d, p)
    smooth = _lowpass(force, rate_hz, _FORCE_LOWPASS_HZ)
    contact_s, toe_off_s = _threshold_intervals(smooth, rate_hz, threshold_n)
    keep = ~(toe_off_s - contact_s < _MIN_CONTACT_S)
    contact_s, toe_off_s = contact_s[keep], toe_off_s[keep]
    feet = [""] * contact_s.size
    markers = _read_markers(c3d, p) if c3d["data"]["points"].shape[1] > 0 else None
    if markers is not None and contact_s.size:
        try:
            feet = _lowest_foot(contact_s, markers, _lab_axes(markers))
        except InputError:
            feet = [""] * contact_s.size  # no pelvis / foot markers: alternation below
    df = pd.DataFrame(
        {
            "contact_s": contact_s,
            "toe_off_s": toe_off_s,
            "stance_s": toe_off_s - contact_s,
            "foot": _fill_by_alternation(feet),
        }
    )
    df.attrs.update(
        {
            "source_file": str(p),
            "force_source": source,
            "force_rate_hz": rate_hz,
            "lowpass_hz": _FORCE_LOWPASS_HZ,
            "threshold_n": threshold_n,
            "min_contact_s": _MIN_CONTACT_S,
            "body_weight_n": float(np.mean(force)),
        }
    )
    return df
