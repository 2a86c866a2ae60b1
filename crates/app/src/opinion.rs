//! Use cases of 政务舆情回应： the events a user may see (their organisations'), registering an
//! event and recording a release against its response clock. Who may act is
//! `gongkai_domain::role::Permissions::can_act_on_opinion_of`; the clocks are
//! `gongkai_domain::opinion`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::opinion::{self, EventRow, EventView};
use gongkai_domain::opinion::{EventInput, ReleaseFields};

fn gone() -> Refusal {
    Refusal::NotFound("舆情事件不存在".into())
}

/// Loads an event the caller may see; another organisation's looks missing.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<EventRow> {
    let e = opinion::get(conn, id).await.map_err(|_| gone())?;
    if !caller.perms.can_see_org(e.lead_org_id) {
        return Err(gone());
    }
    Ok(e)
}

/// The event with its releases and clocks at `now_ms`, when the caller may see it.
pub async fn visible_view(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    now_ms: i64,
) -> Outcome<EventView> {
    let v = opinion::view_one(conn, id, now_ms)
        .await
        .map_err(|_| gone())?;
    if !caller.perms.can_see_org(v.event.lead_org_id) {
        return Err(gone());
    }
    Ok(v)
}

/// Registers an event for its lead organisation; its id.
pub async fn register(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    input: &EventInput,
) -> Outcome<i64> {
    if !caller.perms.can_act_on_opinion_of(input.lead_org_id) {
        return Err(Refusal::forbidden());
    }
    Ok(opinion::register(tx, &caller.actor, input).await?)
}

/// Records a release （通报， 回应， …) of an event loaded with [`visible`].
pub async fn record_release(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    e: &EventRow,
    fields: &ReleaseFields,
    now_ms: i64,
) -> Outcome<i64> {
    if !caller.perms.can_act_on_opinion_of(e.lead_org_id) {
        return Err(Refusal::forbidden());
    }
    let input = fields.validate(e.detected_at, now_ms)?;
    Ok(opinion::record_release(tx, &caller.actor, e.id, &input).await?)
}
