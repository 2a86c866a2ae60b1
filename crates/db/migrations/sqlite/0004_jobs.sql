-- Background jobs, reminder rules and in-app notifications. SQLite dialect. Keep in step with
-- ../postgres.
--
-- jobs: a queue shared by every serve node. A node claims due jobs by setting status 'running',
-- locked_by (its node id) and locked_until (a lease, epoch ms); a job whose lease ran out (the node
-- died) is claimed again. dedupe_key makes enqueueing idempotent (NULL: no deduplication).
-- Instants are epoch milliseconds, payload is JSON TEXT.

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    run_at       INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT,
    dedupe_key   TEXT UNIQUE,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX jobs_due ON jobs(status, run_at);

-- Reminder rules of a plan; a plan without a row uses the defaults (gongkai_domain::reminder).
CREATE TABLE reminder_rules (
    plan_id       INTEGER PRIMARY KEY REFERENCES plans(id) ON DELETE CASCADE,
    days_before   INTEGER NOT NULL,
    on_day        INTEGER NOT NULL,
    overdue_every INTEGER NOT NULL,
    overdue_max   INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

-- One in-app notification for one user. dedupe_key: one notification per (reminder, user), however
-- often or on however many nodes the job creating it runs.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id     INTEGER REFERENCES organisations(id),
    kind       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    link       TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX notifications_user ON notifications(user_id, read_at);
CREATE INDEX notifications_org ON notifications(org_id);
