"""Splitting real registry shapes into criteria items."""

from __future__ import annotations

from pathlib import Path

from trialscout.criteria import split_items

DATA = Path(__file__).parents[1] / "data" / "criteria_gold"


def _texts(text):
    return [(i.kind, i.text) for i in split_items(text)]


def test_markdown_bullets_with_headings():
    text = (
        "Inclusion Criteria:\n\n* Age 18-75\n* ECOG 0-1\n\nExclusion Criteria:\n\n* Prior sorafenib"
    )
    assert _texts(text) == [
        ("inclusion", "Age 18-75"),
        ("inclusion", "ECOG 0-1"),
        ("exclusion", "Prior sorafenib"),
    ]


def test_no_heading_means_inclusion():
    assert _texts("ECOG 0-1\nNo prior sorafenib") == [
        ("inclusion", "ECOG 0-1"),
        ("inclusion", "No prior sorafenib"),
    ]


def test_bulleted_headings_and_double_markers():
    """The ZJCH page writes '- Inclusion Criteria:' and '- • 1. Aged ...'."""
    text = (DATA / "dev" / "ZJCH-HAIC-2024.txt").read_text(encoding="utf-8")
    items = split_items(text)
    assert len(items) == 24
    assert items[0].text == "Aged between 18 and 75 years;"
    assert [i.kind for i in items].count("exclusion") == 15
    assert not any(i.text.startswith(("-", "•", "1.")) for i in items)


def test_nested_sub_items_belong_to_their_parent_heading():
    """Seed 003: 'Laboratory inspection inclusion criteria:' introduces indented sub-items."""
    text = (DATA / "dev" / "NCT04163237.txt").read_text(encoding="utf-8")
    items = split_items(text)
    texts = [i.text for i in items]
    assert "Neutrophils ≥ 1.5 × 109 / L;" in texts
    assert not any(t.endswith("inclusion criteria:") for t in texts)
    neutrophils = next(i for i in items if i.text.startswith("Neutrophils"))
    assert neutrophils.context == "Laboratory inspection inclusion criteria"
    assert [i.kind for i in items].count("exclusion") == 10


def test_hard_wrapped_legacy_paragraphs_are_joined():
    text = (
        "Inclusion Criteria:\n\n"
        "          -  Serum total bilirubin < 2.0 mg/dl and serum creatinine < 2.0 mg/dl within 4 weeks of\n"
        "             registration.\n\n"
        "          -  Age >= 18 years.\n"
    )
    assert _texts(text) == [
        (
            "inclusion",
            "Serum total bilirubin < 2.0 mg/dl and serum creatinine < 2.0 mg/dl within 4 weeks of registration.",
        ),
        ("inclusion", "Age >= 18 years."),
    ]


def test_alternatives_stay_one_criterion():
    text = (
        "Inclusion Criteria:\n\n* Child-Pugh and ECOG complying one of the following:\n\n"
        "  1. Child-Pugh B7 with ECOG 0-1\n  2. Child-Pugh A with ECOG 2\n"
    )
    items = split_items(text)
    assert len(items) == 1
    assert items[0].alternatives == ["Child-Pugh B7 with ECOG 0-1", "Child-Pugh A with ECOG 2"]
    assert "Child-Pugh A with ECOG 2" in items[0].text


def test_pdq_run_on_labels_are_split():
    text = "PATIENT CHARACTERISTICS: Age: 16 and over Performance status: ECOG 0-2 Life expectancy: At least 12 weeks"
    items = split_items(text)
    assert [(i.context, i.text) for i in items] == [
        ("Age", "Age: 16 and over"),
        ("Performance status", "Performance status: ECOG 0-2"),
        ("Life expectancy", "Life expectancy: At least 12 weeks"),
    ]


def test_markdown_escapes_are_removed():
    assert _texts("* HBV DNA \\< 10 IU/mL") == [("inclusion", "HBV DNA < 10 IU/mL")]


def test_empty_and_none():
    assert split_items(None) == []
    assert split_items("   \n\n  ") == []
