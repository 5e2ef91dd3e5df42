"""One normalized, lower-case spelling of a criterion for the rule extractors.

Comparators written as words or symbols ("no greater than", "≦", "=>") all become one of the
five symbols ≥ ≤ > < =, so each extractor only needs to know those. Lengths change; extractors work on this
normalized string only and never report character offsets of the original.
"""

from __future__ import annotations

import re

_SYMBOLS = str.maketrans(
    {
        "≥": " ≥ ",
        "≧": " ≥ ",
        "⩾": " ≥ ",
        "≤": " ≤ ",
        "≦": " ≤ ",
        "⩽": " ≤ ",
        "＞": " > ",
        "＜": " < ",
        "–": "-",
        "—": "-",
        "−": "-",
        "～": "~",
        "：": ":",
        "，": ",",
        "；": ";",
        "（": "(",
        "）": ")",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "’": "'",
    }
)
_GE = (
    "greater than or equal to|more than or equal to|higher than or equal to|equal to or greater than|"
    "equal to or more than|equal to or higher than|at least|no less than|not less than|no fewer than|"
    "not lower than|a minimum of|minimum of"
)
_LE = (
    "less than or equal to|lower than or equal to|equal to or less than|equal to or lower than|"
    "no more than|not more than|no greater than|not greater than|no higher than|not higher than|"
    "not exceeding|not to exceed|does not exceed|a maximum of|maximum of|at most|up to"
)
_GT = "greater than|more than|higher than|in excess of|exceeding|exceeds|exceed|above|over"
_LT = "less than|lower than|fewer than|below|under"
# (words, symbols, replacement): earlier groups win at the same position
_PHRASES = [
    (_GE, r">\s*/?\s*=|=\s*>|\+/=", " ≥ "),
    (_LE, r"<\s*/?\s*=|=\s*<", " ≤ "),
    (_GT, ">", " > "),
    (_LT, "<", " < "),
    ("equal to", "", " = "),
]


def _phrase_group(words: str, symbols: str) -> str:
    """Word boundaries around spelled-out comparators only ('>' needs none)."""
    body = rf"(?<![\w-])(?:{words})(?![\w])"
    return f"{body}|{symbols}" if symbols else body


_PHRASE_RE = re.compile(
    "|".join(f"(?P<g{i}>{_phrase_group(w, s)})" for i, (w, s, _r) in enumerate(_PHRASES))
)
_PHRASE_REPL = {f"g{i}": r for i, (_w, _s, r) in enumerate(_PHRASES)}
# Every comparator holds one of these (the symbols' characters, the words themselves): text
# without any of them is left as it is, without running the slow pattern over it.
_PHRASE_HINTS = ("<", ">", "=", "+", *(w for ws, _s, _r in _PHRASES for w in ws.split("|")))

_NUM_WORDS = {
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "twelve": "12",
    "fourteen": "14",
    "twenty": "20",
    "thirty": "30",
}
_NUM_WORD_RE = re.compile(
    r"\b("
    + "|".join(_NUM_WORDS)
    + r")\b(?=\s*(?:\(\d+\)\s*)?(?:times|x|fold|days?|weeks?|months?|years?)\b)"
)
_TWICE = re.compile(r"\b(?:twice|double)\b")
_NON = re.compile(r"\bnon-(?=pregnan|lactat|nursing|breast)")
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"[ \t]+")


def normalize(text: str) -> str:
    """Lower-case, symbols and comparator phrases unified, single spaces."""
    t = text.translate(_SYMBOLS).lower()
    if "non-" in t:
        t = _NON.sub("not ", t)
    if "twice" in t or "double" in t:
        t = _TWICE.sub(" 2 x ", t)
    if any(w in t for w in _NUM_WORDS):
        t = _NUM_WORD_RE.sub(lambda m: _NUM_WORDS[m.group(1)], t)
    if _DIGIT.search(t) and any(h in t for h in _PHRASE_HINTS):  # next to a number only
        t = _PHRASE_RE.sub(lambda m: _PHRASE_REPL[m.lastgroup], t)
    return " ".join(t.split())


_NUMBER = re.compile(
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|\.\d+)"
    r"(?:\s*[x×*]\s*10\s*(?:\^|\*\*|e)\s*(?P<exp>\d{1,2})(?!\s*(?:cells\s*)?/)"
    r"|\s*[x×*]\s*10(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})(?!\s*(?:cells\s*)?/))?"
)
_POWER = re.compile(r"10\s*(?:\^|\*\*)\s*(?P<exp>\d{1,2})|10(?P<sup>[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})")
_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def number_at(text: str) -> tuple[float, int] | None:
    """A number at the start of `text` ('1,500', '8,5', '2 x 10^4', '10^5') and its length."""
    m = _POWER.match(text)
    if m and not re.match(r"\s*(?:cells\s*)?/", text[m.end() :]):
        exp = m.group("exp") or m.group("sup").translate(_SUP)
        return 10.0 ** int(exp), m.end()
    m = _NUMBER.match(text)
    if not m:
        return None
    raw = m.group("num")
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        value = float(raw.replace(",", ""))
    else:
        value = float(raw.replace(",", "."))
    exp = m.group("exp") or (m.group("sup") or "").translate(_SUP)
    if exp:
        value *= 10.0 ** int(exp)
    return value, m.end()
