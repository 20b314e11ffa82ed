"""The analysis cache: keyed by content hash, upright version, pose settings and options."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import upright.pose.runner as pose_runner
import upright.services.cache as cache_module
from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints
from upright.services.cache import AnalysisCache, hash_file
from upright.services.compare import ClipInput, CompareOptions, analyse_clip
from upright.synthetic.runner import RunnerSpec, simulate_run

LEAN = "trunk_lean_stance_deg"


@pytest.fixture(scope="module")
def analysis() -> Analysis:
    run = simulate_run(RunnerSpec(duration_s=10.0, lean_noise_deg=0.5))
    return analyze_keypoints(run.ds, source_kind="synthetic")


@pytest.fixture()
def fake_clip(tmp_path: Path) -> Path:
    """Bytes standing in for a video: only its hash matters to the cache."""
    path = tmp_path / "run.mp4"
    path.write_bytes(b"not really a video " * 100_000)
    return path


def test_hash_is_the_sha256_of_the_content(fake_clip: Path) -> None:
    assert hash_file(fake_clip) == hashlib.sha256(fake_clip.read_bytes()).hexdigest()


def test_store_and_load(tmp_path: Path, analysis: Analysis) -> None:
    cache = AnalysisCache(tmp_path)
    options = AnalysisOptions()
    assert cache.load_analysis("abc", options) is None
    cache.store("abc", analysis, options)
    stored = cache.load_analysis("abc", options)
    assert stored is not None
    assert stored.summary == analysis.summary
    assert list(stored.strides[LEAN]) == pytest.approx(list(analysis.strides[LEAN]))
    # other options: the analysis is stale but the pose series is reused
    assert cache.load_analysis("abc", AnalysisOptions(tilt_deg=0.0)) is None
    pose = cache.load_pose("abc")
    assert pose is not None and pose.sizes["time"] == analysis.raw.sizes["time"]
    assert list(tmp_path.joinpath("analyses").iterdir()) == [tmp_path / "analyses" / "abc"]


def test_other_version_or_broken_manifest_is_a_miss(
    tmp_path: Path, analysis: Analysis, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = AnalysisCache(tmp_path)
    cache.store("abc", analysis, AnalysisOptions())
    monkeypatch.setattr(cache_module, "__version__", "9.9.9")
    assert cache.load_pose("abc") is None
    monkeypatch.undo()
    (cache.entry("abc") / "manifest.json").write_text("{not json", encoding="utf-8")
    assert cache.load_analysis("abc", AnalysisOptions()) is None


def test_a_cached_clip_skips_pose_estimation(
    tmp_path: Path, analysis: Analysis, fake_clip: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pose estimation was called for a cached clip")

    monkeypatch.setattr(pose_runner, "estimate_pose_video", refuse)
    cache = AnalysisCache(tmp_path)
    options = CompareOptions()
    cache.store(hash_file(fake_clip), analysis, options.analysis)
    notes: list[str] = []
    result = analyse_clip(ClipInput(fake_clip, 1.0), options, cache, notes)
    assert result.from_cache and result.kind == "video" and notes == []
    assert result.summary == analysis.summary
    # other options: analysed again from the cached keypoints, and stored
    other = CompareOptions(analysis=AnalysisOptions(tilt_deg=0.0))
    result = analyse_clip(ClipInput(fake_clip, 1.0), other, cache, notes)
    assert not result.from_cache
    assert result.summary.setup.tilt_source == "given"
    assert cache.load_analysis(hash_file(fake_clip), other.analysis) is not None
