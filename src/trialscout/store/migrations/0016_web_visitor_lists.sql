-- Web (issue 14): a visitor's saved trials, the pre-screen answers a person chose to send with
-- a contact request, and share links that can be listed, expire and be revoked.
-- Every visitor-owned row carries visitor_id; every read filters on it (web/records*.py).
CREATE TABLE saved_trials (
    visitor_id TEXT NOT NULL,
    trial_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (visitor_id, trial_id)
) WITHOUT ROWID;

-- Only when the person ticked "send my answers"; the wording they agreed to is kept with them.
CREATE TABLE contact_prescreen (
    request_id INTEGER PRIMARY KEY REFERENCES contact_requests (request_id),
    answers TEXT NOT NULL,  -- JSON list of {"question", "answer"} as the person saw them
    consent_text TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- Share links: the token's first 6 characters (to tell links apart; the rest stays hashed),
-- an optional expiry (unix time), the last right passcode, and revocation (410 after it).
ALTER TABLE note_shares ADD COLUMN token_prefix TEXT;
ALTER TABLE note_shares ADD COLUMN expires_at REAL;
ALTER TABLE note_shares ADD COLUMN last_used_at TEXT;
ALTER TABLE note_shares ADD COLUMN revoked_at TEXT;
