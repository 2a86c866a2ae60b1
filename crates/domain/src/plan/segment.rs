//! Prose documents: headings → sections and tasks; paragraphs → duties.
//!
//! Heading levels, outermost first: `第一部分` (0), `一、` (1), `(一)` (2), `1.` / `1、` (3), `(1)` (4),
//! `①` (5). Levels 4 and 5 are headings only in documents without level-3 headings; otherwise they
//! are enumerations inside a paragraph. **A task is a heading with no heading below it**; the
//! headings above it are its `section_path`. A heading line `1.公开预期引导信息。市政府…` gives the
//! title up to the first `。` and a first paragraph after it; `25.明确公文公开属性` alone on its line is
//! a title whose paragraphs follow.
//!
//! Inside a task each clause ends a duty; paragraphs without a clause that come before a clause join
//! that duty; when a task has no clause at all, each paragraph is a duty. Labels on their own lines
//! (`牵头单位:…`) are the clause of the text before them. Text before the first heading (the
//! preamble) and closing paragraphs after the last task (`各地区各部门要结合实际…`) are not tasks.

use std::sync::LazyLock;

use regex::Regex;

use super::clause::{clause_line, section_clause, split_duties};
use super::text::parse_number;
use super::{Duty, Task, build_duty};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub number: u32,
    /// The marker as written (`一、`, `(一)`, `1.`).
    pub marker: String,
    /// Everything after the marker.
    pub content: String,
}

static HEADING: LazyLock<Vec<(u8, Regex)>> = LazyLock::new(|| {
    let cn = "[一二三四五六七八九十]+";
    vec![
        (
            0,
            crate::re::compile(&format!(r"^(第({cn})(?:部分|章|篇))\s*")),
        ),
        (1, crate::re::compile(&format!(r"^(({cn})\s*[、.．,])\s*"))),
        (
            2,
            crate::re::compile(&format!(r"^([((]({cn})[))][、.．]?)\s*")),
        ),
        (3, crate::re::compile(r"^((\d{1,3})\s*[.．、](?:\s|$)?)")),
        (4, crate::re::compile(r"^([((]?(\d{1,3})[))][、.．]?)\s*")),
        (5, crate::re::compile(r"^(([①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳]))\s*")),
    ]
});

/// The heading a line starts with, if any.
pub fn heading(line: &str) -> Option<Heading> {
    for (level, re) in HEADING.iter() {
        let Some(c) = re.captures(line) else { continue };
        let whole = c.get(0)?;
        let content = line[whole.end()..].trim();
        if content.is_empty() {
            return None;
        }
        // `1.5亿元` is not a heading; nor is `2017.`
        if *level == 3 && content.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        let number = if *level == 5 {
            let ch = c[2].chars().next()?;
            ch as u32 - '①' as u32 + 1
        } else {
            parse_number(&c[2])?
        };
        // Up to 999, so a document with too many tasks is counted and refused rather than
        // its later tasks read as the text of an earlier one; years (2017.) stay text.
        if number == 0 || number > 999 {
            return None;
        }
        return Some(Heading {
            level: *level,
            number,
            marker: c[1].trim().to_owned(),
            content: content.to_owned(),
        });
    }
    None
}

pub fn is_heading_line(line: &str) -> bool {
    heading(line).is_some()
}

/// Title and first paragraph of a heading line.
pub fn title_and_body(content: &str) -> (String, String) {
    let colon = content
        .find(':')
        .filter(|&i| content[..i].chars().count() <= 30 && !super::units::LABEL.is_match(content));
    let period = content.find('。');
    let cut = match (period, colon) {
        (Some(p), Some(c)) => Some((p.min(c), if c < p { ':' } else { '。' })),
        (Some(p), None) => Some((p, '。')),
        (None, Some(c)) => Some((c, ':')),
        (None, None) => None,
    };
    match cut {
        Some((i, ch)) => {
            let title = content[..i].trim().to_owned();
            let body = content[i + ch.len_utf8()..].trim().to_owned();
            (title, body)
        }
        None => {
            // a one-line task with a clause: `3.推进预算公开(市财政局牵头)`
            let d = split_duties(content);
            if let Some((text, Some(_))) = d.first() {
                (
                    text.trim_end_matches(['。', ';']).to_owned(),
                    content.to_owned(),
                )
            } else {
                (
                    content.trim_end_matches([';', ',']).to_owned(),
                    String::new(),
                )
            }
        }
    }
}

#[derive(Debug)]
struct Node {
    heading: Heading,
    parent: Option<usize>,
    has_children: bool,
    paragraphs: Vec<String>,
}

const CLOSING_START: &[&str] = &[
    "各地区各部门",
    "各地区、各部门",
    "各地各部门",
    "各地、各部门",
    "各县区、各部门",
    "各县区各部门",
    "各县(市、区)",
    "各单位",
    "各部门",
    "各乡镇",
    "请各",
    "本安排",
    "本要点",
    "本方案",
    "本通知",
    "本工作",
    "以上",
];
const CLOSING_WORDS: &[&str] = &[
    "结合实际",
    "备案",
    "认真贯彻",
    "抓好落实",
    "认真组织",
    "组织实施",
    "自印发之日起",
    "遇到的问题",
    "及时报告",
    "细化",
];

/// A closing paragraph of the whole document (`各地区各部门要结合实际,制定具体实施方案…`).
pub fn is_closing(p: &str) -> bool {
    CLOSING_START.iter().any(|s| p.starts_with(s)) && CLOSING_WORDS.iter().any(|w| p.contains(w))
}

const NOT_TASK_SECTIONS: &[&str] = &[
    "指导思想",
    "总体要求",
    "工作目标",
    "基本原则",
    "总体目标",
    "主要目标",
];

fn duties_of(paragraphs: &[String], year: Option<i32>) -> Vec<Duty> {
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    let mut i = 0;
    while i < paragraphs.len() {
        // consecutive clause lines form one clause
        let mut clauses = Vec::new();
        while i < paragraphs.len() {
            match clause_line(&paragraphs[i]) {
                Some(c) => clauses.push(c),
                None => break,
            }
            i += 1;
        }
        if !clauses.is_empty() {
            let clause = clauses.join(";");
            if !pending.is_empty() {
                pairs.push((pending.join("\n"), Some(clause)));
                pending.clear();
            } else if let Some(last) = pairs.last_mut() {
                match &mut last.1 {
                    Some(c) => {
                        c.push(';');
                        c.push_str(&clause);
                    }
                    None => last.1 = Some(clause),
                }
            } else {
                pairs.push((String::new(), Some(clause)));
            }
            continue;
        }
        for (text, clause) in split_duties(&paragraphs[i]) {
            match clause {
                Some(c) => {
                    pending.push(text);
                    let t = pending
                        .drain(..)
                        .filter(|t| !t.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n");
                    pairs.push((t, Some(c)));
                }
                None => pending.push(text),
            }
        }
        i += 1;
    }
    for p in pending {
        pairs.push((p, None));
    }
    pairs
        .into_iter()
        .map(|(t, c)| build_duty(t, c, year))
        .collect()
}

fn has_clause(p: &str) -> bool {
    clause_line(p).is_some() || split_duties(p).iter().any(|(_, c)| c.is_some())
}

/// A heading whose sub-headings are an enumeration covered by one clause after the last item
/// (`(一)…。` `1.…` `2.…` `(市司法局牵头)`) is the task; the items become its paragraphs. Returns
/// which nodes were folded into their parent.
fn collapse_enumerations(nodes: &mut [Node]) -> Vec<bool> {
    let mut removed = vec![false; nodes.len()];
    let mut children_of: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    for (c, n) in nodes.iter().enumerate() {
        if let Some(p) = n.parent {
            children_of[p].push(c);
        }
    }
    for p in (0..nodes.len()).rev() {
        if !nodes[p].has_children {
            continue;
        }
        let children = &children_of[p];
        let Some(&last) = children.last() else {
            continue;
        };
        if children.iter().any(|&c| nodes[c].has_children) {
            continue;
        }
        let trailing = nodes[last]
            .paragraphs
            .iter()
            .rev()
            .take_while(|l| clause_line(l).is_some())
            .count();
        if trailing == 0 {
            continue;
        }
        let items_have_clause = children.iter().any(|&c| {
            let n = &nodes[c];
            let own = if c == last {
                &n.paragraphs[..n.paragraphs.len() - trailing]
            } else {
                &n.paragraphs[..]
            };
            has_clause(&n.heading.content) || own.iter().any(|l| has_clause(l))
        });
        if items_have_clause {
            continue;
        }
        let mut folded = Vec::new();
        for &c in children {
            folded.push(format!(
                "{}{}",
                nodes[c].heading.marker, nodes[c].heading.content
            ));
            folded.extend(nodes[c].paragraphs.iter().cloned());
            removed[c] = true;
        }
        nodes[p].paragraphs.extend(folded);
        nodes[p].has_children = false;
    }
    removed
}

/// Joins lines broken inside a sentence (text converted from PDF, hard-wrapped e-mail): a body
/// line that does not end a sentence continues on the next body line.
fn unwrap_hard_breaks(lines: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut prev_is_body = false;
    for l in lines {
        let is_body =
            heading(&l).is_none() && clause_line(&l).is_none() && !super::units::LABEL.is_match(&l);
        if prev_is_body
            && is_body
            && let Some(prev) = out.last_mut()
        {
            let open = prev.chars().count() >= 15
                && !prev.ends_with([
                    '。', ';', ':', '!', '?', ')', '】', '”', '」', '》', '.', '…',
                ]);
            if open {
                prev.push_str(&l);
                continue;
            }
        }
        // a heading line with its first paragraph after the title may wrap too
        prev_is_body = is_body || heading(&l).is_some_and(|h| h.content.contains('。'));
        out.push(l);
    }
    out
}

/// Section titles of a document's closing part (保障措施, 工作要求): not tasks when their numbering
/// starts afresh, though they may set document-wide feedback dates.
const CLOSING_SECTIONS: &[&str] = &[
    "保障措施",
    "组织保障",
    "工作保障",
    "组织实施",
    "工作要求",
    "有关要求",
    "实施步骤",
    "保障机制",
];

/// Tasks of a prose document, and the text of its closing part (closing paragraphs and sections
/// that are not tasks), where document-wide feedback dates are found.
pub fn parse_prose(lines: &[String], year: Option<i32>) -> (Vec<Task>, Vec<String>) {
    let mut closing_text: Vec<String> = Vec::new();
    // cells of layout tables and tab-separated text become lines of their own
    let lines: Vec<String> = lines
        .iter()
        .flat_map(|l| {
            l.split(['|', '\t'])
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
        })
        .collect();
    let lines = unwrap_hard_breaks(lines);
    let headings: Vec<Option<Heading>> = lines.iter().map(|l| heading(l)).collect();
    let has_level3 = headings.iter().flatten().any(|h| h.level == 3);
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut preamble: Vec<String> = Vec::new();
    for (line, h) in lines.iter().zip(headings) {
        let h = h.filter(|h| !(has_level3 && h.level > 3));
        match h {
            Some(h) => {
                while let Some(&top) = stack.last() {
                    if nodes[top].heading.level >= h.level {
                        stack.pop();
                    } else {
                        break;
                    }
                }
                let parent = stack.last().copied();
                if let Some(p) = parent {
                    nodes[p].has_children = true;
                }
                let (_, body) = title_and_body(&h.content);
                let mut paragraphs = Vec::new();
                if clause_line(&body).is_some() {
                    // `4.公开工作总结。(市政府各部门负责)`: the title sentence is the duty
                    paragraphs.push(h.content.clone());
                } else if !body.is_empty() {
                    paragraphs.push(body);
                }
                nodes.push(Node {
                    heading: h,
                    parent,
                    has_children: false,
                    paragraphs,
                });
                stack.push(nodes.len() - 1);
            }
            None => match stack.last() {
                Some(&top) => nodes[top].paragraphs.push(line.clone()),
                None => preamble.push(line.clone()),
            },
        }
    }
    // closing paragraphs at the end of the last node; a last section holding only closing text
    // (`二、保障措施` + `各地区各部门要结合实际…`) is not a task
    let mut drop_last = false;
    if let Some(last) = nodes.last_mut() {
        let had = !last.paragraphs.is_empty();
        while last.paragraphs.last().is_some_and(|p| is_closing(p)) {
            closing_text.extend(last.paragraphs.pop());
        }
        drop_last = had && last.paragraphs.is_empty() && !last.has_children;
    }
    if drop_last {
        nodes.pop();
    }

    let removed = collapse_enumerations(&mut nodes);

    let mut tasks = Vec::new();
    let mut last_number: Option<u32> = None;
    let mut closing_top: Option<usize> = None;
    for (idx, node) in nodes.iter().enumerate() {
        if node.has_children || removed[idx] {
            continue;
        }
        let top = std::iter::successors(Some(idx), |&i| nodes[i].parent)
            .last()
            .unwrap_or(idx);
        // a closing section (`四、保障措施` `(一)加强组织领导`) whose numbering starts afresh
        if top != idx && closing_top != Some(top) {
            let top_title = title_and_body(&nodes[top].heading.content).0;
            let restarts = last_number.is_some_and(|n| node.heading.number != n + 1);
            // the heading is essentially the phrase (`四、保障措施`, `三、有关工作要求`), not a task
            // heading that happens to contain it
            let closing = top_title.chars().count() <= 6
                && CLOSING_SECTIONS.iter().any(|w| top_title.contains(w));
            closing_top = (closing && restarts).then_some(top);
        }
        if closing_top == Some(top) {
            closing_text.push(node.heading.content.clone());
            closing_text.extend(node.paragraphs.iter().cloned());
            continue;
        }
        last_number = Some(node.heading.number);
        let mut path = Vec::new();
        let mut p = node.parent;
        while let Some(i) = p {
            let (t, _) = title_and_body(&nodes[i].heading.content);
            path.push(format!("{}{}", nodes[i].heading.marker, t));
            p = nodes[i].parent;
        }
        path.reverse();
        let (title, _) = title_and_body(&node.heading.content);
        // a heading that is one sentence and nothing else is its own duty
        let mut duties = if node.paragraphs.is_empty() {
            duties_of(std::slice::from_ref(&node.heading.content), year)
        } else {
            duties_of(&node.paragraphs, year)
        };
        // duties without a clause of their own take the clause of the nearest section that
        // assigns its tasks (`二、…(市政府办公室牵头)`, `(以下任务由市司法局牵头)`)
        if duties.iter().any(|d| d.clause.is_none()) {
            let inherited = std::iter::successors(node.parent, |&i| nodes[i].parent)
                .find_map(|i| section_clause(&nodes[i].heading.content, &nodes[i].paragraphs));
            if let Some(c) = inherited {
                for d in duties.iter_mut().filter(|d| d.clause.is_none()) {
                    *d = build_duty(std::mem::take(&mut d.text), Some(c.clone()), year);
                }
            }
        }
        let top_title = std::iter::successors(Some(idx), |&i| nodes[i].parent)
            .last()
            .map(|i| title_and_body(&nodes[i].heading.content).0)
            .unwrap_or_default();
        if NOT_TASK_SECTIONS.iter().any(|w| top_title.contains(w))
            && duties.iter().all(|d| d.clause.is_none())
        {
            continue;
        }
        tasks.push(Task {
            number: node.heading.number,
            title,
            section_path: path,
            duties,
        });
    }
    if tasks.is_empty() {
        // no headings: each paragraph with a clause is a task
        let mut n = 0;
        for p in &preamble {
            for (text, clause) in split_duties(p) {
                if clause.is_some() {
                    n += 1;
                    let title = text
                        .split(['。', ';'])
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    tasks.push(Task {
                        number: n,
                        title,
                        section_path: Vec::new(),
                        duties: vec![build_duty(text, clause, year)],
                    });
                }
            }
        }
    }
    (tasks, closing_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        let h = heading("(一)以政务公开助力稳增长").unwrap();
        assert_eq!((h.level, h.number, h.marker.as_str()), (2, 1, "(一)"));
        let h = heading("23.承担重点公开工作任务。要在…").unwrap();
        assert_eq!((h.level, h.number), (3, 23));
        assert_eq!(heading("二十八、其他").unwrap().number, 28);
        assert!(heading("2017年政务公开").is_none());
        assert!(heading("1.5亿元").is_none());
        assert_eq!(heading("③推进").unwrap().number, 3);
        assert_eq!(heading("2)推进").unwrap().level, 4);
    }

    #[test]
    fn title_split() {
        assert_eq!(
            title_and_body("公开预期引导信息。市政府…(市财政局牵头)"),
            ("公开预期引导信息".into(), "市政府…(市财政局牵头)".into())
        );
        assert_eq!(
            title_and_body("明确公文公开属性"),
            ("明确公文公开属性".into(), String::new())
        );
        assert_eq!(
            title_and_body("推进预算公开(市财政局牵头)"),
            ("推进预算公开".into(), "推进预算公开(市财政局牵头)".into())
        );
    }
}
