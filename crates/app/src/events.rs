//! Use cases of recorded events （活动记录： 新闻发布会， 政策吹风会， 在线访谈， 政务开放日 …) that
//! count as evidence for an obligation: recorded and deleted by the obligation's unit or the
//! supervising office.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::DbError;
use gongkai_db::events;
use gongkai_domain::Invalid;
use gongkai_domain::event::EventInput;

/// What a recorded event belongs to.
pub struct Recorded {
    pub id: i64,
    pub plan_id: i64,
}

/// Records an event as evidence for its obligation.
pub async fn record(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    input: &EventInput,
) -> Outcome<Recorded> {
    let (org_id, plan_id) = match events::obligation_owner(tx, input.obligation_id).await {
        Ok(x) => x,
        Err(DbError::NotFound(_)) => {
            return Err(Refusal::Invalid(Invalid::one(
                "obligation_id",
                "所选公开义务不存在，请刷新页面后重新选择",
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if !caller.perms.can_record_events_of(org_id) {
        return Err(Refusal::forbidden());
    }
    let id = events::record(tx, &caller.actor, input).await?;
    Ok(Recorded { id, plan_id })
}

/// Deletes a recorded event of the caller's units. Someone else's event and a missing one give
/// the same answer, so existence does not leak.
pub async fn delete(tx: &mut sqlx::AnyConnection, caller: &Caller<'_>, id: i64) -> Outcome<()> {
    match events::org_of(tx, id).await? {
        Some(org) if caller.perms.can_record_events_of(org) => {}
        _ => return Err(Refusal::NotFound("活动记录不存在".into())),
    }
    events::delete(tx, &caller.actor, id).await?;
    Ok(())
}

/// The supervising office accepts a 补录 item (its stated 发布日期 earlier than the day it was
/// made public) as on-time evidence. Returns `false` when it was already accepted.
pub async fn accept_backfill(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item_id: i64,
    note: &str,
) -> Outcome<bool> {
    if !caller.perms.can_manage_plans() {
        return Err(Refusal::forbidden());
    }
    Ok(gongkai_db::backfill::accept(tx, &caller.actor, item_id, note.trim()).await?)
}
