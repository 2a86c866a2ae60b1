//! Use cases of an item (信息) after it is written: the workflow transitions (submit, review,
//! publish, schedule, withdraw, after-the-fact review, decisions on a pending 实质性修改) and
//! the content guard's gate on every path that makes an item public. The back office and the
//! API both call these; the state machine itself is `gongkai_domain::workflow`, checked again by
//! `gongkai_db::workflow` against the caller's [`Rights`].

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use crate::guard;
use gongkai_db::items::{self, Item};
use gongkai_db::settings;
use gongkai_db::workflow::{self, Rights};
use gongkai_domain::role::Permissions;
use gongkai_domain::workflow::WithdrawMode;

/// The caller's workflow rights on an organisation, from the one permission table.
pub fn rights(perms: &Permissions, org_id: i64) -> Rights {
    Rights {
        can_edit: perms.can_edit_items_of(org_id),
        can_review: perms.can_review_items_of(org_id),
        can_withdraw: perms.can_withdraw_items_of(org_id),
    }
}

/// Loads an item the caller may see in the back office; an item of another organisation does
/// not exist for them.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<Item> {
    let item = items::get(conn, id)
        .await
        .map_err(|_| Refusal::not_found())?;
    if !caller.perms.can_view_items_of(item.org_id)
        && !caller.perms.can_withdraw_items_of(item.org_id)
    {
        return Err(Refusal::not_found());
    }
    Ok(item)
}

/// The content guard's decision asked of the caller: release despite findings, with a reason.
#[derive(Debug, Clone, Default)]
pub struct GuardRelease {
    pub release: bool,
    pub reason: String,
}

/// One step of the publishing workflow.
#[derive(Debug, Clone)]
pub enum Transition {
    Submit,
    Review {
        approve: bool,
        comment: String,
    },
    PublishApproved {
        guard: GuardRelease,
    },
    /// 直接发布（先发后审）with its reason.
    PublishNow {
        reason: String,
        guard: GuardRelease,
    },
    /// Publish at `at_ms` (epoch milliseconds); the guard is asked now, not at that time.
    Schedule {
        at_ms: i64,
        now_ms: i64,
    },
    Unschedule,
    Withdraw {
        mode: WithdrawMode,
        reason: String,
    },
    ConfirmPostReview {
        comment: String,
    },
    /// A reviewer's decision on the pending 实质性修改 of a published item.
    DecideRevision {
        approve: bool,
        comment: String,
    },
}

/// Applies one transition in the caller's transaction; the audit entry is written by the same
/// `gongkai_db::workflow` call. Nothing is changed when it is refused (the caller rolls back).
pub async fn transition(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    step: Transition,
) -> Outcome<()> {
    let id = item.id;
    let r = rights(caller.perms, item.org_id);
    let actor = &caller.actor;
    match step {
        Transition::Submit => workflow::submit(tx, actor, id, r).await?,
        Transition::Review { approve, comment } => {
            workflow::review(tx, actor, id, r, approve, &comment).await?;
        }
        Transition::PublishApproved { guard } => {
            let note = guard::gate(tx, id, guard.release, &guard.reason).await?;
            let pattern = settings::index_pattern(tx).await?;
            workflow::publish_approved(tx, actor, id, r, &pattern, note).await?
        }
        Transition::PublishNow { reason, guard } => {
            let note = guard::gate(tx, id, guard.release, &guard.reason).await?;
            let pattern = settings::index_pattern(tx).await?;
            workflow::publish_now(tx, actor, id, r, &pattern, &reason, note).await?
        }
        Transition::Schedule { at_ms, now_ms } => {
            // Refused now rather than at the scheduled time, when it can still be fixed.
            guard::gate(tx, id, false, "").await?;
            workflow::schedule(tx, actor, id, r, at_ms, now_ms).await?
        }
        Transition::Unschedule => workflow::unschedule(tx, actor, id, r).await?,
        Transition::Withdraw { mode, reason } => {
            workflow::withdraw(tx, actor, id, r, mode, &reason).await?
        }
        Transition::ConfirmPostReview { comment } => {
            workflow::confirm_post_review(tx, actor, id, r, &comment).await?
        }
        Transition::DecideRevision { approve, comment } => {
            decide_revision(tx, caller, item, approve, &comment).await?
        }
    }
    Ok(())
}

/// Publishes: an approved item as approved, any other at once without review (先发后审, which
/// needs `reason`). The guard runs first.
pub async fn publish(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    reason: &str,
    guard: GuardRelease,
) -> Outcome<()> {
    let step = if item.status() == gongkai_domain::model::ItemStatus::Approved {
        Transition::PublishApproved { guard }
    } else {
        Transition::PublishNow {
            reason: reason.to_string(),
            guard,
        }
    };
    transition(tx, caller, item, step).await
}

/// What 保存并直接发布 did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedPublish {
    Published,
    /// The guard found something: the item is saved, not published.
    GuardBlocked,
}

/// 保存并直接发布 (先发后审, with `reason`) unless the content guard finds something.
pub async fn publish_if_clean(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    reason: &str,
) -> Outcome<SavedPublish> {
    if !guard::hits_of(tx, id).await?.is_empty() {
        return Ok(SavedPublish::GuardBlocked);
    }
    let item = items::get(tx, id).await?;
    let step = Transition::PublishNow {
        reason: reason.to_string(),
        guard: GuardRelease::default(),
    };
    transition(tx, caller, &item, step).await?;
    Ok(SavedPublish::Published)
}

/// A reviewer's decision on the pending major change; an approved one is applied as a new
/// version (a major change with its note), in the name of its author.
pub async fn decide_revision(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    approve: bool,
    comment: &str,
) -> Outcome<()> {
    let id = item.id;
    let r = rights(caller.perms, item.org_id);
    let rev = workflow::decide_revision(tx, &caller.actor, id, r, approve, comment).await?;
    if !approve {
        return Ok(());
    }
    let fields: gongkai_domain::item::ItemFields = serde_json::from_str(&rev.fields)
        .map_err(|e| Refusal::Internal(format!("revision {}: {e}", rev.id)))?;
    let input = fields.validate()?;
    let current = items::get(tx, id).await?;
    let author = gongkai_db::Actor {
        user_id: rev.author_id,
        name: rev.author_name.clone(),
        ip: caller.actor.ip.clone(),
    };
    let change = items::ChangeNote {
        major: true,
        note: rev.change_note.clone(),
    };
    items::update_noting(tx, &author, id, current.version, &input, &change).await?;
    Ok(())
}

/// Proposes a 实质性修改 of a published item: it waits for review and the published text stays
/// live meanwhile. `fields` is the edited form as JSON.
pub async fn propose_revision(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    fields: &gongkai_domain::item::ItemFields,
    change_note: &str,
) -> Outcome<()> {
    let json = serde_json::to_string(fields).map_err(|e| Refusal::Internal(e.to_string()))?;
    let r = rights(caller.perms, item.org_id);
    workflow::propose_revision(tx, &caller.actor, item.id, r, &json, change_note).await?;
    Ok(())
}
