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

use crate::{Actor, DbResult, Page, now_ms, page_bounds};
use chrono::NaiveDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::filing::FilingKind;
use gongkai_domain::obligation::WorkingDays;
use gongkai_domain::reminder::{self, ReminderRules, SubjectKind};
use gongkai_domain::role::Role;
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

/// What a `notify` job carries: one message for every recipient of `audience` on `org_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyPayload {
    /// The organisation the message is about (0: none, e.g. the office's weekly digest).
    pub org_id: i64,
    /// Who receives it ([`Audience`] code; empty: the unit).
    #[serde(default)]
    pub audience: String,
    /// Users left out (the author of an item is never asked to review it).
    #[serde(default)]
    pub exclude: Vec<i64>,
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

/// Who a notice is addressed to, on its organisation. Resolved to users when it is delivered;
/// a notice that finds nobody is kept ([`deliver`]) and delivered when someone is granted a role
/// that makes them a recipient ([`redeliver_pending`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The unit: holders of [`RECIPIENT_ROLES`] on the organisation itself.
    Unit,
    /// Case handlers: handlers and organisation admins on the organisation itself.
    Handler,
    /// Item reviewers: reviewers and organisation admins on the organisation or an ancestor
    /// (scoped roles cover descendants, as in `Permissions`).
    Reviewer,
    /// The supervising office （政务公开办）: holders of the global supervisor role.
    Office,
}

impl Audience {
    pub fn code(self) -> &'static str {
        match self {
            Audience::Unit => "unit",
            Audience::Handler => "handler",
            Audience::Reviewer => "reviewer",
            Audience::Office => "office",
        }
    }

    pub fn from_code(code: &str) -> Audience {
        match code {
            "handler" => Audience::Handler,
            "reviewer" => Audience::Reviewer,
            "office" => Audience::Office,
            _ => Audience::Unit,
        }
    }
}

/// Active users holding one of [`RECIPIENT_ROLES`] on `org_id` itself, with their e-mail address.
pub async fn recipients(
    conn: &mut AnyConnection,
    org_id: i64,
) -> DbResult<Vec<(i64, Option<String>)>> {
    recipients_of(conn, org_id, Audience::Unit, &[]).await
}

/// Active users of `audience` on `org_id` (minus `exclude`), with their e-mail address.
pub async fn recipients_of(
    conn: &mut AnyConnection,
    org_id: i64,
    audience: Audience,
    exclude: &[i64],
) -> DbResult<Vec<(i64, Option<String>)>> {
    let base = "SELECT DISTINCT u.id, u.email FROM users u JOIN user_roles r ON r.user_id = u.id \
                WHERE u.is_active = 1 AND ";
    let rows: Vec<(i64, Option<String>)> = match audience {
        Audience::Unit => {
            sqlx::query_as(dyn_sql!(
                "{base}r.org_id = $1 AND r.role IN ($2, $3, $4) ORDER BY u.id"
            ))
            .bind(org_id)
            .bind(RECIPIENT_ROLES[0])
            .bind(RECIPIENT_ROLES[1])
            .bind(RECIPIENT_ROLES[2])
            .fetch_all(&mut *conn)
            .await?
        }
        Audience::Handler => {
            sqlx::query_as(dyn_sql!(
                "{base}r.org_id = $1 AND r.role IN ($2, $3) ORDER BY u.id"
            ))
            .bind(org_id)
            .bind(Role::Handler.code())
            .bind(Role::OrgAdmin.code())
            .fetch_all(&mut *conn)
            .await?
        }
        Audience::Reviewer => {
            let all = crate::orgs::all(conn).await?;
            let mut out = Vec::new();
            for org in crate::tree::path(&all, org_id) {
                let rows: Vec<(i64, Option<String>)> = sqlx::query_as(dyn_sql!(
                    "{base}r.org_id = $1 AND r.role IN ($2, $3) ORDER BY u.id"
                ))
                .bind(org.id)
                .bind(Role::Reviewer.code())
                .bind(Role::OrgAdmin.code())
                .fetch_all(&mut *conn)
                .await?;
                out.extend(rows);
            }
            out.sort();
            out.dedup_by_key(|r| r.0);
            out
        }
        Audience::Office => {
            sqlx::query_as(dyn_sql!(
                "{base}r.org_id IS NULL AND r.role = $1 ORDER BY u.id"
            ))
            .bind(Role::Supervisor.code())
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows
        .into_iter()
        .filter(|(id, _)| !exclude.contains(id))
        .collect())
}

/// The supervising office hears once of every case that became overdue （依申请公开， 留言，
/// 建议提案， 舆情）： a copy of the first overdue notice addressed to [`Audience::Office`], keyed
/// `office:<subject>` so the repeated overdue reminders of the unit are not copied. Returns
/// whether it was new.
pub async fn tell_office_once(
    conn: &mut AnyConnection,
    p: &NotifyPayload,
    subject: &str,
) -> DbResult<bool> {
    let office = NotifyPayload {
        audience: Audience::Office.code().into(),
        key: format!("office:{subject}"),
        ..p.clone()
    };
    enqueue(conn, &office).await
}

/// Queues a `notify` job for `p` (keyed by its own key, so queued once), in the caller's
/// transaction: the notice exists exactly when the change that causes it commits. Returns
/// whether it was new.
pub async fn enqueue(conn: &mut AnyConnection, p: &NotifyPayload) -> DbResult<bool> {
    let payload = serde_json::to_value(p).unwrap_or_default();
    Ok(
        crate::jobs::enqueue(conn, NOTIFY_JOB, &payload, now_ms(), Some(&p.key))
            .await?
            .is_some(),
    )
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
///
/// A notice that finds no recipient (no handler for the organisation yet, no supervisor yet) is
/// kept in `pending_notices` and delivered by [`redeliver_pending`] once someone can act on it.
pub async fn deliver(conn: &mut AnyConnection, p: &NotifyPayload, email: bool) -> DbResult<usize> {
    let mut created = 0;
    let audience = Audience::from_code(&p.audience);
    let to = recipients_of(conn, p.org_id, audience, &p.exclude).await?;
    if to.is_empty() {
        let payload = serde_json::to_string(p).unwrap_or_default();
        sqlx::query(
            "INSERT INTO pending_notices (dedupe_key, org_id, audience, payload, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (dedupe_key) DO NOTHING",
        )
        .bind(&p.key)
        .bind((p.org_id > 0).then_some(p.org_id))
        .bind(audience.code())
        .bind(payload)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
        return Ok(0);
    }
    sqlx::query(
        "UPDATE pending_notices SET delivered_at = $1 WHERE dedupe_key = $2 AND delivered_at IS NULL",
    )
    .bind(now_ms())
    .bind(&p.key)
    .execute(&mut *conn)
    .await?;
    for (user_id, address) in to {
        let key = format!("{}:user:{user_id}", p.key);
        if create(
            conn,
            user_id,
            (p.org_id > 0).then_some(p.org_id),
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

/// Queues delivery again of every kept notice that now has a recipient (someone was granted a
/// role, or activated): one `notify` job per notice, keyed `redeliver:<notice>`, so it is queued
/// once; the job marks the notice delivered. Called when a role is granted (in that transaction)
/// and by the reminder scan. Returns how many were queued.
pub async fn redeliver_pending(conn: &mut AnyConnection) -> DbResult<usize> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, payload FROM pending_notices WHERE delivered_at IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut queued = 0;
    for (id, payload) in rows {
        let Ok(p) = serde_json::from_str::<NotifyPayload>(&payload) else {
            continue;
        };
        let audience = Audience::from_code(&p.audience);
        if recipients_of(conn, p.org_id, audience, &p.exclude)
            .await?
            .is_empty()
        {
            continue;
        }
        let key = format!("redeliver:{id}");
        let value = serde_json::to_value(&p).unwrap_or_default();
        if crate::jobs::enqueue(conn, NOTIFY_JOB, &value, now_ms(), Some(&key))
            .await?
            .is_some()
        {
            queued += 1;
        }
    }
    Ok(queued)
}

/// Kept notices not yet delivered (for the back office and tests).
pub async fn pending_count(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM pending_notices WHERE delivered_at IS NULL")
            .fetch_one(conn)
            .await?,
    )
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

/// A plan's reminder rules; the office's rules for obligations when it has none.
pub async fn rules(conn: &mut AnyConnection, plan_id: i64) -> DbResult<ReminderRules> {
    plan_rules(conn, plan_id, SubjectKind::Obligation).await
}

/// A plan's reminder rules; the office's rules for `kind` when it has none.
pub async fn plan_rules(
    conn: &mut AnyConnection,
    plan_id: i64,
    kind: SubjectKind,
) -> DbResult<ReminderRules> {
    let row: Option<RulesRow> = sqlx::query_as(
        "SELECT days_before, on_day, overdue_every, overdue_max FROM reminder_rules WHERE plan_id = $1",
    )
    .bind(plan_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(r) => Ok(r.rules()),
        None => kind_rules(conn, kind).await,
    }
}

/// The office's reminder rules for a kind of subject; the defaults when none are set.
pub async fn kind_rules(conn: &mut AnyConnection, kind: SubjectKind) -> DbResult<ReminderRules> {
    let row: Option<RulesRow> = sqlx::query_as(
        "SELECT days_before, on_day, overdue_every, overdue_max FROM reminder_settings WHERE subject = $1",
    )
    .bind(kind.code())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| r.rules()).unwrap_or_default())
}

/// Sets the office's reminder rules for a kind of subject, audited (`reminder_rules.update`).
pub async fn set_kind_rules(
    conn: &mut AnyConnection,
    actor: &Actor,
    kind: SubjectKind,
    rules: &ReminderRules,
) -> DbResult<()> {
    let before = kind_rules(conn, kind).await?;
    let r = rules.clamped();
    sqlx::query(
        "INSERT INTO reminder_settings (subject, days_before, on_day, overdue_every, overdue_max, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subject) DO UPDATE SET \
         days_before = excluded.days_before, on_day = excluded.on_day, \
         overdue_every = excluded.overdue_every, overdue_max = excluded.overdue_max, \
         updated_at = excluded.updated_at",
    )
    .bind(kind.code())
    .bind(i64::from(r.days_before))
    .bind(i64::from(r.on_day))
    .bind(i64::from(r.overdue_every))
    .bind(i64::from(r.overdue_max))
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    crate::audit::record(
        conn,
        actor,
        crate::audit::Entry {
            action: "reminder_rules.update",
            entity: "reminder_settings",
            entity_id: kind.code().to_string(),
            summary: format!("修改提醒规则\u{FF1A}{}", kind.label()),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(r).ok(),
        },
    )
    .await
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
    org_name: String,
    due_date: String,
    label: String,
    kind: String,
    plan_id: i64,
    plan_title: String,
    task_number: i64,
    task_title: String,
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

impl ScanOutcome {
    pub fn add(&mut self, other: ScanOutcome) {
        self.due += other.due;
        self.enqueued += other.enqueued;
    }
}

/// `《plan》第N项任务“task”` — how every text names a duty's place in its plan.
pub fn plan_task(plan_title: &str, number: i64, task_title: &str) -> String {
    let plan = plan_title
        .trim_start_matches('\u{300A}')
        .trim_end_matches('\u{300B}');
    format!(
        "\u{300A}{plan}\u{300B}第{number}项任务\u{201C}{}\u{201D}",
        short(task_title, 40)
    )
}

/// At most `n` characters, with an ellipsis when cut.
pub fn short(s: &str, n: usize) -> String {
    let s = s.trim();
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}\u{2026}", s.chars().take(n).collect::<String>())
    }
}

/// The second half of a reminder's text: `应于2017年6月28日前公开，尚未公开。` or, overdue,
/// `应于…前公开，已逾期 3 个工作日，尚未公开。`
pub fn due_clause(
    cal: &Calendar,
    kind: reminder::ReminderKind,
    verb: &str,
    due: NaiveDate,
    today: NaiveDate,
) -> String {
    let date = reminder::chinese_date(due);
    match kind {
        reminder::ReminderKind::Overdue => {
            let late = cal.working_days_between(due, today);
            format!("应于{date}前{verb}\u{FF0C}已逾期 {late} 个工作日\u{FF0C}尚未{verb}\u{3002}")
        }
        _ => format!("应于{date}前{verb}\u{FF0C}尚未{verb}\u{3002}"),
    }
}

/// Enqueues a `notify` job for every reminder of an open (or returned) feedback round due on
/// `today`, under its plan's rules (else the office's rules for rounds) and the stored
/// working-day calendar. Idempotent.
pub async fn scan_feedback_reminders(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let office_rules = kind_rules(conn, SubjectKind::FeedbackRound).await?;
    let from = (today - chrono::Days::new(400))
        .format("%Y-%m-%d")
        .to_string();
    let to = (today + chrono::Days::new(120))
        .format("%Y-%m-%d")
        .to_string();
    let rounds: Vec<RoundRow> = sqlx::query_as(
        "SELECT fr.id, fr.org_id, o.name AS org_name, fr.due_date, fr.label, fr.kind, p.id AS plan_id, \
                p.title AS plan_title, pt.number AS task_number, pt.title AS task_title, \
                rr.days_before, rr.on_day, rr.overdue_every, rr.overdue_max \
         FROM feedback_rounds fr \
         JOIN organisations o ON o.id = fr.org_id \
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
            _ => office_rules,
        };
        let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
            continue;
        };
        out.due += 1;
        let what = match FilingKind::from_code(&r.kind) {
            Some(FilingKind::Feedback) | None => {
                format!("第{}项任务反馈\u{201C}{}\u{201D}", r.task_number, r.label)
            }
            Some(k) => format!("{}\u{201C}{}\u{201D}", k.label(), r.label),
        };
        let key = format!("reminder:feedback_round:{}:{}", r.id, rem.key());
        let payload = NotifyPayload {
            org_id: r.org_id,
            kind: format!("feedback.{}", rem.kind.code()),
            title: reminder::title(&cal, &rem, &what, due, today),
            body: format!(
                "{}\u{FF1A}{}\u{FF1A}{}\u{201C}{}\u{201D}{}",
                rem.kind.label(),
                plan_task(&r.plan_title, r.task_number, &r.task_title),
                r.org_name,
                r.label,
                due_clause(&cal, rem.kind, "报送", due, today),
            ),
            link: format!("/admin/plans/{}", r.plan_id),
            key: key.clone(),
            ..Default::default()
        };
        if enqueue(conn, &payload).await? {
            out.enqueued += 1;
        }
    }
    Ok(out)
}

/// Enqueues a `notify` job for every reminder due on `today` of a publication period that still
/// lacks its publication (status due soon, not yet due or missed in the compliance report of
/// each active plan whose year is around `today`), under the plan's rules. Keyed
/// `reminder:period:<obligation>:<period key>:<reminder>`, so it is created once. Periods of
/// obligations without a bound column are not checked, so they are not reminded either. The
/// due dates and statuses are the compliance engine's (`crate::compliance::report`).
pub async fn scan_period_reminders(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let year = i64::from(chrono::Datelike::year(&today));
    let plans: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, title FROM plans WHERE status = 'active' AND year >= $1 AND year <= $2 ORDER BY id",
    )
    .bind(year - 1)
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    let mut out = ScanOutcome::default();
    for (plan_id, plan_title) in plans {
        let rules = rules(conn, plan_id).await?;
        let report = crate::compliance::report(conn, plan_id, today).await?;
        let names = duty_names(conn, plan_id).await?;
        for p in &report.periods {
            if !gongkai_domain::obligation::Status::still_owed(&p.status) {
                continue;
            }
            let due = p.due.naive();
            let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
                continue;
            };
            out.due += 1;
            let column = p.column_name.as_deref().unwrap_or("指定栏目");
            let what = format!("\u{201C}{column}\u{201D}{}应公开的信息", p.label);
            let key = format!(
                "reminder:period:{}:{}:{}",
                p.obligation_id,
                p.key,
                rem.key()
            );
            let (task, duty) = names
                .get(&p.obligation_id)
                .cloned()
                .unwrap_or_else(|| (String::new(), String::new()));
            let payload = NotifyPayload {
                org_id: p.org_id,
                kind: format!("period.{}", rem.kind.code()),
                title: reminder::title(&cal, &rem, &what, due, today),
                body: format!(
                    "{}\u{FF1A}\u{300A}{plan_title}\u{300B}{task}\u{FF1A}{}\u{201C}{duty}\u{201D}{}期{}请在\u{201C}{column}\u{201D}栏目发布\u{3002}",
                    rem.kind.label(),
                    p.org_name,
                    p.label,
                    due_clause(&cal, rem.kind, "公开", due, today),
                ),
                link: format!(
                    "/admin/supervision/periods?plan={plan_id}&as_of={today}&org={}",
                    p.org_id
                ),
                key: key.clone(),
                ..Default::default()
            };
            if enqueue(conn, &payload).await? {
                out.enqueued += 1;
            }
        }
    }
    Ok(out)
}

/// For each obligation of a plan: `第N项任务“task”` and the duty's words.
async fn duty_names(
    conn: &mut AnyConnection,
    plan_id: i64,
) -> DbResult<std::collections::HashMap<i64, (String, String)>> {
    let rows: Vec<(i64, i64, String, String)> = sqlx::query_as(
        "SELECT ob.id, pt.number, pt.title, pd.text FROM obligations ob \
         JOIN plan_duties pd ON pd.id = ob.duty_id JOIN plan_tasks pt ON pt.id = pd.task_id \
         WHERE pt.plan_id = $1",
    )
    .bind(plan_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, n, task, duty)| {
            (
                id,
                (
                    format!("第{n}项任务\u{201C}{}\u{201D}", short(&task, 40)),
                    short(&duty, 30),
                ),
            )
        })
        .collect())
}
