"""Trials prepared once (plan.py) and patients remembered by their view judge exactly as the
unprepared path: same verdicts, reasons and bases, whatever the order trials are judged in."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from trialscout.match.engine import match_trial
from trialscout.match.logic import Fixed, evaluate, fold, tree_of
from trialscout.match.plan import plan_criterion, plan_trial
from trialscout.match.results import RuleOutcome
from trialscout.match.view import PatientView
from trialscout.patient import profile_from_dict
from trialscout.store.db import Database
from trialscout.store.trials import TrialStore

TODAY = date(2026, 6, 1)
N = 6  # rule indexes in the generated trees
FIXED = {1, 3, 4}  # the leaves no patient changes (`other` rules)

trees = st.recursive(
    st.integers(0, N - 1),
    lambda kids: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(kids, max_size=4)),
        st.builds(lambda xs: {"any": xs}, st.lists(kids, max_size=4)),
        st.builds(lambda x: {"not": x}, kids),
    ),
    max_leaves=10,
)
answers = st.lists(st.sampled_from([True, False, None, "na"]), min_size=N, max_size=N)


def _leaf(values: list):
    def leaf(i: int, _negated: bool) -> RuleOutcome:
        v = None if i in FIXED else values[i]
        return RuleOutcome(None if v == "na" else v, f"rule {i}", applicable=v != "na")

    return leaf


@settings(max_examples=300, deadline=None)
@given(trees, answers)
def test_folding_fixed_subtrees_keeps_every_outcome(tree, values):
    leaf = _leaf(values)
    folded = fold(tree, FIXED, leaf)
    want, got = evaluate(tree, leaf), evaluate(folded, leaf)
    assert got.value == want.value
    assert [d.reason for d in got.deciding] == [d.reason for d in want.deciding]


def test_a_criterion_of_uncomputable_rules_is_evaluated_once():
    crit = {
        "kind": "exclusion",
        "text": "Any condition that in the investigator's opinion makes the patient unsuitable",
        "rules": [{"type": "other", "text": "investigator's opinion"}, {"type": "other"}],
        "logic": "any",
    }
    plan = plan_criterion(crit)
    assert isinstance(plan.tree, Fixed)
    assert evaluate(plan.tree, _leaf([None] * N)).value is None
    assert tree_of(crit) == {"any": [0, 1]}  # the criterion itself is left as it was


PROFILES = (
    {"age": 52, "sex": "male", "conditions": ["hepatocellular carcinoma", "chronic hepatitis B"],
     "absent_conditions": ["hiv infection"], "labs": {"platelets": "150 10^9/L", "Hb": "9 g/dL"},
     "therapies": [{"name": "tenofovir"}, {"name": "sorafenib", "date": "2026-04-01"}]},
    {"age": 36, "sex": "female", "pregnant": False, "complete_history": True,
     "conditions": ["breast cancer", {"name": "hepatitis c", "status": "resolved"}]},
)  # fmt: skip


def _rows(results) -> list:
    return [
        (m.trial_id, str(m.verdict), m.score, [(c.text, c.verdict, c.reason, c.basis,
         tuple(c.missing)) for c in m.criteria]) for m in results
    ]  # fmt: skip


def test_one_view_and_shared_plans_judge_like_fresh_ones(demo_db_path):
    """A view reused across every demo trial (what screening does) gives the results of a
    fresh view and a fresh preparation per trial (what `match --trial` does)."""
    from trialscout.match.criteria_source import criteria_many

    with Database(demo_db_path) as db:
        ids = [r[0] for r in db.conn.execute("SELECT trial_id FROM trials ORDER BY trial_id")]
        trials = TrialStore(db).get_many(ids[::4])
        parsed = criteria_many(db, list(trials.values()))
    plans = {tid: plan_trial(t, parsed[tid]) for tid, t in trials.items()}
    for data in PROFILES:
        patient = profile_from_dict(data, "test")
        shared = PatientView(patient, TODAY)
        reused = [match_trial(None, t, shared, plan=plans[tid]) for tid, t in trials.items()]
        fresh = [
            match_trial(None, t, PatientView(profile_from_dict(data, "test"), TODAY),
                        parsed=parsed[tid])
            for tid, t in reversed(list(trials.items()))
        ]  # fmt: skip
        assert _rows(reused) == _rows(fresh[::-1])


def test_a_sex_beside_a_lab_threshold_keeps_the_registry_sex_limit():
    """'Hb >= 11 g/dL for women' in a women-only trial: the registry's FEMALE still applies."""
    from trialscout.criteria import parse_criteria
    from trialscout.match.plan import registry_criteria
    from trialscout.registry.model import Eligibility, Trial

    trial = Trial(trial_id="T1", eligibility=Eligibility(sex="FEMALE"))
    parsed = parse_criteria("Inclusion Criteria:\n- Hemoglobin >= 11 g/dL for women")
    assert any(r["type"] == "sex" for c in parsed["criteria"] for r in c["rules"])
    limits = registry_criteria(trial, parsed)
    assert [r["rules"][0] for r in limits] == [{"type": "sex", "allowed": ["female"]}]
