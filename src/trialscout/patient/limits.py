"""Reading untrusted patient files within bounds: size, nesting depth, no YAML aliases.

Every failure is one `PatientError` line naming the file (never its content), raised quickly:
a file too large is refused before it is parsed, a gzip member is read only up to the limit,
a YAML alias (the "billion laughs" bomb) is refused while composing, and nesting deeper than
`MAX_DEPTH` is refused before any reader walks it.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any

import yaml

from trialscout.patient.model import PatientError

MAX_NOTE_BYTES = 200_000  # a long discharge summary is ~60 KB; TREC topics ~2 KB
MAX_PROFILE_BYTES = 1_000_000
MAX_BUNDLE_BYTES = 64_000_000  # decompressed; Synthea lifetimes reach ~20 MB
MAX_DEPTH = 64  # FHIR resources nest ~8 deep; a profile 3


def read_text(path: Path, limit: int, what: str) -> str:
    """The file's text (gunzipped when it ends in .gz), refused when over `limit` bytes."""
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as fh:
                data = fh.read(limit + 1)
        else:
            if path.stat().st_size > limit:
                raise PatientError(f"{path}: {what} larger than {limit // 1_000_000} MB")
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:
        raise PatientError(f"{path}: cannot read the {what} ({exc.__class__.__name__})") from None
    if len(data) > limit:
        raise PatientError(f"{path}: {what} larger than {limit // 1_000_000} MB")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PatientError(f"{path}: the {what} is not UTF-8 text") from None


def check_depth(data: Any, where: str, limit: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than `limit` (an iterative walk, so no RecursionError)."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise PatientError(f"{where}: nested deeper than {limit} levels")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values() if isinstance(v, dict | list))
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item if isinstance(v, dict | list))


def parse_json(text: str, where: str) -> Any:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PatientError(f"{where}: not valid JSON (line {exc.lineno})") from None
    except ValueError:  # an integer beyond Python's digit limit
        raise PatientError(f"{where}: a number in the file is too long") from None
    except RecursionError:
        raise PatientError(f"{where}: nested deeper than {MAX_DEPTH} levels") from None
    return data  # the readers (profile_from_dict, bundle_to_patient) call check_depth


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors/aliases (profiles never need them) and deep nesting."""

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: ANN401 - PyYAML API
        if self.check_event(yaml.AliasEvent):
            raise yaml.YAMLError("aliases are not allowed")
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.YAMLError("nested too deeply")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def parse_yaml(text: str, where: str) -> Any:
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        reason = str(exc) if str(exc) in ("aliases are not allowed", "nested too deeply") else ""
        raise PatientError(
            f"{where}: not valid YAML/JSON{f' ({reason})' if reason else ''}"
        ) from None
    except ValueError:  # an integer beyond Python's digit limit
        raise PatientError(f"{where}: a number in the file is too long") from None
    except RecursionError:
        raise PatientError(f"{where}: nested deeper than {MAX_DEPTH} levels") from None
    return data  # the readers (profile_from_dict, bundle_to_patient) call check_depth
