"""``upright form``: the job (clip in, output folder out) and its rendering in the terminal.

Wiring only: the service judges, report writes. Nothing is written to the output folder
unless every output succeeded, and nothing at all when the clip is refused.

With ``--runner ALIAS`` the check is stored as a "form" record of the runner once every
output was written (the same clip for the same exercise and side is stored once). While
the runner's red-flag screen blocks the plan, the check is measured, written and stored
without its cues, the screen is printed instead of them, and the command exits as
``upright log session`` does then (2, or 3 on an emergency).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from upright.cli._screen import blocked_exit_code, print_held_back
from upright.cli.progress import Progress
from upright.summaries import DISCLAIMER, FormSummary
from upright.workflows.form import FormJob, run_form_job

if TYPE_CHECKING:
    from upright.services.form_record import StoredFormCheck

__all__ = ["FormJob", "default_form_out", "print_form", "run_form_command", "run_form_job"]


def default_form_out(video: Path | None, keypoints: Path | None, exercise: str) -> Path:
    """``./<clip>-form-<exercise>`` in the current folder."""
    src = video or keypoints or Path("clip")
    return Path.cwd() / f"{src.stem or src.name}-form-{exercise}"


def run_form_command(job: FormJob, json_out: bool, console: Console) -> int:
    """Run the job with a progress bar, store it for the runner if asked, then print the
    result; returns the exit code (0, or the held-back code while a red flag is open)."""
    from upright.cli.progress import RichProgress

    screen = None
    if job.runner is not None:  # a wrong alias fails before the (long) run
        from upright.services.form_record import form_screen

        screen = form_screen(job.runner)
    blocked = screen is not None and screen.plan_blocked
    with RichProgress(Console(stderr=True)) as progress:
        summary, stored = _run_and_store(job, progress, cues=not blocked)
    if json_out:
        print(summary.model_dump_json(indent=2))
    else:
        print_form(summary, job.out_dir, console, cues=not blocked)
    if job.runner is None or stored is None:
        return 0
    line = _stored_line(job.runner, summary, stored)
    if screen is not None and blocked:
        err = Console(stderr=True) if json_out else console
        print_held_back(screen, err, "form cues", job.runner, line)
        return blocked_exit_code(screen)
    (Console(stderr=True) if json_out else console).print(escape(line))
    return 0


def _run_and_store(
    job: FormJob, progress: Progress, *, cues: bool
) -> tuple[FormSummary, StoredFormCheck | None]:
    """Write the outputs, then store the check; on Ctrl-C in between, say what is missing."""
    from upright.ledger import current_ledger, note_not_done
    from upright.services.form_record import store_form_check

    ledger = current_ledger()
    mark = 0 if ledger is None else len(ledger.landed)
    try:
        summary = run_form_job(job, progress, cues=cues)
        if job.runner is None:
            return summary, None
        source = job.video or job.keypoints
        name = None if source is None else source.name
        return summary, store_form_check(job.runner, summary, name, job.out_dir)
    except KeyboardInterrupt:
        if (
            job.runner is not None
            and ledger is not None
            and ledger.since(mark, "folder")
            and not ledger.since(mark, "database")
        ):
            note_not_done(
                f"the form check was not stored for runner {job.runner}; run the command "
                f"again with --runner {job.runner} to store it"
            )
        raise


def _stored_line(alias: str, summary: FormSummary, stored: StoredFormCheck) -> str:
    ex = summary.exercise
    what = ex.name.lower() + (f" ({ex.side} side)" if ex.side else "")
    if stored.already_stored:
        return (
            f"This clip's {what} check was already stored for runner {alias} on "
            f"{stored.stored_at.astimezone():%Y-%m-%d %H:%M}; it is not stored twice."
        )
    return f"Stored as form check {stored.record_id} of runner {alias} ({what})."


_PHASE_WORDS = {"set_up": "setting up", "hold": "", "end": "position lost", "rest": "rest"}


def _timeline(summary: FormSummary) -> str:
    """Seconds grouped into runs: '0-2 s setting up; 2-7 s good; 7-16 s hips sag; ...'."""
    labels = {t.fault: t.label for t in summary.exercise.tolerances}
    parts: list[str] = []
    run_label, start = "", 0
    for s in summary.seconds:
        label = (labels.get(s.verdict, s.verdict) if s.verdict else "") or _PHASE_WORDS[s.phase]
        if s.phase == "hold" and not s.verdict:
            label = "holding"
        if label != run_label:
            if run_label:
                parts.append(f"{start}-{s.second} s {run_label}")
            run_label, start = label, s.second
    if run_label and summary.seconds:
        parts.append(f"{start}-{summary.seconds[-1].second + 1} s {run_label}")
    return "; ".join(parts)


def print_form(summary: FormSummary, out: Path, console: Console, *, cues: bool = True) -> None:
    """The verdict at a glance, the holds, the reps, the checks, then where the files are;
    with ``cues`` False the fault is named but no cue is given."""
    ex, tot = summary.exercise, summary.totals
    name = ex.name + (f", {ex.side} side" if ex.side else "")
    if summary.synthetic:
        console.print("[bold yellow]SYNTHETIC FIGURE[/bold yellow] - not a real person.")
    console.print(
        f"[bold]{escape(name)}[/bold] in {escape(Path(summary.source.file).name or 'keypoints')}"
        f": {summary.source.n_frames} frames at {summary.source.fps:g} fps; camera tilt "
        f"{summary.setup.tilt_deg:+.1f} deg ({summary.setup.tilt_source})"
    )
    share = f" ({tot.good_form_share:.0%})" if tot.good_form_share is not None else ""
    console.print(f"Held {tot.held_s:.1f} s, with good form {tot.good_form_s:.1f} s{share}.")
    if tot.reps is not None:
        console.print(
            f"Reps: {tot.reps} ({tot.good_reps} with good form; {tot.partial_reps} partial)."
        )
    if tot.first_fault is not None:
        f = tot.first_fault
        console.print(
            f"[red]Form first lost at {f.time_s:.1f} s[/red] ({f.into_hold_s:.1f} s into the "
            f"hold): {escape(f.label)}."
            + (f" [italic]{escape(f.cue)}[/italic]" if cues and f.cue else "")
        )
    elif tot.holds:
        console.print("[green]Good form throughout the hold.[/green]")
    table = Table(title="Holds", title_justify="left")
    for col in ("from (s)", "to (s)", "held (s)", "good form (s)", "ended by"):
        table.add_column(col, justify="right" if "(s)" in col else "left")
    for h in summary.holds:
        table.add_row(
            f"{h.start_s:.1f}",
            f"{h.end_s:.1f}",
            f"{h.duration_s:.1f}",
            f"{h.good_form_s:.1f}",
            escape(h.end_reason),
        )
    console.print(table)
    console.print(f"Second by second: {escape(_timeline(summary))}")
    for q in summary.quality:
        if not q.passed:
            console.print(f"[yellow]Check {q.name}:[/yellow] {escape(q.message)}")
    for note in summary.notes:
        console.print(f"[dim]Note: {escape(note)}[/dim]")
    console.print(f"Results in [bold]{escape(str(out))}[/bold]")
    console.print(f"[italic]{DISCLAIMER}[/italic]")
