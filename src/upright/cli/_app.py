"""The ``upright`` Typer app and what every command shares: options, exit codes and
the guard that turns upright's errors into a message and exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup, TyperOption

from upright import __version__
from upright.errors import FAILURE_LEAD, UprightError
from upright.limits import HEIGHT_CM


def _without_flag_types(command: Any, ctx: Any) -> None:
    """A flag takes no value, so its help shows no ``<bool>`` type (Typer shows one)."""
    options = [p for p in command.params if isinstance(p, TyperOption) and p.is_flag]
    help_option = command.get_help_option(ctx)
    for option in [*options, *([] if help_option is None else [help_option])]:
        if option.metavar is None:
            option.metavar = ""


class _Group(TyperGroup):
    """Typer's command group; the help of it and of each command shows flags untyped."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _without_flag_types(command, ctx)
        return command

    def get_help(self, ctx: Any) -> str:
        _without_flag_types(self, ctx)
        help_text: str = super().get_help(ctx)
        return help_text


app = typer.Typer(
    cls=_Group,
    name="upright",
    help=(
        "Measured check-up of a runner's posture, on your own machine. "
        "A training and self-management aid, not a medical device."
    ),
    epilog="Each command's --help ends with its exit codes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

console = Console()
err_console = Console(stderr=True)

T = TypeVar("T")

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130

#: The exit codes every command has (see :func:`run_guarded`), for its help.
_EXITS = (
    "Exit codes: 0 done; 2 the input cannot be used (the message says why and what to do); "
    "130 stopped with Ctrl+C."
)


class SexChoice(StrEnum):
    male = "male"
    female = "female"


class PopulationChoice(StrEnum):
    general = "general"
    athlete = "athlete"


class SideChoice(StrEnum):
    left = "left"
    right = "right"


class SettingChoice(StrEnum):
    auto = "auto"
    treadmill = "treadmill"
    overground = "overground"


class PlacementChoice(StrEnum):
    chest = "chest"
    back = "back"
    hip = "hip"


class DirectionChoice(StrEnum):
    auto = "auto"
    left = "left"
    right = "right"


# Options that several commands share, spelled once.
JsonOut = Annotated[
    bool, typer.Option("--json", help="Print summary.json to stdout instead of tables.")
]
NoAnnotate = Annotated[bool, typer.Option("--no-annotate", help="Skip the annotated video.")]
HeightCm = Annotated[
    float | None,
    typer.Option(
        "--height-cm", min=HEIGHT_CM[0], max=HEIGHT_CM[1], help="Runner's height, for cm figures."
    ),
]
Workers = Annotated[int | None, typer.Option(min=1, max=64, help="Processes for pose estimation.")]
RunnerAlias = Annotated[
    str | None,
    typer.Option(
        "--runner",
        help="Runner's alias in upright's database (see `upright profile`): read and "
        "store this runner's record.",
    ),
]
JsonResult = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
PainOnsetKm = Annotated[
    float | None,
    typer.Option("--pain-onset-km", min=0, help="Where in the run your back began to hurt."),
]
PainOnsetMin = Annotated[
    float | None,
    typer.Option("--pain-onset-min", min=0, help="When (minutes from the start) it began to hurt."),
]


def run_guarded(action: Callable[[], T]) -> T:
    """Run ``action``; an upright error becomes a message and exit code 2, Ctrl-C a true
    account of what was already written or stored and exit code 130."""
    from upright.cli.interrupted import interrupted_message
    from upright.ledger import keeping_ledger

    with keeping_ledger() as ledger:
        try:
            return action()
        except UprightError as err:
            err_console.print(
                f"[bold red]{FAILURE_LEAD}[/bold red] {escape(err.message)}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print(escape(interrupted_message(ledger)), highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None


def _version(value: bool) -> None:
    if value:
        console.print(f"upright {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """upright: why a runner's back hurts, measured."""
