"""Every packaging a user will have reads into the same trials; bad input names file/record/field."""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from trialscout.registry.sources import read_path

REG = Path(__file__).parent.parent / "data" / "registry"


def _records(path: Path):
    return list(read_path(path))


def _study(name: str = "NCT06171568.json") -> dict:
    return json.loads((REG / name).read_text())


def test_single_v2_study_reads_every_section():
    (rec,) = _records(REG / "NCT06171568.json")
    t = rec.trial
    assert rec.error is None and t.trial_id == "NCT06171568"
    assert t.org_study_id == "APHP230528"
    assert t.secondary_ids[0].id == "2023-A00386-39"
    assert t.overall_status == "NOT_YET_RECRUITING"
    assert (
        t.study_type == "OBSERVATIONAL" and t.enrollment == 400 and t.enrollment_type == "ESTIMATED"
    )
    assert t.start_date == "2024-02-01" and t.first_posted == "2023-12-14"
    assert t.sponsor.name.startswith("Assistance Publique") and len(t.collaborators) == 2
    assert t.conditions == ["Brain Injuries"] and "Prognosis" in t.keywords
    assert t.design.observational_model == "COHORT" and t.design.time_perspective == "PROSPECTIVE"
    assert {o.kind for o in t.outcomes} == {"primary", "secondary"}
    assert t.eligibility.min_age_years == 18 and t.eligibility.sex == "ALL"
    assert t.eligibility.healthy_volunteers is False
    assert t.locations and t.locations[0].city == "Paris"
    assert t.central_contacts[0].email
    assert t.has_results is False


def test_results_and_derived_terms():
    (rec,) = _records(REG / "NCT00763412.json")
    assert rec.trial.has_results
    assert rec.trial.condition_terms  # registry-derived MeSH terms


def test_list_page_jsonl_zip_and_gzip_give_the_same_trials(tmp_path):
    studies = json.loads((REG / "ctg-studies_mixed10_2023-06-28.json").read_text())
    expected = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]

    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": studies, "nextPageToken": "abc"}))
    jsonl = tmp_path / "studies.jsonl"
    jsonl.write_text("\n".join(json.dumps(s) for s in studies) + "\n")
    gz = tmp_path / "studies.jsonl.gz"
    gz.write_bytes(gzip.compress(jsonl.read_bytes()))
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ctg-studies.json", json.dumps(studies))
        z.write(REG / "NCT00490620.xml", "legacy/NCT00490620.xml")

    base = [r.trial for r in _records(REG / "ctg-studies_mixed10_2023-06-28.json")]
    assert [t.trial_id for t in base] == expected
    for path in (page, jsonl, gz):
        trials = [r.trial for r in _records(path)]
        assert [t.content_hash() for t in trials] == [t.content_hash() for t in base], path.name
    zipped = _records(archive)
    assert [r.trial.trial_id for r in zipped] == [*expected, "NCT00490620"]
    assert zipped[-1].source.endswith("bulk.zip!legacy/NCT00490620.xml")


def test_legacy_xml_maps_onto_v2_spellings():
    (rec,) = _records(REG / "NCT00490620.xml")
    t = rec.trial
    assert t.overall_status == "COMPLETED"
    assert t.phases == ["PHASE2", "PHASE3"]
    assert t.study_type == "INTERVENTIONAL"
    assert t.start_date == "2004-01"
    assert t.eligibility.min_age_years == 18 and t.eligibility.max_age_years == 75
    assert t.sponsor.name == "University of Alberta" and len(t.collaborators) == 2
    assert t.design.allocation == "RANDOMIZED"
    assert t.eligibility.criteria and "\r" not in t.eligibility.criteria
    assert len(t.locations) == 5 and all(loc.country for loc in t.locations)


def test_packed_xml_lines_are_read(tmp_path):
    line = {"nct_id": "NCT00490620", "xml": (REG / "NCT00490620.xml").read_text()}
    path = tmp_path / "packed.jsonl"
    path.write_text(json.dumps(line) + "\n")
    (rec,) = _records(path)
    assert rec.trial.trial_id == "NCT00490620" and rec.source.endswith("packed.jsonl:1")


def test_file_name_disagreeing_with_record_is_rejected_with_both_ids():
    for name in ("NCT02278341.json", "NCT00980226-id-mismatch.xml"):
        (rec,) = _records(REG / name)
        assert rec.trial is None
        message = str(rec.error)
        assert name in message and "file name says" in message
        assert rec.error.record in {"NCT02552212", "NCT00081588"}


def _bad(tmp_path, study, name="bad.jsonl"):
    path = tmp_path / name
    path.write_text(json.dumps(study) + "\n")
    return _records(path)[0].error


def test_missing_nct_id_names_the_field(tmp_path):
    study = _study()
    del study["protocolSection"]["identificationModule"]["nctId"]
    err = _bad(tmp_path, study)
    assert err.field == "protocolSection.identificationModule.nctId"
    assert "missing" in err.message and "bad.jsonl:1" in str(err)


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        (
            ("designModule", "enrollmentInfo", "count"),
            "many",
            "enrollmentInfo.count",
            "whole number",
        ),
        (("statusModule", "startDateStruct", "date"), "31/02/2024", "startDateStruct.date", "date"),
        (
            ("statusModule", "startDateStruct", "date"),
            "2024-02-30",
            "startDateStruct.date",
            "impossible",
        ),
        (("conditionsModule", "conditions"), "HCC", "conditionsModule.conditions", "list"),
        (("eligibilityModule", "minimumAge"), "eighteen", "minimumAge", "age"),
        (("identificationModule", "briefTitle"), 42, "briefTitle", "text"),
    ],
)
def test_wrong_types_and_strange_dates_name_record_and_field(tmp_path, path, value, field, words):
    study = _study()
    node = study["protocolSection"]
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    err = _bad(tmp_path, study)
    assert err.record == "NCT06171568"
    assert err.field.endswith(field)
    assert words in err.message


def test_malformed_files_are_reported_not_raised(tmp_path):
    (tmp_path / "a.json").write_text('[{"protocolSection": ')
    (tmp_path / "b.xml").write_text("<clinical_study><id_info>")
    (tmp_path / "c.json").write_text("hello")
    (tmp_path / "d.jsonl").write_bytes(b'{"protocolSection": []}\n\xff\xfe\n')
    (tmp_path / "e.json.gz").write_bytes(b"not gzip at all")
    (tmp_path / "f.zip").write_bytes(b"PK\x03\x04 broken")
    errors = [r.error for r in read_path(tmp_path)]
    assert all(e is not None for e in errors)
    names = {Path(e.source.split(":")[0].split("#")[0]).name for e in errors}
    assert names == {"a.json", "b.xml", "c.json", "d.jsonl", "e.json.gz", "f.zip"}
    messages = " | ".join(str(e) for e in errors)
    for words in ("malformed JSON", "malformed XML", "not JSON", "bad gzip", "bad zip"):
        assert words in messages
    (missing,) = read_path(tmp_path / "missing.json")
    assert "no such file" in missing.error.message


def test_classic_api_format_gets_a_clear_message(tmp_path):
    path = tmp_path / "classic.json"
    path.write_text(json.dumps({"FullStudiesResponse": {"FullStudies": []}}))
    (rec,) = _records(path)
    assert "classic" in rec.error.message


def test_good_records_survive_bad_neighbours_in_one_list(tmp_path):
    good = _study()
    bad = _study()
    bad["protocolSection"]["identificationModule"]["nctId"] = "NOT-AN-ID"
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([bad, good, 7]))
    recs = _records(path)
    assert [r.trial.trial_id if r.trial else None for r in recs] == [None, "NCT06171568", None]
    assert recs[0].error.field.endswith("nctId") and "mixed.json#0" in recs[0].error.source
    assert "not an API v2 study" in recs[2].error.message


def test_large_lists_stream(tmp_path):
    """A 2,000-study list is read lazily: the first record arrives before the file is parsed."""
    study = _study()
    path = tmp_path / "big.json"
    with path.open("w") as f:
        f.write("[")
        for i in range(2000):
            study["protocolSection"]["identificationModule"]["nctId"] = f"NCT{i:08d}"
            f.write(("," if i else "") + json.dumps(study))
        f.write("]")
    stream = read_path(path)
    first = next(stream)
    assert first.trial.trial_id == "NCT00000000"
    assert sum(1 for _ in stream) == 1999


def test_non_nct_ids_need_an_explicit_registry_id(tmp_path):
    study = _study()
    del study["protocolSection"]["identificationModule"]["nctId"]
    study["trialscout"] = {"id": "ZJCH-HAIC-2024", "source_note": "rebuilt"}
    path = tmp_path / "x.json"
    path.write_text(json.dumps(study))
    (rec,) = _records(path)
    assert rec.trial.trial_id == "ZJCH-HAIC-2024" and rec.trial.nct_id is None


def test_round_trip_through_dict_keeps_the_hash():
    for rec in _records(REG):
        if rec.trial:
            again = type(rec.trial).from_dict(rec.trial.to_dict())
            assert again == rec.trial and again.content_hash() == rec.trial.content_hash()


def test_stdin_like_streams(tmp_path):
    from trialscout.registry.sources import read_stream

    data = json.dumps(_study()).encode()
    (rec,) = list(read_stream("upload.json", io.BytesIO(data)))
    assert rec.trial.trial_id == "NCT06171568"


def test_files_that_hold_no_registry_records_are_skipped_whole(tmp_path):
    (tmp_path / "bundle.json").write_text(json.dumps({"resourceType": "Bundle", "entry": []}))
    (tmp_path / "topics.jsonl").write_text(
        '{"_id": "t1", "text": "a"}\n{"_id": "t2", "text": "b"}\n'
    )
    (tmp_path / "topics.xml").write_text("<topics><topic number='1'>x</topic></topics>")
    records = list(read_path(tmp_path))
    assert len(records) == 3 and all(r.skipped and not r.error for r in records)
    assert any("Bundle" in r.skipped for r in records)


def test_legacy_na_phase_is_one_value(tmp_path):
    xml = (
        (REG / "NCT00490620.xml")
        .read_text()
        .replace("<phase>Phase 2/Phase 3</phase>", "<phase>N/A</phase>")
    )
    assert "<phase>N/A</phase>" in xml
    path = tmp_path / "NCT00490620.xml"
    path.write_text(xml)
    (rec,) = _records(path)
    assert rec.trial.phases == ["NA"]


def test_bulk_zip_is_read_without_loading_its_whole_table_of_contents(tmp_path):
    """Issue 13: the registry's bulk zip has ~500,000 members; zipfile.ZipFile built a ZipInfo
    for each at open (~350 MB and over a minute at 500k). Members are now listed as read."""
    import tracemalloc

    archive = tmp_path / "bulk.zip"
    study = (REG / "NCT06171568.json").read_bytes()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("first/NCT06171568.json", study)
        for i in range(40_000):  # members that are not records: skipped, but listed
            z.writestr(f"padding/member_{i:06d}.txt", b"")
    tracemalloc.start()
    try:
        first = next(iter(read_path(archive)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.trial.trial_id == "NCT06171568"
    assert peak < 4 * 2**20  # the whole table of contents: ~20 MB


def test_members_of_a_streamed_zip_match_the_standard_library(tmp_path):
    from trialscout.registry.zipstream import StreamingZip

    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a/NCT06171568.json", (REG / "NCT06171568.json").read_bytes())
        z.writestr("b/ünïcode name.json", b"{}")
        z.writestr("c/empty.json", b"")
        z.comment = b"archive comment"
    with zipfile.ZipFile(archive) as plain, StreamingZip(archive) as streamed:
        got = list(streamed.members())
        assert [i.filename for i in got] == plain.namelist()
        for mine, theirs in zip(got, plain.infolist(), strict=True):
            assert (mine.header_offset, mine.CRC, mine.file_size) == (
                theirs.header_offset,
                theirs.CRC,
                theirs.file_size,
            )
            assert streamed.read(mine) == plain.read(theirs)
