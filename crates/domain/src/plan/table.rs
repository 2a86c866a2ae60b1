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
        | "主责部门" | "牵头" | "主责" => Col::Unit(Role::Lead),
        "配合单位" | "配合部门" | "协办单位" | "参与单位" | "配合科室" | "协助单位" | "配合" => {
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
        | "责任单位(部门)"
        | "单位"
        | "部门"
        | "科室"
        | "处室" => Col::Unit(Role::Responsible),
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
    } else if has(&["责任", "落实", "承办", "主体"])
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
                // a merged category row, or a heading (a long sentence alone is a requirement
                // whose other cells span from the row above)
                if only.chars().count() <= 40 && !only.ends_with('。') {
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
        let own_number = heading(&text).filter(|h| h.level >= 2 && h.content.chars().count() > 10);
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
        // The unit columns changed who the duty's units are: read the sentences again.
        duty.cadences = duty.own_cadences();
        for c in cadences {
            if !duty.cadences.iter().any(|x| x.norm == c.norm) {
                duty.cadences.push(c);
            }
        }
        // `2.紧扣民生领域…` in 具体要求 under a 工作任务 cell spanning several rows: each numbered
        // requirement is a task of its own
        if number_cell.is_empty()
            && task_cell.is_empty()
            && own_number.is_none()
            && let Some(t) = self.tasks.last_mut()
        {
            t.duties.push(duty);
            return;
        }
        let number = parse_number(number_cell.trim_matches(['.', '、', '(', ')', ' ']))
            .or(own_number.as_ref().map(|h| h.number))
            .unwrap_or(self.tasks.len() as u32 + 1);
        let title = if let Some(h) = own_number.as_ref().filter(|_| number_cell.is_empty()) {
            if !task_cell.is_empty() {
                self.section(&task_cell);
            }
            super::segment::title_and_body(&h.content).0
        } else if !task_cell.is_empty() {
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
        if duty.lead.is_empty() && duty.co.is_empty() && duty.responsible.is_empty() {
            // a section row that assigns its rows (`一、推进决策公开(市政府办公室牵头)`)
            if let Some(c) = self
                .sections
                .iter()
                .rev()
                .find_map(|l| super::clause::section_clause(l, &[]))
            {
                let r = units::parse_roles(&c);
                duty.lead = r.lead;
                duty.co = r.co;
                duty.responsible = r.responsible;
            }
        }
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

/// A header of separated cells at `lines[0]`, possibly broken over two lines (`工作任务 | 具体要求`
/// then `| 责任单位 |`): its cells and the number of lines it takes.
fn separated_header(lines: &[String]) -> Option<(Vec<String>, usize)> {
    let first = cells_of(lines.first()?)?;
    if is_header(&first) {
        return Some((first, 1));
    }
    let all_columns = |cells: &[String]| {
        let named: Vec<&String> = cells.iter().filter(|c| !c.trim().is_empty()).collect();
        !named.is_empty() && named.iter().all(|c| column_kind(c).is_some())
    };
    let second = cells_of(lines.get(1)?)?;
    if !all_columns(&first) || !all_columns(&second) {
        return None;
    }
    let joined: Vec<String> = first
        .into_iter()
        .chain(second)
        .filter(|c| !c.trim().is_empty())
        .collect();
    is_header(&joined).then_some((joined, 2))
}

/// The length of the one-cell-per-line task-table header starting at `lines[0]`, or 0.
fn header_run(lines: &[String]) -> usize {
    let run = lines
        .iter()
        .take_while(|l| !l.contains(['|', '\t']) && column_kind(l).is_some())
        .count();
    if run >= 3 && is_header(&lines[..run]) {
        run
    } else {
        0
    }
}

/// The columns of a header, with a 序号 column in front when the header has none: rows often
/// carry their number in a cell the header does not name.
fn with_number(header: &[String]) -> (Vec<Col>, Vec<String>) {
    let mut header: Vec<String> = header
        .iter()
        .map(|h| h.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    let mut cols = header_cols(&header);
    if !cols.contains(&Col::Number) {
        cols.insert(0, Col::Number);
        header.insert(0, "序号".to_owned());
    }
    (cols, header)
}

fn header_cols(header: &[String]) -> Vec<Col> {
    header
        .iter()
        .map(|h| column_kind(h).unwrap_or(Col::Other))
        .collect()
}

/// Web pages flattened to text often put each table cell on its own line, ending in `|`, with
/// lines of bare `|` for empty cells (`工作任务 |` `具体要求 |` `|`). Such a document is turned
/// into the one-cell-per-line layout: every cell its own line, bare separators dropped. Tables
/// written with whole rows on a line (`序号 | 工作任务 | 责任单位`) are left alone.
fn unpipe(lines: &[String]) -> Vec<String> {
    let piped: Vec<usize> = lines
        .iter()
        .filter(|l| l.contains('|'))
        .map(|l| l.split('|').filter(|c| !c.trim().is_empty()).count())
        .collect();
    let single = piped.iter().filter(|&&n| n <= 1).count();
    if piped.len() < 4 || single * 10 < piped.len() * 6 {
        return lines.to_vec();
    }
    lines
        .iter()
        .flat_map(|l| {
            l.split('|')
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Tasks of the task tables in the document (empty when it has none).
pub fn parse_tables(lines: &[String], year: Option<i32>) -> Vec<Task> {
    let lines = &unpipe(lines)[..];
    let mut b = Builder {
        year,
        tasks: Vec::new(),
        sections: Vec::new(),
        category: None,
    };
    let mut i = 0;
    while i < lines.len() {
        // separated cells
        if let Some((h, used)) = separated_header(&lines[i..]) {
            let (cols, h) = with_number(&h);
            let mut prev_units: Vec<String> = Vec::new();
            b.sections.clear();
            i += used;
            while i < lines.len() {
                match cells_of(&lines[i]) {
                    Some(cells) if is_header(&cells) => break,
                    Some(cells) => {
                        let framed = lines[i].trim_start().starts_with('|');
                        let cells = align_row(&cols, cells, framed, &mut prev_units);
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
        let run = header_run(&lines[i..]);
        if run >= 3 {
            let (cols, h) = with_number(&lines[i..i + run]);
            b.sections.clear();
            i += run;
            let end = (i..lines.len())
                .find(|&k| header_run(&lines[k..]) >= 3)
                .unwrap_or(lines.len());
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

static DATE_START: std::sync::LazyLock<regex::Regex> =
    std::sync::LazyLock::new(|| crate::re::compile(r"^(?:\d{4}\s*年)?\s*\d{1,2}\s*月|^\d{4}\s*年"));

/// A 完成时限 cell standing alone (`2023年12月底前`, `长期坚持`, `6月30日`); text such as
/// `按月公开财政收支,` is not one.
fn is_deadline_cell(l: &str) -> bool {
    const WORDS: &[&str] = &[
        "长期",
        "持续",
        "常态",
        "全年",
        "年内",
        "年底",
        "月底",
        "底前",
        "日前",
        "之前",
        "以前",
        "工作日",
        "季度末",
        "上半年",
        "下半年",
        "随时",
        "立即",
    ];
    l.chars().count() <= 24
        && !l.contains('。')
        && (DATE_START.is_match(l) || WORDS.iter().any(|w| l.contains(w)))
        && !looks_like_units(l)
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
    let mut prev_units: Vec<String> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let flush = |b: &mut Builder, row: &mut Vec<String>, prev_units: &mut Vec<String>| {
        if !row.is_empty() {
            let cells = assign_by_content(cols, std::mem::take(row), prev_units);
            b.row(cols, header, &cells);
        }
    };
    for l in lines {
        let kind = cell_kind(l);
        if kind == CellKind::Section {
            flush(b, &mut row, &mut prev_units);
            b.section(l);
            continue;
        }
        let has = |k: CellKind| row.iter().any(|c| cell_kind(c) == k);
        let row_done = has(CellKind::Units) || has(CellKind::Deadline);
        let starts_row = match kind {
            CellKind::Number => row_done || has(CellKind::Number),
            CellKind::Text => row_done || (starts_numbered(l) && has(CellKind::Text)),
            CellKind::Units | CellKind::Deadline | CellKind::Section => false,
        };
        if starts_row {
            // a lone short text before numbered requirements is a 工作任务 cell spanning them
            if kind == CellKind::Text
                && starts_numbered(l)
                && let [only] = row.as_slice()
                && cell_kind(only) == CellKind::Text
                && !starts_numbered(only)
                && only.chars().count() <= 40
                && !only.contains('。')
            {
                let title = row.remove(0);
                b.section(&title);
            }
            flush(b, &mut row, &mut prev_units);
        }
        row.push(l.clone());
    }
    flush(b, &mut row, &mut prev_units);
}

/// What a table cell holds, judged by its content (flattened tables lose their column positions
/// wherever a cell spans several rows or columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CellKind {
    Number,
    /// A part heading (`一、…`, `(一)…`) standing alone: a section of the rows below it.
    Section,
    Units,
    Deadline,
    Text,
}

fn cell_kind(l: &str) -> CellKind {
    if is_number_line(l) {
        CellKind::Number
    } else if matches!(heading(l), Some(h) if h.level <= 2) && l.chars().count() <= 40 {
        CellKind::Section
    } else if looks_like_units(l) || super::clause::bare_clause(l).is_some() {
        CellKind::Units
    } else if is_deadline_cell(l) {
        CellKind::Deadline
    } else {
        CellKind::Text
    }
}

/// Whether a cell begins with its own number (`1.…`, `(1)…`): a row of its own.
fn starts_numbered(l: &str) -> bool {
    matches!(heading(l), Some(h) if h.level >= 3)
}

/// A row's cells placed in the header's columns by what they hold: the number, the deadline, the
/// unit cells (right-aligned onto the unit columns, so a row whose 牵头单位 cell spans from the
/// row above keeps its 责任单位 cell in place), and the texts (the first to 工作任务 when there are
/// two or more, the rest to 具体要求). Unit columns a row leaves empty take the units of the row
/// above when the row has none at all, as a cell spanning several rows does.
fn assign_by_content(cols: &[Col], row: Vec<String>, prev_units: &mut Vec<String>) -> Vec<String> {
    let mut cells = vec![String::new(); cols.len()];
    let pos = |k: Col| cols.iter().position(|c| *c == k);
    let unit_cols: Vec<usize> = (0..cols.len())
        .filter(|&k| matches!(cols[k], Col::Unit(_)))
        .collect();
    let mut texts = Vec::new();
    let mut units = Vec::new();
    for c in row {
        match cell_kind(&c) {
            CellKind::Number => match pos(Col::Number) {
                Some(k) if cells[k].is_empty() => cells[k] = c,
                _ => texts.push(c),
            },
            CellKind::Deadline if pos(Col::Deadline).is_some() => {
                let k = pos(Col::Deadline).unwrap_or_default();
                if !cells[k].is_empty() {
                    cells[k].push(';');
                }
                cells[k].push_str(&c);
            }
            CellKind::Units if !unit_cols.is_empty() => units.push(c),
            _ => texts.push(c),
        }
    }
    // more unit cells than unit columns: the first ones are texts after all
    while units.len() > unit_cols.len() {
        texts.push(units.remove(0));
    }
    if prev_units.len() != unit_cols.len() {
        *prev_units = vec![String::new(); unit_cols.len()];
    }
    // Fewer unit cells than unit columns: either a cell left empty (the cells start at the first
    // unit column) or cells spanning from the row above (the first cell continues the column of
    // the row above whose units it shares; the columns before it are the spanning ones).
    let skip = if units.is_empty() {
        unit_cols.len()
    } else {
        let set = |v: &str| units::split_units(v, true);
        let first = set(&units[0]);
        prev_units
            .iter()
            .position(|p| set(p).iter().any(|u| first.contains(u)))
            .unwrap_or(0)
            .min(unit_cols.len() - units.len())
    };
    for (i, &k) in unit_cols.iter().enumerate() {
        if i >= skip && i - skip < units.len() {
            cells[k] = units[i - skip].clone();
        } else if i < skip {
            cells[k] = prev_units[i].clone();
        }
    }
    for (i, &k) in unit_cols.iter().enumerate() {
        prev_units[i] = cells[k].clone();
    }
    let task = pos(Col::Task);
    let req = pos(Col::Requirement).or(pos(Col::Category));
    match (task, req) {
        (Some(t), Some(r)) if texts.len() >= 2 => {
            cells[t] = texts.remove(0);
            cells[r] = texts.join("");
        }
        (_, Some(r)) => cells[r] = texts.join(""),
        (Some(t), None) => cells[t] = texts.join(""),
        (None, None) => {
            if let Some(k) = cols.iter().position(|c| *c == Col::Other) {
                cells[k] = texts.join("");
            }
        }
    }
    cells
}

/// A row of separated cells: kept in place when it fills the header and its unit columns hold
/// units (or nothing); otherwise (cells shifted by merged cells, or a header with merged columns)
/// placed by content.
fn align_row(
    cols: &[Col],
    mut cells: Vec<String>,
    framed: bool,
    prev_units: &mut Vec<String>,
) -> Vec<String> {
    // A framed row (`| 23 | 标题 | 要求 |  |  |`, as spreadsheets and .docx tables are written)
    // that fills the header keeps its empty cells: they are empty, not spanned. Elsewhere trailing
    // separators say nothing.
    let full = framed
        && (cells.len() == cols.len()
            || cells.len() + 1 == cols.len()
                && cols[0] == Col::Number
                && !is_number_line(&cells[0]));
    while !full && cells.last().is_some_and(|c| c.trim().is_empty()) {
        cells.pop();
    }
    if cells.len() + 1 == cols.len() && cols[0] == Col::Number && !is_number_line(&cells[0]) {
        cells.insert(0, String::new());
    }
    let regular = cells.len() == cols.len()
        && cols
            .iter()
            .zip(&cells)
            .all(|(c, v)| !matches!(c, Col::Unit(_)) || v.trim().is_empty() || looks_like_units(v));
    let nonempty = cells.iter().filter(|c| !c.trim().is_empty()).count();
    let lone_sentence = nonempty == 1
        && cells
            .iter()
            .any(|c| c.chars().count() > 40 || c.trim_end().ends_with('。'));
    if regular || nonempty == 0 || nonempty == 1 && !lone_sentence {
        cells.resize(cols.len().max(cells.len()), String::new());
        let unit_vals: Vec<String> = cols
            .iter()
            .zip(&cells)
            .filter(|(c, _)| matches!(c, Col::Unit(_)))
            .map(|(_, v)| v.clone())
            .collect();
        if nonempty > 1 {
            *prev_units = unit_vals;
        }
        return cells;
    }
    let row: Vec<String> = cells.into_iter().filter(|c| !c.trim().is_empty()).collect();
    assign_by_content(cols, row, prev_units)
}
