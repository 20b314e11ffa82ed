"""upright's exceptions, one hierarchy.

::

    UprightError
    ├── InputError                 a file or argument cannot be used as given
    │   ├── UnsupportedFormatError the file is not in a format upright reads
    │   ├── CorruptFileError       the format is right but the content is broken
    │   └── AnswersError           check-up answers fail validation (red flags still read)
    ├── InsufficientDataError      valid input, too little of it to measure
    ├── QualityError               the recording cannot support a trustworthy answer
    └── StoreError                 the database cannot be opened, read or written

Library code raises these; only ``upright.cli`` turns them into exit codes.
Every message says what is wrong, where, and how to fix it.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Self

__all__ = [
    "FAILURE_LEAD",
    "AnswersError",
    "CorruptFileError",
    "InputError",
    "InsufficientDataError",
    "QualityError",
    "StoreError",
    "UnsupportedFormatError",
    "UprightError",
    "failure_paragraph",
]

#: The words before every message of a command or job that could not finish.
FAILURE_LEAD = "upright could not finish."


class UprightError(Exception):
    """Base of every error upright raises on purpose.

    Parameters
    ----------
    problem
        What is wrong, in one sentence.
    path
        The file concerned, if any.
    fix
        What the user can do about it.
    """

    def __init__(self, problem: str, *, path: str | Path | None = None, fix: str = "") -> None:
        self.problem = problem
        self.path = Path(path) if path is not None else None
        self.fix = fix
        super().__init__(self.message)

    def with_path(self, path: str | Path) -> Self:
        """This error naming ``path``, for an error raised where the file was not known.

        An error that already names a file is returned unchanged.
        """
        if self.path is not None:
            return self
        named = copy.copy(self)
        named.path = Path(path)
        named.args = (named.message,)
        return named

    @property
    def message(self) -> str:
        """The one-paragraph message shown to the user: file, problem, fix."""
        parts = []
        if self.path is not None:
            parts.append(f"{self.path}:")
        parts.append(self.problem.rstrip("."))
        text = " ".join(parts) + "."
        if self.fix:
            text += " " + self.fix.rstrip(".") + "."
        return text


class InputError(UprightError):
    """A file or argument cannot be used as given."""


class UnsupportedFormatError(InputError):
    """The file is not in a format upright reads."""


class CorruptFileError(InputError):
    """The file has a known format but its content is broken or truncated."""


class AnswersError(InputError):
    """Check-up answers that fail validation, with the red-flag answers still readable.

    The red-flag screen runs first whatever else is wrong, so the error carries what it
    needs: ``red_flags`` holds every red-flag answer that could be read (one that cannot
    is left out, so it counts as unanswered), ``clearance_recorded`` whether a valid
    clinician clearance is recorded.
    """

    def __init__(
        self,
        problem: str,
        *,
        red_flags: dict[str, bool | None],
        clearance_recorded: bool = False,
        path: str | Path | None = None,
        fix: str = "",
    ) -> None:
        self.red_flags = red_flags
        self.clearance_recorded = clearance_recorded
        super().__init__(problem, path=path, fix=fix)


class InsufficientDataError(UprightError):
    """The input is valid but holds too little to measure (too few strides, frames...)."""


class QualityError(UprightError):
    """The recording cannot support a trustworthy answer (no person, body out of frame...)."""


class StoreError(UprightError):
    """The database cannot be opened, migrated, read or written."""


def failure_paragraph(err: UprightError) -> str:
    """The one paragraph shown when a command or job stops on ``err`` (as the CLI prints it)."""
    return f"{FAILURE_LEAD} {err.message}"
