//! The letters of an application as issued (`application_letters`) and each organisation's
//! letter settings (`application_letter_settings`; migration `0029_letters`). An issued letter is
//! inserted once and never updated: downloads render its stored text.

use crate::audit::{self, Entry};
use crate::error::OnUnique;
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::CivilDate;
use gongkai_domain::application::letter::{Letter, LetterKind, Settings};
use serde::Serialize;
use sqlx::AnyConnection;

/// The organisation's letter settings; the full name defaults to the organisation's name.
pub async fn settings(conn: &mut AnyConnection, org_id: i64) -> DbResult<(Settings, bool)> {
    let row: Option<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT full_name, doc_prefix, review_body, court, payment, phone \
         FROM application_letter_settings WHERE org_id = $1",
    )
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        Some((full_name, doc_prefix, review_body, court, payment, phone)) => (
            Settings {
                full_name,
                doc_prefix,
                review_body,
                court,
                payment,
                phone,
            },
            true,
        ),
        None => {
            let name: String = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1")
                .bind(org_id)
                .fetch_one(&mut *conn)
                .await?;
            (
                Settings {
                    full_name: name,
                    ..Settings::default()
                },
                false,
            )
        }
    })
}

/// Stores the organisation's letter settings after checking them; audited.
pub async fn set_settings(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    new: Settings,
) -> DbResult<Settings> {
    let new = new.validate()?;
    let (before, _) = settings(conn, org_id).await?;
    sqlx::query("DELETE FROM application_letter_settings WHERE org_id = $1")
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO application_letter_settings (org_id, full_name, doc_prefix, review_body, court, \
         payment, phone, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(org_id)
    .bind(&new.full_name)
    .bind(&new.doc_prefix)
    .bind(&new.review_body)
    .bind(&new.court)
    .bind(&new.payment)
    .bind(&new.phone)
    .bind(actor.user_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.letter_settings",
            entity: "organisation",
            entity_id: org_id.to_string(),
            summary: format!("修改依申请公开文书设置\u{FF1A}{}", new.full_name),
            before: Some(serde_json::json!(before)),
            after: Some(serde_json::json!(new)),
        },
    )
    .await?;
    Ok(new)
}

/// A letter as issued.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct IssuedLetter {
    pub id: i64,
    pub application_id: i64,
    pub kind: String,
    pub doc_number: String,
    pub title: String,
    pub paragraphs: String,
    pub signature: String,
    #[sqlx(try_from = "String")]
    pub letter_date: CivilDate,
    #[sqlx(try_from = "String")]
    pub issued_on: CivilDate,
    pub issued_by_name: String,
    pub created_at: i64,
}

impl IssuedLetter {
    pub fn kind(&self) -> Option<LetterKind> {
        LetterKind::from_code(&self.kind)
    }

    /// The stored text.
    pub fn letter(&self) -> Letter {
        Letter {
            title: self.title.clone(),
            number: self.doc_number.clone(),
            paragraphs: serde_json::from_str(&self.paragraphs).unwrap_or_default(),
            signature: serde_json::from_str(&self.signature).unwrap_or_default(),
        }
    }
}

const SELECT: &str = "SELECT id, application_id, kind, doc_number, title, paragraphs, signature, \
     letter_date, issued_on, issued_by_name, created_at FROM application_letters";

/// The issued letters of an application, in the order issued.
pub async fn issued(conn: &mut AnyConnection, application_id: i64) -> DbResult<Vec<IssuedLetter>> {
    Ok(
        sqlx::query_as(dyn_sql!("{SELECT} WHERE application_id = $1 ORDER BY id"))
            .bind(application_id)
            .fetch_all(conn)
            .await?,
    )
}

/// One issued letter of an application.
pub async fn issued_one(
    conn: &mut AnyConnection,
    application_id: i64,
    id: i64,
) -> DbResult<IssuedLetter> {
    sqlx::query_as(dyn_sql!("{SELECT} WHERE application_id = $1 AND id = $2"))
        .bind(application_id)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| DbError::NotFound("文书"))
}

/// The sequence number the organisation's next letter of `year` takes.
pub async fn next_seq(conn: &mut AnyConnection, org_id: i64, year: i32) -> DbResult<i64> {
    let max: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(doc_seq) FROM application_letters WHERE org_id = $1 AND doc_year = $2",
    )
    .bind(org_id)
    .bind(i64::from(year))
    .fetch_one(conn)
    .await?;
    Ok(max.unwrap_or(0) + 1)
}

/// What an issue stores.
#[derive(Debug, Clone)]
pub struct NewIssue<'a> {
    pub application_id: i64,
    pub org_id: i64,
    pub tracking_code: &'a str,
    pub kind: LetterKind,
    pub year: i32,
    pub seq: i64,
    pub letter: &'a Letter,
    pub letter_date: chrono::NaiveDate,
    pub issued_on: chrono::NaiveDate,
}

/// Stores an issued letter (refused when that letter was issued already); audited. Its id.
pub async fn insert(conn: &mut AnyConnection, actor: &Actor, new: &NewIssue<'_>) -> DbResult<i64> {
    let exists: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM application_letters WHERE application_id = $1 AND kind = $2",
    )
    .bind(new.application_id)
    .bind(new.kind.code())
    .fetch_optional(&mut *conn)
    .await?;
    if exists.is_some() {
        return Err(gongkai_domain::Invalid::one(
            "letter",
            format!("{}已出具\u{FF0C}出具后不再改动", new.kind.label()),
        )
        .into());
    }
    let json = |v: &Vec<String>| serde_json::to_string(v).unwrap_or_else(|_| "[]".into());
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO application_letters (application_id, org_id, kind, doc_year, doc_seq, doc_number, \
         title, paragraphs, signature, letter_date, issued_on, issued_by, issued_by_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
    )
    .bind(new.application_id)
    .bind(new.org_id)
    .bind(new.kind.code())
    .bind(i64::from(new.year))
    .bind(new.seq)
    .bind(&new.letter.number)
    .bind(&new.letter.title)
    .bind(json(&new.letter.paragraphs))
    .bind(json(&new.letter.signature))
    .bind(new.letter_date.to_string())
    .bind(new.issued_on.to_string())
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    // Two letters of one organisation issued at the same moment: one takes the number.
    .on_unique(
        "letter",
        "同时有其他文书出具\u{FF0C}文号已被占用\u{FF0C}请刷新后重试",
    )?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "application.letter_issued",
            entity: "application",
            entity_id: new.application_id.to_string(),
            summary: format!(
                "申请 {}\u{FF1A}出具{} {}",
                new.tracking_code,
                new.kind.label(),
                new.letter.number
            ),
            before: None,
            after: Some(serde_json::json!(new.letter)),
        },
    )
    .await?;
    Ok(id)
}
