"""``upright checkup``, ``upright triage`` and ``upright test``: wiring and Rich output.

The red-flag screen is always shown first, even when the answers have other errors. An
emergency prints its advice prominently and the command exits with
:data:`EXIT_EMERGENCY`. Every command that advises (plan, log, test) exits with
:func:`upright.cli._screen.blocked_exit_code` while the runner's screen blocks the plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import typer
from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from upright.assessment.answers import Answers, SymptomQuestion
from upright.assessment.endurance import EnduranceAssessment
from upright.assessment.questionnaires import OdiResult, StartBackResult
from upright.assessment.redflags import RedFlagQuestion, RedFlagScreen, screen_red_flags
from upright.assessment.triage import TriageResult
from upright.cli._screen import (
    EXIT_EMERGENCY,
    blocked_exit_code,
    print_emergency,
    print_held_back,
    print_screen,
)
from upright.cli.timer import guided_tests, terminal_timer
from upright.errors import AnswersError, InputError
from upright.services.checkup import (
    CheckupResult,
    RedFlagReply,
    TriageReport,
    answers_from_interview,
    ask_red_flags,
    ask_symptoms,
    read_answers,
    read_odi_wording,
    read_start_back_wording,
    run_checkup,
    run_triage,
    template_text,
)
from upright.services.endurance_test import (
    PROTOCOLS,
    EnduranceTestReport,
    TimerIO,
    build_results,
    parse_times,
    protocol_note,
    read_previous,
    run_endurance_test,
    times_key,
)
from upright.summaries import DISCLAIMER

__all__ = [
    "EXIT_EMERGENCY",
    "CheckupJob",
    "EnduranceJob",
    "run_checkup_command",
    "run_test_command",
    "run_triage_command",
]

_VERDICT_COLOURS = {
    "likely": "red",
    "possible": "yellow",
    "unlikely": "green",
    "not enough evidence": "dim",
}


@dataclass(frozen=True)
class CheckupJob:
    """What ``upright checkup`` was asked to do."""

    answers: Path | None
    evidence: list[Path]
    start_back_wording: Path | None = None
    odi_wording: Path | None = None
    template: bool = False
    runner: str | None = None


@dataclass(frozen=True)
class EnduranceJob:
    """What ``upright test`` was asked to do."""

    times: list[str]
    typed: bool
    sex: Literal["male", "female"] | None
    population: Literal["general", "athlete"] | None
    previous: Path | None
    runner: str | None = None
    seed: int | None = None  # the guided tests' random order; None: a new one
    in_order: bool = False  # the guided tests in the listed order instead


# -- checkup -------------------------------------------------------------------------


def evidence_stills(paths: list[Path]) -> dict[Path, bytes]:
    """The annotated still beside each evidence file (``upright analyze`` writes it next
    to summary.json), kept with the analysis record ``--runner`` stores."""
    from upright.report.still import STILL_NAME

    return {
        p: (p.parent / STILL_NAME).read_bytes() for p in paths if (p.parent / STILL_NAME).is_file()
    }


def run_checkup_command(job: CheckupJob, json_out: bool, console: Console) -> None:
    """Template, answers file or interview -> check-up; exit 3 on an emergency."""
    if job.template:
        print(template_text(), end="")
        return
    wording = read_start_back_wording(job.start_back_wording)
    odi_wording = read_odi_wording(job.odi_wording)  # a bad file fails before the questions
    if job.runner is not None:  # a wrong alias fails before the questions
        from upright.services.runner_record import check_runner

        check_runner(job.runner)
    try:
        if job.answers is not None:
            answers = read_answers(job.answers)
        else:  # with --json, questions go to stderr so stdout stays JSON
            answers = _interview(Console(stderr=True) if json_out else console, err=json_out)
    except AnswersError as err:
        screen_despite_errors(
            err,
            job.runner,
            json_out,
            console,
            lambda s: CheckupResult(status="emergency", red_flags=s, plan_blocked=True),
        )
        raise
    if job.runner is not None:
        from upright.services.runner_record import checkup_for_runner

        result = checkup_for_runner(
            job.runner, answers, job.evidence, wording, odi_wording, evidence_stills(job.evidence)
        )
    else:
        result = run_checkup(answers, job.evidence, wording, odi_wording=odi_wording)
    if json_out:
        print(result.model_dump_json(indent=2))
    else:
        print_checkup(result, console)
    if result.status == "emergency":
        raise typer.Exit(EXIT_EMERGENCY)


def screen_despite_errors(
    err: AnswersError,
    runner: str | None,
    json_out: bool,
    console: Console,
    emergency_result: Callable[[RedFlagScreen], BaseModel],
) -> None:
    """The red-flag screen of answers that fail validation, shown before their errors.

    On an emergency: the advice (or ``emergency_result`` as JSON), then the errors, then
    exit 3. Otherwise the screen is shown (on stderr with ``--json``) and the caller
    re-raises ``err`` (exit 2). A runner's stored clearance counts, as it would with
    valid answers.
    """
    from upright.services.red_flag_gate import screen_with_stored_clearance

    screen = screen_with_stored_clearance(err.red_flags, err.clearance_recorded, runner)
    if screen.stop_everything:
        if json_out:
            print(emergency_result(screen).model_dump_json(indent=2))
        else:
            print_emergency(screen, console)
        Console(stderr=True).print(
            "[bold red]The answers also have errors; nothing was stored.[/bold red] "
            f"{escape(err.message)}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_EMERGENCY)
    print_screen(screen, Console(stderr=True) if json_out else console)


def _interview(console: Console, err: bool) -> Answers:
    console.print("[bold]Red-flag questions first.[/bold] Answer yes, no or unsure.")
    red_flags = ask_red_flags(lambda q: _ask_red_flag(q, err))
    screen = screen_red_flags(red_flags)
    if screen.stop_everything:
        print_emergency(screen, console)
        raise typer.Exit(EXIT_EMERGENCY)
    console.print("[bold]Symptoms.[/bold] Press Enter to skip a question.")
    symptoms = ask_symptoms(lambda q: _ask_symptom(q, err))
    return answers_from_interview(red_flags, symptoms)


def _prompt(text: str, err: bool, default: str | None = None) -> str:
    """``typer.prompt``, but input that ends (no terminal) is bad input, not "Aborted."."""
    try:
        reply: str = typer.prompt(text, default=default, show_default=False, err=err)
    except typer.Abort as abort:
        if isinstance(abort.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        if isinstance(abort.__context__, EOFError):
            typer.echo(err=err)  # end the unanswered prompt's line
            raise InputError(
                "the check-up's questions need a terminal to answer them, and the input "
                "ended before they were all answered; nothing was stored",
                fix="Write the answers in a file (upright checkup --template > answers.yaml) "
                "and give it with --answers answers.yaml",
            ) from None
        raise
    return reply


def _ask_red_flag(question: RedFlagQuestion, err: bool) -> RedFlagReply:
    while True:
        reply = _prompt(f"{question.question} [yes/no/unsure]", err).strip().lower()
        if reply in ("y", "yes"):
            return "yes"
        if reply in ("n", "no"):
            return "no"
        if reply in ("u", "unsure", "?"):
            return "unsure"


def _ask_symptom(question: SymptomQuestion, err: bool) -> str:
    hint = {
        "nprs": "0-10",
        "onset": "e.g. '6 km' or '30 min'",
        "yes_no": "yes/no",
        "number": "number",
        "choice": "/".join(question.choices or []),
    }[question.type]
    return _prompt(f"{question.question} [{hint}]", err, default="")


def print_checkup(result: CheckupResult, console: Console) -> None:
    """The whole check-up, screen first."""
    print_screen(result.red_flags, console)
    if result.status == "emergency":
        console.print(f"[italic]{DISCLAIMER}[/italic]")
        return
    if result.symptoms:
        table = Table(title="Symptoms", title_justify="left")
        for col in ("question", "answer", "informs"):
            table.add_column(col)
        for line in result.symptoms:
            answer = _answer_text(line.answer)
            table.add_row(escape(line.question), escape(answer), ", ".join(line.informs))
        console.print(table)
    if result.start_back is not None:
        _print_start_back(result.start_back, bool(result.start_back_paraphrase), console)
    if result.odi is not None:
        _print_odi(result.odi, result.odi_copyright_notice, console)
    if result.endurance is not None:
        print_endurance(result.endurance, console)
    if result.triage is not None:
        print_triage(result.triage, console, result.measured_without_finding)
    for note in result.notes or []:
        console.print(f"[dim]Note: {escape(note)}.[/dim]")
    console.print(f"[italic]{DISCLAIMER}[/italic]")


def _answer_text(answer: object) -> str:
    if answer is None:
        return "not answered"
    if isinstance(answer, bool):
        return "yes" if answer else "no"
    if isinstance(answer, dict):
        km, minute = answer.get("km"), answer.get("minute")
        return f"{km:g} km" if km is not None else f"{minute:g} min"
    return str(answer)


def _print_start_back(sb: StartBackResult, paraphrase: bool, console: Console) -> None:
    risk = sb.risk or "withheld"
    console.print(f"[bold]STarT Back:[/bold] {risk}. {escape(sb.reason)}")
    if paraphrase:
        console.print("[dim]Item wording: placeholder paraphrase, not the licensed text.[/dim]")


def _print_odi(odi: OdiResult, notice: str | None, console: Console) -> None:
    console.print(
        f"[bold]Oswestry Disability Index:[/bold] {odi.score_pct:g}% ({odi.band}), "
        f"{odi.sections_answered} of 10 sections answered. {escape(odi.note)}"
    )
    if notice:
        console.print(f"[dim]ODI wording: {escape(notice)}[/dim]")


# -- triage --------------------------------------------------------------------------


def run_triage_command(
    answers_file: Path | None,
    evidence: list[Path],
    json_out: bool,
    console: Console,
    runner: str | None = None,
) -> None:
    """Screen, then each cause's verdict; exit 3 on an emergency.

    With ``runner``, the runner's stored records are evidence too, and without an answers
    file the runner's latest stored check-up answers are used.
    """
    try:  # the answers file, or the runner's stored answers, may fail validation
        answers = read_answers(answers_file) if answers_file is not None else None
        if runner is not None:
            from upright.services.runner_record import triage_for_runner

            report = triage_for_runner(runner, answers, evidence, evidence_stills(evidence))
        elif answers is None:
            raise InputError("triage needs answers", fix="Give --answers FILE, or --runner ALIAS")
        else:
            report = run_triage(answers, evidence)
    except AnswersError as err:
        screen_despite_errors(
            err,
            runner,
            json_out,
            console,
            lambda s: TriageReport(red_flags=s, triage=None, evidence_sources=[], notes=[]),
        )
        raise
    if json_out:
        print(report.model_dump_json(indent=2))
    else:
        print_screen(report.red_flags, console)
        if report.triage is not None:
            print_triage(report.triage, console, report.measured_without_finding)
        for source in report.evidence_sources:
            console.print(f"[dim]Evidence: {escape(source.file)} ({source.kind}).[/dim]")
        for note in report.notes:
            console.print(f"[dim]Note: {escape(note)}.[/dim]")
        console.print(f"[italic]{DISCLAIMER}[/italic]")
    if report.red_flags.stop_everything:
        raise typer.Exit(EXIT_EMERGENCY)


def print_triage(
    result: TriageResult, console: Console, measured: dict[str, list[str]] | None = None
) -> None:
    """Each cause: verdict, reasons with values and sources, values measured that reached
    no threshold, and what to record next."""
    if result.stopped:
        return
    for v in result.verdicts:
        colour = _VERDICT_COLOURS[v.verdict]
        console.print(f"\n[bold]{escape(v.title)}[/bold]: [{colour}]{v.verdict}[/{colour}]")
        for f in v.findings:
            sign = "+" if f.effect == "supports" else "-"
            console.print(f"  {sign} {escape(f.reason)} [dim]({escape(f.source)})[/dim]")
        for detail in (measured or {}).get(v.cause, []):
            console.print(f"  = measured, no threshold reached: {escape(detail)}")
        for hint in v.record_next:
            console.print(f"  [cyan]record next:[/cyan] {escape(hint)}")
        console.print(f"  [dim]{escape(v.caution)}[/dim]")


# -- test ----------------------------------------------------------------------------


def run_test_command(
    job: EnduranceJob,
    json_out: bool,
    console: Console,
    timer: TimerIO | None = None,
) -> EnduranceTestReport:
    """Protocols, then typed times or the guided timer, then norms, ratios and change.

    With a runner whose red-flag screen blocks the plan, no test is started and no result
    judged: typed results are stored as given, the screen is printed, and the command
    exits as ``upright plan`` does (:func:`blocked_exit_code`).
    """
    if job.typed and not job.times:
        raise InputError("--times needs results", fix="Write e.g. --times flexor=120 extensor=95")
    typed = job.typed or bool(job.times)
    values = parse_times(job.times) if typed else {}
    sex, population = job.sex, job.population or "general"
    if job.runner is not None:  # a wrong alias, norms unlike the profile or an open red
        # flag stop before the timer, in that order
        from upright.services.runner_record import norms_for_runner

        sex, population = norms_for_runner(job.runner, job.sex, job.population)
        held_values = values if typed else None
        _hold_back_test(job.runner, held_values, sex, population, json_out, console)
    if not json_out:
        print_protocols(console)
    if not typed:
        values = guided_tests(timer or terminal_timer(console), job.seed, job.in_order)
    results = build_results(values, sex, population)
    previous = read_previous(job.previous) if job.previous is not None else None
    if job.runner is not None:
        from upright.services.runner_record import endurance_for_runner

        report = endurance_for_runner(job.runner, results, previous, job.previous)
    else:
        report = run_endurance_test(results, previous, job.previous)
    if json_out:
        print(report.model_dump_json(indent=2))
    else:
        print_endurance(report.assessment, console)
        console.print(f"[italic]{DISCLAIMER}[/italic]")
    return report


def _hold_back_test(
    alias: str,
    values: dict[str, float | int] | None,
    sex: Literal["male", "female"] | None,
    population: Literal["general", "athlete"],
    json_out: bool,
    console: Console,
) -> None:
    """Return when the runner's screen lets the test go ahead; else store the typed
    results unjudged, print the screen and exit as the plan does."""
    from upright.services.red_flag_gate import hold_back_test

    results = None if values is None else build_results(values, sex, population)
    held = hold_back_test(alias, results)
    if held is None:
        return
    if json_out:
        print(held.model_dump_json(indent=2))
    else:
        stored = "Your typed results are stored as given, not judged." if results else ""
        what = "endurance test (no timer, no judged results)"
        print_held_back(held.red_flags, console, what, alias, stored)
    raise typer.Exit(blocked_exit_code(held.red_flags))


def print_protocols(console: Console) -> None:
    """Each test's protocol in words (McGill, Childs & Liebenson 1999)."""
    for p in PROTOCOLS:
        console.print(f"[bold]{p.name}[/bold] (--times {p.key}=SECONDS)")
        console.print(f"  {escape(p.steps)}\n  {escape(p.stop_when)}")
    console.print(
        "[bold]Single-leg bridge test[/bold] (--times single_leg_bridge_left=REPS "
        "single_leg_bridge_right=REPS): heel on a 60 cm box, bridge up and down on one leg "
        "until you cannot keep form."
    )
    console.print(f"[dim]{escape(protocol_note())}[/dim]\n")


def print_endurance(a: EnduranceAssessment, console: Console) -> None:
    """Holds against norms, ratio flags, bridges, and change vs the previous session."""
    table = Table(title=f"Endurance against {escape(a.norm_label)}", title_justify="left")
    for col in ("test", "held (s)", "norm (s)", "z", "% of mean", "status"):
        table.add_column(col, justify="left" if col in ("test", "status") else "right")
    for c in a.comparisons:
        norm = f"{c.norm_mean_s:g}" + (f" +/- {c.norm_sd_s:g}" if c.norm_sd_s else "")
        colour = "red" if c.status in ("below", "below mean") else "green"
        z = "-" if c.z is None else f"{c.z:+.2f}"
        table.add_row(
            c.test, f"{c.value_s:g}", norm, z, f"{c.percent_of_mean:g}", f"[{colour}]{c.status}"
        )
    console.print(table)
    for r in a.ratios:
        colour = "dim" if r.flagged is None else ("red" if r.flagged else "green")
        console.print(f"[{colour}]{escape(r.reason)}[/{colour}]")
    if a.sorensen_under_176_men:
        console.print("[red]Biering-Sorensen under 176 s (Biering-Sorensen 1984, men).[/red]")
    for h in a.holds:
        console.print(f"{times_key(h.test)}: {h.value_s:g} s, nearer the {h.nearer} ({h.source}).")
    for rep in a.single_leg_bridge:
        console.print(f"Single-leg bridge, {rep.leg}: {rep.reps} reps ({rep.rating}).")
    for ch in a.changes:
        mdc = "no MDC" if ch.mdc_s is None else f"MDC {ch.mdc_s:g} s"
        console.print(
            f"Change {times_key(ch.test)}: {ch.previous_s:g} -> {ch.current_s:g} s "
            f"({ch.change_s:+g} s, {mdc}): {ch.verdict}"
        )
    for note in a.notes:
        console.print(f"[dim]Note: {escape(note)}[/dim]")
