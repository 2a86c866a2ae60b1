-- Issue 17: the content guard runs on service guides as on items; a guide's releases are
-- recorded hit by hit (kind and text), as items' are (0022): a released hit passes the gate,
-- a new one is caught again.
-- Keep in step with the other dialect.

CREATE TABLE service_guard_releases (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES service_items(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    matched     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    released_by INTEGER REFERENCES users(id),
    actor_name  TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    UNIQUE (item_id, kind, matched)
);
CREATE INDEX service_guard_releases_released_by ON service_guard_releases(released_by);
