//! Task tables flattened to text (任务分工表): a header row naming columns such as 序号 / 工作任务 /
//! 具体要求 / 牵头单位 / 配合单位 / 责任单位 / 完成时限, then one row per task. Three layouts:
//!
//! - cells separated by `|` (also what .docx and HTML tables are turned into, see [`super::input`]);
//! - cells separated by tabs;
//! - one cell per line: the header names on consecutive lines, then each row starting with its 序号
//!   on a line of its own.
//!
//! Each row is a task with one duty: the duty's text is 具体要求 (else 工作任务), its clause is built
//! from the unit and deadline columns (`牵头单位:…;完成时限:…`). A row without 序号 and 工作任务 adds a
//! duty to the task above; a row with a single cell or a heading line (`一、…`) is a section; a
//! 类别 / 分类 column is a section too.

use super::segment::heading;
use super::text::parse_number;
use super::units::{self, Role, Roles};
use super::{Task, build_duty, cadence, dates};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Number,
    Category,
    Task,
    Requirement,
    Unit(Role),
    Deadline,
    Other,
}

/// The kind of a header cell, if it is one.
pub fn column_kind(cell: &str) -> Option<Col> {
    let c: String = cell.chars().filter(|c| !c.is_whitespace()).collect();
    let c = c.as_str();
    Some(match c {
        "序号" | "编号" | "序" | "号" => Col::Number,
        "类别" | "分类" | "项目" | "领域" | "重点领域" | "工作类别" | "板块" | "任务类别"
        | "类型" | "一级指标" | "工作板块" => Col::Category,
        "工作任务" | "主要任务" | "重点任务" | "任务" | "工作内容" | "具体任务" | "工作事项"
        | "事项" | "任务名称" | "公开事项" | "重点工作" | "工作项目" | "二级指标" | "任务事项"
        | "主要工作" | "工作重点" => Col::Task,
        "具体要求" | "工作要求" | "工作措施" | "具体措施" | "主要内容" | "任务内容" | "内容"
        | "具体内容" | "工作目标" | "要求" | "具体工作" | "措施" | "目标任务" | "任务要求"
        | "公开要求" | "公开标准" | "公开内容" | "主要措施" | "工作举措" | "三级指标" => {
            Col::Requirement
        }
        "牵头单位" | "牵头部门" | "牵头科室" | "牵头处室" | "主办单位" | "主责单位"
        | "主责部门" => Col::Unit(Role::Lead),
        "配合单位" | "配合部门" | "协办单位" | "参与单位" | "配合科室" | "协助单位" => {
            Col::Unit(Role::Co)
        }
        "责任单位"
        | "责任部门"
        | "责任科室"
        | "责任处室"
        | "责任主体"
        | "落实单位"
        | "承办单位"
        | "实施主体"
        | "公开主体"
        | "责任单位(部门)" => Col::Unit(Role::Responsible),
        "完成时限" | "完成时间" | "时间要求" | "时限要求" | "时间节点" | "时间安排"
        | "进度安排" | "完成期限" | "时限" | "时间" | "公开时限" | "更新频率" | "发布时限"
        | "办结时限" | "完成时间节点" => Col::Deadline,
        "备注" | "公开方式" | "公开渠道" | "公开载体" | "公开平台" | "责任领导" | "分管领导" => {
            Col::Other
        }
        _ => return fuzzy_column(c),
    })
}

/// Header cells written with extra words (`责任单位(部门)`, `完成时间节点`, `牵头责任单位`).
fn fuzzy_column(c: &str) -> Option<Col> {
    let n = c.chars().count();
    if !(2..=10).contains(&n) || c.contains(['。', ',', ';']) {
        return None;
    }
    let has = |w: &[&str]| w.iter().any(|x| c.contains(x));
    Some(if has(&["序号"]) {
        Col::Number
    } else if has(&["牵头"]) {
        Col::Unit(Role::Lead)
    } else if has(&["配合", "协办", "协助"]) {
        Col::Unit(Role::Co)
    } else if has(&["责任", "落实单位", "承办", "主体"])
        && has(&["单位", "部门", "科室", "处室", "主体"])
    {
        Col::Unit(Role::Responsible)
    } else if has(&["时限", "时间", "期限", "节点"]) {
        Col::Deadline
    } else if has(&["要求", "措施", "内容"]) {
        Col::Requirement
    } else if has(&["任务", "事项"]) {
        Col::Task
    } else {
        return None;
    })
}

/// Whether cells form a task-table header: at least two known columns, one of them a unit column
/// (or 序号 with a task column).
pub fn is_header(cells: &[String]) -> bool {
    let kinds: Vec<Col> = cells.iter().filter_map(|c| column_kind(c)).collect();
    let has_unit = kinds.iter().any(|k| matches!(k, Col::Unit(_)));
    let has_task = kinds
        .iter()
        .any(|k| matches!(k, Col::Task | Col::Requirement));
    kinds.len() >= 2 && (has_unit || (kinds.contains(&Col::Number) && has_task))
}

fn cells_of(line: &str) -> Option<Vec<String>> {
    let sep = if line.contains('|') {
        '|'
    } else if line.contains('\t') {
        '\t'
    } else {
        return None;
    };
    let t = line.trim().trim_matches('|');
    let cells: Vec<String> = t.split(sep).map(|c| c.trim().to_owned()).collect();
    // markdown separator row
    if cells
        .iter()
        .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
    {
        return Some(Vec::new());
    }
    Some(cells)
}

struct Builder {
    year: Option<i32>,
    tasks: Vec<Task>,
    sections: Vec<String>,
    category: Option<String>,
}

impl Builder {
    fn section(&mut self, line: &str) {
        let level = heading(line).map_or(1, |h| h.level);
        self.sections
            .truncate((level as usize).saturating_sub(1).min(self.sections.len()));
        self.sections.push(line.to_owned());
        self.category = None;
    }

    fn row(&mut self, cols: &[Col], header: &[String], cells: &[String]) {
        let get = |k: Col| -> String {
            cols.iter()
                .zip(cells)
                .filter(|(c, _)| **c == k)
                .map(|(_, v)| v.trim())
                .filter(|v| !v.is_empty())
                .collect::<Vec<_>>()
                .join(";")
        };
        let nonempty = cells.iter().filter(|c| !c.trim().is_empty()).count();
        if nonempty == 0 {
            return;
        }
        if nonempty == 1 && cells.len() > 2 {
            let only = cells.iter().find(|c| !c.trim().is_empty()).cloned();
            if let Some(only) = only {
                // a merged category row, or a heading
                if heading(&only).is_some() || only.chars().count() <= 40 {
                    self.section(&only);
                    return;
                }
            }
        }
        let number_cell = get(Col::Number);
        let category = get(Col::Category);
        if !category.is_empty() {
            self.category = Some(category);
        }
        let task_cell = get(Col::Task);
        let req = get(Col::Requirement);
        let text = if req.is_empty() {
            task_cell.clone()
        } else {
            req.clone()
        };
        let (text, inner_clause) = match super::clause::split_duties(&text).as_slice() {
            [(t, c)] => (t.clone(), c.clone()),
            _ => (text, None),
        };
        let mut clause_parts = Vec::new();
        let mut roles = Roles::default();
        let mut deadlines = Vec::new();
        let mut cadences = Vec::new();
        for ((c, h), v) in cols.iter().zip(header).zip(cells) {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            match c {
                Col::Unit(role) => {
                    clause_parts.push(format!("{h}:{v}"));
                    let r = units::roles_of_value(v, *role);
                    for u in r.lead {
                        roles.push(Role::Lead, u);
                    }
                    for u in r.co {
                        roles.push(Role::Co, u);
                    }
                    for u in r.responsible {
                        roles.push(Role::Responsible, u);
                    }
                }
                Col::Deadline => {
                    clause_parts.push(format!("{h}:{v}"));
                    deadlines.extend(dates::deadline_value(v, self.year));
                    cadences.extend(cadence::cadences(v));
                }
                _ => {}
            }
        }
        let clause = match (clause_parts.is_empty(), inner_clause) {
            (true, c) => c,
            (false, Some(c)) => Some(format!("{c};{}", clause_parts.join(";"))),
            (false, None) => Some(clause_parts.join(";")),
        };
        let mut duty = build_duty(text, clause.clone(), self.year);
        // unit columns are authoritative; inner clauses add to them
        let inner = clause
            .as_deref()
            .map(|_| (duty.lead.clone(), duty.co.clone(), duty.responsible.clone()));
        duty.lead = roles.lead;
        duty.co = roles.co;
        duty.responsible = roles.responsible;
        if let Some((l, c, r)) = inner {
            for u in l {
                if !duty.lead.contains(&u) {
                    duty.lead.push(u);
                }
            }
            for u in c {
                if !duty.co.contains(&u) && !duty.lead.contains(&u) {
                    duty.co.push(u);
                }
            }
            for u in r {
                if !duty.responsible.contains(&u)
                    && !duty.lead.contains(&u)
                    && !duty.co.contains(&u)
                {
                    duty.responsible.push(u);
                }
            }
        }
        for d in deadlines {
            if !duty.deadlines.iter().any(|x| x.text == d.text) {
                duty.deadlines.push(d);
            }
        }
        for c in cadences {
            if !duty.cadences.iter().any(|x| x.norm == c.norm) {
                duty.cadences.push(c);
            }
        }
        if number_cell.is_empty()
            && task_cell.is_empty()
            && let Some(t) = self.tasks.last_mut()
        {
            t.duties.push(duty);
            return;
        }
        let number = parse_number(number_cell.trim_matches(['.', '、', '(', ')', ' ']))
            .unwrap_or(self.tasks.len() as u32 + 1);
        let title = if !task_cell.is_empty() {
            task_cell
        } else if number_cell.is_empty() {
            self.tasks
                .last()
                .map(|t| t.title.clone())
                .unwrap_or_default()
        } else {
            duty.text
                .split(['。', ';', ','])
                .next()
                .unwrap_or_default()
                .to_owned()
        };
        let mut path = self.sections.clone();
        if let Some(c) = &self.category {
            path.push(c.clone());
        }
        self.tasks.push(Task {
            number,
            title: title.trim_end_matches('。').to_owned(),
            section_path: path,
            duties: vec![duty],
        });
    }
}

fn header_cols(header: &[String]) -> Vec<Col> {
    header
        .iter()
        .map(|h| column_kind(h).unwrap_or(Col::Other))
        .collect()
}

/// Tasks of the task tables in the document (empty when it has none).
pub fn parse_tables(lines: &[String], year: Option<i32>) -> Vec<Task> {
    let mut b = Builder {
        year,
        tasks: Vec::new(),
        sections: Vec::new(),
        category: None,
    };
    let mut i = 0;
    while i < lines.len() {
        // separated cells
        if let Some(h) = cells_of(&lines[i]).filter(|c| is_header(c)) {
            let cols = header_cols(&h);
            b.sections.clear();
            i += 1;
            while i < lines.len() {
                match cells_of(&lines[i]) {
                    Some(cells) if is_header(&cells) => break,
                    Some(cells) => {
                        let mut cells = cells;
                        cells.resize(cols.len().max(cells.len()), String::new());
                        b.row(&cols, &h, &cells);
                    }
                    None => {
                        if heading(&lines[i]).is_some() && lines[i].chars().count() <= 40 {
                            b.section(&lines[i]);
                        }
                    }
                }
                i += 1;
            }
            continue;
        }
        // one cell per line
        let run = lines[i..]
            .iter()
            .take_while(|l| !l.contains(['|', '\t']) && column_kind(l).is_some())
            .count();
        if run >= 3 && is_header(&lines[i..i + run]) {
            let h: Vec<String> = lines[i..i + run].to_vec();
            let cols = header_cols(&h);
            b.sections.clear();
            i += run;
            let end = lines[i..]
                .iter()
                .position(|l| column_kind(l).is_some() && !l.chars().all(|c| c.is_ascii_digit()))
                .map_or(lines.len(), |p| i + p);
            one_cell_per_line(&mut b, &cols, &h, &lines[i..end]);
            i = end;
            continue;
        }
        i += 1;
    }
    b.tasks
}

fn is_number_line(l: &str) -> bool {
    let t = l.trim_end_matches(['.', '、']);
    !t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_digit())
}

fn looks_like_deadline(l: &str) -> bool {
    let n = l.chars().count();
    n <= 30
        && (l.contains("前")
            || l.contains("底")
            || l.contains("长期")
            || l.contains("持续")
            || l.contains("常态")
            || l.contains("全年")
            || l.contains("年内")
            || l.contains("日内")
            || l.contains("月")
            || l.ends_with("年"))
}

fn looks_like_units(l: &str) -> bool {
    let us = units::split_units(l, true);
    !us.is_empty()
        && l.chars().count() <= 120
        && !l.contains('。')
        && us
            .iter()
            .all(|u| units::has_unit_suffix(u) || u.contains("牵头") || u.contains("配合"))
}

fn one_cell_per_line(b: &mut Builder, cols: &[Col], header: &[String], lines: &[String]) {
    let numbered = cols.first() == Some(&Col::Number);
    let width = cols.len();
    // group lines into rows
    let mut rows: Vec<Vec<String>> = Vec::new();
    if numbered {
        for l in lines {
            if is_number_line(l) {
                rows.push(vec![l.clone()]);
            } else if let Some(r) = rows.last_mut() {
                r.push(l.clone());
            } else if heading(l).is_some() {
                b.section(l);
            }
        }
    } else {
        rows = lines.chunks(width).map(|c| c.to_vec()).collect();
    }
    for mut row in rows {
        // a heading inside a row's lines starts a new section for the rows after it
        let mut section_after = None;
        if let Some(p) = row
            .iter()
            .skip(1)
            .position(|l| matches!(heading(l), Some(h) if h.level <= 2))
        {
            section_after = Some(row.split_off(p + 1));
        }
        let cells = if row.len() == width {
            row
        } else {
            fit_cells(cols, row)
        };
        b.row(cols, header, &cells);
        if let Some(rest) = section_after {
            for l in rest {
                b.section(&l);
            }
        }
    }
}

/// Assigns a row's lines to columns when their count does not match: the number first; from the
/// end the deadline (when the last line looks like one), then the unit lines, given to the unit
/// columns from the left; then the category and task columns one line each; the rest joined into
/// the requirement.
fn fit_cells(cols: &[Col], row: Vec<String>) -> Vec<String> {
    let mut cells = vec![String::new(); cols.len()];
    let mut lines: std::collections::VecDeque<String> = row.into();
    if cols.first() == Some(&Col::Number) {
        cells[0] = lines.pop_front().unwrap_or_default();
    }
    if let Some(k) = cols.iter().rposition(|c| *c == Col::Deadline)
        && lines.len() > 1
        && lines.back().is_some_and(|l| looks_like_deadline(l))
    {
        cells[k] = lines.pop_back().unwrap_or_default();
    }
    let unit_cols: Vec<usize> = (0..cols.len())
        .filter(|&k| matches!(cols[k], Col::Unit(_)))
        .collect();
    let mut unit_lines = Vec::new();
    while unit_lines.len() < unit_cols.len()
        && lines.len() > 1
        && lines.back().is_some_and(|l| looks_like_units(l))
    {
        unit_lines.push(lines.pop_back().unwrap_or_default());
    }
    unit_lines.reverse();
    for (k, l) in unit_cols.iter().zip(unit_lines) {
        cells[*k] = l;
    }
    let has_req = cols.contains(&Col::Requirement);
    for (k, c) in cols.iter().enumerate() {
        match c {
            Col::Category | Col::Task if lines.len() > 1 || !has_req => {
                cells[k] = lines.pop_front().unwrap_or_default();
            }
            Col::Requirement => {
                cells[k] = lines.drain(..).collect::<Vec<_>>().join("");
            }
            _ => {}
        }
    }
    if !lines.is_empty()
        && let Some(k) = cols.iter().position(|c| *c == Col::Task)
    {
        let rest: String = lines.drain(..).collect::<Vec<_>>().join("");
        cells[k].push_str(&rest);
    }
    cells
}
