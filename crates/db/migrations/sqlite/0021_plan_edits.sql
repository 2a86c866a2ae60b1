-- Revisions of a confirmed plan, shown as its 修订记录 list. A confirmed plan's tree is never rebuilt: its rows are
-- referenced by feedback submissions and recorded events. A supervisor edits the rows in place
-- (an obligation's cadence, due rule, column and organisation; an obligation added or removed; a
-- task's title) and each saved edit adds one row here with the next revision number, who, when
-- and what changed in Chinese. A plan's status is 'active' or 'archived' (archived plans stay
-- readable but leave the active lists and the reminders).
-- Keep in step with the other dialect.

CREATE TABLE plan_revisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id      INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    revision     INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    changes_json TEXT NOT NULL DEFAULT '{}',
    created_by   INTEGER REFERENCES users(id),
    actor_name   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    UNIQUE (plan_id, revision)
);
CREATE INDEX plan_revisions_created_by ON plan_revisions(created_by);
