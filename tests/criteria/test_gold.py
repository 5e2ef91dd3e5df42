"""The hand-annotated gold set is complete, valid, and split into dev and test halves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from trialscout.criteria import validate_criteria

GOLD = Path(__file__).parents[1] / "data" / "criteria_gold"
SEEDS = {"NCT07553767", "NCT07120750", "NCT07328711", "NCT04163237", "ZJCH-HAIC-2024"}
FILES = sorted(GOLD.glob("*/*.json"))


def test_halves_and_size():
    dev = {p.stem for p in (GOLD / "dev").glob("*.json")}
    test = {p.stem for p in (GOLD / "test").glob("*.json")}
    assert not dev & test
    assert dev | test >= SEEDS
    assert len((dev | test) - SEEDS) >= 15


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_gold_file_is_contract_1_with_its_source_text(path):
    doc = json.loads(path.read_text(encoding="utf-8"))
    validate_criteria(doc)
    assert doc["nct_id"] == path.stem
    assert path.with_suffix(".txt").exists()
