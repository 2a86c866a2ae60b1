-- API tokens expire. Tokens issued before this migration expire 90 days after it.
ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT;
UPDATE api_tokens SET expires_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT) + 90 * 86400000::BIGINT;
