"""Optional rephrasing through an OpenAI-compatible chat endpoint the user configures.

The model only rewords sentences we already built; it never adds facts. Each rewrite is kept
only if it keeps exactly the same numbers as the original and stays short; otherwise the
original sentence stays. Any failure (no server, bad JSON, timeout) returns the deterministic
summary unchanged. Standard library only, so the core stays light.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, replace

from trialscout.summary.model import Section, Sentence, Summary
from trialscout.summary.readability import fk_grade

URL_ENV = "TRIALSCOUT_LLM_URL"  # e.g. http://127.0.0.1:8080/v1
MODEL_ENV = "TRIALSCOUT_LLM_MODEL"
KEY_ENV = "TRIALSCOUT_LLM_API_KEY"

PROMPT = (
    "Rewrite each numbered sentence in plain English a 12-year-old can read. "
    "Keep every fact, name and number exactly; add nothing; do not merge or split sentences. "
    'Answer with JSON only: {"sentences": ["...", ...]} with the same count and order.'
)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True, slots=True)
class LlmConfig:
    url: str
    model: str = "default"
    api_key: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_env(cls) -> LlmConfig | None:
        url = os.environ.get(URL_ENV)
        if not url:
            return None
        return cls(url, os.environ.get(MODEL_ENV) or "default", os.environ.get(KEY_ENV))


class LlmError(RuntimeError):
    """The endpoint failed or answered something we cannot use."""


def rephrase(summary: Summary, config: LlmConfig) -> Summary:
    """The summary with sentences reworded where the rewrite passes the checks; never raises."""
    sections = []
    changed = False
    for section in summary.sections:
        try:
            new = _rephrase_section(section, config)
        except LlmError:
            return summary
        changed = changed or new != section.sentences
        sections.append(Section(section.title, new))
    if not changed:
        return summary
    result = replace(summary, sections=sections, backend="llm")
    result.grade = fk_grade(result.text)
    return result


def _rephrase_section(section: Section, config: LlmConfig) -> list[Sentence]:
    if not section.sentences:
        return []
    numbered = "\n".join(f"{i + 1}. {s.text}" for i, s in enumerate(section.sentences))
    answer = _chat(config, numbered)
    texts = _parse(answer, len(section.sentences))
    return [
        Sentence(new, old.source, old.reference) if acceptable(old.text, new) else old
        for old, new in zip(section.sentences, texts, strict=True)
    ]


def acceptable(original: str, rewrite: str) -> bool:
    """Same numbers, not empty, not much longer: a rewrite that could not have added facts."""
    rewrite = rewrite.strip()
    if not rewrite or len(rewrite) > 1.5 * len(original) + 20:
        return False
    return sorted(_NUMBER.findall(original)) == sorted(_NUMBER.findall(rewrite))


def _chat(config: LlmConfig, content: str) -> str:
    body = {
        "model": config.model,
        "temperature": 0,
        "messages": [
            {"role": "system", "content": PROMPT},
            {"role": "user", "content": content},
        ],
    }
    headers = {"Content-Type": "application/json"}
    if config.api_key:
        headers["Authorization"] = f"Bearer {config.api_key}"
    url = config.url.rstrip("/") + "/chat/completions"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=config.timeout) as response:
            data = json.loads(response.read().decode("utf-8"))
        return str(data["choices"][0]["message"]["content"])
    except (urllib.error.URLError, OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmError(f"LLM endpoint {url}: {exc}") from exc


def _parse(answer: str, count: int) -> list[str]:
    match = re.search(r"\{.*\}", answer, re.S)
    try:
        data = json.loads(match.group(0) if match else answer)
        texts = data["sentences"] if isinstance(data, dict) else data
    except (ValueError, KeyError, TypeError) as exc:
        raise LlmError(f"LLM answer is not the JSON asked for: {exc}") from exc
    if not isinstance(texts, list) or len(texts) != count:
        raise LlmError(
            f"LLM answer has {len(texts) if isinstance(texts, list) else '?'} sentences, not {count}"
        )
    return [str(t) for t in texts]
