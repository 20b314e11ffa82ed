"""One record per runner: the norms their profile chooses, their stored endurance results,
and the measurements given with ``--runner`` stored once.

Every command that reads a stored runner (``test``, ``checkup``, ``triage``, ``plan``,
``report``) judges endurance holds against the norms of the runner's profile (sex and
population) and reads the same stored results, so the same numbers get the same verdict
everywhere. Functions here work inside the caller's database session; committing is the
caller's business.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final, Literal

from sqlalchemy.orm import Session

from upright.assessment.answers import Answers
from upright.assessment.endurance import EnduranceResults
from upright.errors import InputError
from upright.services.endurance_test import times_key
from upright.services.evidence import read_summary, same_summary
from upright.store import (
    Runner,
    Side,
    TimedClip,
    add_endurance_test,
    add_record,
    clip_result,
    previous_endurance,
    records,
)
from upright.store.models import utc_now

__all__ = [
    "STORED_AS",
    "Population",
    "Sex",
    "checked_norms",
    "latest_results",
    "profile_norms",
    "runner_answers",
    "store_given",
    "store_results",
]

Sex = Literal["male", "female"]
Population = Literal["general", "athlete"]

#: EnduranceResults field -> (stored test key, side). The stored keys are those of the
#: first schema and stay, so stored records and backups keep working.
STORED_AS: Final[dict[str, tuple[str, Side | None]]] = {
    "flexor_s": ("flexor", None),
    "extensor_s": ("extensor", None),
    "side_bridge_right_s": ("side_bridge", "right"),
    "side_bridge_left_s": ("side_bridge", "left"),
    "supine_bridge_s": ("supine_bridge", None),
    "prone_plank_s": ("prone_plank", None),
    "single_leg_bridge_left_reps": ("single_leg_bridge", "left"),
    "single_leg_bridge_right_reps": ("single_leg_bridge", "right"),
}


def profile_norms(runner: Runner) -> tuple[Sex | None, Population]:
    """The sex and population the runner's profile chooses the norms by."""
    sex: Sex | None = None
    if runner.sex == "male":
        sex = "male"
    elif runner.sex == "female":
        sex = "female"
    population: Population = "athlete" if runner.population == "athlete" else "general"
    return sex, population


def checked_norms(
    runner: Runner, sex: Sex | None, population: Population | None
) -> tuple[Sex | None, Population]:
    """The profile's norms; a ``--sex`` or ``--population`` given that differs is refused.

    Raises
    ------
    InputError
        ``sex`` or ``population`` is given and is not what the runner's profile records:
        the other commands would judge the same holds against another table.
    """
    own_sex, own_population = profile_norms(runner)
    alias = runner.alias
    if sex is not None and sex != own_sex:
        if own_sex is None:
            problem = (
                f"--sex {sex}: runner {alias!r}'s profile records no sex, so test, checkup, "
                "triage and report judge their holds against the table for both sexes"
            )
        else:
            problem = (
                f"--sex {sex} does not match runner {alias!r}'s profile ({own_sex}), which "
                "chooses the norms of test, checkup, triage and report alike"
            )
        raise InputError(
            problem,
            fix=f"Record it in the profile (upright profile --runner {alias} --sex {sex}), "
            "then leave out --sex",
        )
    if population is not None and population != own_population:
        raise InputError(
            f"--population {population} does not match runner {alias!r}'s profile "
            f"({own_population}), which chooses the norms of test, checkup, triage and "
            "report alike",
            fix=f"Record it in the profile (upright profile --runner {alias} --population "
            f"{population}), then leave out --population",
        )
    return own_sex, own_population


def _value(field: str, seconds: float | None, reps: int | None) -> float | int | None:
    return reps if field.endswith("_reps") else seconds


def latest_results(session: Session, runner: Runner) -> EnduranceResults | None:
    """The latest stored result of each test, with the profile's norms; None when none."""
    data: dict[str, Any] = {}
    for field, (key, side) in STORED_AS.items():
        row = previous_endurance(session, runner, key, side=side)
        if row is not None and (value := _value(field, row.seconds, row.reps)) is not None:
            data[field] = value
    if not data:
        return None
    sex, population = profile_norms(runner)
    return EnduranceResults.model_validate(data | {"sex": sex, "population": population})


def store_results(
    session: Session,
    runner: Runner,
    results: EnduranceResults,
    *,
    when: dt.datetime | None = None,
    skip_unchanged: bool = False,
    clips: Mapping[str, TimedClip] | None = None,
) -> tuple[list[str], list[str]]:
    """Store every result given, all at one time; returns (stored, skipped) test keys.

    ``clips`` maps a results field (``side_bridge_right_s``) to the clip its hold was
    timed from; the others are stored as typed. A result from a clip already stored for
    this test is not stored again (a clip is one test, however often it is timed).

    With ``skip_unchanged``, a result equal to the runner's latest stored result of that
    test is not stored again (an answers file given twice is one test, not two).
    """
    when = when or utc_now()
    stored: list[str] = []
    skipped: list[str] = []
    for field, (key, side) in STORED_AS.items():
        value = getattr(results, field)
        if value is None:
            continue
        clip = (clips or {}).get(field)
        if clip is not None and clip_result(session, runner, key, side, clip.sha256):
            skipped.append(times_key(field))
            continue
        if skip_unchanged:
            last = previous_endurance(session, runner, key, side=side)
            if last is not None and _value(field, last.seconds, last.reps) == value:
                skipped.append(times_key(field))
                continue
        if field.endswith("_reps"):
            add_endurance_test(session, runner, key, reps=int(value), side=side, when=when)
        else:
            add_endurance_test(
                session, runner, key, seconds=float(value), side=side, when=when, clip=clip
            )
        stored.append(times_key(field))
    return stored, skipped


def runner_answers(session: Session, runner: Runner, answers: Answers) -> tuple[Answers, list[str]]:
    """The answers with the runner's endurance: the latest stored result of each test,
    judged against the profile's norms (the answers' own endurance only when nothing is
    stored, as for a check-up stored before results were kept); with notes."""
    sex, population = profile_norms(runner)
    notes: list[str] = []
    given = answers.endurance
    if given is not None:
        if given.sex is not None and given.sex != sex:
            notes.append(
                f"The answers' endurance sex ({given.sex}) is not used: runner "
                f"{runner.alias}'s profile ({sex or 'no sex recorded'}) chooses the norms of "
                f"every command (upright profile --runner {runner.alias} --sex ...)"
            )
        if given.population == "athlete" and population != "athlete":
            notes.append(
                f"The answers' athlete norms are not used: runner {runner.alias}'s profile "
                f"chooses {population} norms (upright profile --runner {runner.alias} "
                "--population athlete)"
            )
    endurance = latest_results(session, runner)
    if endurance is None and given is not None:
        endurance = given.model_copy(update={"sex": sex, "population": population})
    return answers.model_copy(update={"endurance": endurance}), notes


def _store_evidence(
    session: Session, runner: Runner, paths: Sequence[Path], stills: Mapping[Path, bytes]
) -> list[str]:
    loaded = [(path, *read_summary(path)) for path in paths]  # every file checked first
    notes = []
    for path, kind, summary in loaded:
        kept = records(session, runner, kind)
        same = next((r for r in kept if same_summary(r.summary, summary)), None)
        if same is not None:
            notes.append(f"{path}: already stored as {kind} record {same.id}, not stored again")
            continue
        record = add_record(
            session,
            runner,
            kind,
            summary,
            source_name=path.name,
            still_jpeg=stills.get(path) if kind == "analysis" else None,
        )
        notes.append(f"{path}: stored as {kind} record {record.id} of runner {runner.alias}")
    return notes


def store_given(
    session: Session,
    runner: Runner,
    answers: Answers | None,
    evidence_paths: Sequence[Path],
    stills: Mapping[Path, bytes] | None = None,
) -> list[str]:
    """Store what a command was given with ``--runner``: each evidence summary as the
    record ``upright analyze/compare/import/imu --runner`` makes (one already stored is
    not stored twice), and the answers' endurance results (unless unchanged).

    ``stills`` maps an evidence file to the annotated still beside it (analyses only).

    Raises
    ------
    InputError
        An evidence file is missing, not JSON or not an upright summary; nothing is stored.
    """
    notes = _store_evidence(session, runner, evidence_paths, stills or {})
    if answers is not None and answers.endurance is not None:
        stored, skipped = store_results(session, runner, answers.endurance, skip_unchanged=True)
        if stored:
            notes.append(f"Endurance results stored for runner {runner.alias}: {', '.join(stored)}")
        if skipped:
            notes.append(
                f"Endurance results equal to the latest stored ones, not stored again: "
                f"{', '.join(skipped)}"
            )
    return notes
