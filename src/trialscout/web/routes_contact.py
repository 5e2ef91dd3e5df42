"""Contact the study team from the eligibility result, optionally sending the answers given
there (pre-screen answers). The answers travel back in hidden fields, are re-read against the
trial's own questionnaire, and are stored only when the person ticks the consent box."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from trialscout.store.trials import TrialStore
from trialscout.web import contact_flow, forms
from trialscout.web.deps import db, form_with_csrf, limit, render, visitor
from trialscout.web.routes_actions import HOUR, eligibility_context, trial_questions

router = APIRouter(include_in_schema=False)


@router.post("/trials/{trial_id}/eligibility/contact", response_class=HTMLResponse)
async def contact_with_answers(request: Request, trial_id: str):
    form = await form_with_csrf(request)
    tid = TrialStore(db(request)).resolve_id(trial_id)
    given = {k[2:]: v for k, v in form.items() if k.startswith("a:")}
    clean, errors = forms.contact(form)
    if errors:  # the result page again, with the messages next to the contact fields
        ctx = eligibility_context(request, tid, given)
        ctx |= {"contact_form": form, "contact_errors": errors}
        return render(request, "eligibility.html", ctx, 400)
    limit(request, "contact", 5, 20, HOUR)
    answers = None
    if form.get("send_answers") == "on":
        _parsed, questions = trial_questions(request, tid)
        answers = contact_flow.prescreen_answers(questions, form)
    trial = TrialStore(db(request)).get(tid).trial
    settings = request.app.state.settings
    request_id = contact_flow.store_request(
        db(request), settings, visitor(request), trial, clean, answers
    )
    ctx = {"trial": trial, "request_id": request_id, "name": clean["name"]}
    return render(request, "contact_done.html", ctx | {"sent_answers": len(answers or [])})
