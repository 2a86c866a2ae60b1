//! Use cases of assessment （考核）： the scoring scheme of a plan is set by the supervising office;
//! assessors and units only read and export the scores.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::assessment;
use gongkai_domain::assessment::Scheme;

/// Why anyone but the supervising office may not change a scheme.
pub fn scheme_refusal() -> Refusal {
    Refusal::Forbidden(
        "只有政务公开办（监管）可以修改评分方案；第三方评估和各单位只能查看和导出".into(),
    )
}

/// Saves the scoring scheme of a plan (validated again by the database layer).
pub async fn save_scheme(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    scheme: &Scheme,
    now_ms: i64,
) -> Outcome<()> {
    if !caller.perms.can_manage_plans() {
        return Err(scheme_refusal());
    }
    assessment::save_scheme(tx, &caller.actor, plan_id, scheme, now_ms).await?;
    Ok(())
}
