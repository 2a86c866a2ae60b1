//! Field validation with messages in Chinese, shared by forms and the JSON API.

use serde::Serialize;

/// One field that failed validation, with a message for the person who filled it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

/// A rejected input: every problem found, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error, Serialize)]
#[error("{}", self.summary())]
pub struct Invalid {
    pub errors: Vec<FieldError>,
}

impl Invalid {
    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            errors: vec![FieldError {
                field,
                message: message.into(),
            }],
        }
    }

    pub fn push(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `Ok(())` when nothing was pushed, else `Err(self)`.
    pub fn into_result(self) -> Result<(), Invalid> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self)
        }
    }

    pub fn summary(&self) -> String {
        self.errors
            .iter()
            .map(|e| e.message.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    pub fn message_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// Length in characters (not bytes): a Chinese title of 200 characters is 600 bytes.
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Trims and checks a required text field with a maximum length in characters.
pub fn required_text(
    inv: &mut Invalid,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> String {
    let v = value.trim();
    if v.is_empty() {
        inv.push(field, format!("请填写{label}"));
    } else if char_len(v) > max {
        inv.push(
            field,
            format!("{label}不能超过{max}个字（当前{}个字）", char_len(v)),
        );
    }
    v.to_string()
}

/// Trims and checks an optional text field; empty becomes `None`.
pub fn optional_text(
    inv: &mut Invalid,
    field: &'static str,
    label: &str,
    value: &str,
    max: usize,
) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if char_len(v) > max {
        inv.push(
            field,
            format!("{label}不能超过{max}个字（当前{}个字）", char_len(v)),
        );
    }
    Some(v.to_string())
}

/// Parses an optional civil date `YYYY-MM-DD`.
pub fn optional_date(
    inv: &mut Invalid,
    field: &'static str,
    label: &str,
    value: &str,
) -> Option<chrono::NaiveDate> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            inv.push(field, format!("{label}格式应为 年-月-日，例如 2017-06-05"));
            None
        }
    }
}

/// A user name: 3–32 ASCII letters, digits, `.`, `_` or `-`.
pub fn username(inv: &mut Invalid, value: &str) -> String {
    let v = value.trim();
    let ok_chars = v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if v.is_empty() {
        inv.push("username", "请填写登录名");
    } else if !(3..=32).contains(&v.len()) || !ok_chars {
        inv.push("username", "登录名须为3至32位英文字母、数字或 . _ -");
    }
    v.to_string()
}

/// Minimum password rules for government systems (等保 baseline): 10+ chars, letters and digits.
/// An optional e-mail address: empty gives `None`; otherwise one `@` between a non-empty local
/// part and a domain with a dot, no spaces, at most 254 characters.
pub fn optional_email(inv: &mut Invalid, field: &'static str, value: &str) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    let ok = v.len() <= 254
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
        && match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    if ok {
        Some(v.to_string())
    } else {
        inv.push(
            field,
            format!("“{v}”不是有效的电子邮箱地址（例如 gongkai@example.gov.cn）"),
        );
        None
    }
}

/// A URL path segment: lower-case ASCII letters, digits and `-`, 1–64 long.
pub fn slug(inv: &mut Invalid, field: &'static str, value: &str) -> String {
    let v = value.trim();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        inv.push(field, "路径名须为1至64位小写英文字母、数字或连字符");
    }
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_characters_not_bytes() {
        let mut inv = Invalid::default();
        required_text(&mut inv, "title", "标题", &"政".repeat(200), 200);
        assert!(inv.is_empty());
        required_text(&mut inv, "title", "标题", &"政".repeat(201), 200);
        assert_eq!(
            inv.message_for("title"),
            Some("标题不能超过200个字（当前201个字）")
        );
    }

    #[test]
    fn dates_are_strict() {
        let mut inv = Invalid::default();
        assert!(optional_date(&mut inv, "d", "成文日期", "2017-6-5x").is_none());
        assert!(!inv.is_empty());
        let mut inv = Invalid::default();
        assert_eq!(
            optional_date(&mut inv, "d", "成文日期", "2017-06-05"),
            chrono::NaiveDate::from_ymd_opt(2017, 6, 5)
        );
    }

    #[test]
    fn optional_email_accepts_plain_addresses_only() {
        let mut inv = Invalid::default();
        assert_eq!(optional_email(&mut inv, "email", "  "), None);
        assert_eq!(
            optional_email(&mut inv, "email", " zhang@czj.panjin.gov.cn "),
            Some("zhang@czj.panjin.gov.cn".to_string())
        );
        assert!(inv.is_empty());
        for bad in [
            "zhang",
            "@panjin.gov.cn",
            "a@b",
            "a@@b.cn",
            "a b@c.cn",
            "a@b.cn.",
            "<a@b.cn>",
        ] {
            let mut inv = Invalid::default();
            assert_eq!(optional_email(&mut inv, "email", bad), None, "{bad}");
            assert!(
                inv.message_for("email")
                    .is_some_and(|m| m.contains("不是有效的电子邮箱地址"))
            );
        }
    }
}
