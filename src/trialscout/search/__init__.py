"""Trial search: lexical (FTS5/BM25) with synonyms, filters, distance, facets, similar trials."""

from trialscout.search.engine import search
from trialscout.search.errors import InvalidFilter, InvalidQuery, PlaceNotFound, SearchError
from trialscout.search.filters import SearchFilters
from trialscout.search.geo import Place, resolve_place
from trialscout.search.results import SearchHit, SearchPage, SimilarTrial
from trialscout.search.similar import similar_trials

__all__ = [
    "InvalidFilter",
    "InvalidQuery",
    "Place",
    "PlaceNotFound",
    "SearchError",
    "SearchFilters",
    "SearchHit",
    "SearchPage",
    "SimilarTrial",
    "resolve_place",
    "search",
    "similar_trials",
]
