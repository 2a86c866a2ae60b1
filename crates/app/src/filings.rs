//! Use cases of filings （报送事项）： the supervising office opens the rounds a plan asks of
//! units besides feedback （实施方案备案， 规范性文件月报）. Answering and reviewing them is
//! [`crate::feedback`].

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::filings::{self, FilingSpec, Opened};

/// Opens the filings of `spec` on a plan (idempotent: rounds that exist are kept).
pub async fn open(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    spec: &FilingSpec,
) -> Outcome<Opened> {
    if !caller.perms.can_manage_plans() {
        return Err(Refusal::forbidden());
    }
    Ok(filings::open_filings(tx, &caller.actor, plan_id, spec).await?)
}
