"""The visitor's saved trials: "Save" on results and trial pages, /saved, and a side-by-side
compare of 2 to 4 of them. Plain forms and links (no JavaScript needed); every POST checks
CSRF; every read goes through `records_saved`, which filters on the visitor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trialscout.store.trials import TrialNotFound, TrialStore
from trialscout.web import compare_view, records_saved, services, viewmodels
from trialscout.web.deps import db, form_with_csrf, limit, render, visitor
from trialscout.web.trial_page import site_locator

router = APIRouter(include_in_schema=False)
COMPARE_MIN, COMPARE_MAX = 2, 4


def _back(next_url: str, trial_id: str) -> str:
    """Back where the visitor pressed the button: a local path only (no open redirect)."""
    ok = next_url.startswith("/") and not next_url.startswith("//") and "\\" not in next_url
    target = next_url.split("#", 1)[0] if ok else "/saved"
    return f"{target}#save-{trial_id.replace(' ', '-')}"


async def _change(request: Request, add: bool) -> RedirectResponse:
    form = await form_with_csrf(request)
    limit(request, "saved", 300, 1000, 3600)
    try:
        tid = TrialStore(db(request)).resolve_id(form.get("trial_id", ""))
    except TrialNotFound:
        raise HTTPException(404, f"no trial {form.get('trial_id', '')[:64]!r} to save") from None
    if add:
        try:
            records_saved.save(db(request), visitor(request), tid)
        except records_saved.ListFull as exc:
            raise HTTPException(400, str(exc)) from None
    else:
        records_saved.remove(db(request), visitor(request), tid)
    return RedirectResponse(_back(form.get("next", ""), tid), status_code=303)


@router.post("/saved/add")
async def save_trial(request: Request):
    return await _change(request, add=True)


@router.post("/saved/remove")
async def unsave_trial(request: Request):
    return await _change(request, add=False)


def _trials(request: Request, ids: list[str]) -> list:
    store = TrialStore(db(request))
    out = []
    for tid in ids:
        try:
            out.append(store.get(tid))
        except TrialNotFound:  # saved, then removed from the registry
            continue
    return out


@router.get("/saved", response_class=HTMLResponse)
async def saved_page(request: Request):
    ids = records_saved.saved_ids(db(request), visitor(request))
    ctx = {"saved": [r.trial for r in _trials(request, ids)], "saved_ids": set(ids)}
    return render(request, "saved.html", ctx | {"error": None, "chosen": [], "near": ""})


def _origin(request: Request, near: str) -> tuple[tuple[float, float] | None, str | None]:
    if not near:
        return None, None
    try:
        lat, lon, _ = services.resolve_place(db(request), near)
        return (lat, lon), None
    except (services.BadInput, services.StageUnavailable) as exc:
        return None, str(exc)


@router.get("/saved/compare", response_class=HTMLResponse)
async def compare(request: Request, ids: Annotated[list[str], Query()] = (), near: str = ""):
    """Only trials on this visitor's own list are shown, whatever ids the URL names."""
    near = near.strip()[:200]
    mine = records_saved.saved_ids(db(request), visitor(request))
    chosen = records_saved.only_saved(db(request), visitor(request), list(ids)[:20])
    if not COMPARE_MIN <= len(chosen) <= COMPARE_MAX:
        ctx = {
            "saved": [r.trial for r in _trials(request, mine)],
            "saved_ids": set(mine),
            "chosen": chosen,
            "near": near,
            "error": f"Choose {COMPARE_MIN} to {COMPARE_MAX} of your saved trials to compare.",
        }
        return render(request, "saved.html", ctx, 400 if ids else 200)
    origin, place_error = _origin(request, near)
    locate = site_locator(request)
    columns = []
    for record in _trials(request, chosen):
        trial = record.trial
        parsed = request.app.state.cache.get_or_compute(
            ("criteria", trial.trial_id, record.version),
            lambda t=trial: _criteria(request, t),
        )
        sites = viewmodels.sites(trial, origin, False, locate) if origin else []
        columns.append(compare_view.column(trial, parsed, sites))
    ctx = {"columns": columns, "near": near, "place_error": place_error, "chosen": chosen}
    return render(request, "compare.html", ctx)


def _criteria(request: Request, trial):
    try:
        return services.load_criteria(db(request), trial)
    except services.StageUnavailable:
        return None
