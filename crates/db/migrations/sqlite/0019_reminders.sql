-- Reminder rules per subject kind, and notices waiting for a recipient. SQLite dialect. Keep in
-- step with ../postgres.
--
-- reminder_settings: the office's rules per subject kind (obligation, feedback_round,
-- application, message, proposal); a kind without a row uses gongkai_domain::reminder's
-- defaults, and a plan's own row in reminder_rules takes precedence for its periods and rounds.
CREATE TABLE reminder_settings (
    subject       TEXT PRIMARY KEY,
    days_before   INTEGER NOT NULL,
    on_day        INTEGER NOT NULL,
    overdue_every INTEGER NOT NULL,
    overdue_max   INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- A notice addressed to an organisation and an audience (unit, handler, reviewer, office) that
-- had no recipient when it was delivered. It is delivered again (and delivered_at set) as soon
-- as a user who can act on it exists. dedupe_key is the notice's own key: kept once.
CREATE TABLE pending_notices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    dedupe_key   TEXT NOT NULL UNIQUE,
    org_id       INTEGER REFERENCES organisations(id) ON DELETE CASCADE,
    audience     TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX pending_notices_open ON pending_notices(delivered_at, org_id);
