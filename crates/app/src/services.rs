//! Use cases of the service-item catalogue （事项目录） and its guides （办事指南） — create, edit,
//! the review workflow with the organisation's review levels, publication of complete guides
//! only, withdrawal, the completeness rule, and the import of an office's catalogue. Storage is
//! `gongkai_db::services`; the rules are `gongkai_domain::service`.

pub mod import;

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::services::{self, ServiceRow};
use gongkai_db::workflow::Rights;
use gongkai_domain::Invalid;
use gongkai_domain::role::Permissions;
use gongkai_domain::service::{Guide, Level, Rule};
use gongkai_domain::workflow::{self as wf, State};

/// The caller's workflow rights on an organisation's guides.
pub fn rights(perms: &Permissions, org_id: i64) -> Rights {
    Rights {
        can_edit: perms.can_edit_services_of(org_id),
        can_review: perms.can_review_services_of(org_id),
        can_withdraw: perms.can_withdraw_services_of(org_id),
    }
}

/// Loads an item the caller may see in the back office; another organisation's does not exist
/// for them.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<ServiceRow> {
    let row = services::get(conn, id)
        .await
        .map_err(|_| Refusal::NotFound("事项不存在".into()))?;
    if !caller.perms.can_view_services_of(row.org_id) {
        return Err(Refusal::NotFound("事项不存在".into()));
    }
    Ok(row)
}

fn require_editor(caller: &Caller<'_>, org_id: i64) -> Outcome<()> {
    if caller.perms.can_edit_services_of(org_id) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            "无权编辑该机构的事项目录\u{FF1A}您的账号没有该机构的编辑权限".into(),
        ))
    }
}

/// Creates a service item with its guide as a draft, for an organisation the caller edits for.
pub async fn create(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    level: Level,
    guide: &Guide,
) -> Outcome<i64> {
    require_editor(caller, org_id)?;
    Ok(services::create(tx, &caller.actor, org_id, level, guide).await?)
}

/// Saves an edit of the working version. Once a version is public, the edit needs its 变更说明
/// (shown in the public 变更记录 when the new version is published).
pub async fn edit(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ServiceRow,
    version: i64,
    level: Level,
    guide: &Guide,
    change_note: &str,
) -> Outcome<()> {
    require_editor(caller, row.org_id)?;
    let note = if row.live_version > 0 {
        wf::required_text(change_note, "变更说明")
            .map_err(|m| Refusal::Invalid(Invalid::one("change_note", m)))?
    } else {
        change_note.trim().chars().take(500).collect()
    };
    services::update(tx, &caller.actor, row, version, level, guide, &note).await?;
    Ok(())
}

/// A workflow step on a guide.
#[derive(Debug, Clone)]
pub enum Step {
    Submit,
    Review { approve: bool, comment: String },
    Publish,
    Withdraw { reason: String },
}

/// Refuses an incomplete guide with the missing elements' names.
pub fn complete(rule: &Rule, guide: &Guide) -> Outcome<()> {
    match rule.refusal(guide) {
        Some(m) => Err(Refusal::Invalid(Invalid::one("completeness", m))),
        None => Ok(()),
    }
}

/// Takes `step` on the guide: submission and publication refuse an incomplete guide under the
/// rule as configured now; review passes every configured level (the items' state machine).
pub async fn transition(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ServiceRow,
    step: Step,
) -> Outcome<State> {
    let r = rights(caller.perms, row.org_id);
    let actor = &caller.actor;
    let id = row.id;
    match step {
        Step::Submit => {
            complete(&services::rule(tx).await?, &row.guide())?;
            services::submit(tx, actor, id, r).await?;
        }
        Step::Review { approve, comment } => {
            return Ok(services::review(tx, actor, id, r, approve, &comment).await?);
        }
        Step::Publish => {
            complete(&services::rule(tx).await?, &row.guide())?;
            services::publish(tx, actor, id, r).await?;
        }
        Step::Withdraw { reason } => services::withdraw(tx, actor, id, r, &reason).await?,
    }
    Ok(services::get(tx, id).await?.state())
}

/// Sets the completeness rule: the system administrator's, audited.
pub async fn set_rule(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    rule: &Rule,
) -> Outcome<()> {
    if !caller.perms.can_set_guide_rule() {
        return Err(Refusal::forbidden());
    }
    services::set_rule(tx, &caller.actor, rule).await?;
    Ok(())
}
