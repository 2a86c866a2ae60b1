-- API tokens expire. Tokens issued before this migration expire 90 days after it.
ALTER TABLE api_tokens ADD COLUMN expires_at INTEGER;
UPDATE api_tokens SET expires_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000 + 90 * 86400000;
