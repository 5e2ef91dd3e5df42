"""Answer-first arrangement of a real match result (demo database, the one matcher)."""

from __future__ import annotations

from trialscout.match import match_one
from trialscout.patient import profile_from_dict
from trialscout.plain.arrange import arrange

from .test_words import RAW


def _arranged(demo_db, profile, answered=None):
    patient = profile_from_dict(profile, "test")
    return arrange(match_one(demo_db, patient, "ZJCH-HAIC-2024").results[0], answered)


def test_deciding_criterion_comes_first_in_words(demo_db):
    got = _arranged(demo_db, {"age": 52, "labs": {"hbv_dna": "5000 copies/mL"}})
    assert got.verdict == "not_eligible"
    assert got.headline.startswith("This trial does not seem to be for you")
    assert len(got.deciding) == 1 and "2000 copies/ml" in got.deciding[0].text
    assert got.deciding[0].sentence.startswith("This trial does not take people with")
    assert not RAW.search(got.deciding[0].reason)


def test_empty_answers_say_how_much_is_unknown(demo_db):
    got = _arranged(demo_db, {}, answered=0)
    assert got.verdict == "possibly_eligible"
    assert "eligible" not in got.headline
    assert f"{got.unknown} of {got.total} criteria are still unknown" in got.headline
    assert got.unknown > 10 and not got.deciding


def test_questions_that_settle_most_come_first(demo_db):
    got = _arranged(demo_db, {}, answered=0)
    settles = [q.settles for q in got.questions]
    assert settles == sorted(settles, reverse=True) and settles[0] >= 2
    assert all(not RAW.search(q.text) for q in got.questions)
    # every unknown criterion is either asked about or left to the study team
    asked = {t for q in got.questions for t in q.criteria}
    assert len(asked) + len(got.team) >= got.unknown - 1
