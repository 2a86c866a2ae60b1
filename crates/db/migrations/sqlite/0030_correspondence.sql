-- Issue 15 (item 4): correspondence with the applicant. An applicant session (after a successful
-- status look-up) is bound to one application; the token is stored hashed and expires. Messages
-- go both ways on a case (an online 补正 is a message of kind 'supplement'); files are the
-- applicant's supplement material or the disclosed documents of the answer ('answer'), the
-- latter shown on the public disclosure log only when marked public. An answered case whose
-- applicant consented may be published to the log (published_at); art44_item_id links the
-- draft item made from it （条例第四十四条）.
-- Keep in step with the other dialect.

ALTER TABLE applications ADD COLUMN publish_consent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE applications ADD COLUMN published_at INTEGER;
ALTER TABLE applications ADD COLUMN art44_item_id INTEGER REFERENCES items(id);
CREATE INDEX applications_published_at ON applications(published_at);

CREATE TABLE applicant_sessions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    token_hash     TEXT NOT NULL UNIQUE,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    expires_at     INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX applicant_sessions_expires_at ON applicant_sessions(expires_at);

CREATE TABLE application_messages (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    sender         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    body           TEXT NOT NULL,
    author_id      INTEGER REFERENCES users(id),
    author_name    TEXT NOT NULL,
    created_at     INTEGER NOT NULL
);
CREATE INDEX application_messages_application_id ON application_messages(application_id, id);

CREATE TABLE application_files (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    message_id     INTEGER REFERENCES application_messages(id),
    purpose        TEXT NOT NULL,
    file_name      TEXT NOT NULL,
    content_type   TEXT NOT NULL,
    size_bytes     INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    public         INTEGER NOT NULL DEFAULT 0,
    created_by     INTEGER REFERENCES users(id),
    created_at     INTEGER NOT NULL
);
CREATE INDEX application_files_application_id ON application_files(application_id, id);
