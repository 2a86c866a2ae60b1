//! Use cases of 依申请公开： the application a handler may see (their organisations'; another
//! one looks missing), registration of an application received offline, the events of a case
//! （补正， 征求意见， 延期， 答复， 行政复议/诉讼）， the per-organisation letter templates, and the
//! public's online application. Who may act is `gongkai_domain::role::Permissions`; the case's
//! rules and deadlines are `gongkai_domain::application`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::applications::{self as db_apps, AnswerExtra, ApplicationRow, NewApplication};
use gongkai_db::{Actor, DbError, calendar, settings};
use gongkai_domain::application::letter::TemplateId;
use gongkai_domain::application::{Case, CaseEvent, FeeScale};

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
    record(tx, &caller.actor, row, event, extra).await
}

/// Records an event with the configured rules fixed into it: the consultation's working days,
/// whether a 收费通知 pauses the clock, and the answer's fee, which is the fee paid.
pub(crate) async fn record(
    tx: &mut sqlx::AnyConnection,
    actor: &Actor,
    row: &ApplicationRow,
    mut event: CaseEvent,
    extra: Option<&AnswerExtra>,
) -> Outcome<()> {
    let cal = calendar::load(tx).await?;
    let rules = settings::case_settings(tx).await?;
    let events = db_apps::events(tx, row.id).await?;
    let case = db_apps::case_of(row, &events, &cal)?;
    let mut extra = extra.cloned();
    match &mut event {
        CaseEvent::ConsultationStarted {
            limit_working_days, ..
        } => *limit_working_days = Some(rules.consultation_working_days),
        CaseEvent::FeeNoticed { pauses_clock, .. } => *pauses_clock = rules.fee_pauses_clock,
        CaseEvent::Answered { fee_yuan, .. } => {
            *fee_yuan = case.fee_paid().map_or(0, |(_, amount)| amount);
            if let Some((scale, quantity)) = noticed_fee(&case) {
                let e = extra.get_or_insert_with(AnswerExtra::default);
                e.fee_scale = Some(scale);
                e.fee_quantity = quantity;
            }
        }
        _ => {}
    }
    db_apps::record_event(tx, actor, row.id, event, extra.as_ref(), &cal).await?;
    Ok(())
}

/// The scale and quantity of the case's 收费通知 if one was issued and paid.
fn noticed_fee(case: &Case) -> Option<(FeeScale, u32)> {
    case.fee_paid()?;
    case.events().iter().find_map(|e| match e {
        CaseEvent::FeeNoticed {
            scale, quantity, ..
        } => Some((*scale, *quantity)),
        _ => None,
    })
}

/// Sets the configurable case rules (site administrators): the consultation's working days to
/// reply (1–60) and whether a 收费通知 pauses the reply period.
pub async fn set_case_settings(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    consultation_working_days: u32,
    fee_pauses_clock: bool,
) -> Outcome<()> {
    if !caller.perms.can_manage_site() {
        return Err(Refusal::forbidden());
    }
    if !(1..=60).contains(&consultation_working_days) {
        return Err(Refusal::Invalid(gongkai_domain::Invalid::one(
            "consultation_working_days",
            "征求意见期限须为1至60个工作日",
        )));
    }
    settings::set(
        tx,
        &caller.actor,
        settings::CONSULTATION_LIMIT,
        &consultation_working_days.to_string(),
    )
    .await?;
    settings::set(
        tx,
        &caller.actor,
        settings::FEE_PAUSES_CLOCK,
        if fee_pauses_clock { "1" } else { "0" },
    )
    .await?;
    Ok(())
}

/// Saves the organisation's template of a letter, or (`body` `None`) restores the default.
pub async fn set_letter_template(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    template: TemplateId,
    body: Option<&str>,
) -> Outcome<()> {
    handles(caller, org_id)?;
    db_apps::set_letter_template(tx, &caller.actor, org_id, template, body).await?;
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
