"""``upright test``: the endurance protocols in words, typed or timed results, norms and
change against a previous session (McGill, Childs & Liebenson 1999).

The guided timer follows the battery's own order and rest rule: the tests in a random
order with about 5 minutes' rest between them (McGill, Childs & Liebenson 1999). It takes
its clock, its pause, the lines typed and its live status line as arguments
(:class:`TimerIO`), so it runs in tests without a terminal or real time.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from upright.assessment.endurance import (
    SORENSEN_CAP_S,
    EnduranceAssessment,
    EnduranceResults,
    assess_endurance,
)
from upright.errors import InputError
from upright.summaries import DISCLAIMER

__all__ = [
    "GET_READY_S",
    "GUIDED_TESTS",
    "KEY_ALIASES",
    "PROTOCOLS",
    "REP_SIDES",
    "REST_S",
    "SKIP_WORDS",
    "TIME_KEYS",
    "EnduranceTestReport",
    "Protocol",
    "TimerIO",
    "build_results",
    "count_reps",
    "guided_order",
    "parse_times",
    "read_previous",
    "rest",
    "run_endurance_test",
    "run_guided_tests",
    "time_hold",
    "timed_clip",
    "times_key",
]

#: Seconds of "get ready" countdown before the clock starts [design choice].
GET_READY_S: Final = 5
#: Rest between two tests: "about 5 minutes" (McGill, Childs & Liebenson 1999).
REST_S: Final = 300.0
#: What to type (then Enter) to skip a test: it is recorded as not done, never as 0.
SKIP_WORDS: Final = ("s", "skip")


@dataclass(frozen=True)
class Protocol:
    """One test: its ``--times`` key, the results field it fills, how to do it."""

    key: str
    field: str
    name: str
    steps: str
    stop_when: str
    cap_s: float | None = None


#: Protocols: McGill, Childs & Liebenson 1999 (Arch Phys Med Rehabil 80:941); home
#: version with a partner holding the legs (Reiman 2010, JSCR 24:730); bridge and plank
#: holds Schellenberg 2007 (AJPMR 86:380).
PROTOCOLS: Final[tuple[Protocol, ...]] = (
    Protocol(
        "flexor",
        "flexor_s",
        "Trunk flexor endurance",
        "Sit with your back against a support at 60 degrees from the floor, knees and hips "
        "bent to 90 degrees, feet held down, arms crossed on your chest. Your partner moves "
        "the support 10 cm back and starts the clock.",
        "Stop the moment your back touches the support or your trunk drops below 60 degrees.",
    ),
    Protocol(
        "extensor",
        "extensor_s",
        "Biering-Sorensen extensor endurance",
        "Lie face down with your hip bones (iliac crests) at the edge of a table or bench, "
        "legs held down by a partner or strap, arms crossed on your chest. Hold your trunk "
        "horizontal, in line with your legs.",
        "Stop when your trunk drops more than 10 degrees below horizontal, or at 240 s.",
        SORENSEN_CAP_S,
    ),
    Protocol(
        "side_bridge_right",
        "side_bridge_right_s",
        "Side bridge, right side down",
        "Lie on your right side, legs straight, top foot in front of the lower one, resting "
        "on your right forearm. Lift your hips so your body makes a straight line from head "
        "to feet; left arm across your chest.",
        "Stop when your hip drops from the straight line.",
    ),
    Protocol(
        "side_bridge_left",
        "side_bridge_left_s",
        "Side bridge, left side down",
        "As the right side, lying on your left side on your left forearm.",
        "Stop when your hip drops from the straight line.",
    ),
    Protocol(
        "supine_bridge",
        "supine_bridge_s",
        "Supine bridge hold",
        "Lie on your back, knees bent, feet flat; lift your hips so shoulders, hips and "
        "knees are in a line.",
        "Stop when your hips drop from the line.",
    ),
    Protocol(
        "front_plank",
        "prone_plank_s",
        "Front plank (prone plank hold)",
        "Rest on forearms and toes, body in a straight line from head to heels.",
        "Stop when your hips sag or rise out of the line.",
    ),
)
#: Rep counts, typed only (no timer): single-leg bridge test (Freckleton 2014).
_REPS: Final = {
    "single_leg_bridge_left": "single_leg_bridge_left_reps",
    "single_leg_bridge_right": "single_leg_bridge_right_reps",
}
#: The ``--times`` keys, in the order the help and the timer give them. They share one
#: namespace with the exercise catalogue (``front_plank``, ``single_leg_bridge``).
TIME_KEYS: Final = (*(p.key for p in PROTOCOLS), *_REPS)
_FIELD_OF: Final = {**{p.key: p.field for p in PROTOCOLS}, **_REPS}
#: Keys of earlier versions, still accepted so old scripts keep working; never shown.
KEY_ALIASES: Final = {
    "side_right": "side_bridge_right",
    "side_left": "side_bridge_left",
    "plank": "front_plank",
    "slb_left": "single_leg_bridge_left",
    "slb_right": "single_leg_bridge_right",
}
_KEY_OF_FIELD: Final = {field: key for key, field in _FIELD_OF.items()}


def times_key(name: str) -> str:
    """The ``--times`` key of a results field, a stored test or an assessment's test
    name (``prone_plank_s``, ``prone_plank``, ``side_bridge_left``) -> ``front_plank``,
    ``side_bridge_left``; a name it does not know is returned unchanged."""
    if name in _KEY_OF_FIELD:
        return _KEY_OF_FIELD[name]
    for suffix in ("_s", "_reps"):
        if f"{name}{suffix}" in _KEY_OF_FIELD:
            return _KEY_OF_FIELD[f"{name}{suffix}"]
    return name


def timed_clip(name: str | None, ended_at_s: float | None, reason: str | None) -> str:
    """How a result timed from a clip is marked wherever it is shown."""
    text = f"timed from video: {name or 'a clip'}"
    if ended_at_s is not None:
        text += f", ended at {ended_at_s:.1f} s"
    return text + (f": {reason}" if reason else "")


_ORDER_NOTE = (
    "Do the tests in a random order with about 5 minutes' rest between them, and stop the "
    "clock the moment position is lost (McGill 1999). A partner holding your legs makes "
    "the home version reliable (Reiman 2010)."
)


class EnduranceTestReport(BaseModel):
    """What ``upright test --json`` prints; ``--previous`` reads it back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal["upright.endurance-test/1"] = "upright.endurance-test/1"
    results: EnduranceResults
    assessment: EnduranceAssessment
    previous_file: str | None
    protocol_note: str = _ORDER_NOTE
    disclaimer: str = DISCLAIMER


def parse_times(items: list[str]) -> dict[str, float | int]:
    """Parse ``KEY=VALUE`` items (``flexor=120 side_bridge_left=60
    single_leg_bridge_left=22``); the keys of earlier versions (:data:`KEY_ALIASES`) are
    read as the keys they stand for.

    Raises
    ------
    InputError
        A malformed item, an unknown key, a repeated key or a value that is not a number.
    """
    out: dict[str, float | int] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        key = KEY_ALIASES.get(key, key)
        if not sep:
            raise InputError(f"--times: {item!r} is not KEY=SECONDS", fix="Write e.g. flexor=120")
        if key not in _FIELD_OF:
            raise InputError(
                f"--times: unknown test {key!r}", fix=f"Use keys: {', '.join(TIME_KEYS)}"
            )
        if key in out:
            raise InputError(f"--times: {key} given twice", fix="Give each test once")
        try:
            value: float | int = int(raw) if key in _REPS else float(raw)
        except ValueError:
            kind = "a whole number of reps" if key in _REPS else "seconds as a number"
            raise InputError(f"--times: {key}={raw!r}", fix=f"Give {kind}") from None
        out[key] = value
    return out


def build_results(
    values: dict[str, float | int],
    sex: Literal["male", "female"] | None,
    population: Literal["general", "athlete"],
) -> EnduranceResults:
    """Validate typed or timed values into :class:`EnduranceResults`, naming bad keys."""
    data: dict[str, Any] = {_FIELD_OF[KEY_ALIASES.get(k, k)]: v for k, v in values.items()}
    data.update(sex=sex, population=population)
    try:
        return EnduranceResults.model_validate(data)
    except ValidationError as exc:
        back = {v: k for k, v in _FIELD_OF.items()}
        problems = "; ".join(
            f"{back.get(str(e['loc'][0]), e['loc'][0])}: {e['msg']} (got {e['input']!r})"
            for e in exc.errors()
        )
        raise InputError(f"--times: {problems}", fix="Give seconds within the protocol") from None


def read_previous(path: Path) -> EnduranceResults:
    """The results of a previous ``upright test --json`` saved to ``path``."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise InputError("previous result not found", path=path) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"not valid JSON ({exc})", path=path) from None
    try:
        return EnduranceTestReport.model_validate(data).results
    except ValidationError:
        raise InputError(
            "not the output of upright test --json",
            path=path,
            fix="Save a previous `upright test ... --json` to a file and give that",
        ) from None


def run_endurance_test(
    results: EnduranceResults, previous: EnduranceResults | None, previous_file: Path | None
) -> EnduranceTestReport:
    """Compare the results with norms, ratio limits and the previous session (MDC)."""
    return EnduranceTestReport(
        results=results,
        assessment=assess_endurance(results, previous),
        previous_file=None if previous_file is None else str(previous_file),
    )


def _no_reply(prompt: str) -> str:
    return ""


def _no_show(status: str) -> None:
    return None


@dataclass(frozen=True)
class TimerIO:
    """What the guided timer needs from the world: injected so tests need no terminal.

    Attributes
    ----------
    clock
        Seconds from a monotonic clock.
    sleep
        Pause for the given seconds (the get-ready countdown).
    wait_line
        Wait at most ``timeout_s`` for a line typed and ended with Enter; the line
        (without its newline), or None when nothing came in time.
    say
        Print one line.
    ask
        Show a prompt and return the typed line (rep counts); the default answers blank,
        which skips the rep test.
    show
        The live status line (seconds held, rest left), replaced by the next one;
        the default shows nothing.
    """

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    wait_line: Callable[[float], str | None]
    say: Callable[[str], None]
    ask: Callable[[str], str] = _no_reply
    show: Callable[[str], None] = _no_show


def _is_skip(line: str) -> bool:
    return line.strip().lower() in SKIP_WORDS


def _discard_typed_ahead(io: TimerIO) -> None:
    """Forget lines typed before a hold, rest or prompt began (an extra Enter), so they
    cannot end it at once."""
    while io.wait_line(0.0) is not None:
        pass


def time_hold(protocol: Protocol, io: TimerIO, get_ready_s: int = GET_READY_S) -> float | None:
    """Guide one hold: get ready, count down, then time it until Enter, showing the seconds
    held once a second; stop by itself at the protocol's cap.

    Returns
    -------
    float or None
        The hold in seconds, rounded to 0.1 s and no longer than the cap; None when the
        test was skipped (``s`` and Enter), so it is recorded as not done.
    """
    io.say(f"{protocol.name}: get into position. Starting in {get_ready_s} s.")
    for left in range(get_ready_s, 0, -1):
        io.say(f"{left}...")
        io.sleep(1.0)
    _discard_typed_ahead(io)
    io.say(f"GO. {protocol.stop_when} Press Enter then (s and Enter skips this test).")
    start = io.clock()
    while True:
        held = io.clock() - start
        if protocol.cap_s is not None and held >= protocol.cap_s:
            io.say(f"{protocol.cap_s:g} s: the protocol stops here.")
            held = protocol.cap_s
            break
        tick = math.floor(held) + 1  # the next whole second held
        wait_s = tick - held
        if protocol.cap_s is not None:
            wait_s = min(wait_s, protocol.cap_s - held)
        line = io.wait_line(wait_s)
        if line is None:
            io.show(f"Holding: {tick} s")
            continue
        if _is_skip(line):
            io.say(f"{protocol.name}: skipped, recorded as not done.")
            return None
        held = max(0.0, io.clock() - start)
        if protocol.cap_s is not None and held > protocol.cap_s:
            held = protocol.cap_s
        break
    io.say(f"{protocol.name}: {held:.1f} s.")
    return round(held, 1)


def rest(io: TimerIO, rest_s: float = REST_S) -> None:
    """The rest between two tests: a countdown shown once a second; Enter ends it early."""
    _discard_typed_ahead(io)
    io.say(f"Rest {rest_s / 60:g} min before the next test. Press Enter to start it sooner.")
    start = io.clock()
    while (left := rest_s - (io.clock() - start)) > 0:
        minutes, seconds = divmod(math.ceil(left), 60)
        io.show(f"Rest: {minutes}:{seconds:02d} left")
        if io.wait_line(min(1.0, left)) is not None:
            io.say("Rest ended early.")
            return
    io.say("Rest over.")


#: The single-leg bridge sides asked for at the prompt, in order.
REP_SIDES: Final = (("single_leg_bridge_left", "left"), ("single_leg_bridge_right", "right"))
#: Every test of the guided battery, in the order the protocols are listed.
GUIDED_TESTS: Final = (*(p.key for p in PROTOCOLS), *(key for key, _ in REP_SIDES))


def count_reps(side: str, io: TimerIO) -> int | None:
    """Ask for the single-leg bridge reps of one side (reps to failure, not a hold).

    A blank reply or ``s`` skips the side (None); anything but a whole number >= 0 asks
    again.
    """
    _discard_typed_ahead(io)
    while True:
        raw = io.ask(f"Single-leg bridge, {side} leg: reps until form was lost (Enter to skip)")
        raw = raw.strip()
        if not raw or _is_skip(raw):
            io.say(f"Single-leg bridge, {side}: skipped, recorded as not done.")
            return None
        if raw.isdigit():
            io.say(f"Single-leg bridge, {side}: {int(raw)} reps.")
            return int(raw)
        io.say(f"{raw!r} is not a whole number of reps; type e.g. 22, or press Enter to skip.")


def guided_order(seed: int | None) -> list[str]:
    """The guided tests (:data:`GUIDED_TESTS`) in a random order drawn from ``seed``, as
    the protocol asks (McGill, Childs & Liebenson 1999); None keeps the listed order."""
    order = list(GUIDED_TESTS)
    if seed is not None:
        random.Random(seed).shuffle(order)
    return order


def run_guided_tests(
    io: TimerIO, order: list[str], rest_s: float = REST_S
) -> dict[str, float | int]:
    """Guide every test of ``order`` with a rest between two tests; the values of the
    tests done (a skipped test has no value, so it stays "not done")."""
    protocols = {p.key: p for p in PROTOCOLS}
    sides = dict(REP_SIDES)
    values: dict[str, float | int] = {}
    for number, key in enumerate(order, start=1):
        if number > 1:
            rest(io, rest_s)
        io.say(f"Test {number} of {len(order)}.")
        value = time_hold(protocols[key], io) if key in protocols else count_reps(sides[key], io)
        if value is not None:
            values[key] = value
    return values


def protocol_note() -> str:
    """The order and rest rule that applies to the whole battery."""
    return _ORDER_NOTE
