"""Audit every regex in the package for super-linear time on hostile text (issue 12).

Finds each `re.<fn>(<literal pattern>...)` call in src/trialscout (AST, so patterns built from
data files are audited where they are compiled: see `--data`), then times it on adversarial
strings: long runs of each character the pattern mentions, of characters around its classes,
and of two-character alternations, at n and 4n characters. A pattern whose time grows more
than 8x for 4x the input (linear: 4x) and takes over 20 ms at 4n is reported.

    nice .venv/bin/python bench/regex_audit.py [--n 2000] [--only registry,store,...]
"""

from __future__ import annotations

import argparse
import ast
import itertools
import multiprocessing
import re
import time
from pathlib import Path

SRC = Path(__file__).parents[1] / "src" / "trialscout"
FUNCS = {"compile", "sub", "subn", "search", "match", "fullmatch", "findall", "finditer", "split"}
BASE_CHARS = list(" a1.,;:-([{<\"'\\/\n\tA") + ["é"]


def patterns(root: Path):
    """(file, line, pattern, flags) for every literal pattern passed to re.*."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in FUNCS or not isinstance(node.func.value, ast.Name):
                continue
            if node.func.value.id != "re" or not node.args:
                continue
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str | bytes):
                flags = _flags(node)
                yield path.relative_to(root), node.lineno, arg.value, flags


def _flags(node: ast.Call) -> int:
    value = 0
    for arg in [*node.args[1:], *(k.value for k in node.keywords)]:
        for name in ast.walk(arg):
            if isinstance(name, ast.Attribute) and name.attr in {
                "I",
                "S",
                "M",
                "X",
                "IGNORECASE",
                "DOTALL",
                "MULTILINE",
                "VERBOSE",
            }:
                value |= getattr(re, name.attr)
    return value


def candidates(pattern: str) -> list[str]:
    """Characters to build runs from: those in the pattern plus a fixed set."""
    text = pattern if isinstance(pattern, str) else pattern.decode("latin-1")
    chars = sorted(set(c for c in text if c.isprintable()) | set(BASE_CHARS))
    units = [c for c in chars] + ["ab", "a ", "1 ", " .", "a1", "\\n"]
    words = re.findall(r"[A-Za-z]{2,}", text)[:6]
    units += [w + " " for w in words] + [w for w in words]
    return units


def worst(
    compiled: re.Pattern, units: list[str], n: int, is_bytes: bool
) -> tuple[float, float, str]:
    """(time at n, time at 4n, unit) for the slowest run of any unit, with a suffix that forces
    a failed match (backtracking happens on failure)."""
    slowest = (0.0, 0.0, "")
    for unit, tail in itertools.product(units, ["!", "\x00", ""]):
        small = _run(compiled, unit, tail, n, is_bytes)
        if small < 0.002:
            continue
        big = _run(compiled, unit, tail, 4 * n, is_bytes)
        if big > slowest[1]:
            slowest = (small, big, unit)
    return slowest


def _run(compiled: re.Pattern, unit: str, tail: str, size: int, is_bytes: bool) -> float:
    text = unit * (size // max(1, len(unit))) + tail
    data = text.encode("utf-8", "replace") if is_bytes else text
    started = time.perf_counter()
    compiled.search(data)
    list(compiled.finditer(data))
    return time.perf_counter() - started


def _audit_one(pattern, flags: int, n: int, out) -> None:
    """In a child process (a catastrophic pattern can run for hours and cannot be interrupted)."""
    compiled = re.compile(pattern, flags)
    out.put(worst(compiled, candidates(pattern), n, isinstance(pattern, bytes)))


def audit(pattern, flags: int, n: int, timeout: float) -> tuple[float, float, str] | None:
    """(time at n, time at 4n, unit), or None when the child ran past `timeout` seconds."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_audit_one, args=(pattern, flags, n, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get() if not queue.empty() else (0.0, 0.0, "")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--only", default="", help="comma-separated package names")
    args = parser.parse_args()
    only = {p for p in args.only.split(",") if p}
    found, flagged = 0, []
    started = time.perf_counter()
    for path, line, pattern, flags in patterns(SRC):
        if only and path.parts[0] not in only:
            continue
        try:
            re.compile(pattern, flags)
        except re.error:
            continue
        found += 1
        result = audit(pattern, flags, args.n, args.timeout)
        if result is None:
            flagged.append((path, line, pattern, "?", args.timeout, float("inf")))
        elif result[1] > 0.02 and result[1] > 8 * result[0]:
            flagged.append((path, line, pattern, result[2], result[0], result[1]))
    print(f"{found} literal regexes audited in {time.perf_counter() - started:.1f} s "
          f"(runs of {args.n} and {4 * args.n} characters)")  # fmt: skip
    for path, line, pattern, unit, small, big in flagged:
        print(f"SUPER-LINEAR {path}:{line} {pattern!r:.70} on runs of {unit!r}: "
              f"{small * 1000:.1f} ms -> {big * 1000:.1f} ms")  # fmt: skip
    if not flagged:
        print("none super-linear")


if __name__ == "__main__":
    main()
