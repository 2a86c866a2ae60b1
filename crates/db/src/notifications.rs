//! In-app notifications (站内通知), reminder rules per plan, and the reminder scan.
//!
//! **Exactly once.** The scan ([`scan_feedback_reminders`]) enqueues one `notify` job per
//! (feedback round, reminder) with the deduplication key
//! `reminder:feedback_round:<id>:<kind>:<nominal date>`, so scans repeated or running on several
//! nodes give one job; the job ([`deliver`]) inserts one notification per recipient with the key
//! `<job key>:user:<id>` (`ON CONFLICT DO NOTHING`), so a job run twice (its node died after
//! writing, before completing) gives no duplicate.
//!
//! **E-mail** (only when the node runs with SMTP configured): `deliver` also enqueues one `email`
//! job per new notification whose recipient has an address, keyed `email:<notification key>`, so
//! a message is queued once; the worker sends it and retries with backoff. SMTP itself is
//! at-least-once (a node that dies after the server accepted a message but before completing the
//! job sends it again); the `Message-ID` is derived from the key so mail clients can drop the
//! duplicate.
//!
//! Notifications and read marks are not audited: they are messages to a user, not changes to the
//! government's records (see docs/decisions.md).

use crate::{DbResult, Page, now_ms, page_bounds};
use chrono::NaiveDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::filing::FilingKind;
use gongkai_domain::reminder::{self, ReminderRules};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// Job kind that creates notifications.
pub const NOTIFY_JOB: &str = "notify";
/// Job kind that sends one e-mail.
pub const EMAIL_JOB: &str = "email";
/// Job kind of the periodic reminder scan.
pub const SCAN_JOB: &str = "reminders.scan";
/// Roles whose holders on an organisation receive its reminders.
pub const RECIPIENT_ROLES: [&str; 3] = ["org_admin", "editor", "handler"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub org_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: String,
    pub dedupe_key: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// What a `notify` job carries: one message for every recipient on `org_id`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyPayload {
    pub org_id: i64,
    pub kind: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub link: String,
    /// Deduplication key of the message; each user's notification gets `<key>:user:<id>`.
    pub key: String,
}

/// Creates one notification; `false` when its key exists already.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    conn: &mut AnyConnection,
    user_id: i64,
    org_id: Option<i64>,
    kind: &str,
    title: &str,
    body: &str,
    link: &str,
    dedupe_key: &str,
) -> DbResult<bool> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO notifications (user_id, org_id, kind, title, body, link, dedupe_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
    )
    .bind(user_id)
    .bind(org_id)
    .bind(kind)
    .bind(title)
    .bind(body)
    .bind(link)
    .bind(dedupe_key)
    .bind(now_ms())
    .fetch_optional(conn)
    .await?;
    Ok(id.is_some())
}

/// Active users holding one of [`RECIPIENT_ROLES`] on `org_id` itself, with their e-mail address.
pub async fn recipients(
    conn: &mut AnyConnection,
    org_id: i64,
) -> DbResult<Vec<(i64, Option<String>)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.org_id = $1 AND r.role IN ($2, $3, $4) AND u.is_active = 1 ORDER BY u.id",
    )
    .bind(org_id)
    .bind(RECIPIENT_ROLES[0])
    .bind(RECIPIENT_ROLES[1])
    .bind(RECIPIENT_ROLES[2])
    .fetch_all(conn)
    .await?)
}

/// What an `email` job carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPayload {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The back-office path the message points to.
    #[serde(default)]
    pub link: String,
    /// Deduplication key (also the basis of the Message-ID).
    pub key: String,
}

/// Runs a `notify` job: one notification per recipient, deduplicated, and, when `email` is on,
/// one `email` job per new notification whose recipient has an address. Returns how many
/// notifications were new.
pub async fn deliver(conn: &mut AnyConnection, p: &NotifyPayload, email: bool) -> DbResult<usize> {
    let mut created = 0;
    for (user_id, address) in recipients(conn, p.org_id).await? {
        let key = format!("{}:user:{user_id}", p.key);
        if create(
            conn,
            user_id,
            Some(p.org_id),
            &p.kind,
            &p.title,
            &p.body,
            &p.link,
            &key,
        )
        .await?
        {
            created += 1;
        }
        // Queued even when the notification existed: a job run again after a crash between the
        // two inserts still queues the mail, and the key keeps it to one.
        if let (true, Some(to)) = (email, address.filter(|a| !a.is_empty())) {
            let mail_key = format!("email:{key}");
            let payload = EmailPayload {
                to,
                subject: p.title.clone(),
                body: p.body.clone(),
                link: p.link.clone(),
                key: mail_key.clone(),
            };
            let payload = serde_json::to_value(&payload).unwrap_or_default();
            crate::jobs::enqueue(conn, EMAIL_JOB, &payload, now_ms(), Some(&mail_key)).await?;
        }
    }
    Ok(created)
}

/// A user's notifications, unread first, then newest first.
pub async fn list(
    conn: &mut AnyConnection,
    user_id: i64,
    page: i64,
    per_page: i64,
) -> DbResult<Page<Notification>> {
    let (page, per_page, offset) = page_bounds(page, per_page);
    let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1")
        .bind(user_id)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "SELECT * FROM notifications WHERE user_id = $1 \
         ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, created_at DESC, id DESC \
         LIMIT {per_page} OFFSET {offset}"
    ))
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

pub async fn unread_count(conn: &mut AnyConnection, user_id: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await?)
}

/// Marks one of the user's notifications read; `false` if it is not theirs or already read.
pub async fn mark_read(conn: &mut AnyConnection, user_id: i64, id: i64) -> DbResult<bool> {
    let n = sqlx::query(
        "UPDATE notifications SET read_at = $1 WHERE id = $2 AND user_id = $3 AND read_at IS NULL",
    )
    .bind(now_ms())
    .bind(id)
    .bind(user_id)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Marks all of the user's notifications read; returns how many were unread.
pub async fn mark_all_read(conn: &mut AnyConnection, user_id: i64) -> DbResult<u64> {
    Ok(
        sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
            .bind(now_ms())
            .bind(user_id)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}

/// Notifications whose key starts with `key_prefix` (for tests and diagnostics; `_` in the prefix
/// matches any character).
pub async fn by_key_prefix(
    conn: &mut AnyConnection,
    key_prefix: &str,
) -> DbResult<Vec<Notification>> {
    Ok(
        sqlx::query_as("SELECT * FROM notifications WHERE dedupe_key LIKE $1 ORDER BY id")
            .bind(format!("{key_prefix}%"))
            .fetch_all(conn)
            .await?,
    )
}

// --- reminder rules -----------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RulesRow {
    days_before: i64,
    on_day: i64,
    overdue_every: i64,
    overdue_max: i64,
}

impl RulesRow {
    fn rules(&self) -> ReminderRules {
        let u = |v: i64| u32::try_from(v.max(0)).unwrap_or(u32::MAX);
        ReminderRules {
            days_before: u(self.days_before),
            on_day: self.on_day != 0,
            overdue_every: u(self.overdue_every),
            overdue_max: u(self.overdue_max),
        }
        .clamped()
    }
}

/// A plan's reminder rules; the defaults when it has none.
pub async fn rules(conn: &mut AnyConnection, plan_id: i64) -> DbResult<ReminderRules> {
    let row: Option<RulesRow> = sqlx::query_as(
        "SELECT days_before, on_day, overdue_every, overdue_max FROM reminder_rules WHERE plan_id = $1",
    )
    .bind(plan_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.rules()).unwrap_or_default())
}

/// Sets a plan's reminder rules (clamped to the supported ranges).
pub async fn set_rules(
    conn: &mut AnyConnection,
    plan_id: i64,
    rules: &ReminderRules,
) -> DbResult<()> {
    let r = rules.clamped();
    sqlx::query(
        "INSERT INTO reminder_rules (plan_id, days_before, on_day, overdue_every, overdue_max, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_id) DO UPDATE SET \
         days_before = excluded.days_before, on_day = excluded.on_day, \
         overdue_every = excluded.overdue_every, overdue_max = excluded.overdue_max, \
         updated_at = excluded.updated_at",
    )
    .bind(plan_id)
    .bind(i64::from(r.days_before))
    .bind(i64::from(r.on_day))
    .bind(i64::from(r.overdue_every))
    .bind(i64::from(r.overdue_max))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

// --- the scan ----------------------------------------------------------------------------------

#[derive(sqlx::FromRow)]
struct RoundRow {
    id: i64,
    org_id: i64,
    due_date: String,
    label: String,
    kind: String,
    plan_id: i64,
    task_number: i64,
    days_before: Option<i64>,
    on_day: Option<i64>,
    overdue_every: Option<i64>,
    overdue_max: Option<i64>,
}

/// What a scan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScanOutcome {
    /// Reminders due today.
    pub due: usize,
    /// `notify` jobs newly enqueued (the rest existed already).
    pub enqueued: usize,
}

/// Enqueues a `notify` job for every reminder of an open (or returned) feedback round due on
/// `today`, under its plan's rules and the stored working-day calendar. Idempotent.
pub async fn scan_feedback_reminders(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let from = (today - chrono::Days::new(400))
        .format("%Y-%m-%d")
        .to_string();
    let to = (today + chrono::Days::new(120))
        .format("%Y-%m-%d")
        .to_string();
    let rounds: Vec<RoundRow> = sqlx::query_as(
        "SELECT fr.id, fr.org_id, fr.due_date, fr.label, fr.kind, p.id AS plan_id, pt.number AS task_number, \
                rr.days_before, rr.on_day, rr.overdue_every, rr.overdue_max \
         FROM feedback_rounds fr \
         JOIN plan_duties pd ON pd.id = fr.duty_id \
         JOIN plan_tasks pt ON pt.id = pd.task_id \
         JOIN plans p ON p.id = pt.plan_id \
         LEFT JOIN reminder_rules rr ON rr.plan_id = p.id \
         WHERE fr.status IN ('open', 'returned') AND p.status = 'active' \
           AND fr.due_date >= $1 AND fr.due_date <= $2 \
         ORDER BY fr.id",
    )
    .bind(&from)
    .bind(&to)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = ScanOutcome::default();
    for r in rounds {
        let Ok(due) = NaiveDate::parse_from_str(&r.due_date, "%Y-%m-%d") else {
            continue;
        };
        let rules = match (r.days_before, r.on_day, r.overdue_every, r.overdue_max) {
            (Some(a), Some(b), Some(c), Some(d)) => RulesRow {
                days_before: a,
                on_day: b,
                overdue_every: c,
                overdue_max: d,
            }
            .rules(),
            _ => ReminderRules::default(),
        };
        let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
            continue;
        };
        out.due += 1;
        let what = match FilingKind::from_code(&r.kind) {
            Some(FilingKind::Feedback) | None => {
                format!("第{}项任务反馈“{}”", r.task_number, r.label)
            }
            Some(k) => format!("{}“{}”", k.label(), r.label),
        };
        let key = format!("reminder:feedback_round:{}:{}", r.id, rem.key());
        let payload = NotifyPayload {
            org_id: r.org_id,
            kind: format!("feedback.{}", rem.kind.code()),
            title: reminder::title(&cal, &rem, &what, due, today),
            body: format!(
                "{}：{}，报送期限 {due}。请在期限内报送。",
                rem.kind.label(),
                what
            ),
            link: format!("/admin/plans/{}", r.plan_id),
            key: key.clone(),
        };
        let payload = serde_json::to_value(&payload).unwrap_or_default();
        if crate::jobs::enqueue(conn, NOTIFY_JOB, &payload, now_ms(), Some(&key))
            .await?
            .is_some()
        {
            out.enqueued += 1;
        }
    }
    Ok(out)
}

/// Enqueues a `notify` job for every reminder due on `today` of a publication period that still
/// lacks its publication (status due soon, not yet due or missed in the compliance report of
/// each active plan whose year is around `today`), under the plan's rules. Keyed
/// `reminder:period:<obligation>:<period key>:<reminder>`, so it is created once. Periods of
/// obligations without a bound column are not checked, so they are not reminded either.
pub async fn scan_period_reminders(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let year = i64::from(chrono::Datelike::year(&today));
    let plans: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, year FROM plans WHERE status = 'active' AND year >= $1 AND year <= $2 ORDER BY id",
    )
    .bind(year - 1)
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = ScanOutcome::default();
    for (plan_id, _) in plans {
        let rules = rules(conn, plan_id).await?;
        let report = crate::compliance::report(conn, plan_id, today).await?;
        for p in &report.periods {
            if !matches!(p.status.as_str(), "due_soon" | "not_yet_due" | "missed") {
                continue;
            }
            let Ok(due) = NaiveDate::parse_from_str(&p.due, "%Y-%m-%d") else {
                continue;
            };
            let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
                continue;
            };
            out.due += 1;
            let column = p.column_name.as_deref().unwrap_or("指定栏目");
            let what = format!("“{column}”{}应公开的信息", p.label);
            let key = format!(
                "reminder:period:{}:{}:{}",
                p.obligation_id,
                p.key,
                rem.key()
            );
            let payload = NotifyPayload {
                org_id: p.org_id,
                kind: format!("period.{}", rem.kind.code()),
                title: reminder::title(&cal, &rem, &what, due, today),
                body: format!(
                    "{}：{}，公开期限 {due}。请在期限内于“{column}”栏目发布。",
                    rem.kind.label(),
                    what
                ),
                link: format!(
                    "/admin/supervision/periods?plan={plan_id}&as_of={today}&org={}",
                    p.org_id
                ),
                key: key.clone(),
            };
            let payload = serde_json::to_value(&payload).unwrap_or_default();
            if crate::jobs::enqueue(conn, NOTIFY_JOB, &payload, now_ms(), Some(&key))
                .await?
                .is_some()
            {
                out.enqueued += 1;
            }
        }
    }
    Ok(out)
}
