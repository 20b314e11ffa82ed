"""Everything ``upright report`` shows about one stored runner, gathered in one model.

The report reads; it never stores. Its parts:

- red-flag status and triage: the latest stored check-up re-run with the runner's
  clearances and stored records (as ``upright triage --runner`` does);
- posture: the latest stored analysis (per-stride lean over the clip, drift) and, across
  analyses, whether the trunk lean moved beyond measurement noise (the rule of
  ``upright compare``: Welch interval, MDC95 and the 3 deg threshold);
- endurance: the latest result of each test against the norms of the runner's profile
  (the norms every command uses), and, for a test stored more than once, the change from
  its first result against the test's MDC (McGill 1999; Biering-Sorensen 1984
  reliability);
- exercise form from video: the latest ``upright form`` check of each exercise;
- the plan at the runner's current level, and the logs: sessions and runs with pain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from upright import __version__
from upright.assessment.endurance import (
    EnduranceAssessment,
    EnduranceResults,
    assess_endurance,
)
from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import TriageResult
from upright.errors import InsufficientDataError, UprightError
from upright.fatigue.compare import compute_clip_change, compute_clip_level
from upright.program import Decision, Plan
from upright.services.endurance_test import timed_clip, times_key
from upright.services.form_record import FormCheckRow, form_check_rows, latest_form_checks
from upright.services.runner_measures import STORED_AS, Population, Sex, profile_norms
from upright.services.runner_record import _session
from upright.store import get_runner, records, run_logs, session_logs
from upright.summaries import DISCLAIMER, AnalysisSummary

__all__ = [
    "REPORT_SCHEMA_VERSION",
    "EndurancePoint",
    "LeanChange",
    "LeanPoint",
    "ReportData",
    "RunRow",
    "SessionRow",
    "gather_report",
    "latest_analysis_still",
    "latest_timed_from_video",
    "lean_change_since_previous",
]

REPORT_SCHEMA_VERSION: Final = "upright.report/1"
_LEAN: Final = "trunk_lean_stance_deg"
_HEAD: Final = "head_trunk_deg"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LeanPoint(_Model):
    """One stored analysis: its median trunk lean and spread across strides."""

    when: dt.datetime
    source: str
    median_deg: float
    spread_deg: float
    n_strides: int
    drift_change_deg: float | None
    drift_flagged: bool
    synthetic: bool


class LeanChange(_Model):
    """Trunk lean of the latest analysis against the first, judged against noise."""

    first: str
    latest: str
    change_deg: float
    ci95_low: float
    ci95_high: float
    mdc95_deg: float
    beyond_noise: bool
    reason: str


class EndurancePoint(_Model):
    """One stored endurance result; ``source`` "video" when timed from a clip (its file
    name, and when in the clip and why the position was lost)."""

    when: dt.datetime
    field: str
    value: float
    unit: Literal["s", "reps"]
    source: Literal["typed", "video"] = "typed"
    source_name: str | None = None
    ended_at_s: float | None = None
    ended_reason: str | None = None

    @property
    def timed_from(self) -> str | None:
        """ "timed from video: side_right.mp4, ended at 41.2 s: hip drops", or None when
        typed."""
        if self.source != "video":
            return None
        return timed_clip(self.source_name, self.ended_at_s, self.ended_reason)


def latest_timed_from_video(history: list[EndurancePoint]) -> dict[str, str]:
    """Per test (``--times`` key), how its latest result was timed from a clip; tests
    whose latest result was typed are left out."""
    latest: dict[str, EndurancePoint] = {}
    for point in history:  # oldest first
        latest[times_key(point.field)] = point
    return {key: text for key, p in latest.items() if (text := p.timed_from) is not None}


class SessionRow(_Model):
    """One logged exercise session; ``completion`` "full" when every prescribed exercise
    was logged at its dose, None when logged before doses were checked."""

    day: dt.date
    level: int
    completed: bool
    completion: Literal["full", "partial"] | None = None
    form: str
    pain_during: int
    pain_next_morning: int | None
    form_measured: str | None = Field(
        default=None,
        description='Form measured from video, in words ("front_plank 38 of 45 s held with '
        'good form"); None when the form was typed.',
    )


class RunRow(_Model):
    """One logged run."""

    day: dt.date
    distance_km: float | None
    duration_min: float | None
    pain_during: int
    pain_after: int | None
    pain_next_morning: int | None
    pain_onset_km: float | None
    pain_onset_min: float | None


class ReportData(_Model):
    """What the report shows; ``None`` parts are not stored yet (the report says so)."""

    schema_version: Literal["upright.report/1"] = REPORT_SCHEMA_VERSION
    upright_version: str
    created_utc: str
    disclaimer: str = DISCLAIMER
    alias: str
    sex: str | None
    age_band: str | None
    height_cm: float | None
    synthetic: bool
    checkup_taken: dt.datetime | None
    red_flags: RedFlagScreen | None
    triage: TriageResult | None
    posture: AnalysisSummary | None
    posture_when: dt.datetime | None
    lean_history: list[LeanPoint]
    lean_change: LeanChange | None
    lean_change_note: str
    endurance: EnduranceAssessment | None
    endurance_history: list[EndurancePoint]
    level: int
    decision: Decision | None
    plan: Plan | None
    plan_note: str
    sessions: list[SessionRow]
    runs: list[RunRow]
    #: The latest stored form check of each exercise (and side), from ``upright form``.
    form_checks: list[FormCheckRow] = []


def _completion(value: str | None) -> Literal["full", "partial"] | None:
    if value == "full":
        return "full"
    return "partial" if value == "partial" else None


def _lean_point(when: dt.datetime, source: str, s: AnalysisSummary) -> LeanPoint | None:
    metric = s.metrics.get(_LEAN)
    if metric is None:
        return None
    drift = next((d for d in s.drift if d.metric == _LEAN), None)
    return LeanPoint(
        when=when,
        source=source,
        median_deg=metric.value,
        spread_deg=metric.spread,
        n_strides=metric.n_strides,
        drift_change_deg=drift.change if drift is not None else None,
        drift_flagged=bool(drift is not None and drift.flagged),
        synthetic=s.synthetic,
    )


def _lean_values(s: AnalysisSummary) -> list[float]:
    return [p.trunk_lean_stance_deg for p in s.strides if p.trunk_lean_stance_deg is not None]


def _lean_change(
    analyses: list[tuple[dt.datetime, str, AnalysisSummary]],
) -> tuple[LeanChange | None, str]:
    """First vs latest analysis by the rule of ``upright compare`` (fatigue.compare)."""
    if not analyses:
        return None, "No video analysis stored yet."
    if len(analyses) == 1:
        return None, "One video analysis so far: a later one shows whether the lean moves."
    (t0, src0, first), (t1, src1, latest) = analyses[0], analyses[-1]
    label0 = f"{t0.date().isoformat()} ({src0})"
    label1 = f"{t1.date().isoformat()} ({src1})"
    try:
        level0 = compute_clip_level(_lean_values(first), label=label0)
        level1 = compute_clip_level(_lean_values(latest), label=label1)
    except InsufficientDataError:
        return None, (
            "The first or latest analysis holds too few per-stride values to judge a change "
            "(analyses stored by an older upright keep no strides): analyse the clips again."
        )
    change = compute_clip_change(level0, level1)
    note = ""
    if first.source.pose_source != latest.source.pose_source:
        note = (
            f"The two analyses used different pose sources ({first.source.pose_source} and "
            f"{latest.source.pose_source}); their lean differs by a model offset."
        )
    return (
        LeanChange(
            first=label0,
            latest=label1,
            change_deg=round(change.change, 2),
            ci95_low=round(change.ci95_low, 2),
            ci95_high=round(change.ci95_high, 2),
            mdc95_deg=round(change.mdc95, 2),
            beyond_noise=change.flagged,
            reason=change.reason,
        ),
        note,
    )


def _endurance(
    history: list[EndurancePoint], norms: tuple[Sex | None, Population]
) -> EnduranceAssessment | None:
    """Latest value of each test against the norms of the runner's profile; for a test
    stored more than once, the change from its first value against its MDC. A test
    stored once has no change yet: it is the first test."""
    if not history:
        return None
    values: dict[str, list[float | int]] = {}
    for point in history:  # oldest first
        values.setdefault(point.field, []).append(
            int(point.value) if point.unit == "reps" else point.value
        )
    extra: dict[str, Any] = {"sex": norms[0], "population": norms[1]}
    now = EnduranceResults.model_validate({k: v[-1] for k, v in values.items()} | extra)
    repeated = {k: v[0] for k, v in values.items() if len(v) > 1}
    before = EnduranceResults.model_validate(repeated | extra) if repeated else None
    return assess_endurance(now, before)


def _stored_analyses(alias: str) -> list[tuple[dt.datetime, str, AnalysisSummary]]:
    with _session("reading analyses") as session:
        runner = get_runner(session, alias)
        return [
            (r.created_at, r.source_name or "no file", AnalysisSummary.model_validate(r.summary))
            for r in records(session, runner, "analysis")
        ]


def latest_analysis_still(alias: str) -> bytes | None:
    """The annotated still kept with the runner's latest stored analysis, if any."""
    with _session("reading the latest analysis") as session:
        analyses = records(session, get_runner(session, alias), "analysis")
        return analyses[-1].still_jpeg if analyses else None


def lean_change_since_previous(alias: str) -> tuple[LeanChange | None, str]:
    """Trunk lean of the runner's latest stored analysis against the one before it."""
    analyses = _stored_analyses(alias)
    if len(analyses) < 2:
        return None, "This is the runner's first stored analysis."
    return _lean_change(analyses[-2:])


def gather_report(
    alias: str,
    *,
    sessions_per_week: int = 3,
    weeks: int = 7,
    today: dt.date | None = None,
) -> ReportData:
    """Read everything the report shows about ``alias`` from the store.

    Raises
    ------
    InputError
        No runner has this alias.
    StoreError
        The database cannot be read.
    """
    from upright.services.prescription import plan_in_session
    from upright.services.runner_program import stage_from_logs
    from upright.services.runner_record import triage_for_runner
    from upright.services.training_log import decision_after, measured_note

    today = today or dt.date.today()
    plan: Plan | None = None
    plan_note = ""
    with _session("report") as session:
        runner = get_runner(session, alias)
        profile = (runner.sex, runner.age_band, runner.height_cm)
        norms = profile_norms(runner)
        checkup = runner.checkups[-1] if runner.checkups else None
        checkup_taken = checkup.taken_at if checkup is not None else None
        stored_records = records(session, runner)  # read once: the analyses are among them
        any_synthetic = any(bool(r.summary.get("synthetic", False)) for r in stored_records)
        analyses = [
            (r.created_at, r.source_name or "no file", AnalysisSummary.model_validate(r.summary))
            for r in stored_records
            if r.kind == "analysis"
        ]
        history = [
            EndurancePoint(
                when=t.taken_at,
                field=field,
                value=float(t.reps if t.reps is not None else t.seconds or 0.0),
                unit="reps" if t.reps is not None else "s",
                source="video" if t.source == "video" else "typed",
                source_name=t.source_name,
                ended_at_s=t.ended_at_s,
                ended_reason=t.ended_reason,
            )
            for t in runner.endurance_tests
            for field, (key, side) in STORED_AS.items()
            if t.test_key == key and t.side == side
        ]
        form_checks = latest_form_checks(form_check_rows(session, runner))
        logs = list(session_logs(session, runner))
        decision = decision_after(logs) if logs else None
        sessions = [
            SessionRow(
                day=x.day,
                level=x.level,
                completed=x.completed,
                completion=_completion(x.completion),
                form=x.form,
                pain_during=x.pain_during,
                pain_next_morning=x.pain_next_morning,
                form_measured=measured_note(x),
            )
            for x in logs
        ]
        runs = [
            RunRow(
                day=x.day,
                distance_km=x.distance_km,
                duration_min=x.duration_min,
                pain_during=x.pain_during,
                pain_after=x.pain_after,
                pain_next_morning=x.pain_next_morning,
                pain_onset_km=x.pain_onset_km,
                pain_onset_min=x.pain_onset_min,
            )
            for x in run_logs(session, runner)
        ]
        if checkup is not None:
            # the plan upright plan builds, on the session logs read above (not re-read)
            level, level_reason = stage_from_logs(logs)
            try:
                plan = plan_in_session(
                    session,
                    runner,
                    stage=level,
                    stage_reason=level_reason,
                    sessions_per_week=sessions_per_week,
                    weeks=weeks,
                    start_date=today,
                ).plan
            except UprightError as exc:
                plan_note = exc.problem
    red_flags: RedFlagScreen | None = None
    triage: TriageResult | None = None
    if checkup is None:
        plan_note = f"No check-up stored: run upright checkup --runner {alias} first."
    else:
        triaged = triage_for_runner(alias, None, [])
        red_flags, triage = triaged.red_flags, triaged.triage
    lean_history = [p for when, src, s in analyses if (p := _lean_point(when, src, s)) is not None]
    lean_change, lean_note = _lean_change(analyses)
    return ReportData(
        upright_version=__version__,
        created_utc=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        alias=alias,
        sex=profile[0],
        age_band=profile[1],
        height_cm=profile[2],
        synthetic=any_synthetic,
        checkup_taken=checkup_taken,
        red_flags=red_flags,
        triage=triage,
        posture=analyses[-1][2] if analyses else None,
        posture_when=analyses[-1][0] if analyses else None,
        lean_history=lean_history,
        lean_change=lean_change,
        lean_change_note=lean_note,
        endurance=_endurance(history, norms),
        endurance_history=history,
        level=decision.new_level if decision is not None else 1,
        decision=decision,
        plan=plan,
        plan_note=plan_note,
        sessions=sessions,
        runs=runs,
        form_checks=form_checks,
    )
