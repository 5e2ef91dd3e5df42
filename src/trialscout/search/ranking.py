"""Ranking knobs and the small pure functions that use them.

Field weights follow the usual BM25F intuition (a word in the title or the conditions says more
than one in a long description); exclusion criteria get a low weight because a trial that
excludes a condition is usually not a trial for it. Values were set on TREC CT 2021 and SIGIR
(bench/search_trec.py), never on TREC 2022.
"""

from __future__ import annotations

from dataclasses import dataclass

COLUMNS = ("title", "conditions", "keywords", "interventions", "summary", "inclusion", "exclusion")


@dataclass(frozen=True, slots=True)
class Ranking:
    title: float = 4.0
    conditions: float = 4.0
    keywords: float = 2.0
    interventions: float = 2.0
    summary: float = 1.0
    inclusion: float = 1.0
    exclusion: float = 0.3
    # multiplier on the score of a trial whose age range / sex excludes the patient the query
    # describes ("a 45-year-old man ..."); a soft demotion, not a filter
    mismatch: float = 0.5
    # concepts up to this count are all required (AND), falling back to any (OR) on no hit
    and_max_concepts: int = 6

    def weights(self) -> tuple[float, ...]:
        return tuple(getattr(self, c) for c in COLUMNS)


DEFAULT = Ranking()


def admits(age: float | None, sex: str | None, row_sex, row_min, row_max) -> bool:
    """Does a trial's sex / age range admit this patient? Unknown on either side admits."""
    if sex and row_sex and row_sex not in ("ALL", sex):
        return False
    if age is not None:
        if row_min is not None and age < row_min:
            return False
        if row_max is not None and age > row_max:
            return False
    return True
