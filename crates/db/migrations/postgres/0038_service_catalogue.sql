-- The government service-item catalogue （政务服务事项目录） and its guides （办事指南）.
-- A service item carries the working version of its guide (`draft`, JSON) through the review
-- workflow (status, review_level, review_round as items do) and, once published, the live
-- version the public sees (`live`, with its name and search text). Editing a published guide
-- starts a new version: the live one stays until the new one passes every review level.
-- Keep in step with the other dialect.
CREATE TABLE service_items (
    id              BIGSERIAL PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organisations(id),
    level           TEXT NOT NULL,
    name            TEXT NOT NULL,
    code            TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'draft',
    review_level    BIGINT NOT NULL DEFAULT 0,
    review_round    BIGINT NOT NULL DEFAULT 0,
    version         BIGINT NOT NULL DEFAULT 1,
    draft           TEXT NOT NULL,
    change_note     TEXT NOT NULL DEFAULT '',
    public          BIGINT NOT NULL DEFAULT 0,
    live            TEXT,
    live_name       TEXT NOT NULL DEFAULT '',
    live_text       TEXT NOT NULL DEFAULT '',
    live_version    BIGINT NOT NULL DEFAULT 0,
    made_public_at  BIGINT,
    published_at    BIGINT,
    created_by      BIGINT REFERENCES users(id),
    updated_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX service_items_org ON service_items(org_id);
CREATE INDEX service_items_public ON service_items(public);
CREATE INDEX service_items_created_by ON service_items(created_by);
CREATE INDEX service_items_updated_by ON service_items(updated_by);

-- Who wrote or edited a service item: they never review it.
CREATE TABLE service_authors (
    item_id         BIGINT NOT NULL REFERENCES service_items(id),
    user_id         BIGINT NOT NULL REFERENCES users(id),
    PRIMARY KEY (item_id, user_id)
);
CREATE INDEX service_authors_user ON service_authors(user_id);

-- Each review decision of a submission round and level.
CREATE TABLE service_reviews (
    id              BIGSERIAL PRIMARY KEY,
    item_id         BIGINT NOT NULL REFERENCES service_items(id),
    round           BIGINT NOT NULL,
    level           BIGINT NOT NULL,
    reviewer_id     BIGINT REFERENCES users(id),
    reviewer_name   TEXT NOT NULL,
    decision        TEXT NOT NULL,
    comment         TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL
);
CREATE INDEX service_reviews_item ON service_reviews(item_id, round);
CREATE INDEX service_reviews_reviewer ON service_reviews(reviewer_id);

-- Every published version with its change note: the public 变更记录.
CREATE TABLE service_versions (
    id              BIGSERIAL PRIMARY KEY,
    item_id         BIGINT NOT NULL REFERENCES service_items(id),
    number          BIGINT NOT NULL,
    content         TEXT NOT NULL,
    change_note     TEXT NOT NULL,
    published_at    BIGINT NOT NULL,
    published_by    TEXT NOT NULL,
    UNIQUE (item_id, number)
);

-- An uploaded catalogue waiting on its review screen: the rows as read, for its uploader.
CREATE TABLE service_imports (
    id              BIGSERIAL PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organisations(id),
    file_name       TEXT NOT NULL,
    sheet           TEXT NOT NULL,
    created_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL
);
CREATE INDEX service_imports_org ON service_imports(org_id);
CREATE INDEX service_imports_created_by ON service_imports(created_by);
