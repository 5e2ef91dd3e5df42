-- Alerts: change events detected at ingest, subscriptions, and the outbox that makes delivery
-- exactly-once (a message is planned and cursors advance in one transaction; sending only flips
-- the message's status).
CREATE TABLE alert_changes (
    event_id INTEGER PRIMARY KEY,
    trial_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    prev_version INTEGER,
    category TEXT NOT NULL,  -- new | status | eligibility | criteria | site | contacts | dates | enrollment | results
    field TEXT NOT NULL,
    old TEXT,  -- JSON
    new TEXT,  -- JSON
    detected_at TEXT NOT NULL
);
CREATE INDEX alert_changes_trial ON alert_changes (trial_id, event_id);

-- The version the change hook last saw as current, so "previous" skips versions kept as older.
CREATE TABLE alert_trial_state (
    trial_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE alert_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE alert_subscriptions (
    sub_id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    kind TEXT NOT NULL,  -- trial | search | profile
    trial_id TEXT,
    search TEXT,
    filters TEXT,  -- JSON
    place TEXT,
    place_lat REAL,
    place_lon REAL,
    radius_km REAL,
    profile TEXT,  -- JSON, only when the user saves it with the subscription
    frequency TEXT NOT NULL DEFAULT 'immediately',
    status TEXT NOT NULL DEFAULT 'pending',  -- pending | active | unsubscribed
    salt TEXT NOT NULL,  -- per-subscription secret mixed into its signed tokens
    created_at TEXT NOT NULL,
    confirmed_at TEXT,
    unsubscribed_at TEXT,
    last_event_id INTEGER NOT NULL DEFAULT 0,
    last_sent_at TEXT,
    last_error TEXT
);
CREATE INDEX alert_subscriptions_email ON alert_subscriptions (email);
CREATE INDEX alert_subscriptions_status ON alert_subscriptions (status, kind);

CREATE TABLE alert_messages (
    msg_id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,  -- confirm | digest
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    headers TEXT NOT NULL DEFAULT '{}',  -- JSON
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX alert_messages_due ON alert_messages (status, next_attempt_at);

CREATE TABLE alert_message_parts (
    msg_id INTEGER NOT NULL REFERENCES alert_messages (msg_id),
    sub_id INTEGER NOT NULL REFERENCES alert_subscriptions (sub_id),
    first_event_id INTEGER NOT NULL,
    last_event_id INTEGER NOT NULL,
    PRIMARY KEY (msg_id, sub_id)
) WITHOUT ROWID;
