"""Issue 12, ingest: hostile registry files are rejected by name, within time and memory bounds,
and never stop the good records around them."""

from __future__ import annotations

import copy
import json
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from trialscout.registry import limits
from trialscout.registry.legacy_xml import parse_xml
from trialscout.registry.sources import read_path

REG = Path(__file__).parent.parent / "data" / "registry"
ENROLL = ("protocolSection", "designModule", "enrollmentInfo", "count")


def _study() -> dict:
    return json.loads((REG / "NCT06171568.json").read_text())


def _set(study: dict, path: tuple[str, ...], value) -> dict:
    study = copy.deepcopy(study)
    node = study
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return study


def _errors(path: Path) -> list:
    return [r.error for r in read_path(path) if r.error is not None]


def _xml(enrollment: str = "120", min_age: str = "18 Years", max_age: str = "75 Years") -> str:
    text = (REG / "NCT00490620.xml").read_text()
    for tag, value in (("minimum_age", min_age), ("maximum_age", max_age)):
        start, end = text.index(f"<{tag}>"), text.index(f"</{tag}>")
        text = text[: start + len(tag) + 2] + value + text[end:]
    start = text.index("<enrollment")
    end = text.index("</enrollment>")
    return text[:start] + f'<enrollment type="Actual">{enrollment}' + text[end:]


@pytest.mark.parametrize(
    "value", ["99999999999999999999999", 10**23, -5, "²", "9" * 5000, 1e300, "12.5"]
)
def test_bad_enrollment_is_one_named_rejection(tmp_path, value):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([_set(_study(), ENROLL, value)]))
    (err,) = _errors(path)
    assert err.field == "protocolSection.designModule.enrollmentInfo.count"
    assert err.record == "NCT06171568" and "bad.json#0" in str(err)


def test_big_json_number_in_jsonl_is_rejected(tmp_path):
    line = json.dumps(_study()).replace('"count": 400', '"count": 99999999999999999999999')
    path = tmp_path / "big.jsonl"
    path.write_text(line + "\n")
    (err,) = _errors(path)
    assert err.field.endswith("enrollmentInfo.count") and "big.jsonl:1" in str(err)


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "9" * 5000, "-3"])
def test_bad_legacy_enrollment_is_named(tmp_path, value):
    path = tmp_path / "NCT00490620.xml"
    path.write_text(_xml(enrollment=value))
    (err,) = _errors(path)
    assert err.field == "enrollment" and err.record == "NCT00490620"


@pytest.mark.parametrize(
    ("low", "high", "words"),
    [
        ("9" * 400 + " Years", "N/A", "unreadable age"),
        ("9" * 30 + " Years", "N/A", "out of range"),
        ("70 Years", "18 Years", "above"),
    ],
)
def test_impossible_ages_are_rejected(tmp_path, low, high, words):
    elig = ("protocolSection", "eligibilityModule")
    study = _set(_set(_study(), (*elig, "minimumAge"), low), (*elig, "maximumAge"), high)
    path = tmp_path / "ages.json"
    path.write_text(json.dumps(study))
    (err,) = _errors(path)
    assert "minimumAge" in err.field and words in err.message
    xml = tmp_path / "NCT00490620.xml"
    xml.write_text(_xml(min_age=low, max_age=high))
    (err,) = _errors(xml)
    assert "minimum_age" in err.field and words in err.message


def test_control_characters_are_normalised(tmp_path):
    ident = ("protocolSection", "identificationModule", "briefTitle")
    study = _set(_study(), ident, "Evil\r\nBcc: x@evil.example\x00 \u202etitle")
    contacts = study["protocolSection"]["contactsLocationsModule"]["centralContacts"]
    contacts[0]["email"] = "a@b.example\r\nBcc: victim@evil.example"
    summary = ("protocolSection", "descriptionModule", "briefSummary")
    study = _set(study, summary, "line one\nline\x00 two\u202e")
    path = tmp_path / "ctl.json"
    path.write_text(json.dumps(study))
    (rec,) = list(read_path(path))
    trial = rec.trial
    assert trial.brief_title == "Evil Bcc: x@evil.example title"
    assert "\r" not in trial.central_contacts[0].email
    assert "\n" not in trial.central_contacts[0].email
    assert trial.brief_summary == "line one\nline two"  # blocks keep their line breaks


def test_corrupt_zip_member_is_named_and_others_load(tmp_path):
    good = json.loads((REG / "ctg-studies_mixed10_2023-06-28.json").read_text())
    path = tmp_path / "bulk.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.json", json.dumps(good[:3]))
        z.writestr("b.json", json.dumps(good[3:6]))
    data = bytearray(path.read_bytes())
    pos = data.index(b"NCT", data.index(b"b.json") + 40)
    data[pos + 3] = ord("X") if data[pos + 3] != ord("X") else ord("Y")  # CRC now wrong
    path.write_bytes(bytes(data))
    records = list(read_path(path))
    errors = [r.error for r in records if r.error]
    assert any("bulk.zip!b.json" in e.source and "bad zip member" in e.message for e in errors)
    assert len([r for r in records if r.trial]) >= 3


def _bounded(func, seconds: float, megabytes: int):
    """Run `func`, asserting its time and its peak Python memory."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = func()
    except ValueError as exc:  # a clear rejection is a result too; time and memory still count
        result = exc
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    elapsed = time.perf_counter() - started
    assert elapsed < seconds, f"took {elapsed:.2f} s"
    assert peak < megabytes << 20, f"peak memory {peak >> 20} MB"
    return result


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("deep_list.json", b"[" * 200_000),
        ("deep_page.json", b'{"studies": [' + b'{"a": ' * 40_000),
        ("deep_lines.jsonl", b"[" * 200_000 + b"\n"),
        ("deep_object.json", b'{"protocolSection": ' * 40_000),
    ],
)
def test_deep_nesting_is_refused_fast_and_small(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    errors = _bounded(lambda: _errors(path), seconds=2, megabytes=50)
    assert errors and "nested more than" in errors[0].message and name in errors[0].source


def test_huge_string_in_a_list_is_refused_without_holding_it(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_BYTES", 1 << 20)
    good = (REG / "NCT06171568.json").read_bytes()
    path = tmp_path / "big.json"
    path.write_bytes(b"[" + good + b', "' + b"x" * (8 << 20) + b'"]')
    records = _bounded(lambda: list(read_path(path)), seconds=5, megabytes=40)
    assert records[0].trial is not None  # the record before it still loads
    err = records[-1].error
    assert "refused" in err.message and "big.json#1" in err.source


def test_a_long_text_value_is_refused_in_linear_time(tmp_path):
    """yajl rescans a string spanning reads from its start: 100 MB took 97 s before the cap."""
    path = tmp_path / "long.json"
    path.write_bytes(b'["' + b"x" * (24 << 20) + b'"]')
    errors = _bounded(lambda: _errors(path), seconds=3, megabytes=40)
    assert "longer than" in errors[0].message and "long.json" in errors[0].source


def test_huge_jsonl_line_is_skipped_and_the_next_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_RECORD_BYTES", 1 << 20)
    good = json.dumps(_study()).encode()
    path = tmp_path / "big.jsonl"
    path.write_bytes(good + b"\n" + b'"' + b"x" * (4 << 20) + b'"\n' + good + b"\n")
    records = _bounded(lambda: list(read_path(path)), seconds=5, megabytes=40)
    assert [bool(r.trial) for r in records] == [True, False, True]
    assert "big.jsonl:2" in records[1].error.source and "longer than" in records[1].error.message


def test_zip_member_inflating_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_WHOLE_BYTES", 1 << 20)
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("NCT00490620.xml", b"<clinical_study>" + b" " * (32 << 20))
    assert path.stat().st_size < 200_000
    errors = _bounded(lambda: _errors(path), seconds=5, megabytes=20)
    assert "bomb.zip!NCT00490620.xml" in errors[0].source and "refused" in errors[0].message


_ID = "<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info>"


@pytest.mark.parametrize(
    "xml",
    [
        "<clinical_study>" + "<clinical_results>" * 16_000 + "</clinical_study>",
        f"{_ID}<study_type>" + "[" * 50_000 + "</study_type></clinical_study>",
        f"{_ID}<study_design>" + "a" * 50_000 + "</study_design></clinical_study>",
        f"{_ID}<study_design_info><masking>a"
        + " " * 3_000
        + "b</masking></study_design_info></clinical_study>",
    ],
)
def test_legacy_xml_regexes_are_linear(xml):
    result = _bounded(lambda: parse_xml(xml), seconds=2, megabytes=50)
    assert result is not None  # a trial or a clear rejection, either way quickly


def test_a_study_mentioning_studies_is_not_taken_for_a_page(tmp_path):
    study = _study()
    study = {"notes": {"studies": ["x"]}, **study}  # "studies" before protocolSection
    path = tmp_path / "one.json"
    path.write_text(json.dumps(study))
    (rec,) = list(read_path(path))
    assert rec.trial is not None and rec.trial.trial_id == "NCT06171568"


@pytest.mark.parametrize("kind", ["empty.jsonl", "empty.zip", "folder", "list.json", "page.json"])
def test_empty_inputs_say_so(tmp_path, kind):
    path = tmp_path / kind
    if kind == "empty.jsonl":
        path.write_text("\n\n")
    elif kind == "empty.zip":
        zipfile.ZipFile(path, "w").close()
    elif kind == "folder":
        path.mkdir()
    elif kind == "list.json":
        path.write_text("[]")
    else:
        path.write_text('{"studies": [], "totalCount": 0}')
    (rec,) = list(read_path(path))
    assert rec.skipped and kind in rec.source


def test_malformed_json_is_reported_on_one_line(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(b"[[[[[[")
    (err,) = _errors(path)
    assert "malformed JSON" in err.message and "\n" not in str(err)
