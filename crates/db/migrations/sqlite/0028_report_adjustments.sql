-- Issue 15: audited adjustments of tables 三 and 四 of the annual report, for cases handled
-- outside the system: 上年结转 from an old system, applications answered on paper. Each row adds
-- delta to one cell (table '3' or '4', row and column codes of domain::application::report) of
-- one organisation's year; the report shows computed figure, adjustments and sum, and the check
-- rule runs on the sum. Rows are only added or deleted, both audited.
-- Keep in step with the other dialect.

CREATE TABLE report_adjustments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    year        INTEGER NOT NULL,
    table_no    TEXT NOT NULL,
    row_key     TEXT NOT NULL,
    col_key     TEXT NOT NULL,
    delta       INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL
);
CREATE INDEX report_adjustments_org_year ON report_adjustments(org_id, year);
CREATE INDEX report_adjustments_created_by ON report_adjustments(created_by);
