"""Find records in files, whatever their packaging, one at a time.

Accepts an API v2 study object, an API v2 page (``{"studies": [...]}``), the site's
``ctg-studies.json`` list, JSONL, legacy ``<clinical_study>`` XML, and any of these inside a
zip, a gzip or a folder. Lists and pages are streamed with ijson so memory stays flat.
"""

from __future__ import annotations

import gzip
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from trialscout.registry.ctgov_v2 import is_v2_study, study_id, trial_from_v2
from trialscout.registry.errors import FieldError, RecordError
from trialscout.registry.legacy_xml import NotRegistryXml, parse_xml, xml_study_id
from trialscout.registry.model import Trial

SUFFIXES = (".json", ".jsonl", ".ndjson", ".xml", ".zip", ".gz")
_NAME_ID_RE = re.compile(r"^(NCT\d{8})")
_SNIFF = 1 << 16


@dataclass(slots=True)
class SourceRecord:
    """One record as read: a trial, or the error that kept it from being one."""

    source: str
    trial: Trial | None = None
    error: RecordError | None = None
    skipped: str | None = None  # a whole file that holds no registry records, and why
    prepared: dict[str, Any] | None = None  # index payloads computed off the main process


# Keys that mark an object as (meant to be) a registry record, even a broken one.
_RECORD_KEYS = {
    "protocolSection",
    "derivedSection",
    "resultsSection",
    "hasResults",
    "xml",
    "FullStudiesResponse",
    "StudyFieldsResponse",
}


def _not_registry(label: str, obj: Any) -> SourceRecord | None:
    """A file whose first object is plainly something else (a FHIR bundle, TREC topics...) is
    skipped as a whole with one line, instead of one rejection per object in it."""
    if isinstance(obj, dict) and not _RECORD_KEYS & obj.keys():
        kind = obj.get("resourceType") or ", ".join(list(obj)[:4])
        return SourceRecord(label, skipped=f"not registry records (first object: {kind})")
    return None


@dataclass(slots=True)
class RawRecord:
    """One record found but not yet converted: JSON bytes or object, or XML bytes.

    Finding records (I/O, streaming) and converting them (CPU) are split so conversion can
    run in worker processes (`registry.parallel`).
    """

    source: str
    kind: str  # "json" (bytes or an already-parsed object) | "xml" (bytes)
    data: Any
    expected_id: str | None = None


Found = RawRecord | SourceRecord


def convert(found: Found) -> SourceRecord:
    if isinstance(found, SourceRecord):
        return found
    if found.kind == "xml":
        return _from_xml(found.source, found.data, found.expected_id)
    obj = found.data
    if isinstance(obj, bytes | bytearray):
        try:
            obj = orjson.loads(obj)
        except orjson.JSONDecodeError as exc:
            return _fail(found.source, None, None, f"malformed JSON: {exc}")
    return _from_object(found.source, obj, found.expected_id)


def read_paths(paths: Iterable[str | Path]) -> Iterator[SourceRecord]:
    for found in find_records(paths):
        yield convert(found)


def read_path(path: Path) -> Iterator[SourceRecord]:
    for found in _find(Path(path)):
        yield convert(found)


def find_records(paths: Iterable[str | Path]) -> Iterator[Found]:
    for path in paths:
        yield from _find(Path(path))


def read_stream(label: str, f: IO[bytes]) -> Iterator[SourceRecord]:
    for found in _find_in_stream(label, f):
        yield convert(found)


def _find(path: Path) -> Iterator[Found]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.name.lower().endswith(SUFFIXES):
                yield from _find(child)
        return
    if not path.exists():
        yield _fail(str(path), None, None, "no such file or folder")
        return
    try:
        with open(path, "rb") as f:
            if zipfile.is_zipfile(path):
                yield from _read_zip(str(path), f)
            else:
                yield from _find_in_stream(str(path), f)
    except OSError as exc:
        yield _fail(str(path), None, None, f"cannot read file: {exc.strerror or exc}")


def _read_zip(label: str, f: IO[bytes]) -> Iterator[Found]:
    try:
        archive = zipfile.ZipFile(f)
    except zipfile.BadZipFile as exc:
        yield _fail(label, None, None, f"bad zip file: {exc}")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(SUFFIXES):
                continue
            with archive.open(info) as member:
                yield from _find_in_stream(f"{label}!{info.filename}", member)


def _find_in_stream(label: str, f: IO[bytes]) -> Iterator[Found]:
    """Dispatch on the name's ending; a gzip is opened and its inner name used."""
    name = label.rsplit("!", 1)[-1].lower()
    if name.endswith(".gz"):
        try:
            yield from _find_in_stream(label[:-3], gzip.GzipFile(fileobj=f))
        except (OSError, EOFError) as exc:
            yield _fail(label, None, None, f"bad gzip data: {exc}")
        return
    if name.endswith(".zip"):
        yield from _read_zip(label, io.BytesIO(f.read()))
        return
    if name.endswith(".xml"):
        yield RawRecord(label, "xml", f.read(), _name_id(label))
        return
    if name.endswith((".jsonl", ".ndjson")):
        yield from _read_jsonl(label, f)
        return
    yield from _read_json(label, f)


def _name_id(label: str) -> str | None:
    m = _NAME_ID_RE.match(Path(label.rsplit("!", 1)[-1]).name)
    return m.group(1) if m else None


def _read_jsonl(label: str, f: IO[bytes]) -> Iterator[Found]:
    first = True
    for lineno, line in enumerate(f, start=1):
        if not line.strip():
            continue
        source = f"{label}:{lineno}"
        if not first:
            yield RawRecord(source, "json", line)
            continue
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield _fail(source, None, None, f"malformed JSON: {exc}")
            continue
        if skip := _not_registry(label, obj):
            yield skip
            return
        first = False
        yield RawRecord(source, "json", obj)


def _read_json(label: str, f: IO[bytes]) -> Iterator[Found]:
    head = f.read(_SNIFF)
    stream = _Prefixed(head, f)
    first = head.lstrip()[:1]
    try:
        if first == b"[":
            yield from _items(label, ijson.items(stream, "item", use_float=True))
        elif first == b"{" and _looks_like_page(head):
            yield from _items(label, ijson.items(stream, "studies.item", use_float=True))
        elif first == b"{":
            obj = orjson.loads(head + f.read())
            yield _not_registry(label, obj) or RawRecord(label, "json", obj, _name_id(label))
        else:
            yield _fail(label, None, None, "not JSON: expected a study object, a page or a list")
    except (ijson.JSONError, orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        yield _fail(label, None, None, f"malformed JSON: {str(exc)[:200]}")


def _looks_like_page(head: bytes) -> bool:
    """A page has "studies" before any study's "protocolSection"."""
    studies, proto = head.find(b'"studies"'), head.find(b'"protocolSection"')
    return studies >= 0 and (proto < 0 or studies < proto)


def _items(label: str, items: Iterator[Any]) -> Iterator[Found]:
    for index, obj in enumerate(items):
        if index == 0 and (skip := _not_registry(label, obj)):
            yield skip
            return
        yield RawRecord(f"{label}#{index}", "json", obj)


def _from_object(source: str, obj: Any, expected_id: str | None) -> SourceRecord:
    if isinstance(obj, dict) and isinstance(obj.get("xml"), str):  # packed AllPublicXML line
        return _from_xml(source, obj["xml"].encode(), obj.get("nct_id"))
    if isinstance(obj, dict) and ("FullStudiesResponse" in obj or "StudyFieldsResponse" in obj):
        return _fail(source, None, None, "retired classic-API format; use API v2 JSON")
    if not is_v2_study(obj):
        what = "object without protocolSection" if isinstance(obj, dict) else type(obj).__name__
        return _fail(source, None, "protocolSection", f"not an API v2 study ({what})")
    rid = study_id(obj)
    try:
        trial = trial_from_v2(obj)
    except FieldError as exc:
        return _fail(source, rid, exc.field, exc.message)
    return _checked(source, trial, expected_id, "protocolSection.identificationModule.nctId")


def _from_xml(source: str, data: bytes, expected_id: str | None) -> SourceRecord:
    try:
        trial = parse_xml(data)
    except NotRegistryXml as exc:
        return SourceRecord(source, skipped=str(exc))
    except FieldError as exc:
        return _fail(source, xml_study_id(data), exc.field, exc.message)
    return _checked(source, trial, expected_id, "id_info/nct_id")


def _checked(source: str, trial: Trial, expected: str | None, field: str) -> SourceRecord:
    if expected and expected != trial.trial_id:
        return _fail(
            source,
            trial.trial_id,
            field,
            f"file name says {expected} but the record inside is {trial.trial_id}; not loaded",
        )
    return SourceRecord(source, trial=trial)


def _fail(source: str, record: str | None, field: str | None, message: str) -> SourceRecord:
    return SourceRecord(source, error=RecordError(source, record, field, message))


class _Prefixed(io.RawIOBase):
    """A stream that replays already-sniffed bytes before the rest of the file."""

    def __init__(self, prefix: bytes, rest: IO[bytes]) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if self._prefix:
            if size < 0 or size >= len(self._prefix):
                out, self._prefix = self._prefix, b""
                return out + (self._rest.read(size - len(out)) if size >= 0 else self._rest.read())
            out, self._prefix = self._prefix[:size], self._prefix[size:]
            return out
        return self._rest.read(size)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)
