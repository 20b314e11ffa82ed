"""``upright profile``, ``clearance``, ``export`` and ``import-backup``: wiring and output.

The work is done by :mod:`upright.services.runner_record`; this module only prints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel
from rich.console import Console
from rich.markup import escape

from upright.ledger import current_ledger, note_not_done
from upright.services.runner_record import (
    DEFAULT_CLEARS,
    ProfileReport,
    check_runner,
    export_record,
    import_record,
    record_clearance,
    store_summary,
    update_profile,
)
from upright.store import RecordKind

__all__ = [
    "print_profile",
    "run_clearance_command",
    "run_export_command",
    "run_import_backup_command",
    "run_profile_command",
    "stored_run",
]


def run_profile_command(
    alias: str,
    *,
    sex: str | None,
    age_band: str | None,
    height_cm: float | None,
    history: str | None,
    json_out: bool,
    console: Console,
    population: Literal["general", "athlete"] | None = None,
) -> None:
    """Create or update the runner's profile, then print it with the history's counts."""
    report = update_profile(
        alias,
        sex=sex,
        population=population,
        age_band=age_band,
        height_cm=height_cm,
        running_history=history,
    )
    if json_out:
        print(report.model_dump_json(indent=2))
    else:
        print_profile(report, console)


def print_profile(report: ProfileReport, console: Console) -> None:
    """The profile, then how much is stored."""
    console.print(f"[bold]Runner {escape(report.alias)}[/bold] (since {report.created_at[:10]})")
    for label, value in (
        ("sex", report.sex),
        ("endurance norms", _norms_text(report)),
        ("age band", report.age_band),
        ("height", None if report.height_cm is None else f"{report.height_cm:g} cm"),
        ("running history", report.running_history),
    ):
        console.print(f"  {label}: {escape(str(value)) if value is not None else '-'}")
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.records.items())) or "none"
    console.print(
        f"  stored: {report.checkups} check-up(s), {report.endurance_tests} endurance "
        f"result(s), records: {kinds}, {report.session_logs} exercise session log(s), "
        f"{report.run_logs} run log(s), {report.clearances} clearance(s)"
    )
    if report.latest_measured is not None:
        console.print(
            f"  form measured from video in {report.measured_sessions} session(s); latest "
            f"{escape(report.latest_measured)}"
        )
    if report.form_checks:
        console.print(f"  exercise form checked from video: {report.form_checks} check(s); latest:")
        for line in report.latest_form_checks:
            console.print(f"    {escape(line)}")
    console.print(f"[dim]Database: {escape(report.database)}[/dim]")


def _norms_text(report: ProfileReport) -> str:
    """Which norms test, checkup, triage and report judge this runner's holds against."""
    who = {"male": "men", "female": "women"}.get(report.sex or "", "both sexes")
    if report.population == "athlete":
        return "athletes (every command)"
    return f"general population, {who} (every command)"


def run_clearance_command(
    alias: str, clinician: str, clears: str | None, console: Console, day: date | None = None
) -> None:
    """Store a clinician's clearance (given on ``day``, default today)."""
    what = clears or DEFAULT_CLEARS
    record_clearance(alias, clinician, what, day)
    console.print(
        f"Stored: {escape(clinician)} cleared {escape(alias)} ({escape(what)}). Same-day and "
        "review-level red flags no longer block the plan; an emergency always does."
    )


def run_export_command(alias: str, out: Path, console: Console) -> None:
    """Write the runner's whole record to one JSON file."""
    doc = export_record(alias, out)
    counts = ", ".join(
        f"{len(doc[k])} {k.replace('_', ' ')}"
        for k in (
            "checkups",
            "endurance_tests",
            "clearances",
            "records",
            "session_logs",
            "run_logs",
        )
    )
    console.print(f"Wrote {escape(str(out))} ({doc['schema_version']}): {counts}.")


def run_import_backup_command(file: Path, merge: bool, console: Console) -> None:
    """Restore a backup file, all or nothing."""
    alias = import_record(file, merge)
    console.print(f"Restored runner {escape(alias)} from {escape(str(file))}.")


def stored_run(
    alias: str | None,
    kind: RecordKind,
    source: Path | None,
    out_dir: Path,
    run: Callable[[], BaseModel],
) -> None:
    """Run a command and, with a runner, store its summary as a record afterwards.

    The runner is looked up first, so a wrong alias fails before the (long) run. On
    Ctrl-C after the output folder was written but before the record was stored, the
    command's ledger says so (the interrupt message then tells the user).
    """
    if alias is not None:
        check_runner(alias)
    ledger = current_ledger()
    mark = 0 if ledger is None else len(ledger.landed)
    article = "an" if kind[0] in "aeiou" else "a"
    try:
        summary = run()
        if alias is None:
            return
        from upright.report.still import STILL_NAME

        still = out_dir / STILL_NAME
        still_jpeg = still.read_bytes() if kind == "analysis" and still.is_file() else None
        name = None if source is None else source.name
        store_summary(alias, kind, summary, name, out_dir, still_jpeg=still_jpeg)
    except KeyboardInterrupt:
        if (
            alias is not None
            and ledger is not None
            and ledger.since(mark, "folder")
            and not ledger.since(mark, "database")
        ):
            note_not_done(
                f"the results were not stored as {article} {kind} record of runner {alias}; "
                f"run the command again with --runner {alias} to store them"
            )
        raise
    err = Console(stderr=True)
    err.print(f"Stored as {article} {kind} record of runner {escape(alias)}.")
    if kind == "analysis":
        _print_lean_change(alias, err)


def _print_lean_change(alias: str, console: Console) -> None:
    """Trunk lean against the runner's previous analysis: beyond measurement noise or not."""
    from upright.services.report import lean_change_since_previous

    change, note = lean_change_since_previous(alias)
    if change is None:
        console.print(escape(note))
        return
    verdict = "beyond measurement noise" if change.beyond_noise else "within measurement noise"
    console.print(
        f"Trunk lean since the previous analysis: {change.change_deg:+.1f} deg, {verdict} "
        f"({escape(change.reason)})."
    )
    if note:
        console.print(escape(note))
