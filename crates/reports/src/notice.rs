//! The supervision notice (督查通报) as data: built from a [`ComplianceReport`], rendered by
//! `html`, `docx` and `xlsx`. Pure: no I/O, the issuing date is passed in.
//!
//! [`Notice::sections`] is the text form every document shares: numbered sections 一、二、…
//! with paragraphs, sub-headings (一)(二)… and tables of display strings. The typed rows
//! (`ranking`, `overdue`, `months`) stay available for the workbook, which needs real numbers.

use chrono::{Datelike, NaiveDate};
use gongkai_db::compliance::{ComplianceReport, PeriodRow};
use gongkai_db::compliance_feedback::FeedbackCounts;
use gongkai_domain::CivilDate;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// The office that issues a notice when the plan names no issuer.
pub const DEFAULT_OFFICE: &str = "盘锦市人民政府办公室";

/// Who issues the notice, when, and under which 文号.
#[derive(Debug, Clone)]
pub struct NoticeOptions {
    pub office: String,
    pub issued_on: NaiveDate,
    /// The 发文字号 in its official form (`gongkai_domain::doc_number::parse`), if the office
    /// gave one.
    pub doc_number: Option<String>,
}

impl NoticeOptions {
    /// The plan's issuer if it has one, else [`DEFAULT_OFFICE`].
    pub fn new(issuer: Option<&str>, issued_on: NaiveDate) -> Self {
        let office = issuer
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .unwrap_or(DEFAULT_OFFICE)
            .to_string();
        NoticeOptions {
            office,
            issued_on,
            doc_number: None,
        }
    }

    /// The same options with a 文号 (already in its official form).
    pub fn with_doc_number(mut self, doc_number: Option<String>) -> Self {
        self.doc_number = doc_number.filter(|s| !s.trim().is_empty());
        self
    }
}

/// Chinese on the page: an ideograph, CJK punctuation, a full-width form or curly quotes.
fn is_chinese(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{3000}'..='\u{303F}'
        | '\u{FF00}'..='\u{FFEF}' | '\u{201C}' | '\u{201D}')
}

/// Official punctuation in the text the notice writes (names and titles come from users and
/// imported documents, which may carry ASCII punctuation): an ASCII `, : ; ? !` with Chinese on
/// either side becomes full-width, and so does a pair `( )` with Chinese inside or next to it
/// (both brackets, so a pair never has two widths). ASCII between ASCII stays: `10:30`,
/// `alert(1)`.
pub fn official(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let chinese_at =
        |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|&c| is_chinese(c));
    let mut out: Vec<char> = chars.clone();
    let mut open: Vec<usize> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let beside = chinese_at(i.checked_sub(1)) || chinese_at(Some(i + 1));
        match c {
            ',' if beside => out[i] = '\u{FF0C}',
            ':' if beside => out[i] = '\u{FF1A}',
            ';' if beside => out[i] = '\u{FF1B}',
            '?' if beside => out[i] = '\u{FF1F}',
            '!' if beside => out[i] = '\u{FF01}',
            '(' => open.push(i),
            ')' => match open.pop() {
                Some(o) => {
                    let inside = chars[o + 1..i].iter().any(|&c| is_chinese(c));
                    if inside || chinese_at(o.checked_sub(1)) || chinese_at(Some(i + 1)) {
                        out[o] = '\u{FF08}';
                        out[i] = '\u{FF09}';
                    }
                }
                None if beside => out[i] = '\u{FF09}',
                None => {}
            },
            _ => {}
        }
    }
    for o in open {
        if chinese_at(o.checked_sub(1)) || chinese_at(Some(o + 1)) {
            out[o] = '\u{FF08}';
        }
    }
    out.into_iter().collect()
}

/// The figures of the whole plan.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub obligations: u32,
    pub checked: u32,
    pub unchecked: u32,
    /// Periods whose due date has passed: met + met late + missed.
    pub periods_due: u32,
    pub met: u32,
    pub met_late: u32,
    pub missed: u32,
    pub due_soon: u32,
    pub not_yet_due: u32,
    pub on_time_rate: Option<f64>,
}

/// One unit in the ranking. `rank` is `None` for a unit with nothing due yet.
#[derive(Debug, Clone, Serialize)]
pub struct RankRow {
    pub rank: Option<u32>,
    pub org_id: i64,
    pub org_name: String,
    pub obligations: u32,
    pub unchecked: u32,
    pub periods_due: u32,
    pub met: u32,
    pub met_late: u32,
    pub missed: u32,
    pub due_soon: u32,
    pub on_time_rate: Option<f64>,
}

/// A period missed, or met after its due date.
#[derive(Debug, Clone, Serialize)]
pub struct OverdueRow {
    /// `missed` or `met_late`.
    pub status: String,
    pub status_label: String,
    pub org_name: String,
    pub task_number: i64,
    pub task_title: String,
    pub column_name: Option<String>,
    pub period_label: String,
    pub due: CivilDate,
    pub late_working_days: Option<u32>,
    pub explanation: String,
}

/// The periods ending in one month.
#[derive(Debug, Clone, Serialize)]
pub struct MonthLine {
    /// `2017-05`
    pub month: String,
    /// 2017年5月
    pub label: String,
    pub periods_due: u32,
    pub met: u32,
    pub met_late: u32,
    pub missed: u32,
    pub on_time_rate: Option<f64>,
}

/// A feedback round answered late or not at all.
#[derive(Debug, Clone, Serialize)]
pub struct FeedbackLine {
    /// `missing` or `late`.
    pub status: String,
    pub status_label: String,
    pub org_name: String,
    pub task_number: i64,
    pub task_title: String,
    /// The round, as the plan names it (6月30日前反馈…).
    pub label: String,
    pub due: CivilDate,
    pub submitted_on: Option<CivilDate>,
    pub late_working_days: Option<i64>,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Notice {
    pub title: String,
    pub office: String,
    /// The 文号 when the office gave one: `盘政办发\u{3014}2017\u{3015}12号`.
    pub doc_number: Option<String>,
    pub issued_on: NaiveDate,
    pub plan_id: i64,
    pub plan_title: String,
    /// `YYYY-MM-DD`
    pub as_of: String,
    pub summary: Summary,
    pub ranking: Vec<RankRow>,
    pub overdue: Vec<OverdueRow>,
    pub months: Vec<MonthLine>,
    /// Feedback rounds of the plan by timeliness (all rounds).
    pub feedback_counts: FeedbackCounts,
    /// Rounds missing or answered late: missing first.
    pub feedback: Vec<FeedbackLine>,
}

/// A block of a section, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Paragraph(String),
    /// (一)… inside a section.
    SubHeading(String),
    Table(Table),
}

/// A table of display strings; `numeric[i]` marks columns to right-align.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub caption: String,
    /// A row of merged header cells above `header` (label, columns spanned); empty for none.
    pub groups: Vec<(String, usize)>,
    pub header: Vec<&'static str>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// A numbered section: `heading` already carries its number (一、总体情况).
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub blocks: Vec<Block>,
}

/// 一 … 十九: section numbers. Beyond that Arabic digits (never reached by a notice).
pub fn chinese_number(n: usize) -> String {
    const DIGITS: [&str; 10] = ["", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        1..=9 => DIGITS[n].to_string(),
        10 => "十".into(),
        11..=19 => format!("十{}", DIGITS[n - 10]),
        _ => n.to_string(),
    }
}

/// `0.875` → `87.5%`; `None` → `—`.
pub fn percent(rate: Option<f64>) -> String {
    match rate {
        Some(r) => {
            let p = (r * 1000.0).round() / 10.0;
            if p.fract() == 0.0 {
                format!("{p:.0}%")
            } else {
                format!("{p:.1}%")
            }
        }
        None => "—".into(),
    }
}

/// 2017年12月31日
pub fn chinese_date(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `2017-05` → 2017年5月 (other text unchanged).
pub fn month_label(month: &str) -> String {
    match month.split_once('-') {
        Some((y, m)) => match m.parse::<u32>() {
            Ok(m) => format!("{y}年{m}月"),
            Err(_) => month.to_string(),
        },
        None => month.to_string(),
    }
}

fn iso_to_chinese(s: &str) -> String {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(chinese_date)
        .unwrap_or_else(|_| s.to_string())
}

/// Higher rate first; then fewer missed; then name.
fn rank_order(a: &RankRow, b: &RankRow) -> Ordering {
    b.on_time_rate
        .partial_cmp(&a.on_time_rate)
        .unwrap_or(Ordering::Equal)
        .then(a.missed.cmp(&b.missed))
        .then_with(|| a.org_name.cmp(&b.org_name))
}

impl Notice {
    pub fn build(report: &ComplianceReport, options: &NoticeOptions) -> Notice {
        let t = &report.totals;
        let summary = Summary {
            obligations: t.obligations,
            checked: t.checked_obligations,
            unchecked: t.unchecked_obligations,
            periods_due: t.counts.met + t.counts.met_late + t.counts.missed,
            met: t.counts.met,
            met_late: t.counts.met_late,
            missed: t.counts.missed,
            due_soon: t.counts.due_soon,
            not_yet_due: t.counts.not_yet_due,
            on_time_rate: t.on_time_rate,
        };

        let rows: Vec<RankRow> = report
            .units
            .iter()
            .map(|u| RankRow {
                rank: None,
                org_id: u.org_id,
                org_name: u.org_name.clone(),
                obligations: u.obligations,
                unchecked: u.unchecked_obligations,
                periods_due: u.counts.met + u.counts.met_late + u.counts.missed,
                met: u.counts.met,
                met_late: u.counts.met_late,
                missed: u.counts.missed,
                due_soon: u.counts.due_soon,
                on_time_rate: u.on_time_rate,
            })
            .collect();
        let (mut ranked, mut unranked): (Vec<_>, Vec<_>) =
            rows.into_iter().partition(|r| r.on_time_rate.is_some());
        ranked.sort_by(rank_order);
        unranked.sort_by(|a, b| a.org_name.cmp(&b.org_name));
        for (i, r) in ranked.iter_mut().enumerate() {
            r.rank = u32::try_from(i + 1).ok();
        }
        let mut ranking = ranked;
        ranking.extend(unranked);

        let tasks: BTreeMap<i64, (i64, &str)> = report
            .tasks
            .iter()
            .map(|t| (t.task_id, (t.number, t.title.as_str())))
            .collect();
        let overdue_row = |p: &PeriodRow| {
            let (number, title) = tasks.get(&p.task_id).copied().unwrap_or((0, ""));
            OverdueRow {
                status: p.status.clone(),
                status_label: p.status_label.clone(),
                org_name: p.org_name.clone(),
                task_number: number,
                task_title: title.to_string(),
                column_name: p.column_name.clone(),
                period_label: p.label.clone(),
                due: p.due,
                late_working_days: p.late_working_days,
                explanation: p.explanation.clone(),
            }
        };
        let mut overdue: Vec<OverdueRow> = report
            .periods
            .iter()
            .filter(|p| p.status == "missed" || p.status == "met_late")
            .map(overdue_row)
            .collect();
        overdue.sort_by(|a, b| {
            (a.status != "missed")
                .cmp(&(b.status != "missed"))
                .then(b.late_working_days.cmp(&a.late_working_days))
                .then_with(|| a.org_name.cmp(&b.org_name))
                .then_with(|| a.due.cmp(&b.due))
        });

        let months = report
            .months
            .iter()
            .map(|m| MonthLine {
                month: m.month.clone(),
                label: month_label(&m.month),
                periods_due: m.counts.met + m.counts.met_late + m.counts.missed,
                met: m.counts.met,
                met_late: m.counts.met_late,
                missed: m.counts.missed,
                on_time_rate: m.on_time_rate,
            })
            .collect();

        let mut feedback: Vec<FeedbackLine> = report
            .feedback
            .rounds
            .iter()
            .filter(|f| f.status == "missing" || f.status == "late")
            .map(|f| FeedbackLine {
                status: f.status.clone(),
                status_label: f.status_label.clone(),
                org_name: f.org_name.clone(),
                task_number: f.task_number,
                task_title: f.task_title.clone(),
                label: f.label.clone(),
                due: f.due,
                submitted_on: f.submitted_on,
                late_working_days: f.late_working_days,
                explanation: f.explanation.clone(),
            })
            .collect();
        feedback.sort_by(|a, b| {
            (a.status != "missing")
                .cmp(&(b.status != "missing"))
                .then_with(|| a.due.cmp(&b.due))
                .then_with(|| a.org_name.cmp(&b.org_name))
                .then(a.task_number.cmp(&b.task_number))
        });

        Notice {
            title: official(&format!("关于{}落实情况的通报", report.plan.title)),
            office: official(&options.office),
            doc_number: options.doc_number.clone(),
            issued_on: options.issued_on,
            plan_id: report.plan.id,
            plan_title: report.plan.title.clone(),
            as_of: report.as_of.clone(),
            summary,
            ranking,
            overdue,
            months,
            feedback_counts: report.feedback.counts,
            feedback,
        }
    }

    /// 2017年12月31日: the date the figures are computed for.
    pub fn as_of_label(&self) -> String {
        iso_to_chinese(&self.as_of)
    }

    /// 2026年11月30日: the date under the signature.
    pub fn issued_label(&self) -> String {
        chinese_date(self.issued_on)
    }

    /// A file name without extension: 督查通报-<plan id>-<as of>.
    pub fn file_stem(&self) -> String {
        format!("督查通报-{}-{}", self.plan_id, self.as_of)
    }

    /// The addressees and the opening paragraph.
    pub fn salutation(&self) -> &'static str {
        "各有关单位："
    }

    pub fn opening(&self) -> String {
        official(&format!(
            "为推动《{}》各项任务落到实处，根据各单位在政府网站相应栏目中实际发布的信息，对截至{}的落实情况进行了核查。现将有关情况通报如下：",
            self.plan_title,
            self.as_of_label()
        ))
    }

    /// The units with nothing due yet (no period whose due date has passed): named once in
    /// [`Notice::idle_sentence`], never as rows of zeros.
    pub fn idle_units(&self) -> Vec<&str> {
        self.ranking
            .iter()
            .filter(|r| r.rank.is_none())
            .map(|r| r.org_name.as_str())
            .collect()
    }

    /// 截至2017年12月31日\u{FF0C}市档案局\u{3001}市外事办等2个单位暂无到期任务\u{FF0C}不参与排名\u{3002}
    pub fn idle_sentence(&self) -> Option<String> {
        let idle = self.idle_units();
        let units = match idle.len() {
            0 => return None,
            1 => idle[0].to_string(),
            n => format!("{}等{n}个单位", idle.join("\u{3001}")),
        };
        Some(official(&format!(
            "截至{}\u{FF0C}{units}暂无到期任务\u{FF0C}不参与排名\u{3002}",
            self.as_of_label(),
        )))
    }

    fn summary_paragraphs(&self) -> Vec<String> {
        let s = &self.summary;
        let mut first = format!(
            "截至{}，工作安排共明确公开义务{}项，其中可依据发布信息或系统记录自动核查{}项。自动核查的公开义务已到期{}期次，按时完成{}期次，逾期完成{}期次，未完成{}期次，",
            self.as_of_label(),
            s.obligations,
            s.checked,
            s.periods_due,
            s.met,
            s.met_late,
            s.missed
        );
        match s.on_time_rate {
            Some(_) => first.push_str(&format!("按时公开率为{}。", percent(s.on_time_rate))),
            None => first.push_str("尚无可计算按时公开率的到期期次。"),
        }
        match (s.due_soon, s.not_yet_due) {
            (0, 0) => {}
            (0, n) => first.push_str(&format!("另有{n}期次尚未到期。")),
            (soon, n) => first.push_str(&format!(
                "另有{}期次尚未到期，其中{soon}期次将在3个工作日内到期。",
                soon + n
            )),
        }
        let mut out = vec![first];
        if s.unchecked > 0 {
            out.push(format!(
                "另有{}项公开义务因未指定发布栏目、属于“定期”“及时”类或由申请等事件触发，无法自动核查，由各单位对照工作安排自查，并在反馈落实情况时一并说明。",
                s.unchecked
            ));
        }
        out
    }

    fn ranking_paragraph(&self) -> String {
        let ranked: Vec<&RankRow> = self.ranking.iter().filter(|r| r.rank.is_some()).collect();
        if ranked.is_empty() {
            return "截至核查日期，尚无已到期、可自动核查的公开义务，暂不排名。".into();
        }
        let full: Vec<&str> = ranked
            .iter()
            .filter(|r| r.on_time_rate == Some(1.0))
            .map(|r| r.org_name.as_str())
            .collect();
        let missed: Vec<&str> = ranked
            .iter()
            .filter(|r| r.missed > 0)
            .map(|r| r.org_name.as_str())
            .collect();
        let mut p = format!(
            "参与排名的单位{}个，按按时公开率由高到低排列（按时公开率相同的，未完成期次少的在前）。",
            ranked.len()
        );
        if !full.is_empty() {
            p.push_str(&format!(
                "{}个单位全部按时公开：{}。",
                full.len(),
                full.join("、")
            ));
        }
        if !missed.is_empty() {
            p.push_str(&format!(
                "{}个单位存在未完成期次：{}。",
                missed.len(),
                missed.join("、")
            ));
        }
        p
    }

    fn ranking_table(&self) -> Table {
        Table {
            groups: Vec::new(),
            caption: "各单位按时公开情况".into(),
            header: vec![
                "排名",
                "单位",
                "应公开期次",
                "按时完成",
                "逾期完成",
                "未完成",
                "按时公开率",
            ],
            numeric: vec![true, false, true, true, true, true, true],
            rows: self
                .ranking
                .iter()
                .filter(|r| r.rank.is_some())
                .map(|r| {
                    vec![
                        r.rank.map_or("—".into(), |n| n.to_string()),
                        r.org_name.clone(),
                        r.periods_due.to_string(),
                        r.met.to_string(),
                        r.met_late.to_string(),
                        r.missed.to_string(),
                        percent(r.on_time_rate),
                    ]
                })
                .collect(),
        }
    }

    fn overdue_table(&self, status: &str, caption: &str) -> Option<Table> {
        let rows: Vec<Vec<String>> = self
            .overdue
            .iter()
            .filter(|o| o.status == status)
            .map(|o| {
                vec![
                    o.org_name.clone(),
                    format!("{}. {}", o.task_number, o.task_title),
                    o.period_label.clone(),
                    o.due.to_string(),
                    o.late_working_days.map_or("—".into(), |n| n.to_string()),
                    o.explanation.clone(),
                ]
            })
            .collect();
        (!rows.is_empty()).then(|| Table {
            groups: Vec::new(),
            caption: caption.into(),
            header: vec!["单位", "任务", "期次", "截止日期", "逾期工作日", "情况说明"],
            numeric: vec![false, false, false, false, true, false],
            rows,
        })
    }

    fn feedback_table(&self, status: &str, caption: &str) -> Option<Table> {
        let rows: Vec<Vec<String>> = self
            .feedback
            .iter()
            .filter(|f| f.status == status)
            .map(|f| {
                vec![
                    f.org_name.clone(),
                    format!("{}. {}", f.task_number, f.task_title),
                    f.due.to_string(),
                    f.submitted_on
                        .map_or_else(|| "未提交".into(), |d| d.to_string()),
                    f.late_working_days.map_or("—".into(), |n| n.to_string()),
                    f.explanation.clone(),
                ]
            })
            .collect();
        (!rows.is_empty()).then(|| Table {
            groups: Vec::new(),
            caption: caption.into(),
            header: vec![
                "单位",
                "任务",
                "截止日期",
                "提交日期",
                "逾期工作日",
                "情况说明",
            ],
            numeric: vec![false, false, false, false, true, false],
            rows,
        })
    }

    /// `None` when the plan has no feedback rounds.
    fn feedback_blocks(&self) -> Option<Vec<Block>> {
        let c = &self.feedback_counts;
        if c.rounds == 0 {
            return None;
        }
        let mut out = vec![Block::Paragraph(format!(
            "工作安排要求各单位按节点反馈落实情况。截至{}，共有反馈节点{}个（按单位计），按时反馈{}个，逾期反馈{}个，未反馈{}个，尚未到期{}个。",
            self.as_of_label(),
            c.rounds,
            c.on_time,
            c.late,
            c.missing,
            c.pending
        ))];
        // Every missing round in detail would bury the notice (a unit has one per feedback date);
        // the notice names the units with their counts, the workbook's 反馈情况 has every round.
        let mut units: Vec<(&str, u32, u32)> = Vec::new();
        for f in &self.feedback {
            let i = match units.iter().position(|u| u.0 == f.org_name) {
                Some(i) => i,
                None => {
                    units.push((&f.org_name, 0, 0));
                    units.len() - 1
                }
            };
            if f.status == "missing" {
                units[i].1 += 1;
            } else {
                units[i].2 += 1;
            }
        }
        units.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
        let mut n = 0;
        if !units.is_empty() {
            n += 1;
            out.push(Block::SubHeading(format!(
                "（{}）未按时反馈的单位",
                chinese_number(n)
            )));
            out.push(Block::Paragraph(format!(
                "{}个单位存在未反馈或逾期反馈的节点，各节点的情况见数据表“反馈情况”。",
                units.len()
            )));
            out.push(Block::Table(Table {
                groups: Vec::new(),
                caption: "未按时反馈的单位".into(),
                header: vec!["单位", "未反馈节点", "逾期反馈节点"],
                numeric: vec![false, true, true],
                rows: units
                    .iter()
                    .map(|(name, missing, late)| {
                        vec![name.to_string(), missing.to_string(), late.to_string()]
                    })
                    .collect(),
            }));
        }
        if let Some(t) = self.feedback_table("late", "逾期反馈的节点") {
            n += 1;
            out.push(Block::SubHeading(format!(
                "（{}）逾期反馈",
                chinese_number(n)
            )));
            out.push(Block::Table(t));
        }
        Some(out)
    }

    fn overdue_blocks(&self) -> Vec<Block> {
        let missed = self.overdue_table("missed", "逾期未公开的期次");
        let late = self.overdue_table("met_late", "逾期后才公开的期次");
        if missed.is_none() && late.is_none() {
            return vec![Block::Paragraph(format!(
                "截至{}，未发现逾期未公开或逾期公开的期次。",
                self.as_of_label()
            ))];
        }
        let n_missed = self.overdue.iter().filter(|o| o.status == "missed").count();
        let n_late = self.overdue.len() - n_missed;
        let mut out = vec![Block::SubHeading("（一）逾期未公开".into())];
        match missed {
            Some(t) => {
                out.push(Block::Paragraph(format!(
                    "以下{n_missed}个期次截止日期已过，至今未在相应栏目发布，逾期工作日计算至{}：",
                    self.as_of_label()
                )));
                out.push(Block::Table(t));
            }
            None => out.push(Block::Paragraph("未发现逾期未公开的期次。".into())),
        }
        out.push(Block::SubHeading("（二）逾期公开".into()));
        match late {
            Some(t) => {
                out.push(Block::Paragraph(format!(
                    "以下{n_late}个期次已公开，但晚于截止日期："
                )));
                out.push(Block::Table(t));
            }
            None => out.push(Block::Paragraph("未发现逾期公开的期次。".into())),
        }
        out
    }

    fn month_table(&self) -> Table {
        Table {
            groups: Vec::new(),
            caption: "各月到期期次完成情况".into(),
            header: vec![
                "月份",
                "应公开期次",
                "按时完成",
                "逾期完成",
                "未完成",
                "按时公开率",
            ],
            numeric: vec![false, true, true, true, true, true],
            rows: self
                .months
                .iter()
                .filter(|m| m.periods_due > 0)
                .map(|m| {
                    vec![
                        m.label.clone(),
                        m.periods_due.to_string(),
                        m.met.to_string(),
                        m.met_late.to_string(),
                        m.missed.to_string(),
                        percent(m.on_time_rate),
                    ]
                })
                .collect(),
        }
    }

    fn requirements(&self) -> Vec<String> {
        fn units<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
            let mut out: Vec<&str> = Vec::new();
            for n in names {
                if !out.contains(&n) {
                    out.push(n);
                }
            }
            out
        }
        let missed = units(
            self.overdue
                .iter()
                .filter(|o| o.status == "missed")
                .map(|o| o.org_name.as_str()),
        );
        let no_feedback = units(
            self.feedback
                .iter()
                .filter(|f| f.status == "missing")
                .map(|f| f.org_name.as_str()),
        );
        let mut items: Vec<String> = Vec::new();
        if missed.is_empty() {
            items.push("巩固工作成效。各单位要保持按时公开的良好态势，对即将到期的公开事项提前安排，确保按期发布。".into());
        } else {
            items.push(format!(
                "立即整改。{}要对逾期未公开的期次逐项补充公开，于本通报印发之日起5个工作日内整改到位，并将整改情况书面报送{}。",
                missed.join("、"),
                self.office
            ));
        }
        if !no_feedback.is_empty() {
            items.push(format!(
                "补报落实情况。{}要于本通报印发之日起5个工作日内补报未反馈节点的落实情况。",
                no_feedback.join("、")
            ));
        }
        items.push("举一反三。逾期公开的单位要查找信息发布流程中的薄弱环节，明确责任人和时间节点，杜绝同类问题再次发生。".into());
        items.push("规范发布。各单位要在工作安排指定的栏目中发布相关信息，标题注明所属期次（如“2017年5月”“第三季度”），便于公众查阅和核查。".into());
        items.push("加强督查。政务公开工作主管部门将持续跟踪各项公开义务的落实情况，定期通报，并将通报结果纳入年度政务公开工作考核。".into());
        items
            .into_iter()
            .enumerate()
            .map(|(i, t)| format!("（{}）{t}", chinese_number(i + 1)))
            .collect()
    }

    /// The ranking: a paragraph, the table of ranked units (none with nothing due) and the
    /// sentence naming the units with nothing due.
    fn ranking_blocks(&self) -> Vec<Block> {
        let mut out = vec![Block::Paragraph(self.ranking_paragraph())];
        let table = self.ranking_table();
        if !table.rows.is_empty() {
            out.push(Block::Table(table));
        }
        if let Some(idle) = self.idle_sentence() {
            out.push(Block::Paragraph(idle));
        }
        out
    }

    /// The notice body in order: numbered sections with their blocks, in official punctuation.
    pub fn sections(&self) -> Vec<Section> {
        self.raw_sections()
            .into_iter()
            .map(|s| Section {
                heading: official(&s.heading),
                blocks: s
                    .blocks
                    .into_iter()
                    .map(|b| match b {
                        Block::Paragraph(p) => Block::Paragraph(official(&p)),
                        Block::SubHeading(h) => Block::SubHeading(official(&h)),
                        Block::Table(mut t) => {
                            t.caption = official(&t.caption);
                            for row in &mut t.rows {
                                for cell in row.iter_mut() {
                                    *cell = official(cell);
                                }
                            }
                            Block::Table(t)
                        }
                    })
                    .collect(),
            })
            .collect()
    }

    fn raw_sections(&self) -> Vec<Section> {
        let mut sections: Vec<(&str, Vec<Block>)> = vec![
            (
                "总体情况",
                self.summary_paragraphs()
                    .into_iter()
                    .map(Block::Paragraph)
                    .collect(),
            ),
            ("各单位按时公开情况", self.ranking_blocks()),
            ("逾期情况", self.overdue_blocks()),
        ];
        if let Some(blocks) = self.feedback_blocks() {
            sections.push(("落实情况反馈", blocks));
        }
        let months = self.month_table();
        if !months.rows.is_empty() {
            sections.push((
                "按月情况",
                vec![
                    Block::Paragraph(
                        "各月到期期次的完成情况如下（按期次所属期末月份统计）：".into(),
                    ),
                    Block::Table(months),
                ],
            ));
        }
        sections.push((
            "整改要求",
            self.requirements()
                .into_iter()
                .map(Block::Paragraph)
                .collect(),
        ));
        sections
            .into_iter()
            .enumerate()
            .map(|(i, (name, blocks))| Section {
                heading: format!("{}、{name}", chinese_number(i + 1)),
                blocks,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_dates_and_rates_read_as_chinese() {
        assert_eq!(chinese_number(1), "一");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(percent(Some(0.875)), "87.5%");
        assert_eq!(percent(Some(1.0)), "100%");
        assert_eq!(percent(Some(0.19607)), "19.6%");
        assert_eq!(percent(None), "—");
        assert_eq!(month_label("2017-05"), "2017年5月");
        assert_eq!(
            chinese_date(NaiveDate::from_ymd_opt(2017, 12, 31).unwrap()),
            "2017年12月31日"
        );
    }

    #[test]
    fn ranking_breaks_ties_by_fewer_missed_then_name_and_lists_units_without_due_periods_last() {
        let r = crate::test_report::sample();
        let n = Notice::build(
            &r,
            &NoticeOptions::new(None, crate::test_report::day("2018-01-05")),
        );
        let order: Vec<(Option<u32>, &str)> = n
            .ranking
            .iter()
            .map(|u| (u.rank, u.org_name.as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                (Some(1), "市审计局"),
                (Some(2), "市民政局"),
                (Some(3), "市财政局"),
                (Some(4), "市质监局"),
                (Some(5), "市统计局"),
                (None, "市教育局"),
            ]
        );
        assert_eq!(n.title, "关于盘锦市2017年政务公开工作安排落实情况的通报");
        // Missed first, then late.
        let overdue: Vec<(&str, Option<u32>)> = n
            .overdue
            .iter()
            .map(|o| (o.status.as_str(), o.late_working_days))
            .collect();
        assert_eq!(overdue, vec![("missed", Some(40)), ("met_late", Some(8))]);
        assert_eq!(n.summary.periods_due, 7);

        let sections = n.sections();
        let headings: Vec<&str> = sections.iter().map(|s| s.heading.as_str()).collect();
        assert_eq!(
            headings,
            vec![
                "一、总体情况",
                "二、各单位按时公开情况",
                "三、逾期情况",
                "四、落实情况反馈",
                "五、按月情况",
                "六、整改要求"
            ]
        );
        let Block::Paragraph(summary) = &sections[0].blocks[0] else {
            panic!("the summary is a paragraph")
        };
        assert!(summary.contains("公开义务5项"), "{summary}");
        assert!(
            summary.contains("已到期7期次，按时完成5期次，逾期完成1期次，未完成1期次"),
            "{summary}"
        );
        assert!(summary.contains("按时公开率为71.4%"), "{summary}");
        let Block::Paragraph(req) = &sections[5].blocks[0] else {
            panic!("requirements are paragraphs")
        };
        assert!(
            req.starts_with("（一）立即整改。市统计局要对逾期未公开的期次逐项补充公开"),
            "{req}"
        );
        let Block::Paragraph(req) = &sections[5].blocks[1] else {
            panic!("requirements are paragraphs")
        };
        assert!(req.starts_with("（二）补报落实情况。市审计局要"), "{req}");
        // Feedback: missing first, then late; the on-time round is not listed.
        let fb: Vec<(&str, &str)> = n
            .feedback
            .iter()
            .map(|f| (f.org_name.as_str(), f.status.as_str()))
            .collect();
        assert_eq!(fb, vec![("市审计局", "missing"), ("市统计局", "late")]);
        let subheadings: Vec<&Block> = sections[3]
            .blocks
            .iter()
            .filter(|b| matches!(b, Block::SubHeading(_)))
            .collect();
        assert_eq!(
            subheadings,
            vec![
                &Block::SubHeading("（一）未按时反馈的单位".into()),
                &Block::SubHeading("（二）逾期反馈".into())
            ]
        );
        let Some(Block::Table(by_unit)) = sections[3]
            .blocks
            .iter()
            .find(|b| matches!(b, Block::Table(t) if t.caption == "未按时反馈的单位"))
        else {
            panic!("the table of units behind on feedback")
        };
        assert_eq!(
            by_unit.rows,
            vec![
                vec!["市审计局".to_string(), "1".into(), "0".into()],
                vec!["市统计局".to_string(), "0".into(), "1".into()]
            ]
        );
        // The month with nothing due yet is left out of the month table.
        let Block::Table(months) = &sections[4].blocks[1] else {
            panic!("the month table")
        };
        assert_eq!(months.rows.len(), 1);
        assert_eq!(months.rows[0][0], "2017年8月");
    }

    #[test]
    fn official_punctuation_next_to_chinese_and_ascii_between_ascii() {
        let ascii = |s: &str| s.replace('<', "\u{28}").replace('>', "\u{29}");
        assert_eq!(
            official(&ascii(
                "盘锦市<2017>工作安排\u{2c}市财政局\u{3a}按月\u{3b}是否\u{3f}是\u{21}"
            )),
            "盘锦市\u{FF08}2017\u{FF09}工作安排\u{FF0C}市财政局\u{FF1A}按月\u{FF1B}是否\u{FF1F}是\u{FF01}"
        );
        assert_eq!(official(&ascii("<试行>")), "\u{FF08}试行\u{FF09}");
        assert_eq!(
            official(&ascii("10:30 alert<1> 1,000")),
            ascii("10:30 alert<1> 1,000")
        );
        assert_eq!(official("87.5% 2017-09-28"), "87.5% 2017-09-28");
    }

    #[test]
    fn units_with_nothing_due_are_named_once_not_ranked_as_zeros() {
        let r = crate::test_report::sample();
        let n = Notice::build(
            &r,
            &NoticeOptions::new(None, crate::test_report::day("2018-01-05"))
                .with_doc_number(Some("盘政办发\u{3014}2018\u{3015}1号".into())),
        );
        assert_eq!(
            n.doc_number.as_deref(),
            Some("盘政办发\u{3014}2018\u{3015}1号")
        );
        let ranking = &n.sections()[1];
        let Some(Block::Table(t)) = ranking.blocks.iter().find(|b| matches!(b, Block::Table(_)))
        else {
            panic!("the ranking table")
        };
        assert_eq!(t.rows.len(), 5);
        assert!(t.rows.iter().all(|r| r[1] != "市教育局"));
        assert_eq!(
            ranking.blocks.last(),
            Some(&Block::Paragraph(
                "截至2017年12月31日\u{FF0C}市教育局暂无到期任务\u{FF0C}不参与排名\u{3002}".into()
            ))
        );
    }

    #[test]
    fn the_office_defaults_when_the_plan_names_none() {
        let d = NaiveDate::from_ymd_opt(2017, 12, 31).unwrap();
        assert_eq!(NoticeOptions::new(None, d).office, DEFAULT_OFFICE);
        assert_eq!(NoticeOptions::new(Some("  "), d).office, DEFAULT_OFFICE);
        assert_eq!(
            NoticeOptions::new(Some("盘锦市政府"), d).office,
            "盘锦市政府"
        );
    }
}
