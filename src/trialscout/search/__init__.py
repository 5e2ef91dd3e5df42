"""Trial search: lexical (FTS5/BM25) with synonyms, optional semantic/hybrid retrieval (the
`embed` extra, `search.semantic`), filters, distance, facets, similar trials."""

from trialscout.search.engine import search
from trialscout.search.errors import (
    EmbedExtraMissing,
    InvalidFilter,
    InvalidQuery,
    NoEmbeddings,
    PlaceNotFound,
    SearchError,
)
from trialscout.search.filters import SearchFilters
from trialscout.search.geo import Place, resolve_place
from trialscout.search.results import SearchHit, SearchPage, SimilarTrial
from trialscout.search.similar import similar_trials

__all__ = [
    "EmbedExtraMissing",
    "NoEmbeddings",
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
