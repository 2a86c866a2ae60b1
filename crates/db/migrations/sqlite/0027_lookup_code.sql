-- Issue 15: failed status look-ups are counted per tracking code and address, so that one
-- attacker guessing one code cannot lock out everyone else behind the same address (an office's
-- network behind one NAT address). Rows older than a day are deleted as before.
-- Keep in step with the other dialect.

ALTER TABLE application_lookups ADD COLUMN code TEXT NOT NULL DEFAULT '';
CREATE INDEX application_lookups_code ON application_lookups(code, ip, created_at);
