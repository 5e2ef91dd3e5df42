"""Any text parses without an exception, validates, and survives serialize -> parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trialscout.criteria import parse_criteria, validate_criteria

GOLD = Path(__file__).parents[1] / "data" / "criteria_gold"
FRAGMENTS = [
    "Inclusion Criteria:",
    "Exclusion Criteria:",
    "- ",
    "* ",
    "• ",
    "1. ",
    "   ",
    "\n",
    "\n\n",
    "ECOG 0-1",
    "AST, ALT ≤ 2.5 × ULN",
    "Platelets ≥ 50 × 109 / L",
    "HBV DNA > 2000 copies/ml",
    "Child-Pugh A or B7",
    "BCLC stage A,B,C",
    "No prior sorafenib",
    "within 4 weeks",
    "age 18-75",
    "except",
    "one of the following:",
    "(",
    ")",
    "≥",
    "<",
    "x10⁹/L",
    "K/uL",
    "10*9/L",
    ",",
    ";",
    "Age: 16 and over",
    "Life expectancy: Not specified",
    "\\<",
    "肝细胞癌",
    "ÄÖÜ",
    "\x00",
    "\ufffd",
]
criteria_like = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=40
).map("".join)


def _roundtrip(out: dict) -> None:
    validate_criteria(out)
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(criteria_like)
def test_any_criteria_like_text_parses_and_validates(text):
    _roundtrip(parse_criteria(text, None))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_any_unicode_text_parses_and_validates(text):
    _roundtrip(parse_criteria(text, "NCT00000000"))


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=300))
def test_binary_garbage_decoded_any_way_parses(data):
    _roundtrip(parse_criteria(data.decode("latin-1"), None))


@pytest.mark.parametrize("value", [None, "", "   ", "\n\n", 12345, b"bytes"])
def test_non_text_and_empty_inputs(value):
    out = parse_criteria(value, None)
    validate_criteria(out)
    assert out["criteria"] == [] or isinstance(value, str)


def test_100_kb_of_criteria_is_fast_and_valid():
    text = "\n".join(
        (GOLD / half / name).read_text(encoding="utf-8")
        for half, name in [
            ("dev", "ZJCH-HAIC-2024.txt"),
            ("dev", "NCT04163237.txt"),
            ("test", "NCT00493402.txt"),
        ]
    )
    big = (text + "\n") * (100_000 // len(text) + 1)
    assert len(big) >= 100_000
    out = parse_criteria(big, None)
    validate_criteria(out)
    assert len(out["criteria"]) > 500
    one_line = parse_criteria(big.replace("\n", " "), None)  # one 100 KB run-on item
    validate_criteria(one_line)


def _render(parsed: dict) -> str:
    """Criteria back to registry-style text: headings and one bullet per criterion."""
    lines = []
    for kind in ("inclusion", "exclusion"):
        items = [c for c in parsed["criteria"] if c["kind"] == kind]
        if items:
            lines.append(f"{kind.title()} Criteria:")
            lines += [f"* {c['text']}" for c in items]
    return "\n".join(lines)


@pytest.mark.parametrize("path", sorted(GOLD.glob("*/*.txt")), ids=lambda p: p.stem)
def test_parse_serialize_parse_is_stable(path):
    """Parsing the rendered criteria of a parse gives the same criteria again."""
    first = parse_criteria(path.read_text(encoding="utf-8"), path.stem)
    second = parse_criteria(_render(json.loads(json.dumps(first))), path.stem)
    strip = lambda d: [(c["kind"], c["text"]) for c in d["criteria"]]  # noqa: E731
    assert strip(second) == strip(first)
    same_rules = sum(
        a["rules"] == b["rules"] for a, b in zip(first["criteria"], second["criteria"], strict=True)
    )
    assert same_rules >= 0.9 * len(first["criteria"])


def test_every_bundled_demo_trial_parses_to_a_valid_contract():
    from trialscout.ingest import pipeline
    from trialscout.registry.sources import read_paths

    count = 0
    for rec in read_paths([str(p) for p in pipeline.demo_paths()]):
        if rec.trial is None:
            continue
        out = parse_criteria(rec.trial.eligibility.criteria, rec.trial.nct_id or rec.trial.trial_id)
        validate_criteria(out)
        count += 1
    assert count >= 477
