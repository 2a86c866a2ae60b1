-- 等保 2.0 account and session controls: a password's age and forced change, the password
-- history, a session's last activity (idle timeout) and the TOTP second factor.
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;
-- Existing passwords count their maximum age from this migration (no sudden forced change).
UPDATE users SET password_changed_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;

ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
-- 1 while the session waits for the second factor's code (it then grants nothing).
ALTER TABLE sessions ADD COLUMN pending_second_factor INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET last_seen_at = created_at;

CREATE TABLE password_history (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, id);
