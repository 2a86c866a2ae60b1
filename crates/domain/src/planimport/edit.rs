//! The reviewer's edits to a draft import's parsed [`Plan`], one form at a time and without JSON:
//! tasks (edit, delete, merge into the previous one, split), a duty's text, units and roles,
//! the not-checked mark, cadences (kind, N, season, units, due rule, evidence keywords), deadlines and
//! feedback dates.
//!
//! **Pure**: an [`Edit`] is validated and applied to a `Plan` in memory; a refused edit returns
//! [`Invalid`] with Chinese messages and leaves the plan as it was. Forms give their fields as
//! text ([`CadenceForm`]) and are checked here, so every channel refuses the same things.

use chrono::{Datelike, NaiveDate};

use super::{Role, due_rule_code, parse_due_rule};
use crate::Invalid;
use crate::obligation::{Cadence as Norm, DueRule, MonthDay, Season};
use crate::plan::{Cadence, Deadline, Plan, Task};
use crate::validate::char_len;

pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 4000;
pub const MAX_NAME: usize = 100;
pub const MAX_REASON: usize = 500;
pub const MAX_KEYWORDS: usize = 20;

/// One edit of a draft plan. Indexes are 0-based positions in the plan as the reviewer saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// A task's number and title.
    Task {
        task: usize,
        number: u32,
        title: String,
    },
    DeleteTask {
        task: usize,
    },
    /// The task's duties go to the end of the previous task; the task is removed.
    MergeTask {
        task: usize,
    },
    /// The duties after `after_duty` become a new task right after this one (numbered one more;
    /// the numbers of the following tasks move up by one).
    SplitTask {
        task: usize,
        after_duty: usize,
        title: String,
    },
    DutyText {
        task: usize,
        duty: usize,
        text: String,
    },
    /// Adds a unit name with a role; a name already in the duty under another role moves.
    SetUnit {
        task: usize,
        duty: usize,
        name: String,
        role: Role,
    },
    /// Removes a unit name (from every role and from the duty's cadences).
    RemoveUnit {
        task: usize,
        duty: usize,
        name: String,
    },
    /// 不能自动核查 with a reason; `None` clears it.
    Unchecked {
        task: usize,
        duty: usize,
        reason: Option<String>,
    },
    /// Replaces cadence `cadence` of the duty, or adds one when `None`.
    SetCadence {
        task: usize,
        duty: usize,
        cadence: Option<usize>,
        value: Cadence,
    },
    DeleteCadence {
        task: usize,
        duty: usize,
        cadence: usize,
    },
    AddDeadline {
        task: usize,
        duty: usize,
        deadline: Deadline,
    },
    RemoveDeadline {
        task: usize,
        duty: usize,
        index: usize,
    },
    /// A feedback date `YYYY-MM-DD` (checked by [`check_date`]).
    AddFeedback {
        task: usize,
        duty: usize,
        date: String,
    },
    RemoveFeedback {
        task: usize,
        duty: usize,
        index: usize,
    },
}

const STALE: &str =
    "\u{8981}\u{4FEE}\u{6539}\u{7684}\u{5185}\u{5BB9}\u{5DF2}\u{4E0D}\u{5B58}\u{5728}";

fn stale(field: &'static str) -> Invalid {
    // 要修改的内容已不存在，请刷新页面后重试
    Invalid::one(field, format!("{STALE}\u{FF0C}请刷新页面后重试"))
}

fn task_mut(plan: &mut Plan, task: usize) -> Result<&mut Task, Invalid> {
    plan.tasks.get_mut(task).ok_or_else(|| stale("task"))
}

fn duty_mut(plan: &mut Plan, task: usize, duty: usize) -> Result<&mut crate::plan::Duty, Invalid> {
    task_mut(plan, task)?
        .duties
        .get_mut(duty)
        .ok_or_else(|| stale("duty"))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A required text, trimmed, at most `max` characters.
fn text(field: &'static str, label: &str, value: &str, max: usize) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::one(
            field,
            format!("\u{8BF7}\u{586B}\u{5199}{label}"),
        ));
    }
    if char_len(v) > max {
        return Err(Invalid::one(
            field,
            format!(
                "{label}\u{4E0D}\u{80FD}\u{8D85}\u{8FC7}{max}\u{4E2A}\u{5B57}\u{FF08}\u{5F53}\u{524D}{}\u{4E2A}\u{5B57}\u{FF09}",
                char_len(v)
            ),
        ));
    }
    Ok(v.to_string())
}

/// Checks a date of the plan (a deadline or a feedback date): `YYYY-MM-DD`, a day that exists,
/// within the plan year or the years next to it. Returns it in canonical form.
pub fn check_date(
    field: &'static str,
    label: &str,
    value: &str,
    year: Option<i32>,
) -> Result<String, Invalid> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Invalid::one(
            field,
            format!("\u{8BF7}\u{586B}\u{5199}{label}"),
        ));
    }
    let parts: Vec<&str> = v.split('-').collect();
    let nums: Option<Vec<u32>> = match parts.as_slice() {
        [y, m, d]
            if y.len() == 4
                && (1..=2).contains(&m.len())
                && (1..=2).contains(&d.len())
                && v.bytes().all(|b| b.is_ascii_digit() || b == b'-') =>
        {
            [y, m, d].iter().map(|p| p.parse().ok()).collect()
        }
        _ => None,
    };
    let Some([y, m, d]) = nums.as_deref().map(|n| [n[0], n[1], n[2]]) else {
        // X格式应为 年-月-日，例如 2017-06-30
        return Err(Invalid::one(
            field,
            format!(
                "{label}\u{683C}\u{5F0F}\u{5E94}\u{4E3A} \u{5E74}-\u{6708}-\u{65E5}\u{FF0C}\u{4F8B}\u{5982} 2017-06-30"
            ),
        ));
    };
    let Some(date) = NaiveDate::from_ymd_opt(y as i32, m, d) else {
        // X“2018-02-30”不存在：2018年2月没有30日，请填写实际存在的日期
        return Err(Invalid::one(
            field,
            format!(
                "{label}\u{201C}{v}\u{201D}\u{4E0D}\u{5B58}\u{5728}\u{FF1A}{y}\u{5E74}{m}\u{6708}\u{6CA1}\u{6709}{d}\u{65E5}\u{FF0C}\u{8BF7}\u{586B}\u{5199}\u{5B9E}\u{9645}\u{5B58}\u{5728}\u{7684}\u{65E5}\u{671F}"
            ),
        ));
    };
    if let Some(py) = year
        && !(py - 1..=py + 1).contains(&date.year())
    {
        // X应在工作安排年度（2017年）或前后一年内
        return Err(Invalid::one(
            field,
            format!(
                "{label}\u{5E94}\u{5728}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}\u{5E74}\u{5EA6}\u{FF08}{py}\u{5E74}\u{FF09}\u{6216}\u{524D}\u{540E}\u{4E00}\u{5E74}\u{5185}"
            ),
        ));
    }
    Ok(date.format("%Y-%m-%d").to_string())
}

/// A cadence as the cadence form gives it, every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CadenceForm {
    /// What the document says (`按月`); empty: the kind's label.
    pub text: String,
    /// One of [`CADENCE_KINDS`]' codes.
    pub kind: String,
    /// N of every-N-days, at-least-N-a-year, within N working days, N days or N hours.
    pub n: String,
    /// The date of 某日前 (`once_by`).
    pub date: String,
    /// Months 1–12 of the season (every-N-days only); both empty: all year.
    pub season_from: String,
    pub season_to: String,
    /// Unit names of the duty this cadence belongs to; empty: the duty's lead and responsible.
    pub units: Vec<String>,
    /// `default`, `working_days_after_end`, `days_after_end`, `day_of_next_month`, `in_year`.
    pub due: String,
    pub due_n: String,
    /// Evidence keywords separated by 、 ， , ； ; or spaces.
    pub keywords: String,
}

/// The cadence kinds of the form: code, label, whether it takes N.
pub const CADENCE_KINDS: &[(&str, &str, bool)] = &[
    ("weekly", "\u{6BCF}\u{5468}", false),
    ("monthly", "\u{6BCF}\u{6708}", false),
    ("quarterly", "\u{6BCF}\u{5B63}\u{5EA6}", false),
    ("half_yearly", "\u{6BCF}\u{534A}\u{5E74}", false),
    ("yearly", "\u{6BCF}\u{5E74}", false),
    ("every_n_days", "\u{6BCF}N\u{5929}", true),
    (
        "at_least_n_per_year",
        "\u{6BCF}\u{5E74}\u{4E0D}\u{5C11}\u{4E8E}N\u{6B21}",
        true,
    ),
    (
        "within_n_working_days",
        "N\u{4E2A}\u{5DE5}\u{4F5C}\u{65E5}\u{5185}",
        true,
    ),
    ("within_n_days", "N\u{65E5}\u{5185}", true),
    ("within_n_hours", "N\u{5C0F}\u{65F6}\u{5185}", true),
    ("periodic", "\u{5B9A}\u{671F}", false),
    ("timely", "\u{53CA}\u{65F6}", false),
    ("once_by", "\u{67D0}\u{65E5}\u{524D}", false),
];

/// The due rules of the form: code, label, whether it takes N.
pub const DUE_KINDS: &[(&str, &str, bool)] = &[
    // 默认
    ("default", "\u{9ED8}\u{8BA4}", false),
    // 期满后N个工作日内
    (
        "working_days_after_end",
        "\u{671F}\u{6EE1}\u{540E}N\u{4E2A}\u{5DE5}\u{4F5C}\u{65E5}\u{5185}",
        true,
    ),
    // 期满后N日内
    (
        "days_after_end",
        "\u{671F}\u{6EE1}\u{540E}N\u{65E5}\u{5185}",
        true,
    ),
    // 次月N日前
    (
        "day_of_next_month",
        "\u{6B21}\u{6708}N\u{65E5}\u{524D}",
        true,
    ),
    // 年内（当年12月31日前）
    (
        "in_year",
        "\u{5E74}\u{5185}\u{FF08}\u{5F53}\u{5E74}12\u{6708}31\u{65E5}\u{524D}\u{FF09}",
        false,
    ),
];

/// The form's kind code of a stored norm (`every_5_days@10-01..03-31` → `every_n_days`), its N,
/// the date of a one-off and the season's months.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CadenceParts {
    pub kind: &'static str,
    pub n: Option<u32>,
    pub date: Option<String>,
    pub season: Option<(u32, u32)>,
}

pub fn cadence_parts(norm: &str) -> CadenceParts {
    let mut p = CadenceParts::default();
    let Ok(c) = norm.parse::<Norm>() else {
        return p;
    };
    p.kind = match c {
        Norm::Weekly => "weekly",
        Norm::Monthly => "monthly",
        Norm::Quarterly => "quarterly",
        Norm::HalfYearly => "half_yearly",
        Norm::Yearly => "yearly",
        Norm::EveryNDays { n, season } => {
            p.n = Some(n);
            p.season = season.map(|s| (s.from.month(), s.to.month()));
            "every_n_days"
        }
        Norm::AtLeastPerYear(n) => {
            p.n = Some(n);
            "at_least_n_per_year"
        }
        Norm::WithinWorkingDays(n) => {
            p.n = Some(n);
            "within_n_working_days"
        }
        Norm::WithinDays(n) => {
            p.n = Some(n);
            "within_n_days"
        }
        Norm::WithinHours(n) => {
            p.n = Some(n);
            "within_n_hours"
        }
        Norm::Periodic => "periodic",
        Norm::Timely => "timely",
        Norm::OnceBy(d) => {
            p.date = Some(d.format("%Y-%m-%d").to_string());
            "once_by"
        }
    };
    p
}

/// The form's due code and N of a stored due rule (`None` → `default`).
pub fn due_parts(due: Option<&str>) -> (&'static str, Option<u32>) {
    match due.and_then(parse_due_rule) {
        None => ("default", None),
        Some(DueRule::WithinPeriod) => ("in_year", None),
        Some(DueRule::WorkingDaysAfterEnd(n)) => ("working_days_after_end", Some(n)),
        Some(DueRule::DaysAfterEnd(n)) => ("days_after_end", Some(n)),
        Some(DueRule::DayOfNextMonth(n)) => ("day_of_next_month", Some(n)),
    }
}

/// Splits evidence keywords on 、，,；; and white space, without repeats.
pub fn split_keywords(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in s.split(|c: char| {
        c.is_whitespace() || matches!(c, '\u{3001}' | '\u{FF0C}' | ',' | '\u{FF1B}' | ';')
    }) {
        let k = k.trim();
        if !k.is_empty() && !out.iter().any(|x| x == k) {
            out.push(k.to_string());
        }
    }
    out
}

fn positive(field: &'static str, v: &str, max: u32) -> Result<u32, Invalid> {
    match v.trim().parse::<u32>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        // N 应为 1 到 max 之间的整数
        _ => Err(Invalid::one(
            field,
            format!("N \u{5E94}\u{4E3A} 1 \u{5230} {max} \u{4E4B}\u{95F4}\u{7684}\u{6574}\u{6570}"),
        )),
    }
}

fn month(field: &'static str, v: &str) -> Result<Option<u32>, Invalid> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    match v.parse::<u32>() {
        Ok(m) if (1..=12).contains(&m) => Ok(Some(m)),
        // 月份应为 1 到 12
        _ => Err(Invalid::one(
            field,
            "\u{6708}\u{4EFD}\u{5E94}\u{4E3A} 1 \u{5230} 12",
        )),
    }
}

fn last_day(m: u32) -> u32 {
    // The last day of the month in a leap year (29 February ends a season in every year).
    (28..=31)
        .rev()
        .find(|d| NaiveDate::from_ymd_opt(2000, m, *d).is_some())
        .unwrap_or(28)
}

/// Validates the cadence form against the duty's unit names and the plan year.
pub fn cadence_from_form(
    form: &CadenceForm,
    duty_units: &[String],
    year: Option<i32>,
) -> Result<Cadence, Invalid> {
    let mut inv = Invalid::default();
    let kind = CADENCE_KINDS
        .iter()
        .find(|(c, _, _)| *c == form.kind.trim());
    let Some(&(kind, kind_label, takes_n)) = kind else {
        // 请选择频次
        return Err(Invalid::one(
            "kind",
            "\u{8BF7}\u{9009}\u{62E9}\u{9891}\u{6B21}",
        ));
    };
    let n = if takes_n {
        let max = if kind == "within_n_hours" { 720 } else { 366 };
        match positive("n", &form.n, max) {
            Ok(n) => n,
            Err(e) => {
                inv.errors.extend(e.errors);
                1
            }
        }
    } else {
        0
    };
    let season = match (
        month("season_from", &form.season_from),
        month("season_to", &form.season_to),
    ) {
        (Ok(None), Ok(None)) => None,
        (Ok(Some(a)), Ok(Some(b))) => {
            if kind != "every_n_days" {
                // 只有“每N天”可以设置季节（如收购旺季）
                inv.push(
                    "season_from",
                    "\u{53EA}\u{6709}\u{201C}\u{6BCF}N\u{5929}\u{201D}\u{53EF}\u{4EE5}\u{8BBE}\u{7F6E}\u{5B63}\u{8282}\u{FF08}\u{5982}\u{6536}\u{8D2D}\u{65FA}\u{5B63}\u{FF09}",
                );
            }
            MonthDay::new(a, 1)
                .zip(MonthDay::new(b, last_day(b)))
                .map(|(f, t)| Season::new(f, t))
        }
        (Err(e), _) | (_, Err(e)) => {
            inv.errors.extend(e.errors);
            None
        }
        _ => {
            // 季节须同时填写起止月份
            inv.push(
                "season_from",
                "\u{5B63}\u{8282}\u{987B}\u{540C}\u{65F6}\u{586B}\u{5199}\u{8D77}\u{6B62}\u{6708}\u{4EFD}",
            );
            None
        }
    };
    let norm = match kind {
        "weekly" => Norm::Weekly,
        "monthly" => Norm::Monthly,
        "quarterly" => Norm::Quarterly,
        "half_yearly" => Norm::HalfYearly,
        "yearly" => Norm::Yearly,
        "every_n_days" => Norm::EveryNDays { n, season },
        "at_least_n_per_year" => Norm::AtLeastPerYear(n),
        "within_n_working_days" => Norm::WithinWorkingDays(n),
        "within_n_days" => Norm::WithinDays(n),
        "within_n_hours" => Norm::WithinHours(n),
        "periodic" => Norm::Periodic,
        "timely" => Norm::Timely,
        _ => {
            // 截止日期
            match check_date("date", "\u{622A}\u{6B62}\u{65E5}\u{671F}", &form.date, year) {
                Ok(d) => match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
                    Ok(d) => Norm::OnceBy(d),
                    Err(_) => Norm::Timely,
                },
                Err(e) => {
                    inv.errors.extend(e.errors);
                    Norm::Timely
                }
            }
        }
    };
    let periodic = norm.kind() == crate::obligation::CadenceKind::Periodic;
    let due_kind = DUE_KINDS
        .iter()
        .find(|(c, _, _)| *c == form.due.trim())
        .map_or("default", |(c, _, _)| *c);
    let due = match due_kind {
        "default" => None,
        other => {
            if !periodic || matches!(norm, Norm::OnceBy(_)) {
                // 只有按周期公开的频次可以设置期限规则
                inv.push(
                    "due",
                    "\u{53EA}\u{6709}\u{6309}\u{5468}\u{671F}\u{516C}\u{5F00}\u{7684}\u{9891}\u{6B21}\u{53EF}\u{4EE5}\u{8BBE}\u{7F6E}\u{671F}\u{9650}\u{89C4}\u{5219}",
                );
            }
            match other {
                "in_year" => {
                    if !matches!(norm, Norm::Yearly | Norm::AtLeastPerYear(_)) {
                        // “年内”只适用于每年和每年不少于N次
                        inv.push(
                            "due",
                            "\u{201C}\u{5E74}\u{5185}\u{201D}\u{53EA}\u{9002}\u{7528}\u{4E8E}\u{6BCF}\u{5E74}\u{548C}\u{6BCF}\u{5E74}\u{4E0D}\u{5C11}\u{4E8E}N\u{6B21}",
                        );
                    }
                    Some(DueRule::WithinPeriod)
                }
                "day_of_next_month" => match positive("due_n", &form.due_n, 31) {
                    Ok(n) => Some(DueRule::DayOfNextMonth(n)),
                    Err(e) => {
                        inv.errors.extend(e.errors);
                        None
                    }
                },
                "days_after_end" => match positive("due_n", &form.due_n, 366) {
                    Ok(n) => Some(DueRule::DaysAfterEnd(n)),
                    Err(e) => {
                        inv.errors.extend(e.errors);
                        None
                    }
                },
                _ => match positive("due_n", &form.due_n, 250) {
                    Ok(n) => Some(DueRule::WorkingDaysAfterEnd(n)),
                    Err(e) => {
                        inv.errors.extend(e.errors);
                        None
                    }
                },
            }
        }
    };
    let mut units: Vec<String> = Vec::new();
    for u in &form.units {
        let u = u.trim();
        if u.is_empty() || units.iter().any(|x| x == u) {
            continue;
        }
        match duty_units.iter().find(|d| squash(d) == squash(u)) {
            Some(d) => units.push(d.clone()),
            // 单位“X”不是这条职责的单位
            None => inv.push(
                "units",
                format!(
                    "\u{5355}\u{4F4D}\u{201C}{u}\u{201D}\u{4E0D}\u{662F}\u{8FD9}\u{6761}\u{804C}\u{8D23}\u{7684}\u{5355}\u{4F4D}"
                ),
            ),
        }
    }
    let keywords = split_keywords(&form.keywords);
    if keywords.len() > MAX_KEYWORDS {
        // 核查关键词最多 20 个
        inv.push(
            "keywords",
            format!(
                "\u{6838}\u{67E5}\u{5173}\u{952E}\u{8BCD}\u{6700}\u{591A} {MAX_KEYWORDS} \u{4E2A}"
            ),
        );
    }
    if keywords.iter().any(|k| char_len(k) > 30) {
        // 每个核查关键词不能超过 30 个字
        inv.push(
            "keywords",
            "\u{6BCF}\u{4E2A}\u{6838}\u{67E5}\u{5173}\u{952E}\u{8BCD}\u{4E0D}\u{80FD}\u{8D85}\u{8FC7} 30 \u{4E2A}\u{5B57}",
        );
    }
    let text_value = form.text.trim();
    if char_len(text_value) > MAX_NAME {
        // 原文写法不能超过 100 个字
        inv.push(
            "text",
            format!("\u{539F}\u{6587}\u{5199}\u{6CD5}\u{4E0D}\u{80FD}\u{8D85}\u{8FC7} {MAX_NAME} \u{4E2A}\u{5B57}"),
        );
    }
    inv.into_result()?;
    let _ = kind_label;
    Ok(Cadence {
        text: if text_value.is_empty() {
            norm.label()
        } else {
            text_value.to_string()
        },
        norm: norm.to_string(),
        units,
        due: due.map(due_rule_code),
        keywords,
        source: None,
    })
}

/// Applies one edit; on refusal the plan is unchanged.
pub fn apply(plan: &mut Plan, edit: Edit) -> Result<(), Invalid> {
    let year = plan.year;
    match edit {
        Edit::Task {
            task,
            number,
            title,
        } => {
            // 任务名称
            let title = text(
                "title",
                "\u{4EFB}\u{52A1}\u{540D}\u{79F0}",
                &title,
                MAX_TITLE,
            )?;
            if number == 0 || number > 999 {
                // 任务序号应为 1 到 999 之间的整数
                return Err(Invalid::one(
                    "number",
                    "\u{4EFB}\u{52A1}\u{5E8F}\u{53F7}\u{5E94}\u{4E3A} 1 \u{5230} 999 \u{4E4B}\u{95F4}\u{7684}\u{6574}\u{6570}",
                ));
            }
            let t = task_mut(plan, task)?;
            t.number = number;
            t.title = title;
        }
        Edit::DeleteTask { task } => {
            task_mut(plan, task)?;
            if plan.tasks.len() == 1 {
                // 至少需要保留一项任务
                return Err(Invalid::one(
                    "task",
                    "\u{81F3}\u{5C11}\u{9700}\u{8981}\u{4FDD}\u{7559}\u{4E00}\u{9879}\u{4EFB}\u{52A1}",
                ));
            }
            plan.tasks.remove(task);
        }
        Edit::MergeTask { task } => {
            task_mut(plan, task)?;
            if task == 0 {
                // 第一项任务之前没有任务，不能合并
                return Err(Invalid::one(
                    "task",
                    "\u{7B2C}\u{4E00}\u{9879}\u{4EFB}\u{52A1}\u{4E4B}\u{524D}\u{6CA1}\u{6709}\u{4EFB}\u{52A1}\u{FF0C}\u{4E0D}\u{80FD}\u{5408}\u{5E76}",
                ));
            }
            let removed = plan.tasks.remove(task);
            plan.tasks[task - 1].duties.extend(removed.duties);
        }
        Edit::SplitTask {
            task,
            after_duty,
            title,
        } => {
            let t = task_mut(plan, task)?;
            if after_duty + 1 >= t.duties.len() {
                // 拆分点之后没有职责，不能拆分
                return Err(Invalid::one(
                    "after_duty",
                    "\u{62C6}\u{5206}\u{70B9}\u{4E4B}\u{540E}\u{6CA1}\u{6709}\u{804C}\u{8D23}\u{FF0C}\u{4E0D}\u{80FD}\u{62C6}\u{5206}",
                ));
            }
            // 新任务名称
            let title = text(
                "split_title",
                "\u{65B0}\u{4EFB}\u{52A1}\u{540D}\u{79F0}",
                &title,
                MAX_TITLE,
            )?;
            let number = t.number + 1;
            let moved = t.duties.split_off(after_duty + 1);
            let section_path = t.section_path.clone();
            let old = t.number;
            for other in plan.tasks.iter_mut().skip(task + 1) {
                if other.number > old {
                    other.number += 1;
                }
            }
            plan.tasks.insert(
                task + 1,
                Task {
                    number,
                    title,
                    section_path,
                    duties: moved,
                },
            );
        }
        Edit::DutyText {
            task,
            duty,
            text: t,
        } => {
            // 职责内容
            let t = text("text", "\u{804C}\u{8D23}\u{5185}\u{5BB9}", &t, MAX_TEXT)?;
            duty_mut(plan, task, duty)?.text = t;
        }
        Edit::SetUnit {
            task,
            duty,
            name,
            role,
        } => {
            // 单位名称
            let name = text("name", "\u{5355}\u{4F4D}\u{540D}\u{79F0}", &name, MAX_NAME)?;
            let d = duty_mut(plan, task, duty)?;
            let key = squash(&name);
            for list in [&mut d.lead, &mut d.co, &mut d.responsible] {
                list.retain(|n| squash(n) != key);
            }
            match role {
                Role::Lead => d.lead.push(name),
                Role::Co => d.co.push(name),
                Role::Responsible => d.responsible.push(name),
            }
        }
        Edit::RemoveUnit { task, duty, name } => {
            let d = duty_mut(plan, task, duty)?;
            let key = squash(&name);
            let before = d.lead.len() + d.co.len() + d.responsible.len();
            for list in [&mut d.lead, &mut d.co, &mut d.responsible] {
                list.retain(|n| squash(n) != key);
            }
            if d.lead.len() + d.co.len() + d.responsible.len() == before {
                return Err(stale("name"));
            }
            for c in &mut d.cadences {
                c.units.retain(|n| squash(n) != key);
            }
        }
        Edit::Unchecked { task, duty, reason } => {
            let reason = match reason {
                None => None,
                // 不能自动核查的理由
                Some(r) => Some(text(
                    "reason",
                    "\u{4E0D}\u{80FD}\u{81EA}\u{52A8}\u{6838}\u{67E5}\u{7684}\u{7406}\u{7531}",
                    &r,
                    MAX_REASON,
                )?),
            };
            duty_mut(plan, task, duty)?.unchecked_reason = reason;
        }
        Edit::SetCadence {
            task,
            duty,
            cadence,
            value,
        } => {
            if value.norm.parse::<Norm>().is_err() {
                return Err(Invalid::one(
                    "kind",
                    format!(
                        "\u{65E0}\u{6CD5}\u{8BC6}\u{522B}\u{7684}\u{5468}\u{671F}\u{201C}{}\u{201D}",
                        value.norm
                    ),
                ));
            }
            let d = duty_mut(plan, task, duty)?;
            match cadence {
                None => d.cadences.push(value),
                Some(i) => {
                    let slot = d.cadences.get_mut(i).ok_or_else(|| stale("cadence"))?;
                    // The form does not show where the evidence comes from: keep it.
                    let source = slot.source.take();
                    *slot = Cadence { source, ..value };
                }
            }
        }
        Edit::DeleteCadence {
            task,
            duty,
            cadence,
        } => {
            let d = duty_mut(plan, task, duty)?;
            if cadence >= d.cadences.len() {
                return Err(stale("cadence"));
            }
            d.cadences.remove(cadence);
        }
        Edit::AddDeadline {
            task,
            duty,
            deadline,
        } => {
            // 时限说明
            let t = text(
                "deadline_text",
                "\u{65F6}\u{9650}\u{8BF4}\u{660E}",
                &deadline.text,
                MAX_NAME,
            )?;
            let date = match deadline.date.as_deref().map(str::trim) {
                None | Some("") => None,
                // 时限日期
                Some(v) => Some(check_date(
                    "deadline_date",
                    "\u{65F6}\u{9650}\u{65E5}\u{671F}",
                    v,
                    year,
                )?),
            };
            duty_mut(plan, task, duty)?
                .deadlines
                .push(Deadline { text: t, date });
        }
        Edit::RemoveDeadline { task, duty, index } => {
            let d = duty_mut(plan, task, duty)?;
            if index >= d.deadlines.len() {
                return Err(stale("deadline"));
            }
            d.deadlines.remove(index);
        }
        Edit::AddFeedback { task, duty, date } => {
            // 反馈日期
            let date = check_date(
                "feedback_date",
                "\u{53CD}\u{9988}\u{65E5}\u{671F}",
                &date,
                year,
            )?;
            let d = duty_mut(plan, task, duty)?;
            if d.feedback_dates.contains(&date) {
                // 这条职责已有这个反馈日期
                return Err(Invalid::one(
                    "feedback_date",
                    "\u{8FD9}\u{6761}\u{804C}\u{8D23}\u{5DF2}\u{6709}\u{8FD9}\u{4E2A}\u{53CD}\u{9988}\u{65E5}\u{671F}",
                ));
            }
            d.feedback_dates.push(date);
            d.feedback_dates.sort();
        }
        Edit::RemoveFeedback { task, duty, index } => {
            let d = duty_mut(plan, task, duty)?;
            if index >= d.feedback_dates.len() {
                return Err(stale("feedback_date"));
            }
            d.feedback_dates.remove(index);
        }
    }
    Ok(())
}

/// What an edit did, in Chinese, for the audit log (`plan` is the plan before the edit).
pub fn describe(plan: &Plan, edit: &Edit) -> String {
    let task_label = |t: usize| {
        plan.tasks.get(t).map_or_else(
            || format!("\u{7B2C}{}\u{9879}\u{4EFB}\u{52A1}", t + 1),
            |x| format!("\u{4EFB}\u{52A1}{}\u{201C}{}\u{201D}", x.number, x.title),
        )
    };
    // 任务N“标题”第M条职责
    let duty_label =
        |t: usize, d: usize| format!("{}\u{7B2C}{}\u{6761}\u{804C}\u{8D23}", task_label(t), d + 1);
    match edit {
        Edit::Task {
            task,
            number,
            title,
        } => format!(
            "\u{4FEE}\u{6539}{}\u{4E3A}\u{4EFB}\u{52A1}{number}\u{201C}{}\u{201D}",
            task_label(*task),
            title.trim()
        ),
        Edit::DeleteTask { task } => format!("\u{5220}\u{9664}{}", task_label(*task)),
        Edit::MergeTask { task } => format!(
            "\u{5C06}{}\u{5E76}\u{5165}\u{524D}\u{4E00}\u{9879}\u{4EFB}\u{52A1}",
            task_label(*task)
        ),
        Edit::SplitTask {
            task, after_duty, ..
        } => format!(
            "\u{5C06}{}\u{7B2C}{}\u{6761}\u{4E4B}\u{540E}\u{7684}\u{804C}\u{8D23}\u{62C6}\u{5206}\u{4E3A}\u{65B0}\u{4EFB}\u{52A1}",
            task_label(*task),
            after_duty + 1
        ),
        Edit::DutyText { task, duty, .. } => {
            format!(
                "\u{4FEE}\u{6539}{}\u{7684}\u{5185}\u{5BB9}",
                duty_label(*task, *duty)
            )
        }
        Edit::SetUnit {
            task,
            duty,
            name,
            role,
        } => format!(
            "{}\u{7684}\u{5355}\u{4F4D}\u{201C}{}\u{201D}\u{8BBE}\u{4E3A}{}",
            duty_label(*task, *duty),
            name.trim(),
            role.label()
        ),
        Edit::RemoveUnit { task, duty, name } => format!(
            "\u{4ECE}{}\u{4E2D}\u{79FB}\u{9664}\u{5355}\u{4F4D}\u{201C}{name}\u{201D}",
            duty_label(*task, *duty)
        ),
        Edit::Unchecked {
            task,
            duty,
            reason: Some(r),
        } => format!(
            "{}\u{6807}\u{8BB0}\u{4E3A}\u{4E0D}\u{80FD}\u{81EA}\u{52A8}\u{6838}\u{67E5}\u{FF1A}{}",
            duty_label(*task, *duty),
            r.trim()
        ),
        Edit::Unchecked { task, duty, .. } => format!(
            "{}\u{53D6}\u{6D88}\u{201C}\u{4E0D}\u{80FD}\u{81EA}\u{52A8}\u{6838}\u{67E5}\u{201D}",
            duty_label(*task, *duty)
        ),
        Edit::SetCadence {
            task,
            duty,
            cadence,
            value,
        } => format!(
            "{}{}\u{516C}\u{5F00}\u{9891}\u{6B21}\u{201C}{}\u{201D}\u{FF08}{}\u{FF09}",
            duty_label(*task, *duty),
            if cadence.is_some() {
                "\u{4FEE}\u{6539}"
            } else {
                "\u{6DFB}\u{52A0}"
            },
            value.text,
            value.norm
        ),
        Edit::DeleteCadence {
            task,
            duty,
            cadence,
        } => format!(
            "\u{5220}\u{9664}{}\u{7684}\u{7B2C}{}\u{4E2A}\u{516C}\u{5F00}\u{9891}\u{6B21}",
            duty_label(*task, *duty),
            cadence + 1
        ),
        Edit::AddDeadline {
            task,
            duty,
            deadline,
        } => format!(
            "{}\u{6DFB}\u{52A0}\u{65F6}\u{9650}\u{201C}{}\u{201D}{}",
            duty_label(*task, *duty),
            deadline.text.trim(),
            deadline.date.as_deref().unwrap_or("")
        ),
        Edit::RemoveDeadline { task, duty, index } => format!(
            "\u{5220}\u{9664}{}\u{7684}\u{7B2C}{}\u{4E2A}\u{65F6}\u{9650}",
            duty_label(*task, *duty),
            index + 1
        ),
        Edit::AddFeedback { task, duty, date } => format!(
            "{}\u{6DFB}\u{52A0}\u{53CD}\u{9988}\u{65E5}\u{671F}{}",
            duty_label(*task, *duty),
            date.trim()
        ),
        Edit::RemoveFeedback { task, duty, index } => format!(
            "\u{5220}\u{9664}{}\u{7684}\u{7B2C}{}\u{4E2A}\u{53CD}\u{9988}\u{65E5}\u{671F}",
            duty_label(*task, *duty),
            index + 1
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Duty;

    fn plan() -> Plan {
        let duty = |text: &str, lead: &[&str], co: &[&str]| Duty {
            text: text.into(),
            lead: lead.iter().map(|s| s.to_string()).collect(),
            co: co.iter().map(|s| s.to_string()).collect(),
            cadences: vec![Cadence {
                text: "按月".into(),
                norm: "monthly".into(),
                ..Cadence::default()
            }],
            ..Duty::default()
        };
        Plan {
            title: Some("2017年政务公开工作安排".into()),
            issuer: None,
            issued_on: None,
            year: Some(2017),
            feedback_dates: vec![],
            tasks: vec![
                Task {
                    number: 1,
                    title: "一".into(),
                    section_path: vec![],
                    duties: vec![
                        duty("a", &["市财政局", "市政府相关部门"], &[]),
                        duty("b", &["市发展改革委"], &["市统计局"]),
                        duty("c", &["市教育局"], &[]),
                    ],
                },
                Task {
                    number: 2,
                    title: "二".into(),
                    section_path: vec![],
                    duties: vec![duty("d", &["市民政局"], &[])],
                },
                Task {
                    number: 3,
                    title: "三".into(),
                    section_path: vec![],
                    duties: vec![duty("e", &["市卫生计生委"], &[])],
                },
            ],
        }
    }

    fn form(kind: &str) -> CadenceForm {
        CadenceForm {
            kind: kind.into(),
            due: "default".into(),
            ..CadenceForm::default()
        }
    }

    #[test]
    fn delete_merge_and_split_tasks() {
        let mut p = plan();
        apply(&mut p, Edit::DeleteTask { task: 1 }).unwrap();
        assert_eq!(p.tasks.iter().map(|t| t.number).collect::<Vec<_>>(), [1, 3]);
        apply(&mut p, Edit::MergeTask { task: 1 }).unwrap();
        assert_eq!(p.tasks.len(), 1);
        assert_eq!(p.tasks[0].duties.len(), 4);
        assert!(apply(&mut p, Edit::MergeTask { task: 0 }).is_err());
        assert!(
            apply(&mut p, Edit::DeleteTask { task: 0 }).is_err(),
            "the last task stays"
        );
        apply(
            &mut p,
            Edit::SplitTask {
                task: 0,
                after_duty: 1,
                title: "拆出".into(),
            },
        )
        .unwrap();
        assert_eq!(p.tasks.len(), 2);
        assert_eq!(p.tasks[0].duties.len(), 2);
        assert_eq!(p.tasks[1].number, 2);
        assert_eq!(p.tasks[1].title, "拆出");
        assert_eq!(p.tasks[1].duties[0].text, "c");
        let before = p.clone();
        assert!(
            apply(
                &mut p,
                Edit::SplitTask {
                    task: 1,
                    after_duty: 1,
                    title: "x".into()
                }
            )
            .is_err()
        );
        assert_eq!(p, before);
    }

    #[test]
    fn split_moves_the_numbers_of_later_tasks() {
        let mut p = plan();
        apply(
            &mut p,
            Edit::SplitTask {
                task: 0,
                after_duty: 0,
                title: "新".into(),
            },
        )
        .unwrap();
        assert_eq!(
            p.tasks.iter().map(|t| t.number).collect::<Vec<_>>(),
            [1, 2, 3, 4]
        );
    }

    #[test]
    fn units_move_between_roles_and_leave_cadences_when_removed() {
        let mut p = plan();
        apply(
            &mut p,
            Edit::SetUnit {
                task: 0,
                duty: 1,
                name: "市统计局".into(),
                role: Role::Responsible,
            },
        )
        .unwrap();
        let d = &p.tasks[0].duties[1];
        assert!(d.co.is_empty());
        assert_eq!(d.responsible, ["市统计局"]);
        // narrow a collective: remove it, add two chosen units
        let f = CadenceForm {
            units: vec!["市财政局".into()],
            ..form("monthly")
        };
        let c = cadence_from_form(&f, &["市财政局".into()], Some(2017)).unwrap();
        apply(
            &mut p,
            Edit::SetCadence {
                task: 0,
                duty: 0,
                cadence: Some(0),
                value: c,
            },
        )
        .unwrap();
        apply(
            &mut p,
            Edit::RemoveUnit {
                task: 0,
                duty: 0,
                name: "市财政局".into(),
            },
        )
        .unwrap();
        let d = &p.tasks[0].duties[0];
        assert_eq!(d.lead, ["市政府相关部门"]);
        assert!(
            d.cadences[0].units.is_empty(),
            "the cadence forgets the unit"
        );
        assert!(
            apply(
                &mut p,
                Edit::RemoveUnit {
                    task: 0,
                    duty: 0,
                    name: "市财政局".into()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn cadence_form_builds_seasons_due_rules_and_keywords() {
        let units = vec!["市粮食局".to_string(), "市物价局".to_string()];
        let f = CadenceForm {
            n: "5".into(),
            season_from: "10".into(),
            season_to: "3".into(),
            units: vec!["市粮食局".into()],
            keywords: "收购价格、 收购进度\u{2C}收购价格".into(),
            ..form("every_n_days")
        };
        let c = cadence_from_form(&f, &units, Some(2017)).unwrap();
        assert_eq!(c.norm, "every_5_days@10-01..03-31");
        assert_eq!(c.units, ["市粮食局"]);
        assert_eq!(c.keywords, ["收购价格", "收购进度"]);
        assert_eq!(c.due, None);
        let p = cadence_parts(&c.norm);
        assert_eq!(
            (p.kind, p.n, p.season),
            ("every_n_days", Some(5), Some((10, 3)))
        );

        let f = CadenceForm {
            due: "day_of_next_month".into(),
            due_n: "15".into(),
            ..form("monthly")
        };
        let c = cadence_from_form(&f, &units, Some(2017)).unwrap();
        assert_eq!(c.due.as_deref(), Some("day_of_next_month:15"));
        assert_eq!(due_parts(c.due.as_deref()), ("day_of_next_month", Some(15)));

        let f = CadenceForm {
            n: "1".into(),
            due: "in_year".into(),
            ..form("at_least_n_per_year")
        };
        let c = cadence_from_form(&f, &units, Some(2017)).unwrap();
        assert_eq!(c.due.as_deref(), Some("within_period"));
        assert_eq!(due_parts(c.due.as_deref()).0, "in_year");

        let f = CadenceForm {
            date: "2017-11-30".into(),
            ..form("once_by")
        };
        let c = cadence_from_form(&f, &units, Some(2017)).unwrap();
        assert_eq!(c.norm, "once_by_2017-11-30");
        assert_eq!(c.text, "2017年11月30日前");
    }

    #[test]
    fn cadence_form_refusals_are_chinese() {
        let units = vec!["市粮食局".to_string()];
        let bad = [
            (form(""), "kind"),
            (
                CadenceForm {
                    n: "0".into(),
                    ..form("every_n_days")
                },
                "n",
            ),
            (
                CadenceForm {
                    season_from: "10".into(),
                    season_to: "3".into(),
                    ..form("monthly")
                },
                "season_from",
            ),
            (
                CadenceForm {
                    season_from: "10".into(),
                    ..form("every_n_days")
                },
                "n",
            ),
            (
                CadenceForm {
                    due: "day_of_next_month".into(),
                    due_n: "32".into(),
                    ..form("monthly")
                },
                "due_n",
            ),
            (
                CadenceForm {
                    due: "in_year".into(),
                    ..form("monthly")
                },
                "due",
            ),
            (
                CadenceForm {
                    due: "working_days_after_end".into(),
                    due_n: "5".into(),
                    ..form("timely")
                },
                "due",
            ),
            (
                CadenceForm {
                    units: vec!["市环保局".into()],
                    ..form("monthly")
                },
                "units",
            ),
            (
                CadenceForm {
                    date: "2018-02-30".into(),
                    ..form("once_by")
                },
                "date",
            ),
        ];
        for (f, field) in bad {
            let e = cadence_from_form(&f, &units, Some(2017)).unwrap_err();
            assert!(e.message_for(field).is_some(), "{f:?}: {e:?}");
            assert!(
                e.errors.iter().all(|x| x
                    .message
                    .chars()
                    .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))),
                "{e:?}"
            );
        }
    }

    #[test]
    fn dates_must_exist_and_be_near_the_plan_year() {
        let e = check_date("feedback_date", "反馈日期", "2018-02-30", Some(2017)).unwrap_err();
        assert_eq!(
            e.message_for("feedback_date"),
            Some(
                "反馈日期\u{201C}2018-02-30\u{201D}不存在\u{FF1A}2018年2月没有30日\u{FF0C}请填写实际存在的日期"
            )
        );
        assert!(check_date("f", "日期", "2017/06/30", Some(2017)).is_err());
        assert!(check_date("f", "日期", "", Some(2017)).is_err());
        assert!(check_date("f", "日期", "2020-06-30", Some(2017)).is_err());
        assert_eq!(
            check_date("f", "日期", "2018-2-28", Some(2017)).unwrap(),
            "2018-02-28"
        );
        let mut p = plan();
        let before = p.clone();
        assert!(
            apply(
                &mut p,
                Edit::AddFeedback {
                    task: 0,
                    duty: 0,
                    date: "2018-02-30".into()
                }
            )
            .is_err()
        );
        assert_eq!(p, before, "a refused edit changes nothing");
        apply(
            &mut p,
            Edit::AddFeedback {
                task: 0,
                duty: 0,
                date: "2017-12-30".into(),
            },
        )
        .unwrap();
        apply(
            &mut p,
            Edit::AddFeedback {
                task: 0,
                duty: 0,
                date: "2017-06-30".into(),
            },
        )
        .unwrap();
        assert_eq!(
            p.tasks[0].duties[0].feedback_dates,
            ["2017-06-30", "2017-12-30"]
        );
        apply(
            &mut p,
            Edit::AddDeadline {
                task: 0,
                duty: 0,
                deadline: Deadline {
                    text: "11月底前".into(),
                    date: Some("2017-11-30".into()),
                },
            },
        )
        .unwrap();
        assert_eq!(p.tasks[0].duties[0].deadlines.len(), 1);
    }

    #[test]
    fn unchecked_needs_a_reason_and_texts_are_checked() {
        let mut p = plan();
        assert!(
            apply(
                &mut p,
                Edit::Unchecked {
                    task: 0,
                    duty: 0,
                    reason: Some("  ".into())
                }
            )
            .is_err()
        );
        apply(
            &mut p,
            Edit::Unchecked {
                task: 0,
                duty: 0,
                reason: Some("线下工作".into()),
            },
        )
        .unwrap();
        assert_eq!(
            p.tasks[0].duties[0].unchecked_reason.as_deref(),
            Some("线下工作")
        );
        apply(
            &mut p,
            Edit::Unchecked {
                task: 0,
                duty: 0,
                reason: None,
            },
        )
        .unwrap();
        assert_eq!(p.tasks[0].duties[0].unchecked_reason, None);
        assert!(
            apply(
                &mut p,
                Edit::Task {
                    task: 0,
                    number: 1,
                    title: " ".into()
                }
            )
            .is_err()
        );
        assert!(
            apply(
                &mut p,
                Edit::DutyText {
                    task: 9,
                    duty: 0,
                    text: "x".into()
                }
            )
            .is_err()
        );
        let e = Edit::DeleteTask { task: 1 };
        assert_eq!(describe(&p, &e), "删除任务2\u{201C}二\u{201D}");
    }
}
