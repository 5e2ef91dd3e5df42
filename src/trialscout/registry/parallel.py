"""Convert found records in worker processes, in order, with bounded memory.

Parsing a registry record (and preparing its derived indexes, e.g. parsed criteria) is pure CPU
work; SQLite writes are not parallel. So the main process finds records and writes them, and
`workers` processes convert chunks in between. At most `window` chunks are in flight, so a
100,000-record file never sits in memory whole. Small inputs are converted inline: a pool is
only started once more than two chunks have been seen.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from trialscout.registry.model import Trial
from trialscout.registry.sources import Found, SourceRecord, convert

# name -> pure function of a Trial; its result travels with the record to the hook of that name.
Preparers = dict[str, Callable[[Trial], Any]]


class PrepareFailed:
    """Stands in for a payload whose preparation raised; ingest rejects that record."""

    def __init__(self, message: str) -> None:
        self.message = message


def convert_chunk(
    chunk: list[Found], preparers: Preparers, known: Callable[[Trial], bool] | None = None
) -> list[SourceRecord]:
    """Convert, and prepare index payloads unless `known(trial)` says the content is stored
    already (then the store finds it unchanged and no hook runs)."""
    out = []
    for found in chunk:
        record = convert(found)
        if record.trial is not None and preparers and not _known(known, record.trial):
            record.prepared = {}
            for name, prepare in preparers.items():
                try:
                    record.prepared[name] = prepare(record.trial)
                except Exception as exc:  # noqa: BLE001 - reported per record, never fatal
                    record.prepared[name] = PrepareFailed(f"{type(exc).__name__}: {exc}")
        out.append(record)
    return out


def _known(known: Callable[[Trial], bool] | None, trial: Trial) -> bool:
    """Is this content stored already? A record that cannot even be hashed is 'no': the store
    then rejects it by name instead of the whole chunk failing here."""
    try:
        return bool(known and known(trial))
    except Exception:  # noqa: BLE001 - a wrong "no" only costs time
        return False


def convert_parallel(
    found: Iterable[Found],
    preparers: Preparers,
    workers: int = 2,
    chunk_size: int = 64,
    window: int | None = None,
    known: Callable[[Trial], bool] | None = None,
) -> Iterator[SourceRecord]:
    items = iter(found)
    head = [list(islice(items, chunk_size)) for _ in range(3)]
    if workers <= 1 or not head[2]:
        for chunk in head:
            yield from convert_chunk(chunk, preparers, known)
        for chunk in _chunks(items, chunk_size):
            yield from convert_chunk(chunk, preparers, known)
        return
    window = window or workers * 4
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        pending: deque = deque()
        for chunk in _chain(head, _chunks(items, chunk_size)):
            pending.append(pool.apply_async(convert_chunk, (chunk, preparers, known)))
            while len(pending) >= window:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()


def _chunks(items: Iterator[Found], size: int) -> Iterator[list[Found]]:
    while chunk := list(islice(items, size)):
        yield chunk


def _chain(first: list[list[Found]], rest: Iterator[list[Found]]) -> Iterator[list[Found]]:
    yield from (c for c in first if c)
    yield from rest
