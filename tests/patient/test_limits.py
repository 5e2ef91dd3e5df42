"""Hostile patient files (issue 12): each gets one PatientError naming the file, quickly."""

from __future__ import annotations

import gzip
import json
import time

import pytest

from trialscout.patient import PatientError, load_patient

BOMB = (
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
    )
    + "conditions: [*i]\n"
)


def cases() -> list[tuple[str, bytes]]:
    deep_json = b"[" * 100_000 + b"]" * 100_000
    nested = {"conditions": []}
    inner = nested["conditions"]
    for _ in range(200):
        inner.append([])
        inner = inner[0]
    fhir_deep = {"resourceType": "Bundle", "entry": [{"resource": {"extension": []}}]}
    cur = fhir_deep["entry"][0]["resource"]["extension"]
    for _ in range(300):
        cur.append({"extension": []})
        cur = cur[0]["extension"]
    return [
        ("bomb.yaml", BOMB.encode()),
        ("deep.json", deep_json),
        ("deep.yaml", b"a: " + b"[" * 50_000),
        ("nested.json", json.dumps(nested).encode()),
        ("fhirdeep.json", json.dumps(fhir_deep).encode()),
        ("codes.json", b'{"conditions":[{"name":"hcc","codes":5}]}'),
        ("codes.yaml", b"conditions: [{name: hcc, codes: {a: 1}}]"),
        ("big.txt", b"no " * 70_000),
        ("big.yaml", b"# " + b"x" * 1_100_000),
        ("latin1.txt", "fièvre".encode("latin-1")),
        ("bad.json.gz", b"\x1f\x8b\x08\x00garbage"),
        ("bomb.json.gz", gzip.compress(b" " * 70_000_000)),
        ("bad.yaml", b"age: [unclosed"),
        ("hugeint.json", b'{"age": ' + b"9" * 5000 + b"}"),
        ("hugeint.yaml", b"age: " + b"9" * 5000),
        ("scalar.yaml", b"just text"),
        ("empty.txt", b"  \n"),
        ("spaces.json", json.dumps({"resourceType": "Bundle", "entry": "x" + " " * 5000}).encode()),
    ]


@pytest.mark.parametrize(("name", "content"), cases(), ids=[c[0] for c in cases()])
def test_one_clear_line_naming_the_file_within_a_second(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    start = time.perf_counter()
    with pytest.raises(PatientError) as err:
        load_patient(path)
    elapsed = time.perf_counter() - start
    message = str(err.value)
    assert message.startswith(str(path)) and "\n" not in message
    assert elapsed < 1.0, f"{name}: {elapsed:.2f}s"


def test_alias_bomb_says_why(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB)
    with pytest.raises(PatientError, match="aliases are not allowed"):
        load_patient(path)


def test_missing_and_unknown_files(tmp_path):
    with pytest.raises(PatientError, match="no such patient file"):
        load_patient(tmp_path / "missing.yaml")
    (tmp_path / "p.csv").write_text("x")
    with pytest.raises(PatientError, match="unknown patient file type"):
        load_patient(tmp_path / "p.csv")
