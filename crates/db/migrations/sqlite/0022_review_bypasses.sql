-- Issue 14: a 实质性修改 of a published item passes every configured review level (its current
-- level is kept on the revision; each approval is an item_reviews row naming the revision), and
-- the content guard's releases are recorded hit by hit (kind and text): a released hit passes the
-- gate, a new one is caught again.
-- Keep in step with the other dialect.

ALTER TABLE item_revisions ADD COLUMN review_level INTEGER NOT NULL DEFAULT 1;
ALTER TABLE item_reviews ADD COLUMN revision_id INTEGER REFERENCES item_revisions(id) ON DELETE CASCADE;

CREATE TABLE item_guard_releases (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    matched     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    released_by INTEGER REFERENCES users(id),
    actor_name  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (item_id, kind, matched)
);
CREATE INDEX item_guard_releases_released_by ON item_guard_releases(released_by);
