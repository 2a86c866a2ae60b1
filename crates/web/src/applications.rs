//! Pieces of 依申请公开 shared by the portal (`portal/ysqgk.rs`) and the back office
//! (`admin/applications.rs`): the letters as DOCX from the organisation's templates, the timeline
//! and the due date with its working.

use crate::AppError;
use gongkai_db::applications::{self as db_apps, ApplicationRow, EventRow};
use gongkai_domain::application::letter::{self, LetterKind};
use gongkai_domain::application::{Case, CaseEvent};
use gongkai_domain::calendar::Calendar;
use serde_json::{Value, json};
use sqlx::AnyConnection;

/// `2024年10月8日`.
pub fn zh_date(d: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn zh_date_str(s: &str) -> String {
    s.parse::<chrono::NaiveDate>()
        .map(zh_date)
        .unwrap_or_else(|_| s.to_string())
}

/// The letters this case has so far.
pub fn available_letters(case: &Case) -> Vec<LetterKind> {
    let mut out = vec![LetterKind::Receipt];
    let has = |f: fn(&CaseEvent) -> bool| case.events().iter().any(f);
    if has(|e| matches!(e, CaseEvent::SupplementRequested { .. })) {
        out.push(LetterKind::Supplement);
    }
    if has(|e| matches!(e, CaseEvent::Extended { .. })) {
        out.push(LetterKind::Extension);
    }
    if has(|e| matches!(e, CaseEvent::Answered { .. })) {
        out.push(LetterKind::Answer);
    }
    out
}

/// The letter of `kind` for this case as DOCX bytes, from the organisation's template.
pub async fn letter_docx(
    conn: &mut AnyConnection,
    row: &ApplicationRow,
    case: &Case,
    kind: LetterKind,
    cal: &Calendar,
) -> Result<Vec<u8>, AppError> {
    if !available_letters(case).contains(&kind) {
        return Err(AppError::NotFound("该文书尚未出具".into()));
    }
    let (template, _) = db_apps::letter_template(conn, row.org_id, kind).await?;
    // The figures of the letter's own day: a later extension does not rewrite the 受理回执.
    let issued = case.as_issued(kind, cal).unwrap_or_else(|| case.clone());
    let due = issued
        .deadline(cal)
        .ok()
        .and_then(|r| r.due)
        .map_or_else(|| "待定".to_string(), zh_date);
    let mut values: Vec<(&str, String)> = vec![
        ("申请人", row.addressee().to_string()),
        ("查询码", row.tracking_code.clone()),
        ("收到日期", zh_date_str(&row.received_on)),
        ("申请内容", row.description.clone()),
        ("答复期限", due),
        ("机关名称", row.org_name.clone()),
        ("信息处理费", row.fee_yuan.to_string()),
        ("答复内容", row.answer_text.clone()),
        ("办理结果", row.outcome_label().unwrap_or_default()),
    ];
    let mut date = zh_date_str(&row.received_on);
    for e in case.events() {
        match (kind, e) {
            (LetterKind::Supplement, CaseEvent::SupplementRequested { on, due_by, note }) => {
                values.push(("补正事项", note.clone()));
                values.push(("补正期限", zh_date(*due_by)));
                date = zh_date(*on);
            }
            (
                LetterKind::Extension,
                CaseEvent::Extended {
                    on,
                    working_days,
                    reason,
                    ..
                },
            ) => {
                values.push(("延期天数", working_days.to_string()));
                values.push(("延期理由", reason.clone()));
                date = zh_date(*on);
            }
            (LetterKind::Answer, CaseEvent::Answered { on, .. }) => date = zh_date(*on),
            _ => {}
        }
    }
    values.push(("日期", date));
    let l = letter::fill(&template, &values);
    gongkai_reports::docx::letter_bytes(&l.title, &l.paragraphs, &l.signature)
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
