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

/// Removes scripts, event handlers, classes, fonts, colours and unsafe URLs; keeps the structure
/// of official documents (headings, paragraphs, lists, tables, links, images) and, from `style`,
/// only [`ALLOWED_STYLE`] with values checked by [`clean_style`]. Word's markup （`mso-` classes
/// and styles, `<o:p>`, conditional comments, `<font>`） goes with the rest. An image keeps its
/// `src` only when it is a path on this site ([`is_local_image`]): external images never load.
pub fn sanitize(html: &str) -> String {
    let html = without_word_list_bullets(html);
    ammonia::Builder::default()
        .add_generic_attributes(["align", "style"])
        .add_tag_attributes("td", ["colspan", "rowspan"])
        .add_tag_attributes("th", ["colspan", "rowspan"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into())
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            (_, "style") => clean_style(value).map(Into::into),
            ("img", "src") => is_local_image(value).then(|| value.into()),
            _ => Some(value.into()),
        })
        .clean(&html)
        .to_string()
}

/// Word writes the bullet or number of each list paragraph as text between
/// `<![if !supportLists]>` and `<![endif]>` (or the same in comment form); without Word's styles
/// it would show as a stray letter. The markers and what they hold go.
fn without_word_list_bullets(html: &str) -> std::borrow::Cow<'_, str> {
    const OPENERS: [&str; 2] = ["<![if !supportLists]>", "<!--[if !supportLists]-->"];
    const CLOSERS: [&str; 2] = ["<![endif]>", "<!--[endif]-->"];
    if !OPENERS.iter().any(|o| html.contains(o)) {
        return html.into();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some((at, opener)) = OPENERS
        .iter()
        .filter_map(|o| rest.find(o).map(|at| (at, *o)))
        .min_by_key(|(at, _)| *at)
    {
        out.push_str(&rest[..at]);
        let after = &rest[at + opener.len()..];
        match CLOSERS
            .iter()
            .filter_map(|c| after.find(c).map(|end| end + c.len()))
            .min()
        {
            Some(end) => rest = &after[end..],
            None => {
                rest = after;
                break;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// The CSS properties a body keeps: alignment and first-line indentation, nothing else.
pub const ALLOWED_STYLE: [&str; 2] = ["text-align", "text-indent"];

/// The part of a `style` attribute that may stay: `text-align` of left, center, right or
/// justify, and a `text-indent` of 0 to 10em, 200px or 150pt; `None` when nothing is left.
pub fn clean_style(style: &str) -> Option<String> {
    let mut kept: Vec<String> = Vec::new();
    for decl in style.split(';') {
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        let prop = prop.trim().to_ascii_lowercase();
        let value = value.trim().to_ascii_lowercase();
        let ok = match prop.as_str() {
            "text-align" => matches!(value.as_str(), "left" | "center" | "right" | "justify"),
            "text-indent" => indent_ok(&value),
            _ => false,
        };
        if ok && !kept.iter().any(|k| k.starts_with(&format!("{prop}:"))) {
            kept.push(format!("{prop}: {value}"));
        }
    }
    (!kept.is_empty()).then(|| kept.join("; ") + ";")
}

/// A first-line indent: a plain non-negative number (at most two decimals) in em, px or pt,
/// within a bound that keeps the text on the page.
fn indent_ok(value: &str) -> bool {
    let (number, max) = if let Some(n) = value.strip_suffix("em") {
        (n, 10.0)
    } else if let Some(n) = value.strip_suffix("px") {
        (n, 200.0)
    } else if let Some(n) = value.strip_suffix("pt") {
        (n, 150.0)
    } else {
        return value == "0";
    };
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits =
        |s: &str, max_len: usize| s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() || !digits(int, 3) || !digits(frac, 2) {
        return false;
    }
    number
        .parse::<f64>()
        .is_ok_and(|n| (0.0..=max).contains(&n))
}

/// Whether an image source is a path on this site (`/images/12`): not a URL with a scheme or
/// a host （`http://…`, `//host/…`, `data:`, `file:`）.
pub fn is_local_image(src: &str) -> bool {
    let src = src.trim();
    src.starts_with('/') && !src.starts_with("//") && !src.starts_with("/\\")
}

/// The sources of the images in a body that are not on this site (external pictures, files
/// pasted from a local disk), in order, for the Chinese message that refuses them on save.
pub fn foreign_images(format: BodyFormat, source: &str) -> Vec<String> {
    let html = match format {
        BodyFormat::Markdown => markdown_to_html(source),
        BodyFormat::Html => source.to_string(),
    };
    if !html.contains("<img") && !html.contains("<IMG") {
        return Vec::new();
    }
    let found = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = found.clone();
    ammonia::Builder::default()
        // Sources the sanitizer drops by scheme are reported too: pictures pasted from a disk
        // or a mail, inline data.
        .add_url_schemes(["file", "data", "blob", "cid", "webkit-fake-url"])
        .attribute_filter(move |element, attribute, value| {
            if element == "img"
                && attribute == "src"
                && !is_local_image(value)
                && let Ok(mut v) = sink.lock()
            {
                v.push(value.to_string());
            }
            Some(value.into())
        })
        .clean(&html);
    found.lock().map(|v| v.clone()).unwrap_or_default()
}

/// The ids of this site's body images (`/images/{id}`) a sanitized body shows, without repeats.
pub fn body_image_ids(html: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for (at, _) in html.match_indices("src=\"/images/") {
        let rest = &html[at + "src=\"/images/".len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if rest[digits.len()..].starts_with('"')
            && let Ok(id) = digits.parse::<i64>()
            && !ids.contains(&id)
        {
            ids.push(id);
        }
    }
    ids
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

    /// The shape Word puts on the clipboard and in 「另存为网页」 (Save as Web Page): mso classes and styles,
    /// `<o:p>`, conditional comments, fonts, colours, VML and a picture from the local disk.
    const WORD: &str = include_str!("../testdata/word-paste.html");

    #[test]
    fn word_paste_keeps_tables_alignment_and_indentation_only() {
        let html = sanitize(WORD);
        for gone in [
            "mso",
            "Mso",
            "o:p",
            "<font",
            "font-family",
            "font-size",
            "color",
            "background",
            "line-height",
            "<style",
            "StartFragment",
            "supportLists",
            "v:shape",
            "file:",
            "margin",
            "border",
            "width:",
            "expression",
            "9999",
        ] {
            assert!(!html.contains(gone), "{gone} left in {html}");
        }
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains(r#"<td colspan="2""#), "{html}");
        assert!(
            html.contains(r#"<p align="center" style="text-align: center;"><b><span>关于开展政务公开专项检查的通知"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<p style="text-indent: 32.0pt;"><span>各县区人民政府"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<p align="right" style="text-align: right;">"#),
            "{html}"
        );
        assert!(
            html.contains(r#"<p style="text-indent: 2em; text-align: justify;">按季度"#),
            "{html}"
        );
        // The negative indent of Word's fake list bullet is not kept; the text is.
        assert!(!html.contains("-21"), "{html}");
        assert!(
            html.contains("<p>检查时间为"),
            "Word's list bullet goes: {html}"
        );
        // A picture from the local disk loses its source, and the save refuses it by name.
        assert!(html.contains("<img"), "{html}");
        assert!(!html.contains("src="), "{html}");
        let foreign = foreign_images(BodyFormat::Html, WORD);
        assert_eq!(foreign.len(), 1, "{foreign:?}");
        assert!(foreign[0].starts_with("file:///C:/"));
    }

    #[test]
    fn word_list_bullets_go_in_both_marker_forms() {
        assert_eq!(
            sanitize(
                "<p><!--[if !supportLists]--><span>1.<span>&nbsp;</span></span><!--[endif]-->第一条</p><p><![if !supportLists]>·<![endif]>第二条</p>"
            ),
            "<p>第一条</p><p>第二条</p>"
        );
        // An opener without its end keeps the text after it.
        assert_eq!(
            sanitize("<p><![if !supportLists]>第三条</p>"),
            "<p>第三条</p>"
        );
    }

    #[test]
    fn style_values_are_checked_one_by_one() {
        assert_eq!(
            clean_style("text-align:center"),
            Some("text-align: center;".into())
        );
        assert_eq!(
            clean_style("TEXT-ALIGN: Left ; color:red"),
            Some("text-align: left;".into())
        );
        assert_eq!(
            clean_style("text-indent: 2em;"),
            Some("text-indent: 2em;".into())
        );
        assert_eq!(
            clean_style("text-indent:21.0pt"),
            Some("text-indent: 21.0pt;".into())
        );
        assert_eq!(
            clean_style("text-indent:28px"),
            Some("text-indent: 28px;".into())
        );
        assert_eq!(clean_style("text-indent:0"), Some("text-indent: 0;".into()));
        for bad in [
            "text-align:start",
            "text-align:center!important",
            "text-align:url(x)",
            "text-indent:-2em",
            "text-indent:11em",
            "text-indent:201px",
            "text-indent:1e2pt",
            "text-indent:2.125em",
            "text-indent:2cm",
            "text-indent:calc(2em)",
            "text-indent:2em/**/",
            "color:red",
            "background:url(javascript:alert(1))",
            "",
        ] {
            assert_eq!(clean_style(bad), None, "{bad}");
        }
        // The first of repeated properties wins; the rest go.
        assert_eq!(
            clean_style("text-align:left;text-align:right"),
            Some("text-align: left;".into())
        );
    }

    #[test]
    fn only_images_of_this_site_keep_their_source() {
        let html = sanitize(
            r#"<img src="/images/7" alt="图"><img src="https://evil.example/x.png"><img src="//evil.example/y.png"><img src="/\evil.example/z.png"><img src="data:image/png;base64,AAAA">"#,
        );
        assert_eq!(html.matches("src=").count(), 1, "{html}");
        assert!(html.contains(r#"<img src="/images/7" alt="图">"#), "{html}");
        assert_eq!(body_image_ids(&html), vec![7]);
        assert_eq!(
            foreign_images(
                BodyFormat::Markdown,
                "![图](http://other.example/a.png) ![本站](/images/3)"
            ),
            vec!["http://other.example/a.png".to_string()]
        );
        assert!(foreign_images(BodyFormat::Html, r#"<p><img src="/images/3"></p>"#).is_empty());
        assert_eq!(
            body_image_ids(
                r#"<img src="/images/3"><img src="/images/3"><img src="/images/12x"><img src="/images/4">"#
            ),
            vec![3, 4]
        );
    }

    #[test]
    fn plain_text_and_summary() {
        let t = plain_text("<p>盘锦市&amp;政务</p>\n<p>公开</p>");
        assert_eq!(t, "盘锦市&政务 公开");
        assert_eq!(summarize("一二三四五", 3), "一二…");
        assert_eq!(summarize("一二", 3), "一二");
    }
}
