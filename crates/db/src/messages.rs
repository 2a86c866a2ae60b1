//! Citizen messages (`messages`, migration `0015_messages_opinion`; rules in
//! `domain::message`): submitted by the public with a query code, assigned to a responder,
//! replied, published with a masked copy (`public_*` columns, written once at publication, so the
//! portal never reads the unmasked text), rated by the writer. Every change is audited in the
//! caller's transaction; the writer's contact details never enter the audit log.

use crate::audit::{self, Entry};
use crate::notifications::{NOTIFY_JOB, NotifyPayload, ScanOutcome};
use crate::{Actor, DbError, DbResult, Page, now_ms, page_bounds};
use chrono::NaiveDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::message::{
    self, AgeFlag, DEFAULT_REPLY_WORKING_DAYS, MessageInput, MessageStatus, Satisfaction,
};
use gongkai_domain::reminder::{self, ReminderRules};
use gongkai_domain::{CivilDate, Invalid};
use serde::Serialize;
use sqlx::AnyConnection;

/// Setting: the reply limit in working days (default 5).
pub const REPLY_DAYS_SETTING: &str = "message_reply_working_days";
/// At most this many messages from one address per hour.
pub const MAX_PER_IP_PER_HOUR: i64 = 5;
/// The same message sent again within this window is the same message (same query code).
pub const DUPLICATE_WINDOW_MS: i64 = 10 * 60_000;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub query_code: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub title: String,
    pub content: String,
    pub status: String,
    #[sqlx(try_from = "String")]
    pub received_on: CivilDate,
    pub reply_days: i64,
    #[sqlx(try_from = "String")]
    pub due_on: CivilDate,
    pub responder_id: Option<i64>,
    pub responder_name: Option<String>,
    pub reply: Option<String>,
    pub replied_at: Option<i64>,
    pub published_at: Option<i64>,
    pub closed_reason: Option<String>,
    pub public_name: Option<String>,
    pub public_title: Option<String>,
    pub public_content: Option<String>,
    pub public_reply: Option<String>,
    pub satisfaction: Option<String>,
    pub created_at: i64,
}

impl MessageRow {
    pub fn status(&self) -> MessageStatus {
        MessageStatus::from_code(&self.status).unwrap_or(MessageStatus::Received)
    }
    pub fn received(&self) -> Option<NaiveDate> {
        Some(self.received_on.naive())
    }
    pub fn due(&self) -> Option<NaiveDate> {
        Some(self.due_on.naive())
    }
    pub fn satisfaction_label(&self) -> &'static str {
        self.satisfaction
            .as_deref()
            .and_then(Satisfaction::from_code)
            .map_or("", Satisfaction::label)
    }
}

const SELECT: &str = "SELECT m.id, m.org_id, o.name AS org_name, m.query_code, m.name, m.phone, \
     m.email, m.title, m.content, m.status, m.received_on, m.reply_days, m.due_on, m.responder_id, \
     u.display_name AS responder_name, m.reply, m.replied_at, m.published_at, m.closed_reason, \
     m.public_name, m.public_title, m.public_content, m.public_reply, m.satisfaction, m.created_at \
     FROM messages m JOIN organisations o ON o.id = m.org_id \
     LEFT JOIN users u ON u.id = m.responder_id";

/// The configured reply limit (working days); the default when unset or invalid.
pub async fn reply_days(conn: &mut AnyConnection) -> DbResult<u32> {
    let stored = crate::settings::get(conn, REPLY_DAYS_SETTING).await?;
    Ok(stored
        .as_deref()
        .and_then(|s| message::parse_reply_days(s).ok())
        .unwrap_or(DEFAULT_REPLY_WORKING_DAYS))
}

/// Messages sent from `ip` since `since_ms` (the flood throttle).
pub async fn recent_from_ip(conn: &mut AnyConnection, ip: &str, since_ms: i64) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE ip = $1 AND created_at >= $2")
            .bind(ip)
            .bind(since_ms)
            .fetch_one(conn)
            .await?,
    )
}

/// The query code of the same message sent since `since_ms`, if any.
pub async fn duplicate_of(
    conn: &mut AnyConnection,
    hash: &str,
    since_ms: i64,
) -> DbResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT query_code FROM messages WHERE dedupe_hash = $1 AND created_at >= $2 ORDER BY id LIMIT 1",
    )
    .bind(hash)
    .bind(since_ms)
    .fetch_optional(conn)
    .await?)
}

/// What a submission stores besides the checked input.
pub struct Receipt<'a> {
    pub query_code: &'a str,
    pub received_on: NaiveDate,
    pub ip: &'a str,
    pub dedupe_hash: &'a str,
}

/// Stores a message from the public with its due date on the stored calendar and the configured
/// limit; audited without the contact details. Refused (`Invalid`) for an unknown organisation.
pub async fn submit(
    conn: &mut AnyConnection,
    actor: &Actor,
    input: &MessageInput,
    r: &Receipt<'_>,
) -> DbResult<i64> {
    let org = match crate::orgs::get(conn, input.org_id).await {
        Ok(o) => o,
        Err(DbError::NotFound(_)) => {
            return Err(Invalid::one("org_id", "所选受理单位不存在，请重新选择").into());
        }
        Err(e) => return Err(e),
    };
    if org.kind == "collective" {
        return Err(Invalid::one("org_id", "请选择具体的受理单位").into());
    }
    let cal = crate::calendar::load(conn).await?;
    let n = reply_days(conn).await?;
    let due = message::reply_due(&cal, r.received_on, n)
        .map_err(|e| Invalid::one("org_id", e.to_string()))?
        .date;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (org_id, query_code, name, phone, email, title, content, status, \
         received_on, reply_days, due_on, ip, dedupe_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'received', $8, $9, $10, $11, $12, $13, $13) RETURNING id",
    )
    .bind(input.org_id)
    .bind(r.query_code)
    .bind(&input.name)
    .bind(&input.phone)
    .bind(&input.email)
    .bind(&input.title)
    .bind(&input.content)
    .bind(r.received_on.to_string())
    .bind(i64::from(n))
    .bind(due.to_string())
    .bind(r.ip)
    .bind(r.dedupe_hash)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "message.submit",
            entity: "message",
            entity_id: id.to_string(),
            summary: format!(
                "收到致{}的留言（查询码 {}），答复期限 {due}",
                org.name, r.query_code
            ),
            before: None,
            after: Some(serde_json::json!({
                "org_id": input.org_id, "received_on": r.received_on.to_string(),
                "reply_days": n, "due_on": due.to_string(),
            })),
        },
    )
    .await?;
    Ok(id)
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<MessageRow> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("留言不存在"))
}

pub async fn by_code(conn: &mut AnyConnection, code: &str) -> DbResult<Option<MessageRow>> {
    Ok(sqlx::query_as(dyn_sql!("{SELECT} WHERE m.query_code = $1"))
        .bind(code)
        .fetch_optional(conn)
        .await?)
}

/// A published message as the portal shows it: masked copies only.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PublicMessage {
    pub id: i64,
    pub org_name: String,
    pub public_name: String,
    pub public_title: String,
    pub public_content: String,
    pub public_reply: String,
    #[sqlx(try_from = "String")]
    pub received_on: CivilDate,
    pub replied_at: i64,
    pub published_at: i64,
}

const PUBLIC_SELECT: &str = "SELECT m.id, o.name AS org_name, m.public_name, m.public_title, \
     m.public_content, m.public_reply, m.received_on, m.replied_at, m.published_at \
     FROM messages m JOIN organisations o ON o.id = m.org_id \
     WHERE m.status = 'published' AND m.public_title IS NOT NULL";

/// Published messages, newest publication first.
pub async fn list_public(
    conn: &mut AnyConnection,
    page: i64,
    per_page: i64,
) -> DbResult<Page<PublicMessage>> {
    let (page, per_page, offset) = page_bounds(page, per_page);
    let total: i64 = sqlx::query_scalar(dyn_sql!("SELECT COUNT(*) FROM ({PUBLIC_SELECT}) AS pm"))
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "{PUBLIC_SELECT} ORDER BY m.published_at DESC, m.id DESC LIMIT {per_page} OFFSET {offset}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

pub async fn get_public(conn: &mut AnyConnection, id: i64) -> DbResult<PublicMessage> {
    sqlx::query_as(dyn_sql!("{PUBLIC_SELECT} AND m.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("留言不存在"))
}

/// Back-office filter.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// `None`: every organisation.
    pub orgs: Option<Vec<i64>>,
    pub status: Option<MessageStatus>,
}

/// The queue: messages awaiting a reply first, by due date; then the rest, newest first.
pub async fn list(
    conn: &mut AnyConnection,
    f: &Filter,
    page: i64,
    per_page: i64,
) -> DbResult<Page<MessageRow>> {
    let (page, per_page, offset) = page_bounds(page, per_page);
    // Only formatted integers are spliced in (organisation ids); the status is bound.
    let org_sql = match &f.orgs {
        None => String::new(),
        Some(ids) if ids.is_empty() => " AND 1 = 0".to_string(),
        Some(ids) => format!(
            " AND m.org_id IN ({})",
            ids.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let status = f.status.map(MessageStatus::code).unwrap_or("");
    let where_sql = format!("WHERE ($1 = '' OR m.status = $1){org_sql}");
    let total: i64 = sqlx::query_scalar(dyn_sql!("SELECT COUNT(*) FROM messages m {where_sql}"))
        .bind(status)
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "{SELECT} {where_sql} ORDER BY CASE WHEN m.status IN ('received', 'assigned') THEN 0 ELSE 1 END, \
         CASE WHEN m.status IN ('received', 'assigned') THEN m.due_on ELSE '' END, m.created_at DESC, m.id DESC \
         LIMIT {per_page} OFFSET {offset}"
    ))
    .bind(status)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// Active users who may answer an organisation's messages (its 单位管理员 and 办理人).
pub async fn responders(conn: &mut AnyConnection, org_id: i64) -> DbResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT DISTINCT u.id, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id \
         WHERE r.org_id = $1 AND r.role IN ('org_admin', 'handler') AND u.is_active = 1 ORDER BY u.id",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await?)
}

fn refuse(msg: String) -> DbError {
    Invalid::one("status", msg).into()
}

async fn load_for(
    conn: &mut AnyConnection,
    id: i64,
    action: message::Action,
) -> DbResult<MessageRow> {
    let m = get(conn, id).await?;
    m.status().check(action).map_err(refuse)?;
    Ok(m)
}

/// Moves `id` from one of `from` to `to` with the extra assignments; `Stale` when it moved meanwhile.
async fn transition(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    set_sql: &'static str,
    binds: Vec<Option<String>>,
    ints: Vec<Option<i64>>,
) -> DbResult<()> {
    // `set_sql` uses $1.. for `binds`, then the ints, then id last.
    let n_b = binds.len();
    let n_i = ints.len();
    let sql = dyn_sql!(
        "UPDATE messages SET {set_sql} WHERE id = ${} AND status IN ({from})",
        n_b + n_i + 1
    );
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(b);
    }
    for i in ints {
        q = q.bind(i);
    }
    let n = q.bind(id).execute(conn).await?.rows_affected();
    if n == 1 { Ok(()) } else { Err(DbError::Stale) }
}

/// Assigns a responder (one of [`responders`] of the message's organisation).
pub async fn assign(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    responder_id: i64,
) -> DbResult<()> {
    let m = load_for(conn, id, message::Action::Assign).await?;
    let who = responders(conn, m.org_id).await?;
    let Some((_, name)) = who.iter().find(|(u, _)| *u == responder_id) else {
        return Err(Invalid::one(
            "responder_id",
            "请选择本单位的办理人（单位管理员或办理人角色）",
        )
        .into());
    };
    let now = now_ms();
    transition(
        conn,
        id,
        "'received', 'assigned'",
        "status = 'assigned', responder_id = $1, assigned_at = $2, updated_at = $2",
        vec![],
        vec![Some(responder_id), Some(now)],
    )
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "message.assign",
            entity: "message",
            entity_id: id.to_string(),
            summary: format!("留言“{}”分配给{name}办理", m.title),
            before: Some(serde_json::json!({"status": m.status, "responder_id": m.responder_id})),
            after: Some(serde_json::json!({"status": "assigned", "responder_id": responder_id})),
        },
    )
    .await
}

/// Records the reply (already checked and guard-scanned by the caller).
pub async fn reply(conn: &mut AnyConnection, actor: &Actor, id: i64, text: &str) -> DbResult<()> {
    let m = load_for(conn, id, message::Action::Reply).await?;
    let now = now_ms();
    transition(
        conn,
        id,
        "'received', 'assigned'",
        "status = 'replied', reply = $1, replied_at = $2, replied_by = $3, updated_at = $2",
        vec![Some(text.to_string())],
        vec![Some(now), actor.user_id],
    )
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "message.reply",
            entity: "message",
            entity_id: id.to_string(),
            summary: format!("答复留言“{}”", m.title),
            before: Some(serde_json::json!({"status": m.status})),
            after: Some(serde_json::json!({"status": "replied", "reply": text})),
        },
    )
    .await
}

/// Publishes question and reply: the masked copies are computed here, once, and only they are
/// ever shown publicly.
pub async fn publish(conn: &mut AnyConnection, actor: &Actor, id: i64) -> DbResult<()> {
    let m = load_for(conn, id, message::Action::Publish).await?;
    let copy = message::public_copy(
        &m.name,
        &m.title,
        &m.content,
        m.reply.as_deref().unwrap_or(""),
    );
    let now = now_ms();
    transition(
        conn,
        id,
        "'replied'",
        "status = 'published', public_name = $1, public_title = $2, public_content = $3, \
         public_reply = $4, published_at = $5, updated_at = $5",
        vec![
            Some(copy.name.clone()),
            Some(copy.title.clone()),
            Some(copy.content.clone()),
            Some(copy.reply.clone()),
        ],
        vec![Some(now)],
    )
    .await?;
    crate::search_outbox::record_kind(conn, gongkai_domain::model::SearchKind::Message, id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "message.publish",
            entity: "message",
            entity_id: id.to_string(),
            summary: format!("公开留言“{}”及答复（个人信息已脱敏）", copy.title),
            before: Some(serde_json::json!({"status": m.status})),
            after: Some(serde_json::json!({"status": "published", "public": copy})),
        },
    )
    .await
}

/// Closes a message without publishing it, with a reason.
pub async fn close(conn: &mut AnyConnection, actor: &Actor, id: i64, reason: &str) -> DbResult<()> {
    let m = load_for(conn, id, message::Action::Close).await?;
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(Invalid::one("reason", "请填写办结说明（不超过500字）").into());
    }
    let now = now_ms();
    transition(
        conn,
        id,
        "'received', 'assigned', 'replied'",
        "status = 'closed', closed_reason = $1, updated_at = $2",
        vec![Some(reason.to_string())],
        vec![Some(now)],
    )
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "message.close",
            entity: "message",
            entity_id: id.to_string(),
            summary: format!("办结留言“{}”（不公开）：{reason}", m.title),
            before: Some(serde_json::json!({"status": m.status})),
            after: Some(serde_json::json!({"status": "closed", "reason": reason})),
        },
    )
    .await
}

/// The writer's rating, once, after a reply.
pub async fn rate(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    s: Satisfaction,
) -> DbResult<()> {
    let n = sqlx::query(
        "UPDATE messages SET satisfaction = $1, rated_at = $2 WHERE id = $3 \
         AND satisfaction IS NULL AND reply IS NOT NULL",
    )
    .bind(s.code())
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n != 1 {
        return Err(Invalid::one("satisfaction", "该留言尚未答复或已评价过，不能重复评价").into());
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "message.rate",
            entity: "message",
            entity_id: id.to_string(),
            summary: format!("留言人评价：{}", s.label()),
            before: None,
            after: Some(serde_json::json!({"satisfaction": s.code()})),
        },
    )
    .await
}

/// Counts for the supervision board: messages awaiting a reply past their due date, and those
/// flagged by the 3-month rule (2 months or more), within `orgs` (`None`: all).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Counts {
    pub awaiting: i64,
    pub overdue: i64,
    pub two_months: i64,
    pub over_three_months: i64,
}

pub async fn counts(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
    today: NaiveDate,
) -> DbResult<Counts> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT org_id, received_on, due_on FROM messages WHERE status IN ('received', 'assigned')",
    )
    .fetch_all(conn)
    .await?;
    let mut c = Counts::default();
    for (org, received, due) in rows {
        if orgs.is_some_and(|o| !o.contains(&org)) {
            continue;
        }
        c.awaiting += 1;
        if due.as_str() < today.to_string().as_str() {
            c.overdue += 1;
        }
        if let Some(r) = CivilDate::parse(&received) {
            let r = r.naive();
            match message::age_flag(r, today) {
                AgeFlag::None => {}
                AgeFlag::OverThreeMonths => {
                    c.two_months += 1;
                    c.over_three_months += 1;
                }
                _ => c.two_months += 1,
            }
        }
    }
    Ok(c)
}

/// Enqueues `notify` jobs for messages awaiting a reply: the reply-deadline reminders (before,
/// on the day, overdue, under the default reminder rules on the stored calendar), and the
/// 3-month-rule flags (2 months, 2.5 months, over 3 months), each once, keyed
/// `reminder:message:<id>:<reminder>` and `reminder:message_age:<id>:<flag>`.
pub async fn scan_reminders(conn: &mut AnyConnection, today: NaiveDate) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let rows: Vec<(i64, i64, String, String, String, String)> = sqlx::query_as(
        "SELECT m.id, m.org_id, m.title, m.received_on, m.due_on, m.query_code FROM messages m \
         WHERE m.status IN ('received', 'assigned') ORDER BY m.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let rules: ReminderRules =
        crate::notifications::kind_rules(conn, gongkai_domain::reminder::SubjectKind::Message)
            .await?;
    let mut out = ScanOutcome::default();
    let mut office: Vec<(NotifyPayload, String)> = Vec::new();
    for (id, org_id, title, received, due, code) in rows {
        let (Some(received), Some(due)) = (CivilDate::parse(&received), CivilDate::parse(&due))
        else {
            continue;
        };
        let (received, due) = (received.naive(), due.naive());
        let what = format!("留言“{title}”（查询码 {code}）");
        let mut jobs = Vec::new();
        if let Some(rem) = reminder::due_on(&rules, &cal, due, today) {
            if rem.kind == reminder::ReminderKind::Overdue {
                let copy = NotifyPayload {
                    org_id,
                    kind: "message.overdue".into(),
                    title: reminder::title(&cal, &rem, &what, due, today),
                    body: format!("{}：{what}，答复期限 {due}。", rem.kind.label()),
                    link: format!("/admin/messages/{id}"),
                    ..Default::default()
                };
                office.push((copy, format!("message:{id}:{due}")));
            }
            jobs.push(NotifyPayload {
                org_id,
                kind: format!("message.{}", rem.kind.code()),
                title: reminder::title(&cal, &rem, &what, due, today),
                body: format!("{}：{what}，答复期限 {due}。请及时答复。", rem.kind.label()),
                link: format!("/admin/messages/{id}"),
                key: format!("reminder:message:{id}:{}", rem.key()),
                audience: "handler".into(),
                ..Default::default()
            });
        }
        let flag = message::age_flag(received, today);
        if flag != AgeFlag::None {
            jobs.push(NotifyPayload {
                org_id,
                kind: format!("message.age.{}", flag.code()),
                title: format!("{what}{}", flag.label()),
                body: format!(
                    "{what}于 {received} 收到，至今未答复。《政府网站与政务新媒体检查指标》：有效留言超过3个月未回应的，单项否决。"
                ),
                link: format!("/admin/messages/{id}"),
                key: format!("reminder:message_age:{id}:{}", flag.code()),
                audience: "handler".into(),
                ..Default::default()
            });
        }
        for p in jobs {
            out.due += 1;
            let key = p.key.clone();
            let payload = serde_json::to_value(&p).unwrap_or_default();
            if crate::jobs::enqueue(conn, NOTIFY_JOB, &payload, now_ms(), Some(&key))
                .await?
                .is_some()
            {
                out.enqueued += 1;
            }
        }
    }
    for (p, subject) in &office {
        if crate::notifications::tell_office_once(conn, p, subject).await? {
            out.enqueued += 1;
        }
    }
    Ok(out)
}
