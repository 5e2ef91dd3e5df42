"""The store keeps every distinct version, is idempotent, and never loses what it had."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from trialscout.ingest.load import ingest_records
from trialscout.registry.sources import read_path
from trialscout.store.db import Database, StoreError, migrations
from trialscout.store.diff import diff_trials
from trialscout.store.trials import TrialNotFound, TrialStore

REG = Path(__file__).parent.parent / "data" / "registry"


def ingest(db, *paths, **kw):
    records = (r for p in paths for r in read_path(Path(p)))
    return ingest_records(db, records, **kw)


def dump(db: Database) -> list:
    """Everything stored about trials (ingest bookkeeping excluded)."""
    rows = []
    for table in ("trials", "trial_versions"):
        rows += [tuple(r) for r in db.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
    return rows


def test_migrations_are_numbered_and_recorded(db):
    applied = db.applied_migrations()
    assert [n for n, _ in applied] == [n for n, _, _ in migrations()]
    assert applied[0] == (1, "0001_core")
    again = Database(db.path)  # reopening applies nothing twice
    assert again.applied_migrations() == applied


def test_same_records_twice_change_nothing(db):
    first = ingest(db, REG)
    before = dump(db)
    second = ingest(db, REG)
    assert first.new > 0 and second.new == 0 and second.changed == 0
    assert second.unchanged == first.new + first.changed + first.older + first.unchanged
    assert dump(db) == before


def test_every_distinct_version_is_kept_with_hash_and_time(db):
    ingest(db, REG / "NCT00513591_redownloaded.xml")  # last updated 2016-06-14
    report = ingest(db, REG / "NCT00513591_mod.xml")  # 2016-06-15, new title
    assert (report.new, report.changed, report.unchanged) == (0, 1, 0)
    store = TrialStore(db)
    versions = store.versions("NCT00513591")
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].content_hash != versions[1].content_hash
    assert all(v.seen_at.endswith("Z") and v.source.endswith(".xml") for v in versions)
    record = store.get("NCT00513591")
    assert record.version == 2 and record.first_seen <= record.last_changed
    changes = diff_trials(
        store.version_data("NCT00513591", 1), store.version_data("NCT00513591", 2)
    )
    fields = {c.field: c for c in changes}
    assert fields["official_title"].new == "This Is An Updated Title"
    assert fields["last_update_posted"].old == "2016-06-14"


def test_registry_bookkeeping_alone_is_not_a_new_version(db):
    """mixed10 -> mixed50 (a day later) only flips date types ESTIMATED -> ACTUAL."""
    ingest(db, REG / "ctg-studies_mixed10_2023-06-28.json")
    report = ingest(db, REG / "ctg-studies_mixed50_2023-06-29_changed2.json")
    assert (report.changed, report.unchanged) == (0, 2)


def test_older_version_goes_to_history_not_current(db):
    ingest(db, REG / "NCT00513591.xml")  # last updated 2017
    report = ingest(db, REG / "NCT00513591_mod.xml", REG / "NCT00513591_redownloaded.xml")  # 2016
    assert report.older == 2 and report.changed == 0
    store = TrialStore(db)
    assert store.get("NCT00513591").trial.last_update_posted == "2017-06-16"
    assert len(store.versions("NCT00513591")) == 3


def test_field_level_diff_names_items():
    old = {
        "overall_status": "NOT_YET_RECRUITING",
        "locations": [
            {
                "facility": "Ningbo No.2 Hospital",
                "city": "Ningbo",
                "country": "China",
                "status": None,
            }
        ],
        "eligibility": {"criteria": "A", "sex": "ALL"},
    }
    new = {
        "overall_status": "RECRUITING",
        "locations": [
            {
                "facility": "Ningbo No.2 Hospital",
                "city": "Ningbo",
                "country": "China",
                "status": "RECRUITING",
            },
            {"facility": "Zhejiang Cancer Hospital", "city": "Hangzhou", "country": "China"},
        ],
        "eligibility": {"criteria": "B", "sex": "ALL"},
    }
    changes = {c.field: c for c in diff_trials(old, new)}
    assert changes["overall_status"].new == "RECRUITING"
    assert changes["locations[Ningbo No.2 Hospital, Ningbo, China].status"].kind == "added"
    assert changes["locations[Zhejiang Cancer Hospital, Hangzhou, China]"].kind == "added"
    assert changes["eligibility.criteria"].old == "A"
    assert diff_trials(new, new) == []


def test_bad_records_are_logged_and_good_ones_load(db):
    report = ingest(db, REG)
    rejected = {Path(e.source).name for e in report.rejections}
    assert rejected == {"NCT02278341.json", "NCT00980226-id-mismatch.xml"}
    rows = db.conn.execute(
        "SELECT source, record, field, message FROM ingest_rejections"
    ).fetchall()
    assert len(rows) == 2 and all(r["field"] and r["message"] for r in rows)
    assert TrialStore(db).count() == report.new


def test_a_failing_index_hook_rolls_back_only_that_record(db):
    ingest(db, REG / "NCT06171568.json")
    before = dump(db)

    def hook(conn, trial):
        if trial.trial_id == "NCT00763412":
            raise ValueError("index refused")

    report = ingest(db, REG / "NCT00763412.json", REG / "NCT00490620.xml", hooks=[hook])
    assert report.new == 1 and report.rejected == 1
    assert "index refused" in report.rejections[0].message
    store = TrialStore(db)
    with pytest.raises(TrialNotFound):
        store.get("NCT00763412")
    assert store.get("NCT00490620")
    assert set(before) <= set(dump(db))


def test_an_exception_mid_batch_keeps_committed_batches(db):
    records = list(read_path(REG))
    good = list({r.trial.trial_id: r for r in records if r.trial}.values())

    def boom():
        yield from good[:3]
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_records(db, boom(), batch_size=2)
    assert TrialStore(db).count() == 2  # first batch committed, second rolled back
    report = ingest_records(db, iter(good))
    assert report.unchanged == 2 and TrialStore(db).count() == len({r.trial.trial_id for r in good})
    statuses = [r[0] for r in db.conn.execute("SELECT status FROM ingest_runs ORDER BY run_id")]
    assert statuses == ["interrupted", "done"]


def test_ids_resolve_case_insensitively_and_unknown_ids_raise(db):
    ingest(db, REG / "NCT06171568.json")
    assert TrialStore(db).get(" nct06171568 ").trial.trial_id == "NCT06171568"
    with pytest.raises(TrialNotFound, match="NCT99999999"):
        TrialStore(db).get("NCT99999999")


def test_not_a_database_gets_a_clear_error(tmp_path):
    path = tmp_path / "x.db"
    path.write_text("this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable trialscout database"):
        Database(path)


def test_stats_counts(db):
    ingest(db, REG)
    stats = TrialStore(db).stats()
    assert stats["trials"] == TrialStore(db).count() and stats["versions"] >= stats["trials"]
    assert sum(stats["by_status"].values()) == stats["trials"]
    assert stats["last_ingest"]["status"] == "done"
    json.dumps(stats)


def test_wal_and_foreign_keys(db):
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(
            "INSERT INTO ingest_rejections (run_id, source, message) VALUES (999, 'x', 'y')"
        )


def count_sites(trial):
    return len(trial.locations)


def probe_hook(conn, trial, payload):
    conn.execute("CREATE TABLE IF NOT EXISTS probe (trial_id TEXT, n INTEGER)")
    conn.execute("INSERT INTO probe VALUES (?, ?)", (trial.trial_id, payload))


probe_hook.prepare = count_sites


def test_parallel_and_inline_ingest_store_the_same(tmp_path):
    from trialscout.ingest.load import preparers
    from trialscout.registry.parallel import convert_parallel
    from trialscout.registry.sources import find_records

    paths = [REG, REG / "ctg-studies_mixed10_2023-06-28.json"] * 3
    dumps = []
    for workers in (1, 2):
        with Database(tmp_path / f"w{workers}.db") as database:
            records = convert_parallel(
                find_records(paths), preparers([probe_hook]), workers=workers, chunk_size=4
            )
            report = ingest_records(database, records, hooks=[probe_hook])
            probe = database.conn.execute("SELECT * FROM probe ORDER BY 1").fetchall()
            counts = (report.new, report.changed, report.unchanged, report.older, report.rejected)
            dumps.append(([row[:3] for row in dump(database)], [tuple(r) for r in probe], counts))
    assert dumps[0] == dumps[1]
    assert len(dumps[0][1]) == dumps[0][2][0]  # the hook ran once per new trial, with payloads


def refuse_paris(trial):
    if any(loc.city == "Paris" for loc in trial.locations):
        raise RuntimeError("cannot prepare")
    return 0


def refusing_hook(conn, trial, payload):
    pass


refusing_hook.prepare = refuse_paris


def test_a_failing_prepare_in_a_worker_rejects_only_that_record(tmp_path):
    from trialscout.ingest.load import preparers
    from trialscout.registry.parallel import convert_parallel
    from trialscout.registry.sources import find_records

    with Database(tmp_path / "p.db") as database:
        records = convert_parallel(
            find_records([REG] * 4), preparers([refusing_hook]), workers=2, chunk_size=3
        )
        report = ingest_records(database, records, hooks=[refusing_hook])
        assert report.new > 0
        paris = {r.trial.trial_id for r in read_path(REG) if r.trial and refuse_paris_or(r.trial)}
        failed = {r.record for r in report.rejections if "cannot prepare" in r.message}
        assert "NCT06171568" in paris and failed == paris
        for trial_id in paris:
            with pytest.raises(TrialNotFound):
                TrialStore(database).get(trial_id)


def refuse_paris_or(trial) -> bool:
    try:
        refuse_paris(trial)
    except RuntimeError:
        return True
    return False


PREPARED: list[str] = []


def remember(trial):
    PREPARED.append(trial.trial_id)
    return 1


def counting_hook(conn, trial, payload):
    pass


counting_hook.prepare = remember


def test_unchanged_records_are_not_prepared_again(tmp_path):
    from trialscout.ingest.load import preparers
    from trialscout.ingest.records import KnownVersions
    from trialscout.registry.parallel import convert_parallel
    from trialscout.registry.sources import find_records

    with Database(tmp_path / "k.db") as database:
        for run in range(2):
            PREPARED.clear()
            records = convert_parallel(
                find_records([REG / "NCT06171568.json", REG / "NCT00490620.xml"]),
                preparers([counting_hook]),
                workers=1,
                known=KnownVersions(database.path),
            )
            report = ingest_records(database, records, hooks=[counting_hook])
            if run == 0:
                assert report.new == 2 and sorted(PREPARED) == ["NCT00490620", "NCT06171568"]
            else:
                assert report.unchanged == 2 and PREPARED == []
