"""``upright form``: the job (clip in, output folder out) and its rendering in the terminal.

The whole job (:func:`upright.workflows.run_form_job`, re-exported here) is shared with the
web app's job queue. Nothing is written to the output folder unless every output
succeeded, and nothing at all when the clip is refused.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from upright.summaries import DISCLAIMER, FormSummary
from upright.workflows.form import FormJob, run_form_job

__all__ = ["FormJob", "default_form_out", "print_form", "run_form_command", "run_form_job"]


def default_form_out(video: Path | None, keypoints: Path | None, exercise: str) -> Path:
    """``./<clip>-form-<exercise>`` in the current folder."""
    src = video or keypoints or Path("clip")
    return Path.cwd() / f"{src.stem or src.name}-form-{exercise}"


def run_form_command(job: FormJob, json_out: bool, console: Console) -> FormSummary:
    """Run the job with a progress bar, then print the result."""
    from upright.cli.progress import RichProgress

    with RichProgress(Console(stderr=True)) as progress:
        summary = run_form_job(job, progress)
    if json_out:
        print(summary.model_dump_json(indent=2))
    else:
        print_form(summary, job.out_dir, console)
    return summary


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


def print_form(summary: FormSummary, out: Path, console: Console) -> None:
    """The verdict at a glance, the holds, the reps, the checks, then where the files are."""
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
            f"hold): {escape(f.label)}. [italic]{escape(f.cue)}[/italic]"
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
