-- Issue 14: attachments every node can serve. With `attachments = "database"` the bytes of each
-- stored file live here, content-addressed by their SHA-256 like the local files/ directory, so a
-- file uploaded on one node is downloaded from any other. Rows are written once and never changed.
-- Keep in step with the other dialect.

CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    bytes      BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
