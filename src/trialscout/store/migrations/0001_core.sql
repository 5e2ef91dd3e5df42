-- Trials and every distinct version of each, plus a log of ingest runs and what they rejected.
CREATE TABLE trials (
    trial_id TEXT PRIMARY KEY,
    nct_id TEXT,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_changed TEXT NOT NULL,
    title TEXT,
    overall_status TEXT,
    study_type TEXT,
    phases TEXT,
    sex TEXT,
    min_age_years REAL,
    max_age_years REAL,
    healthy_volunteers INTEGER,
    has_results INTEGER NOT NULL DEFAULT 0,
    enrollment INTEGER,
    start_date TEXT,
    last_update_posted TEXT
);
CREATE INDEX trials_nct ON trials (nct_id);
CREATE INDEX trials_status ON trials (overall_status);

CREATE TABLE trial_versions (
    trial_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    seen_at TEXT NOT NULL,
    source TEXT,
    data BLOB NOT NULL,  -- zlib-compressed canonical JSON of the Trial
    PRIMARY KEY (trial_id, version)
) WITHOUT ROWID;
CREATE INDEX trial_versions_hash ON trial_versions (trial_id, content_hash);

CREATE TABLE ingest_runs (
    run_id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    sources TEXT NOT NULL,
    new INTEGER NOT NULL DEFAULT 0,
    changed INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'running'
);

CREATE TABLE ingest_rejections (
    run_id INTEGER NOT NULL REFERENCES ingest_runs (run_id),
    source TEXT NOT NULL,
    record TEXT,
    field TEXT,
    message TEXT NOT NULL
);
