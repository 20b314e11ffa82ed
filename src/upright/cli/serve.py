"""``upright serve``: the web app on this computer (uvicorn)."""

from __future__ import annotations

import threading
import webbrowser
from typing import TYPE_CHECKING, Annotated

import typer

from upright.cli._app import _EXITS, app, console, run_guarded

if TYPE_CHECKING:
    from upright.web import WebSettings

__all__ = ["serve"]

_SERVE_HELP = (
    _EXITS + " The database is the commands' own (UPRIGHT_DATABASE_URL, or upright.db in "
    "UPRIGHT_DATA_DIR); with --demo, the synthetic demo runner's database in the data "
    "folder's demo/ folder, built anew at each start."
)


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


@app.command(epilog=_SERVE_HELP)
def serve(
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. 127.0.0.1 is this computer only; anything else lets "
            "other computers on your network reach your record.",
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8000,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the app in your web browser.")
    ] = False,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Serve the SYNTHETIC demo runner's journey, in a database of its own (your "
            "record is never touched).",
        ),
    ] = False,
    clinic: Annotated[
        bool,
        typer.Option(
            "--clinic",
            help="Clinic mode: accounts and roles (admin, therapist, runner), each runner's "
            "record visible only to them and their therapists, an audit log. Add the first "
            "admin with `upright user add EMAIL --role admin`; use PostgreSQL "
            "(UPRIGHT_DATABASE_URL) for more than one app process.",
        ),
    ] = False,
) -> None:
    """The whole journey in your web browser: runners, check-up, triage, plan, logs.

    Everything stays on this computer; press Ctrl+C to stop.
    """

    def action() -> None:
        import uvicorn

        from upright.errors import InputError
        from upright.web import WebSettings, create_app

        if clinic and demo:
            raise InputError("--clinic and --demo do not go together", fix="Choose one")
        base = WebSettings()
        settings = base.model_copy(
            update={"host": host, "port": port, "demo": demo, "clinic": clinic or base.clinic}
        )
        if demo:
            settings = _demo_settings(settings)
        web_app = create_app(settings)
        url = _url(host, port)
        console.print(f"upright is at [bold]{url}[/bold] (Ctrl+C stops it).")
        if host not in ("127.0.0.1", "localhost", "::1"):
            console.print(
                f"[yellow]Listening on {host}: other computers on your network can reach "
                "this app and your record.[/yellow]"
            )
        if open_browser:
            threading.Timer(1.0, webbrowser.open, args=(url,)).start()
        uvicorn.run(web_app, host=host, port=port, log_level="warning")

    run_guarded(action)


def _demo_settings(settings: WebSettings) -> WebSettings:
    """The settings on the demo runner's database, built in the data folder's demo/,
    with its own uploads and job files there (those of an earlier demo database go with
    it: job numbers start again in the new one)."""
    import shutil

    from upright.services.demo_database import build_demo_database

    console.print("Building the synthetic demo runner's three weeks...")
    path = build_demo_database(settings.data_dir / "demo")
    for old in ("jobs", "uploads"):
        shutil.rmtree(settings.data_dir / "demo" / old, ignore_errors=True)
    return settings.model_copy(
        update={"database_url": f"sqlite:///{path}", "work_dir": settings.data_dir / "demo"}
    )
