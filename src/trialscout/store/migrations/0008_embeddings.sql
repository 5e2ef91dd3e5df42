-- Semantic search (issue 3, optional `embed` extra): one sentence embedding per trial and model.
-- content_hash is the hash of the exact text embedded, so `trialscout embed` only recomputes
-- trials whose text changed. vector is little-endian float32, L2-normalized (dot = cosine).
CREATE TABLE search_embeddings (
    trial_id TEXT NOT NULL,
    model TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    dim INTEGER NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (trial_id, model)
) WITHOUT ROWID;
CREATE INDEX search_embeddings_model ON search_embeddings (model);
