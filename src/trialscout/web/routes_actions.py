"""Visitor actions on a trial: reveal contacts, contact the study team, check eligibility,
private notes and their passcode-protected share links, get notified. Every POST checks CSRF."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trialscout.store.trials import TrialStore
from trialscout.web import (
    contact_flow,
    forms,
    questionnaire,
    records,
    records_shares,
    services,
    viewmodels,
)
from trialscout.web.deps import client_ip, db, form_with_csrf, limit, render, visitor
from trialscout.web.trial_page import render_trial

router = APIRouter(include_in_schema=False)
HOUR = 3600


def _base_url(request: Request) -> str | None:
    """Links in alert e-mails: the configured public address only, never the Host header."""
    return request.app.state.settings.base_url


def _tid(request: Request, trial_id: str) -> str:
    return TrialStore(db(request)).resolve_id(trial_id)


@router.post("/trials/{trial_id}/contacts", response_class=HTMLResponse)
async def reveal_contacts(request: Request, trial_id: str):
    """Contacts are masked until asked for, and asking is rate limited (anti-scraping)."""
    form = await form_with_csrf(request)
    limit(request, "reveal", 60, 300, HOUR)
    return render_trial(request, trial_id, reveal=True, near=form.get("near"))


@router.post("/trials/{trial_id}/contact", response_class=HTMLResponse)
async def contact_team(request: Request, trial_id: str):
    form = await form_with_csrf(request)
    tid = _tid(request, trial_id)
    clean, errors = forms.contact(form)
    if errors:
        return render_trial(request, tid, 400, contact_form=form, contact_errors=errors)
    limit(request, "contact", 5, 20, HOUR)
    trial = TrialStore(db(request)).get(tid).trial
    settings = request.app.state.settings
    request_id = contact_flow.store_request(db(request), settings, visitor(request), trial, clean)
    return render(
        request,
        "contact_done.html",
        {"trial": trial, "request_id": request_id, "name": clean["name"]},
    )


def trial_questions(request: Request, tid: str):
    trial = TrialStore(db(request)).get(tid).trial
    parsed = services.load_criteria(db(request), trial)
    return parsed, questionnaire.build_questions(parsed)


@router.get("/trials/{trial_id}/eligibility", response_class=HTMLResponse)
async def eligibility_form(request: Request, trial_id: str):
    tid = _tid(request, trial_id)
    trial = TrialStore(db(request)).get(tid).trial
    parsed, questions = trial_questions(request, tid)
    ctx = {"trial": trial, "questions": questions, "parsed": parsed, "answers": {}, "errors": {}}
    return render(request, "eligibility.html", ctx | {"result": None, "first_error": None})


def eligibility_context(request: Request, tid: str, form: dict[str, str]) -> dict:
    """Answers -> profile -> matcher, and everything eligibility.html shows; nothing stored."""
    parsed, questions = trial_questions(request, tid)
    answers = {q.key: form.get(q.key, "") for q in questions}
    errors = questionnaire.check_answers(questions, answers)
    result, match_missing = None, None
    if not errors:
        try:
            patient = questionnaire.patient_from_answers(questions, answers)
        except ValueError as exc:  # the patient stage refused an answer (names the field)
            match_missing = f"your answers could not be read ({exc})"
        else:
            given = sum(1 for v in answers.values() if v.strip())
            result = services.match_arranged(db(request), patient, tid, given, parsed)
    trial = TrialStore(db(request)).get(tid).trial
    return {
        "trial": trial,
        "questions": questions,
        "parsed": parsed,
        "answers": answers,
        "result": result,
        "match_missing": match_missing,
        "errors": errors,
        "first_error": next(iter(errors), None),
        "contact_form": {},
        "contact_errors": {},
    }


@router.post("/trials/{trial_id}/eligibility", response_class=HTMLResponse)
async def eligibility_check(request: Request, trial_id: str):
    """Answers -> profile -> matcher; nothing is stored or logged."""
    form = await form_with_csrf(request)
    ctx = eligibility_context(request, _tid(request, trial_id), form)
    return render(request, "eligibility.html", ctx, 400 if ctx["errors"] else 200)


@router.post("/trials/{trial_id}/notes")
async def add_note(request: Request, trial_id: str):
    form = await form_with_csrf(request)
    tid = _tid(request, trial_id)
    clean, errors = forms.note(form)
    if errors:
        return render_trial(request, tid, 400, flash=errors["body"])
    limit(request, "note", 200, 1000, HOUR)
    records.add_note(db(request), visitor(request), tid, clean["quote"], clean["body"])
    return RedirectResponse(f"/trials/{tid}#notes", status_code=303)


@router.post("/notes/{note_id}/delete")
async def delete_note(request: Request, note_id: int):
    form = await form_with_csrf(request)
    if not records.delete_note(db(request), visitor(request), note_id):
        raise HTTPException(404, "no such note of yours")
    tid = form.get("trial_id", "")
    return RedirectResponse(f"/trials/{tid}#notes" if tid else "/", status_code=303)


@router.post("/trials/{trial_id}/share", response_class=HTMLResponse)
async def share_notes(request: Request, trial_id: str):
    form = await form_with_csrf(request)
    tid = _tid(request, trial_id)
    code, errors = forms.passcode(form)
    expires_in_s, expiry_error = forms.share_expiry(form)
    if errors or expiry_error:
        return render_trial(request, tid, 400, flash=errors.get("passcode") or expiry_error)
    limit(request, "share", 30, 100, HOUR)
    token = records.create_share(db(request), visitor(request), tid, code, expires_in_s)
    link = (_base_url(request) or "") + request.app.url_path_for("shared_notes", token=token)
    return render_trial(request, tid, share_link=link)


@router.post("/shares/{share_id}/revoke")
async def revoke_share(request: Request, share_id: int):
    """The owner revokes one of their links: it answers 410 from now on."""
    await form_with_csrf(request)
    tid = records_shares.revoke_share(db(request), visitor(request), share_id)
    if tid is None:
        raise HTTPException(404, "no such share link of yours")
    return RedirectResponse(f"/trials/{quote(tid, safe='')}#share-links", status_code=303)


def _gone(request: Request, message: str):
    ctx = {"title": "This share link no longer works", "text": message}
    return render(request, "message.html", ctx, 410)


@router.get("/shared/{token}", response_class=HTMLResponse, name="shared_notes")
async def shared_notes(request: Request, token: str):
    state = records.share_state(db(request), token)
    if state == "missing":
        raise HTTPException(404, "this share link does not exist")
    if state is not None:
        return _gone(request, state)
    return render(request, "shared.html", {"token": token, "notes": None, "error": None})


@router.post("/shared/{token}", response_class=HTMLResponse)
async def open_shared(request: Request, token: str):
    form = await form_with_csrf(request)
    check = records.check_share(
        db(request),
        token,
        form.get("passcode", ""),
        client=client_ip(request),
        visitor=visitor(request),
    )
    if check.missing:
        raise HTTPException(404, "this share link does not exist")
    if check.gone:
        return _gone(request, check.gone)
    if not check.ok:
        if check.retry_after_s:  # the passcode was not even checked: say so, not "wrong"
            error, status = viewmodels.wait_message(check.retry_after_s), 429
        else:
            error, status = "Wrong passcode.", 401
        ctx = {"token": token, "notes": None, "error": error}
        response = render(request, "shared.html", ctx, status)
        if check.retry_after_s:
            response.headers["Retry-After"] = str(check.retry_after_s)
        return response
    notes = records.list_notes(db(request), check.owner, check.trial_id)
    trial = TrialStore(db(request)).get(check.trial_id).trial
    return render(request, "shared.html", {"token": token, "notes": notes, "trial": trial})


@router.post("/trials/{trial_id}/subscribe", response_class=HTMLResponse)
async def subscribe(request: Request, trial_id: str):
    form = await form_with_csrf(request)
    tid = _tid(request, trial_id)
    clean, errors = forms.subscription(form)
    if errors:
        return render_trial(request, tid, 400, subscribe_errors=errors, subscribe_form=form)
    if _base_url(request) is None:
        errors = {"email": "e-mail alerts are off on this server (no TRIALSCOUT_BASE_URL set)"}
        return render_trial(request, tid, 503, subscribe_errors=errors, subscribe_form=form)
    limit(request, "subscribe", 10, 50, HOUR)
    target = tid if clean["kind"] == "trial" else clean["target"]
    where = {"trial_id": tid} if clean["kind"] == "trial" else {"search": target}
    try:
        services.subscribe(db(request), clean["email"], base_url=_base_url(request), **where)
    except ValueError as exc:  # the alerts stage's own validation
        errors = {"email": str(exc)}
        return render_trial(request, tid, 400, subscribe_errors=errors, subscribe_form=form)
    records.remember_subscription(
        db(request), visitor(request), clean["email"], clean["kind"], target
    )
    ctx = {"email": clean["email"], "kind": clean["kind"], "target": target, "trial_id": tid}
    return render(request, "subscribe_done.html", ctx)


@router.get("/trials/{trial_id}/questions", response_class=HTMLResponse)
async def doctor_questions(request: Request, trial_id: str):
    """A one-page sheet to print: what to ask your doctor (the facts that decide the most
    criteria first) and the study team (what only they can judge). Built from an empty
    questionnaire, so it holds every criterion that is not yet known."""
    tid = _tid(request, trial_id)
    parsed, questions = trial_questions(request, tid)
    patient = questionnaire.patient_from_answers(questions, {})
    result = services.match_arranged(db(request), patient, tid, 0, parsed)
    trial = TrialStore(db(request)).get(tid).trial
    return render(request, "questions.html", {"trial": trial, "result": result})
