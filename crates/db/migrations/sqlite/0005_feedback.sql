-- Feedback on the rounds a confirmed plan opens (feedback_rounds, 0003_plans). SQLite dialect.
-- Keep in step with ../postgres.
--
-- Every submission is a row and is never rewritten: a unit's resubmission after a return is a
-- new row with the next sequence number. A row's review columns (status, reviewed_by,
-- reviewed_at, review_comment) are written once, when the supervising office accepts or returns
-- that submission. feedback_rounds.status follows: open → submitted → accepted | returned →
-- submitted … Instants are epoch milliseconds, civil dates 'YYYY-MM-DD' TEXT, JSON TEXT.

CREATE TABLE feedback_submissions (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id          INTEGER NOT NULL REFERENCES feedback_rounds(id) ON DELETE CASCADE,
    org_id            INTEGER NOT NULL REFERENCES organisations(id),
    sequence          INTEGER NOT NULL,
    text              TEXT NOT NULL,
    -- [{"item_id": 12}, {"url": "https://…"}]: the unit's published items and other addresses.
    links_json        TEXT NOT NULL DEFAULT '[]',
    submitted_by      INTEGER REFERENCES users(id),
    submitted_at      INTEGER NOT NULL,
    -- The civil date of submission in China (UTC+8) and the working days after the due date.
    submitted_on      TEXT NOT NULL,
    late_working_days INTEGER NOT NULL DEFAULT 0,
    status            TEXT NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'accepted', 'returned')),
    reviewed_by       INTEGER REFERENCES users(id),
    reviewed_at       INTEGER,
    review_comment    TEXT,
    UNIQUE (round_id, sequence)
);
CREATE INDEX feedback_submissions_org ON feedback_submissions(org_id);
CREATE INDEX feedback_submissions_submitted_by ON feedback_submissions(submitted_by);
CREATE INDEX feedback_submissions_reviewed_by ON feedback_submissions(reviewed_by);

-- The bytes live in the same content-addressed store as item attachments (files/ab/cd/<sha256>).
CREATE TABLE feedback_attachments (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id INTEGER NOT NULL REFERENCES feedback_submissions(id) ON DELETE CASCADE,
    file_name     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size_bytes    INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX feedback_attachments_submission ON feedback_attachments(submission_id);
