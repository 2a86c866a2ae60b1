//! Unit lists and roles.
//!
//! Roles: units before 牵头 (or 主办) are *lead*; before 配合 / 协助 / 协办 / 参与 *co*; before a plain
//! 负责 / 落实 / 分别落实 / 承办 *responsible*; `A会同B负责` makes A lead and B co. `按职责分工分别牵头落实`
//! keeps every listed unit lead. Labels say it directly: 牵头单位 / 牵头部门 → lead, 配合单位 /
//! 协办单位 → co, 责任单位 / 责任部门 / 责任科室 / 落实单位 → responsible. Unit names are kept as
//! written, split on `、` `,` `;` (and spaces inside labelled values and table cells, never inside
//! brackets), with a trailing 等部门 / 等单位 dropped.

use std::sync::LazyLock;

use regex::Regex;

use super::text::{is_close, is_open};

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Roles {
    pub lead: Vec<String>,
    pub co: Vec<String>,
    pub responsible: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Lead,
    Co,
    Responsible,
}

impl Roles {
    pub fn push(&mut self, role: Role, unit: String) {
        let v = match role {
            Role::Lead => &mut self.lead,
            Role::Co => &mut self.co,
            Role::Responsible => &mut self.responsible,
        };
        if !v.contains(&unit) {
            v.push(unit);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lead.is_empty() && self.co.is_empty() && self.responsible.is_empty()
    }

    fn extend(&mut self, other: Roles) {
        for u in other.lead {
            self.push(Role::Lead, u);
        }
        for u in other.co {
            self.push(Role::Co, u);
        }
        for u in other.responsible {
            self.push(Role::Responsible, u);
        }
    }
}

const UNIT_SUFFIXES: &[&str] = &[
    "局", "委", "办", "府", "厅", "部", "室", "院", "会", "中心", "集团", "公司", "门", "行", "队",
    "所", "站", "处", "科", "社", "馆", "台", "组", "署", "庭", "街道", "镇", "乡", "单位", "机关",
    "区", "县", "市", "省", "联", "企业", "学校", "大学", "片区", "各地", "各级", "股", "园", "校",
    "司", "关", "村", "社区", "监狱",
];

/// Whether a name ends like a unit (局, 委, 办, 政府, 部门, 中心, …).
pub fn has_unit_suffix(s: &str) -> bool {
    let mut s = s.trim();
    // 各县(市、区)  市发展改革委(市物价局)
    while s.ends_with(is_close) {
        match s.rfind(is_open) {
            Some(i) if i > 0 => s = &s[..i],
            _ => break,
        }
        if UNIT_SUFFIXES.iter().any(|x| s.ends_with(x)) {
            return true;
        }
    }
    UNIT_SUFFIXES.iter().any(|x| s.ends_with(x))
}

const NOT_IN_UNIT: &[&str] = &[
    "反馈", "考核", "情况", "纳入", "完成", "年底", "月底", "要求", "时限", "之前", "以前", "日前",
    "报送", "上报", "。", "简称", "除外", "包括", "以下", "其中",
];

/// A trailing `等有关处室(单位)` / `等相关科室` after a list of units.
static GENERIC_TAIL: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"等(?:[市区县省])?(?:有关|相关|其他)?(?:[市区县省]直)?(?:部门|单位|处室|科室|机构|处|科)(?:\([^()]*\))?$",
    )
});

static DATEISH: LazyLock<Regex> = LazyLock::new(|| crate::re::compile(r"\d+\s*[年月日]"));

/// Whether a piece of text can be a unit name.
pub fn is_unit_like(s: &str) -> bool {
    let n = s.chars().count();
    (2..=40).contains(&n)
        && s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
        && !NOT_IN_UNIT.iter().any(|w| s.contains(w))
        && !DATEISH.is_match(s)
}

/// Splits at top-level separators (not inside brackets).
pub fn split_top(s: &str, seps: &[char]) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in s.chars() {
        if is_open(c) {
            depth += 1;
        } else if is_close(c) && depth > 0 {
            depth -= 1;
        }
        if depth == 0 && seps.contains(&c) {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

/// A unit name as written, without leading 由 and trailing 等部门.
pub fn clean_unit(s: &str) -> String {
    let mut s = s.trim().trim_matches(['。', ',', ';', ':', ' ', '“', '”']);
    for p in ["分别由", "均由", "由", "请"] {
        if let Some(r) = s.strip_prefix(p) {
            s = r;
        }
    }
    if let Some(m) = GENERIC_TAIL.find(s) {
        s = &s[..m.start()];
    }
    for suf in [
        "等相关部门",
        "等有关部门",
        "等相关单位",
        "等有关单位",
        "等部门",
        "等单位",
        "等",
    ] {
        if let Some(r) = s.strip_suffix(suf) {
            s = r;
            break;
        }
    }
    s.trim().to_owned()
}

/// Splits a list of units (`市财政局、市物价局等部门`).
pub fn split_units(s: &str, spaces_separate: bool) -> Vec<String> {
    let seps: &[char] = if spaces_separate {
        &['、', ',', ';', ' ', '/']
    } else {
        &['、', ',', ';']
    };
    split_top(s, seps)
        .iter()
        .map(|u| clean_unit(u))
        .filter(|u| is_unit_like(u))
        .collect()
}

const MARKERS: &[&str] = &[
    "参照落实",
    "参照执行",
    "按照职责分工",
    "按职责分工",
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
    "会同",
    "共同",
    "具体",
    "承办",
    "主办",
    "组织实施",
];

fn role_of(marker_text: &str) -> Role {
    if marker_text.contains("牵头") || marker_text.contains("主办") {
        Role::Lead
    } else if ["配合", "协助", "协办", "参与"]
        .iter()
        .any(|w| marker_text.contains(w))
    {
        Role::Co
    } else {
        Role::Responsible
    }
}

/// Where the first role word (牵头, 配合, 负责, …) of a text starts.
pub fn first_role_marker(s: &str) -> Option<usize> {
    first_marker(s)
}

fn first_marker(s: &str) -> Option<usize> {
    MARKERS.iter().filter_map(|m| s.find(m)).min()
}

static BRACKETED_ROLE: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"^(.+?)[((【\[](牵头|主办|牵头单位|牵头部门|配合|协办|配合单位|参与|责任单位|负责)[))】\]]$",
    )
});

fn bracketed_role(piece: &str) -> Option<(String, Role)> {
    let c = BRACKETED_ROLE.captures(piece)?;
    let unit = clean_unit(&c[1]);
    is_unit_like(&unit).then(|| (unit, role_of(&c[2])))
}

/// Roles in an unlabelled clause (`市财政局牵头、市物价局配合落实。6月30日反馈…`).
pub fn parse_plain_roles(s: &str, default: Role) -> Roles {
    let mut roles = Roles::default();
    let mut pending: Vec<String> = Vec::new();
    let mut queue: Vec<String> = split_top(s, &['、', ',', ';', '。'])
        .into_iter()
        .rev()
        .collect();
    let mut after_huitong = false;
    while let Some(piece) = queue.pop() {
        let piece = piece.trim().to_owned();
        if piece.is_empty() {
            continue;
        }
        // `市发改委(牵头)`: the role in brackets belongs to that unit alone
        if let Some((unit, role)) = bracketed_role(&piece) {
            roles.push(role, unit);
            continue;
        }
        match first_marker(&piece) {
            Some(pos) => {
                let unit = clean_unit(&piece[..pos]);
                let rest = &piece[pos..];
                if !unit.is_empty() {
                    if is_unit_like(&unit) {
                        pending.push(unit);
                    } else {
                        continue;
                    }
                }
                if pending.is_empty() {
                    continue;
                }
                if let Some(after) = rest.strip_prefix("会同") {
                    for u in pending.drain(..) {
                        roles.push(Role::Lead, u);
                    }
                    after_huitong = true;
                    queue.push(after.to_owned());
                    continue;
                }
                let role = if after_huitong {
                    Role::Co
                } else {
                    role_of(rest)
                };
                for u in pending.drain(..) {
                    roles.push(role, u);
                }
            }
            None => {
                let unit = clean_unit(&piece);
                if is_unit_like(&unit) {
                    pending.push(unit);
                }
            }
        }
    }
    let leftover = if default == Role::Responsible && !roles.lead.is_empty() {
        Role::Co
    } else {
        default
    };
    for u in pending {
        roles.push(leftover, u);
    }
    roles
}

/// A label of a labelled clause or a table column and the role it gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Role(Role),
    Deadline,
    Other,
}

pub static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    crate::re::compile(
        r"(牵头单位|牵头部门|牵头科室|牵头处室|牵头领导|主办单位|主责单位|主责部门|责任单位|责任部门|责任科室|责任处室|责任主体|责任领导|分管领导|落实单位|承办单位|实施单位|实施主体|配合单位|配合部门|协办单位|协助单位|参与单位|完成时限|完成时间|时间要求|时限要求|时间节点|时间安排|进度安排|办结时限)\s*[::]",
    )
});

pub fn label_kind(label: &str) -> Label {
    if label.contains("领导") {
        Label::Other
    } else if label.starts_with("牵头") || label.starts_with("主办") || label.starts_with("主责")
    {
        Label::Role(Role::Lead)
    } else if ["配合", "协办", "协助", "参与"]
        .iter()
        .any(|w| label.starts_with(w))
    {
        Label::Role(Role::Co)
    } else if ["责任", "落实", "承办", "实施"]
        .iter()
        .any(|w| label.starts_with(w))
    {
        Label::Role(Role::Responsible)
    } else {
        Label::Deadline
    }
}

/// `(label, value)` pairs of a labelled clause, in order.
pub fn labelled_fields(s: &str) -> Vec<(String, String)> {
    let hits: Vec<(usize, usize, String)> = LABEL
        .captures_iter(s)
        .map(|c| {
            let m = c.get(0).map_or((0, 0), |m| (m.start(), m.end()));
            (m.0, m.1, c[1].to_owned())
        })
        .collect();
    hits.iter()
        .enumerate()
        .map(|(k, (_, end, label))| {
            let stop = hits.get(k + 1).map_or(s.len(), |h| h.0);
            let v = s[*end..stop]
                .trim()
                .trim_end_matches([';', ',', '。', ' ', ':'])
                .trim();
            (label.clone(), v.to_owned())
        })
        .collect()
}

/// Units of a value given a role by its label or column (`市发改委牵头,市财政局配合` parses the
/// roles inside).
pub fn roles_of_value(value: &str, role: Role) -> Roles {
    if first_marker(value).is_some() {
        let r = parse_plain_roles(value, role);
        if !r.is_empty() {
            return r;
        }
    }
    let mut roles = Roles::default();
    for u in split_units(value, true) {
        roles.push(role, u);
    }
    roles
}

/// Roles named by a clause: labelled (`牵头单位:…;责任单位:…`) or plain (`…牵头、…配合落实`).
pub fn parse_roles(clause: &str) -> Roles {
    let fields = labelled_fields(clause);
    if fields.is_empty() {
        return parse_plain_roles(clause, Role::Responsible);
    }
    let mut roles = Roles::default();
    // text before the first label may itself name units (`市发改委牵头;完成时限:…`)
    if let Some(first) = LABEL.find(clause)
        && first.start() > 0
    {
        roles.extend(parse_plain_roles(
            &clause[..first.start()],
            Role::Responsible,
        ));
    }
    for (label, value) in fields {
        if let Label::Role(role) = label_kind(&label) {
            roles.extend(roles_of_value(&value, role));
        }
    }
    roles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> (Vec<String>, Vec<String>, Vec<String>) {
        let x = parse_roles(s);
        (x.lead, x.co, x.responsible)
    }

    fn v(x: &[&str]) -> Vec<String> {
        x.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn lead_and_co() {
        assert_eq!(
            r("市财政局牵头、市物价局配合落实。6月30日反馈落实情况,纳入年底绩效考核"),
            (v(&["市财政局"]), v(&["市物价局"]), v(&[]))
        );
    }

    #[test]
    fn each_leads() {
        assert_eq!(
            r("市政府办公室,市发改委、市财政局按职责分工分别牵头落实。6月30日反馈落实情况"),
            (v(&["市政府办公室", "市发改委", "市财政局"]), v(&[]), v(&[]))
        );
    }

    #[test]
    fn responsible_and_etc_dropped() {
        assert_eq!(
            r("市编办、市物价局等部门牵头落实"),
            (v(&["市编办", "市物价局"]), v(&[]), v(&[]))
        );
        assert_eq!(
            r("市工商局牵头,市政府相关部门落实。6月30日反馈落实情况"),
            (v(&["市工商局"]), v(&[]), v(&["市政府相关部门"]))
        );
        assert_eq!(
            r("市财政局、市发改委分别负责落实"),
            (v(&[]), v(&[]), v(&["市财政局", "市发改委"]))
        );
        assert_eq!(
            r("由市财政局会同市发改委负责"),
            (v(&["市财政局"]), v(&["市发改委"]), v(&[]))
        );
    }

    #[test]
    fn labelled() {
        assert_eq!(
            r(
                "牵头单位:市发展改革委(市物价局);责任单位:各县区政府、市直各部门;完成时限:2022年6月底前"
            ),
            (
                v(&["市发展改革委(市物价局)"]),
                v(&[]),
                v(&["各县区政府", "市直各部门"])
            )
        );
        assert_eq!(
            r("责任单位:市发改委牵头,市财政局配合"),
            (v(&["市发改委"]), v(&["市财政局"]), v(&[]))
        );
        assert_eq!(
            r("责任科室:办公室 政策法规科"),
            (v(&[]), v(&[]), v(&["办公室", "政策法规科"]))
        );
    }

    #[test]
    fn brackets_protect_separators() {
        assert_eq!(
            split_units("各县(市、区)政府、市直各部门", false),
            v(&["各县(市、区)政府", "市直各部门"])
        );
    }
}
