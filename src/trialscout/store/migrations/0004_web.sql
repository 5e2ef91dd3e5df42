-- Web app state (issue 6): visitor contact requests, private notes and their passcode-protected
-- share links, rate-limit counters, coordinator accounts and the app's signing secret.
-- Every visitor-owned row carries visitor_id; every read filters on it.
CREATE TABLE web_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE contact_requests (
    request_id INTEGER PRIMARY KEY,
    trial_id TEXT NOT NULL,
    visitor_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    language TEXT,
    message TEXT,
    consent INTEGER NOT NULL CHECK (consent = 1),
    status TEXT NOT NULL DEFAULT 'new',
    created_at TEXT NOT NULL
);
CREATE INDEX contact_requests_trial ON contact_requests (trial_id);
CREATE INDEX contact_requests_visitor ON contact_requests (visitor_id);

CREATE TABLE private_notes (
    note_id INTEGER PRIMARY KEY,
    visitor_id TEXT NOT NULL,
    trial_id TEXT NOT NULL,
    quote TEXT,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX private_notes_owner ON private_notes (visitor_id, trial_id);

CREATE TABLE note_shares (
    share_id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,  -- sha256 of the link token; the token itself is never stored
    visitor_id TEXT NOT NULL,
    trial_id TEXT NOT NULL,
    passcode_hash TEXT NOT NULL,      -- scrypt$salt$hash
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until REAL,                -- unix time; NULL = not locked
    created_at TEXT NOT NULL
);
CREATE INDEX note_shares_owner ON note_shares (visitor_id, trial_id);

CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start REAL NOT NULL,
    count INTEGER NOT NULL
);

CREATE TABLE coordinators (
    username TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until REAL,
    created_at TEXT NOT NULL
);

CREATE TABLE visitor_subscriptions (
    visitor_id TEXT NOT NULL,
    email TEXT NOT NULL,
    kind TEXT NOT NULL,               -- trial | search
    target TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX visitor_subscriptions_owner ON visitor_subscriptions (visitor_id);
