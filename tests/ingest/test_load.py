"""Records are stored first; workers hand over each record's compressed canonical JSON and
hash, which must be exactly what the writer would have computed itself."""

from __future__ import annotations

from pathlib import Path

from trialscout.ingest import pipeline
from trialscout.ingest.load import ENCODED, ingest_records
from trialscout.store.db import Database
from trialscout.store.trials import decode

SAMPLE = Path(__file__).parent.parent / "data" / "search" / "v2_sample.jsonl"


def _versions(db: Database) -> list[tuple]:
    return [
        (r[0], r[1], decode(r[2]))
        for r in db.conn.execute(
            "SELECT trial_id, content_hash, data FROM trial_versions ORDER BY trial_id"
        )
    ]


def test_prepared_encoding_stores_the_same_bytes(tmp_path):
    with Database(tmp_path / "a.db") as a, Database(tmp_path / "b.db") as b:
        records = list(pipeline.read_for_ingest([SAMPLE], workers=1))
        assert all(r.prepared and ENCODED in r.prepared for r in records if r.trial)
        ingest_records(a, records, hooks=[])
        for r in records:
            r.prepared = None  # the writer encodes itself
        ingest_records(b, records, hooks=[])
        assert _versions(a) == _versions(b) and len(_versions(a)) > 10


def test_a_failed_prepare_falls_back_to_encoding_in_the_writer(tmp_path):
    from trialscout.registry.parallel import PrepareFailed

    with Database(tmp_path / "a.db") as db:
        records = list(pipeline.read_for_ingest([SAMPLE], workers=1))
        for r in records:
            r.prepared = {ENCODED: PrepareFailed("boom")}
        report = ingest_records(db, records, hooks=[])
        assert report.new == len(records) and report.rejected == 0
