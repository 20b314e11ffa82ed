"""The whole journey with the keyboard alone, in Chromium: Tab (and Shift+Tab) to move,
Enter and Space to follow a link or press a button, arrow keys in a radio group, typing in
fields. No click, no ``focus()``, no address typed after the first page: a runner is
created, does the check-up, opens the plan and logs a session.

Every Tab stop must be on screen and show the focus ring; a page reached by a form puts
the focus on what the form produced (its result or its error), so a keyboard or screen
reader user does not start again from the top.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from upright.assessment.redflags import red_flag_questions

from .test_browser_journey import page, server  # noqa: F401  (fixtures)

pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")

_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const box = el.getBoundingClientRect();
  const style = getComputedStyle(el);
  const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", name: el.name || "",
    value: el.value || "", id: el.id || "", checked: !!el.checked,
    text: (el.innerText || "").trim(), label: label.trim(),
    visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
      && box.left < innerWidth && style.visibility !== "hidden",
    ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
  };
}"""


def _focused(tab: Any) -> dict[str, Any] | None:
    info: dict[str, Any] | None = tab.evaluate(_FOCUSED)
    return info


def _tab_to(tab: Any, what: str, match: Any, *, limit: int = 300) -> dict[str, Any]:
    """Tab until ``match(focused)``; each stop on the way must be visible with a ring."""
    for _ in range(limit):
        tab.keyboard.press("Tab")
        info = _focused(tab)
        if info is None:
            continue
        assert info["visible"], f"Tab stop off screen or hidden on {tab.url}: {info}"
        assert info["ring"], f"Tab stop without a focus ring on {tab.url}: {info}"
        if match(info):
            return info
    raise AssertionError(f"Tab never reached {what} on {tab.url}")


def _tab_to_link(tab: Any, text: str) -> None:
    _tab_to(tab, f"the link {text!r}", lambda i: i["tag"] == "a" and i["text"] == text)


def _tab_to_field(tab: Any, label: str) -> None:
    _tab_to(tab, f"the field {label!r}", lambda i: i["label"] == label)


def _tab_to_button(tab: Any, text: str) -> None:
    _tab_to(tab, f"the button {text!r}", lambda i: i["tag"] == "button" and i["text"] == text)


def _answer_group(tab: Any, name: str, reply: str) -> None:
    """Tab into a radio group (one stop), then arrow keys to ``reply``, Space to check."""
    info = _tab_to(tab, f"the radio group {name}", lambda i: i["name"] == name)
    for _ in range(5):
        if info["value"] == reply:
            break
        tab.keyboard.press("ArrowRight")
        info = _focused(tab) or info
    assert info["value"] == reply, info
    tab.keyboard.press("Space")
    assert tab.evaluate(f"document.querySelector('input[name=\"{name}\"]:checked').value") == reply


def _focus_is_on_the_outcome(tab: Any, selector: str) -> None:
    """After a form's tab loads, the focus is on (or in) what the form produced."""
    inside = tab.evaluate(
        "s => { const el = document.querySelector(s);"
        " return !!el && el.contains(document.activeElement); }",
        selector,
    )
    assert inside, f"the focus is not on {selector} after the form on {tab.url}: {_focused(tab)}"


def test_the_whole_journey_by_keyboard(page: Any, tmp_path: Path) -> None:  # noqa: F811
    page.goto("/runners")
    # the first Tab stop is the skip link, and it shows itself
    first = _tab_to(page, "the skip link", lambda i: True, limit=1)
    assert first["text"] == "Skip to the content"

    _tab_to_field(page, "Alias (a name or a nickname)")
    page.keyboard.type("Ann")
    _tab_to_field(page, "Sex (chooses the endurance norms)")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    _tab_to_button(page, "Create runner")
    page.keyboard.press("Enter")
    page.wait_for_url("**/runner/Ann")

    # the check-up, every red-flag group answered "no" with the arrow keys
    _tab_to_link(page, "Check-up")
    page.keyboard.press("Enter")
    page.wait_for_url("**/checkup/Ann")
    for q in red_flag_questions():
        _answer_group(page, f"rf.{q.key}", "no")
    _tab_to_button(page, "Next")
    page.keyboard.press("Space")
    page.wait_for_selector("text=page 2 of 2")
    for label, value in (
        ("Trunk flexor endurance (seconds held)", "80"),
        ("Biering-Sorensen extensor endurance (seconds held)", "60"),
    ):
        _tab_to_field(page, label)
        page.keyboard.type(value)
    _tab_to_button(page, "Store the check-up and see the triage")
    page.keyboard.press("Enter")
    page.wait_for_url("**/triage/Ann")
    assert "Red-flag screen: clear" in page.locator(".screen h2").inner_text()

    # back to the runner's home by the breadcrumb, then the plan
    _tab_to_link(page, "Ann")
    page.keyboard.press("Enter")
    page.wait_for_url("**/runner/Ann")
    _tab_to_link(page, "Plan")
    page.keyboard.press("Enter")
    page.wait_for_url("**/plan/Ann")
    assert "stage 1" in page.locator("main").inner_text()
    exercises = page.locator("#plan-body table tbody tr").first.inner_text()

    # a session logged: the plan's first exercise at its dose, good form, pain by digit
    _tab_to_link(page, "Ann")
    page.keyboard.press("Enter")
    page.wait_for_url("**/runner/Ann")
    _tab_to_link(page, "Log a session")
    page.keyboard.press("Enter")
    page.wait_for_url("**/log/session/Ann")
    first_field = _tab_to(page, "an exercise's field", lambda i: i["name"].startswith("ex."))
    assert first_field["label"].split(":")[0] in exercises, (first_field, exercises)
    page.keyboard.type(first_field["label"].rsplit("(dose ", 1)[1].rstrip(")"))
    _answer_group(page, "form", "good")
    _tab_to(page, "the pain during", lambda i: i["name"] == "pain_during")
    page.keyboard.press("1")
    _tab_to_button(page, "Store the session")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=stored (stage 1)")
    _focus_is_on_the_outcome(page, "section.result")

    # a refused form: the focus goes to the error, which names the problem
    _tab_to(page, "an exercise's field", lambda i: i["name"] == first_field["name"])
    page.keyboard.press("Control+A")
    page.keyboard.type("-5")
    _answer_group(page, "form", "good")  # the form starts blank after a stored session
    _tab_to(page, "the pain during", lambda i: i["name"] == "pain_during")
    page.keyboard.press("1")
    _tab_to_button(page, "Store the session")
    page.keyboard.press("Enter")
    page.wait_for_selector("#error")
    _focus_is_on_the_outcome(page, "#error")
    assert "-5" in page.locator("#error").inner_text()
    problems = page.problems  # type: ignore[attr-defined]
    assert problems and all("400" in p and "/log/session/Ann" in p for p in problems), problems
