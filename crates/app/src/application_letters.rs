//! The letters of 依申请公开： a letter becomes due when its event is recorded; the handler
//! previews it （the filled text with the 文号 it will take） and issues it, which stores the final
//! text for good; the organisation's letter settings. Who may act: those who handle the
//! organisation's cases （[`crate::applications::handles`]）.

use crate::applications::handles;
use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use chrono::Datelike;
use gongkai_db::application_letters::{self as db_letters, NewIssue};
use gongkai_db::applications::{self as db_apps, ApplicationRow};
use gongkai_db::calendar;
use gongkai_domain::application::letter::{self, Draft, Facts, LetterKind, Settings, TemplateId};
use gongkai_domain::application::{ApplicantType, Case};

/// The letter `kind` of the case filled from the organisation's template and settings, with
/// the 文号 it would take if issued `today`; refused while the letter is not due.
async fn compose(
    conn: &mut sqlx::AnyConnection,
    row: &ApplicationRow,
    kind: LetterKind,
    today: chrono::NaiveDate,
) -> Outcome<(Draft, Case, i64)> {
    let cal = calendar::load(conn).await?;
    let events = db_apps::events(conn, row.id).await?;
    let case = db_apps::case_of(row, &events, &cal)?;
    if !LetterKind::due(&case).contains(&kind) {
        return Err(Refusal::NotFound("该文书尚未到出具的时候".into()));
    }
    let (settings, _) = db_letters::settings(conn, row.org_id).await?;
    let (template, _) =
        db_apps::letter_template(conn, row.org_id, TemplateId::for_letter(kind, &case)).await?;
    let facts = Facts {
        applicant: row.addressee(),
        natural_person: ApplicantType::from_code(&row.applicant_type)
            == Some(ApplicantType::NaturalPerson),
        tracking_code: &row.tracking_code,
        description: &row.description,
        answer_text: &row.answer_text,
    };
    let mut draft = letter::compose(kind, &template, &facts, &settings, &case, &cal)
        .ok_or_else(|| Refusal::NotFound("该文书尚未到出具的时候".into()))?;
    let seq = db_letters::next_seq(conn, row.org_id, today.year()).await?;
    draft.letter.number = settings.doc_number(today.year(), seq);
    Ok((draft, case, seq))
}

/// The letter as it would be issued today, for the preview.
pub async fn preview(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    kind: LetterKind,
    today: chrono::NaiveDate,
) -> Outcome<Draft> {
    handles(caller, row.org_id)?;
    Ok(compose(conn, row, kind, today).await?.0)
}

/// Issues the letter: assigns its 文号 and stores its final text, which never changes
/// afterwards. Refused when it was issued already or the settings it needs are missing.
pub async fn issue(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    kind: LetterKind,
    today: chrono::NaiveDate,
) -> Outcome<i64> {
    handles(caller, row.org_id)?;
    let (draft, _, seq) = compose(tx, row, kind, today).await?;
    if !draft.missing.is_empty() {
        return Err(Refusal::Invalid(gongkai_domain::Invalid::one(
            "settings",
            format!(
                "请先在文书设置中填写{}\u{FF0C}再出具{}",
                draft.missing.join("\u{3001}"),
                kind.label()
            ),
        )));
    }
    let id = db_letters::insert(
        tx,
        &caller.actor,
        &NewIssue {
            application_id: row.id,
            org_id: row.org_id,
            tracking_code: &row.tracking_code,
            kind,
            year: today.year(),
            seq,
            letter: &draft.letter,
            letter_date: draft.date,
            issued_on: today,
        },
    )
    .await?;
    Ok(id)
}

/// Saves the organisation's letter settings.
pub async fn set_settings(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    settings: Settings,
) -> Outcome<Settings> {
    handles(caller, org_id)?;
    Ok(db_letters::set_settings(tx, &caller.actor, org_id, settings).await?)
}
