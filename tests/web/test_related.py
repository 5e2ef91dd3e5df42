"""Related trials: the same condition first, each with its status and the reason."""

from __future__ import annotations

import re

from trialscout.store.trials import TrialStore
from trialscout.web import related_view, services


def test_same_condition_comes_before_similar_wording(demo_db):
    trial = TrialStore(demo_db).get("ZJCH-HAIC-2024").trial
    similar = services.similar(demo_db, trial.trial_id, related_view.CANDIDATES)
    shown = related_view.arrange(demo_db, trial, similar, 5)
    ranks = [r.rank for r in shown]
    assert ranks == sorted(ranks) and ranks[0] == 0
    assert "lung" not in shown[0].title.lower()  # the similarity search put a lung trial first
    assert shown[0].reason.startswith("same condition: hepatocellular carcinoma")


def test_related_list_shows_status_and_reason(client):
    page = client.get("/trials/ZJCH-HAIC-2024/related?fragment=1").text
    items = re.findall(r"<li>(.*?)</li>", page, re.S)
    assert items and all('class="badge status-' in i for i in items)
    assert all("–" in i for i in items)  # every item says why
