"""Plain-language trial summaries: deterministic, offline, every sentence traceable.

from trialscout.summary import summarize
s = summarize(trial, criteria)      # criteria: contract-1 dict or None
s.sections[0].sentences[0].source   # "interventions", "glossary:sorafenib", ...
"""

from trialscout.summary.generate import summarize
from trialscout.summary.model import DISCLAIMER, SECTION_TITLES, Section, Sentence, Summary

__all__ = ["DISCLAIMER", "SECTION_TITLES", "Section", "Sentence", "Summary", "summarize"]
