"""The message the CLI prints for the same bad input, to compare a page's with."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from typer.testing import CliRunner

from upright.cli.main import app
from upright.errors import UprightError
from upright.store import using_database

_PREFIX = "upright could not finish."


def cli_message(database_url: str, *args: str) -> str:
    """The one-paragraph message of ``upright ARGS`` (which must exit 2), without the
    "upright could not finish." that starts it."""
    result = CliRunner().invoke(
        app, list(args), env={"COLUMNS": "300", "UPRIGHT_DATABASE_URL": database_url}
    )
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert _PREFIX in text, text
    return text.split(_PREFIX, 1)[1].strip()


def page_message(page_html: str) -> str:
    """The message of a page's error box (what follows "upright could not finish.")."""
    match = re.search(
        r'<div class="error" role="alert" id="error"[^>]*>\s*<p>(.*?)</p>', page_html, re.S
    )
    assert match is not None, "the page shows no error"
    text = html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))
    text = " ".join(text.split())
    assert text.startswith(_PREFIX), text
    return text.removeprefix(_PREFIX).strip()


def service_message(database_url: str, action: Callable[[], object]) -> str:
    """The message of the service call the CLI makes, where Typer's own option checks
    (a required option, a range) would stop the CLI before the service sees the value."""
    with using_database(database_url):
        try:
            action()
        except UprightError as err:
            return err.message
    raise AssertionError("the service accepted it")
