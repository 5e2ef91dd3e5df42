"""Resource limits on untrusted registry files: nesting depth, record size, decompressed size.

A registry record is a few kilobytes to a few megabytes, nested about ten levels deep. Input far
outside that is rejected with a message naming the file, before it costs unbounded time or
memory: ijson's cost grows with the square of nesting depth (a 200 KB file of ``[`` takes
gigabytes), a 1 GB string is held whole, and a small zip can inflate a thousandfold.

`GuardedStream` checks JSON bytes as they stream past, with bytes operations that run in C
(replace, split, translate), so the checks are linear and cheap next to parsing.
"""

from __future__ import annotations

import io
from typing import IO, Any

MAX_DEPTH = 64  # nesting of objects and lists
MAX_RECORD_BYTES = 64 << 20  # one study object, as JSON text
MAX_STRING_BYTES = 4 << 20  # one text value (the registry caps its longest field at 32,000 chars)
MAX_WHOLE_BYTES = 64 << 20  # a file read whole (XML, a single object, a nested zip)

_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_AS_PARENS = bytes.maketrans(b"[{]}", b"(())")


class LimitExceeded(ValueError):
    """Input past a resource limit; the message says which and is safe to show."""


class JsonScanner:
    """Tracks nesting depth and record size over JSON bytes fed in pieces.

    `record_depth` is the depth at which records sit (1 in a list, 2 in a page): the bytes
    spent above it count towards the record-size limit.
    """

    def __init__(self, record_depth: int = 0) -> None:
        self.depth = 0
        self.record_depth = record_depth
        self.in_string = False
        self.carry = b""  # a trailing backslash whose pair is in the next piece
        self.record_bytes = 0
        self.string_bytes = 0

    def feed(self, data: bytes) -> None:
        """Escapes first: escaped backslashes, then escaped quotes, are dropped (left to right,
        as a JSON reader pairs them), so every quote left delimits a string. A piece ending in
        an odd run of backslashes keeps the last one for the next piece."""
        text = self.carry + data
        run = len(text) - len(text.rstrip(b"\\"))
        text, self.carry = (text[:-1], b"\\") if run % 2 else (text, b"")
        self._strings(text.replace(b"\\\\", b"").replace(b'\\"', b""))
        self.record_bytes += len(data)
        if self.record_bytes > MAX_RECORD_BYTES:  # reset whenever a record closes
            raise LimitExceeded(f"a record is larger than {MAX_RECORD_BYTES >> 20} MB")

    def _strings(self, text: bytes) -> None:
        """Split on quotes (C speed); brackets outside strings count, a long string is refused.
        (yajl rescans a string that spans reads from its start: 100 MB took 97 s.)"""
        parts = text.split(b'"')
        outside = parts[1::2] if self.in_string else parts[0::2]
        self._brackets(b"".join(outside))
        ends_inside = self.in_string != (len(parts) % 2 == 0)
        if ends_inside:
            tail = len(parts[-1])
            self.string_bytes = self.string_bytes + tail if len(parts) == 1 else tail
            if self.string_bytes > MAX_STRING_BYTES:
                raise LimitExceeded(f"a text value is longer than {MAX_STRING_BYTES >> 20} MB")
        self.in_string = ends_inside

    def _brackets(self, structure: bytes) -> None:
        """Depth after this piece, its maximum, and whether a record ended in it, from the
        brackets alone: matched pairs are removed in C (`bytes.replace`), one pass per level
        of nesting, leaving `)))(((` - how far the piece closes, then opens."""
        marks = structure.translate(_AS_PARENS, _NOT_BRACKETS)
        passes = 0
        while b"()" in marks:
            marks = marks.replace(b"()", b"")
            passes += 1
            if passes > MAX_DEPTH:
                raise LimitExceeded(f"nested more than {MAX_DEPTH} levels deep")
        closes = len(marks) - len(marks.lstrip(b")"))
        opens = len(marks) - closes
        lowest = self.depth - closes
        highest = max(self.depth, lowest + opens) + passes  # an upper bound
        if highest > MAX_DEPTH:
            self._exact(structure.translate(_AS_PARENS, _NOT_BRACKETS))
        if lowest <= self.record_depth:
            self.record_bytes = 0  # a record ended in this piece: count afresh
        self.depth = lowest + opens

    def _exact(self, marks: bytes) -> None:
        depth = self.depth
        for mark in marks:
            depth += 1 if mark == 40 else -1  # "("
            if depth > MAX_DEPTH:
                raise LimitExceeded(f"nested more than {MAX_DEPTH} levels deep")


class GuardedStream(io.RawIOBase):
    """A binary stream that raises `LimitExceeded` as soon as the JSON read through it does."""

    def __init__(self, raw: IO[bytes], record_depth: int = 0) -> None:
        self._raw = raw
        self.scanner = JsonScanner(record_depth)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return read_whole(self, "a file read whole")  # in pieces, each one scanned
        data = self._raw.read(size)
        self.scanner.feed(data)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def check_json(data: bytes, whole: bool = False) -> None:
    """Depth and size limits for one JSON text held whole: a record (a JSONL line, a single
    object), or with `whole` a page of records (its size is then limited by the reader)."""
    if not whole and len(data) > MAX_RECORD_BYTES:
        raise LimitExceeded(f"a record is larger than {MAX_RECORD_BYTES >> 20} MB")
    JsonScanner(record_depth=2 if whole else 0).feed(data)


_PIECE = 1 << 20


def read_whole(f: IO[bytes], what: str = "file") -> bytes:
    """All of `f`, refusing past MAX_WHOLE_BYTES instead of filling memory. Read in pieces:
    `f.read(limit)` allocates the whole limit up front, even for a 2 KB file."""
    pieces, total = [], 0
    while piece := f.read(_PIECE):
        total += len(piece)
        if total > MAX_WHOLE_BYTES:
            raise LimitExceeded(f"{what} larger than {MAX_WHOLE_BYTES >> 20} MB")
        pieces.append(piece)
    return b"".join(pieces)
