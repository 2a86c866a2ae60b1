-- The publishing workflow (issue 5 item 1). Keep in step with the other dialect.
--
-- organisations.review_levels: 1..=3 review levels (1 编辑初审, 2 科室复审, 3 领导终审).
-- items.status gains 'submitted' (review_level = the level awaited), 'approved' and 'scheduled'
-- (publish_at, epoch ms; schedule_error when the scheduled publication was refused);
-- 'unpublished' stays the code of withdrawn (已撤回), withdraw_mode 'notice' (page kept with a
-- public notice) or 'gone' (410), NULL for withdrawals made before this migration (404).
-- review_round counts submissions. publish_now_reason: published without review (先发后审);
-- post_review 'pending' until a reviewer reviews it afterwards, then 'done'.
ALTER TABLE organisations ADD COLUMN review_levels INTEGER NOT NULL DEFAULT 1;
ALTER TABLE items ADD COLUMN review_round INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN review_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE items ADD COLUMN publish_at INTEGER;
ALTER TABLE items ADD COLUMN schedule_error TEXT;
ALTER TABLE items ADD COLUMN publish_now_reason TEXT;
ALTER TABLE items ADD COLUMN post_review TEXT;
ALTER TABLE items ADD COLUMN withdraw_mode TEXT;
ALTER TABLE items ADD COLUMN withdraw_reason TEXT;
ALTER TABLE items ADD COLUMN withdrawn_at INTEGER;
CREATE INDEX items_workflow ON items(status, org_id);

-- Everyone who created or edited an item: they may never review it.
CREATE TABLE item_authors (
    item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (item_id, user_id)
);

-- One review decision: decision 'approve' | 'return' (comment required) | 'post_review' (补审).
CREATE TABLE item_reviews (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id       INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    round         INTEGER NOT NULL,
    level         INTEGER NOT NULL,
    reviewer_id   INTEGER REFERENCES users(id),
    reviewer_name TEXT NOT NULL,
    decision      TEXT NOT NULL,
    comment       TEXT NOT NULL DEFAULT '',
    created_at    INTEGER NOT NULL
);
CREATE INDEX item_reviews_item ON item_reviews(item_id, id);

-- Every publication and every change to a published item. major = 1 for 实质性修改, whose
-- change_note (修改说明) is public.
CREATE TABLE item_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    title       TEXT NOT NULL,
    body_source TEXT NOT NULL,
    snapshot    TEXT NOT NULL,
    major       INTEGER NOT NULL DEFAULT 0,
    change_note TEXT NOT NULL DEFAULT '',
    created_by  INTEGER REFERENCES users(id),
    actor_name  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (item_id, number)
);

-- A major change (实质性修改) proposed for a published item: the published text stays live until a
-- reviewer approves it (status 'pending' → 'approved', applied as a new version, or 'returned').
-- fields: the item's form fields as JSON (gongkai_domain::item::ItemFields).
CREATE TABLE item_revisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id     INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    fields      TEXT NOT NULL,
    change_note TEXT NOT NULL,
    author_id   INTEGER REFERENCES users(id),
    author_name TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'pending',
    comment     TEXT NOT NULL DEFAULT '',
    decided_by  TEXT,
    created_at  INTEGER NOT NULL,
    decided_at  INTEGER
);
CREATE INDEX item_revisions_item ON item_revisions(item_id, status);
