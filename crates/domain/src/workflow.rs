//! The publishing workflow (发布流程): draft → submitted (one to three review levels, 三审) →
//! approved → scheduled or published → withdrawn, plus 先发后审 (publish now with a reason,
//! reviewed afterwards). Pure: the caller states who is acting ([`Facts`]) and gets the next
//! state or a Chinese refusal. **Every path that changes an item's workflow state asks
//! [`check`] first**; [`allowed`] is what the back office offers as buttons.

use serde::{Deserialize, Serialize};

/// The most review levels an organisation may configure.
pub const MAX_LEVELS: u8 = 3;

/// The Chinese name of review level `level` (1-based): 编辑初审, 科室复审, 领导终审.
pub fn level_label(level: u8) -> &'static str {
    match level {
        1 => "编辑初审",
        2 => "科室复审",
        3 => "领导终审",
        _ => "审核",
    }
}

/// Where an item is in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum State {
    Draft,
    /// Waiting for the review of `level` (1-based).
    Submitted {
        level: u8,
    },
    Approved,
    Scheduled,
    Published,
    Withdrawn,
}

impl State {
    /// The workflow state of a stored `items.status` code and review level.
    pub fn from_stored(status: &str, level: i64) -> Option<State> {
        Some(match status {
            "draft" => State::Draft,
            "submitted" => State::Submitted {
                level: level.clamp(1, MAX_LEVELS as i64) as u8,
            },
            "approved" => State::Approved,
            "scheduled" => State::Scheduled,
            "published" => State::Published,
            "unpublished" => State::Withdrawn,
            _ => return None,
        })
    }

    /// The stored `items.status` code (withdrawn keeps the historical code `unpublished`).
    pub fn code(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted { .. } => "submitted",
            State::Approved => "approved",
            State::Scheduled => "scheduled",
            State::Published => "published",
            State::Withdrawn => "unpublished",
        }
    }

    /// The stored review level: the level awaited while submitted, else 0.
    pub fn level(self) -> i64 {
        match self {
            State::Submitted { level } => level as i64,
            _ => 0,
        }
    }

    pub fn label(self) -> String {
        match self {
            State::Draft => "草稿".into(),
            State::Submitted { level } => format!("待审核（{}）", level_label(level)),
            State::Approved => "已审核，待发布".into(),
            State::Scheduled => "定时发布".into(),
            State::Published => "已发布".into(),
            State::Withdrawn => "已撤回".into(),
        }
    }
}

/// What someone wants to do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 提交审核.
    Submit,
    /// 审核通过 (the current level).
    Approve,
    /// 退回修改 (with a required comment).
    Return,
    /// 发布 an approved item.
    Publish,
    /// 直接发布(先发后审): without review, with a required reason.
    PublishNow,
    /// 定时发布 an approved item.
    Schedule,
    /// 取消定时 (back to approved).
    Unschedule,
    /// 撤回 a published item (with a required reason).
    Withdraw,
    /// 补审通过: the after-the-fact review of an item published without review.
    ConfirmPostReview,
}

impl Action {
    pub const ALL: &'static [Action] = &[
        Action::Submit,
        Action::Approve,
        Action::Return,
        Action::Publish,
        Action::PublishNow,
        Action::Schedule,
        Action::Unschedule,
        Action::Withdraw,
        Action::ConfirmPostReview,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Publish => "publish",
            Action::PublishNow => "publish_now",
            Action::Schedule => "schedule",
            Action::Unschedule => "unschedule",
            Action::Withdraw => "withdraw",
            Action::ConfirmPostReview => "confirm_post_review",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "提交审核",
            Action::Approve => "审核通过",
            Action::Return => "退回修改",
            Action::Publish => "立即发布",
            Action::PublishNow => "直接发布（先发后审）",
            Action::Schedule => "定时发布",
            Action::Unschedule => "取消定时",
            Action::Withdraw => "撤回",
            Action::ConfirmPostReview => "补审通过",
        }
    }
}

/// Who is acting, as far as the workflow cares. The caller computes these from the user's grants
/// on the item's organisation and from the item's history.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// Editor or organisation admin of the item's organisation (or system admin).
    pub can_edit: bool,
    /// Reviewer or organisation admin of the item's organisation (or system admin).
    pub can_review: bool,
    /// May withdraw: organisation admin or reviewer of the organisation, supervisor, system admin.
    pub can_withdraw: bool,
    /// Created or edited the item: may never review it.
    pub is_author: bool,
    /// Already approved an earlier level of the current submission.
    pub approved_this_round: bool,
    /// The organisation's review levels (1..=3).
    pub levels: u8,
    /// Published without review and not yet reviewed afterwards.
    pub post_review_pending: bool,
}

/// Why an action is refused: the state does not allow it (422), or the person may not (403).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The person lacks the right (as opposed to the item being in the wrong state).
    pub forbidden: bool,
    pub message: String,
}

impl std::ops::Deref for Refusal {
    type Target = str;
    fn deref(&self) -> &str {
        &self.message
    }
}

impl PartialEq<&str> for Refusal {
    fn eq(&self, other: &&str) -> bool {
        self.message == *other
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn forbidden(m: impl Into<String>) -> Refusal {
    Refusal {
        forbidden: true,
        message: m.into(),
    }
}

fn refused(m: impl Into<String>) -> Refusal {
    Refusal {
        forbidden: false,
        message: m.into(),
    }
}

/// Checks `action` on an item in `state` by someone described by `facts`; the next state, or why
/// not (in Chinese).
pub fn check(state: State, action: Action, f: &Facts) -> Result<State, Refusal> {
    use Action::*;
    let levels = f.levels.clamp(1, MAX_LEVELS);
    let wrong_state = || {
        Err(refused(format!(
            "当前状态为“{}”，不能{}",
            state.label(),
            action.label()
        )))
    };
    let need_edit = || {
        if f.can_edit {
            Ok(())
        } else {
            Err(forbidden("无权操作：您没有该信息所属机构的编辑权限"))
        }
    };
    let need_review = || {
        if !f.can_review {
            Err(forbidden("无权审核：您没有该信息所属机构的审核权限"))
        } else if f.is_author {
            Err(forbidden("不能审核自己起草或修改过的信息"))
        } else {
            Ok(())
        }
    };
    let need_edit_or_review = || {
        if f.can_edit || f.can_review {
            Ok(())
        } else {
            Err(forbidden("无权操作：您没有该信息所属机构的编辑或审核权限"))
        }
    };
    match (action, state) {
        (Submit, State::Draft | State::Withdrawn) => {
            need_edit().map(|_| State::Submitted { level: 1 })
        }
        (Approve, State::Submitted { level }) => {
            need_review()?;
            if f.approved_this_round {
                return Err(forbidden("同一人不能审核同一次提交的两个级别"));
            }
            if level < levels {
                Ok(State::Submitted { level: level + 1 })
            } else {
                Ok(State::Approved)
            }
        }
        (Return, State::Submitted { .. } | State::Approved) => need_review().map(|_| State::Draft),
        (Publish, State::Approved) => need_edit_or_review().map(|_| State::Published),
        (PublishNow, State::Draft | State::Withdrawn | State::Submitted { .. }) => {
            need_edit().map(|_| State::Published)
        }
        (Schedule, State::Approved) => need_edit_or_review().map(|_| State::Scheduled),
        (Unschedule, State::Scheduled) => need_edit_or_review().map(|_| State::Approved),
        (Withdraw, State::Published) => {
            if f.can_withdraw {
                Ok(State::Withdrawn)
            } else {
                Err(forbidden(
                    "无权撤回：须由本机构的单位管理员、审核人或政务公开办撤回",
                ))
            }
        }
        (ConfirmPostReview, State::Published) => {
            if !f.post_review_pending {
                return Err(refused("该信息无须补审"));
            }
            need_review().map(|_| State::Published)
        }
        _ => wrong_state(),
    }
}

/// The actions `facts` may take on an item in `state` (the buttons the back office shows).
pub fn allowed(state: State, f: &Facts) -> Vec<Action> {
    Action::ALL
        .iter()
        .copied()
        .filter(|a| check(state, *a, f).is_ok())
        .collect()
}

/// Least length of the reason for publishing without review.
pub const PUBLISH_NOW_REASON_MIN: usize = 5;

/// The reason for 直接发布(先发后审): required, at least five characters, at most 500.
pub fn publish_now_reason(reason: &str) -> Result<String, String> {
    let r = reason.trim();
    let n = r.chars().count();
    if n == 0 {
        Err("直接发布（先发后审）须填写理由".into())
    } else if n < PUBLISH_NOW_REASON_MIN {
        Err(format!(
            "直接发布的理由至少 {PUBLISH_NOW_REASON_MIN} 个字，请说明为何不能先审后发"
        ))
    } else if n > 500 {
        Err("理由不能超过 500 字".into())
    } else {
        Ok(r.to_string())
    }
}

/// A required free text (return comment, withdrawal reason, change note): trimmed, 1..=500
/// characters; `what` names it in the message.
pub fn required_text(text: &str, what: &str) -> Result<String, String> {
    let t = text.trim();
    let n = t.chars().count();
    if n == 0 {
        Err(format!("请填写{what}"))
    } else if n > 500 {
        Err(format!("{what}不能超过 500 字"))
    } else {
        Ok(t.to_string())
    }
}

/// How a withdrawn item answers on the portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawMode {
    /// The page stays with the title, date, reason and 「此信息已撤回」, without body or attachments.
    Notice,
    /// The page answers 410 Gone.
    Gone,
}

impl WithdrawMode {
    pub fn code(self) -> &'static str {
        match self {
            WithdrawMode::Notice => "notice",
            WithdrawMode::Gone => "gone",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            WithdrawMode::Notice => "保留页面并公告撤回",
            WithdrawMode::Gone => "删除页面（410）",
        }
    }
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "notice" => Some(WithdrawMode::Notice),
            "gone" => Some(WithdrawMode::Gone),
            _ => None,
        }
    }
}

/// Checks an organisation's review levels setting.
pub fn review_levels(text: &str) -> Result<u8, String> {
    match text.trim().parse::<u8>() {
        Ok(n) if (1..=MAX_LEVELS).contains(&n) => Ok(n),
        _ => Err("审核级数须为 1、2 或 3".into()),
    }
}

/// One line of a line diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// `same`, `added` or `removed`.
    pub kind: &'static str,
    pub text: String,
}

/// A line diff of `old` → `new` (longest common subsequence; inputs beyond 2,000 lines are
/// compared as wholes).
pub fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let line = |kind, t: &str| DiffLine {
        kind,
        text: t.to_string(),
    };
    if a.len() > 2000 || b.len() > 2000 {
        if old == new {
            return a.iter().map(|t| line("same", t)).collect();
        }
        let mut out: Vec<DiffLine> = a.iter().map(|t| line("removed", t)).collect();
        out.extend(b.iter().map(|t| line("added", t)));
        return out;
    }
    let (n, m) = (a.len(), b.len());
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n && j < m {
        if a[i] == b[j] {
            out.push(line("same", a[i]));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(line("removed", a[i]));
            i += 1;
        } else {
            out.push(line("added", b[j]));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|t| line("removed", t)));
    out.extend(b[j..].iter().map(|t| line("added", t)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor() -> Facts {
        Facts {
            can_edit: true,
            is_author: true,
            levels: 1,
            ..Facts::default()
        }
    }

    fn reviewer(levels: u8) -> Facts {
        Facts {
            can_review: true,
            can_withdraw: true,
            levels,
            ..Facts::default()
        }
    }

    #[test]
    fn submit_goes_to_the_first_level_from_draft_or_withdrawn() {
        for s in [State::Draft, State::Withdrawn] {
            assert_eq!(
                check(s, Action::Submit, &editor()),
                Ok(State::Submitted { level: 1 })
            );
        }
        let e = check(State::Draft, Action::Submit, &reviewer(1)).unwrap_err();
        assert!(e.contains("编辑权限"), "{e}");
        for s in [State::Approved, State::Scheduled, State::Published] {
            let e = check(s, Action::Submit, &editor()).unwrap_err();
            assert!(e.contains("不能提交审核"), "{e}");
        }
    }

    #[test]
    fn three_levels_lead_to_approved() {
        let r = reviewer(3);
        let mut s = State::Submitted { level: 1 };
        s = check(s, Action::Approve, &r).unwrap();
        assert_eq!(s, State::Submitted { level: 2 });
        s = check(s, Action::Approve, &r).unwrap();
        assert_eq!(s, State::Submitted { level: 3 });
        assert_eq!(check(s, Action::Approve, &r), Ok(State::Approved));
        assert_eq!(
            check(State::Submitted { level: 1 }, Action::Approve, &reviewer(1)),
            Ok(State::Approved)
        );
    }

    #[test]
    fn the_author_never_reviews_and_nobody_approves_two_levels() {
        let mut author = reviewer(2);
        author.is_author = true;
        for a in [Action::Approve, Action::Return] {
            let e = check(State::Submitted { level: 1 }, a, &author).unwrap_err();
            assert_eq!(e, "不能审核自己起草或修改过的信息");
        }
        let mut twice = reviewer(2);
        twice.approved_this_round = true;
        let e = check(State::Submitted { level: 2 }, Action::Approve, &twice).unwrap_err();
        assert_eq!(e, "同一人不能审核同一次提交的两个级别");
        // Returning is still possible for them.
        assert_eq!(
            check(State::Submitted { level: 2 }, Action::Return, &twice),
            Ok(State::Draft)
        );
        let e = check(State::Submitted { level: 1 }, Action::Approve, &editor()).unwrap_err();
        assert!(e.contains("审核权限"), "{e}");
    }

    #[test]
    fn return_goes_back_to_draft() {
        for s in [State::Submitted { level: 2 }, State::Approved] {
            assert_eq!(check(s, Action::Return, &reviewer(3)), Ok(State::Draft));
        }
        assert!(check(State::Published, Action::Return, &reviewer(1)).is_err());
        assert!(check(State::Draft, Action::Return, &reviewer(1)).is_err());
    }

    #[test]
    fn approved_items_are_published_or_scheduled_and_unscheduled() {
        for f in [editor(), reviewer(1)] {
            assert_eq!(
                check(State::Approved, Action::Publish, &f),
                Ok(State::Published)
            );
            assert_eq!(
                check(State::Approved, Action::Schedule, &f),
                Ok(State::Scheduled)
            );
            assert_eq!(
                check(State::Scheduled, Action::Unschedule, &f),
                Ok(State::Approved)
            );
        }
        assert!(check(State::Draft, Action::Publish, &editor()).is_err());
        assert!(check(State::Draft, Action::Schedule, &editor()).is_err());
        assert!(check(State::Approved, Action::Unschedule, &editor()).is_err());
        let e = check(State::Approved, Action::Publish, &Facts::default()).unwrap_err();
        assert!(e.contains("无权"), "{e}");
    }

    #[test]
    fn publish_now_is_for_editors_before_publication() {
        for s in [
            State::Draft,
            State::Withdrawn,
            State::Submitted { level: 1 },
        ] {
            assert_eq!(
                check(s, Action::PublishNow, &editor()),
                Ok(State::Published)
            );
            assert!(check(s, Action::PublishNow, &reviewer(1)).is_err());
        }
        assert!(check(State::Published, Action::PublishNow, &editor()).is_err());
        assert!(check(State::Approved, Action::PublishNow, &editor()).is_err());
        assert!(publish_now_reason("  ").unwrap_err().contains("须填写理由"));
        assert!(
            publish_now_reason("紧急")
                .unwrap_err()
                .contains("至少 5 个字")
        );
        assert_eq!(
            publish_now_reason(" 防汛紧急通知 ").as_deref(),
            Ok("防汛紧急通知")
        );
        assert!(publish_now_reason(&"长".repeat(501)).is_err());
    }

    #[test]
    fn withdrawal_needs_the_right() {
        assert_eq!(
            check(State::Published, Action::Withdraw, &reviewer(1)),
            Ok(State::Withdrawn)
        );
        let e = check(State::Published, Action::Withdraw, &editor()).unwrap_err();
        assert!(e.contains("无权撤回"), "{e}");
        assert!(check(State::Draft, Action::Withdraw, &reviewer(1)).is_err());
    }

    #[test]
    fn post_review_only_when_pending_and_not_by_the_author() {
        let mut r = reviewer(1);
        assert_eq!(
            check(State::Published, Action::ConfirmPostReview, &r).unwrap_err(),
            "该信息无须补审"
        );
        r.post_review_pending = true;
        assert_eq!(
            check(State::Published, Action::ConfirmPostReview, &r),
            Ok(State::Published)
        );
        r.is_author = true;
        assert!(check(State::Published, Action::ConfirmPostReview, &r).is_err());
    }

    #[test]
    fn allowed_lists_exactly_the_passing_checks() {
        assert_eq!(
            allowed(State::Draft, &editor()),
            vec![Action::Submit, Action::PublishNow]
        );
        assert_eq!(
            allowed(State::Submitted { level: 1 }, &reviewer(2)),
            vec![Action::Approve, Action::Return]
        );
        assert_eq!(
            allowed(State::Approved, &reviewer(1)),
            vec![Action::Return, Action::Publish, Action::Schedule]
        );
        assert_eq!(
            allowed(State::Published, &reviewer(1)),
            vec![Action::Withdraw]
        );
        assert!(allowed(State::Published, &Facts::default()).is_empty());
    }

    #[test]
    fn stored_codes_round_trip() {
        for s in [
            State::Draft,
            State::Submitted { level: 2 },
            State::Approved,
            State::Scheduled,
            State::Published,
            State::Withdrawn,
        ] {
            assert_eq!(State::from_stored(s.code(), s.level()), Some(s));
        }
        assert_eq!(State::from_stored("nope", 0), None);
        assert_eq!(level_label(3), "领导终审");
        assert_eq!(review_levels("2"), Ok(2));
        assert!(review_levels("4").is_err());
        assert!(review_levels("x").is_err());
        assert!(
            required_text(" ", "撤回理由")
                .unwrap_err()
                .contains("撤回理由")
        );
    }

    #[test]
    fn line_diff_marks_changes() {
        let d = line_diff("甲\n乙\n丙", "甲\n丁\n丙");
        let kinds: Vec<_> = d.iter().map(|l| (l.kind, l.text.as_str())).collect();
        assert_eq!(
            kinds,
            vec![
                ("same", "甲"),
                ("removed", "乙"),
                ("added", "丁"),
                ("same", "丙")
            ]
        );
        assert!(line_diff("a", "a").iter().all(|l| l.kind == "same"));
    }
}
