-- Recorded events (press conferences, policy briefings, online interviews, meetings opened to the
-- public) that count as evidence for an obligation of a confirmed plan, beside the items
-- published in its column. Civil dates 'YYYY-MM-DD' TEXT, instants epoch milliseconds.
-- Keep in step with the other dialect.
CREATE TABLE recorded_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    obligation_id INTEGER NOT NULL REFERENCES obligations(id) ON DELETE CASCADE,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    held_on       TEXT NOT NULL,
    url           TEXT,
    note          TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX recorded_events_obligation ON recorded_events(obligation_id);
CREATE INDEX recorded_events_org ON recorded_events(org_id);
CREATE INDEX recorded_events_created_by ON recorded_events(created_by);
