-- Citizen messages (留言, 网络回应人) and public-opinion events (政务舆情) with their releases.
-- Civil dates 'YYYY-MM-DD' TEXT (in China), instants epoch milliseconds. Keep in step with the
-- other dialect.
CREATE TABLE messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         INTEGER NOT NULL REFERENCES organisations(id),
    query_code     TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    phone          TEXT,
    email          TEXT,
    title          TEXT NOT NULL,
    content        TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'received',
    received_on    TEXT NOT NULL,
    reply_days     INTEGER NOT NULL,
    due_on         TEXT NOT NULL,
    responder_id   INTEGER REFERENCES users(id),
    assigned_at    INTEGER,
    reply          TEXT,
    replied_at     INTEGER,
    replied_by     INTEGER REFERENCES users(id),
    published_at   INTEGER,
    closed_reason  TEXT,
    public_name    TEXT,
    public_title   TEXT,
    public_content TEXT,
    public_reply   TEXT,
    satisfaction   TEXT,
    rated_at       INTEGER,
    ip             TEXT NOT NULL DEFAULT '',
    dedupe_hash    TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX messages_org_status ON messages(org_id, status);
CREATE INDEX messages_status_published ON messages(status, published_at);
CREATE INDEX messages_ip_created ON messages(ip, created_at);
CREATE INDEX messages_dedupe ON messages(dedupe_hash, created_at);
CREATE INDEX messages_responder ON messages(responder_id);
CREATE INDEX messages_replied_by ON messages(replied_by);

CREATE TABLE opinion_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    title         TEXT NOT NULL,
    source        TEXT NOT NULL,
    detected_at   INTEGER NOT NULL,
    level         TEXT NOT NULL,
    lead_org_id   INTEGER NOT NULL REFERENCES organisations(id),
    summary       TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX opinion_events_org ON opinion_events(lead_org_id);
CREATE INDEX opinion_events_created_by ON opinion_events(created_by);

CREATE TABLE opinion_releases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id      INTEGER NOT NULL REFERENCES opinion_events(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    released_at   INTEGER NOT NULL,
    url           TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL
);
CREATE INDEX opinion_releases_event ON opinion_releases(event_id);
CREATE INDEX opinion_releases_created_by ON opinion_releases(created_by);
