"""Pure pieces: signing, CSRF, hashing, rate limits and share lockout (clock injected),
display helpers, shareable search URLs, the serve CLI."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from trialscout.registry.model import Contact
from trialscout.web import records, security, viewmodels
from trialscout.web.search_params import SearchParams, facet_links


def test_sign_roundtrip_and_tamper():
    signed = security.sign("k", "visitor-1")
    assert security.unsign("k", signed) == "visitor-1"
    assert security.unsign("other-key", signed) is None
    assert security.unsign("k", signed.replace("visitor-1", "visitor-2")) is None
    assert security.unsign("k", None) is None


def test_csrf_bound_to_visitor():
    token = security.csrf_token("k", "a")
    assert security.csrf_ok("k", "a", token)
    assert not security.csrf_ok("k", "b", token)
    assert not security.csrf_ok("k", "a", "")


def test_hash_secret_salted_and_verifies():
    one, two = security.hash_secret("passcode-1"), security.hash_secret("passcode-1")
    assert one != two and "passcode-1" not in one
    assert security.verify_secret("passcode-1", one)
    assert not security.verify_secret("passcode-2", one)
    assert not security.verify_secret("x", "garbage")


def test_coordinator_cookie_expires():
    cookie = security.coordinator_cookie("k", "ann", ttl_s=-1)
    assert security.coordinator_from_cookie("k", cookie) is None
    assert security.coordinator_from_cookie("k", security.coordinator_cookie("k", "ann")) == "ann"


def test_rate_limit_window(db):
    for _ in range(3):
        records.hit_rate_limit(db, "x", 3, 60, now=1000.0)
    with pytest.raises(records.RateLimited) as info:
        records.hit_rate_limit(db, "x", 3, 60, now=1010.0)
    assert info.value.retry_after_s == 50
    records.hit_rate_limit(db, "x", 3, 60, now=1061.0)  # a new window


def test_share_guessing_backs_off_per_client_and_is_never_permanent(db):
    from trialscout.web import lockout

    token = records.create_share(db, "owner", "NCT1", "right-code")
    t = 1000.0
    for _ in range(lockout.FREE_GUESSES):
        assert not records.check_share(db, token, "bad", now=t, client="a").retry_after_s
    waiting = records.check_share(db, token, "right-code", now=t + 1, client="a")
    assert not waiting.ok and waiting.retry_after_s == 1  # 2 s after the third, 1 s left
    assert records.check_share(db, token, "right-code", now=t + 1, client="b").ok
    assert records.check_share(db, token, "right-code", now=t + 3, client="a").ok  # resets
    for i in range(40):  # a patient guesser, always waiting its turn
        t += lockout.MAX_WAIT_S + 1
        records.check_share(db, token, f"bad-{i}", now=t, client="a")
    assert records.check_share(db, token, "right-code", now=t + 10**5, client="a").ok


def test_coordinator_accounts(db):
    with pytest.raises(ValueError, match="8 characters"):
        records.set_coordinator(db, "ann", "short")
    records.set_coordinator(db, "ann", "long-enough-1")
    assert records.check_coordinator(db, "ann", "long-enough-1", now=0.0)
    assert not records.check_coordinator(db, "ann", "nope", now=0.0)
    assert not records.check_coordinator(db, "nobody", "x", now=0.0)
    stored = db.conn.execute("SELECT password_hash FROM coordinators").fetchone()[0]
    assert stored.startswith("scrypt$") and "long-enough-1" not in stored


@pytest.mark.parametrize(
    ("raw", "words"),
    [("NOT_YET_RECRUITING", "Not yet recruiting"), (None, ""), ("RANDOMIZED", "Randomized")],
)
def test_words(raw, words):
    assert viewmodels.words(raw) == words


def test_phase_label():
    assert viewmodels.phase_label(["PHASE2", "PHASE3"]) == "Phase 2 / Phase 3"
    assert viewmodels.phase_label(["EARLY_PHASE1"]) == "Early phase 1"
    assert viewmodels.phase_label([]) == "Phase not stated"
    assert viewmodels.phase_label(["NA"]) == "Not applicable"


def test_masked_contact_hides_phone_and_email():
    c = Contact(name="Dr Li", role="CONTACT", phone="+86 1", email="li@h.cn")
    assert viewmodels.masked(c) == {
        "name": "Dr Li",
        "role": "Contact",
        "phone": "•••",
        "email": "•••",
    }


def test_highlight_escapes_then_marks():
    out = str(viewmodels.highlight("<b>x</b> [HBV] rises"))
    assert out == "&lt;b&gt;x&lt;/b&gt; <mark>HBV</mark> rises"


def test_raw_criteria_checklist_when_not_parsed():
    raw = "Inclusion Criteria:\n\n  1. Aged 18 to 60\n\nExclusion Criteria:\n\n  * HIV"
    out = viewmodels.criteria_checklist(None, raw)
    assert [c["text"] for c in out["inclusion"]] == ["Aged 18 to 60"]
    assert [c["text"] for c in out["exclusion"]] == ["HIV"]


def test_search_url_roundtrip_and_facets():
    p = SearchParams(q="hepatitis B", status=["RECRUITING"], near="Ningbo", offset=20)
    assert p.query_string() == "q=hepatitis+B&status=RECRUITING&near=Ningbo&offset=20"
    assert p.query_string(offset=0) == "q=hepatitis+B&status=RECRUITING&near=Ningbo"
    links = facet_links(p, {"status": {"RECRUITING": 3, "UNKNOWN": 1}, "has_results": {"yes": 2}})
    assert links["status"][0].active and links["status"][1].url is None
    assert "has_results=true" in links["has_results"][0].url


def test_cli_serve_help_and_coordinator_add(tmp_path):
    from trialscout.cli import cli

    runner = CliRunner()
    help_text = runner.invoke(cli, ["serve", "--help"]).output
    assert "--host" in help_text and "--port" in help_text and "--db" in help_text
    db_path = str(tmp_path / "c.db")
    result = runner.invoke(
        cli, ["coordinator-add", "ann", "--password", "long-enough-1", "--db", db_path]
    )
    assert result.exit_code == 0, result.output
    from trialscout.store.db import Database

    with Database(db_path) as database:
        assert records.check_coordinator(database, "ann", "long-enough-1")
    short = runner.invoke(cli, ["coordinator-add", "bob", "--password", "x", "--db", db_path])
    assert short.exit_code == 1 and "8 characters" in short.output


def test_page_cache_lru_and_expiry(monkeypatch):
    from trialscout.web.cache import PageCache

    cache = PageCache(size=2, ttl_s=10)
    calls = []
    for key in ("a", "b", "a", "c", "b"):
        cache.get_or_compute(key, lambda k=key: calls.append(k) or k.upper())
    assert calls == ["a", "b", "c", "b"]  # "b" was evicted by "c"
    import time as _time

    later = _time.monotonic() + 11
    monkeypatch.setattr("trialscout.web.cache.time.monotonic", lambda: later)
    cache.get_or_compute("c", lambda: calls.append("c2"))
    assert calls[-1] == "c2"


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        ({"type": "age", "min": 18, "max": 75}, "aged 18 to 75"),
        ({"type": "age", "max": 17}, "aged 17 or under"),
        (
            {"type": "lab", "analyte": "platelets", "op": ">=", "value": 50, "unit": "10^9/L"},
            "platelets at least 50 ×10⁹/L",
        ),
        ({"type": "therapy", "name": "sorafenib", "present": False}, "no sorafenib"),
        ({"type": "score", "system": "ecog", "allowed": [0, 1]}, "ECOG performance status 0 or 1"),
    ],
)
def test_rule_labels(rule, label):
    assert viewmodels.rule_label(rule) == label


def test_facet_values_without_a_value_say_not_stated():
    assert viewmodels.facet_label("None", "phase") == "Not stated"
    assert viewmodels.facet_label(None, "status") == "Not stated"
    assert viewmodels.facet_label("korea, republic of", "country") == "Korea, Republic of"
    assert viewmodels.facet_label("PHASE2", "phase") == "Phase 2"
