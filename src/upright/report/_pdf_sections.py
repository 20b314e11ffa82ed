"""The sections of the PDF report, each a list of reportlab flowables built from
:class:`~upright.services.report.ReportData`: header, red-flag screen, triage, posture
from video, trunk endurance against norms, exercise form from video
(:mod:`upright.report.report_form`), exercise plan, progress over time and the closing
disclaimer. :mod:`upright.report.report_pdf` puts them in order and lays out the
document. A part not stored yet names the command that records it.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import Any, Final

from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Spacer, Table

from upright.assessment.endurance import EnduranceAssessment
from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import CauseVerdict, Finding, TriageResult
from upright.program import Plan
from upright.report._pdf_kit import (
    GREY,
    WIDTH,
    box,
    cells,
    coloured,
    day,
    esc,
    grid,
    heading,
    image,
    para,
    plain,
    source,
    styles,
)
from upright.report._plotting import test_name
from upright.report.report_figures import SYNTHETIC_LABEL, lean_over_clip_png, progress_png
from upright.report.report_form import FORM_TITLE
from upright.services.endurance_test import times_key
from upright.services.report import (
    EndurancePoint,
    LeanChange,
    ReportData,
    latest_timed_from_video,
)
from upright.summaries import AnalysisSummary

__all__ = [
    "SECTION_TITLES",
    "closing",
    "endurance",
    "header",
    "plan_section",
    "posture",
    "progress",
    "red_flags",
    "triage_section",
]

SECTION_TITLES: Final = (
    "Red-flag screen",
    "Triage: what may drive the pain",
    "Posture from video",
    "Trunk endurance against norms",
    FORM_TITLE,
    "Exercise plan",
    "Progress over time",
    "Disclaimer",
)
_STILL_WIDTH: Final = 44 * mm
#: Background and border of the red-flag box per screen status.
_STATUS_COLOURS: Final = {
    "clear": ("#e8f5e9", "#2e7d32"),
    "incomplete": ("#fff4e0", "#e08e0b"),
    "review": ("#fff4e0", "#e08e0b"),
    "same_day": ("#fdecea", "#c1121f"),
    "emergency": ("#fdecea", "#c1121f"),
    None: ("#f0f0f0", "#8a8a8a"),
}
_VERDICT_COLOURS: Final = {
    "likely": "#b35900",
    "possible": "#8a6d00",
    "unlikely": "#2e7d32",
    "not enough evidence": GREY,
}
_ENDURANCE_HEADER: Final = (
    "Test",
    "Latest",
    "Reference",
    "Against it",
    "First → latest",
    "MDC95",
    "Change",
)


# -- header and red flags --------------------------------------------------------------


def _command(what: str, alias: str) -> str:
    """The command that records a missing part, in bold, as the runner types it."""
    return f"<b>upright {esc(what)} --runner {esc(shlex.quote(alias))}</b>"


def _profile_line(data: ReportData) -> str:
    parts = [
        data.sex or "sex not recorded",
        f"age {data.age_band}" if data.age_band else "age not recorded",
        f"{data.height_cm:.0f} cm" if data.height_cm is not None else "height not recorded",
    ]
    checkup = f"check-up of {day(data.checkup_taken)}" if data.checkup_taken else "no check-up"
    return f"<b>Runner:</b> {esc(', '.join(parts))}; {esc(checkup)}; exercise level {data.level}."


def header(data: ReportData) -> list[Any]:
    s = styles()
    created = data.created_utc[:10]
    story = [
        para(f"upright report - {esc(data.alias)}", s.title),
        para(f"{esc(created)} · upright {esc(data.upright_version)}", s.small),
    ]
    if data.synthetic:
        banner = para(
            coloured(SYNTHETIC_LABEL, "#ffffff")
            + coloured(
                ": every number in this report is made up to show upright working.",
                "#ffffff",
                bold=False,
            ),
        )
        story.append(box([banner], "#c1121f", "#c1121f"))
    story.append(para(_profile_line(data)))
    return story


def _red_flag_lines(screen: RedFlagScreen) -> list[Any]:
    s = styles()
    lines = [para(f"<b>Status: {esc(screen.status.replace('_', ' ').upper())}</b>")]
    for hit in screen.hits:
        level = hit.level.replace("_", " ")
        lines.append(para(f"• <b>{esc(level)}</b>: {esc(hit.question)} {source(hit.source)}"))
    if screen.unanswered:
        lines.append(para(f"Unanswered (never taken as a no): {esc(', '.join(screen.unanswered))}"))
    if screen.clearance_recorded:
        lines.append(para("A clinician's clearance is recorded."))
    lines.append(para(esc(plain(screen.advice)), s.cell))
    return lines


def red_flags(data: ReportData) -> list[Any]:
    screen = data.red_flags
    if screen is None:
        content = [
            para("<b>Status: NO CHECK-UP STORED</b>"),
            para(
                "No red-flag screen yet: the runner answers the check-up before any plan "
                f"({_command('checkup', data.alias)})."
            ),
        ]
    else:
        content = _red_flag_lines(screen)
    background, border = _STATUS_COLOURS[screen.status if screen is not None else None]
    return [KeepTogether([heading(SECTION_TITLES[0]), box(content, background, border)])]


# -- triage ----------------------------------------------------------------------------


def _finding(f: Finding) -> str:
    mark = coloured("for", "#b35900") if f.effect == "supports" else coloured("against", GREY)
    return f"{mark} {esc(f.reason)} {source(f.source)}"


def _verdict_row(v: CauseVerdict) -> list[Any]:
    s = styles()
    reasons = [para(_finding(f), s.cell) for f in v.findings] or [
        para("<i>no measured finding</i>", s.cell)
    ]
    if v.record_next:
        reasons.append(para("<i>Record next:</i> " + esc(" ".join(v.record_next)), s.small))
    colour = _VERDICT_COLOURS.get(v.verdict, GREY)
    return [
        para(f"<b>{esc(v.title)}</b>", s.cell),
        para(coloured(v.verdict, colour), s.cell),
        reasons,
    ]


def triage_section(triage: TriageResult | None, alias: str) -> list[Any]:
    head = heading(SECTION_TITLES[1])
    if triage is None:
        return [
            head,
            para(f"No triage yet: it needs a stored check-up ({_command('checkup', alias)})."),
        ]
    if triage.stopped:
        return [head, para(coloured(triage.stop_reason or "Triage stopped.", "#c1121f"))]
    rows = [cells("<b>Cause</b>", "<b>Verdict</b>", "<b>Measured reasons</b> (source)")]
    rows += [_verdict_row(v) for v in triage.verdicts]
    return [head, grid(rows, [34 * mm, 24 * mm, WIDTH - 58 * mm])]


# -- posture ---------------------------------------------------------------------------


def _metric(summary: AnalysisSummary, name: str) -> str:
    metric = summary.metrics.get(name)
    if metric is None:
        why = next((w.reason for w in summary.withheld if w.metric == name), "not measured")
        return f"withheld: {why}"
    return f"{metric.value:.1f} deg ± {metric.spread:.1f} (median ± SD, {metric.n_strides} strides)"


def _drift_text(summary: AnalysisSummary) -> str:
    drift = next((d for d in summary.drift if d.metric == "trunk_lean_stance_deg"), None)
    if drift is None:
        return "not fitted (too few strides)"
    verdict = "FLAGGED" if drift.flagged else "not flagged"
    return (
        f"{drift.change:+.1f} deg over {drift.span_s:.0f} s (95% CI {drift.ci95_low:+.1f} to "
        f"{drift.ci95_high:+.1f}): {verdict} (flag level {drift.threshold:.0f} deg and MDC)"
    )


def _lean_change_text(change: LeanChange | None, note: str) -> str:
    if change is None:
        return esc(note or "No earlier analysis to compare with.")
    moved = "rose" if change.change_deg > 0 else "fell"
    verdict = (
        coloured("beyond measurement noise", "#1d3557")
        if change.beyond_noise
        else "<b>not beyond measurement noise</b> (it must pass both the MDC and 3 deg)"
    )
    text = (
        f"Trunk lean {moved} by {abs(change.change_deg):.1f} deg from {esc(change.first)} to "
        f"{esc(change.latest)} (95% CI {change.ci95_low:+.1f} to {change.ci95_high:+.1f}; "
        f"MDC95 {change.mdc95_deg:.1f} deg): {verdict}."
    )
    return text + (f" {esc(note)}" if note else "")


def _quality_text(summary: AnalysisSummary) -> str:
    failed = [q for q in summary.quality if not q.passed]
    if not failed:
        n = len(summary.quality)
        return f"all {n} checks passed" if n != 1 else "the 1 check passed"
    return "FAILED: " + "; ".join(f"{q.name.replace('_', ' ')} ({q.message})" for q in failed)


def _posture_rows(data: ReportData, summary: AnalysisSummary) -> list[list[str]]:
    src = summary.source
    cadence = f"{summary.cadence_spm:.0f} steps/min" if summary.cadence_spm else "not measured"
    return [
        [
            "Clip",
            f"{day(data.posture_when)}: {src.file} ({src.duration_s:.0f} s at "
            f"{src.fps:.0f} fps, {summary.setup.setting}; pose: {src.pose_source})",
        ],
        ["Trunk lean (stance, + forward)", _metric(summary, "trunk_lean_stance_deg")],
        ["Head-trunk (+ head back)", _metric(summary, "head_trunk_deg")],
        ["Cadence", cadence],
        ["Lean drift within the clip", _drift_text(summary)],
        ["Video quality", _quality_text(summary)],
    ]


def _offset_note(summary: AnalysisSummary) -> str:
    note = next((n for n in summary.notes if "offset" in n), None)
    return note or "Absolute trunk lean from video carries a pose-model offset of several degrees."


def _posture_facts(data: ReportData, summary: AnalysisSummary, width: float) -> list[Any]:
    s = styles()
    rows = [cells(f"<b>{esc(k)}</b>", esc(v)) for k, v in _posture_rows(data, summary)]
    rows.append(
        cells(
            "<b>Lean across analyses</b>",
            _lean_change_text(data.lean_change, data.lean_change_note),
        )
    )
    return [
        grid(rows, [36 * mm, width - 36 * mm], header=False),
        Spacer(1, 2),
        para(esc(_offset_note(summary)), s.small),
    ]


def posture(data: ReportData, still_jpeg: bytes | None) -> list[Any]:
    head = heading(SECTION_TITLES[2])
    summary = data.posture
    if summary is None:
        return [
            head,
            para(
                "No video analysis stored yet: film 20-60 s of side-view running and run "
                f"{_command('analyze VIDEO', data.alias)}."
            ),
        ]
    if still_jpeg is None:
        top = [
            *_posture_facts(data, summary, WIDTH),
            para(
                "No annotated frame: give --analysis DIR (the folder upright analyze wrote) "
                "to show one.",
                styles().small,
            ),
        ]
    else:
        facts = _posture_facts(data, summary, WIDTH - _STILL_WIDTH - 4 * mm)
        top = [
            Table(
                [[image(still_jpeg, _STILL_WIDTH), facts]],
                colWidths=[_STILL_WIDTH + 4 * mm, WIDTH - _STILL_WIDTH - 4 * mm],
                style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)],
            )
        ]
    story = [KeepTogether([head, *top])]
    figure = lean_over_clip_png(data)
    if figure is not None:
        story += [Spacer(1, 4), image(figure, WIDTH)]
    return story


# -- endurance -------------------------------------------------------------------------


def _norm_rows(a: EnduranceAssessment) -> dict[str, tuple[str, str, str]]:
    """Per test: latest value, reference, standing against the reference."""
    rows: dict[str, tuple[str, str, str]] = {}
    for c in a.comparisons:
        sd = f" (SD {c.norm_sd_s:.0f})" if c.norm_sd_s is not None else ""
        z = f", z {c.z:+.1f}" if c.z is not None else f", {c.percent_of_mean:.0f}% of mean"
        rows[c.test] = (f"{c.value_s:.0f} s", f"{c.norm_mean_s:.0f}{sd} s", f"{c.status}{z}")
    for h in a.holds:
        ref = f"pain-free {h.pain_free_mean_s:.0f} s, back pain {h.back_pain_mean_s:.0f} s"
        rows[h.test] = (f"{h.value_s:.0f} s", ref, f"nearer {h.nearer}")
    for r in a.single_leg_bridge:
        name = f"single_leg_bridge_{r.leg}"
        rows[name] = (f"{r.reps} reps", "< 20 poor, > 30 good", r.rating)
    return rows


def _change_cells(
    test: str, a: EnduranceAssessment, history: Sequence[EndurancePoint]
) -> tuple[str, str, str]:
    """First -> latest, MDC95 and verdict of one test; reps changes are not judged."""
    c = next((c for c in a.changes if c.test == test), None)
    if c is not None:
        mdc = f"{c.mdc_s:.0f} s" if c.mdc_s is not None else "-"
        return f"{c.previous_s:.0f} → {c.current_s:.0f} s ({c.change_s:+.0f})", mdc, c.verdict
    reps = [p.value for p in history if p.field == f"{test}_reps"]
    if len(reps) > 1:
        moved = f"{reps[0]:.0f} → {reps[-1]:.0f} reps ({reps[-1] - reps[0]:+.0f})"
        return moved, "-", "not judged (no MDC)"
    return "first test", "-", "-"


def _endurance_table(a: EnduranceAssessment, history: Sequence[EndurancePoint]) -> Any:
    rows = [cells(*(f"<b>{esc(h)}</b>" for h in _ENDURANCE_HEADER))]
    timed = latest_timed_from_video(list(history))
    for test, (value, ref, status) in _norm_rows(a).items():
        colour = "#c1121f" if status.startswith(("below", "nearer back", "poor")) else "#000000"
        standing = coloured(status, colour, bold=colour != "#000000")
        change = (esc(x) for x in _change_cells(test, a, history))
        name = esc(test_name(test).capitalize())
        if (mark := timed.get(times_key(test))) is not None:
            name += f"<br/><font size='7'>{esc(mark)}</font>"
        rows.append(cells(name, esc(value), esc(ref), standing, *change))
    widths = [30 * mm, 17 * mm, 38 * mm, 30 * mm, 31 * mm, 14 * mm]
    return grid(rows, [*widths, WIDTH - sum(widths)])


def _ratio_lines(a: EnduranceAssessment) -> list[Any]:
    s = styles()
    lines = []
    for r in a.ratios:
        value = f"{r.value:.2f}" if r.value is not None else "not computed"
        if r.flagged:
            verdict = coloured("OUT OF RANGE", "#c1121f")
        else:
            verdict = "within range" if r.flagged is False else "not judged"
        lines.append(f"{esc(r.name)} {esc(value)} (limit {esc(r.limit)}): {verdict}")
    text = "<b>Ratios</b> (McGill): " + "; ".join(lines) if lines else "<b>Ratios:</b> none"
    label_noted = any(a.norm_label in n for n in a.notes)
    notes = ([] if label_noted else [f"Norms: {a.norm_label}."]) + a.notes
    if a.sorensen_under_176_men:
        notes.insert(0, "Extensor hold under 176 s in a man (Biering-Sorensen 1984 risk cut-off).")
    return [para(text, s.cell), para(esc(" ".join(notes)), s.small)]


def endurance(data: ReportData) -> list[Any]:
    head = heading(SECTION_TITLES[3])
    a = data.endurance
    if a is None:
        return [
            head,
            para(f"No endurance test stored yet: run {_command('test', data.alias)}."),
        ]
    table = _endurance_table(a, data.endurance_history)
    return [KeepTogether([head, table]), Spacer(1, 2), *_ratio_lines(a)]


# -- plan ------------------------------------------------------------------------------


def _plan_blocked(data: ReportData) -> Any | None:
    """The reason there is no plan to show, or ``None`` when there is one."""
    plan = data.plan
    if plan is not None and not plan.blocked:
        return None
    reason = plan.blocked_reason if plan is not None else data.plan_note
    return box(
        [para("<b>No plan:</b> " + esc(plain(reason or "not built yet.")))], "#fff4e0", "#e08e0b"
    )


def _stage_line(data: ReportData, plan: Plan) -> str:
    stage = next((c.what for c in plan.choices if c.what.startswith("Stage")), None)
    stage = stage or f"Stage {plan.stage}"
    if data.decision is None:
        why = "starting stage: no session logged yet."
    else:
        why = f"last decision {data.decision.action.upper()}: {data.decision.reason}"
    return f"<b>{esc(stage)}</b> - {esc(why)}"


def _exercise_table(plan: Plan) -> list[Any]:
    s = styles()
    if not plan.sessions:
        return [para("The plan holds no sessions.")]
    nxt = plan.sessions[0]
    intro = para(
        f"<b>Next session</b> {nxt.date.isoformat()} (week {nxt.week}), about "
        f"{nxt.duration_min:.0f} min; {plan.sessions_per_week} sessions a week for "
        f"{plan.weeks} weeks from {plan.start_date.isoformat()}."
    )
    rows = [cells("<b>Exercise</b>", "<b>Dose</b>", "<b>Min</b>", "<b>Why</b>")]
    rows += [
        [
            *cells(f"<b>{esc(x.name)}</b>", esc(x.dose), f"{x.minutes:.0f}"),
            para(esc(plain(x.reason, 140)), s.small),
        ]
        for x in nxt.exercises
    ]
    return [intro, grid(rows, [50 * mm, 52 * mm, 10 * mm, WIDTH - 112 * mm])]


def plan_section(data: ReportData) -> list[Any]:
    s = styles()
    head = heading(SECTION_TITLES[5])
    blocked = _plan_blocked(data)
    if blocked is not None or data.plan is None:
        return [KeepTogether([head, blocked])]
    plan = data.plan
    cues = "".join(f"<br/>• {esc(c)}" for c in plan.posture_cues)
    advice = [
        Spacer(1, 3),
        para(f"<b>Posture cues</b>{cues}" if cues else "<b>Posture cues:</b> none", s.cell),
        Spacer(1, 2),
        para("<b>Running load:</b> " + esc(plain(plan.running_load_advice)), s.cell),
        para("<b>Progression:</b> " + esc(plain(plan.progression_rule)), s.small),
    ]
    top = [head, para(_stage_line(data, plan)), *_exercise_table(plan)]
    return [KeepTogether(top), KeepTogether(advice)]


# -- progress and closing --------------------------------------------------------------


def _logs_line(data: ReportData) -> str:
    parts = []
    if data.sessions:
        last = data.sessions[-1]
        morning = (
            "" if last.pain_next_morning is None else f", {last.pain_next_morning}/10 next morning"
        )
        full = sum(x.completion == "full" for x in data.sessions)
        parts.append(
            f"{len(data.sessions)} exercise sessions logged, {full} done in full (latest "
            f"{day(last.day)}: pain {last.pain_during}/10 during{morning})"
        )
        measured = [x for x in data.sessions if x.form_measured is not None]
        if measured:
            parts.append(
                f"form measured from video in {len(measured)} of them (latest "
                f"{day(measured[-1].day)}: {measured[-1].form} form, "
                f"{measured[-1].form_measured})"
            )
    if data.runs:
        run = data.runs[-1]
        km = f"{run.distance_km:.1f} km, " if run.distance_km is not None else ""
        parts.append(
            f"{len(data.runs)} runs logged (latest {day(run.day)}: {km}"
            f"pain {run.pain_during}/10 during)"
        )
    if parts:
        return esc("; ".join(parts) + ".")
    return (
        f"No sessions or runs logged yet: {_command('log session', data.alias)} after each "
        f"exercise session, {_command('log run', data.alias)} after each run."
    )


def progress(data: ReportData) -> list[Any]:
    head = heading(SECTION_TITLES[6])
    figure = progress_png(data)
    line = para(_logs_line(data))
    if figure is None:
        return [head, line, para("Nothing logged, tested or analysed yet to plot.")]
    return [KeepTogether([head, line, image(figure, WIDTH * 0.92)])]


def closing(data: ReportData) -> list[Any]:
    s = styles()
    return [
        Spacer(1, 6),
        KeepTogether([heading(SECTION_TITLES[7]), para(esc(data.disclaimer), s.cell)]),
    ]
