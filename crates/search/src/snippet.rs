//! Result snippets: the window of a text with the most query words, HTML-escaped, the words in
//! `<b>`.
//!
//! Not tantivy's `SnippetGenerator`: its fragment search assumes tokens that never overlap and come
//! in text order, while the index tokenizer (jieba search mode plus dictionary words at a word's
//! edge) emits a word and its parts over the same bytes. On such a stream a fragment can end before
//! one of its own highlights, and `Snippet::to_html` slices out of bounds and panics — found by the
//! 1,000,000-item benchmark on an ordinary notice (各县区营商环境建设局…).

use crate::index::escape;

/// Hits looked at in one text; the window search is quadratic in them.
const MAX_HITS: usize = 256;
/// Characters of context kept before the first word of the window.
const LEAD: usize = 12;

/// Byte ranges of the occurrences of `terms` in `text`, sorted.
fn hits(text: &str, terms: &[String]) -> Vec<(usize, usize)> {
    crate::tokenize::occurrences(text, terms, MAX_HITS)
}

/// The byte offset `n` characters after `from` (or the end).
fn chars_after(text: &str, from: usize, n: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| from + i)
}

/// The byte offset up to `n` characters before `to`.
fn chars_before(text: &str, to: usize, n: usize) -> usize {
    text[..to]
        .char_indices()
        .rev()
        .take(n)
        .last()
        .map_or(to, |(i, _)| i)
}

/// The best window of at most `max_chars` characters: the one whose words cover the most
/// distinct terms, then the most hits, then the earliest. `None` when no term occurs.
pub fn snippet(text: &str, terms: &[String], max_chars: usize) -> Option<String> {
    let hits = hits(text, terms);
    if hits.is_empty() || max_chars == 0 {
        return None;
    }
    let lead = LEAD.min(max_chars / 4);
    let mut best: Option<(usize, usize, usize, usize)> = None; // (distinct, count, start, end)
    for (i, &(from, to)) in hits.iter().enumerate() {
        let start = chars_before(text, from, lead);
        // Never cut the window's first word, however small the window.
        let end = chars_after(text, start, max_chars).max(to);
        let inside: Vec<&(usize, usize)> = hits[i..].iter().take_while(|h| h.1 <= end).collect();
        let mut words: Vec<&str> = inside.iter().map(|h| &text[h.0..h.1]).collect();
        let count = words.len();
        words.sort_unstable();
        words.dedup();
        let better = match best {
            None => true,
            Some((d, c, _, _)) => (words.len(), count) > (d, c),
        };
        if better {
            best = Some((words.len(), count, start, end));
        }
    }
    let (_, _, start, end) = best?;
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    // Words inside the window, overlapping or adjacent ones merged into one highlight.
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for &(from, to) in hits.iter().filter(|h| h.0 >= start && h.1 <= end) {
        match marks.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => marks.push((from, to)),
        }
    }
    let mut at = start;
    for (from, to) in marks {
        out.push_str(&escape(&text[at..from]));
        out.push_str("<b>");
        out.push_str(&escape(&text[from..to]));
        out.push_str("</b>");
        at = to;
    }
    out.push_str(&escape(&text[at..end]));
    if end < text.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::query_terms;

    const NOTICE: &str = "各县区营商环境建设局，各有关部门：为深入贯彻落实党中央、国务院关于营商环境的决策部署，进一步提升营商环境便利度，现就有关事项通知如下。";

    #[test]
    fn overlapping_words_do_not_break_the_snippet() {
        for q in [
            "营商环境",
            "营商",
            "环境建设",
            "营商环境建设局",
            "决策部署",
            "通知",
        ] {
            for max in [1, 5, 12, 40, 160] {
                let s = snippet(NOTICE, &query_terms(q), max);
                let s = s.unwrap_or_else(|| panic!("{q} has a snippet"));
                assert!(s.contains("<b>"), "{q}/{max}: {s}");
            }
        }
    }

    #[test]
    fn the_window_with_most_terms_wins_and_text_is_escaped() {
        let text = format!(
            "{}<script>社会救助</script>最低生活保障和社会救助工作。{}",
            "无关内容。".repeat(40),
            "其他内容。".repeat(40)
        );
        let s = snippet(&text, &query_terms("社会救助 最低生活保障"), 40).unwrap();
        assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
        assert!(s.contains("<b>最低生活保障</b>"), "{s}");
        assert!(s.contains("&lt;script&gt;"), "{s}");
        assert!(!s.contains("<script>"), "{s}");
        assert!(s.chars().count() < 40 + 2 + 7 * 4 + 8 * 6, "{s}");
        assert_eq!(snippet(&text, &query_terms("量子计算机"), 40), None);
    }
}
