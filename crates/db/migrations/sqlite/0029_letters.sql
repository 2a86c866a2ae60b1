-- Letters a director would sign: the organisation's letter settings and the letters as issued.

-- Per organisation: the signer's full name, the 机关代字 of the 文号 and the 复议机关 and the court
-- named in answers, how to pay a fee and the phone the letters give.
CREATE TABLE application_letter_settings (
    org_id          INTEGER PRIMARY KEY REFERENCES organisations(id),
    full_name       TEXT NOT NULL,
    doc_prefix      TEXT NOT NULL DEFAULT '',
    review_body     TEXT NOT NULL DEFAULT '',
    court           TEXT NOT NULL DEFAULT '',
    payment         TEXT NOT NULL DEFAULT '',
    phone           TEXT NOT NULL DEFAULT '',
    updated_by      INTEGER REFERENCES users(id),
    updated_at      INTEGER NOT NULL
);
CREATE INDEX application_letter_settings_updated_by ON application_letter_settings(updated_by);

-- A letter as issued: its final text, never changed afterwards. The sequence numbers the
-- organisation's letters of a year for the 文号.
CREATE TABLE application_letters (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    org_id          INTEGER NOT NULL REFERENCES organisations(id),
    kind            TEXT NOT NULL,
    doc_year        INTEGER NOT NULL,
    doc_seq         INTEGER NOT NULL,
    doc_number      TEXT NOT NULL,
    title           TEXT NOT NULL,
    paragraphs      TEXT NOT NULL,
    signature       TEXT NOT NULL,
    letter_date     TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    issued_by       INTEGER REFERENCES users(id),
    issued_by_name  TEXT NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX application_letters_kind ON application_letters(application_id, kind);
CREATE UNIQUE INDEX application_letters_seq ON application_letters(org_id, doc_year, doc_seq);
CREATE INDEX application_letters_issued_by ON application_letters(issued_by);

-- The 答复书 has one template per outcome family: an organisation's own 答复书 template becomes
-- its template for each family.
INSERT INTO application_letter_templates (org_id, kind, body, updated_by, updated_at) SELECT org_id, 'answer_disclosed', body, updated_by, updated_at FROM application_letter_templates WHERE kind = 'answer';
INSERT INTO application_letter_templates (org_id, kind, body, updated_by, updated_at) SELECT org_id, 'answer_partial', body, updated_by, updated_at FROM application_letter_templates WHERE kind = 'answer';
INSERT INTO application_letter_templates (org_id, kind, body, updated_by, updated_at) SELECT org_id, 'answer_withheld', body, updated_by, updated_at FROM application_letter_templates WHERE kind = 'answer';
INSERT INTO application_letter_templates (org_id, kind, body, updated_by, updated_at) SELECT org_id, 'answer_unavailable', body, updated_by, updated_at FROM application_letter_templates WHERE kind = 'answer';
INSERT INTO application_letter_templates (org_id, kind, body, updated_by, updated_at) SELECT org_id, 'answer_not_handled', body, updated_by, updated_at FROM application_letter_templates WHERE kind = 'answer';
INSERT INTO application_letter_templates (org_id, kind, body, updated_by, updated_at) SELECT org_id, 'answer_other', body, updated_by, updated_at FROM application_letter_templates WHERE kind = 'answer';
DELETE FROM application_letter_templates WHERE kind = 'answer';
