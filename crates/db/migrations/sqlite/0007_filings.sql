-- Filings (报送事项): due submissions other than feedback on a duty, answered, reviewed and
-- reported exactly like feedback rounds. SQLite dialect. Keep in step with ../postgres.
--
-- A filing is a feedback_rounds row with a kind: 'feedback' (反馈, opened when a plan is
-- confirmed), 'implementation_plan' (实施方案备案) or 'normative_report' (规范性文件月报),
-- opened by the supervising office (db::filings::open_filings). Filings are tied to a duty of the
-- plan (the duty that asks for them, seed task 23), so duty_id stays NOT NULL and every query
-- joining rounds to their plan keeps working (ARCHITECTURE.md, "Filings are rounds of a duty").
-- Adding a column with a constant default needs no table rebuild on either back end.

ALTER TABLE feedback_rounds ADD COLUMN kind TEXT NOT NULL DEFAULT 'feedback'
    CHECK (kind IN ('feedback', 'implementation_plan', 'normative_report'));

-- A filing is opened once per duty, unit, kind and label (the label names the period, e.g.
-- 2017年5月规范性文件报送), so opening twice, even with another due-date rule, adds nothing.
-- Feedback rounds keep the rules of plan confirmation and are left out.
CREATE UNIQUE INDEX feedback_rounds_filing_once ON feedback_rounds(duty_id, org_id, kind, label)
    WHERE kind <> 'feedback';
CREATE INDEX feedback_rounds_kind ON feedback_rounds(kind);
