"""Clinic commands: ``upright user add|assign`` (accounts), ``upright retention`` (raw
uploads past their retention), ``upright export-clinic`` and ``upright delete-runner``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from upright.cli._app import _EXITS, _Group, app, console, run_guarded

__all__ = ["user_app"]

_DB = (
    " The database is UPRIGHT_DATABASE_URL (PostgreSQL for a clinic), or upright.db in "
    "UPRIGHT_DATA_DIR."
)
user_app = typer.Typer(
    cls=_Group,
    help="Clinic accounts (for upright serve --clinic): add one, assign runners.",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    value: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    return value


def _clinic() -> object:
    from upright.services.accounts import Clinic
    from upright.store import open_store

    return Clinic(open_store())


@user_app.command("add", epilog=_EXITS + _DB)
def user_add(
    email: Annotated[str, typer.Argument(help="The sign-in e-mail address.", show_default=False)],
    role: Annotated[
        str, typer.Option("--role", help="admin, therapist or runner.", show_default=False)
    ],
    runner: Annotated[
        str | None,
        typer.Option("--runner", help="The runner whose own account this is (role runner)."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input (scripts)."),
    ] = False,
) -> None:
    """Add an account (the clinic's first admin, for one). The password is asked twice."""
    from upright.services.accounts import Clinic, hash_password

    def action() -> None:
        password = _password(password_stdin)
        hash_password(password)  # the length check before the database is opened
        clinic = _clinic()
        assert isinstance(clinic, Clinic)
        try:
            added = clinic.create_account(email, password, role, runner)
        finally:
            clinic.store.close()
        what = f" for runner {added.runner_alias}" if added.runner_alias else ""
        console.print(f"Added {added.email} as {added.role}{what}.")

    run_guarded(action)


@user_app.command("assign", epilog=_EXITS + _DB)
def user_assign(
    therapist: Annotated[str, typer.Argument(help="The therapist's e-mail address.")],
    runner: Annotated[str, typer.Option("--runner", help="Runner's alias.", show_default=False)],
    remove: Annotated[bool, typer.Option("--remove", help="End the assignment.")] = False,
) -> None:
    """Let a therapist see and change a runner's record (or, with --remove, no more)."""
    from upright.services.accounts import Clinic

    def action() -> None:
        clinic = _clinic()
        assert isinstance(clinic, Clinic)
        try:
            changed = clinic.assign(None, therapist, runner, on=not remove)
        finally:
            clinic.store.close()
        verb = "no longer treats" if remove else "treats"
        note = "" if changed else " (already so)"
        console.print(f"{therapist} {verb} {runner}{note}.")

    run_guarded(action)


@app.command(epilog=_EXITS + _DB)
def retention(
    days: Annotated[
        float | None,
        typer.Option(
            "--days",
            min=0.001,
            help="Keep raw uploads this many days. Default: UPRIGHT_RETENTION_DAYS.",
        ),
    ] = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Delete them (without it, only list them).")
    ] = False,
) -> None:
    """Delete raw uploads (clips and files as sent) older than the retention; results,
    records and job outputs are kept, and so is a file a queued or running job needs."""
    from upright.errors import InputError
    from upright.services.data_rights import apply_retention
    from upright.web.settings import WebSettings

    def action() -> None:
        settings = WebSettings()
        keep = days if days is not None else settings.retention_days
        if keep is None:
            raise InputError(
                "no retention is set", fix="Give --days N or set UPRIGHT_RETENTION_DAYS"
            )
        items = apply_retention(keep, apply=apply, uploads_root=settings.uploads_dir)
        total = sum(i.size_bytes for i in items) / (1 << 20)
        verb = "Deleted" if apply else "Would delete (run with --apply)"
        console.print(f"{verb}: {len(items)} upload(s), {total:.1f} MB older than {keep:g} days.")
        for item in items:
            console.print(f"  {item.path.name}  {item.age_days:.0f} days", highlight=False)

    run_guarded(action)


@app.command("export-clinic", epilog=_EXITS + _DB)
def export_clinic(
    out: Annotated[Path, typer.Argument(help="Zip file to write.", show_default=False)],
) -> None:
    """Every runner's backup (upright.backup/1), one JSON file each, in one zip."""
    from upright.services.data_rights import clinic_export_zip

    def action() -> None:
        data = clinic_export_zip(out)
        console.print(f"Wrote {out} ({len(data) / 1024:.0f} kB).")

    run_guarded(action)


@app.command("delete-runner", epilog=_EXITS + _DB)
def delete_runner_command(
    runner: Annotated[str, typer.Option("--runner", help="Runner's alias.", show_default=False)],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete everything stored about a runner: records, logs, uploads, job results.
    Audit entries are kept."""
    from upright.services.data_rights import delete_runner

    def action() -> None:
        if not yes:
            typer.confirm(f"Delete the whole record of {runner}? This cannot be undone", abort=True)
        done = delete_runner(runner)
        rows = ", ".join(f"{n} {table}" for table, n in done.rows.items() if n) or "no rows"
        console.print(f"Deleted {done.alias}: {rows}; {len(done.files)} file(s) or folder(s).")

    run_guarded(action)
