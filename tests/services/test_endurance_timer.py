"""The guided endurance timer: countdown, live seconds held, cap, skip, rest, order."""

from __future__ import annotations

import pytest

from timer_io import FakeTerminal
from upright.services.endurance_test import (
    GUIDED_TESTS,
    PROTOCOLS,
    REST_S,
    count_reps,
    guided_order,
    rest,
    run_guided_tests,
    time_hold,
)

FLEXOR = PROTOCOLS[0]
EXTENSOR = next(p for p in PROTOCOLS if p.cap_s is not None)


def test_timer_counts_down_then_times_until_enter() -> None:
    fake = FakeTerminal(holds=[(87.34, "")])
    held = time_hold(FLEXOR, fake.io())
    assert held == 87.3
    assert fake.slept == [1.0] * 5  # the 5 s get-ready countdown is not timed
    assert fake.said[1:6] == ["5...", "4...", "3...", "2...", "1..."]
    assert any(s.startswith("GO.") and "s and Enter skips" in s for s in fake.said)
    assert fake.said[-1] == f"{FLEXOR.name}: 87.3 s."


def test_seconds_held_are_shown_once_a_second() -> None:
    fake = FakeTerminal(holds=[(4.5, "")])
    assert time_hold(FLEXOR, fake.io()) == 4.5
    assert fake.shown == ["Holding: 1 s", "Holding: 2 s", "Holding: 3 s", "Holding: 4 s"]


def test_skipped_hold_is_not_done_never_zero() -> None:
    for reply in ("s", " S ", "skip"):
        fake = FakeTerminal(holds=[(12.0, reply)])
        assert time_hold(FLEXOR, fake.io()) is None
        assert any("skipped, recorded as not done" in s for s in fake.said)


def test_lines_typed_before_go_do_not_stop_the_clock() -> None:
    fake = FakeTerminal(holds=[(30.0, "")], ahead=["", "s"])
    assert time_hold(FLEXOR, fake.io()) == 30.0
    assert not fake.ahead


def test_lines_typed_before_a_rest_do_not_end_it() -> None:
    fake = FakeTerminal(holds=[], rests=[None], ahead=[""])
    start = fake.now
    rest(fake.io(), rest_s=10.0)
    assert fake.now - start == pytest.approx(10.0)


def test_any_other_line_stops_the_clock() -> None:
    fake = FakeTerminal(holds=[(30.0, "done")])
    assert time_hold(FLEXOR, fake.io()) == 30.0


def test_extensor_stops_by_itself_at_its_cap() -> None:
    fake = FakeTerminal(holds=[(None, "")])  # nobody presses Enter
    assert EXTENSOR.cap_s == 240.0
    assert time_hold(EXTENSOR, fake.io()) == 240.0
    assert fake.shown[-1] == "Holding: 240 s"
    assert "240 s: the protocol stops here." in fake.said


def test_rest_counts_down_and_runs_out() -> None:
    fake = FakeTerminal(holds=[], rests=[None])
    start = fake.now
    rest(fake.io(), rest_s=65.0)
    assert fake.now - start == pytest.approx(65.0)
    assert fake.shown[:3] == ["Rest: 1:05 left", "Rest: 1:04 left", "Rest: 1:03 left"]
    assert fake.shown[-1] == "Rest: 0:01 left"
    assert fake.said[-1] == "Rest over."


def test_enter_ends_the_rest_early() -> None:
    fake = FakeTerminal(holds=[], rests=[20.5])
    start = fake.now
    rest(fake.io())
    assert fake.now - start == pytest.approx(20.5)
    assert fake.said[0].startswith("Rest 5 min before the next test")
    assert fake.said[-1] == "Rest ended early."


def test_reps_prompt_retries_then_skips_on_blank_or_s() -> None:
    fake = FakeTerminal(holds=[], reps=["x", "7", "", "s"])
    io = fake.io()
    assert count_reps("left", io) == 7
    assert count_reps("right", io) is None
    assert count_reps("right", io) is None
    assert any("not a whole number" in s for s in fake.said)


def test_random_order_is_repeatable_and_covers_every_test() -> None:
    first, again = guided_order(7), guided_order(7)
    assert first == again
    assert sorted(first) == sorted(GUIDED_TESTS)
    assert len({tuple(guided_order(seed)) for seed in range(20)}) > 10  # really shuffled
    assert guided_order(None) == list(GUIDED_TESTS)


def test_battery_rests_between_tests_only_and_keeps_skips_out() -> None:
    order = ["extensor", "slb_left", "flexor"]
    fake = FakeTerminal(
        holds=[(None, ""), (3.0, "s")],  # extensor to its cap; flexor skipped
        rests=[None, 10.0],  # the first rest runs out, the second is cut short
        reps=["14"],
    )
    start = fake.now
    values = run_guided_tests(fake.io(), order)
    assert values == {"extensor": 240.0, "slb_left": 14}  # flexor: not done, no 0
    rests = [s for s in fake.said if s.startswith("Rest ") and "before the next test" in s]
    assert len(rests) == 2  # between three tests, none after the last
    assert [s for s in fake.said if s.startswith("Test ")] == [
        "Test 1 of 3.",
        "Test 2 of 3.",
        "Test 3 of 3.",
    ]
    # 2 countdowns of 5 s, the extensor's 240 s, a full rest, a rest of 10 s, 3 s of flexor
    assert fake.now - start == pytest.approx(2 * 5 + 240 + REST_S + 10 + 3)
