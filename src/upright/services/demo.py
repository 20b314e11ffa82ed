"""The built-in demo: a clearly labelled SYNTHETIC runner put through the same analysis."""

from __future__ import annotations

from dataclasses import replace

from upright.services.analyze import Analysis, AnalysisOptions, analyze_keypoints
from upright.synthetic.runner import RunnerSpec, SyntheticRun, simulate_run

__all__ = [
    "DEMO_AFTER_SPEC",
    "DEMO_HEIGHT_CM",
    "DEMO_SPEC",
    "analyze_demo_runner",
    "truth_text",
]

#: The demo runner: lean grows from 6 to 11 deg over the run (a fatigue drift), the head
#: extends from 8 to 14 deg against the trunk; 170 steps per minute on a treadmill.
DEMO_SPEC = RunnerSpec()
#: The same runner three weeks into the program (the demo journey's second clip): less
#: lean and less drift (4 -> 6.5 deg), the head less extended (6 -> 8 deg).
DEMO_AFTER_SPEC = replace(
    DEMO_SPEC,
    trunk_lean_start_deg=4.0,
    trunk_lean_end_deg=6.5,
    head_trunk_deg=6.0,
    head_trunk_end_deg=8.0,
    seed=DEMO_SPEC.seed + 1,
)
DEMO_HEIGHT_CM = 175.0


def analyze_demo_runner(
    duration_s: float = 60.0, spec: RunnerSpec = DEMO_SPEC
) -> tuple[SyntheticRun, Analysis]:
    """Simulate the demo runner (``spec``) for ``duration_s`` and analyse its keypoints."""
    spec = replace(spec, duration_s=duration_s)
    run = simulate_run(spec)
    analysis = analyze_keypoints(
        run.ds,
        AnalysisOptions(height_cm=DEMO_HEIGHT_CM),
        source_kind="synthetic",
        source_file="synthetic demo runner",
    )
    return run, analysis


def truth_text(spec: RunnerSpec) -> str:
    """What the synthetic runner was built to do, for comparison with the summary."""
    return (
        "SYNTHETIC DEMO RUNNER - not a real recording.\n"
        "The figures below are what the kinematic model was told to do; compare them with\n"
        "summary.json to see how close upright's measurement comes.\n\n"
        f"duration_s: {spec.duration_s}\n"
        f"cadence_spm: {spec.cadence_spm}\n"
        f"trunk lean: {spec.trunk_lean_start_deg} deg at the start, "
        f"{spec.trunk_lean_end_deg} deg at the end (linear drift), "
        f"stride-to-stride noise SD {spec.lean_noise_deg} deg\n"
        f"head-trunk angle: {spec.head_trunk_deg} deg -> {spec.head_trunk_end_deg} deg\n"
        f"overstride: {spec.overstride_leg} leg lengths\n"
        f"vertical oscillation: {spec.vertical_oscillation_leg} leg lengths per step\n"
        f"knee flexion at contact: {spec.knee_flexion_contact_deg} deg\n"
        f"camera tilt: {spec.camera_tilt_deg} deg; treadmill: {spec.treadmill}\n"
        f"height for cm figures: {DEMO_HEIGHT_CM} cm\n"
    )
