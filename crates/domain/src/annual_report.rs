//! The rest of the annual report (政府信息公开工作年度报告) beside the application tables of
//! [`crate::application::report`]: table 二 (主动公开政府信息情况) in the 2021 format
//! (国办公开办函〔2021〕30号) or the 2019 trial format, and the editable sections 一、五、六.
//!
//! Table 二's 规章 / 行政规范性文件 rows are computed from the organisation's published items that
//! carry a [`LegalForm`]; every other cell (行政许可, 行政处罚, 行政强制 decisions, 行政事业性收费,
//! the 2019 format's project counts and 政府集中采购) comes from other systems and is typed in.
//! A typed value also overrides a computed one (documents published before the system was used
//! carry no legal form); the page shows both.

use crate::Invalid;
use crate::model::{LegalForm, Validity};
use crate::validate::char_len;
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// Which national format the report follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Format {
    /// 国办公开办函〔2021〕30号 (the current format).
    Y2021,
    /// 国办公开办函〔2019〕60号 (the trial format, for reports of 2019 and 2020).
    Y2019,
}

impl Format {
    pub fn from_param(s: &str) -> Format {
        if s.trim() == "2019" {
            Format::Y2019
        } else {
            Format::Y2021
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Format::Y2021 => "2021",
            Format::Y2019 => "2019",
        }
    }
}

/// What a typed cell may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CellKind {
    /// A count, 0 or more.
    Count,
    /// 本年增/减: a signed count.
    Change,
    /// An amount in 万元 with at most four decimals (to the yuan).
    Amount,
}

/// Where a computed cell's figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Computed {
    /// Written (成文) in the year; undated documents count by their publication date.
    Issued(LegalForm),
    /// Published in the year.
    Published(LegalForm),
    /// Repealed or declared expired (已废止 / 已失效) in the year.
    Repealed(LegalForm),
    /// Published by 31 December and neither repealed nor expired by then (已修改 stays in force).
    ValidAtEnd(LegalForm),
    /// Published by 31 December.
    PublishedByEnd(LegalForm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CellSpec {
    /// Form field name and storage key.
    pub key: &'static str,
    pub kind: CellKind,
    pub computed: Option<Computed>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowSpec {
    pub label: &'static str,
    pub cells: Vec<CellSpec>,
}

/// One block of table 二: the 条例 item it reports on, its columns and rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupSpec {
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<RowSpec>,
}

const fn count(key: &'static str) -> CellSpec {
    CellSpec {
        key,
        kind: CellKind::Count,
        computed: None,
    }
}

const fn change(key: &'static str) -> CellSpec {
    CellSpec {
        key,
        kind: CellKind::Change,
        computed: None,
    }
}

const fn amount(key: &'static str) -> CellSpec {
    CellSpec {
        key,
        kind: CellKind::Amount,
        computed: None,
    }
}

const fn computed(key: &'static str, c: Computed) -> CellSpec {
    CellSpec {
        key,
        kind: CellKind::Count,
        computed: Some(c),
    }
}

fn group(title: &'static str, columns: &[&'static str], rows: Vec<RowSpec>) -> GroupSpec {
    GroupSpec {
        title,
        columns: columns.to_vec(),
        rows,
    }
}

fn row(label: &'static str, cells: Vec<CellSpec>) -> RowSpec {
    RowSpec { label, cells }
}

/// A computed column of the group 第二十条第（一）项 with its 规章 key, its 规范性文件 key and its figure.
type FormalColumn = (&'static str, &'static str, fn(LegalForm) -> Computed);

/// The group 第二十条第（一）项 with the rows 规章 and 规范性文件 (`normative_label`), every cell computed.
fn formal_documents_group(
    columns: [&'static str; 3],
    normative_label: &'static str,
    cells: [FormalColumn; 3],
) -> GroupSpec {
    let rule = cells.map(|(key, _, figure)| computed(key, figure(LegalForm::Rule)));
    let normative = cells.map(|(_, key, figure)| computed(key, figure(LegalForm::Normative)));
    group(
        "第二十条第（一）项",
        &columns,
        vec![
            row("规章", rule.to_vec()),
            row(normative_label, normative.to_vec()),
        ],
    )
}

/// The 2019 format's columns of matters counted as projects.
const PROJECT_COLUMNS: [&str; 3] = ["上一年项目数量", "本年增/减", "处理决定数量"];

/// A row under [`PROJECT_COLUMNS`].
fn project_row(
    label: &'static str,
    prev_key: &'static str,
    change_key: &'static str,
    decisions_key: &'static str,
) -> RowSpec {
    row(
        label,
        vec![count(prev_key), change(change_key), count(decisions_key)],
    )
}

/// Table 二's layout in `format`.
pub fn table2_layout(format: Format) -> Vec<GroupSpec> {
    use Computed::*;
    match format {
        Format::Y2021 => vec![
            formal_documents_group(
                ["本年制发件数", "本年废止件数", "现行有效件数"],
                "行政规范性文件",
                [
                    ("rule_issued", "norm_issued", Issued),
                    ("rule_repealed", "norm_repealed", Repealed),
                    ("rule_valid", "norm_valid", ValidAtEnd),
                ],
            ),
            group(
                "第二十条第（五）项",
                &["本年处理决定数量"],
                vec![row("行政许可", vec![count("licensing_decisions")])],
            ),
            group(
                "第二十条第（六）项",
                &["本年处理决定数量"],
                vec![
                    row("行政处罚", vec![count("penalty_decisions")]),
                    row("行政强制", vec![count("enforcement_decisions")]),
                ],
            ),
            group(
                "第二十条第（八）项",
                &["本年收费金额（单位：万元）"],
                vec![row("行政事业性收费", vec![amount("fees_wan")])],
            ),
        ],
        Format::Y2019 => vec![
            formal_documents_group(
                ["本年新制作数量", "本年新公开数量", "对外公开总数量"],
                "规范性文件",
                [
                    ("rule_issued", "norm_issued", Issued),
                    ("rule_published", "norm_published", Published),
                    ("rule_total", "norm_total", PublishedByEnd),
                ],
            ),
            group(
                "第二十条第（五）项",
                &PROJECT_COLUMNS,
                vec![
                    project_row(
                        "行政许可",
                        "licensing_items_prev",
                        "licensing_items_change",
                        "licensing_decisions",
                    ),
                    project_row(
                        "其他对外管理服务事项",
                        "services_items_prev",
                        "services_items_change",
                        "services_decisions",
                    ),
                ],
            ),
            group(
                "第二十条第（六）项",
                &PROJECT_COLUMNS,
                vec![
                    project_row(
                        "行政处罚",
                        "penalty_items_prev",
                        "penalty_items_change",
                        "penalty_decisions",
                    ),
                    project_row(
                        "行政强制",
                        "enforcement_items_prev",
                        "enforcement_items_change",
                        "enforcement_decisions",
                    ),
                ],
            ),
            group(
                "第二十条第（八）项",
                &["上一年项目数量", "本年增/减"],
                vec![row(
                    "行政事业性收费",
                    vec![count("fees_items_prev"), change("fees_items_change")],
                )],
            ),
            group(
                "第二十条第（九）项",
                &["采购项目数量", "采购总金额（单位：万元）"],
                vec![row(
                    "政府集中采购",
                    vec![count("procurement_projects"), amount("procurement_wan")],
                )],
            ),
        ],
    }
}

/// Every cell key of both formats (what may be stored).
pub fn all_keys() -> Vec<&'static str> {
    let mut keys: Vec<&'static str> = [Format::Y2021, Format::Y2019]
        .iter()
        .flat_map(|f| table2_layout(*f))
        .flat_map(|g| g.rows)
        .flat_map(|r| r.cells)
        .map(|c| c.key)
        .collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// A published document with a legal form, as table 二 needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormalDocument {
    pub legal_form: LegalForm,
    pub written_on: Option<NaiveDate>,
    pub published_on: NaiveDate,
    pub validity: Validity,
    pub validity_changed_on: Option<NaiveDate>,
}

impl FormalDocument {
    fn ended_by(&self, day: NaiveDate) -> bool {
        matches!(self.validity, Validity::Repealed | Validity::Expired)
            && self.validity_changed_on.is_none_or(|d| d <= day)
    }
}

/// The figure of a computed cell for `year`.
pub fn compute(c: Computed, year: i32, docs: &[FormalDocument]) -> i64 {
    let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
        return 0;
    };
    let of = |f: LegalForm| docs.iter().filter(move |d| d.legal_form == f);
    let n = match c {
        Computed::Issued(f) => of(f)
            .filter(|d| d.written_on.unwrap_or(d.published_on).year() == year)
            .count(),
        Computed::Published(f) => of(f).filter(|d| d.published_on.year() == year).count(),
        Computed::Repealed(f) => of(f)
            .filter(|d| {
                matches!(d.validity, Validity::Repealed | Validity::Expired)
                    && d.validity_changed_on.is_some_and(|x| x.year() == year)
            })
            .count(),
        Computed::ValidAtEnd(f) => of(f)
            .filter(|d| d.published_on <= end && !d.ended_by(end))
            .count(),
        Computed::PublishedByEnd(f) => of(f).filter(|d| d.published_on <= end).count(),
    };
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Typed table-二 values, by key, as entered (validated text: "12", "-3", "1.2345").
pub type Table2Values = BTreeMap<String, String>;

/// Checks typed cells: known keys only, empty means "not typed" (a computed figure is used, or
/// the cell shows 0). Returns the values to store.
pub fn parse_table2(input: &BTreeMap<String, String>) -> Result<Table2Values, Invalid> {
    let known = all_keys();
    let mut inv = Invalid::default();
    let mut out = Table2Values::new();
    for key in &known {
        let Some(raw) = input.get(*key) else {
            continue;
        };
        let v = raw.trim();
        if v.is_empty() {
            continue;
        }
        let kind = kind_of(key);
        match check_cell(kind, v) {
            Ok(clean) => {
                out.insert((*key).to_string(), clean);
            }
            Err(msg) => inv.push(key, format!("{}：{msg}", cell_label(key))),
        }
    }
    inv.into_result().map(|()| out)
}

fn kind_of(key: &str) -> CellKind {
    [Format::Y2021, Format::Y2019]
        .iter()
        .flat_map(|f| table2_layout(*f))
        .flat_map(|g| g.rows)
        .flat_map(|r| r.cells)
        .find(|c| c.key == key)
        .map(|c| c.kind)
        .unwrap_or(CellKind::Count)
}

/// "行政许可 · 本年处理决定数量": where a key sits, for messages.
pub fn cell_label(key: &str) -> String {
    for f in [Format::Y2021, Format::Y2019] {
        for g in table2_layout(f) {
            for r in &g.rows {
                if let Some(i) = r.cells.iter().position(|c| c.key == key) {
                    return format!("{}·{}", r.label, g.columns.get(i).copied().unwrap_or(""));
                }
            }
        }
    }
    key.to_string()
}

fn check_cell(kind: CellKind, v: &str) -> Result<String, &'static str> {
    const MAX_COUNT: i64 = 100_000_000;
    match kind {
        CellKind::Count => match v.parse::<i64>() {
            Ok(n) if (0..=MAX_COUNT).contains(&n) => Ok(n.to_string()),
            Ok(_) => Err("应为0至1亿之间的整数"),
            Err(_) => Err("应为不带小数的非负整数"),
        },
        CellKind::Change => match v.trim_start_matches('+').parse::<i64>() {
            Ok(n) if n.abs() <= MAX_COUNT => Ok(n.to_string()),
            Ok(_) => Err("增减数过大"),
            Err(_) => Err("应为整数，减少时前加负号，例如 -3"),
        },
        CellKind::Amount => {
            let (int, frac) = v.split_once('.').unwrap_or((v, ""));
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(int) || (!frac.is_empty() && !digits(frac)) || v.ends_with('.') {
                Err("应为金额（万元），例如 12.5")
            } else if frac.len() > 4 {
                Err("金额以万元为单位，最多保留四位小数（精确到元）")
            } else if int.len() > 9 {
                Err("金额过大")
            } else {
                let int = int.trim_start_matches('0');
                let int = if int.is_empty() { "0" } else { int };
                let frac = frac.trim_end_matches('0');
                Ok(if frac.is_empty() {
                    int.to_string()
                } else {
                    format!("{int}.{frac}")
                })
            }
        }
    }
}

/// One cell as shown: the figure used, and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub key: &'static str,
    pub value: String,
    /// The system's own figure, when the cell is computed.
    pub computed: Option<i64>,
    /// The value was typed (overriding `computed` if any).
    pub typed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table2Row {
    pub label: &'static str,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Table2Group {
    pub title: &'static str,
    pub columns: Vec<&'static str>,
    pub rows: Vec<Table2Row>,
}

/// Table 二 filled in: typed values first, else the computed figure, else 0.
pub fn table2(
    format: Format,
    year: i32,
    docs: &[FormalDocument],
    typed: &Table2Values,
) -> Vec<Table2Group> {
    table2_layout(format)
        .into_iter()
        .map(|g| Table2Group {
            title: g.title,
            columns: g.columns,
            rows: g
                .rows
                .into_iter()
                .map(|r| Table2Row {
                    label: r.label,
                    cells: r
                        .cells
                        .iter()
                        .map(|c| {
                            let figure = c.computed.map(|k| compute(k, year, docs));
                            let entered = typed.get(c.key).filter(|v| !v.is_empty());
                            Cell {
                                key: c.key,
                                value: entered
                                    .cloned()
                                    .or_else(|| figure.map(|n| n.to_string()))
                                    .unwrap_or_else(|| "0".into()),
                                computed: figure,
                                typed: entered.is_some(),
                            }
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

/// The report's own text: 一、总体情况, 五、存在的主要问题及改进情况, 六、其他需要报告的事项.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sections {
    pub overview: String,
    pub problems: String,
    pub other: String,
}

pub const SECTION_MAX: usize = 20_000;

impl Sections {
    /// Trims each section, normalises line ends, drops control characters and checks lengths.
    pub fn parse(overview: &str, problems: &str, other: &str) -> Result<Sections, Invalid> {
        let mut inv = Invalid::default();
        let mut one = |field: &'static str, label: &str, v: &str| {
            let clean: String = v
                .replace("\r\n", "\n")
                .replace('\r', "\n")
                .chars()
                .filter(|c| *c == '\n' || *c == '\t' || !c.is_control())
                .collect();
            let clean = clean.trim().to_string();
            if char_len(&clean) > SECTION_MAX {
                inv.push(
                    field,
                    format!(
                        "{label}不能超过{SECTION_MAX}个字（当前{}个字）",
                        char_len(&clean)
                    ),
                );
            }
            clean
        };
        let s = Sections {
            overview: one("overview", "一、总体情况", overview),
            problems: one("problems", "五、存在的主要问题及改进情况", problems),
            other: one("other", "六、其他需要报告的事项", other),
        };
        inv.into_result().map(|()| s)
    }

    /// What is still missing before the report can be published.
    pub fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.overview.is_empty() {
            m.push("一、总体情况");
        }
        if self.problems.is_empty() {
            m.push("五、存在的主要问题及改进情况");
        }
        m
    }
}

/// Paragraphs of a section's text (blank lines and single line breaks both separate).
pub fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// 部门 publish by 31 January, a 人民政府 by 31 March of the next year (条例第四十九条、第五十条).
pub fn publication_due(government: bool, year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year + 1, if government { 3 } else { 1 }, 31)
}

/// Where an organisation's report of a year stands against its statutory date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum PublicationState {
    /// Published by the due date.
    OnTime,
    /// Published after the due date.
    Late,
    /// Not published, the due date not passed.
    Open,
    /// Not published and the due date passed.
    Overdue,
}

impl PublicationState {
    pub fn of(due: NaiveDate, published_on: Option<NaiveDate>, today: NaiveDate) -> Self {
        match published_on {
            Some(d) if d <= due => PublicationState::OnTime,
            Some(_) => PublicationState::Late,
            None if today > due => PublicationState::Overdue,
            None => PublicationState::Open,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PublicationState::OnTime => "按时公布",
            PublicationState::Late => "逾期公布",
            PublicationState::Open => "未公布",
            PublicationState::Overdue => "逾期未公布",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn doc(
        f: LegalForm,
        written: Option<&str>,
        published: &str,
        v: Validity,
        changed: Option<&str>,
    ) -> FormalDocument {
        FormalDocument {
            legal_form: f,
            written_on: written.map(d),
            published_on: d(published),
            validity: v,
            validity_changed_on: changed.map(d),
        }
    }

    fn docs() -> Vec<FormalDocument> {
        use LegalForm::*;
        use Validity::*;
        vec![
            // Written in 2023, published in January 2024: issued 2023, published 2024.
            doc(Normative, Some("2023-12-28"), "2024-01-05", Valid, None),
            doc(Normative, Some("2024-03-01"), "2024-03-05", Valid, None),
            // Amended in 2024: still in force.
            doc(
                Normative,
                Some("2020-05-01"),
                "2020-05-06",
                Amended,
                Some("2024-06-01"),
            ),
            // Repealed in 2024.
            doc(
                Normative,
                Some("2019-01-01"),
                "2019-01-02",
                Repealed,
                Some("2024-09-30"),
            ),
            // Declared expired in 2025: still valid at the end of 2024.
            doc(
                Normative,
                Some("2021-01-01"),
                "2021-01-02",
                Expired,
                Some("2025-01-15"),
            ),
            // Undated rule, published in 2024.
            doc(Rule, None, "2024-07-01", Valid, None),
            // Published in 2025: nothing for 2024.
            doc(Rule, Some("2024-12-30"), "2025-01-03", Valid, None),
        ]
    }

    #[test]
    fn computed_figures_of_a_known_year() {
        use Computed::*;
        use LegalForm::*;
        let ds = docs();
        assert_eq!(compute(Issued(Normative), 2024, &ds), 1);
        assert_eq!(compute(Published(Normative), 2024, &ds), 2);
        assert_eq!(compute(Repealed(Normative), 2024, &ds), 1);
        // 2024-01-05, 2024-03-05, the amended one and the one expired only in 2025.
        assert_eq!(compute(ValidAtEnd(Normative), 2024, &ds), 4);
        assert_eq!(compute(PublishedByEnd(Normative), 2024, &ds), 5);
        // The rule written on 2024-12-30 counts as issued in 2024 although published in 2025.
        assert_eq!(compute(Issued(Rule), 2024, &ds), 2);
        assert_eq!(compute(ValidAtEnd(Rule), 2024, &ds), 1);
        assert_eq!(compute(Issued(Normative), 2023, &ds), 1);
        assert_eq!(compute(ValidAtEnd(Normative), 2023, &ds), 3);
    }

    #[test]
    fn typed_values_override_computed_ones_and_the_rest_is_zero() {
        let mut typed = Table2Values::new();
        typed.insert("norm_valid".into(), "40".into());
        typed.insert("licensing_decisions".into(), "1234".into());
        let t = table2(Format::Y2021, 2024, &docs(), &typed);
        let cell = |k: &str| {
            t.iter()
                .flat_map(|g| &g.rows)
                .flat_map(|r| &r.cells)
                .find(|c| c.key == k)
                .unwrap()
                .clone()
        };
        assert_eq!(cell("norm_valid").value, "40");
        assert_eq!(cell("norm_valid").computed, Some(4));
        assert!(cell("norm_valid").typed);
        assert_eq!(cell("norm_issued").value, "1");
        assert_eq!(cell("licensing_decisions").value, "1234");
        assert_eq!(cell("fees_wan").value, "0");
        assert_eq!(t.len(), 4);
        assert_eq!(table2(Format::Y2019, 2019, &[], &typed).len(), 5);
    }

    #[test]
    fn typed_cells_are_checked_with_messages_in_chinese() {
        let mut input = BTreeMap::new();
        input.insert("licensing_decisions".to_string(), " 12 ".to_string());
        input.insert("fees_wan".to_string(), "012.5000".to_string());
        input.insert("licensing_items_change".to_string(), "-3".to_string());
        input.insert("unknown".to_string(), "x".to_string());
        input.insert("norm_valid".to_string(), String::new());
        let ok = parse_table2(&input).unwrap();
        assert_eq!(ok.get("licensing_decisions").unwrap(), "12");
        assert_eq!(ok.get("fees_wan").unwrap(), "12.5");
        assert_eq!(ok.get("licensing_items_change").unwrap(), "-3");
        assert!(!ok.contains_key("unknown") && !ok.contains_key("norm_valid"));

        for (key, bad, msg) in [
            ("penalty_decisions", "-1", "0至1亿"),
            ("penalty_decisions", "1.5", "非负整数"),
            ("penalty_decisions", "１２", "非负整数"),
            ("fees_wan", "1.23456", "四位小数"),
            ("fees_wan", "abc", "金额"),
            ("fees_wan", "1.", "金额"),
            ("fees_wan", "-2", "金额"),
            ("licensing_items_change", "x", "负号"),
        ] {
            let mut input = BTreeMap::new();
            input.insert(key.to_string(), bad.to_string());
            let e = parse_table2(&input).unwrap_err();
            let m = e.message_for(key).unwrap();
            assert!(m.contains(msg), "{key}={bad}: {m}");
        }
        assert_eq!(
            cell_label("fees_wan"),
            "行政事业性收费·本年收费金额（单位：万元）"
        );
    }

    #[test]
    fn sections_are_cleaned_and_bounded() {
        let s = Sections::parse(" 第一段\r\n\r\n第二段\u{0007} ", "", "其他").unwrap();
        assert_eq!(s.overview, "第一段\n\n第二段");
        assert_eq!(paragraphs(&s.overview), vec!["第一段", "第二段"]);
        assert_eq!(s.missing(), vec!["五、存在的主要问题及改进情况"]);
        let e = Sections::parse(&"字".repeat(SECTION_MAX + 1), "", "").unwrap_err();
        assert!(e.message_for("overview").unwrap().contains("不能超过"));
    }

    #[test]
    fn publication_dates() {
        assert_eq!(publication_due(true, 2024), Some(d("2025-03-31")));
        assert_eq!(publication_due(false, 2024), Some(d("2025-01-31")));
        let due = d("2025-01-31");
        use PublicationState::*;
        assert_eq!(
            PublicationState::of(due, Some(due), d("2025-06-01")),
            OnTime
        );
        assert_eq!(
            PublicationState::of(due, Some(d("2025-02-01")), d("2025-06-01")),
            Late
        );
        assert_eq!(PublicationState::of(due, None, due), Open);
        assert_eq!(PublicationState::of(due, None, d("2025-02-01")), Overdue);
    }
}
