//! NPC suggestions and CPPCC proposals (建议提案办理): the stages, the deadlines and the yearly
//! statistics. Sources: 代表法 Art. 51 (2025) / Art. 42 (2015) for the 3- and 6-month reply
//! limits; local rules (China-rules §6) for 签收/退回, co-handlers' views, re-handling and the
//! publication of replies within 20 working days. Every limit here is a setting ([`ProposalRules`]).

use crate::Invalid;
use crate::calendar::Calendar;
use crate::guard::HitKind;
use crate::validate::{char_len, optional_date, optional_text, required_text};
use chrono::{Months, NaiveDate};
use serde::Serialize;

use crate::model::coded_enum;

coded_enum!(
    /// Who raised it.
    ProposalKind {
        NpcSuggestion = "npc_suggestion": "人大代表建议",
        CppccProposal = "cppcc_proposal": "政协提案",
    }
);

coded_enum!(
    /// Where a case is. `Returned` ends the case for this unit: the assigning office re-assigns it.
    Stage {
        Assigned = "assigned": "已交办，待签收",
        Returned = "returned": "已退回（非本单位职责）",
        Handling = "handling": "办理中",
        Replied = "replied": "已答复，待反馈",
        Rehandling = "rehandling": "重新办理",
        Closed = "closed": "已办结",
    }
);

coded_enum!(
    /// The grade written on the reply (答复类别), as most provinces use it.
    Grade {
        A = "a": "A类（所提问题已经解决或基本解决）",
        B = "b": "B类（所提问题正在解决或已列入计划逐步解决）",
        C = "c": "C类（因条件限制需以后逐步解决）",
        D = "d": "D类（因政策法规或条件所限不能解决，留作参考）",
    }
);

coded_enum!(
    /// The deputy's or member's feedback on the reply (满意度反馈).
    Satisfaction {
        Satisfied = "satisfied": "满意",
        Basic = "basic": "基本满意",
        Dissatisfied = "dissatisfied": "不满意",
    }
);

/// The configurable limits. Defaults follow the national law (3/6 months) and the most common
/// local rules (签收 5 working days, co-handlers 1 month, re-handling 1 month, publication 20
/// working days after the reply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProposalRules {
    /// Working days after assignment to sign for it or return it as not competent.
    pub sign_workdays: u32,
    /// Months after assignment for co-handling units to send their views to the lead unit.
    pub co_view_months: u32,
    /// Months after assignment for the written reply.
    pub reply_months: u32,
    /// Months for complex cases (涉及面广、处理难度大).
    pub complex_reply_months: u32,
    /// Months after a dissatisfied feedback for the second reply.
    pub rehandle_months: u32,
    /// Working days after the reply to publish its full text.
    pub publish_workdays: u32,
}

impl Default for ProposalRules {
    fn default() -> Self {
        ProposalRules {
            sign_workdays: 5,
            co_view_months: 1,
            reply_months: 3,
            complex_reply_months: 6,
            rehandle_months: 1,
            publish_workdays: 20,
        }
    }
}

/// One deadline with the way it was computed, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Due {
    pub date: NaiveDate,
    pub working: String,
}

/// The facts of a case the deadlines depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseDates {
    pub assigned_on: Option<NaiveDate>,
    pub complex: bool,
    pub replied_on: Option<NaiveDate>,
    pub dissatisfied_on: Option<NaiveDate>,
}

/// Every deadline of a case that applies so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadlines {
    pub sign: Due,
    pub co_views: Due,
    pub reply: Due,
    pub rehandle: Option<Due>,
    pub publish: Option<Due>,
}

/// A limit in months ends on the same day of the month (or the month's last day), moved to the
/// next working day when it falls on a rest day (期间届满的最后一日是法定休假日的,以法定休假日
/// 结束的次日为期间的最后一日 — 民法典 Art. 203).
fn months_after(cal: &Calendar, start: NaiveDate, months: u32, what: &str) -> Due {
    let end = start
        .checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX);
    let mut date = end;
    let mut moved = 0;
    while !cal.is_workday(date) && moved < 60 {
        date = date.succ_opt().unwrap_or(date);
        moved += 1;
    }
    let mut working = format!(
        "{what}：自{}起{months}个月，至{}",
        start.format("%Y年%-m月%-d日"),
        end.format("%Y年%-m月%-d日")
    );
    if date != end {
        working.push_str(&format!(
            "（{}）；期限最后一日为休息日，顺延至{}",
            cal.day(end).describe(),
            date.format("%Y年%-m月%-d日")
        ));
    }
    Due { date, working }
}

fn workdays_after(cal: &Calendar, start: NaiveDate, n: u32, what: &str) -> Due {
    let (date, warnings) = match cal.add_workdays(start, n) {
        Ok(d) => (d.date, d.warnings),
        // Only for absurd limits (the form caps them): fall back to calendar days and say so.
        Err(e) => (
            start + chrono::Duration::days(i64::from(n)),
            vec![e.to_string()],
        ),
    };
    let mut working = format!(
        "{what}：自{}起{n}个工作日（{}），至{}",
        start.format("%Y年%-m月%-d日"),
        cal.count_from().label(),
        date.format("%Y年%-m月%-d日")
    );
    for w in warnings {
        working.push_str(&format!("；{w}"));
    }
    Due { date, working }
}

/// The deadlines of a case assigned on `assigned_on`.
pub fn deadlines(
    cal: &Calendar,
    rules: &ProposalRules,
    assigned_on: NaiveDate,
    dates: CaseDates,
) -> Deadlines {
    let reply_months = if dates.complex {
        rules.complex_reply_months
    } else {
        rules.reply_months
    };
    let reply_what = if dates.complex {
        "书面答复（复杂事项）"
    } else {
        "书面答复"
    };
    Deadlines {
        sign: workdays_after(cal, assigned_on, rules.sign_workdays, "签收或退回"),
        co_views: months_after(cal, assigned_on, rules.co_view_months, "会办单位提出意见"),
        reply: months_after(cal, assigned_on, reply_months, reply_what),
        rehandle: dates
            .dissatisfied_on
            .map(|d| months_after(cal, d, rules.rehandle_months, "重新办理并再次答复")),
        publish: dates
            .replied_on
            .map(|d| workdays_after(cal, d, rules.publish_workdays, "公开答复全文")),
    }
}

impl Deadlines {
    /// The step the handling unit must take next and its deadline, by stage: 签收 while assigned,
    /// the written reply while handling, the second reply while re-handling, then publishing the
    /// reply until it is published. `None` when nothing is owed (returned, or closed and published).
    pub fn next(&self, stage: Stage, published: bool) -> Option<(&'static str, NaiveDate)> {
        match stage {
            Stage::Assigned => Some(("签收", self.sign.date)),
            Stage::Handling => Some(("书面答复", self.reply.date)),
            Stage::Rehandling => Some((
                "重新答复",
                self.rehandle.as_ref().unwrap_or(&self.reply).date,
            )),
            Stage::Replied | Stage::Closed => match (&self.publish, published) {
                (Some(due), false) => Some(("公开答复", due.date)),
                _ => None,
            },
            Stage::Returned => None,
        }
    }
}

/// How a deadline stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    Met,
    MetLate,
    Open,
    DueSoon,
    Overdue,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Met => "按时完成",
            Standing::MetLate => "逾期完成",
            Standing::Open => "未到期",
            Standing::DueSoon => "即将到期",
            Standing::Overdue => "已逾期",
        }
    }

    /// For a finished step: was it late? For an open one: where is it as of `today`? "Due soon"
    /// is within `soon_days` calendar days.
    pub fn of(
        due: NaiveDate,
        done_on: Option<NaiveDate>,
        today: NaiveDate,
        soon_days: i64,
    ) -> Self {
        match done_on {
            Some(d) if d <= due => Standing::Met,
            Some(_) => Standing::MetLate,
            None if today > due => Standing::Overdue,
            None if (due - today).num_days() <= soon_days => Standing::DueSoon,
            None => Standing::Open,
        }
    }
}

pub const NUMBER_MAX: usize = 40;
pub const TITLE_MAX: usize = 200;
pub const NAME_MAX: usize = 100;
pub const TEXT_MAX: usize = 50_000;

/// The assignment form (交办), as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct AssignFields {
    pub kind: String,
    pub year: String,
    pub number: String,
    pub title: String,
    pub proposer: String,
    pub proposer_contact: String,
    pub content: String,
    pub assigned_on: String,
    pub lead_org_id: String,
    pub co_org_ids: Vec<String>,
    pub complex: String,
    pub key_item: String,
    pub key_leader: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssignInput {
    pub kind: ProposalKind,
    pub year: i32,
    pub number: String,
    pub title: String,
    pub proposer: String,
    pub proposer_contact: Option<String>,
    pub content: String,
    pub assigned_on: NaiveDate,
    pub lead_org_id: i64,
    pub co_org_ids: Vec<i64>,
    pub complex: bool,
    pub key_item: bool,
    pub key_leader: Option<String>,
}

fn checked(v: &str) -> bool {
    matches!(v.trim(), "1" | "on" | "true" | "yes")
}

impl AssignFields {
    pub fn validate(&self) -> Result<AssignInput, Invalid> {
        let mut inv = Invalid::default();
        let kind = ProposalKind::from_code(self.kind.trim()).unwrap_or_else(|| {
            inv.push("kind", "请选择类别（人大代表建议或政协提案）");
            ProposalKind::NpcSuggestion
        });
        let year = match self.year.trim().parse::<i32>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                inv.push("year", "请填写年度，例如 2024");
                0
            }
        };
        let number = required_text(&mut inv, "number", "编号", &self.number, NUMBER_MAX);
        let title = required_text(&mut inv, "title", "标题", &self.title, TITLE_MAX);
        let proposer = required_text(
            &mut inv,
            "proposer",
            "代表或委员姓名",
            &self.proposer,
            NAME_MAX,
        );
        let proposer_contact = optional_text(
            &mut inv,
            "proposer_contact",
            "联系方式",
            &self.proposer_contact,
            NAME_MAX,
        );
        let content = required_text(&mut inv, "content", "建议提案内容", &self.content, TEXT_MAX);
        let assigned_on = optional_date(&mut inv, "assigned_on", "交办日期", &self.assigned_on);
        if assigned_on.is_none() && self.assigned_on.trim().is_empty() {
            inv.push("assigned_on", "请填写交办日期");
        }
        let lead_org_id = match self.lead_org_id.trim().parse::<i64>() {
            Ok(id) if id > 0 => id,
            _ => {
                inv.push("lead_org_id", "请选择主办单位");
                0
            }
        };
        let mut co_org_ids = Vec::new();
        for raw in &self.co_org_ids {
            let raw = raw.trim();
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<i64>() {
                Ok(id) if id > 0 && id != lead_org_id => {
                    if !co_org_ids.contains(&id) {
                        co_org_ids.push(id);
                    }
                }
                Ok(id) if id == lead_org_id => {
                    inv.push("co_org_ids", "会办单位不能与主办单位相同");
                }
                _ => inv.push("co_org_ids", "会办单位选择有误"),
            }
        }
        let key_item = checked(&self.key_item);
        let key_leader = optional_text(
            &mut inv,
            "key_leader",
            "领衔督办领导",
            &self.key_leader,
            NAME_MAX,
        );
        if key_item && key_leader.is_none() {
            inv.push(
                "key_leader",
                "重点建议提案须由主要负责同志领衔办理，请填写领衔督办领导",
            );
        }
        if let Some(d) = assigned_on
            && year > 0
            && (chrono::Datelike::year(&d) - year).abs() > 1
        {
            inv.push("assigned_on", "交办日期与年度不符");
        }
        inv.into_result()?;
        Ok(AssignInput {
            kind,
            year,
            number,
            title,
            proposer,
            proposer_contact,
            content,
            assigned_on: assigned_on.unwrap_or(NaiveDate::MIN),
            lead_org_id,
            co_org_ids,
            complex: checked(&self.complex),
            key_item,
            key_leader,
        })
    }
}

/// The written reply (书面答复), as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct ReplyFields {
    pub contacted_on: String,
    pub contact_note: String,
    pub replied_on: String,
    pub grade: String,
    pub signed_by: String,
    pub reply_text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyInput {
    pub contacted_on: NaiveDate,
    pub contact_note: Option<String>,
    pub replied_on: NaiveDate,
    pub grade: Grade,
    pub signed_by: String,
    pub reply_text: String,
}

impl ReplyFields {
    /// `assigned_on` bounds the dates: nothing happens before the assignment.
    pub fn validate(&self, assigned_on: NaiveDate) -> Result<ReplyInput, Invalid> {
        let mut inv = Invalid::default();
        let contacted_on = optional_date(&mut inv, "contacted_on", "沟通日期", &self.contacted_on);
        if self.contacted_on.trim().is_empty() {
            inv.push(
                "contacted_on",
                "答复前须与代表委员沟通（代表法要求），请填写沟通日期",
            );
        }
        let contact_note = optional_text(
            &mut inv,
            "contact_note",
            "沟通情况",
            &self.contact_note,
            2000,
        );
        let replied_on = optional_date(&mut inv, "replied_on", "答复日期", &self.replied_on);
        if self.replied_on.trim().is_empty() {
            inv.push("replied_on", "请填写答复日期");
        }
        let grade = Grade::from_code(self.grade.trim()).unwrap_or_else(|| {
            inv.push("grade", "请选择答复类别（A、B、C、D）");
            Grade::A
        });
        let signed_by = required_text(&mut inv, "signed_by", "签发领导", &self.signed_by, NAME_MAX);
        let reply_text = required_text(
            &mut inv,
            "reply_text",
            "答复全文",
            &self.reply_text,
            TEXT_MAX,
        );
        if let Some(c) = contacted_on
            && c < assigned_on
        {
            inv.push("contacted_on", "沟通日期不能早于交办日期");
        }
        if let Some(r) = replied_on {
            if r < assigned_on {
                inv.push("replied_on", "答复日期不能早于交办日期");
            }
            if let Some(c) = contacted_on
                && c > r
            {
                inv.push("contacted_on", "沟通日期不能晚于答复日期");
            }
        }
        inv.into_result()?;
        Ok(ReplyInput {
            contacted_on: contacted_on.unwrap_or(assigned_on),
            contact_note,
            replied_on: replied_on.unwrap_or(assigned_on),
            grade,
            signed_by,
            reply_text,
        })
    }
}

/// What an actor may do next in a stage; the Chinese reason when not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignFor,
    Return,
    SendCoView,
    Reply,
    RecordFeedback,
    Publish,
    /// The office assigns a returned case to another unit （重新交办）.
    Reassign,
}

impl Action {
    pub fn allowed_in(self, stage: Stage, published: bool) -> Result<(), &'static str> {
        use Stage::*;
        let ok = match self {
            Action::SignFor | Action::Return => stage == Assigned,
            Action::SendCoView => matches!(stage, Assigned | Handling | Rehandling),
            Action::Reply => matches!(stage, Handling | Rehandling),
            Action::RecordFeedback => stage == Replied,
            Action::Publish => matches!(stage, Replied | Closed) && !published,
            Action::Reassign => stage == Returned,
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            Action::SignFor | Action::Return => "该件已签收或已退回，不能再签收或退回",
            Action::SendCoView => "该件已答复或已退回，会办意见不再接收",
            Action::Reply => "请先签收；已答复的件须在代表委员不满意时重新办理后再答复",
            Action::RecordFeedback => "只有已答复、待反馈的件可以登记满意度",
            Action::Publish => "只有已答复的件可以公开，且每件只公开一次",
            Action::Reassign => "只有已退回的件可以重新交办",
        })
    }
}

/// The stage after feedback: dissatisfied → re-handling (once; a second dissatisfied feedback
/// closes the case and is reported), otherwise closed.
pub fn stage_after_feedback(s: Satisfaction, rehandled_before: bool) -> Stage {
    match s {
        Satisfaction::Dissatisfied if !rehandled_before => Stage::Rehandling,
        _ => Stage::Closed,
    }
}

/// One case as the yearly statistics need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    pub kind: ProposalKind,
    pub stage: Stage,
    pub key_item: bool,
    pub grade: Option<Grade>,
    pub satisfaction: Option<Satisfaction>,
    pub replied_on_time: Option<bool>,
    pub published: bool,
    pub published_on_time: Option<bool>,
}

/// The yearly statistics (年度办理情况统计) for one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct YearStats {
    pub total: u32,
    pub key_items: u32,
    pub returned: u32,
    pub replied: u32,
    pub replied_on_time: u32,
    pub grades: [u32; 4],
    pub satisfied: u32,
    pub basic: u32,
    pub dissatisfied: u32,
    pub published: u32,
    pub published_on_time: u32,
    pub open: u32,
}

impl YearStats {
    pub fn of(rows: &[StatRow], kind: ProposalKind) -> YearStats {
        let mut s = YearStats::default();
        for r in rows.iter().filter(|r| r.kind == kind) {
            s.total += 1;
            s.key_items += u32::from(r.key_item);
            if r.stage == Stage::Returned {
                s.returned += 1;
                continue;
            }
            if let Some(on_time) = r.replied_on_time {
                s.replied += 1;
                s.replied_on_time += u32::from(on_time);
            } else {
                s.open += 1;
            }
            if let Some(g) = r.grade {
                let i = Grade::ALL.iter().position(|x| *x == g).unwrap_or(0);
                s.grades[i] += 1;
            }
            match r.satisfaction {
                Some(Satisfaction::Satisfied) => s.satisfied += 1,
                Some(Satisfaction::Basic) => s.basic += 1,
                Some(Satisfaction::Dissatisfied) => s.dissatisfied += 1,
                None => {}
            }
            if r.published {
                s.published += 1;
                s.published_on_time += u32::from(r.published_on_time == Some(true));
            }
        }
        s
    }

    /// 满意率 (satisfied + basically satisfied among those who answered), as a percentage.
    pub fn satisfaction_rate(&self) -> Option<f64> {
        let answered = self.satisfied + self.basic + self.dissatisfied;
        (answered > 0).then(|| f64::from(self.satisfied + self.basic) * 100.0 / f64::from(answered))
    }

    /// The row counts are consistent: every non-returned case is replied or open.
    pub fn balanced(&self) -> bool {
        self.total == self.returned + self.replied + self.open
    }
}

/// Text of a reply for publication: contact details, ID numbers and bank cards masked, and the
/// proposer's contact (if it appears verbatim) removed.
pub fn public_text(text: &str, proposer_contact: Option<&str>) -> String {
    let lists = crate::guard::Lists::default();
    let mut out = text.to_string();
    if let Some(c) = proposer_contact.map(str::trim).filter(|c| char_len(c) >= 5) {
        out = out.replace(c, "（联系方式已隐去）");
    }
    let hits = crate::guard::scan(&out, &lists);
    let personal: Vec<_> = hits
        .into_iter()
        .filter(|h| {
            matches!(
                h.kind,
                HitKind::ResidentId
                    | HitKind::BankCard
                    | HitKind::Mobile
                    | HitKind::Landline
                    | HitKind::Email
            )
        })
        .collect();
    crate::guard::mask(&out, &personal)
}

#[cfg(test)]
mod tests;
