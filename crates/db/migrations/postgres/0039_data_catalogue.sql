-- The data-resource catalogue （政务信息资源目录） and open datasets （数据开放）.
-- A resource belongs to its provider organisation; its catalogue entry (summary, 信息项 , sharing
-- and open types, cadence, formats, interface) is JSON in `body`, validated by
-- gongkai_domain::data. A resource is public only while published and not 不予开放
-- (open_type <> 'closed'); then it is an open dataset whose files the portal, its RSS feed and
-- the CKAN-compatible API serve. Every uploaded file is one dated update of the dataset.
-- Keep in step with the other dialect.
CREATE TABLE data_resources (
    id              BIGSERIAL PRIMARY KEY,
    org_id          BIGINT NOT NULL REFERENCES organisations(id),
    name            TEXT NOT NULL,
    code            TEXT NOT NULL DEFAULT '',
    sharing         TEXT NOT NULL,
    open_type       TEXT NOT NULL,
    body            TEXT NOT NULL,
    search_text     TEXT NOT NULL DEFAULT '',
    published       BIGINT NOT NULL DEFAULT 0,
    published_at    BIGINT,
    version         BIGINT NOT NULL DEFAULT 1,
    created_by      BIGINT REFERENCES users(id),
    updated_by      BIGINT REFERENCES users(id),
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX data_resources_org ON data_resources(org_id);
CREATE INDEX data_resources_public ON data_resources(published, open_type);
CREATE INDEX data_resources_created_by ON data_resources(created_by);
CREATE INDEX data_resources_updated_by ON data_resources(updated_by);

-- The files of a dataset: each upload is one update, dated, with its note.
CREATE TABLE data_files (
    id              BIGSERIAL PRIMARY KEY,
    resource_id     BIGINT NOT NULL REFERENCES data_resources(id),
    file_name       TEXT NOT NULL,
    format          TEXT NOT NULL,
    content_type    TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    size            BIGINT NOT NULL,
    note            TEXT NOT NULL DEFAULT '',
    uploaded_by     BIGINT REFERENCES users(id),
    uploaded_at     BIGINT NOT NULL
);
CREATE INDEX data_files_resource ON data_files(resource_id, uploaded_at);
CREATE INDEX data_files_uploaded_by ON data_files(uploaded_by);
