"""Read a free-text clinical note (TREC topic, referral letter) into a `Patient`.

One pass: the note is split into sentences, `vocab.find` lists every concept mentioned, and the
ConText engine (`context.py`, rules in `data/context.yaml`) says how each mention is stated:
present, negated, historical, hypothetical or family. Facts carry that status; values next to lab
and score names are read by `note_values`. A note is a complete history (`complete_history`).
The matcher asks the same engine about any term with `note_mention` / `NoteText.assertion`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from trialscout import vocab
from trialscout.patient import note_values
from trialscout.patient.context import assert_spans, rules, tokenize
from trialscout.patient.limits import MAX_NOTE_BYTES, read_text
from trialscout.patient.model import (
    Assertion,
    ConditionFact,
    LabValue,
    Patient,
    PatientError,
    TherapyFact,
)

_BOUNDARY = re.compile(r"[.!?](?=\s)|\n")  # sentence ends; one character, so linear
MAX_SENTENCE = 600  # characters: longer runs are cut at a space so scopes stay local
# When one concept is stated several times, the strongest statement about the patient wins.
_STRENGTH = (
    Assertion.PRESENT,
    Assertion.HISTORICAL,
    Assertion.NEGATED,
    Assertion.HYPOTHETICAL,
    Assertion.FAMILY,
)


@dataclass(frozen=True, slots=True)
class Stated:
    """One vocabulary mention with how its sentence states it."""

    kind: str
    id: str
    assertion: Assertion
    start: int
    end: int


_TEST_AFTER = re.compile(r"\s*(?:tests?|screen(?:ing)?|assays?|serology)\b", re.I)


def _names_a_test(text: str, end: int) -> bool:
    """'pregnancy test ... negative', 'HIV test': the mention names a test, not the condition
    (the result is read as a measurement, if at all)."""
    return _TEST_AFTER.match(text, end) is not None


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence; overlong runs cut at a space near MAX_SENTENCE."""
    out: list[tuple[int, int]] = []
    start = 0
    for m in (*_BOUNDARY.finditer(text), None):
        end = m.end() if m else len(text)
        while end - start > MAX_SENTENCE:
            cut = text.rfind(" ", start + 1, start + MAX_SENTENCE)
            cut = cut if cut > start else start + MAX_SENTENCE
            out.append((start, cut))
            start = cut
        if text[start:end].strip():
            out.append((start, end))
        start = end
    return out


def section_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, category) of the lines under a heading listed in context.yaml `sections`
    ("Past Medical History:" -> historical), up to a blank line or the next heading."""
    table = rules().sections
    out: list[tuple[int, int, str]] = []
    current: tuple[int, str] | None = None
    at = 0
    for line in text.splitlines(keepends=True):
        head = line.strip()
        heading = head.endswith(":") and len(head) < 60
        if current and (not head or heading):
            out.append((current[0], at, current[1]))
            current = None
        key = " ".join(head[:-1].lower().split()) if heading else ""
        if key in table:
            current = (at + len(line), table[key])
        at += len(line)
    if current:
        out.append((current[0], at, current[1]))
    return out


def _combine(found: Iterable[Assertion]) -> Assertion | None:
    states = set(found)
    return next((s for s in _STRENGTH if s in states), None)


class NoteText:
    """A note read once: its sentences and every vocabulary mention with its assertion."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.sentences = sentences(text)
        self._starts = [s for s, _ in self.sentences]
        self._section = section_spans(text)
        found = vocab.find(text, ("condition", "therapy"))
        self.mentions = self._assert([m for m in found if not _names_a_test(text, m.end)])
        self.measures = vocab.find(text, ("lab", "score"))
        self._cache: dict[str, bool | None] = {}

    def sentence_of(self, start: int) -> tuple[int, int]:
        return self.sentences[max(0, bisect_right(self._starts, start) - 1)]

    def _assert(self, found: list[vocab.Mention]) -> list[Stated]:
        by_sentence: dict[tuple[int, int], list[vocab.Mention]] = {}
        for m in found:
            by_sentence.setdefault(self.sentence_of(m.start), []).append(m)
        out = []
        for (s, e), group in by_sentence.items():
            states = assert_spans(self.text[s:e], s, [(m.start, m.end) for m in group])
            for m, state in zip(group, states, strict=True):
                if m.negated and state in (Assertion.PRESENT, Assertion.HISTORICAL):
                    state = Assertion.NEGATED  # "anti-HCV negative"
                elif state == Assertion.PRESENT:
                    state = self._in_section(m.start) or state
                if state == Assertion.NEGATED and not m.negated and self._narrowed(s, m.start):
                    continue  # "negative for obstructive pancreatitis": a narrower thing
                out.append(Stated(m.kind, m.id, state, m.start, m.end))
        return sorted(out, key=lambda x: x.start)

    def _narrowed(self, sentence_start: int, at: int) -> bool:
        """Is the mention right after a word that narrows it (not a trigger or filler word)?"""
        before = tokenize(self.text[max(sentence_start, at - 40) : at])  # bounded: linear
        if not before:
            return False
        word = before[-1].text
        return word not in rules().negation_keeps and word not in rules().by_first

    def _in_section(self, at: int) -> Assertion | None:
        i = bisect_right(self._section, (at, len(self.text) + 1, "")) - 1
        if i >= 0 and self._section[i][0] <= at < self._section[i][1]:
            return Assertion(self._section[i][2])
        return None

    def assertion(self, concept_id: str, kind: str, hierarchy: bool = True) -> Assertion | None:
        """How the note states a concept, or None when it never mentions it.

        With `hierarchy`, a narrower concept stated as the patient's counts ("HCC" answers
        "liver cancer"), and a broader concept negated counts ("no cancer" answers "HCC")."""
        if hierarchy and kind in vocab.KINDS and concept_id in vocab.concepts(kind):
            narrower = vocab.descendants(concept_id, kind) | {concept_id}
            broader = vocab.ancestors(concept_id, kind) | {concept_id}
        else:
            narrower = broader = frozenset({concept_id})
        states = []
        for m in self.mentions:
            if m.kind != kind:
                continue
            said = m.id == concept_id
            implies = m.id in (narrower if m.assertion in _OWN else broader)
            if said or (implies and m.assertion in (*_OWN, Assertion.NEGATED)):
                states.append(m.assertion)
        return _combine(states)

    def phrase(self, term: str) -> Assertion | None:
        """How the note states a literal phrase (for terms outside the vocabulary)."""
        key = " ".join(term.lower().split())
        if len(key) < 2:
            return None
        low, at = self.text.lower(), 0
        by_sentence: dict[tuple[int, int], list[tuple[int, int]]] = {}
        while (at := low.find(key, at)) >= 0:
            end = at + len(key)
            if _bounded(low, at, end):
                by_sentence.setdefault(self.sentence_of(at), []).append((at, end))
            at = end
        states = []
        for (s, e), spans in by_sentence.items():
            for (at, _), state in zip(spans, assert_spans(self.text[s:e], s, spans), strict=True):
                in_section = self._in_section(at) if state == Assertion.PRESENT else None
                states.append(in_section or state)
        return _combine(states)

    def mention(self, term: str) -> bool | None:
        """True if stated as the patient's (now or before), False if only negated, else None.

        The interface `match/` uses today: a vocabulary term is looked up by concept (with the
        hierarchy), any other term as a literal phrase; both through the same engine."""
        key = term.lower().strip()
        if key not in self._cache:
            state = None
            for kind in vocab.KINDS:
                cid = vocab.canonical(key, kind)
                if cid is not None:
                    state = _combine(filter(None, [state, self.assertion(cid, kind)]))
            if state is None:
                state = self.phrase(key)
            self._cache[key] = _as_bool(state)
        return self._cache[key]


_OWN = (Assertion.PRESENT, Assertion.HISTORICAL)


def _as_bool(state: Assertion | None) -> bool | None:
    if state in _OWN:
        return True
    return False if state == Assertion.NEGATED else None


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum())


@lru_cache(maxsize=16)
def parsed(text: str) -> NoteText:
    """One NoteText per note text (cached: the matcher asks about many terms)."""
    return NoteText(text)


def note_mention(patient: Patient, concept_id: str, kind: str) -> Assertion | None:
    """How the patient's note states a concept (`vocab` id and kind), None when not mentioned
    or when the patient has no note. Uses the hierarchy (see `NoteText.assertion`)."""
    if not patient.note:
        return None
    return parsed(patient.note).assertion(concept_id, kind)


def read_note(path: str | Path) -> Patient:
    path = Path(path)
    text = read_text(path, MAX_NOTE_BYTES, "note")
    if not text.strip():
        raise PatientError(f"{path}: the note is empty")
    return note_to_patient(text, str(path))


def note_to_patient(text: str, where: str = "note") -> Patient:
    """Facts, values, age, sex, pregnancy and place from a note (a complete history)."""
    low = text.lower()
    p = Patient(note=text, source=where, complete_history=True)
    p.age = note_values.age(low)
    p.sex = note_values.sex(low)
    note = parsed(text)
    _facts(p, note)
    _measures(p, note)
    p.pregnant = _pregnant(p, note)
    p.location = note_values.location(text)
    return p


def _facts(p: Patient, note: NoteText) -> None:
    by_concept: dict[tuple[str, str], list[Assertion]] = {}
    for m in note.mentions:
        by_concept.setdefault((m.kind, m.id), []).append(m.assertion)
    for (kind, cid), states in by_concept.items():
        state = _combine(states) or Assertion.PRESENT
        present = state != Assertion.NEGATED
        codes = list(vocab.concepts(kind)[cid].codes)
        if kind == "condition":
            p.conditions.append(ConditionFact(cid, present, codes, assertion=state, concept=cid))
        else:
            p.therapies.append(TherapyFact(cid, present, codes=codes, assertion=state, concept=cid))


MAX_TRIES = 20  # mentions of one analyte or score read for a value (the latest first)


def _measures(p: Patient, note: NoteText) -> None:
    """Lab values and scores; the last statement in the note is the latest."""
    tries: dict[str, int] = {}
    for m in reversed(note.measures):
        if m.id in p.labs or m.id in p.scores or tries.get(m.id, 0) >= MAX_TRIES:
            continue
        tries[m.id] = tries.get(m.id, 0) + 1
        start, end = note.sentence_of(m.start)
        after = note.text[m.end : end]
        if m.kind == "score":
            found = note_values.score_value(m.id, after)
            if found and found[0] not in p.scores:
                p.scores[found[0]] = found[1]
            continue
        value = note_values.lab_value(m.id, after)
        if value is None and vocab.analyte(m.id).qualitative:
            result = note_values.qualitative_before(note.text[start : m.start])
            if result:
                value = LabValue(m.id, None, "", result=note_values.canonical_result(m.id, result))
        if value is not None:
            p.labs[m.id] = value


def _pregnant(p: Patient, note: NoteText) -> bool | None:
    """Pregnant when "pregnant" is said of the patient ("pregnancy-induced ..." is history);
    not pregnant when a pregnancy is negated ("negative for pregnancy") or the patient is male."""
    if p.sex == "male":
        return False
    states = set()
    for m in note.mentions:
        said = note.text[m.start : m.end].lower()
        negated = m.assertion == Assertion.NEGATED and said.startswith("pregnan")
        if m.id == "pregnancy" and (negated or said.startswith("pregnant")):
            states.add(m.assertion)
    return _as_bool(_combine(states))
