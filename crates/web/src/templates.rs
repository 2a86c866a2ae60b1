//! minijinja templates: embedded defaults, **overridable by name** from a theme directory (as zola
//! does). Auto-escaping is on for `.html`; bodies are sanitized before they are marked safe.

use crate::AppError;
use axum::response::Html;
use minijinja::{Environment, Value};
use std::path::PathBuf;

static EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/templates.rs"));

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    pub fn new(theme_dir: Option<PathBuf>) -> Result<Self, AppError> {
        let mut env = Environment::new();
        env.set_loader(move |name: &str| {
            if let Some(dir) = &theme_dir
                && !name.contains("..")
            {
                let p = dir.join(name);
                if p.is_file() {
                    return std::fs::read_to_string(&p).map(Some).map_err(|e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("{}: {e}", p.display()),
                        )
                    });
                }
            }
            Ok(EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| (*s).to_string()))
        });
        env.set_formatter(format_value);
        env.add_filter("datetime", |ms: Option<i64>| {
            format_ms(ms, "%Y-%m-%d %H:%M")
        });
        env.add_filter("date", |ms: Option<i64>| format_ms(ms, "%Y-%m-%d"));
        env.add_filter("filesize", filesize);
        env.add_function("page_url", page_url);
        env.add_function("csrf_field", csrf_field);
        env.add_function("care_mode", crate::portal::care::care_mode);
        env.add_function("care_switch_href", crate::portal::care::care_switch_href);
        Ok(Self { env })
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<Html<String>, AppError> {
        let t = self.env.get_template(name)?;
        Ok(Html(t.render(ctx)?))
    }

    /// Names of the embedded templates (for checks and docs).
    pub fn embedded_names() -> impl Iterator<Item = &'static str> {
        EMBEDDED.iter().map(|(n, _)| *n)
    }
}

/// Prints template values: `none` and undefined print nothing (not "none"), and HTML escaping
/// covers `& < > " '` only, so paths such as 索引号 `PJ0008/2017-00001` stay readable in the source.
fn format_value(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    let fmt_err = |e: std::fmt::Error| {
        minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string())
    };
    if value.is_none() || value.is_undefined() {
        return Ok(());
    }
    if matches!(state.auto_escape(), minijinja::AutoEscape::Html) && !value.is_safe() {
        let text = match value.as_str() {
            Some(s) => crate::error::escape(s),
            None => crate::error::escape(&value.to_string()),
        };
        return out.write_str(&text).map_err(fmt_err);
    }
    minijinja::escape_formatter(out, state, value)
}

/// Formats epoch milliseconds in China Standard Time.
pub fn format_ms(ms: Option<i64>, fmt: &str) -> String {
    ms.map(|ms| gongkai_domain::china_time::format(ms, fmt))
        .unwrap_or_default()
}

fn filesize(bytes: i64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MB", b as f64 / 1024.0 / 1024.0),
        b if b >= 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{b} 字节"),
    }
}

/// `{{ csrf_field() }}`: **the one place a form's CSRF token is written**, the hidden input
/// `csrf_token` holding the page's `csrf_token` (see `crate::csrf`). Put it first in every form
/// that posts, so the middleware finds it at once in a multipart body.
fn csrf_field(state: &minijinja::State) -> Value {
    let token = state
        .lookup("csrf_token")
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    Value::from_safe_string(format!(
        r#"<input type="hidden" name="csrf_token" value="{}">"#,
        crate::error::escape(&token)
    ))
}

/// `page_url(base, page)`: appends or replaces `page=` in a URL that may already have a query.
fn page_url(base: String, page: i64) -> String {
    let (path, query) = base.split_once('?').unwrap_or((&base, ""));
    let mut parts: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("page="))
        .map(str::to_string)
        .collect();
    parts.push(format!("page={page}"));
    format!("{path}?{}", parts.join("&"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_shown_in_china() {
        // 2017-06-04T16:00:00Z is 2017-06-05 00:00 in Beijing.
        assert_eq!(
            super::format_ms(Some(1_496_592_000_000), "%Y-%m-%d %H:%M"),
            "2017-06-05 00:00"
        );
    }

    /// Every embedded template parses, with every template it extends, includes or imports: a
    /// syntax error or a missing name fails here, not on the first request to that page.
    #[test]
    fn every_embedded_template_compiles() {
        let t = super::Templates::new(None).expect("environment");
        let names: Vec<&str> = super::Templates::embedded_names()
            .filter(|n| n.ends_with(".html"))
            .collect();
        assert!(names.len() > 50, "templates were embedded: {}", names.len());
        let mut broken = Vec::new();
        for name in &names {
            if let Err(e) = t.env.get_template(name) {
                broken.push(format!("{name}: {e:#}"));
            }
        }
        let refs = template_refs(&names);
        for (name, dep) in refs {
            if t.env.get_template(&dep).is_err() {
                broken.push(format!(
                    "{name}: names a template that does not exist: {dep}"
                ));
            }
        }
        assert!(
            broken.is_empty(),
            "templates that do not compile:\n{}",
            broken.join("\n")
        );
    }

    /// `{% extends "x" %}`, `{% include "x" %}`, `{% import "x" as m %}` and `{% from "x" import …%}`
    /// of each embedded template.
    /// The back-office layout shows the page's `notice` (its status line) itself: a page that
    /// shows it again makes screen readers announce it twice.
    #[test]
    fn the_admin_layout_alone_shows_the_notice() {
        let twice: Vec<&str> = super::EMBEDDED
            .iter()
            .filter(|(_, src)| {
                src.contains("{% extends \"layout_admin.html\" %}") && src.contains("{{ notice }}")
            })
            .map(|(n, _)| *n)
            .collect();
        assert!(
            twice.is_empty(),
            "pages showing the notice twice: {twice:?}"
        );
        let layout = super::EMBEDDED
            .iter()
            .find(|(n, _)| *n == "layout_admin.html")
            .map(|(_, s)| *s)
            .unwrap_or_default();
        assert!(layout.contains("{{ notice }}"));
    }

    fn template_refs(names: &[&str]) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for name in names {
            let Some((_, src)) = super::EMBEDDED.iter().find(|(n, _)| n == name) else {
                continue;
            };
            for tag in src.split("{%").skip(1) {
                let tag = tag.split("%}").next().unwrap_or_default().trim();
                let kw = tag.split_whitespace().next().unwrap_or_default();
                if !matches!(kw, "extends" | "include" | "import" | "from") {
                    continue;
                }
                if let Some(q) = tag.split('"').nth(1) {
                    out.push(((*name).to_owned(), q.to_owned()));
                }
            }
        }
        out
    }

    /// The CSRF field is written from the page's token, also inside macros and included templates.
    #[test]
    fn the_csrf_field_carries_the_page_token() {
        let mut env = minijinja::Environment::new();
        env.add_function("csrf_field", super::csrf_field);
        env.add_template(
            "t.html",
            "{% macro f() %}<form>{{ csrf_field() }}</form>{% endmacro %}{{ csrf_field() }}|{{ f() }}",
        )
        .unwrap();
        let out = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { csrf_token => "ab\"c" })
            .unwrap();
        let field = r#"<input type="hidden" name="csrf_token" value="ab&quot;c">"#;
        assert_eq!(out, format!("{field}|<form>{field}</form>"));
    }

    #[test]
    fn page_urls_keep_filters() {
        assert_eq!(
            super::page_url("/admin/items?status=draft&page=3".into(), 4),
            "/admin/items?status=draft&page=4"
        );
        assert_eq!(
            super::page_url("/columns/zwdt".into(), 2),
            "/columns/zwdt?page=2"
        );
    }
}
