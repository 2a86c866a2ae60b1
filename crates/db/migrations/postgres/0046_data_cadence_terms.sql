-- An open dataset's stated 更新周期 as a standing obligation (gongkai_domain::data_cadence): a
-- term is a span of days the dataset was public (published and not 不予开放 ) under one stated
-- cadence. Publishing opens one, unpublishing or closing ends it (ends_on: the day it stopped,
-- not part of it), changing the cadence ends it and opens the next from that day. 不定期 opens
-- none. Written by gongkai_db::data_cadence in the transaction of the change.
-- Keep in step with the other dialect.
CREATE TABLE data_cadence_terms (
    id              BIGSERIAL PRIMARY KEY,
    resource_id     BIGINT NOT NULL REFERENCES data_resources(id),
    cadence         TEXT NOT NULL,
    starts_on       TEXT NOT NULL,
    ends_on         TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX data_cadence_terms_resource ON data_cadence_terms(resource_id, starts_on);

-- Datasets public today with a stated cadence owe it from the day they were published.
INSERT INTO data_cadence_terms (resource_id, cadence, starts_on, ends_on, created_at)
SELECT id, (body::json) ->> 'cadence',
       to_char(to_timestamp(COALESCE(published_at, updated_at) / 1000 + 8 * 3600) AT TIME ZONE 'UTC',
               'YYYY-MM-DD'), NULL, updated_at
FROM data_resources
WHERE published = 1 AND open_type <> 'closed'
  AND COALESCE((body::json) ->> 'cadence', '') <> '';
