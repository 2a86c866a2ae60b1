//! Use cases of 依申请公开： the application a handler may see (their organisations'; another
//! one looks missing), registration of an application received offline, the events of a case
//! （补正， 征求意见， 延期， 答复， 行政复议/诉讼）， the per-organisation letter templates, and the
//! public's online application. Who may act is `gongkai_domain::role::Permissions`; the case's
//! rules and deadlines are `gongkai_domain::application`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::applications::{self as db_apps, AnswerExtra, ApplicationRow, NewApplication};
use gongkai_db::{Actor, DbError, calendar};
use gongkai_domain::application::CaseEvent;
use gongkai_domain::application::letter::LetterKind;

/// Refuses unless the caller handles 依申请公开 for the organisation `org_id`.
pub fn handles(caller: &Caller<'_>, org_id: i64) -> Outcome<()> {
    if caller.perms.can_handle_cases_of(org_id) {
        Ok(())
    } else {
        Err(Refusal::forbidden())
    }
}

/// Loads an application the caller may handle; someone else's and a missing one look the same.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<ApplicationRow> {
    match db_apps::get(conn, id).await {
        Ok(r) if caller.perms.can_handle_cases_of(r.org_id) => Ok(r),
        Ok(_) | Err(DbError::NotFound(_)) => Err(Refusal::NotFound("申请不存在".into())),
        Err(e) => Err(e.into()),
    }
}

/// Registers an application received offline (in person, by post, fax or e-mail); its id.
pub async fn register(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    new: &NewApplication,
) -> Outcome<i64> {
    handles(caller, new.org_id)?;
    let cal = calendar::load(tx).await?;
    Ok(db_apps::create(tx, &caller.actor, new, &cal).await?)
}

/// Records an event of a case loaded with [`visible`]; the due date is worked out again.
pub async fn record_event(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    event: CaseEvent,
    extra: Option<&AnswerExtra>,
) -> Outcome<()> {
    handles(caller, row.org_id)?;
    let cal = calendar::load(tx).await?;
    db_apps::record_event(tx, &caller.actor, row.id, event, extra, &cal).await?;
    Ok(())
}

/// Saves the organisation's template of a letter, or (`body` `None`) restores the default.
pub async fn set_letter_template(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    kind: LetterKind,
    body: Option<&str>,
) -> Outcome<()> {
    handles(caller, org_id)?;
    db_apps::set_letter_template(tx, &caller.actor, org_id, kind, body).await?;
    Ok(())
}

/// Files the public's online application (the channel has checked the organisation, the form
/// and its abuse limits); recorded in the applicant's name.
pub async fn apply_online(tx: &mut sqlx::AnyConnection, new: &NewApplication) -> Outcome<i64> {
    let actor = Actor {
        user_id: None,
        name: format!(
            "申请人（网上申请）{}",
            new.input.name.chars().take(20).collect::<String>()
        ),
        ip: new.submit_ip.clone(),
    };
    let cal = calendar::load(tx).await?;
    Ok(db_apps::create(tx, &actor, new, &cal).await?)
}
