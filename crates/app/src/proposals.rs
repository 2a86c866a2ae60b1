//! Use cases of 建议提案办理： the case a user may see (those their organisations lead or
//! co-handle; supervisors and assessors: all), 交办 by the supervising office, and each step of
//! the case — sign for or return it, a co-handling unit's views, the reply, the deputies'
//! feedback, publication — checked against `gongkai_domain::role::Permissions`. The order of
//! the steps is `gongkai_domain::proposal`, checked again by `gongkai_db::proposals`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use chrono::NaiveDate;
use gongkai_db::proposals::{self, CoOrg, Proposal};
use gongkai_domain::Invalid;
use gongkai_domain::proposal::{AssignFields, ReplyFields, Satisfaction};

/// A case and its co-handling units.
pub struct Case {
    pub case: Proposal,
    pub co: Vec<CoOrg>,
}

impl Case {
    pub fn co_ids(&self) -> Vec<i64> {
        self.co.iter().map(|c| c.org_id).collect()
    }
}

/// Loads a case the caller may see; another case does not exist for them (its existence does
/// not leak).
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<Case> {
    let case = proposals::get(conn, id).await?;
    let co = proposals::co_orgs(conn, id).await?;
    let c = Case { case, co };
    if !caller
        .perms
        .can_see_proposal(c.case.lead_org_id, &c.co_ids())
    {
        return Err(Refusal::NotFound("建议提案不存在".into()));
    }
    Ok(c)
}

/// 交办： records a case assigned to its lead unit (and co-handling units); its id.
pub async fn assign(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    fields: &AssignFields,
) -> Outcome<i64> {
    if !caller.perms.can_assign_proposals() {
        return Err(Refusal::forbidden());
    }
    let input = fields.validate()?;
    Ok(proposals::assign(tx, &caller.actor, &input).await?)
}

/// One step of a case, as entered (dates `YYYY-MM-DD`, empty for today).
pub enum Step<'a> {
    /// 签收 (lead unit).
    SignFor { on: &'a str },
    /// 退回 (lead unit).
    Return { on: &'a str, reason: &'a str },
    /// 会办意见 of the co-handling unit `org_id`.
    CoView {
        org_id: &'a str,
        on: &'a str,
        view_text: &'a str,
    },
    /// 书面答复 (lead unit).
    Reply(ReplyFields),
    /// The deputies' satisfaction (supervising office).
    Feedback { satisfaction: &'a str, on: &'a str },
    /// 公开答复全文 (lead unit).
    Publish { on: &'a str },
    /// 重新交办 of a returned case to another unit (supervising office).
    Reassign { org_id: &'a str, on: &'a str },
}

fn day(raw: &str, field: &'static str, today: NaiveDate) -> Result<NaiveDate, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(today);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| Invalid::one(field, "日期格式应为 年-月-日，例如 2024-05-10"))
}

/// Takes one step on a case loaded with [`visible`]; `today` (China time) stands for an empty
/// date.
pub async fn take_step(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    c: &Case,
    step: Step<'_>,
    today: NaiveDate,
) -> Outcome<()> {
    let perms = caller.perms;
    let lead = perms.can_handle_cases_of(c.case.lead_org_id);
    let allowed = match &step {
        Step::CoView { .. } => true,
        Step::Feedback { .. } | Step::Reassign { .. } => perms.can_assign_proposals(),
        _ => lead,
    };
    if !allowed {
        return Err(Refusal::forbidden());
    }
    let (actor, id) = (&caller.actor, c.case.id);
    match step {
        Step::SignFor { on } => {
            let on = day(on, "on", today)?;
            proposals::sign_for(tx, actor, id, on).await?;
        }
        Step::Return { on, reason } => {
            let on = day(on, "on", today)?;
            proposals::return_case(tx, actor, id, on, reason).await?;
        }
        Step::CoView {
            org_id,
            on,
            view_text,
        } => {
            let org_id: i64 = org_id.trim().parse().unwrap_or(0);
            if !c.co_ids().contains(&org_id) || !perms.can_handle_cases_of(org_id) {
                return Err(Invalid::one("org_id", "您不是本件会办单位的办理人员").into());
            }
            let on = day(on, "view_sent_on", today)?;
            proposals::send_co_view(tx, actor, id, org_id, on, view_text).await?;
        }
        Step::Reply(fields) => {
            let input = fields.validate(c.case.assigned())?;
            proposals::reply(tx, actor, id, &input).await?;
        }
        Step::Feedback { satisfaction, on } => {
            let s = Satisfaction::from_code(satisfaction.trim())
                .ok_or_else(|| Invalid::one("satisfaction", "请选择满意度"))?;
            let on = day(on, "on", today)?;
            proposals::record_feedback(tx, actor, id, on, s).await?;
        }
        Step::Publish { on } => {
            let on = day(on, "on", today)?;
            proposals::publish(tx, actor, id, on).await?;
        }
        Step::Reassign { org_id, on } => {
            let Ok(org_id) = org_id.trim().parse::<i64>() else {
                return Err(Invalid::one("lead_org_id", "请选择改交的主办单位").into());
            };
            let on = day(on, "assigned_on", today)?;
            proposals::reassign(tx, actor, id, org_id, on).await?;
        }
    }
    Ok(())
}
