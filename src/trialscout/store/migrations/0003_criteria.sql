-- Parsed eligibility criteria (contract 1) for the current version of each trial.
-- Written by trialscout.criteria.storage:store_criteria inside the ingest savepoint.
CREATE TABLE trial_criteria (
    trial_id TEXT PRIMARY KEY REFERENCES trials (trial_id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    parser_version INTEGER NOT NULL,
    text_hash TEXT NOT NULL,  -- sha1 of the criteria text: unchanged text is not re-parsed
    n_criteria INTEGER NOT NULL,
    n_rules INTEGER NOT NULL,
    n_computable INTEGER NOT NULL,  -- rules other than `other`
    parsed TEXT NOT NULL  -- contract 1 as JSON
);
