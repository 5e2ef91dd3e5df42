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
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson
import orjson

from trialscout.registry import limits
from trialscout.registry.ctgov_v2 import is_v2_study, study_id, trial_from_v2
from trialscout.registry.errors import FieldError, RecordError
from trialscout.registry.legacy_xml import NotRegistryXml, parse_xml, xml_study_id
from trialscout.registry.limits import (
    GuardedStream,
    LimitExceeded,
    check_json,
    read_whole,
)
from trialscout.registry.model import Trial
from trialscout.registry.sanitize import sanitize
from trialscout.registry.zipstream import StreamingZip

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
    """One found record -> a trial or a named error. Nothing raised escapes the record."""
    if isinstance(found, SourceRecord):
        return found
    try:
        return _convert(found)
    except Exception as exc:  # noqa: BLE001 - one record's failure never stops the others
        return _fail(found.source, None, None, f"could not read: {type(exc).__name__}")


def _convert(found: RawRecord) -> SourceRecord:
    if found.kind == "xml":
        return _from_xml(found.source, found.data, found.expected_id)
    obj = found.data
    if isinstance(obj, bytes | bytearray):
        try:
            check_json(obj)
            obj = orjson.loads(obj)
        except orjson.JSONDecodeError as exc:
            return _fail(found.source, None, None, f"malformed JSON: {exc}")
        except LimitExceeded as exc:
            return _fail(found.source, None, None, f"refused: {exc}")
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


def _counted(label: str, found: Iterable[Found]) -> Iterator[Found]:
    """Every input ends in a count or a message: one that holds nothing says so."""
    empty = True
    for item in found:
        empty = False
        yield item
    if empty:
        yield SourceRecord(label, skipped="no registry records found (empty)")


def read_stream(label: str, f: IO[bytes]) -> Iterator[SourceRecord]:
    for found in _find_in_stream(label, f):
        yield convert(found)


def _find(path: Path) -> Iterator[Found]:
    if path.is_dir():
        children = sorted(path.rglob("*"))
        wanted = [c for c in children if c.is_file() and c.name.lower().endswith(SUFFIXES)]
        for child in wanted:
            yield from _find(child)
        if not wanted:
            yield SourceRecord(str(path), skipped=f"no {'/'.join(SUFFIXES)} files in the folder")
        return
    if not path.exists():
        yield _fail(str(path), None, None, "no such file or folder")
        return
    yield from _counted(str(path), _find_file(path))


def _find_file(path: Path) -> Iterator[Found]:
    try:
        with open(path, "rb") as f:
            if zipfile.is_zipfile(path):
                yield from _read_zip(str(path), f)
            else:
                yield from _find_in_stream(str(path), f)
    except OSError as exc:
        yield _fail(str(path), None, None, f"cannot read file: {exc.strerror or exc}")


def _read_zip(label: str, f: IO[bytes]) -> Iterator[Found]:
    """Members one at a time: the table of contents is not loaded whole (`zipstream`)."""
    try:
        archive = StreamingZip(f)
    except zipfile.BadZipFile as exc:
        yield _fail(label, None, None, f"bad zip file: {exc}")
        return
    with archive:
        try:
            for info in archive.members():
                if info.is_dir() or not info.filename.lower().endswith(SUFFIXES):
                    continue
                yield from _read_member(archive, info, f"{label}!{info.filename}")
        except (zipfile.BadZipFile, NotImplementedError, UnicodeDecodeError) as exc:
            yield _fail(label, None, None, f"bad zip file: {exc}")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, label: str) -> Iterator[Found]:
    """One member; a corrupt one (bad CRC, truncated, bad compression) is reported by name.
    A member read whole (XML, a zip) is refused by its declared size before inflating it: zip
    reads stop at that size, so it cannot lie upwards."""
    whole = info.filename.lower().endswith((".xml", ".zip", ".xml.gz"))
    if whole and info.file_size > limits.MAX_WHOLE_BYTES:
        size = f"{info.file_size / 2**20:,.0f} MB"
        yield _fail(label, None, None, f"refused: inflates to {size}, over the whole-file limit")
        return
    try:
        with archive.open(info) as member:
            yield from _find_in_stream(label, member)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError) as exc:
        yield _fail(label, None, None, f"bad zip member: {exc}")


def _find_in_stream(label: str, f: IO[bytes], name: str | None = None) -> Iterator[Found]:
    """Dispatch on the name's ending; a gzip is opened and its inner name used (the label, which
    messages quote, keeps the real file name)."""
    name = (name or label.rsplit("!", 1)[-1]).lower()
    if name.endswith(".gz"):
        try:
            yield from _find_in_stream(label, gzip.GzipFile(fileobj=f), name[:-3])
        except (OSError, EOFError) as exc:
            yield _fail(label, None, None, f"bad gzip data: {exc}")
        return
    try:
        if name.endswith(".zip"):
            yield from _read_zip(label, io.BytesIO(read_whole(f, "a zip inside a file")))
        elif name.endswith(".xml"):
            yield RawRecord(label, "xml", read_whole(f, "an XML file"), _name_id(label))
        elif name.endswith((".jsonl", ".ndjson")):
            yield from _read_jsonl(label, f)
        else:
            yield from _read_json(label, f)
    except LimitExceeded as exc:
        yield _fail(label, None, None, f"refused: {exc}")


def _name_id(label: str) -> str | None:
    m = _NAME_ID_RE.match(Path(label.rsplit("!", 1)[-1]).name)
    return m.group(1) if m else None


def _lines(f: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line), or (number, None) for a line past the record-size limit, which is
    skipped without being held in memory."""
    lineno = 0
    while line := f.readline(limits.MAX_RECORD_BYTES + 1):
        lineno += 1
        if len(line) > limits.MAX_RECORD_BYTES and not line.endswith(b"\n"):
            while (rest := f.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield lineno, None
            continue
        yield lineno, line


def _read_jsonl(label: str, f: IO[bytes]) -> Iterator[Found]:
    first = True
    for lineno, line in _lines(f):
        source = f"{label}:{lineno}"
        if line is None:
            yield _fail(
                source, None, None, f"refused: a line longer than {limits.MAX_RECORD_BYTES:,} bytes"
            )
            continue
        if not line.strip():
            continue
        if not first:
            yield RawRecord(source, "json", line)
            continue
        try:
            check_json(line)
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield _fail(source, None, None, f"malformed JSON: {exc}")
            continue
        except LimitExceeded as exc:
            yield _fail(source, None, None, f"refused: {exc}")
            continue
        if skip := _not_registry(label, obj):
            yield skip
            return
        first = False
        yield RawRecord(source, "json", obj)


def _read_json(label: str, f: IO[bytes]) -> Iterator[Found]:
    """A list or a page is streamed through a guard on depth and record size; a single object
    is read whole (bounded) and parsed."""
    # Numbers as int/Decimal (use_float=False): with floats, yajl refuses an integer past 64
    # bits as a parse error and the rest of the file is lost; the field getters check range.
    guard = GuardedStream(f)
    seen = [0]  # records yielded so far: names the one a limit stopped
    try:
        head = guard.read(_SNIFF)
        stream = _Prefixed(head, guard)
        first = head.lstrip()[:1]
        if first == b"[":
            guard.scanner.record_depth = 1
            yield from _items(label, ijson.items(stream, "item", use_float=False), seen)
        elif first == b"{" and _looks_like_page(head):
            guard.scanner.record_depth = 2
            yield from _items(label, ijson.items(stream, "studies.item", use_float=False), seen)
        elif first == b"{":
            obj = orjson.loads(head + guard.read())
            yield _not_registry(label, obj) or RawRecord(label, "json", obj, _name_id(label))
        else:
            yield _fail(label, None, None, "not JSON: expected a study object, a page or a list")
    except (ijson.JSONError, orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        yield _fail(_at(label, seen), None, None, f"malformed JSON: {_one_line(exc)}")
    except LimitExceeded as exc:
        yield _fail(_at(label, seen), None, None, f"refused: {exc}")


def _at(label: str, seen: list[int]) -> str:
    return f"{label}#{seen[0]}" if seen[0] else label


def _looks_like_page(head: bytes) -> bool:
    """A page is an object with a top-level "studies" key and no "protocolSection" (a study
    may well mention "studies" inside, e.g. in a reference or a nested key)."""
    keys = set()
    try:
        for prefix, event, value in ijson.parse(io.BytesIO(head)):
            if prefix == "" and event == "map_key":
                keys.add(value)
    except ijson.JSONError:
        pass  # the head is usually cut mid-file: the keys seen so far decide
    return "studies" in keys and "protocolSection" not in keys


def _items(label: str, items: Iterator[Any], seen: list[int]) -> Iterator[Found]:
    for index, obj in enumerate(items):
        if index == 0 and (skip := _not_registry(label, obj)):
            yield skip
            return
        seen[0] = index + 1
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
    return SourceRecord(source, trial=sanitize(trial))


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


def _one_line(exc: Exception) -> str:
    """yajl's messages draw a caret under the input on extra lines: one line, bounded."""
    return " ".join(str(exc).split())[:200]
