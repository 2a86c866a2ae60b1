-- Assessment (考核): the scoring scheme of each plan (gongkai_domain::assessment::Scheme as JSON).
-- SQLite dialect; keep in step with ../postgres. A plan without a row is scored with the default
-- scheme. Scores are never stored: they are recomputed from the compliance report and the
-- feedback rounds as of a date. Instants are epoch milliseconds.

CREATE TABLE assessment_schemes (
    plan_id     INTEGER PRIMARY KEY REFERENCES plans(id) ON DELETE CASCADE,
    scheme_json TEXT NOT NULL,
    updated_by  INTEGER REFERENCES users(id),
    updated_at  INTEGER NOT NULL
);
CREATE INDEX assessment_schemes_updated_by ON assessment_schemes(updated_by);
