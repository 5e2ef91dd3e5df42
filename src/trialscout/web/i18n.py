"""The interface in a second language (Simplified Chinese): which language a request gets, and
the catalog that turns English interface wording into it.

One shared jinja2 Environment serves every request, so the language is read per render from the
template context (`lang`), never stored on the environment. Template strings go through `_()`;
wording built in Python (labels, summary sentences, eligibility reasons) is translated when shown
by the `tr` filter, from exact entries or from patterns such as "Phase {n}" whose placeholders
are filled with the original values (translated again if the catalog knows them). Registry text
matches no entry, so it stays as registered.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from jinja2 import pass_context
from markupsafe import Markup

from trialscout import plain

LANGUAGES = ("en", "zh")
DEFAULT = "en"
COOKIE = "lang"
NAMES = {"en": "English", "zh": "中文"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)s")
_NUMBER_SLOT = r"[-+]?\d[\d,.]*"


def placeholders(text: str) -> set[str]:
    """Names of the `{name}` and `%(name)s` placeholders in a catalog entry."""
    return {a or b for a, b in _PLACEHOLDER.findall(text)}


@dataclass(slots=True)
class Pattern:
    """A catalog entry with `{name}` slots; slots named n, n2... take numbers only; slots named
    t, t2... must themselves be catalog wording."""

    english: str
    target: str
    regex: re.Pattern[str]
    anchor: str  # the longest fixed part: a cheap `in` test before the regex
    weight: int  # fixed characters: the most specific pattern wins


def _compile(english: str, target: str) -> Pattern:
    parts, pos, fixed = [], 0, []
    for m in re.finditer(r"\{(\w+)\}", english):
        literal = english[pos : m.start()]
        parts.append(re.escape(literal))
        fixed.append(literal)
        name = m.group(1)
        slot = _NUMBER_SLOT if re.fullmatch(r"n\d*", name) else ".+?"
        parts.append(f"(?P<{name}>{slot})")
        pos = m.end()
    fixed.append(english[pos:])
    parts.append(re.escape(english[pos:]))
    regex = re.compile("".join(parts), re.S)
    anchor = max(fixed, key=len)
    return Pattern(english, target, regex, anchor, sum(len(f.strip()) for f in fixed))


@dataclass
class Catalog:
    """One language: exact entries and patterns, checked when loaded."""

    lang: str
    exact: dict[str, str]
    patterns: list[Pattern] = field(default_factory=list)

    def gettext(self, text: str) -> str:
        return self.exact.get(text, text)

    def translate(self, text: str, depth: int = 0) -> str:
        """Python-built wording in this language; text the catalog does not know is kept."""
        if not text or depth > 3:
            return text
        hit = self.exact.get(text)
        if hit is not None:
            return hit
        stripped = text.strip()
        if stripped != text:
            return text.replace(stripped, self.translate(stripped, depth), 1)
        for p in self.patterns:
            if p.anchor not in text:
                continue
            m = p.regex.fullmatch(text)
            if m is None:
                continue
            values = {k: self.translate(v, depth + 1) for k, v in m.groupdict().items()}
            # slots named t, t2... hold interface words: a pattern such as "{t} to {t2}" must
            # not split registry text that merely contains " to "
            if all(values[k] != v for k, v in m.groupdict().items() if k.startswith("t")):
                return p.target.format(**values)
        return text


def _check(lang: str, raw: dict[str, Any]) -> dict[str, str]:
    """Every section maps English to a translation with the same placeholders."""
    merged: dict[str, str] = {}
    for section, entries in raw.items():
        if section.startswith("_"):
            continue
        if not isinstance(entries, dict):
            raise ValueError(f"locale/{lang}.json: section {section!r} must be an object")
        for english, target in entries.items():
            if not isinstance(target, str) or not target.strip():
                raise ValueError(f"locale/{lang}.json: {section}: {english!r} has no translation")
            if placeholders(english) != placeholders(target):
                raise ValueError(
                    f"locale/{lang}.json: {section}: {english!r}: placeholders differ "
                    f"({sorted(placeholders(english))} vs {sorted(placeholders(target))})"
                )
            if merged.get(english, target) != target:
                raise ValueError(
                    f"locale/{lang}.json: {section}: {english!r} is translated differently "
                    "in another section"
                )
            merged[english] = target
    return merged


def catalog_sections(lang: str) -> dict[str, dict[str, str]]:
    """The raw catalog file (for the consistency tests): section -> English -> translation."""
    text = resources.files(__package__).joinpath(f"locale/{lang}.json").read_text("utf-8")
    raw = json.loads(text)
    return {k: v for k, v in raw.items() if not k.startswith("_")}


@cache
def catalog(lang: str) -> Catalog | None:
    """The checked catalog of `lang`; None for English (the templates' own words)."""
    if lang == DEFAULT:
        return None
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; valid: {', '.join(LANGUAGES)}")
    merged = _check(lang, catalog_sections(lang))
    exact = {k: v for k, v in merged.items() if not re.search(r"\{\w+\}", k)}
    patterns = [_compile(k, v) for k, v in merged.items() if re.search(r"\{\w+\}", k)]
    patterns.sort(key=lambda p: -p.weight)
    return Catalog(lang, exact, patterns)


def choose(cookie: str | None, accept_language: str | None) -> str:
    """The cookie set by the language switch wins; else the browser's best supported language
    by q-value (ties keep the browser's order); else English."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    best, best_q = DEFAULT, 0.0
    for item in (accept_language or "")[:1000].split(",")[:30]:
        tag, _, params = item.strip().partition(";")
        q = 1.0
        m = re.search(r"\bq\s*=\s*([^;\s]*)", params)
        if m:
            try:
                q = float(m.group(1))
            except ValueError:
                continue  # a broken q-value: that entry is ignored
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best


def safe_next(target: str | None) -> str:
    """Where the switch returns to: a path on this site only (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _lang(context) -> str:
    return context.get("lang") or DEFAULT


@pass_context
def gettext(context, message: str) -> str:
    cat = catalog(_lang(context))
    return cat.gettext(message) if cat else message


@pass_context
def ngettext(context, singular: str, plural: str, n: int) -> str:
    cat = catalog(_lang(context))
    if cat:  # Chinese has one form: the catalog keys it by the plural
        return cat.gettext(plural)
    return singular if n == 1 else plural


def translate(lang: str, text: Any) -> Any:
    """Python-built text in `lang`; Markup and non-strings pass unchanged."""
    cat = catalog(lang)
    if cat is None or not isinstance(text, str) or isinstance(text, Markup):
        return text
    return _cached(lang, text)


@lru_cache(maxsize=20000)
def _cached(lang: str, text: str) -> str:
    cat = catalog(lang)
    return cat.translate(text) if cat else text


@pass_context
def tr(context, text: Any) -> Any:
    """Template filter: wording built in Python, in the page's language."""
    return translate(_lang(context), text)


def translated(func):
    """A display filter whose English result is translated for the page's language."""

    @pass_context
    def wrapper(context, *args, **kwargs):
        return translate(_lang(context), func(*args, **kwargs))

    wrapper.__name__ = getattr(func, "__name__", "filter")
    wrapper.__doc__ = func.__doc__
    return wrapper


@pass_context
def to_doctor(context, question: str) -> str:
    """A question as the patient asks their doctor. In Chinese the patient's question itself is
    translated and "您" (you) becomes "我" (I), so no second set of entries is needed."""
    asked = plain.to_doctor(question)
    lang = _lang(context)
    if lang == DEFAULT or not asked:
        return asked
    shown = translate(lang, question)
    return shown.replace("您", "我") if shown != question else translate(lang, asked)


def install(env) -> None:
    """Context-based gettext on the shared environment, and `tr` for Python-built text."""
    env.install_gettext_callables(gettext, ngettext, newstyle=True)
    env.filters["tr"] = tr
    env.filters["to_doctor"] = to_doctor
    env.globals["LANGUAGES"] = LANGUAGES
    env.globals["LANGUAGE_NAMES"] = NAMES
