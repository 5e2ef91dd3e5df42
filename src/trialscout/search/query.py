"""Query understanding: words -> concepts (with synonyms) -> an FTS5 MATCH expression.

Pure functions, no database: every user word is re-tokenized and quoted, so FTS5 syntax typed by
a user (quotes, `*`, `NEAR`, parentheses, `-`, `:`) can never reach the engine as syntax.
A patient description ("45-year-old man with ...") also yields the patient's age and sex, which
ranking uses to prefer trials that admit them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trialscout.search.errors import InvalidQuery
from trialscout.search.vocab import Vocabulary, vocabulary, words

MAX_QUERY_CHARS = 4000
MAX_CONCEPTS = 64


@dataclass(frozen=True, slots=True)
class Concept:
    """One thing the user asked for: the words typed plus equivalent phrases from synonyms."""

    typed: tuple[str, ...]
    alternatives: tuple[tuple[str, ...], ...]  # includes `typed` first
    group: str | None = None  # the synonym group's concept name, when expanded

    def fts(self) -> str:
        terms = [_quote(a) for a in self.alternatives]
        return terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str
    concepts: tuple[Concept, ...]
    patient_age: float | None = None
    patient_sex: str | None = None  # MALE | FEMALE

    def fts(self, mode: str = "all") -> str:
        """MATCH expression: every concept required (`all`) or any concept (`any`)."""
        joiner = " AND " if mode == "all" else " OR "
        return joiner.join(c.fts() for c in self.concepts)

    def expansions(self) -> list[str]:
        """Human-readable: what synonyms added, e.g. 'HCC -> hepatocellular carcinoma, ...'."""
        out = []
        for c in self.concepts:
            extra = [" ".join(a) for a in c.alternatives[1:]]
            if extra:
                out.append(f"{' '.join(c.typed)} -> {', '.join(extra)}")
        return out


def _quote(tokens: tuple[str, ...]) -> str:
    # tokens are [^\W_]+ runs, so they never contain a double quote
    return '"' + " ".join(tokens) + '"'


_AGE = re.compile(
    r"\b(\d{1,3}(?:\.\d)?)\s*-?\s*(year|yr|month|mo|week|wk|day)s?\s*-?\s*old\b"
    r"|\b(\d{1,3})\s*(?:yo|y/o|y\.o\.|yrs?)\b"
    r"|\baged?\s+(\d{1,3})\b",
    re.IGNORECASE,
)
_UNIT_YEARS = {"year": 1.0, "yr": 1.0, "month": 1 / 12, "mo": 1 / 12, "week": 1 / 52, "wk": 1 / 52}
_MALE = frozenset({"man", "male", "boy", "gentleman", "he", "his", "him", "husband", "father"})
_FEMALE = frozenset(
    {"woman", "female", "girl", "lady", "she", "her", "hers", "pregnant", "wife", "mother"}
)


def patient_age(text: str) -> float | None:
    m = _AGE.search(text)
    if not m:
        return None
    if m.group(1):
        factor = _UNIT_YEARS.get(m.group(2).lower(), 1 / 365)
        return round(float(m.group(1)) * factor, 2)
    return float(m.group(3) or m.group(4))


def patient_sex(tokens: tuple[str, ...]) -> str | None:
    male = sum(t in _MALE for t in tokens)
    female = sum(t in _FEMALE for t in tokens)
    if male > female:
        return "MALE"
    if female > male:
        return "FEMALE"
    return None


def _concepts(tokens: tuple[str, ...], vocab: Vocabulary) -> list[Concept]:
    """Greedy longest match of synonym phrases; other words become one-word concepts."""
    out: list[Concept] = []
    seen: set[tuple[str, ...]] = set()
    i = 0
    while i < len(tokens) and len(out) < MAX_CONCEPTS:
        concept, width = _match_phrase(tokens, i, vocab)
        i += width
        if concept is None or concept.alternatives[0] in seen:
            continue
        seen.add(concept.alternatives[0])
        out.append(concept)
    return out


def _match_phrase(tokens: tuple[str, ...], i: int, vocab: Vocabulary) -> tuple[Concept | None, int]:
    for width in range(min(vocab.longest, len(tokens) - i), 0, -1):
        span = tokens[i : i + width]
        key = span if span in vocab.phrase_index else _singular(span)
        if key in vocab.phrase_index:
            groups = [vocab.groups[g] for g in vocab.phrase_index[key]]
            alts = [span]
            for group in groups:
                alts += [w for w in (words(p) for p in group.phrases) if w not in alts]
            return Concept(span, tuple(alts), groups[0].concept), width
    token = tokens[i]
    if token in vocab.stopwords or token.isdigit() or len(token) < 2:
        return None, 1
    return Concept((token,), ((token,),)), 1


def _singular(span: tuple[str, ...]) -> tuple[str, ...]:
    last = span[-1]
    if len(last) > 3 and last.endswith("s") and not last.endswith("ss"):
        return (*span[:-1], last[:-1])
    return span


def parse_query(
    text: str, vocab: Vocabulary | None = None, *, allow_empty: bool = False
) -> ParsedQuery:
    """Raise `InvalidQuery` for empty/huge input or input with nothing searchable."""
    if not isinstance(text, str):
        raise InvalidQuery(f"query must be text, not {type(text).__name__}")
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidQuery(f"query is too long: {len(text)} characters (at most {MAX_QUERY_CHARS})")
    if "\x00" in text:
        raise InvalidQuery("query contains a NUL character")
    vocab = vocab or vocabulary()
    tokens = words(text)
    concepts = _concepts(tokens, vocab)
    if not concepts and not allow_empty:
        if not text:
            raise InvalidQuery("empty query: type some words, or give filters only")
        raise InvalidQuery(
            f"nothing searchable in query {text[:80]!r}: only common words or symbols"
        )
    return ParsedQuery(text, tuple(concepts), patient_age(text), patient_sex(tokens))
