-- NPC suggestions and CPPCC proposals (建议提案办理; rules in domain::proposal). One row per case
-- and lead unit; co-handling units and their views in proposal_co_orgs. The history is the audit
-- log (entity 'proposal'). Civil dates 'YYYY-MM-DD' TEXT, instants epoch milliseconds.
-- Keep in step with the other dialect.
CREATE TABLE proposals (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    kind             TEXT NOT NULL,
    year             INTEGER NOT NULL,
    number           TEXT NOT NULL,
    title            TEXT NOT NULL,
    proposer         TEXT NOT NULL,
    proposer_contact TEXT,
    content          TEXT NOT NULL,
    assigned_on      TEXT NOT NULL,
    lead_org_id      INTEGER NOT NULL REFERENCES organisations(id),
    complex          INTEGER NOT NULL DEFAULT 0,
    key_item         INTEGER NOT NULL DEFAULT 0,
    key_leader       TEXT,
    stage            TEXT NOT NULL,
    signed_on        TEXT,
    returned_on      TEXT,
    return_reason    TEXT,
    contacted_on     TEXT,
    contact_note     TEXT,
    replied_on       TEXT,
    first_replied_on TEXT,
    grade            TEXT,
    signed_by        TEXT,
    reply_text       TEXT,
    rehandled        INTEGER NOT NULL DEFAULT 0,
    feedback_on      TEXT,
    satisfaction     TEXT,
    dissatisfied_on  TEXT,
    published_on     TEXT,
    public_text      TEXT,
    created_by       INTEGER REFERENCES users(id),
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    UNIQUE (kind, year, number)
);
CREATE INDEX proposals_lead_org ON proposals(lead_org_id);
CREATE INDEX proposals_year ON proposals(year);
CREATE INDEX proposals_created_by ON proposals(created_by);

CREATE TABLE proposal_co_orgs (
    proposal_id  INTEGER NOT NULL REFERENCES proposals(id) ON DELETE CASCADE,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    view_text    TEXT,
    view_sent_on TEXT,
    PRIMARY KEY (proposal_id, org_id)
);
CREATE INDEX proposal_co_orgs_org ON proposal_co_orgs(org_id);

-- Government meetings opened to the public (rules in domain::meeting) and applications to attend.
-- A held meeting recorded against an obligation also writes a recorded_events row (event_id).
CREATE TABLE meetings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        INTEGER NOT NULL REFERENCES organisations(id),
    kind          TEXT NOT NULL,
    title         TEXT NOT NULL,
    held_at       TEXT NOT NULL,
    place         TEXT NOT NULL,
    agenda        TEXT NOT NULL,
    seats         INTEGER NOT NULL DEFAULT 0,
    apply_by      TEXT,
    live_url      TEXT,
    obligation_id INTEGER REFERENCES obligations(id) ON DELETE SET NULL,
    minutes       TEXT,
    held          INTEGER NOT NULL DEFAULT 0,
    event_id      INTEGER REFERENCES recorded_events(id) ON DELETE SET NULL,
    created_by    INTEGER REFERENCES users(id),
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);
CREATE INDEX meetings_org ON meetings(org_id);
CREATE INDEX meetings_held_at ON meetings(held_at);
CREATE INDEX meetings_obligation ON meetings(obligation_id);
CREATE INDEX meetings_event ON meetings(event_id);
CREATE INDEX meetings_created_by ON meetings(created_by);

CREATE TABLE meeting_attendance (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id  INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    phone       TEXT NOT NULL,
    workplace   TEXT,
    reason      TEXT NOT NULL,
    decision    TEXT NOT NULL DEFAULT 'pending',
    decision_reason TEXT,
    decided_by  INTEGER REFERENCES users(id),
    decided_at  INTEGER,
    client_ip   TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (meeting_id, phone)
);
CREATE INDEX meeting_attendance_decided_by ON meeting_attendance(decided_by);
CREATE INDEX meeting_attendance_ip ON meeting_attendance(client_ip, created_at);
