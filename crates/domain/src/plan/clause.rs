//! Responsibility clauses inside a paragraph.
//!
//! A clause is
//! - a bracket group (`(…)`, nested brackets allowed) that names units with a role
//!   (`市财政局牵头、市物价局配合落实。6月30日反馈…`), carries labels (`牵头单位:…;完成时限:…`) or is a
//!   bare list of units, and stands at the end of a sentence (end of the paragraph, after `。` / `;`,
//!   or before `。`). Other brackets (`(涉密项目除外)`, `(PPP)`, `(国办发〔2017〕24号)`) are text;
//! - labels written inline after the text (`…工作。牵头单位:市发改委;责任单位:各县区政府`);
//! - without brackets, the last comma-separated pieces of the paragraph when they are only units and
//!   role words (`…,市政府办公室负责落实。`, `…。市财政局牵头,各县区政府配合。`).
//!
//! Every clause ends a duty: [`split_duties`] cuts a paragraph into `(text, clause)` pairs.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{is_close, is_open};
use super::units::{self, LABEL, has_unit_suffix, is_unit_like, split_top};

/// Whether the content of a bracket group is a responsibility clause.
pub fn is_clause_content(c: &str) -> bool {
    if units::labelled_fields(c)
        .iter()
        .any(|(l, _)| units::label_kind(l) != units::Label::Other)
    {
        return true;
    }
    let roles = units::parse_plain_roles(c, units::Role::Responsible);
    if roles.is_empty() {
        return false;
    }
    let all: Vec<&String> = roles
        .lead
        .iter()
        .chain(&roles.co)
        .chain(&roles.responsible)
        .collect();
    all.iter()
        .all(|u| has_unit_suffix(u) || u.starts_with('各'))
}

/// Top-level bracket groups: (start, end) byte offsets including the brackets.
fn bracket_groups(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if is_open(c) {
            if depth == 0 {
                start = i;
            }
            depth += 1;
        } else if is_close(c) && depth > 0 {
            depth -= 1;
            if depth == 0 {
                out.push((start, i + c.len_utf8()));
            }
        }
    }
    out
}

fn is_terminator(c: char) -> bool {
    matches!(c, '。' | ';' | '!' | '?' | '.')
}

fn strip_brackets(s: &str) -> &str {
    let mut cs = s.chars();
    cs.next();
    cs.next_back();
    cs.as_str().trim()
}

fn clean_text(s: &str) -> String {
    s.trim()
        .trim_start_matches(['。', ';', ',', ' '])
        .trim()
        .to_owned()
}

static ROLE_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"^(?:按照?职责分工|按照?职责|根据职责|依职责|分别|牵头|配合|负责|落实|参与|协助|协办|具体|组织|实施|承办|主办|抓好|做好|共同|相关|此项|该项|工作|和|并|推进|参照|执行)+$",
    )
});

/// Whether a comma-separated piece is only units followed by role words (`市政府办公室负责落实`).
fn is_role_piece(p: &str) -> bool {
    let p = p.trim().trim_start_matches(['由']);
    let markers = [
        "按照职责",
        "按职责",
        "根据职责",
        "依职责",
        "分别",
        "牵头",
        "配合",
        "负责",
        "落实",
        "参与",
        "协助",
        "协办",
        "承办",
        "主办",
        "参照",
    ];
    let Some(pos) = markers.iter().filter_map(|m| p.find(m)).min() else {
        return false;
    };
    let (unit, tail) = p.split_at(pos);
    if !ROLE_TAIL.is_match(tail) {
        return false;
    }
    let us = units::split_units(unit, false);
    !us.is_empty()
        && us.len() == split_top(unit, &['、', ',', ';']).len()
        && us
            .iter()
            .all(|u| has_unit_suffix(u) && u.chars().count() <= 25)
}

fn is_unit_piece(p: &str) -> bool {
    let u = units::clean_unit(p);
    is_unit_like(&u) && has_unit_suffix(&u) && u.chars().count() <= 25
}

/// An unbracketed clause at the end of a paragraph: byte offset where it starts.
fn unbracketed_clause_start(p: &str) -> Option<usize> {
    let body = p.trim_end_matches(['。', ';', ' ']);
    // pieces of the last sentence, with their start offsets
    let sent_start = body
        .char_indices()
        .rev()
        .find(|&(_, c)| c == '。' || c == ';')
        .map_or(0, |(i, c)| i + c.len_utf8());
    let last = &body[sent_start..];
    let mut starts = vec![0usize];
    let mut depth = 0;
    for (i, c) in last.char_indices() {
        if is_open(c) {
            depth += 1;
        } else if is_close(c) && depth > 0 {
            depth -= 1;
        } else if depth == 0 && c == ',' {
            starts.push(i + c.len_utf8());
        }
    }
    let pieces: Vec<(usize, &str)> = starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let e = starts
                .get(k + 1)
                .map_or(last.len(), |&n| n - ','.len_utf8());
            (s, &last[s..e])
        })
        .collect();
    // walk back while pieces are role pieces (or units before a role piece)
    let mut k = pieces.len();
    let mut seen_role = false;
    while k > 0 {
        let (_, piece) = pieces[k - 1];
        if is_role_piece(piece) {
            seen_role = true;
        } else if !(seen_role && is_unit_piece(piece)) {
            break;
        }
        k -= 1;
    }
    if !seen_role || k == pieces.len() {
        return None;
    }
    let start = sent_start + pieces[k].0;
    // there must be text before the clause
    if body[..start].trim_matches([',', '。', ' ']).is_empty() {
        return None;
    }
    Some(start)
}

/// Cuts a paragraph into duties: `(text, clause)` for each clause, and `(text, None)` for text
/// after the last clause (or for a paragraph without one).
pub fn split_duties(p: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut from = 0;
    let trimmed_end = p.trim_end_matches(['。', ';', ',', ' ']).len();
    for (a, b) in bracket_groups(p) {
        let content = strip_brackets(&p[a..b]);
        let before = p[..a].trim_end();
        let after = p[b..].trim_start();
        let at_end = b >= trimmed_end;
        let after_terminator = before.ends_with(is_terminator) || before.is_empty();
        let before_terminator = after.starts_with(['。', ';']);
        if !(at_end || after_terminator || before_terminator) || !is_clause_content(content) {
            continue;
        }
        let text = clean_text(&p[from..a]);
        out.push((text, Some(content.to_owned())));
        from = b;
    }
    let rest = &p[from..];
    // inline labels after the text
    if let Some(m) = LABEL.find(rest)
        && !inside_brackets(rest, m.start())
        && m.start() > 0
    {
        let text = clean_text(&rest[..m.start()]);
        let clause = rest[m.start()..].trim().trim_end_matches('。').to_owned();
        out.push((text, Some(clause)));
        return out;
    }
    let rest_clean = clean_text(rest);
    if rest_clean.is_empty() {
        return out;
    }
    if out.is_empty()
        && let Some(s) = unbracketed_clause_start(&rest_clean)
    {
        let text = rest_clean[..s].trim_end_matches([',', ' ']).to_owned();
        let text = if text.ends_with('。') {
            text
        } else {
            format!("{text}。")
        };
        let clause = rest_clean[s..].trim_end_matches(['。', ' ']).to_owned();
        out.push((text, Some(clause)));
        return out;
    }
    out.push((rest_clean, None));
    out
}

fn inside_brackets(s: &str, at: usize) -> bool {
    super::text::open_depth(&s[..at]) > 0
}

static SECTION_CLAUSE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"^\(?(?:以下|下列|本部分|本项|上述|此部分)(?:各项|所列)?(?:任务|工作|事项|内容)?(?:均|统一)?(?:由|为)?(.+?)\)?。?$",
    )
});

/// A clause that assigns units to every task of its section: a heading's own clause
/// (`一、推进决策公开(市政府办公室牵头,各部门配合)`) or a line `(以下任务由市政府办公室牵头)` under
/// the heading. Returns the clause without its lead-in words.
pub fn section_clause(heading_content: &str, lines: &[String]) -> Option<String> {
    if let Some((_, Some(c))) = split_duties(heading_content).into_iter().last() {
        return Some(c);
    }
    for l in lines {
        if let Some(c) = SECTION_CLAUSE.captures(l.trim())
            && let Some(m) = c.get(1)
        {
            let inner = m.as_str().trim_end_matches(')');
            if units::first_role_marker(inner).is_some() && is_clause_content(inner) {
                return Some(inner.to_owned());
            }
        }
        if let Some(c) = clause_line(l) {
            return Some(c);
        }
    }
    None
}

/// Whether a line is a clause by itself: labels on their own line (`牵头单位:市发改委`) or a
/// bracketed clause alone.
pub fn clause_line(line: &str) -> Option<String> {
    let t = line.trim();
    if let Some(m) = LABEL.find(t)
        && m.start() == 0
    {
        return Some(t.trim_end_matches('。').to_owned());
    }
    let groups = bracket_groups(t);
    if groups.len() == 1 && groups[0] == (0, t.trim_end_matches('。').len()) {
        let c = strip_brackets(t.trim_end_matches('。'));
        if is_clause_content(c) {
            return Some(c.to_owned());
        }
    }
    bare_clause(t)
}

/// A line that is only units with their role words, without brackets or labels
/// (`办公室牵头,各有关处室、民服中心配合`, `市发改委牵头落实。`).
pub fn bare_clause(t: &str) -> Option<String> {
    let body = t.trim_end_matches(['。', ';', ' ']);
    if body.is_empty() || body.contains('。') || body.chars().count() > 120 {
        return None;
    }
    let pieces = split_top(body, &[',', ';']);
    let last_is_role = pieces.last().is_some_and(|p| is_role_piece(p));
    let all_fit = pieces.iter().all(|p| is_role_piece(p) || is_unit_piece(p));
    (last_is_role && all_fit).then(|| body.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: &str) -> Vec<(String, Option<String>)> {
        split_duties(p)
    }

    #[test]
    fn trailing_bracket_clause_and_non_clause_brackets() {
        let d = s(
            "分层级及时公开实施过程信息(涉密项目除外)。(市行政审批服务局、市政府有关部门配合落实。6月30日反馈落实情况)",
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "分层级及时公开实施过程信息(涉密项目除外)。");
        assert_eq!(
            d[0].1.as_deref(),
            Some("市行政审批服务局、市政府有关部门配合落实。6月30日反馈落实情况")
        );
        assert_eq!(s("公开政府和社会资本合作(PPP)项目信息。")[0].1, None);
    }

    #[test]
    fn mid_paragraph_clauses() {
        let d = s("加强政策解读。(市政府办公室牵头,各部门负责)深入推进公开。(市发改委负责)");
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].0, "深入推进公开。");
    }

    #[test]
    fn unbracketed() {
        let d = s("做好政府网站年度报表发布工作,市政府办公室负责落实。");
        assert_eq!(d[0].0, "做好政府网站年度报表发布工作。");
        assert_eq!(d[0].1.as_deref(), Some("市政府办公室负责落实"));
        let d = s("及时发声,解疑释惑,澄清事实。");
        assert_eq!(d[0].1, None);
        let d = s("各级政府及部门要落实好“网络回应人”制度。");
        assert_eq!(d[0].1, None);
        let d = s("推进公开。市财政局牵头,市物价局、市发改委配合。");
        assert_eq!(
            d[0].1.as_deref(),
            Some("市财政局牵头,市物价局、市发改委配合")
        );
    }

    #[test]
    fn labelled_inline_and_nested() {
        let d = s(
            "推进公开。(牵头单位:市发展改革委(市粮食局);责任单位:各县区政府;完成时限:2022年6月底前)",
        );
        assert_eq!(
            d[0].1.as_deref(),
            Some("牵头单位:市发展改革委(市粮食局);责任单位:各县区政府;完成时限:2022年6月底前")
        );
        let d = s("推进公开。牵头单位:市发改委;责任单位:各县区政府");
        assert_eq!(d[0].0, "推进公开。");
        assert!(d[0].1.is_some());
    }
}
