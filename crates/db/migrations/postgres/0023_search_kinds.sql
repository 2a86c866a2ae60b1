-- Search beyond items: an outbox row names what changed (kind: item, proposal, meeting, message,
-- org; item_id is the id within that kind), and the queries the public typed are counted for
-- the hot-query list (the text, a count and when it was last asked: no address, no user).
-- Keep in step with the other dialect.
ALTER TABLE search_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'item';

CREATE TABLE search_queries (
    query      TEXT PRIMARY KEY,
    times      BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
CREATE INDEX search_queries_times ON search_queries(times);
