"""Every bench script imports: three of them were broken by refactors and nobody noticed until
the figures were due (search_speed, match_speed, ingest_throughput --from-db)."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"
OPTIONAL = {"bm25s", "matplotlib"}  # the `bench` extra: not installed by `make test`


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda p: p.stem)
def test_bench_script_imports(script: Path, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # third-party import warnings (starlette)
            spec.loader.exec_module(module)
    except ModuleNotFoundError as error:
        if error.name not in OPTIONAL:
            raise
        pytest.skip(f"needs the bench extra ({error.name})")
