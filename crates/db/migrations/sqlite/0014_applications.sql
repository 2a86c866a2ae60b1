-- Applications for disclosure (依申请公开, 条例 2019 第二十七条至第四十五条; rules in
-- domain::application). One row per application with the applicant's data (never shown on public
-- pages except to the applicant holding the tracking code and phone tail), the cached state of the
-- case (status, due date: the clock is rebuilt from application_events), and the answer.
-- application_events is append-only: the case's history with actor and time. Civil dates
-- 'YYYY-MM-DD' TEXT, instants epoch milliseconds. Keep in step with the other dialect.
CREATE TABLE applications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    tracking_code   TEXT NOT NULL UNIQUE,
    phone_tail      TEXT NOT NULL,
    channel         TEXT NOT NULL,
    applicant_type  TEXT NOT NULL,
    name            TEXT NOT NULL,
    org_name        TEXT NOT NULL DEFAULT '',
    id_type         TEXT NOT NULL,
    id_number       TEXT NOT NULL,
    phone           TEXT NOT NULL,
    email           TEXT NOT NULL DEFAULT '',
    address         TEXT NOT NULL DEFAULT '',
    description     TEXT NOT NULL,
    purpose         TEXT NOT NULL DEFAULT '',
    delivery        TEXT NOT NULL,
    submitted_on    TEXT NOT NULL,
    received_on     TEXT NOT NULL,
    status          TEXT NOT NULL,
    due_on          TEXT,
    extended        INTEGER NOT NULL DEFAULT 0,
    outcome         TEXT,
    answered_on     TEXT,
    answer_text     TEXT NOT NULL DEFAULT '',
    fee_scale       TEXT,
    fee_quantity    INTEGER NOT NULL DEFAULT 0,
    fee_yuan        INTEGER NOT NULL DEFAULT 0,
    fingerprint     TEXT NOT NULL,
    submit_ip       TEXT NOT NULL DEFAULT '',
    created_by      INTEGER REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX applications_org_due ON applications(org_id, status, due_on);
CREATE INDEX applications_fingerprint ON applications(fingerprint, created_at);
CREATE INDEX applications_ip ON applications(submit_ip, created_at);
CREATE INDEX applications_created_by ON applications(created_by);

CREATE TABLE application_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    kind            TEXT NOT NULL,
    on_date         TEXT NOT NULL,
    data            TEXT NOT NULL,
    actor_id        INTEGER REFERENCES users(id),
    actor_name      TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX application_events_app ON application_events(application_id, id);
CREATE INDEX application_events_actor ON application_events(actor_id);

-- Letter templates overriding the built-in ones, per organisation and kind.
CREATE TABLE application_letter_templates (
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    kind            TEXT NOT NULL,
    body            TEXT NOT NULL,
    updated_by      INTEGER REFERENCES users(id),
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (org_id, kind)
);
CREATE INDEX application_letter_templates_updated_by ON application_letter_templates(updated_by);

-- Status lookups by tracking code, per client address, for throttling guesses.
CREATE TABLE application_lookups (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    ip              TEXT NOT NULL,
    ok              INTEGER NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX application_lookups_ip ON application_lookups(ip, created_at);
