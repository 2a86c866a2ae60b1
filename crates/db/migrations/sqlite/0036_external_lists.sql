-- Evidence from departments' own websites (issue 16 item 4). Keep in step with the other dialect.
--
-- external_lists: a list page (a column) on another website, by its URL, read by the scheduled
-- crawl (gongkai_jobs::external). etag / last_modified are the validators of the last full
-- answer, sent back as If-None-Match / If-Modified-Since; a 304 changes nothing.
CREATE TABLE external_lists (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    url           TEXT NOT NULL UNIQUE,
    etag          TEXT,
    last_modified TEXT,
    -- The last crawl: when, what came of it ('ok', 'not_modified', 'refused', 'failed') and why.
    crawled_at    INTEGER,
    last_outcome  TEXT,
    last_error    TEXT,
    created_at    INTEGER NOT NULL
);

-- The items the crawl found on a list: the date the page claims (may be absent) and the instant
-- the crawler first saw the link there, written once and never updated.
CREATE TABLE external_list_items (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    list_id       INTEGER NOT NULL REFERENCES external_lists(id) ON DELETE CASCADE,
    link          TEXT NOT NULL,
    title         TEXT NOT NULL,
    claimed_on    TEXT,
    first_seen_at INTEGER NOT NULL,
    UNIQUE (list_id, link)
);

-- An obligation whose source is 'external' reads its evidence from this list.
ALTER TABLE obligations ADD COLUMN external_list_id INTEGER REFERENCES external_lists(id);
CREATE INDEX obligations_external_list ON obligations(external_list_id);
