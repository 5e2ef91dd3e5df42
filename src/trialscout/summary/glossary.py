"""The plain-language glossary: loading, validation, and finding entries in record text.

Kept as data (glossary.yaml) so clinicians can review and extend it without touching code.
Validation raises `ValueError` naming the offending entry, so a bad edit fails loudly at load.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

CATEGORIES = ("interventions", "terms", "conditions", "outcomes", "tests", "labs")
KINDS = {
    "drug",
    "biologic",
    "vaccine",
    "class",
    "procedure",
    "device",
    "behavioral",
    "supplement",
    "test",
    "other",
}
_REQUIRED = {
    "interventions": ("key", "aliases", "kind", "plain"),
    "terms": ("key", "plain"),
    "conditions": ("key", "aliases", "plain"),
    "outcomes": ("key", "aliases", "goal"),
    "tests": ("key", "aliases", "plain"),
    "labs": ("key", "aliases", "plain"),
}
_OPTIONAL = {"side_effects", "about"}


@dataclass(frozen=True, slots=True)
class SideEffects:
    items: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Entry:
    """One glossary entry; `plain` is a noun phrase (or a sentence for terms, a goal for outcomes)."""

    category: str
    key: str
    plain: str
    aliases: tuple[str, ...] = ()
    kind: str | None = None
    side_effects: SideEffects | None = None
    about: str | None = None  # conditions: one sentence saying what the disease is

    @property
    def source(self) -> str:
        return f"glossary:{self.key}"


@dataclass(frozen=True, slots=True)
class Match:
    entry: Entry
    start: int
    text: str  # the words as written in the record


@dataclass(slots=True)
class Glossary:
    entries: dict[str, dict[str, Entry]]
    _patterns: dict[str, re.Pattern[str]] = field(default_factory=dict)
    _by_alias: dict[str, dict[str, Entry]] = field(default_factory=dict)

    def get(self, category: str, key: str) -> Entry | None:
        return self.entries[category].get(key)

    def term(self, key: str) -> Entry:
        entry = self.entries["terms"].get(key)
        if entry is None:
            raise KeyError(f"glossary has no term {key!r}")
        return entry

    def lab(self, analyte: str) -> Entry | None:
        norm = normalize(analyte.replace("_", " ")).lower()
        return self.entries["labs"].get(analyte) or self._aliases("labs").get(norm)

    def exact(self, category: str, text: str | None) -> Entry | None:
        """The entry whose alias is the whole text (no broadening: 'decompensated cirrhosis'
        is not 'cirrhosis')."""
        if not text:
            return None
        return self._aliases(category).get(normalize(text).lower())

    def find(self, category: str, text: str | None) -> list[Match]:
        """Non-overlapping entries named in `text`, longest alias first, in text order."""
        if not text:
            return []
        norm = normalize(text)
        lookup = self._aliases(category)
        found: list[Match] = []
        for m in self._pattern(category).finditer(norm):
            written = m.group(1)
            if _is_short(written) and not _looks_like_abbreviation(written):
                continue
            found.append(Match(lookup[written.lower()], m.start(1), written))
        return found

    def _aliases(self, category: str) -> dict[str, Entry]:
        if category not in self._by_alias:
            table: dict[str, Entry] = {}
            for entry in self.entries[category].values():
                for alias in entry.aliases:
                    table.setdefault(normalize(alias).lower(), entry)
            self._by_alias[category] = table
        return self._by_alias[category]

    def _pattern(self, category: str) -> re.Pattern[str]:
        if category not in self._patterns:
            aliases = sorted(self._aliases(category), key=len, reverse=True)
            body = "|".join(re.escape(a) for a in aliases) or "(?!)"
            self._patterns[category] = re.compile(
                rf"(?<![0-9A-Za-z])({body})(?![0-9A-Za-z])", re.IGNORECASE
            )
        return self._patterns[category]


_GREEK = {"α": " alfa ", "β": " beta ", "γ": " gamma ", "κ": " kappa "}
_SEP = re.compile(r"[\s\-_/(),;:+.]+")
_DROP = re.compile(r"[®™©*\[\]{}'\"]")


def normalize(text: str) -> str:
    """Unicode-fold, spell Greek letters, and turn punctuation into single spaces (case kept)."""
    text = unicodedata.normalize("NFKC", text)
    for letter, word in _GREEK.items():
        text = text.replace(letter, word)
    text = _DROP.sub("", text)
    text = re.sub(r"(?i)\balpha\b", "alfa", text)
    return _SEP.sub(" ", text).strip()


def _is_short(written: str) -> bool:
    return len(written.replace(" ", "")) <= 4


def _looks_like_abbreviation(written: str) -> bool:
    """Short aliases ("TIPS", "NAs", "OS") count only when written as an abbreviation."""
    core = written[:-1] if written.endswith("s") and len(written) > 2 else written
    letters = [c for c in core if c.isalpha()]
    return all(c.isupper() for c in letters)


def _entry(category: str, raw: Any, index: int) -> Entry:
    where = f"glossary {category}[{index}]"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(raw).__name__}")
    required = _REQUIRED[category]
    missing = [k for k in required if not raw.get(k)]
    if missing:
        raise ValueError(f"{where} ({raw.get('key')!r}): missing {', '.join(missing)}")
    unknown = set(raw) - set(required) - _OPTIONAL
    if unknown:
        raise ValueError(f"{where} ({raw['key']!r}): unknown keys {sorted(unknown)}")
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
        raise ValueError(f"{where} ({raw['key']!r}): aliases must be a list of strings")
    kind = raw.get("kind")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"{where} ({raw['key']!r}): kind {kind!r} not in {sorted(KINDS)}")
    effects = raw.get("side_effects")
    side = None
    if effects is not None:
        if category != "interventions":
            raise ValueError(f"{where} ({raw['key']!r}): side_effects only for interventions")
        items, source = effects.get("items"), effects.get("source")
        if (
            not items
            or not isinstance(items, list)
            or not source
            or set(effects) - {"items", "source"}
        ):
            raise ValueError(
                f"{where} ({raw['key']!r}): side_effects needs 'items' (a list) and a 'source'"
            )
        side = SideEffects(tuple(str(i) for i in items), str(source))
    about = raw.get("about")
    if about is not None and (category != "conditions" or not isinstance(about, str)):
        raise ValueError(f"{where} ({raw['key']!r}): 'about' is a sentence, for conditions only")
    plain = raw.get("plain") or raw.get("goal")
    return Entry(category, str(raw["key"]), str(plain), tuple(aliases), kind, side, about)


def parse_glossary(data: Any) -> Glossary:
    if not isinstance(data, dict):
        raise ValueError("glossary: top level must be a mapping of categories")
    unknown = set(data) - set(CATEGORIES)
    if unknown:
        raise ValueError(f"glossary: unknown categories {sorted(unknown)}")
    entries: dict[str, dict[str, Entry]] = {}
    for category in CATEGORIES:
        table: dict[str, Entry] = {}
        for i, raw in enumerate(data.get(category) or []):
            entry = _entry(category, raw, i)
            if entry.key in table:
                raise ValueError(f"glossary {category}: duplicate key {entry.key!r}")
            table[entry.key] = entry
        entries[category] = table
    return Glossary(entries)


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    """The bundled glossary (parsed and validated once per process)."""
    text = resources.files("trialscout.summary").joinpath("glossary.yaml").read_text("utf-8")
    return parse_glossary(yaml.safe_load(text))
