-- An optional e-mail address per user for reminders (站内通知 are always created; mail is sent
-- only when SMTP is configured and the user has an address). Keep in step with the other dialect.
ALTER TABLE users ADD COLUMN email TEXT;
