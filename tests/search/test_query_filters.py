"""Pure parts: query understanding, FTS escaping, filter validation and SQL (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trialscout.search import InvalidFilter, InvalidQuery, SearchFilters
from trialscout.search.filters import normalize, where_clause
from trialscout.search.query import MAX_QUERY_CHARS, parse_query
from trialscout.search.vocab import parse_groups, vocabulary


@pytest.mark.parametrize(
    ("query", "typed", "added"),
    [
        ("HCC", "hcc", "hepatocellular carcinoma"),
        ("liver cancer", "liver cancer", "hcc"),
        ("TACE", "tace", "transarterial chemoembolization"),
        ("HAIC", "haic", "hepatic arterial infusion chemotherapy"),
        ("RFA", "rfa", "radiofrequency ablation"),
        ("PD-1", "pd 1", "programmed cell death 1"),
        ("pd-l1 antibody", "pd l1", "programmed death ligand 1"),
        ("NAs", "nas", "nucleoside analogue"),
        ("Peg-IFN", "peg ifn", "peginterferon"),
        ("CHB", "chb", "chronic hepatitis b"),
        ("HBV", "hbv", "hepatitis b"),
        ("hepatomas", "hepatomas", "hepatocellular carcinoma"),
    ],
)
def test_synonyms_expand(query, typed, added):
    concept = parse_query(query).concepts[0]
    assert " ".join(concept.typed) == typed
    assert tuple(added.split()) in concept.alternatives


def test_stopwords_and_numbers_dropped_and_patient_cues_read():
    parsed = parse_query("A 45-year-old man with HCC after surgery, 3 cycles")
    assert [" ".join(c.typed) for c in parsed.concepts] == ["hcc", "surgery", "cycles"]
    assert parsed.patient_age == 45 and parsed.patient_sex == "MALE"
    assert parse_query("8 month old girl with fever").patient_age == pytest.approx(0.67)
    assert parse_query("she is a 62 yo with COPD").patient_sex == "FEMALE"


@pytest.mark.parametrize(
    "text",
    ['"unbalanced', "liver* OR hbv*", "NEAR(liver cancer, 3)", "((hcc", "title:hcc", "-hbv ^x"],
)
def test_fts_syntax_is_quoted_away(text):
    fts = parse_query(text).fts("all")
    # every term is a double-quoted phrase: the only operators are ours
    stripped = fts.replace("(", "").replace(")", "").replace(" AND ", " ").replace(" OR ", " ")
    assert all(t.startswith('"') and t.endswith('"') for t in _terms(stripped))


def _terms(expr: str) -> list[str]:
    out, cur, inside = [], "", False
    for ch in expr:
        if ch == '"':
            cur += ch
            if inside:
                out.append(cur)
                cur = ""
            inside = not inside
        elif inside:
            cur += ch
    return out


@pytest.mark.parametrize("text", ["", "   ", "the of and", '"*()', "\x00hcc"])
def test_bad_queries_raise_invalid_query(text):
    with pytest.raises(InvalidQuery):
        parse_query(text)


def test_huge_query_rejected_with_size():
    with pytest.raises(InvalidQuery, match="too long"):
        parse_query("liver " * (MAX_QUERY_CHARS // 5))


def test_vocabulary_validation_names_the_bad_group():
    assert len(vocabulary().groups) > 20
    with pytest.raises(ValueError, match="'x'"):
        parse_groups({"groups": [{"concept": "x", "phrases": ["only one"]}]})
    with pytest.raises(ValueError, match="group 0"):
        parse_groups({"groups": [{"concept": "x", "phrases": ["a", "b"], "extra": 1}]})


def test_filters_normalize_user_spellings():
    f = normalize(
        SearchFilters(status=["Recruiting", "not yet recruiting"], phase=["2", "phase 3", "Phase1"],
                      study_type=["interventional"], sex="F", age="52")
    )  # fmt: skip
    assert f.status == ["RECRUITING", "NOT_YET_RECRUITING"]
    assert f.phase == ["PHASE2", "PHASE3", "PHASE1"]
    assert f.study_type == ["INTERVENTIONAL"] and f.sex == "FEMALE" and f.age == 52.0
    assert normalize(SearchFilters(status=["open"])).status[0] == "RECRUITING"


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (SearchFilters(status=["recruting"]), "unknown status 'recruting'"),
        (SearchFilters(phase=["7"]), "unknown phase"),
        (SearchFilters(study_type=["survey"]), "unknown study type"),
        (SearchFilters(sex="x"), "unknown sex"),
        (SearchFilters(age=200), "out of range"),
        (SearchFilters(age="old"), "must be a number"),
        (SearchFilters(radius_km=10), "needs a place"),
        (SearchFilters(lat=10), "both lat and lon"),
        (SearchFilters(lat=95, lon=0), "out of range"),
        (SearchFilters(near="Ningbo", lat=1, lon=2), "not both"),
    ],
)
def test_bad_filters_raise_invalid_filter(filters, message):
    with pytest.raises(InvalidFilter, match=message):
        normalize(filters)


def test_where_clause_is_parameterized():
    sql, params = where_clause(normalize(SearchFilters(country="USA'; DROP TABLE trials;--")))
    assert "DROP" not in sql and params == ["|usa' drop table trials|"]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_crashes(text):
    try:
        parsed = parse_query(text)
    except InvalidQuery:
        return
    assert parsed.fts("any").count('"') % 2 == 0
