//! Small, dependency-free helpers for looking into HTML responses.

/// The `value` of the first `<input … name="{name}" …>` (any attribute order), entity-decoded.
pub fn hidden_input(html: &str, name: &str) -> Option<String> {
    input_tags(html)
        .find(|tag| attr(tag, "name").as_deref() == Some(name))
        .and_then(|tag| attr(tag, "value"))
}

/// Every `<input …>` tag, as its source text.
pub fn input_tags(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices("<input").filter_map(move |(start, _)| {
        let end = html[start..].find('>')?;
        Some(&html[start..start + end + 1])
    })
}

/// The decoded value of attribute `name` in one tag's source (`name="…"` or `name='…'`).
pub fn attr(tag: &str, name: &str) -> Option<String> {
    let mut rest = tag;
    while let Some(pos) = rest.find(name) {
        let before = rest[..pos].chars().last();
        let after = &rest[pos + name.len()..];
        let boundary = matches!(before, Some(c) if c.is_whitespace());
        if let (true, Some(after)) = (boundary, after.trim_start().strip_prefix('=')) {
            let after = after.trim_start();
            let quote = after.chars().next()?;
            if quote == '"' || quote == '\'' {
                let body = &after[1..];
                let end = body.find(quote)?;
                return Some(decode(&body[..end]));
            }
            let end = after
                .find(|c: char| c.is_whitespace() || c == '>')
                .unwrap_or(after.len());
            return Some(decode(after[..end].trim_end_matches('/')));
        }
        rest = &rest[pos + name.len()..];
    }
    None
}

/// Decodes the entities templates emit.
pub fn decode(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&amp;", "&")
}

/// The start of a body, for failure messages.
pub fn excerpt(body: &str) -> String {
    const MAX: usize = 3000;
    if body.chars().count() <= MAX {
        body.to_string()
    } else {
        let cut: String = body.chars().take(MAX).collect();
        format!("{cut}\n… ({} more characters)", body.chars().count() - MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_hidden_inputs_in_any_attribute_order() {
        let html = r#"<form><input type="hidden" name="next" value="/admin">
            <input value='a&amp;b' name="csrf_token" type="hidden"></form>"#;
        assert_eq!(hidden_input(html, "csrf_token").as_deref(), Some("a&b"));
        assert_eq!(hidden_input(html, "next").as_deref(), Some("/admin"));
        assert_eq!(hidden_input(html, "missing"), None);
    }

    #[test]
    fn attribute_names_need_a_boundary() {
        let tag = r#"<input data-name="x" name="y">"#;
        assert_eq!(attr(tag, "name").as_deref(), Some("y"));
    }
}
