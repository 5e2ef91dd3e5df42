"""Hostile registry files against real ones of the same size: time and peak memory (issue 12).

Each hostile case from the issue is read (`registry.sources.read_path`, every record converted)
next to a baseline: real API v2 records cut to the same byte size, read in the same run. A
bounded reader spends no more on a hostile file than on a real one. Also the cost of the
limit checks on real data: the real records read with and without the `GuardedStream` guard.

    nice python bench/hostile_input.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import json
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from trialscout.registry import sources
from trialscout.registry.legacy_xml import parse_xml


def _real_list(shared: Path, size: int) -> bytes:
    with gzip.open(shared / "ctgov/api_v2/all_v2_studies.jsonl.gz", "rt") as f:
        studies, total = [], 2
        for line in f:
            studies.append(json.loads(line))
            total += len(line) + 1
            if total >= size:
                break
    return json.dumps(studies).encode()


def _zip(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, data)
    return buffer.getvalue()


def cases(shared: Path) -> list[tuple[str, str, bytes]]:
    """(label, file name, bytes): the issue's hostile inputs."""
    return [
        ("200 KB of nested lists", "deep.json", b"[" * 200_000),
        ("200 KB nested page", "page.json", b'{"studies": [' + b'{"a": ' * 40_000),
        ("100 MB string in a list", "big.json", b'["' + b"x" * (100 << 20) + b'"]'),
        ("zip: 1 MB -> 300 MB XML", "bomb.zip", _zip("NCT00000001.xml", b" " * (300 << 20))),
        (
            "16,000 unclosed <clinical_results>",
            "NCT00000001.xml",
            b"<clinical_study>" + b"<clinical_results>" * 16_000,
        ),  # fmt: skip
        (
            "enrollment of 10^23 (JSON number)",
            "big.jsonl",
            _real_list(shared, 3000)[1:-1]
            .split(b', {"protocolSection"')[0]
            .replace(b'"count": ', b'"count": 99999999999999999999999, "x": ', 1)
            + b"\n",
        ),  # fmt: skip
    ]


def measure(path: Path) -> tuple[float, int, str]:
    tracemalloc.start()
    started = time.perf_counter()
    records = list(sources.read_path(path))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    errors = [r.error for r in records if r.error]
    outcome = str(errors[0])[-70:] if errors else f"{len(records)} records"
    return elapsed, peak, outcome


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=Path(__file__).parents[1] / "../shared/data")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'case':38} {'size':>9} {'time':>8} {'peak':>8}  baseline (real, same size)")
        for label, name, data in cases(args.shared):
            path = Path(tmp) / name
            path.write_bytes(data)
            t, peak, outcome = measure(path)
            real = Path(tmp) / "real.json"
            real.write_bytes(_real_list(args.shared, min(len(data), 20 << 20)))
            bt, bpeak, _ = measure(real)
            print(f"{label:38} {len(data) / 1e6:7.1f}MB {t:7.2f}s {peak / 1e6:6.1f}MB  "
                  f"{bt:5.2f}s {bpeak / 1e6:6.1f}MB | {outcome}")  # fmt: skip
        _xml_regex(Path(tmp))
        _guard_cost(args.shared, Path(tmp))


def _guard_cost(shared: Path, tmp: Path) -> None:
    """Real records read (and fully ingested) with the limit checks and with them switched off,
    in the same run; plain timing (tracemalloc would inflate the Python-level share)."""
    path = tmp / "real.json"
    path.write_bytes(_real_list(shared, 30 << 20))
    size = path.stat().st_size / 1e6
    for label, run in (("read", lambda: list(sources.read_path(path))), ("ingest", _ingest(path))):
        run()  # warm up (imports, vocabularies) before either timing
        guarded, bare = [], []
        for _ in range(3):  # alternate, so a busy moment on the machine hits both
            guarded.append(_best(run, 1))
            original = sources.GuardedStream
            sources.GuardedStream = _Unguarded
            try:
                bare.append(_best(run, 1))
            finally:
                sources.GuardedStream = original
        g, b = min(guarded), min(bare)
        print(f"limit checks, {label} {size:.0f} MB of real records: {g:.2f} s with, "
              f"{b:.2f} s without ({(g / b - 1) * 100:+.0f}%)")  # fmt: skip


def _best(run, repeat: int = 2) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def _ingest(path: Path):
    def run() -> None:
        from trialscout.ingest import pipeline
        from trialscout.store.db import Database

        db_path = path.with_suffix(".db")
        for p in path.parent.glob(db_path.name + "*"):
            p.unlink()
        with Database(db_path) as db:
            pipeline.ingest_paths(db, [path], workers=1)

    return run


class _Unguarded(io.RawIOBase):
    """GuardedStream without the checks, for the cost comparison."""

    def __init__(self, raw, record_depth: int = 0) -> None:
        self._raw = raw
        self.scanner = type("S", (), {"record_depth": 0})()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._raw.read(size)


def _xml_regex(tmp: Path) -> None:
    for n in (8_000, 16_000, 32_000):
        data = b"<clinical_study>" + b"<clinical_results>" * n
        started = time.perf_counter()
        with contextlib.suppress(ValueError):
            parse_xml(data)
        print(
            f"legacy XML, {n:,} unclosed <clinical_results>: {time.perf_counter() - started:.3f} s"
        )


if __name__ == "__main__":
    main()
