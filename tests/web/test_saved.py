"""Saved trials and the compare page, in process: save from results and trial pages without
JavaScript, one visitor never sees another's list, CSRF, bounds, and what compare shows."""

from __future__ import annotations

import re

import pytest

from trialscout.store.db import Database
from trialscout.web import records_saved

from .conftest import csrf_of

TRIALS = ["ZJCH-HAIC-2024", "NCT07553767", "NCT04163237"]


def _save(client, trial_id, next_url="/saved", action="add"):
    token = csrf_of(client, f"/trials/{TRIALS[0]}")
    return client.post(
        f"/saved/{action}",
        data={"csrf_token": token, "trial_id": trial_id, "next": next_url},
        follow_redirects=False,
    )


def _ids(page_text: str) -> list[str]:
    return re.findall(r'name="ids" value="([^"]+)"', page_text)


def test_save_from_search_results_and_go_back_to_the_same_result(client, app):
    page = client.get("/?q=hepatitis+b")
    assert page.status_code == 200
    first = re.search(r'id="save-([^"]+)"', page.text).group(1)
    response = _save(client, first, "/?q=hepatitis+b")
    assert response.status_code == 303
    assert response.headers["location"] == f"/?q=hepatitis+b#save-{first}"
    assert records_saved.saved_ids(app.state.db, _visitor(app, client)) == [first]
    again = client.get("/?q=hepatitis+b").text
    assert 'aria-pressed="true"' in again and "★ Saved" in again


def _visitor(app, client) -> str:
    from trialscout.web.security import VISITOR_COOKIE, unsign

    return unsign(app.state.secret, client.cookies.get(VISITOR_COOKIE))


def test_save_and_remove_on_the_trial_page(client, app):
    page = client.get(f"/trials/{TRIALS[0]}").text
    assert 'action="/saved/add"' in page and 'aria-label="Save ZJCH-HAIC-2024 to my list"' in page
    assert _save(client, "zjch-haic-2024", f"/trials/{TRIALS[0]}").status_code == 303  # any case
    assert 'action="/saved/remove"' in client.get(f"/trials/{TRIALS[0]}").text
    assert _save(client, TRIALS[0], "/saved", "remove").status_code == 303
    assert records_saved.saved_ids(app.state.db, _visitor(app, client)) == []


def test_one_visitor_never_sees_another_visitors_list(client, other_client):
    for tid in TRIALS[:2]:
        _save(client, tid)
    assert sorted(_ids(client.get("/saved").text)) == sorted(TRIALS[:2])
    assert _ids(other_client.get("/saved").text) == []
    assert "Nothing saved yet" in other_client.get("/saved").text
    # naming the first visitor's trials in the URL shows the second visitor nothing of them
    stolen = other_client.get("/saved/compare", params={"ids": TRIALS[:2]})
    assert stolen.status_code == 400 and 'id="compare-table"' not in stolen.text
    # and the second visitor cannot remove them
    _save(other_client, TRIALS[0], action="remove")
    assert sorted(_ids(client.get("/saved").text)) == sorted(TRIALS[:2])


def test_saving_needs_the_visitors_own_csrf_token(client, other_client):
    token = csrf_of(other_client, f"/trials/{TRIALS[0]}")
    response = client.post("/saved/add", data={"csrf_token": token, "trial_id": TRIALS[0]})
    assert response.status_code == 403
    assert client.post("/saved/add", data={"trial_id": TRIALS[0]}).status_code == 403


@pytest.mark.parametrize("next_url", ["//evil.example/x", "https://evil.example/", "\\\\evil"])
def test_the_way_back_is_a_local_path_only(client, next_url):
    response = _save(client, TRIALS[0], next_url)
    assert response.headers["location"].startswith("/saved#save-")


def test_unknown_trial_cannot_be_saved(client):
    assert _save(client, "NCT99999999").status_code == 404


def test_compare_shows_the_rows_a_patient_compares(client):
    for tid in TRIALS:
        _save(client, tid)
    page = client.get("/saved/compare", params={"ids": TRIALS[:2], "near": "Ningbo"})
    assert page.status_code == 200
    table = page.text[page.text.index('id="compare-table"') :]
    for row in ("Status", "Phase", "Conditions", "Treatments", "Ages", "Sex",
                "Nearest site", "Key rules to join", "Key rules that rule people out",
                "Last update"):  # fmt: skip
        assert f'<th scope="row">{row}</th>' in table, row
    assert table.count('<th scope="col"><a href="/trials/') == 2
    assert re.search(
        r"Ningbo[^<]*<strong class=\"distance\">(in your city|(about )?[\d,]+ km)<", table
    )
    chips = re.findall(r'class="chip">([^<]+)<', table)
    assert chips and not any(re.search(r"_|10\^9|xULN", c) for c in chips)  # plain words


@pytest.mark.parametrize("count", [1, 5])
def test_compare_needs_two_to_four_trials(client, app, count):
    ids = TRIALS + ["NCT00498212", "NCT00004850"]
    for tid in ids[:count]:
        _save(client, tid)
    page = client.get("/saved/compare", params={"ids": ids[:count]})
    assert page.status_code == 400 and "Choose 2 to 4" in page.text
    assert 'id="compare-table"' not in page.text


def test_the_list_is_bounded_per_visitor(tmp_path):
    with Database(tmp_path / "s.db") as db:
        for i in range(records_saved.MAX_SAVED):
            assert records_saved.save(db, "v1", f"T{i}")
        assert not records_saved.save(db, "v1", "T0")  # already there: no error, no row
        with pytest.raises(records_saved.ListFull):
            records_saved.save(db, "v1", "T-one-too-many")
        assert records_saved.save(db, "v2", "T-one-too-many")  # another visitor's own list
        assert records_saved.only_saved(db, "v2", ["T0", "T-one-too-many"]) == ["T-one-too-many"]


@pytest.mark.parametrize(
    ("km", "approximate", "text"),
    [(0.0, True, "in your city"), (141.3, True, "about 141 km"), (1234.5, False, "1,234 km"),
     (None, False, "")],
)  # fmt: skip
def test_distance_reads_in_whole_kilometres(km, approximate, text):
    from trialscout.web.compare_view import distance_text

    assert distance_text(km, approximate) == text
