"""Tests of upright.report.annotate: the annotated copy of a clip.

Short synthetic clips (a flat grey scene) get an overlay with a known trunk line; the
annotated file is decoded again and checked: frame count, size, pixel format, the trunk
line's colour along it, the text readout, and that a failure leaves no file.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

import upright.report.annotate as annotate
from upright.io.video import ColourMatrix, YUVPlanes, probe_video
from upright.report.annotate import (
    Overlay,
    annotate_frames,
    draw_overlay,
    draw_overlay_yuv420p,
    write_annotated_video,
)
from upright.skeleton import KEYPOINTS

RGB = npt.NDArray[np.uint8]
N_FRAMES = 30
FPS = 30.0
GREY = (90, 90, 90)
TRUNK = (255, 80, 40)  # annotate._TRUNK
# The displayed source is 360x640 (portrait), drawn on at 270x480.
SOURCE_W, SOURCE_H = 360, 640
OUT_W, OUT_H = 270, 480
MAX_SIDE = 480
HIP, SHOULDER = (150.0, 420.0), (170.0, 220.0)  # in source pixels, y down


# ------------------------------------------------------------------ helpers


def marker(width: int, height: int) -> tuple[slice, slice]:
    """Rows and columns of a red patch at the right edge, above the middle: away from
    the overlay, and it lands elsewhere if the picture is turned or mirrored."""
    return slice(height * 30 // 100, height * 37 // 100), slice(width * 85 // 100, width)


def scene(width: int = SOURCE_W, height: int = SOURCE_H) -> RGB:
    """Flat grey with the red marker patch."""
    rgb = np.full((height, width, 3), GREY, dtype=np.uint8)
    rgb[marker(width, height)] = (255, 0, 0)
    return rgb


def write_source(
    path: Path,
    rgb: RGB,
    *,
    rotation_deg: int = 0,
    bt709: bool = False,
    pix_fmt: str = "yuv420p",
    n: int = N_FRAMES,
) -> Path:
    """Encode ``n`` copies of ``rgb`` as a phone would: stored turned counter-clockwise by
    ``rotation_deg`` and tagged to be turned back on display; BT.709 if asked."""
    stored = np.ascontiguousarray(np.rot90(rgb, k=rotation_deg // 90))
    time_base = Fraction(1, 90_000)
    with av.open(str(path), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height = stored.shape[1], stored.shape[0]
        stream.pix_fmt = pix_fmt
        stream.time_base = time_base
        stream.codec_context.time_base = time_base
        stream.codec_context.options = {"preset": "ultrafast", "crf": "10"}
        if bt709:
            stream.codec_context.colorspace = 1  # AVCOL_SPC_BT709
            stream.codec_context.color_range = 1  # limited
        if rotation_deg:
            stream.set_display_rotation(-rotation_deg)
        frame = av.VideoFrame.from_ndarray(stored, format="rgb24")
        if bt709:
            frame = frame.reformat(format=pix_fmt, dst_colorspace="ITU709")
            frame.colorspace = 1
        for i in range(n):
            frame.pts = round(i / FPS / time_base)
            frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def trunk_overlay(n: int = N_FRAMES, banner: str | None = None) -> Overlay:
    """Only a hip and a shoulder: the vertical reference, the hip-shoulder bone, the trunk
    line over both, and the readout."""
    xy = np.full((n, 2, len(KEYPOINTS)), np.nan)
    xy[:, :, KEYPOINTS.index("left_hip")] = HIP
    xy[:, :, KEYPOINTS.index("left_shoulder")] = SHOULDER
    return Overlay(
        time_s=np.arange(n) / FPS,
        xy_image=xy,
        trunk_lean_deg=np.full(n, 5.7),
        head_trunk_deg=np.full(n, -12.0),
        up_deg=0.0,
        video_width_px=SOURCE_W,
        video_height_px=SOURCE_H,
        contacts={3: "L"},
        banner=banner,
    )


def full_overlay(n: int = 4) -> Overlay:
    """A whole stick figure, every bone drawn, near side left."""
    spots = {
        "nose": (190, 120), "head_top": (175, 80), "left_eye": (185, 105),
        "right_eye": (188, 107), "left_ear": (165, 112), "right_ear": (170, 114),
        "left_shoulder": (170, 220), "right_shoulder": (176, 224), "left_elbow": (210, 300),
        "right_elbow": (130, 290), "left_wrist": (250, 280), "right_wrist": (120, 350),
        "left_hip": (150, 420), "right_hip": (156, 424), "left_knee": (220, 500),
        "right_knee": (120, 520), "left_ankle": (200, 600), "right_ankle": (60, 560),
        "left_heel": (185, 610), "right_heel": (45, 555), "left_toe": (230, 615),
        "right_toe": (70, 590),
    }  # fmt: skip
    xy = np.array([spots[k] for k in KEYPOINTS], dtype=float).T
    overlay = trunk_overlay(n)
    return Overlay(
        time_s=overlay.time_s,
        xy_image=np.repeat(xy[None], n, axis=0),
        trunk_lean_deg=overlay.trunk_lean_deg,
        head_trunk_deg=overlay.head_trunk_deg,
        up_deg=4.0,
        video_width_px=SOURCE_W,
        video_height_px=SOURCE_H,
        contacts=overlay.contacts,
    )


def decoded(path: Path) -> tuple[list[RGB], str, int]:
    """Every frame as RGB (as a player shows it: the file's own matrix), the pixel
    format, and the stream's colour matrix tag."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return frames, stream.codec_context.pix_fmt, stream.codec_context.colorspace


def trunk_samples(rgb: RGB) -> RGB:
    """Pixels along the middle of the drawn trunk line (ends left out)."""
    sx, sy = OUT_W / SOURCE_W, OUT_H / SOURCE_H
    t = np.linspace(0.2, 0.8, 25)
    x = np.rint((HIP[0] + t * (SHOULDER[0] - HIP[0])) * sx).astype(int)
    y = np.rint((HIP[1] + t * (SHOULDER[1] - HIP[1])) * sy).astype(int)
    return rgb[y, x]


def assert_annotated(path: Path, *, n: int = N_FRAMES) -> list[RGB]:
    info = probe_video(path)
    assert (info.codec, info.n_frames) == ("h264", n)
    assert (info.width_px, info.height_px, info.rotation_deg) == (OUT_W, OUT_H, 0)
    frames, pix_fmt, _ = decoded(path)
    assert len(frames) == n and pix_fmt == "yuv420p"
    head = path.read_bytes()[: 1 << 16]
    assert 0 <= head.find(b"moov") < head.find(b"mdat"), "not faststart"
    return frames


def assert_trunk_colour(rgb: RGB) -> None:
    samples = trunk_samples(rgb).astype(int)
    error = np.abs(samples - np.array(TRUNK)).max(axis=1)
    assert np.median(error) <= 10 and error.max() <= 30, samples


def assert_readout_drawn(rgb: RGB) -> None:
    """The top-left text: dark outlines and bright coloured strokes on the grey."""
    region = rgb[4:80, 8:200].astype(int)
    luma = region.mean(axis=2)
    assert (luma < 40).sum() > 300, "no text outline"
    assert (luma > 150).sum() > 50, "no bright text"
    reddish = (region[..., 0] > 170) & (region[..., 1] < 130) & (region[..., 2] < 110)
    assert reddish.sum() > 20, "no trunk-coloured text"


def assert_upright(rgb: RGB) -> None:
    """The red marker is where it was: the picture is not turned or mirrored."""
    rows, cols = marker(OUT_W, OUT_H)
    inner = rgb[rows.start + 3 : rows.stop - 3, cols.start + 3 :]
    red = inner.reshape(-1, 3).mean(axis=0)
    assert red[0] > 200 and red[1] < 60 and red[2] < 60, red
    for mirrored in (rgb[rows, : OUT_W - cols.start], rgb[OUT_H - rows.stop : OUT_H - rows.start]):
        assert (mirrored[..., 0].astype(int) - mirrored[..., 1] < 60).mean() > 0.9


# -------------------------------------------------------------- the video pass


@pytest.mark.parametrize(
    ("rotation_deg", "bt709", "source_scale", "pix_fmt"),
    [
        (0, False, 1.0, "yuv420p"),  # scaled by swscale
        (0, False, 0.75, "yuv420p"),  # shown as it is: copied, never drawn on in the decoder
        (90, False, 1.0, "yuv420p"),  # a portrait phone clip stored landscape
        (270, True, 0.75, "yuv420p"),
        (0, True, 1.0, "yuv420p"),  # BT.709 stays BT.709
        (180, False, 1.0, "yuv444p"),  # converted by swscale
    ],
)
def test_annotated_clip_frames_size_colours_and_text(
    tmp_path: Path, rotation_deg: int, bt709: bool, source_scale: float, pix_fmt: str
) -> None:
    width, height = round(SOURCE_W * source_scale), round(SOURCE_H * source_scale)
    source = write_source(
        tmp_path / "clip.mp4",
        scene(width, height),
        rotation_deg=rotation_deg,
        bt709=bt709,
        pix_fmt=pix_fmt,
    )
    out = tmp_path / "annotated.mp4"
    calls: list[int] = []

    write_annotated_video(source, trunk_overlay(), out, max_side_px=MAX_SIDE, progress=calls.append)

    frames = assert_annotated(out)
    assert sum(calls) == N_FRAMES
    _, _, colorspace = decoded(out)
    assert colorspace == (1 if bt709 else 6)  # BT.709 / SMPTE 170M (BT.601)
    for rgb in (frames[0], frames[N_FRAMES // 2], frames[-1]):
        assert_trunk_colour(rgb)
        assert_readout_drawn(rgb)
        assert_upright(rgb)
    background = frames[5][OUT_H - 60 :, OUT_W - 60 :].reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(background, GREY, atol=4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4", "clip.mp4"]


def test_overlay_shorter_than_clip_stops_early(tmp_path: Path) -> None:
    source = write_source(tmp_path / "clip.mp4", scene())
    out = tmp_path / "annotated.mp4"
    write_annotated_video(source, trunk_overlay(n=12), out, max_side_px=MAX_SIDE)
    assert_annotated(out, n=12)


@pytest.mark.parametrize(
    ("source_scale", "bt709"),
    [(1.0, False), (0.75, False), (0.75, True)],  # the last: swscale has nothing to do
)
def test_drawing_never_leaks_into_later_frames(
    tmp_path: Path, source_scale: float, bt709: bool
) -> None:
    """Each frame is drawn on its own copy, never on a picture the decoder still uses as
    a reference: a moving trunk line leaves no trail."""
    width, height = round(SOURCE_W * source_scale), round(SOURCE_H * source_scale)
    source = write_source(tmp_path / "clip.mp4", scene(width, height), bt709=bt709)
    overlay = trunk_overlay()
    overlay.xy_image[:, 0, :] += 4.0 * np.arange(N_FRAMES)[:, None]  # 3 output px a frame
    out = tmp_path / "annotated.mp4"
    write_annotated_video(source, overlay, out, max_side_px=MAX_SIDE)
    frames = assert_annotated(out)
    # Where the trunk was in the first frame, the last frame shows the grey scene.
    first_trunk = trunk_samples(frames[0]).astype(int)
    last_there = trunk_samples(frames[-1]).astype(int)
    assert np.abs(first_trunk - np.array(TRUNK)).max(axis=1).max() <= 30
    np.testing.assert_allclose(last_there.mean(axis=0), GREY, atol=6)


def test_odd_sized_clip_shown_unscaled_goes_through_rgb(tmp_path: Path) -> None:
    # yuv420p cannot hold an odd size; 4:4:4 can. VideoWriter pads the RGB frames.
    odd = scene()[:-1, :-1]
    source = write_source(tmp_path / "clip.mp4", odd, pix_fmt="yuv444p", n=5)
    out = tmp_path / "annotated.mp4"
    write_annotated_video(source, trunk_overlay(n=5), out, max_side_px=None)
    info = probe_video(out)
    assert (info.n_frames, info.width_px, info.height_px) == (5, SOURCE_W, SOURCE_H)


def test_failure_mid_way_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_source(tmp_path / "clip.mp4", scene())
    out = tmp_path / "annotated.mp4"
    real = annotate.draw_overlay_yuv420p
    drawn: list[int] = []

    def fail_at_ten(*args: object, **kwargs: object) -> None:
        drawn.append(1)
        if len(drawn) == 10:
            raise RuntimeError("boom")
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(annotate, "draw_overlay_yuv420p", fail_at_ten)
    with pytest.raises(RuntimeError, match="boom"):
        write_annotated_video(source, trunk_overlay(), out, max_side_px=MAX_SIDE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clip.mp4"]


def test_failure_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_source(tmp_path / "clip.mp4", scene(), n=10)
    out = tmp_path / "annotated.mp4"
    out.write_bytes(b"previous")

    def fail(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(annotate, "draw_overlay_yuv420p", fail)
    with pytest.raises(RuntimeError):
        write_annotated_video(source, trunk_overlay(n=10), out, max_side_px=MAX_SIDE)
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.mp4", "clip.mp4"]


# -------------------------------------------------------- drawing, RGB and YUV


@pytest.mark.parametrize("matrix", ["bt601", "bt709"])
def test_yuv_drawing_matches_rgb_drawing(matrix: ColourMatrix) -> None:
    """The overlay drawn on the planes is the overlay drawn in RGB, up to chroma
    subsampling: every bone, line and letter, in its colour."""
    rng = np.random.default_rng(1)
    base = np.clip(rng.normal(100, 30, (OUT_H, OUT_W, 3)), 0, 255).astype(np.uint8)
    base = cv2.GaussianBlur(base, (9, 9), 3)  # a smooth photo-like background
    overlay = full_overlay()
    kr, kb = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}[matrix]

    def to_yuv(rgb: RGB) -> YUVPlanes:
        f = rgb.astype(float) / 255
        y = kr * f[..., 0] + (1 - kr - kb) * f[..., 1] + kb * f[..., 2]
        u = (f[..., 2] - y) / (2 * (1 - kb))
        v = (f[..., 0] - y) / (2 * (1 - kr))
        half = (OUT_W // 2, OUT_H // 2)
        y8, u8, v8 = (
            np.clip(np.rint(p), 0, 255).astype(np.uint8)
            for p in (
                16 + 219 * y,
                cv2.resize(128 + 224 * u, half, interpolation=cv2.INTER_AREA),
                cv2.resize(128 + 224 * v, half, interpolation=cv2.INTER_AREA),
            )
        )
        return y8, u8, v8

    drawn = draw_overlay(base, overlay, 1)
    expected = to_yuv(drawn)
    planes = to_yuv(base)
    draw_overlay_yuv420p(planes, overlay, 1, matrix)

    where = np.abs(drawn.astype(int) - base).max(axis=2) > 0  # the overlay's pixels
    assert where.sum() > 3000
    where_half = cv2.resize(where.astype(np.uint8), (OUT_W // 2, OUT_H // 2)) > 0
    (y, u, v), (want_y, want_u, want_v) = planes, expected
    # Luma is drawn at full size: the same but for rounding.
    diff = np.abs(y.astype(int) - want_y)
    assert diff[where].mean() < 1.0 and np.percentile(diff[where], 99) <= 4
    assert diff[~where].max() == 0
    # Chroma lines are drawn at half size, a little wider: close, not equal.
    for got, want in ((u, want_u), (v, want_v)):
        diff = np.abs(got.astype(int) - want)
        assert diff[where_half].mean() < 10 and diff.mean() < 1.0


def test_rgb_frames_are_still_annotated(tmp_path: Path) -> None:
    """The synthetic demo's path: RGB frames in, drawn in RGB, banner included."""
    out = tmp_path / "demo.mp4"
    frames = ((i, scene()) for i in range(8))
    n = annotate_frames(
        frames, trunk_overlay(n=8, banner="SYNTHETIC"), out, fps=FPS, max_side_px=MAX_SIDE
    )
    assert n == 8
    decoded_frames = assert_annotated(out, n=8)
    assert_trunk_colour(decoded_frames[4])
    assert_readout_drawn(decoded_frames[4])
    banner = decoded_frames[4][OUT_H - 30 :, :120].astype(int)
    assert ((banner[..., 0] > 180) & (banner[..., 1] > 160) & (banner[..., 2] < 100)).sum() > 20
