//! Use cases of the working-day calendar （工作日历）： system administrators enter a year's
//! holidays and 调休 make-up workdays, which every statutory clock then counts with.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use chrono::NaiveDate;
use gongkai_db::calendar::{self, DayInput};

fn site_admin(caller: &Caller<'_>) -> Outcome<()> {
    if caller.perms.can_manage_site() {
        Ok(())
    } else {
        Err(Refusal::forbidden())
    }
}

/// Enters a day (`replace` false: refused if the date already has one) or changes it.
pub async fn save_day(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    input: &DayInput,
    replace: bool,
) -> Outcome<()> {
    site_admin(caller)?;
    if replace {
        calendar::update(tx, &caller.actor, input).await?;
    } else {
        calendar::create(tx, &caller.actor, input).await?;
    }
    Ok(())
}

/// Enters the days a pasted State Council notice sets （`domain::calendar::notice`） and each is
/// audited, in the caller's transaction: all or nothing.
pub async fn import_days(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    days: &[gongkai_domain::calendar::DayOverride],
) -> Outcome<usize> {
    site_admin(caller)?;
    for d in days {
        let input = DayInput {
            date: d.date,
            kind: d.kind,
            name: d.name.clone(),
            source: d.source.clone(),
        };
        calendar::upsert(tx, &caller.actor, &input).await?;
    }
    Ok(days.len())
}

/// Removes a day's entry: the date falls back to the Monday–Friday rule.
pub async fn delete_day(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    date: NaiveDate,
) -> Outcome<()> {
    site_admin(caller)?;
    calendar::delete(tx, &caller.actor, date).await?;
    Ok(())
}
