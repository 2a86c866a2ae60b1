//! Pieces of 依申请公开 shared by the portal (`portal/ysqgk.rs`) and the back office
//! (`admin/applications.rs`): the issued letters as DOCX, the timeline
//! and the due date with its working.

use crate::AppError;
use gongkai_db::application_letters::{self as db_letters, IssuedLetter};
use gongkai_db::applications::{ApplicationRow, EventRow};
use gongkai_domain::application::Case;
use gongkai_domain::application::letter::{Letter, LetterKind};
use serde_json::{Value, json};
use sqlx::AnyConnection;

/// `2024年10月8日`.
pub use gongkai_domain::application::letter::zh_date;

/// The letters this case has so far （each due when its event was recorded）.
pub fn available_letters(case: &Case) -> Vec<LetterKind> {
    LetterKind::due(case)
}

/// The issued letters of an application, in the order issued （for the applicant's tracking
/// page and the case page）.
pub async fn issued_letters(
    conn: &mut AnyConnection,
    app_id: i64,
) -> Result<Vec<IssuedLetter>, AppError> {
    Ok(db_letters::issued(conn, app_id).await?)
}

/// An issued letter of the application as DOCX: its stored text, never filled again.
pub async fn issued_letter_docx(
    conn: &mut AnyConnection,
    app_id: i64,
    letter_id: i64,
) -> Result<(Vec<u8>, LetterKind), AppError> {
    let l = db_letters::issued_one(conn, app_id, letter_id).await?;
    let kind = l.kind().ok_or_else(AppError::not_found)?;
    Ok((letter_bytes(&l.letter())?, kind))
}

/// The issued letter of `kind` as DOCX; a letter not issued yet is refused （drafts are only
/// previewed, never downloaded）.
pub async fn letter_docx(
    conn: &mut AnyConnection,
    app_id: i64,
    kind: LetterKind,
) -> Result<Vec<u8>, AppError> {
    let letters = db_letters::issued(conn, app_id).await?;
    let l = letters
        .iter()
        .find(|l| l.kind() == Some(kind))
        .ok_or_else(|| AppError::NotFound("该文书尚未出具".into()))?;
    letter_bytes(&l.letter())
}

/// A letter as DOCX.
pub fn letter_bytes(l: &Letter) -> Result<Vec<u8>, AppError> {
    gongkai_reports::docx::letter_bytes(&l.title, &l.number, &l.paragraphs, &l.signature)
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// A DOCX download response.
pub fn docx_response(bytes: Vec<u8>, kind: LetterKind, code: &str) -> axum::response::Response {
    crate::download::file(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("{}-{code}.docx", kind.label()),
        Some(&format!("letter-{code}.docx")),
        None,
    )
}

/// The timeline: receipt then each event; `public` hides notes, approvers and who recorded it.
pub fn timeline(row: &ApplicationRow, events: &[EventRow], public: bool) -> Vec<Value> {
    events
        .iter()
        .map(|r| {
            let text = match r.event() {
                None => format!(
                    "收到申请（{}，收到申请之日 {}）",
                    row.channel_label(),
                    row.received_on
                ),
                Some(e) if public => e.public_label(),
                Some(e) => e.label(),
            };
            if public {
                json!({"on": r.on_date, "text": text})
            } else {
                json!({"on": r.on_date, "text": text, "actor": r.actor_name, "at": r.created_at})
            }
        })
        .collect()
}
