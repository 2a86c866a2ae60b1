//! 索引号 (catalogue index numbers) generated from a configurable pattern such as
//! `{credit_code}/{year}-{seq:05}`. No national format exists (china-rules.md §3), so the pattern
//! is configuration. The serial counts per *scope*: the number rendered with the serial left out,
//! so `{org_code}/{year}-{seq}` restarts each year per organisation and `{year}{month}` per month.

use crate::Invalid;

pub const DEFAULT_PATTERN: &str = "{org_code}/{year}-{seq:05}";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Literal(String),
    CreditCode,
    OrgCode,
    Year,
    Month,
    Seq { width: usize },
}

/// A checked pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexPattern {
    source: String,
    parts: Vec<Part>,
}

/// What a number is rendered from.
#[derive(Debug, Clone)]
pub struct IndexInputs<'a> {
    pub credit_code: Option<&'a str>,
    pub org_code: &'a str,
    pub year: i32,
    pub month: u32,
}

impl IndexPattern {
    pub fn parse(source: &str) -> Result<Self, Invalid> {
        let err = |m: String| Invalid::one("index_pattern", m);
        let source = source.trim();
        if source.is_empty() {
            return Err(err("请填写索引号规则".into()));
        }
        if source.chars().count() > 64 {
            return Err(err("索引号规则不能超过64个字符".into()));
        }
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = source.chars();
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    let mut token = String::new();
                    let mut closed = false;
                    for t in chars.by_ref() {
                        if t == '}' {
                            closed = true;
                            break;
                        }
                        token.push(t);
                    }
                    if !closed {
                        return Err(err("索引号规则中的“{”没有对应的“}”".into()));
                    }
                    if !literal.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut literal)));
                    }
                    parts.push(parse_token(&token).map_err(err)?);
                }
                '}' => return Err(err("索引号规则中的“}”没有对应的“{”".into())),
                c if c.is_whitespace() => return Err(err("索引号规则不能包含空格".into())),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            parts.push(Part::Literal(literal));
        }
        let seqs = parts
            .iter()
            .filter(|p| matches!(p, Part::Seq { .. }))
            .count();
        if seqs != 1 {
            return Err(err(
                "索引号规则须包含且只包含一个流水号 {seq} 或 {seq:05}".into()
            ));
        }
        Ok(Self {
            source: source.to_string(),
            parts,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    pub fn needs_credit_code(&self) -> bool {
        self.parts.contains(&Part::CreditCode)
    }

    /// The counter scope: the number with the serial left out.
    pub fn scope(&self, inputs: &IndexInputs<'_>) -> Result<String, Invalid> {
        self.render_with(inputs, "#")
    }

    /// The full number for serial `seq`.
    pub fn render(&self, inputs: &IndexInputs<'_>, seq: u64) -> Result<String, Invalid> {
        let width = self
            .parts
            .iter()
            .find_map(|p| match p {
                Part::Seq { width } => Some(*width),
                _ => None,
            })
            .unwrap_or(1);
        self.render_with(inputs, &format!("{seq:0width$}"))
    }

    fn render_with(&self, inputs: &IndexInputs<'_>, seq: &str) -> Result<String, Invalid> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(s) => out.push_str(s),
                Part::CreditCode => match inputs.credit_code.filter(|c| !c.trim().is_empty()) {
                    Some(c) => out.push_str(c.trim()),
                    None => {
                        return Err(Invalid::one(
                            "org_id",
                            "发布机构未登记统一社会信用代码，无法按索引号规则生成索引号；请先在机构管理中补充",
                        ));
                    }
                },
                Part::OrgCode => out.push_str(inputs.org_code),
                Part::Year => out.push_str(&format!("{:04}", inputs.year)),
                Part::Month => out.push_str(&format!("{:02}", inputs.month)),
                Part::Seq { .. } => out.push_str(seq),
            }
        }
        Ok(out)
    }
}

fn parse_token(token: &str) -> Result<Part, String> {
    let (name, arg) = match token.split_once(':') {
        Some((n, a)) => (n, Some(a)),
        None => (token, None),
    };
    let no_arg = |p: Part| match arg {
        None => Ok(p),
        Some(_) => Err(format!("索引号规则中的 {{{name}}} 不接受参数")),
    };
    match name {
        "credit_code" => no_arg(Part::CreditCode),
        "org_code" => no_arg(Part::OrgCode),
        "year" => no_arg(Part::Year),
        "month" => no_arg(Part::Month),
        "seq" => {
            let width = match arg {
                None => 1,
                Some(a) => a
                    .parse::<usize>()
                    .ok()
                    .filter(|w| (1..=10).contains(w))
                    .ok_or_else(|| "流水号位数须为1至10，例如 {seq:05}".to_string())?,
            };
            Ok(Part::Seq { width })
        }
        other => Err(format!(
            "索引号规则中有无法识别的项 {{{other}}}；可用项为 {{credit_code}} {{org_code}} {{year}} {{month}} {{seq:05}}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> IndexInputs<'static> {
        IndexInputs {
            credit_code: Some("11441700007280420Y"),
            org_code: "PJ0007",
            year: 2021,
            month: 3,
        }
    }

    #[test]
    fn renders_gov_cn_style_numbers() {
        let p = IndexPattern::parse("{credit_code}/{year}-{seq:05}").unwrap();
        assert_eq!(
            p.render(&inputs(), 50).unwrap(),
            "11441700007280420Y/2021-00050"
        );
        assert_eq!(p.scope(&inputs()).unwrap(), "11441700007280420Y/2021-#");
        let p = IndexPattern::parse("{credit_code}/{year}{month}-{seq:05}").unwrap();
        assert_eq!(
            p.render(&inputs(), 13).unwrap(),
            "11441700007280420Y/202103-00013"
        );
    }

    #[test]
    fn the_default_pattern_is_valid() {
        let p = IndexPattern::parse(DEFAULT_PATTERN).unwrap();
        assert_eq!(p.render(&inputs(), 7).unwrap(), "PJ0007/2021-00007");
    }

    #[test]
    fn rejects_bad_patterns_with_reasons() {
        for bad in [
            "",
            "{year}",
            "{seq}{seq}",
            "{year-{seq}",
            "{foo}/{seq}",
            "{seq:0}",
            "{seq:99}",
            "a }{seq}",
            "{year:2}{seq}",
            "a b{seq}",
        ] {
            let e = IndexPattern::parse(bad).unwrap_err();
            assert!(!e.summary().is_empty(), "{bad}");
        }
    }

    #[test]
    fn missing_credit_code_is_a_clear_error() {
        let p = IndexPattern::parse("{credit_code}/{year}-{seq:05}").unwrap();
        let mut i = inputs();
        i.credit_code = None;
        assert!(
            p.render(&i, 1)
                .unwrap_err()
                .summary()
                .contains("统一社会信用代码")
        );
    }
}
