//! Item bodies: Markdown or pasted rich text in, sanitized HTML out. **Everything shown as HTML
//! passes through [`sanitize`]**; templates never mark unsanitized input safe.

use crate::model::BodyFormat;

/// Converts a body to safe HTML.
pub fn render_body(format: BodyFormat, source: &str) -> String {
    match format {
        BodyFormat::Markdown => sanitize(&markdown_to_html(source)),
        BodyFormat::Html => sanitize(source),
    }
}

fn markdown_to_html(source: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(source.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(source, opts));
    out
}

/// Removes scripts, event handlers, styles and unsafe URLs; keeps the structure of official
/// documents (headings, paragraphs, lists, tables, links, images).
pub fn sanitize(html: &str) -> String {
    ammonia::Builder::default()
        .add_generic_attributes(["align"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into())
        .clean(html)
        .to_string()
}

/// Plain text of a body for summaries and, later, search: tags dropped, whitespace collapsed.
pub fn plain_text(html: &str) -> String {
    gongkai_extract::html::fragment_text(html)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A summary of at most `max` characters, cut at a character boundary with an ellipsis.
pub fn summarize(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_sanitized() {
        let html = render_body(
            BodyFormat::Markdown,
            "# 标题\n\n正文<script>alert(1)</script>",
        );
        assert!(html.contains("<h1>标题</h1>"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn pasted_html_loses_handlers_and_javascript_urls() {
        let html = render_body(
            BodyFormat::Html,
            r#"<p onclick="x()" style="color:red">文</p><a href="javascript:alert(1)">链</a><table><tr><td colspan="2">格</td></tr></table>"#,
        );
        assert!(!html.contains("onclick"));
        assert!(!html.contains("javascript:"));
        assert!(!html.contains("style="));
        assert!(html.contains(r#"colspan="2""#));
    }

    #[test]
    fn plain_text_and_summary() {
        let t = plain_text("<p>盘锦市&amp;政务</p>\n<p>公开</p>");
        assert_eq!(t, "盘锦市&政务 公开");
        assert_eq!(summarize("一二三四五", 3), "一二…");
        assert_eq!(summarize("一二", 3), "一二");
    }
}
