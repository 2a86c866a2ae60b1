//! An organisation list from a spreadsheet or CSV file, checked row by row before anything is
//! written. Columns are found by their header: 机构名称 is required; 上级机构、类型、别名
//! （several separated by 、 or ；）、统一社会信用代码 and 机构代码 are optional. Every problem
//! names its row, and one bad row refuses the whole list.

use crate::credit_code;
use crate::model::OrgKind;
use crate::validate::{Invalid, char_len};
use std::collections::{HashMap, HashSet};

/// The most organisations one list may hold.
pub const MAX_ROWS: usize = 2000;
/// The most row problems listed; the rest are counted.
const MAX_ERRORS: usize = 30;

/// The header of the template file, in order.
pub const TEMPLATE_HEADER: [&str; 5] = ["机构名称", "上级机构", "类型", "别名", "统一社会信用代码"];

/// One organisation of the list, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRow {
    /// The row number in the file (the header is row 1 when it is the first line).
    pub line: usize,
    pub name: String,
    /// The parent's name: another row of the list or an existing organisation.
    pub parent: Option<String>,
    pub kind: OrgKind,
    pub aliases: Vec<String>,
    pub credit_code: Option<String>,
    pub code: Option<String>,
}

/// What the database already holds, so the list neither repeats nor misses it.
#[derive(Debug, Clone, Default)]
pub struct Existing {
    /// Names and aliases of existing organisations.
    pub names: HashSet<String>,
    pub codes: HashSet<String>,
    pub credit_codes: HashSet<String>,
}

#[derive(Clone, Copy)]
enum Col {
    Name,
    Parent,
    Kind,
    Aliases,
    Credit,
    Code,
}

fn column_of(header: &str) -> Option<Col> {
    let h: String = header.chars().filter(|c| !c.is_whitespace()).collect();
    let h = h.trim_start_matches('*');
    Some(match h {
        "机构名称" | "名称" | "单位名称" | "机构" => Col::Name,
        "上级机构" | "上级" | "上级单位" | "上级机构名称" => Col::Parent,
        "类型" | "机构类型" | "单位类型" => Col::Kind,
        "别名" | "简称" | "别名简称" => Col::Aliases,
        "统一社会信用代码" | "信用代码" => Col::Credit,
        "机构代码" | "代码" | "编码" | "机构编码" => Col::Code,
        _ => return None,
    })
}

/// The kind a 类型 cell names: the label or code of an [`OrgKind`], or a common synonym; an
/// empty cell is a 人民政府 at the top and a 政府工作部门 below it.
fn kind_of(cell: &str, has_parent: bool) -> Option<OrgKind> {
    let c = cell.trim();
    if c.is_empty() {
        return Some(if has_parent {
            OrgKind::Department
        } else {
            OrgKind::Government
        });
    }
    if let Some(k) = OrgKind::ALL
        .iter()
        .find(|k| k.label() == c || k.code() == c)
    {
        return Some(*k);
    }
    Some(match c {
        "政府" | "本级政府" => OrgKind::Government,
        "办公室" | "办公厅" | "政府办" => OrgKind::GeneralOffice,
        "部门" | "工作部门" | "政府部门" | "直属机构" | "直属特设机构" => {
            OrgKind::Department
        }
        "下级政府" | "区县政府" | "县政府" | "区政府" | "乡镇政府" | "乡镇" | "街道" => {
            OrgKind::CountyGovernment
        }
        "垂直管理" | "垂管单位" | "垂直管理部门" => OrgKind::Vertical,
        "集合" | "单位集合" => OrgKind::Collective,
        "其他" => OrgKind::Other,
        _ => return None,
    })
}

/// Splits an 别名 cell on 、 ； ; ， , and line breaks.
pub fn split_aliases(cell: &str) -> Vec<String> {
    cell.split(['\u{3001}', '\u{FF1B}', ';', '\u{FF0C}', ',', '\n', '/'])
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect()
}

struct Errors {
    inv: Invalid,
    more: usize,
}

impl Errors {
    fn push(&mut self, line: usize, msg: impl std::fmt::Display) {
        if self.inv.errors.len() < MAX_ERRORS {
            self.inv.push("file", format!("第{line}行\u{FF1A}{msg}"));
        } else {
            self.more += 1;
        }
    }
}

/// The trimmed cell of the row under the column `want`, empty when the list has no such column.
fn cell_of<'a>(cols: &[(usize, Col)], row: &'a [String], want: Col) -> &'a str {
    cols.iter()
        .find(|(_, c)| *c as u8 == want as u8)
        .and_then(|(i, _)| row.get(*i))
        .map_or("", |s| s.trim())
}

/// Checks every row. On success the rows come parents first (a parent may be listed after its
/// children in the file). A header row is required; empty rows are skipped.
pub fn parse(rows: &[Vec<String>], existing: &Existing) -> Result<Vec<OrgRow>, Invalid> {
    let Some(header_at) = rows
        .iter()
        .position(|r| r.iter().any(|c| matches!(column_of(c), Some(Col::Name))))
    else {
        return Err(Invalid::one(
            "file",
            "文件中没有找到表头\u{FF1A}第一行应包含“机构名称”列\u{FF08}可下载模板对照\u{FF09}",
        ));
    };
    let mut cols: Vec<(usize, Col)> = Vec::new();
    let mut seen_cols = HashSet::new();
    for (i, c) in rows[header_at].iter().enumerate() {
        if let Some(col) = column_of(c)
            && seen_cols.insert(col as u8)
        {
            cols.push((i, col));
        }
    }
    let data: Vec<(usize, &Vec<String>)> = rows
        .iter()
        .enumerate()
        .skip(header_at + 1)
        .filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()))
        .map(|(i, r)| (i + 1, r))
        .collect();
    if data.is_empty() {
        return Err(Invalid::one(
            "file",
            "文件中没有机构\u{FF1A}表头下面至少要有一行",
        ));
    }
    if data.len() > MAX_ROWS {
        return Err(Invalid::one(
            "file",
            format!(
                "一次最多导入{MAX_ROWS}个机构\u{FF08}文件中有{}个\u{FF09}",
                data.len()
            ),
        ));
    }
    let mut errs = Errors {
        inv: Invalid::default(),
        more: 0,
    };
    let mut out: Vec<OrgRow> = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut codes: HashMap<String, usize> = HashMap::new();
    let mut credits: HashMap<String, usize> = HashMap::new();
    for (line, r) in &data {
        let line = *line;
        let cell = |want: Col| cell_of(&cols, r, want);
        let name = cell(Col::Name).to_string();
        if name.is_empty() {
            errs.push(line, "机构名称为空");
            continue;
        }
        if char_len(&name) > 60 {
            errs.push(line, format!("机构名称“{name}”超过60个字"));
        }
        if let Some(first) = names.get(&name) {
            errs.push(line, format!("机构“{name}”与第{first}行重复"));
        } else if existing.names.contains(&name) {
            errs.push(
                line,
                format!("机构“{name}”已存在\u{FF08}或是已有机构的别名\u{FF09}"),
            );
        }
        names.entry(name.clone()).or_insert(line);
        let parent = Some(cell(Col::Parent).to_string()).filter(|p| !p.is_empty());
        if parent.as_deref() == Some(name.as_str()) {
            errs.push(line, "上级机构不能是机构自己");
        }
        let kind = match kind_of(cell(Col::Kind), parent.is_some()) {
            Some(k) => k,
            None => {
                errs.push(
                    line,
                    format!(
                        "类型“{}”无法识别\u{FF0C}可填\u{FF1A}{}",
                        cell(Col::Kind),
                        OrgKind::ALL
                            .iter()
                            .map(|k| k.label())
                            .collect::<Vec<_>>()
                            .join("\u{3001}")
                    ),
                );
                OrgKind::Other
            }
        };
        let aliases = split_aliases(cell(Col::Aliases));
        for a in &aliases {
            if char_len(a) > 60 {
                errs.push(line, format!("别名“{a}”超过60个字"));
            }
            if *a == name {
                errs.push(line, format!("别名“{a}”与机构名称相同"));
            } else if existing.names.contains(a) {
                errs.push(line, format!("别名“{a}”已是已有机构的名称或别名"));
            }
        }
        let credit = cell(Col::Credit).to_ascii_uppercase();
        let credit_code = if credit.is_empty() {
            None
        } else {
            if !credit_code::is_valid(&credit) {
                errs.push(
                    line,
                    format!("统一社会信用代码“{credit}”无效\u{FF08}应为18位且校验位正确\u{FF09}"),
                );
            } else if let Some(first) = credits.get(&credit) {
                errs.push(line, format!("统一社会信用代码“{credit}”与第{first}行重复"));
            } else if existing.credit_codes.contains(&credit) {
                errs.push(line, format!("统一社会信用代码“{credit}”已属于已有机构"));
            }
            credits.entry(credit.clone()).or_insert(line);
            Some(credit)
        };
        let code = cell(Col::Code).to_string();
        let code = if code.is_empty() {
            None
        } else {
            if code.len() > 32 || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                errs.push(
                    line,
                    format!("机构代码“{code}”须为1至32位英文字母、数字或连字符"),
                );
            } else if let Some(first) = codes.get(&code) {
                errs.push(line, format!("机构代码“{code}”与第{first}行重复"));
            } else if existing.codes.contains(&code) {
                errs.push(line, format!("机构代码“{code}”已属于已有机构"));
            }
            codes.entry(code.clone()).or_insert(line);
            Some(code)
        };
        out.push(OrgRow {
            line,
            name,
            parent,
            kind,
            aliases,
            credit_code,
            code,
        });
    }
    // An alias may not repeat a name of the list, nor another row's alias.
    let mut alias_rows: HashMap<&str, usize> = HashMap::new();
    for row in &out {
        for a in &row.aliases {
            if let Some(l) = names.get(a).filter(|l| **l != row.line) {
                errs.push(row.line, format!("别名“{a}”是第{l}行机构的名称"));
            } else if let Some(l) = alias_rows.get(a.as_str()).filter(|l| **l != row.line) {
                errs.push(row.line, format!("别名“{a}”与第{l}行的别名重复"));
            }
            alias_rows.entry(a.as_str()).or_insert(row.line);
        }
    }
    for row in &out {
        if let Some(p) = &row.parent
            && !names.contains_key(p)
            && !existing.names.contains(p)
        {
            errs.push(
                row.line,
                format!("上级机构“{p}”既不在名单中\u{FF0C}也不是已有机构"),
            );
        }
    }
    if errs.inv.is_empty() {
        return tree_order(out).map_err(|line| {
            Invalid::one(
                "file",
                format!("第{line}行\u{FF1A}上级机构形成循环\u{FF08}机构不能是自己的下级\u{FF09}"),
            )
        });
    }
    if errs.more > 0 {
        let more = errs.more;
        errs.inv.push("file", format!("另有{more}处问题未列出"));
    }
    Err(errs.inv)
}

/// Parents before children. A cycle gives the row number of one of its members.
fn tree_order(rows: Vec<OrgRow>) -> Result<Vec<OrgRow>, usize> {
    let in_list: HashSet<String> = rows.iter().map(|r| r.name.clone()).collect();
    let mut placed: HashSet<String> = HashSet::new();
    let mut pending = rows;
    let mut out = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let before = pending.len();
        let (ready, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|r| {
            r.parent
                .as_ref()
                .is_none_or(|p| !in_list.contains(p) || placed.contains(p))
        });
        for r in &ready {
            placed.insert(r.name.clone());
        }
        out.extend(ready);
        if rest.len() == before {
            return Err(rest.iter().map(|r| r.line).min().unwrap_or(0));
        }
        pending = rest;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&[&str]]) -> Vec<Vec<String>> {
        lines
            .iter()
            .map(|l| l.iter().map(|c| c.to_string()).collect())
            .collect()
    }

    const HEADER: &[&str] = &["机构名称", "上级机构", "类型", "别名", "统一社会信用代码"];

    #[test]
    fn a_list_in_any_order_comes_out_parents_first() {
        let r = rows(&[
            HEADER,
            &[
                "示例县教育局",
                "示例县人民政府",
                "",
                "县教育局\u{3001}教育局",
                "",
            ],
            &[
                "示例县人民政府",
                "",
                "人民政府",
                "示例县政府\u{FF1B}县政府",
                "",
            ],
            &["示例县政府办公室", "示例县人民政府", "政府办公室", "", ""],
        ]);
        let out = parse(&r, &Existing::default()).unwrap();
        assert_eq!(out[0].name, "示例县人民政府");
        assert_eq!(out[0].aliases, vec!["示例县政府", "县政府"]);
        assert_eq!(out[0].kind, OrgKind::Government);
        assert_eq!(out[1].kind, OrgKind::Department);
        assert_eq!(out[1].line, 2);
        assert_eq!(out[2].kind, OrgKind::GeneralOffice);
    }

    #[test]
    fn every_bad_row_is_named() {
        let existing = Existing {
            names: ["已有局".to_string()].into(),
            ..Default::default()
        };
        let r = rows(&[
            HEADER,
            &["甲局", "", "", "", ""],
            &["甲局", "", "", "", ""],
            &["乙局", "不存在的上级", "", "", ""],
            &["丙局", "", "奇怪类型", "", ""],
            &["丁局", "", "", "", "123"],
            &["已有局", "", "", "", ""],
            &["", "甲局", "", "", ""],
            &["戊局", "", "", "甲局", ""],
        ]);
        let e = parse(&r, &existing).unwrap_err();
        let text = e.summary();
        for want in [
            "第3行\u{FF1A}机构“甲局”与第2行重复",
            "第4行\u{FF1A}上级机构“不存在的上级”",
            "第5行\u{FF1A}类型“奇怪类型”无法识别",
            "第6行\u{FF1A}统一社会信用代码“123”无效",
            "第7行\u{FF1A}机构“已有局”已存在",
            "第8行\u{FF1A}机构名称为空",
            "第9行\u{FF1A}别名“甲局”是第2行机构的名称",
        ] {
            assert!(text.contains(want), "{want} in {text}");
        }
    }

    #[test]
    fn cycles_and_missing_headers_are_refused() {
        let r = rows(&[HEADER, &["甲", "乙", "", "", ""], &["乙", "甲", "", "", ""]]);
        assert!(
            parse(&r, &Existing::default())
                .unwrap_err()
                .summary()
                .contains("循环")
        );
        let r = rows(&[&["名字", "上级"], &["甲", ""]]);
        assert!(
            parse(&r, &Existing::default())
                .unwrap_err()
                .summary()
                .contains("表头")
        );
        let r = rows(&[HEADER]);
        assert!(parse(&r, &Existing::default()).is_err());
    }

    #[test]
    fn a_parent_may_be_an_existing_organisation() {
        let existing = Existing {
            names: ["某市人民政府".to_string()].into(),
            ..Default::default()
        };
        let r = rows(&[&["机构名称", "上级机构"], &["某市审计局", "某市人民政府"]]);
        let out = parse(&r, &existing).unwrap();
        assert_eq!(out[0].parent.as_deref(), Some("某市人民政府"));
    }
}
