//! Use cases of feedback rounds （落实情况反馈） and filings （报送事项， the same rows): a unit
//! answers a round for its organisation, the supervising office accepts or returns it. The rules
//! of a round's life are `gongkai_domain::feedback`; who may do what is `Permissions`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::feedback::{self, NewAttachment, RoundRow};
use gongkai_domain::feedback::{RoundStatus, SubmissionInput};

/// A round the caller may see; someone else's round looks like a missing one.
pub async fn visible_round(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<RoundRow> {
    let round = feedback::get_round(conn, id)
        .await
        .map_err(|_| Refusal::not_found())?;
    if caller.perms.can_see_feedback_of(round.org_id) {
        Ok(round)
    } else {
        Err(Refusal::not_found())
    }
}

/// Why a caller who does not answer for the round's organisation is refused.
pub fn submit_refusal() -> Refusal {
    Refusal::Forbidden("只有本单位的管理员、编辑或办理人可以提交反馈".into())
}

/// A unit's answer to a round, with its stored attachments; returns the submission's id.
pub async fn submit(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    round: &RoundRow,
    input: &SubmissionInput,
    attachments: &[NewAttachment],
    now_ms: i64,
) -> Outcome<i64> {
    if !caller.perms.can_answer_feedback_of(round.org_id) {
        return Err(submit_refusal());
    }
    let id = feedback::submit(tx, &caller.actor, round.id, input, attachments, now_ms).await?;
    // The office is told a report waits for its review.
    gongkai_db::reminders::feedback_submitted(tx, round.id, id).await?;
    Ok(id)
}

/// The supervising office's decision on the submitted answer (`accept` or `return`, with a
/// comment when returning); returns the round's new status.
pub async fn review(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    round: &RoundRow,
    decision: &str,
    comment: &str,
    now_ms: i64,
) -> Outcome<RoundStatus> {
    if !caller.perms.can_manage_plans() {
        return Err(Refusal::forbidden());
    }
    let status = feedback::review(tx, &caller.actor, round.id, decision, comment, now_ms).await?;
    if status == RoundStatus::Returned {
        // The unit is told, with the reason.
        gongkai_db::reminders::feedback_returned(tx, round.id, comment).await?;
    }
    Ok(status)
}
