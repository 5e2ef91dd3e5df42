"""Search by a trial's ID, "did you mean" for misspellings, the alert box's normalized
condition (the box and the API alike)."""

from __future__ import annotations

import pytest

from trialscout.web import lookup


@pytest.mark.parametrize(
    ("query", "trial"),
    [("NCT04163237", "NCT04163237"), (" nct04163237 ", "NCT04163237"),
     ("IIT-2024-077", "NCT07120750"), ("zjch-haic-2024", "ZJCH-HAIC-2024")],
)  # fmt: skip
def test_an_id_in_the_box_goes_to_the_trial(client, query, trial):
    page = client.get("/", params={"q": query}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == f"/trials/{trial}"
    assert trial in client.get("/", params={"q": query}).text


@pytest.mark.parametrize(("query", "trial"), [("NCT04163237", "NCT04163237"),
                                              ("IIT-2024-077", "NCT07120750")])  # fmt: skip
def test_an_id_in_the_api_returns_the_trial(client, query, trial):
    data = client.get("/api/v1/search", params={"q": query}).json()
    assert data["trial"]["trial_id"] == trial and data["total"] == 1
    assert data["hits"][0]["trial_id"] == trial
    assert client.get(data["trial"]["url"]).json()["trial"]["trial_id"] == trial


def test_words_with_digits_are_still_searched(client):
    page = client.get("/", params={"q": "hepatitis b"}, follow_redirects=False)
    assert page.status_code == 200 and "trials found" in page.text


def test_misspelling_gets_a_did_you_mean(client):
    page = client.get("/", params={"q": "hepatits b"}).text
    assert 'id="did-you-mean"' in page and ">hepatitis b</a>" in page
    data = client.get("/api/v1/search", params={"q": "hepatits b"}).json()
    if data["total"] == 0:
        assert "hepatitis b" in data["did_you_mean"]


def test_known_names_get_no_suggestion(demo_db):
    assert lookup.did_you_mean(demo_db, "hepatocellular carcinoma") == []
    assert lookup.did_you_mean(demo_db, "hepatocelular carcinoma") == ["hepatocellular carcinoma"]


def test_alert_box_holds_the_normalized_condition(client):
    page = client.get("/trials/NCT07328711").text  # registered as 'Chronic Hepaititis B'
    box = page.split('name="target"')[1].split(">")[0]
    assert 'value="chronic hepatitis b"' in box


@pytest.mark.parametrize(
    ("text", "is_id"),
    [("NCT04163237", True), ("IIT-2024-077", True), ("hepatitis b", False), ("liver", False),
     ("covid-19", True), ("a", False)],
)  # fmt: skip
def test_id_shape(text, is_id):
    assert lookup.looks_like_id(text) is is_id
