"""Read a FHIR Bulk Data export (NDJSON per resource type, maybe gzipped) or a folder of bundles.

Pure functions run inside Dask tasks: one task reads one file and yields records keyed by the
patient they belong to; the engine joins them across files. A line that is not a JSON resource
becomes an `Issue` naming the file and line (never its content) and the run goes on.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from trialscout.patient.fhir import USED

NDJSON = (".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
BUNDLES = (".json", ".json.gz")
MAX_LINE_BYTES = 8_000_000  # one resource; a longer line is reported, not read
MAX_BUNDLE_BYTES = 200_000_000


class ExportError(ValueError):
    """The export folder itself is unusable (missing, empty); names the path only."""


@dataclass(frozen=True, slots=True)
class Record:
    """One resource of one patient, with where it came from (for error messages).

    The resource travels through the join as canonical JSON bytes (sorted keys, narrative
    `text` dropped: the reader never uses it), several times smaller than the parsed dict."""

    patient: str
    kind: str  # resourceType
    file: str
    line: int
    raw: bytes

    @property
    def resource(self) -> dict[str, Any]:
        return orjson.loads(self.raw)


def compact(resource: dict[str, Any]) -> bytes:
    """Canonical bytes of a resource without its human-readable narrative."""
    return orjson.dumps(
        {k: v for k, v in resource.items() if k != "text"}, option=orjson.OPT_SORT_KEYS
    )


@dataclass(frozen=True, slots=True)
class Packed:
    """One patient's records from one file, packed for the engine's join: their canonical JSON,
    one per line, zlib-compressed together. A patient's resources of one type share most of
    their keys, so they compress about 7x together (under 2x one by one); the join then moves
    and holds a few objects per patient instead of one per resource."""

    patient: str
    file: str
    kinds: tuple[str, ...]
    lines: tuple[int, ...]
    blob: bytes

    def records(self) -> list[Record]:
        raws = zlib.decompress(self.blob).split(b"\n")  # canonical JSON has no raw newline
        return [
            Record(self.patient, kind, self.file, line, raw)
            for kind, line, raw in zip(self.kinds, self.lines, raws, strict=True)
        ]


@dataclass(frozen=True, slots=True)
class Issue:
    """A line or resource that could not be used: file, line and what was wrong (no content)."""

    file: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.problem}"


def input_files(folder: str | Path) -> list[Path]:
    """The NDJSON and bundle files of an export folder (sorted, so runs are reproducible)."""
    root = Path(folder)
    if not root.is_dir():
        raise ExportError(f"{root}: not a folder")
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith(NDJSON + BUNDLES)
    )
    if not files:
        raise ExportError(f"{root}: no .ndjson(.gz) or bundle .json(.gz) files")
    return files


def patient_count(files: list[Path]) -> int | None:
    """About how many patients the export holds, to size the engine's tasks: lines of the
    Patient NDJSON files (named by type, as Bulk Data servers write them) plus one per bundle
    file; None when there are no such files. An estimate: it never changes a verdict."""
    total = 0
    for path in files:
        name = path.name.lower()
        if name.endswith(BUNDLES) and not name.endswith(NDJSON):
            total += 1
        elif "patient" in re.split(r"[._-]", name):
            total += _count_lines(path)
    return total or None


def _open(path: Path):
    """A plain or gzipped export file, for reading bytes."""
    return (gzip.open if path.name.lower().endswith(".gz") else open)(path, "rb")


def _count_lines(path: Path) -> int:
    lines, last = 0, b"\n"
    try:
        with _open(path) as fh:
            while chunk := fh.read(1 << 20):
                lines += chunk.count(b"\n")
                last = chunk[-1:]
    except (OSError, EOFError, gzip.BadGzipFile):
        return 0  # the reader reports the file; the estimate just leaves it out
    return lines + (last != b"\n")


def patient_key(resource: dict[str, Any]) -> str | None:
    """The patient id a resource belongs to: its own id for Patient, else subject/patient."""
    if resource.get("resourceType") == "Patient":
        rid = resource.get("id")
        return str(rid) if rid else None
    for field in ("subject", "patient"):
        ref = resource.get(field)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            # "Patient/123", "urn:uuid:123", or a full URL: the id is the last segment
            return ref["reference"].rsplit("/", 1)[-1].rsplit(":", 1)[-1] or None
    return None


def _lines(path: Path) -> Iterator[tuple[int, bytes]]:
    with _open(path) as fh:
        yield from enumerate(fh, 1)


def read_file(path: str | Path) -> list[Record | Issue]:
    """Every usable resource of one file as a `Record`, every bad line as an `Issue`."""
    path = Path(path)
    name = path.name.lower()
    try:
        if name.endswith(NDJSON):
            return list(_read_ndjson(path))
        return list(_read_bundle(path))
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        return [Issue(str(path), 0, f"unreadable file ({type(exc).__name__})")]


def read_packed(path: str | Path) -> list[Packed | Issue]:
    """`read_file`'s records grouped by patient and packed (what the engine's join moves),
    and its issues."""
    per: dict[str, list[Record]] = {}
    out: list[Packed | Issue] = []
    for item in read_file(path):
        if isinstance(item, Issue):
            out.append(item)
        else:
            per.setdefault(item.patient, []).append(item)
    for patient, recs in per.items():
        out.append(
            Packed(
                patient,
                recs[0].file,
                tuple(sys.intern(r.kind) for r in recs),
                tuple(r.line for r in recs),
                zlib.compress(b"\n".join(r.raw for r in recs), 1),
            )
        )
    return out


def unpacked(items: list[Packed | Record]) -> list[Record]:
    """A patient's records from what the join gathered (packed chunks, or plain records)."""
    out: list[Record] = []
    for item in items:
        out.extend(item.records() if isinstance(item, Packed) else (item,))
    return out


def _read_ndjson(path: Path) -> Iterator[Record | Issue]:
    for n, raw in _lines(path):
        if not raw.strip():
            continue
        if len(raw) > MAX_LINE_BYTES:
            yield Issue(str(path), n, f"line longer than {MAX_LINE_BYTES} bytes")
            continue
        item = _record(raw, str(path), n)
        if item is not None:
            yield item


def _record(raw: bytes, file: str, line: int) -> Record | Issue | None:
    try:
        res = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return Issue(file, line, "not valid JSON")
    if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
        return Issue(file, line, "not a FHIR resource (no resourceType)")
    return _keyed(res, file, line)


def _keyed(res: dict[str, Any], file: str, line: int) -> Record | Issue | None:
    """The resource as a `Record` of its patient; None for types the reader does not use."""
    kind = res["resourceType"]
    if kind not in USED:
        return None
    key = patient_key(res)
    if key is None:
        return Issue(file, line, f"{kind} without a patient reference")
    return Record(key, kind, file, line, compact(res))


def _read_bundle(path: Path) -> Iterator[Record | Issue]:
    if path.stat().st_size > MAX_BUNDLE_BYTES:
        yield Issue(str(path), 0, f"bundle larger than {MAX_BUNDLE_BYTES // 1_000_000} MB")
        return
    with _open(path) as fh:
        raw = fh.read(MAX_BUNDLE_BYTES + 1)
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError:
        yield Issue(str(path), 0, "not valid JSON")
        return
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        yield Issue(str(path), 0, "not a FHIR Bundle")
        return
    entries = data.get("entry") if isinstance(data.get("entry"), list) else []
    for i, entry in enumerate(entries):
        res = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(res, dict) or not isinstance(res.get("resourceType"), str):
            yield Issue(str(path), i, "entry without a resource")
        elif (item := _keyed(res, f"{path} entry", i)) is not None:
            yield item  # Synthea bundles reference the patient by its fullUrl (urn:uuid:...)


def is_issue(item: Record | Issue) -> bool:
    return isinstance(item, Issue)


def is_packed(item: Packed | Issue) -> bool:
    return isinstance(item, Packed)


def patient_of(item: Packed) -> str:
    return item.patient


def resources_hash(records: list[Record]) -> str:
    """Changes exactly when the patient's resources change (order across files ignored)."""
    h = hashlib.sha256()
    for blob in sorted(r.raw for r in records):
        h.update(hashlib.sha256(blob).digest())
    return h.hexdigest()
