-- Search outbox: one row per change of an item the public may see (publish, unpublish, edit of a
-- published item), written in the same transaction as the change. Each node's search index
-- applies every row past its own high-water mark in search_nodes; rows older than a day are
-- pruned. Instants epoch milliseconds. Keep in step with the other dialect.
CREATE TABLE search_outbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id    INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX search_outbox_created_at ON search_outbox(created_at);

CREATE TABLE search_nodes (
    node_id        TEXT PRIMARY KEY,
    last_outbox_id INTEGER NOT NULL DEFAULT 0,
    updated_at     INTEGER NOT NULL
);
