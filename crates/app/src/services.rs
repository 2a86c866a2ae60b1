//! Use cases of the service-item catalogue （事项目录） and its guides （办事指南） — create, edit,
//! the review workflow with the organisation's review levels, publication of complete guides
//! only, withdrawal, the completeness rule, the content guard on a guide's text (as on items:
//! publication is refused while a hit is not released, hit by hit, by someone other than its
//! authors) and the import of an office's catalogue. Storage is `gongkai_db::services`; the
//! rules are `gongkai_domain::service`.

pub mod import;

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::services::{self, ServiceRow};
use gongkai_db::workflow::Rights;
use gongkai_db::{guard_releases, settings};
use gongkai_domain::Invalid;
use gongkai_domain::guard::ItemHit;
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
            let blocking = blocking_hits(tx, row).await?;
            if !blocking.is_empty() {
                return Err(Refusal::Invalid(crate::guard::guide_refusal(&blocking)));
            }
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

/// The content guard's hits in the guide's working version, under the configured lists.
pub async fn guard_hits(conn: &mut sqlx::AnyConnection, row: &ServiceRow) -> Outcome<Vec<ItemHit>> {
    let lists = settings::guard_lists(conn).await?;
    Ok(gongkai_domain::service::guard::scan(&row.guide(), &lists))
}

/// Whether a hit was released for the guide.
fn released(releases: &[guard_releases::Release], h: &ItemHit) -> bool {
    releases
        .iter()
        .any(|r| r.kind == h.hit.kind.code() && r.matched == h.hit.matched)
}

/// Each hit of the guide with whether it was released.
pub async fn guard_report(
    conn: &mut sqlx::AnyConnection,
    row: &ServiceRow,
) -> Outcome<Vec<(ItemHit, bool)>> {
    let releases = guard_releases::of_service(conn, row.id).await?;
    Ok(guard_hits(conn, row)
        .await?
        .into_iter()
        .map(|h| {
            let r = released(&releases, &h);
            (h, r)
        })
        .collect())
}

/// The hits that block publishing the guide: those not released one by one.
pub async fn blocking_hits(
    conn: &mut sqlx::AnyConnection,
    row: &ServiceRow,
) -> Outcome<Vec<ItemHit>> {
    Ok(guard_report(conn, row)
        .await?
        .into_iter()
        .filter(|(_, r)| !r)
        .map(|(h, _)| h)
        .collect())
}

/// Whether the caller may release the guide's hits （放行） , that is a reviewer of its organisation who
/// did not write or edit it, or the supervising office.
pub async fn release_allowed(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ServiceRow,
) -> Outcome<bool> {
    let is_author = services::is_author(conn, row, caller.actor.user_id).await?;
    Ok(caller
        .perms
        .can_release_guard_hits_of(row.org_id, is_author))
}

/// 放行 : releases the chosen hits of the guide (each named by `guard::hit_key`) with a reason,
/// as for items: each hit on its own, never by an author. Returns how many were released.
pub async fn release_hits(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ServiceRow,
    reason: &str,
    keys: &[String],
) -> Outcome<usize> {
    if !release_allowed(tx, caller, row).await? {
        return Err(Refusal::Forbidden(
            "放行须由起草人以外的审核人或政务公开办办理\u{FF1A}起草或修改过该办事指南的人不能放行自己的内容安全检查结果".into(),
        ));
    }
    let chosen: Vec<ItemHit> = blocking_hits(tx, row)
        .await?
        .into_iter()
        .filter(|h| keys.iter().any(|k| k.trim() == crate::guard::hit_key(h)))
        .collect();
    if chosen.is_empty() {
        return Err(Refusal::Invalid(Invalid::one(
            "release_hit",
            "请勾选要放行的内容\u{FF08}每一处单独确认\u{FF09}\u{FF0C}没有放行",
        )));
    }
    let record = crate::guard::override_record(reason, &chosen).map_err(Refusal::Invalid)?;
    let mut pairs: Vec<(String, String)> = chosen
        .iter()
        .map(|h| (h.hit.kind.code().to_string(), h.hit.matched.clone()))
        .collect();
    pairs.sort();
    pairs.dedup();
    guard_releases::release_service(tx, &caller.actor, row.id, &pairs, reason.trim(), record)
        .await?;
    Ok(pairs.len())
}
