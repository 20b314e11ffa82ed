"""The check-up (``upright checkup --runner``): red flags on the first page, and an
emergency answer goes straight to the stop page; then symptoms, STarT Back and typed
endurance results; then the triage (``upright triage --runner``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from upright.assessment.answers import parse_answers, symptom_questions
from upright.assessment.questionnaires import START_BACK_BOTHER, default_start_back_wording
from upright.assessment.redflags import RED_FLAG_KEYS, red_flag_questions, screen_red_flags
from upright.errors import UprightError
from upright.services.checkup import CheckupResult, RedFlagReply, ask_red_flags, ask_symptoms
from upright.services.endurance_test import PROTOCOLS, build_results, parse_times
from upright.services.runner_index import runner_screen
from upright.services.runner_record import (
    checkup_for_runner,
    norms_for_runner,
    triage_for_runner,
)
from upright.web.forms import FormData, text
from upright.web.pages import FormDep, guarded, render, runner_path

router = APIRouter()

_REPLIES: dict[str, RedFlagReply] = {"yes": "yes", "no": "no", "unsure": "unsure"}
#: The typed endurance results: (--times key, label, unit); the single-leg bridge in reps.
ENDURANCE_FIELDS: tuple[tuple[str, str, str], ...] = (
    *((p.key, p.name, "s") for p in PROTOCOLS),
    ("single_leg_bridge_left", "Single-leg bridge, left leg", "reps"),
    ("single_leg_bridge_right", "Single-leg bridge, right leg", "reps"),
)


def _not_found(request: Request, err: UprightError) -> HTMLResponse:
    return render(request, "error.html", {"status": 404, "detail": err.message}, status_code=404)


@router.get("/checkup/{alias:path}", name="checkup_start")
def checkup_start(request: Request, alias: str) -> HTMLResponse:
    """Page 1: every red-flag question, yes / no / unsure."""
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return _not_found(request, screen)
    return render(
        request,
        "checkup/red_flags.html",
        {"alias": alias, "questions": red_flag_questions(), "values": {}},
    )


def _red_flags(form: FormData) -> dict[str, bool | None]:
    """The red-flag replies as the interview takes them (an emergency yes ends it); a
    question left unanswered is "unsure", which is never taken as a no."""
    return ask_red_flags(lambda q: _REPLIES.get(text(form, f"rf.{q.key}"), "unsure"))


@router.post("/checkup/{alias:path}", name="checkup_red_flags")
def checkup_red_flags(request: Request, alias: str, form: FormDep) -> Response:
    """An emergency yes: the check-up is stored (it blocks every piece of advice) and the
    stop page follows. Otherwise page 2, carrying the red-flag replies."""
    known = guarded(lambda: runner_screen(alias))
    if isinstance(known, UprightError):
        return _not_found(request, known)
    flags = _red_flags(form)
    if screen_red_flags(flags).stop_everything:
        stored = guarded(lambda: checkup_for_runner(alias, parse_answers({"red_flags": flags}), []))
        if isinstance(stored, UprightError):
            return _not_found(request, stored)
        return RedirectResponse(runner_path(request, "checkup_stop", alias), status_code=303)
    return _details_page(request, alias, flags, {}, None)


def _details_page(
    request: Request,
    alias: str,
    flags: dict[str, bool | None],
    values: FormData,
    error: UprightError | None,
) -> HTMLResponse:
    wording = default_start_back_wording()
    items = {key: line.removeprefix("[paraphrase]").strip() for key, line in wording.items.items()}
    return render(
        request,
        "checkup/details.html",
        {
            "alias": alias,
            "flags": {
                k: ("unsure" if v is None else "yes" if v else "no") for k, v in flags.items()
            },
            "symptoms": symptom_questions(),
            "start_back_items": [(k, v) for k, v in items.items() if k != "bothersomeness"],
            "bother_question": items["bothersomeness"].split("(")[0].strip(),
            "bother_choices": START_BACK_BOTHER,
            "paraphrase": wording.paraphrase,
            "endurance_fields": ENDURANCE_FIELDS,
            "values": values,
            "error": error,
        },
        status_code=200 if error is None else 400,
    )


def _carried_flags(form: FormData) -> dict[str, bool | None]:
    """The red-flag replies page 2 carries; re-screened when the check-up is stored."""
    out: dict[str, bool | None] = {}
    for key in RED_FLAG_KEYS:
        reply = text(form, f"rf.{key}")
        out[key] = True if reply == "yes" else False if reply == "no" else None
    return out


def _symptoms(form: FormData) -> dict[str, Any]:
    def reply(q: Any) -> str:
        value = text(form, f"sy.{q.key}")
        if q.type == "onset" and value:
            return f"{value} {text(form, 'sy.pain_onset_unit') or 'km'}"
        return value

    return ask_symptoms(reply)


def _start_back(form: FormData) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for key in default_start_back_wording().items:
        value = text(form, f"sb.{key}")
        if not value:
            continue
        out[key] = {"yes": True, "no": False}.get(value, value)
    return out or None


def _endurance(alias: str, form: FormData) -> dict[str, Any] | None:
    """``upright test --times KEY=VALUE ...`` from the typed fields, with the runner's norms."""
    items = [
        f"{key}={text(form, f'en.{key}')}"
        for key, _, _ in ENDURANCE_FIELDS
        if text(form, f"en.{key}")
    ]
    if not items:
        return None
    sex, population = norms_for_runner(alias, None, None)
    return build_results(parse_times(items), sex, population).model_dump()


def _store_checkup(alias: str, form: FormData) -> CheckupResult:
    answers: dict[str, Any] = {"red_flags": _carried_flags(form), "symptoms": _symptoms(form)}
    if (start_back := _start_back(form)) is not None:
        answers["start_back"] = start_back
    if (endurance := _endurance(alias, form)) is not None:
        answers["endurance"] = endurance
    return checkup_for_runner(alias, parse_answers(answers, source="your replies"), [])


@router.post("/checkup-details/{alias:path}", name="checkup_details")
def checkup_details(request: Request, alias: str, form: FormDep) -> Response:
    """Store the whole check-up (nothing on bad input), then the triage page."""
    result = guarded(lambda: _store_checkup(alias, form))
    if isinstance(result, UprightError):
        return _details_page(request, alias, _carried_flags(form), form, result)
    name = "checkup_stop" if result.status == "emergency" else "triage_page"
    return RedirectResponse(runner_path(request, name, alias), status_code=303)


@router.get("/stop/{alias:path}", name="checkup_stop")
def checkup_stop(request: Request, alias: str) -> Response:
    """The emergency advice, and nothing else."""
    screen = guarded(lambda: runner_screen(alias))
    if isinstance(screen, UprightError):
        return _not_found(request, screen)
    if not screen.stop_everything:
        return RedirectResponse(runner_path(request, "runner_home", alias), status_code=303)
    return render(request, "checkup/stop.html", {"screen": screen})


@router.get("/triage/{alias:path}", name="triage_page")
def triage_page(request: Request, alias: str) -> Response:
    """Each cause's verdict with its reasons, from the latest stored check-up."""
    report = guarded(lambda: triage_for_runner(alias, None, []))
    if isinstance(report, UprightError):
        return render(
            request,
            "checkup/triage.html",
            {"alias": alias, "report": None, "error": report},
            status_code=400,
        )
    if report.red_flags.stop_everything:
        return RedirectResponse(runner_path(request, "checkup_stop", alias), status_code=303)
    return render(request, "checkup/triage.html", {"alias": alias, "report": report, "error": None})
