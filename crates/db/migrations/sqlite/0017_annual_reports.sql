-- The annual report's own parts (政府信息公开工作年度报告; rules in domain::annual_report): one row
-- per organisation and year with the editable sections 一、五、六, the typed cells of table 二 as a
-- JSON object (key → validated text), the format chosen and the item it was published as. Tables
-- 三 and 四 are always computed from the applications and never stored. Items get their legal
-- form (规章 / 行政规范性文件) so table 二 can count them.
-- Keep in step with the other dialect.
ALTER TABLE items ADD COLUMN legal_form TEXT;

CREATE TABLE annual_reports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations(id),
    year        INTEGER NOT NULL,
    format      TEXT NOT NULL DEFAULT '2021',
    overview    TEXT NOT NULL DEFAULT '',
    problems    TEXT NOT NULL DEFAULT '',
    other       TEXT NOT NULL DEFAULT '',
    table2      TEXT NOT NULL DEFAULT '{}',
    item_id     INTEGER REFERENCES items(id),
    version     INTEGER NOT NULL DEFAULT 1,
    updated_by  INTEGER REFERENCES users(id),
    updated_at  INTEGER NOT NULL,
    UNIQUE (org_id, year)
);
