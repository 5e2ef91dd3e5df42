"""Resource limits on untrusted registry files: nesting depth, record size, decompressed size.

A registry record is a few kilobytes to a few megabytes, nested about ten levels deep. Input far
outside that is rejected with a message naming the file, before it costs unbounded time or
memory: ijson's cost grows with the square of nesting depth (a 200 KB file of ``[`` takes
gigabytes), a 1 GB string is held whole, and a small zip can inflate a thousandfold.

`GuardedStream` checks JSON bytes as they stream past, with regexes that run in C and are
linear (each alternative starts with a different character, so nothing is rescanned).
"""

from __future__ import annotations

import io
import re
from typing import IO, Any

MAX_DEPTH = 64  # nesting of objects and lists
MAX_RECORD_BYTES = 64 << 20  # one study object, as JSON text
MAX_STRING_BYTES = 4 << 20  # one text value (the registry caps its longest field at 32,000 chars)
MAX_WHOLE_BYTES = 64 << 20  # a file read whole (XML, a single object, a nested zip)

# Everything up to the start of an unfinished string: non-quote bytes and complete strings.
# Possessive quantifiers (`++`, `*+`): a failed match never backtracks into a run, so a long
# unterminated string costs one pass, not one pass per character.
_COMPLETE = re.compile(rb'(?:[^"]++|"(?:[^"\\]++|\\[\s\S])*+")*+')
_STRING = re.compile(rb'"(?:[^"\\]++|\\[\s\S])*+"')
# The rest of an open string: stops at its closing quote, or before a trailing lone backslash.
_STRING_REST = re.compile(rb'(?:[^"\\]++|\\[\s\S])*+')
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
        self.escape = False  # the previous piece ended in the middle of an escape
        self.record_bytes = 0
        self.string_bytes = 0

    def feed(self, data: bytes) -> None:
        pos = self._finish_string(data, 0)
        if pos < len(data):
            m = _COMPLETE.match(data, pos)
            end = m.end()
            self._brackets(_STRING.sub(b"", data[pos:end]))
            if end < len(data):  # an unfinished string starts here
                self.in_string, self.string_bytes = True, 0
                self._finish_string(data, end + 1)
        self.record_bytes += len(data)
        if self.record_bytes > MAX_RECORD_BYTES:  # reset whenever a record closes
            raise LimitExceeded(f"a record is larger than {MAX_RECORD_BYTES >> 20} MB")

    def _finish_string(self, data: bytes, pos: int) -> int:
        """Skip the rest of an open string; returns where the structure resumes. A string over
        MAX_STRING_BYTES is refused: yajl rescans a string that spans reads from its start, so
        a long one costs the square of its length (100 MB took 97 s)."""
        if self.escape and pos < len(data):
            pos, self.escape = pos + 1, False
        if not self.in_string:
            return pos
        end = _STRING_REST.match(data, pos).end()
        if end < len(data) and data[end : end + 1] == b'"':
            self.in_string = False
            return end + 1
        self.escape = end < len(data)  # stopped before a lone backslash at the end
        self.string_bytes += len(data) - pos
        if self.string_bytes > MAX_STRING_BYTES:
            raise LimitExceeded(f"a text value is longer than {MAX_STRING_BYTES >> 20} MB")
        return len(data)

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


def check_json(data: bytes) -> None:
    """Depth and size limits for one JSON text held whole (a JSONL line, a single object)."""
    if len(data) > MAX_RECORD_BYTES:
        raise LimitExceeded(f"a record is larger than {MAX_RECORD_BYTES >> 20} MB")
    JsonScanner().feed(data)


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
