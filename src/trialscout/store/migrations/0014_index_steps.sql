-- Index steps (issue 13): which version of each trial every derived index has processed, so a
-- step redoes only new or changed trials and a killed run resumes; and each step's pending
-- count, which search reads to say when an index is still being built.
CREATE TABLE index_done (
    step TEXT NOT NULL,
    trial_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    step_version TEXT NOT NULL,  -- e.g. the criteria parser version
    error TEXT,  -- why this trial could not be indexed (kept, so it is not retried every run)
    PRIMARY KEY (step, trial_id)
) WITHOUT ROWID;

CREATE TABLE index_progress (
    step TEXT PRIMARY KEY,
    pending INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);

-- databases indexed in the ingest transaction (before index steps) are up to date
INSERT INTO index_done (step, trial_id, version, step_version)
SELECT 'search', t.trial_id, t.version, '1' FROM trials t JOIN search_docs d ON d.doc_id = t.rowid;
INSERT OR REPLACE INTO index_done (step, trial_id, version, step_version)
SELECT 'criteria', trial_id, version, CAST(parser_version AS TEXT) FROM trial_criteria;
