"""Hostile values and packagings for the fuzz tier (issue 12): shared by the reader and web tests."""

from __future__ import annotations

import copy
import gzip
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

REG = Path(__file__).parent.parent / "data" / "registry"
STUDY = json.loads((REG / "NCT06171568.json").read_text())
XML = (REG / "NCT00490620.xml").read_text()

HOSTILE_TEXT = [
    "[/]",
    "[bold red]x",
    "a\r\nBcc: victim@evil.example",
    "\x00",
    "\u202etxet",
    "9" * 400,
    "²",
    "-5",
    "1e999",
    "inf",
    "NaN",
    "   ",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{7*7}}",
    "a" * 5000,
    " " * 3000 + "x",
    "[" * 2000,
    "é\u0301" * 50,
]
HOSTILE_VALUES: list[Any] = [
    *HOSTILE_TEXT,
    10**23,
    -(10**23),
    -1,
    0,
    1e300,
    1.5,
    True,
    None,
    [],
    {},
    [[[[[["deep"]]]]]],
    {"a": {"b": {"c": None}}},
]

text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=60))
value = st.one_of(st.sampled_from(HOSTILE_VALUES), text, st.integers(), st.floats())


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a JSON tree (dict keys and list indexes)."""
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:3]):
            out += _paths(v, (*prefix, i))
    return out


PATHS = _paths(STUDY)


@st.composite
def mutated_study(draw) -> dict:
    """The real study with one to four values replaced by hostile ones."""
    study = copy.deepcopy(STUDY)
    for path in draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=4)):
        node = study
        try:
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = draw(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced a parent
    return study


@st.composite
def mutated_xml(draw) -> str:
    """The legacy record with a tag's text replaced, or bytes spliced in."""
    tags = ["enrollment", "minimum_age", "maximum_age", "brief_title", "study_type", "phase",
            "overall_status", "start_date", "study_design", "masking", "nct_id"]  # fmt: skip
    xml = XML
    for tag in draw(st.lists(st.sampled_from(tags), min_size=1, max_size=3)):
        start = xml.find(f"<{tag}")
        if start < 0:
            continue
        open_end, close = xml.find(">", start) + 1, xml.find(f"</{tag}>", start)
        if close > open_end:
            replacement = draw(text).replace("<", "&lt;").replace("&", "&amp;")
            xml = xml[:open_end] + replacement + xml[close:]
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(xml)))
        xml = xml[:cut] + draw(st.sampled_from(["<clinical_results>" * 50, "<", "&bad;", ""]))
    return xml


PACKAGINGS = ("single.json", "list.json", "page.json", "lines.jsonl", "bulk.zip", "lines.jsonl.gz")


def package(kind: str, studies: list[dict]) -> bytes:
    """Write studies the way a user would have them."""
    if kind == "single.json":
        return json.dumps(studies[0]).encode()
    if kind == "list.json":
        return json.dumps(studies).encode()
    if kind == "page.json":
        return json.dumps({"studies": studies, "nextPageToken": "x"}).encode()
    lines = "\n".join(json.dumps(s) for s in studies).encode() + b"\n"
    if kind == "lines.jsonl":
        return lines
    if kind == "lines.jsonl.gz":
        return gzip.compress(lines)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner.json", json.dumps(studies))
    return buffer.getvalue()
