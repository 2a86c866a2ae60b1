//! The reminder rules （提醒规则） the office sets per kind of subject: how many working days
//! before a due date to remind, on the day or not, and how often when overdue. The rules are
//! `gongkai_domain::reminder`; storage and the audit entry are `gongkai_db::notifications`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_domain::reminder::{ReminderRules, RuleFields, SubjectKind};

/// Why a caller who is not the office is refused.
pub fn refusal() -> Refusal {
    Refusal::Forbidden("无权修改提醒规则\u{FF1A}须为政务公开办或系统管理员".into())
}

/// Sets the rules of one kind of subject, validated and audited; returns what was stored.
pub async fn set_rules(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    kind: SubjectKind,
    fields: &RuleFields,
) -> Outcome<ReminderRules> {
    if !caller.perms.can_edit_reminder_rules() {
        return Err(refusal());
    }
    let rules = fields.validate()?;
    gongkai_db::notifications::set_kind_rules(tx, &caller.actor, kind, &rules).await?;
    Ok(rules)
}
