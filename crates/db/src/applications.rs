//! Applications for disclosure (`applications`, `application_events`, `application_letter_templates`,
//! `application_lookups`; migration `0014_applications`; rules in `domain::application`).
//!
//! The case is rebuilt from its append-only events on every action ([`case_of`]) and the
//! domain's [`Case::apply`] decides; the row caches status, due date and answer for the queue.
//! Every write is audited in the caller's transaction.

use crate::audit::{self, Entry};
use crate::civil::NullableDate;
use crate::{Actor, DbError, DbResult, Page, now_ms, page_bounds};
use gongkai_domain::application::letter::TemplateId;
use gongkai_domain::application::{
    ApplicantType, ApplicationInput, Case, CaseError, CaseEvent, Channel, Delivery, FeeScale,
    IdType, Outcome, Status,
};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::calendar::clock::ClockRule;
use gongkai_domain::model::OrgKind;
use gongkai_domain::{CivilDate, Invalid};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub tracking_code: String,
    pub phone_tail: String,
    pub channel: String,
    pub applicant_type: String,
    pub name: String,
    pub org_name_applicant: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub description: String,
    pub purpose: String,
    pub delivery: String,
    #[sqlx(try_from = "String")]
    pub submitted_on: CivilDate,
    #[sqlx(try_from = "String")]
    pub received_on: CivilDate,
    pub status: String,
    #[sqlx(try_from = "NullableDate")]
    pub due_on: Option<CivilDate>,
    pub extended: i64,
    pub outcome: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub answered_on: Option<CivilDate>,
    pub answer_text: String,
    pub fee_scale: Option<String>,
    pub fee_quantity: i64,
    pub fee_yuan: i64,
    pub created_at: i64,
    /// 1 when the applicant agreed to the disclosure log.
    pub publish_consent: i64,
    /// When the case was published to the disclosure log (`None`: not public).
    pub published_at: Option<i64>,
    /// The draft item made from the answer （条例第四十四条）.
    pub art44_item_id: Option<i64>,
}

impl ApplicationRow {
    pub fn received(&self) -> chrono::NaiveDate {
        self.received_on.naive()
    }
    pub fn status_label(&self) -> &'static str {
        Status::from_code(&self.status).map_or("未知", Status::label)
    }
    pub fn channel_label(&self) -> &'static str {
        Channel::from_code(&self.channel).map_or("未知", Channel::label)
    }
    pub fn applicant_type_label(&self) -> String {
        ApplicantType::from_code(&self.applicant_type)
            .map_or_else(|| "未知".into(), ApplicantType::full_label)
    }
    pub fn id_type_label(&self) -> &'static str {
        IdType::from_code(&self.id_type).map_or("未知", IdType::label)
    }
    pub fn delivery_label(&self) -> &'static str {
        Delivery::from_code(&self.delivery).map_or("未知", Delivery::label)
    }
    pub fn outcome_label(&self) -> Option<String> {
        self.outcome
            .as_deref()
            .and_then(Outcome::from_code)
            .map(Outcome::full_label)
    }
    /// The applicant as addressed in letters: the organisation's name, or the person's.
    pub fn addressee(&self) -> &str {
        if self.org_name_applicant.is_empty() {
            &self.name
        } else {
            &self.org_name_applicant
        }
    }
}

pub(crate) const SELECT: &str = "SELECT a.id, a.org_id, o.name AS org_name, a.tracking_code, a.phone_tail, a.channel, \
     a.applicant_type, a.name, a.org_name AS org_name_applicant, a.id_type, a.id_number, a.phone, a.email, \
     a.address, a.description, a.purpose, a.delivery, a.submitted_on, a.received_on, a.status, a.due_on, \
     a.extended, a.outcome, a.answered_on, a.answer_text, a.fee_scale, a.fee_quantity, a.fee_yuan, a.created_at, \
     a.publish_consent, a.published_at, a.art44_item_id \
     FROM applications a JOIN organisations o ON o.id = a.org_id";

/// One stored event of a case, with who recorded it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct EventRow {
    pub id: i64,
    pub kind: String,
    #[sqlx(try_from = "String")]
    pub on_date: CivilDate,
    pub data: String,
    pub actor_name: String,
    pub created_at: i64,
}

impl EventRow {
    /// The domain event (`None` for the receipt row, which is the case itself).
    pub fn event(&self) -> Option<CaseEvent> {
        if self.kind == "received" {
            return None;
        }
        serde_json::from_str(&self.data).ok()
    }
}

/// A new application: validated input plus where and when it came from.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub org_id: i64,
    pub channel: Channel,
    pub input: ApplicationInput,
    pub submitted_on: chrono::NaiveDate,
    pub received_on: chrono::NaiveDate,
    pub tracking_code: String,
    /// Hash of the content, for spotting a duplicated submission.
    pub fingerprint: String,
    pub submit_ip: String,
}

/// The tracking code of the same submission made since `since_ms`, if any.
pub async fn find_duplicate(
    conn: &mut AnyConnection,
    fingerprint: &str,
    since_ms: i64,
) -> DbResult<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT tracking_code FROM applications WHERE fingerprint = $1 AND created_at >= $2 ORDER BY id LIMIT 1",
    )
    .bind(fingerprint)
    .bind(since_ms)
    .fetch_optional(conn)
    .await?)
}

/// Online submissions from `ip` since `since_ms`.
pub async fn count_from_ip(conn: &mut AnyConnection, ip: &str, since_ms: i64) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM applications WHERE submit_ip = $1 AND channel = 'online' AND created_at >= $2",
    )
    .bind(ip)
    .bind(since_ms)
    .fetch_one(conn)
    .await?)
}

/// Stores a new application and its receipt row; returns its id. The due date is computed on
/// `cal` from the receipt date.
pub async fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    new: &NewApplication,
    cal: &Calendar,
) -> DbResult<i64> {
    let org = crate::orgs::get(conn, new.org_id).await?;
    if !gongkai_domain::application::receives_applications(OrgKind::from_code(&org.kind)) {
        return Err(Invalid::one("org_id", gongkai_domain::application::NOT_AN_AGENCY).into());
    }
    let case = Case::new(new.received_on, ClockRule::NATIONAL);
    let due = case.deadline(cal).map_err(case_invalid)?.due;
    let i = &new.input;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO applications (org_id, tracking_code, phone_tail, channel, applicant_type, name, org_name, \
         id_type, id_number, phone, email, address, description, purpose, delivery, submitted_on, received_on, \
         status, due_on, fingerprint, submit_ip, created_by, created_at, updated_at, publish_consent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23, $24) \
         RETURNING id",
    )
    .bind(new.org_id)
    .bind(&new.tracking_code)
    .bind(i.phone_tail())
    .bind(new.channel.code())
    .bind(i.applicant_type.code())
    .bind(&i.name)
    .bind(&i.org_name)
    .bind(i.id_type.code())
    .bind(&i.id_number)
    .bind(&i.phone)
    .bind(&i.email)
    .bind(&i.address)
    .bind(&i.description)
    .bind(&i.purpose)
    .bind(i.delivery.code())
    .bind(new.submitted_on.to_string())
    .bind(new.received_on.to_string())
    .bind(Status::InProgress.code())
    .bind(due.map(|d| d.to_string()))
    .bind(&new.fingerprint)
    .bind(&new.submit_ip)
    .bind(actor.user_id)
    .bind(now)
    .bind(i64::from(i.publish_consent))
    .fetch_one(&mut *conn)
    .await?;
    let data = serde_json::json!({"channel": new.channel.code(), "submitted_on": new.submitted_on.to_string(),
                                  "received_on": new.received_on.to_string()});
    insert_event(
        conn,
        actor,
        id,
        "received",
        new.received_on,
        &data.to_string(),
    )
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.create",
            entity: "application",
            entity_id: id.to_string(),
            summary: format!(
                "登记政府信息公开申请 {}（{}，收到日期 {}）",
                new.tracking_code,
                new.channel.label(),
                new.received_on
            ),
            before: None,
            after: Some(serde_json::json!({
                "org_id": new.org_id, "channel": new.channel.code(), "received_on": new.received_on.to_string(),
                "applicant_type": i.applicant_type.code(),
                "publish_consent": i.publish_consent,
            })),
        },
    )
    .await?;
    Ok(id)
}

async fn insert_event(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    kind: &str,
    on: chrono::NaiveDate,
    data: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO application_events (application_id, kind, on_date, data, actor_id, actor_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(id)
    .bind(kind)
    .bind(on.to_string())
    .bind(data)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

fn case_invalid(e: CaseError) -> DbError {
    DbError::Invalid(Invalid::one("event", e.to_string()))
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<ApplicationRow> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("申请不存在"))
}

/// The application with this tracking code whose phone ends with `tail`; `None` otherwise (the
/// same answer whether the code or the tail is wrong).
pub async fn by_tracking(
    conn: &mut AnyConnection,
    code: &str,
    tail: &str,
) -> DbResult<Option<ApplicationRow>> {
    let row: Option<ApplicationRow> =
        sqlx::query_as(dyn_sql!("{SELECT} WHERE a.tracking_code = $1"))
            .bind(code)
            .fetch_optional(conn)
            .await?;
    Ok(row.filter(|r| {
        !tail.is_empty()
            && r.phone_tail.len() == tail.len()
            && r.phone_tail.as_bytes() == tail.as_bytes()
    }))
}

pub async fn events(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<EventRow>> {
    Ok(sqlx::query_as(
        "SELECT id, kind, on_date, data, actor_name, created_at FROM application_events \
         WHERE application_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// The case of a row rebuilt from its events.
pub fn case_of(row: &ApplicationRow, events: &[EventRow], cal: &Calendar) -> DbResult<Case> {
    Case::from_events(
        row.received(),
        ClockRule::NATIONAL,
        events.iter().filter_map(EventRow::event),
        cal,
    )
    .map_err(case_invalid)
}

/// Extra answer data stored on the row with an `Answered` event.
#[derive(Debug, Clone, Default)]
pub struct AnswerExtra {
    pub text: String,
    pub fee_scale: Option<FeeScale>,
    pub fee_quantity: u32,
}

/// Records one event of a case after the domain accepted it; refused in Chinese, writing nothing.
pub async fn record_event(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    event: CaseEvent,
    answer: Option<&AnswerExtra>,
    cal: &Calendar,
) -> DbResult<()> {
    let row = get(conn, id).await?;
    let evs = events(conn, id).await?;
    let mut case = case_of(&row, &evs, cal)?;
    case.admit(event.clone(), cal).map_err(case_invalid)?;
    let due = case.deadline(cal).map_err(case_invalid)?.due;
    let data = serde_json::to_string(&event).map_err(|e| DbError::Config(e.to_string()))?;
    insert_event(conn, actor, id, event.code(), event.date(), &data).await?;
    sqlx::query(
        "UPDATE applications SET status = $1, due_on = $2, extended = $3, updated_at = $4 WHERE id = $5",
    )
    .bind(case.status().code())
    .bind(due.map(|d| d.to_string()))
    .bind(i64::from(case.is_extended()))
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if let CaseEvent::Answered {
        on,
        outcome,
        fee_yuan,
        ..
    } = &event
    {
        let extra = answer.cloned().unwrap_or_default();
        sqlx::query(
            "UPDATE applications SET outcome = $1, answered_on = $2, answer_text = $3, fee_scale = $4, \
             fee_quantity = $5, fee_yuan = $6 WHERE id = $7",
        )
        .bind(outcome.code())
        .bind(on.to_string())
        .bind(&extra.text)
        .bind(extra.fee_scale.map(FeeScale::code))
        .bind(i64::from(extra.fee_quantity))
        .bind(i64::try_from(*fee_yuan).unwrap_or(i64::MAX))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.event",
            entity: "application",
            entity_id: id.to_string(),
            summary: format!("申请 {}：{}", row.tracking_code, event.label()),
            before: Some(serde_json::json!({"status": row.status, "due_on": row.due_on})),
            after: Some(serde_json::json!({"status": case.status().code(), "due_on": due.map(|d| d.to_string()), "event": event})),
        },
    )
    .await?;
    Ok(())
}

/// Applications of `orgs` (`None`: all): open ones first by due date (paused ones after), then
/// answered ones newest first.
pub async fn queue(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
    page: i64,
) -> DbResult<Page<ApplicationRow>> {
    let (page, per_page, offset) = page_bounds(page, 50);
    let filter = match orgs {
        None => String::new(),
        Some([]) => " WHERE 1 = 0".to_string(),
        Some(ids) => format!(
            " WHERE a.org_id IN ({})",
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        ),
    };
    let total: i64 = sqlx::query_scalar(dyn_sql!("SELECT COUNT(*) FROM applications a{filter}"))
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "{SELECT}{filter} ORDER BY CASE WHEN a.status IN ('answered', 'withdrawn') THEN 2 WHEN a.due_on IS NULL THEN 1 ELSE 0 END, \
         a.due_on, a.answered_on DESC, a.id LIMIT {per_page} OFFSET {offset}"
    ))
    .fetch_all(conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// How many applications the holder of `id_number` made to `org_id` in the month of `date`
/// (received dates), for the 按件 fee scale.
pub async fn count_in_month(
    conn: &mut AnyConnection,
    org_id: i64,
    id_number: &str,
    date: chrono::NaiveDate,
) -> DbResult<i64> {
    let prefix = date.format("%Y-%m-").to_string();
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT received_on FROM applications WHERE org_id = $1 AND id_number = $2",
    )
    .bind(org_id)
    .bind(id_number)
    .fetch_all(conn)
    .await?;
    Ok(i64::try_from(rows.iter().filter(|r| r.starts_with(&prefix)).count()).unwrap_or(0))
}

/// The organisation's template for a letter, or the built-in one.
pub async fn letter_template(
    conn: &mut AnyConnection,
    org_id: i64,
    template: TemplateId,
) -> DbResult<(String, bool)> {
    let stored: Option<String> = sqlx::query_scalar(
        "SELECT body FROM application_letter_templates WHERE org_id = $1 AND kind = $2",
    )
    .bind(org_id)
    .bind(template.code())
    .fetch_optional(conn)
    .await?;
    Ok(match stored {
        Some(b) => (b, true),
        None => (template.default_template().to_string(), false),
    })
}

/// Stores (or, with `None`, removes) an organisation's template after checking it.
pub async fn set_letter_template(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    template: TemplateId,
    body: Option<&str>,
) -> DbResult<()> {
    if let Some(b) = body {
        gongkai_domain::application::letter::validate_template(b)?;
    }
    let (before, _) = letter_template(conn, org_id, template).await?;
    sqlx::query("DELETE FROM application_letter_templates WHERE org_id = $1 AND kind = $2")
        .bind(org_id)
        .bind(template.code())
        .execute(&mut *conn)
        .await?;
    if let Some(b) = body {
        sqlx::query(
            "INSERT INTO application_letter_templates (org_id, kind, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org_id)
        .bind(template.code())
        .bind(b.trim())
        .bind(actor.user_id)
        .bind(now_ms())
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.template",
            entity: "application_letter_template",
            entity_id: format!("{org_id}/{}", template.code()),
            summary: match body {
                Some(_) => format!("修改{}模板", template.label()),
                None => format!("恢复{}默认模板", template.label()),
            },
            before: Some(serde_json::json!({"body": before})),
            after: body.map(|b| serde_json::json!({"body": b.trim()})),
        },
    )
    .await?;
    Ok(())
}

/// Records a status lookup by `ip` (successful or not); rows older than a day are pruned.
pub async fn record_lookup(
    conn: &mut AnyConnection,
    ip: &str,
    code: &str,
    ok: bool,
) -> DbResult<()> {
    sqlx::query("DELETE FROM application_lookups WHERE created_at < $1")
        .bind(now_ms() - 86_400_000)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO application_lookups (ip, code, ok, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(ip)
    .bind(code)
    .bind(i64::from(ok))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// Failed lookups of tracking code `code` by `ip` since `since_ms`.
pub async fn failed_lookups(
    conn: &mut AnyConnection,
    ip: &str,
    code: &str,
    since_ms: i64,
) -> DbResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM application_lookups \
         WHERE code = $1 AND ip = $2 AND ok = 0 AND created_at >= $3",
    )
    .bind(code)
    .bind(ip)
    .bind(since_ms)
    .fetch_one(conn)
    .await?)
}

/// The cases of `org_id` received up to the end of `year`, rebuilt from their events, with their
/// applicant type: the input of the annual report's tables 三 and 四
/// (`domain::application::report`).
pub async fn report_cases(
    conn: &mut AnyConnection,
    org_id: i64,
    year: i32,
    cal: &Calendar,
) -> DbResult<Vec<(ApplicantType, Case)>> {
    let rows: Vec<ApplicationRow> = sqlx::query_as(dyn_sql!(
        "{SELECT} WHERE a.org_id = $1 AND a.received_on <= $2 ORDER BY a.id"
    ))
    .bind(org_id)
    .bind(format!("{year}-12-31"))
    .fetch_all(&mut *conn)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        let evs = events(conn, row.id).await?;
        let t =
            ApplicantType::from_code(&row.applicant_type).unwrap_or(ApplicantType::NaturalPerson);
        out.push((t, case_of(row, &evs, cal)?));
    }
    Ok(out)
}
