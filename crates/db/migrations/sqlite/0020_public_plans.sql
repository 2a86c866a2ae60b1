-- Which confirmed plans the public accountability page (/zdgz) shows (issue 13, item 7). The
-- supervising office decides: a newly confirmed plan is not public until the office publishes it
-- there, and it can withdraw it again. is_public is 0/1; made_public_at (epoch milliseconds) is when
-- it was last made public, NULL when it never was or has been withdrawn. Keep in step with the
-- other dialect.
ALTER TABLE plans ADD COLUMN is_public INTEGER NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN made_public_at INTEGER;
