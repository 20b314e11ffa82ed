"""The report as one self-contained HTML page: no network, plotly.js and the picture inline.

Read top to bottom in about two minutes: an "at a glance" box, then the red-flag status,
the triage with its measured reasons, posture (annotated still, lean stride by stride,
change across analyses), endurance against norms, the plan, and progress over time.
Every section is a ``<section data-section="...">`` so it can be found by tools and tests.
"""

from __future__ import annotations

import base64
import shlex
from collections.abc import Iterable, Sequence
from html import escape
from typing import Final

from upright.assessment.endurance import NORMS_UNCHECKED, EnduranceAssessment
from upright.assessment.redflags import RedFlagScreen
from upright.assessment.triage import TriageResult
from upright.program.catalogue import form_guide, load_catalogue
from upright.program.plan import Prescription
from upright.report._plotting import test_name
from upright.report.report_charts import lean_over_clip_figure, progress_figure
from upright.report.report_form import FORM_TITLE, form_checks_html
from upright.services.endurance_test import times_key
from upright.services.report import ReportData, latest_timed_from_video

__all__ = ["SECTIONS", "render_report_html"]

#: Section ids in page order, with their headings.
SECTIONS: Final = (
    ("glance", "At a glance"),
    ("red-flags", "Red-flag screen"),
    ("triage", "Why the back hurts: the three causes"),
    ("posture", "Running posture"),
    ("endurance", "Trunk endurance against norms"),
    ("form", FORM_TITLE),
    ("plan", "The exercise plan"),
    ("progress", "Progress over time"),
)
_HEADINGS: Final = dict(SECTIONS)
_LEAN: Final = "trunk_lean_stance_deg"
_HEAD: Final = "head_trunk_deg"
_METRIC_NAMES: Final = {_LEAN: "trunk lean", _HEAD: "head-trunk angle"}

_CSS: Final = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1b;
 max-width:980px;margin:0 auto;padding:0 18px 40px}
header{border-bottom:3px solid #1d3557;margin-bottom:10px}
h1{font-size:1.6em;margin:18px 0 4px}h2{font-size:1.2em;margin:26px 0 8px;color:#1d3557;
 border-bottom:1px solid #ccd;padding-bottom:3px}
.meta{color:#555;font-size:.9em;margin:0 0 10px}
.synthetic{background:#b00020;color:#fff;padding:8px 12px;font-weight:700;border-radius:4px}
.box{border-radius:6px;padding:10px 14px;margin:8px 0}
.clear{background:#e8f5e9;border:1px solid #81c784}.review{background:#fff8e1;
 border:1px solid #ffca28}.stop{background:#ffebee;border:1px solid #e57373}
.glance{background:#f1f5fb;border:1px solid #aab8d0}.glance li{margin:3px 0}
table{border-collapse:collapse;margin:6px 0;font-size:.92em}
td,th{border:1px solid #d6d9e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f3f5f8}.num{text-align:right;font-variant-numeric:tabular-nums}
.likely{color:#b00020;font-weight:700}.unlikely{color:#2e7d32;font-weight:700}
.unsure{color:#6d6d6d;font-weight:700}.supports{color:#b00020}.against{color:#2e7d32}
.posture{display:flex;gap:18px;align-items:flex-start}.posture>div{flex:1 1 0;min-width:0}
.posture img{max-height:380px;flex:0 0 auto;border:1px solid #ccd;border-radius:4px}
.small{font-size:.86em;color:#555}footer{margin-top:30px;font-size:.85em;color:#444;
 border-top:1px solid #ccd;padding-top:8px}
@media print{.chart{break-inside:avoid}section{break-inside:avoid-page}}
"""


def _section(key: str, body: str) -> str:
    return (
        f'<section id="{key}" data-section="{key}">'
        f"<h2>{escape(_HEADINGS[key])}</h2>{body}</section>"
    )


def _list(items: Iterable[str]) -> str:
    return "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"


def _table(head: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    top = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{top}</tr></thead><tbody>{body}</tbody></table>"


def _num(value: float | None, digits: int = 1, unit: str = "") -> str:
    return "-" if value is None else f"{value:.{digits}f}{unit}"


def _command(what: str, alias: str) -> str:
    """The command that records a missing part, as the runner types it."""
    return f"<code>upright {escape(what)} --runner {escape(shlex.quote(alias))}</code>"


def _flag_class(screen: RedFlagScreen) -> str:
    if screen.stop_everything or screen.plan_blocked:
        return "stop" if screen.stop_everything or screen.hits else "review"
    return "review" if screen.hits or screen.unanswered else "clear"


def _red_flags(data: ReportData) -> str:
    screen = data.red_flags
    if screen is None:
        return (
            f'<p class="box review">No check-up stored: run {_command("checkup", data.alias)}.</p>'
        )
    when = data.checkup_taken.date().isoformat() if data.checkup_taken else "?"
    parts = [
        f"<p><b>Status: {escape(screen.status.replace('_', ' '))}</b> (check-up of {when}).</p>"
    ]
    if screen.hits:
        parts.append(
            _list(
                f"<b>{escape(h.level)}</b>: {escape(h.question)} <span class='small'>"
                f"({escape(h.source)})</span>"
                for h in screen.hits
            )
        )
    if screen.unanswered:
        parts.append(f"<p>Not answered: {escape(', '.join(screen.unanswered))}.</p>")
    advice = screen.advice.replace(screen.disclaimer, "").strip()
    parts.append(f"<p>{escape(advice)}</p>")
    return f'<div class="box {_flag_class(screen)}">{"".join(parts)}</div>'


def _verdict_class(verdict: str) -> str:
    return {"likely": "likely", "unlikely": "unlikely"}.get(verdict, "unsure")


def _triage(result: TriageResult | None, alias: str) -> str:
    if result is None:
        return (
            "<p>No triage: it needs a stored check-up with a clear red-flag screen "
            f"({_command('checkup', alias)}).</p>"
        )
    if result.stopped:
        return f'<p class="box stop">{escape(result.stop_reason)}</p>'
    rows = []
    for v in result.verdicts:
        reasons = "".join(
            f"<li class='{f.effect}'>{escape(f.effect)}: {escape(f.reason)} "
            f"<span class='small'>({escape(f.source)})</span></li>"
            for f in v.findings
        )
        missing = (
            f"<div class='small'>Still to record: {escape(' '.join(v.record_next))}</div>"
            if v.record_next
            else ""
        )
        rows.append(
            (
                escape(v.title),
                f"<span class='{_verdict_class(v.verdict)}'>{escape(v.verdict)}</span>",
                f"<ul>{reasons}</ul>{missing}" if reasons else missing or "-",
            )
        )
    return _table(("cause", "verdict", "measured reasons"), rows)


def _chart(fig_html: str | None, empty: str) -> str:
    if fig_html is None:
        return f"<p class='small'>{escape(empty)}</p>"
    return f'<div class="chart">{fig_html}</div>'


def _figure_html(data: ReportData, which: str) -> str | None:
    import plotly.io as pio

    fig = lean_over_clip_figure(data) if which == "lean" else progress_figure(data)
    if fig is None:
        return None
    html: str = pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{which}",
        config={"displaylogo": False, "responsive": True},
    )
    return html


def _posture(data: ReportData, still_jpeg: bytes | None) -> str:
    s = data.posture
    if s is None:
        return (
            "<p>No video analysis stored yet: film 20-60 s of side-view running and run "
            f"{_command('analyze VIDEO', data.alias)}.</p>"
        )
    when = data.posture_when.date().isoformat() if data.posture_when else "?"
    rows = []
    for key, label in ((_LEAN, "trunk lean at stance"), (_HEAD, "head-trunk angle")):
        m = s.metrics.get(key)
        if m is not None:
            rows.append(
                (label, f"{m.value:+.1f} deg", f"SD {m.spread:.1f} deg over {m.n_strides} strides")
            )
    if s.cadence_spm is not None:
        rows.append(("cadence", f"{s.cadence_spm:.0f} steps/min", ""))
    for d in s.drift:
        flag = "<b>flagged</b>" if d.flagged else "not flagged"
        rows.append(
            (
                f"change within the clip, {_METRIC_NAMES.get(d.metric, d.metric)}",
                f"{d.change:+.1f} {escape(d.unit)} ({flag})",
                escape(d.reason),
            )
        )
    failed = [q for q in s.quality if not q.passed]
    picture = (
        f'<img alt="annotated frame of the runner" src="data:image/jpeg;base64,'
        f'{base64.b64encode(still_jpeg).decode("ascii")}">'
        if still_jpeg
        else "<p class='small'>No annotated frame: give <code>--analysis DIR</code> (the "
        "folder upright analyze wrote) to show one.</p>"
    )
    facts = (
        f"<div><p>Latest analysis: {when}, {escape(s.source.file)}"
        f" ({escape(s.source.pose_source or s.source.kind)}, {s.source.fps:.0f} fps).</p>"
        + _table(
            ("measure", "value", "detail"),
            [(escape(a), b, escape(c)) for a, b, c in rows[:3]] + rows[3:],
        )
        + (_list(f"quality: {escape(q.message)}" for q in failed) if failed else "")
        + "</div>"
    )
    change = data.lean_change
    if change is not None:
        verdict = "beyond measurement noise" if change.beyond_noise else "within measurement noise"
        moved = (
            f"<p class='box glance'><b>Trunk lean from the first to the latest analysis: "
            f"{change.change_deg:+.1f} deg, {verdict}</b> (95% CI {change.ci95_low:+.1f} to "
            f"{change.ci95_high:+.1f}; MDC {change.mdc95_deg:.1f} deg; a change counts at 3 deg "
            f"and beyond the noise).</p>"
        )
    else:
        moved = f"<p class='small'>{escape(data.lean_change_note)}</p>"
    if change is not None and data.lean_change_note:
        moved += f"<p class='small'>{escape(data.lean_change_note)}</p>"
    offset = (
        "<p class='small'>Absolute lean carries a pose-model offset of several degrees; "
        "changes within the runner are more trustworthy than the absolute value.</p>"
    )
    chart = _chart(_figure_html(data, "lean"), "This analysis keeps no per-stride values.")
    return f'<div class="posture">{picture}{facts}</div>{moved}{chart}{offset}'


def _timed_mark(test: str, timed: dict[str, str]) -> str:
    """The mark of a result timed from a clip, for the test's cell ("" when typed)."""
    text = timed.get(times_key(test))
    return f"<br><span class='small'>{escape(text)}</span>" if text else ""


def _endurance(e: EnduranceAssessment | None, alias: str, timed: dict[str, str]) -> str:
    if e is None:
        return f"<p>No endurance test stored: run {_command('test', alias)}.</p>"
    norm_rows = [
        (
            escape(test_name(c.test)) + _timed_mark(c.test, timed),
            f"<span class='num'>{c.value_s:.0f} s</span>",
            f"{c.norm_mean_s:.0f}" + (f" ({c.norm_sd_s:.0f})" if c.norm_sd_s else "") + " s",
            f"{c.percent_of_mean:.0f}%",
            escape(c.status),
        )
        for c in e.comparisons
    ]
    parts = [
        f"<p class='small'>Norms: {escape(e.norm_label)}"
        + (f": {NORMS_UNCHECKED}" if e.norm_unverified else "")
        + "</p>",
        _table(("test", "latest", "norm mean (SD)", "of mean", "status"), norm_rows),
    ]
    extra = [
        f"{escape(r.name)}: {_num(r.value, 2)} (limit {escape(r.limit)})"
        + (" <b>flagged</b>" if r.flagged else "")
        for r in e.ratios
        if r.value is not None
    ]
    extra += [
        f"{escape(test_name(h.test))}: {h.value_s:.0f} s, nearer the "
        f"{escape(h.nearer)} ({h.pain_free_mean_s:.0f} vs {h.back_pain_mean_s:.0f} s)"
        + (f" ({escape(timed[times_key(h.test)])})" if times_key(h.test) in timed else "")
        for h in e.holds
    ]
    extra += [f"single-leg bridge {r.leg}: {r.reps} reps, {r.rating}" for r in e.single_leg_bridge]
    if extra:
        parts.append(_list(extra))
    if not e.changes:
        parts.append(
            "<p><b>First test</b>: the change against each test's MDC shows from the next "
            f"test on ({_command('test', alias)}).</p>"
        )
    else:
        parts.append("<p><b>Change since the first test</b> (real only beyond the MDC):</p>")
        parts.append(
            _table(
                ("test", "first", "latest", "change", "MDC", "verdict"),
                [
                    (
                        escape(test_name(c.test)),
                        f"{c.previous_s:.0f} s",
                        f"{c.current_s:.0f} s",
                        f"{c.change_s:+.0f} s",
                        _num(c.mdc_s, 1, " s"),
                        f"<b>{escape(c.verdict)}</b>",
                    )
                    for c in e.changes
                ],
            )
        )
    return "".join(parts)


def _form_guides(exercises: Sequence[Prescription]) -> str:
    """How to film each exercise for ``upright form`` and what the check looks at."""
    catalogue = load_catalogue()
    items = []
    for p in exercises:
        guide = form_guide(catalogue.get(p.key))
        if guide is None:
            items.append(f"<b>{escape(p.name)}</b>: no video check for this exercise.")
            continue
        items.append(
            f"<b>{escape(p.name)}</b>: <code>{escape(guide.command)}</code><br/>"
            f"Film it: {escape(guide.film)}<br/>The check looks at: {escape(guide.looks_at)}"
        )
    return "<details><summary>Check your form on video</summary>" + _list(items) + "</details>"


def _plan(data: ReportData) -> str:
    plan = data.plan
    if plan is None:
        return f"<p>{escape(data.plan_note or 'No plan yet.')}</p>"
    if plan.blocked:
        return f'<p class="box stop">The plan is blocked. {escape(plan.blocked_reason)}</p>'
    why = data.decision.reason if data.decision is not None else "No sessions logged yet."
    head = (
        f"<p><b>Stage {plan.stage}</b>, {plan.sessions_per_week} sessions a week; latest "
        f"progression decision: {escape(why)}</p>"
    )
    first = plan.sessions[0] if plan.sessions else None
    session = ""
    if first is not None:
        session = (
            f"<p>Next session ({first.date.isoformat()}, about {first.duration_min:.0f} min):</p>"
        )
        session += _table(
            ("exercise", "dose", "why"),
            [(escape(p.name), escape(p.dose), escape(p.reason)) for p in first.exercises],
        )
        session += _form_guides(first.exercises)
    choices = _list(
        f"{escape(c.what)}: {escape(c.reason)} <span class='small'>({escape(c.source)})</span>"
        for c in plan.choices
    )
    cues = (
        "<p><b>Posture cues for runs</b></p>" + _list(escape(c) for c in plan.posture_cues)
        if plan.posture_cues
        else ""
    )
    load = plan.running_load_advice.replace(plan.disclaimer, "").strip()
    rule = plan.progression_rule.replace(plan.disclaimer, "").strip()
    return (
        head
        + session
        + "<details><summary>Why these exercises</summary>"
        + choices
        + "</details>"
        + cues
        + f"<p><b>Running load</b>: {escape(load)}</p><p class='small'>{escape(rule)}</p>"
    )


def _measured_lines(data: ReportData) -> list[str]:
    """The sessions whose form was measured from video, and the latest measurement."""
    measured = [x for x in data.sessions if x.form_measured is not None]
    if not measured:
        return []
    last = measured[-1]
    return [
        f"Form measured from video in {len(measured)} of {len(data.sessions)} sessions; "
        f"the latest ({last.day.isoformat()}): {last.form} form, {last.form_measured}."
    ]


def _progress(data: ReportData) -> str:
    chart = _chart(
        _figure_html(data, "progress"),
        "Nothing logged yet: log each exercise session and each run.",
    )
    if not data.sessions and not data.runs:
        chart += (
            f"<p class='small'>Sessions: {_command('log session', data.alias)}; runs: "
            f"{_command('log run', data.alias)}.</p>"
        )
    lines = []
    if data.sessions:
        last = data.sessions[-1]
        full = sum(x.completion == "full" for x in data.sessions)
        lines.append(
            f"{len(data.sessions)} exercise sessions logged, {full} done in full; the latest "
            f"({last.day.isoformat()}, stage {last.level}) had pain {last.pain_during}/10 "
            "during."
        )
        lines += _measured_lines(data)
    if data.runs:
        last_run = data.runs[-1]
        onset = (
            f", pain from km {last_run.pain_onset_km:g}"
            if last_run.pain_onset_km is not None
            else ""
        )
        lines.append(
            f"{len(data.runs)} runs logged; the latest ({last_run.day.isoformat()}, "
            f"{_num(last_run.distance_km)} km) had pain {last_run.pain_during}/10{onset}."
        )
    return (_list(escape(x) for x in lines) if lines else "") + chart


def _glance(data: ReportData) -> str:
    items = []
    if data.red_flags is None:
        items.append("Red flags: <b>not screened yet</b>.")
    else:
        items.append(f"Red flags: <b>{escape(data.red_flags.status.replace('_', ' '))}</b>.")
    if data.triage is not None and not data.triage.stopped:
        likely = [v.cause for v in data.triage.verdicts if v.verdict == "likely"]
        items.append(
            "Likely causes: <b>"
            + escape(", ".join(likely) if likely else "none shown yet")
            + "</b>."
        )
    if data.posture is not None and _LEAN in data.posture.metrics:
        items.append(f"Trunk lean in the latest clip: {data.posture.metrics[_LEAN].value:.1f} deg.")
    if data.lean_change is not None:
        verdict = "beyond noise" if data.lean_change.beyond_noise else "within noise"
        items.append(
            f"Lean change since the first clip: {data.lean_change.change_deg:+.1f} deg ({verdict})."
        )
    if data.endurance is not None and not data.endurance.changes:
        items.append("Endurance: first test stored; the next one shows the change.")
    if data.endurance is not None and data.endurance.changes:
        real = [c for c in data.endurance.changes if c.verdict in ("improved", "worse")]
        items.append(
            "Endurance: "
            + (
                escape(", ".join(f"{test_name(c.test)} {c.verdict}" for c in real))
                if real
                else "no change beyond the MDC yet"
            )
            + "."
        )
    if data.plan is not None and not data.plan.blocked:
        items.append(
            f"Plan: stage {data.plan.stage}, {data.plan.sessions_per_week} sessions a week."
        )
    return f'<div class="box glance">{_list(items)}</div>'


def render_report_html(data: ReportData, *, still_jpeg: bytes | None = None) -> str:
    """The whole report page as a string (plotly.js inlined once, picture as data URI)."""
    from plotly.offline import get_plotlyjs

    profile = ", ".join(
        x
        for x in (
            data.sex or "",
            f"age {data.age_band}" if data.age_band else "",
            f"{data.height_cm:g} cm" if data.height_cm else "",
        )
        if x
    )
    banner = (
        '<p class="synthetic">SYNTHETIC DEMO RUNNER: made-up data showing how upright works. '
        "Not a real person, not a measurement.</p>"
        if data.synthetic
        else ""
    )
    header = (
        f"<header><h1>upright report: {escape(data.alias)}</h1>"
        f'<p class="meta">{escape(profile)} · written {escape(data.created_utc)} · upright '
        f"{escape(data.upright_version)}</p>{banner}</header>"
    )
    body = "".join(
        (
            _section("glance", _glance(data)),
            _section("red-flags", _red_flags(data)),
            _section("triage", _triage(data.triage, data.alias)),
            _section("posture", _posture(data, still_jpeg)),
            _section(
                "endurance",
                _endurance(
                    data.endurance, data.alias, latest_timed_from_video(data.endurance_history)
                ),
            ),
            _section("form", form_checks_html(data.form_checks, data.alias)),
            _section("plan", _plan(data)),
            _section("progress", _progress(data)),
        )
    )
    footer = f"<footer>{escape(data.disclaimer)}</footer>"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>upright report: {escape(data.alias)}</title><style>{_CSS}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f"<body>{header}{body}{footer}</body></html>\n"
    )
