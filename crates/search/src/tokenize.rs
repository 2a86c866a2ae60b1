//! Jieba tokenizers. Indexing emits each precise-mode word plus the dictionary sub-words that
//! begin or end it (民政局 → 民政局, 民政; 人民政府 → 人民政府, 人民, 政府). jieba's own search mode
//! also emits inner sub-words (人民政府 → 民政), which makes 民政 match every 人民政府; dropping
//! inner sub-words is what keeps the golden query honest. Queries are segmented in precise mode.
//! jieba's dictionary is extended with the government terms of `dict/gov_terms.txt` (放管服,
//! 双随机一公开, 互联网+政务服务 …), so each is one word in documents and queries alike.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy_jieba::jieba_rs::Jieba;

use std::sync::{Arc, LazyLock};

static JIEBA: LazyLock<Arc<Jieba>> = LazyLock::new(|| {
    let mut j = Jieba::new();
    add_terms(&mut j, GOV_TERMS);
    Arc::new(j)
});

/// The user dictionary of government terms, embedded at build time.
pub const GOV_TERMS: &str = include_str!("../dict/gov_terms.txt");

/// Adds each term of `dict` (one a line, an optional frequency after it, `#` comments) to
/// `jieba`; returns how many were added. A term without a frequency gets jieba's suggestion,
/// which keeps it whole.
pub fn add_terms(jieba: &mut Jieba, dict: &str) -> usize {
    let mut n = 0;
    for line in dict.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let Some(word) = parts.next() else { continue };
        let freq = parts.next().and_then(|f| f.parse::<usize>().ok());
        jieba.add_word(word, freq, None);
        n += 1;
    }
    n
}

/// Makes sure the dictionary is loaded (at startup rather than on the first query).
pub fn warm_up() {
    LazyLock::force(&JIEBA);
}

pub const INDEX_TOKENIZER: &str = "gk_jieba_index";

/// Precise-mode words of `text`, lower-cased, without punctuation or spaces.
pub fn query_terms(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in JIEBA.cut(text, true) {
        if t.word.chars().any(char::is_alphanumeric) {
            let w = t.word.to_lowercase();
            if !out.contains(&w) {
                out.push(w);
            }
        }
    }
    out
}

/// Full-width ASCII (`\u{FF01}`–`\u{FF5E}`) folded to ASCII, ASCII letters to lower case: the
/// one character folding of the n-gram fields and of queries.
pub fn fold(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        c => c,
    };
    c.to_ascii_lowercase()
}

/// A character the n-gram fields index: a letter, a digit or a CJK character (after [`fold`]).
fn is_unit(c: char) -> bool {
    fold(c).is_alphanumeric()
}

/// The runs of `text`: maximal stretches of letters, digits and CJK characters, folded. Text in
/// different runs is never matched as one substring (punctuation and spaces separate them).
pub fn runs(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if is_unit(c) {
            cur.push(fold(c));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    let mut seen = Vec::new();
    out.retain(|r| {
        let new = !seen.contains(r);
        seen.push(r.clone());
        new
    });
    out
}

/// The overlapping two-character pieces of a run, in order (none for a single character).
pub fn bigrams(run: &str) -> Vec<String> {
    let chars: Vec<char> = run.chars().collect();
    chars.windows(2).map(|w| w.iter().collect()).collect()
}

pub const BIGRAM_TOKENIZER: &str = "gk_bigram";
pub const CHAR_TOKENIZER: &str = "gk_char";

/// The n-gram tokenizer (`n` is 1 or 2): every character, or every pair of neighbouring
/// characters, of each run of letters, digits and CJK characters, folded. Positions count the
/// pieces, with a gap between runs, so a phrase of bigrams is exactly a substring.
#[derive(Clone, Copy)]
pub struct GramTokenizer {
    pub n: usize,
}

impl GramTokenizer {
    fn flush(&self, run: &mut Vec<(usize, char)>, tokens: &mut Vec<Token>, position: &mut usize) {
        if self.n <= 1 {
            for &(at, c) in run.iter() {
                tokens.push(Token {
                    offset_from: at,
                    offset_to: at + c.len_utf8(),
                    position: *position,
                    text: fold(c).to_string(),
                    position_length: 1,
                });
                *position += 1;
            }
        } else {
            for w in run.windows(2) {
                let mut text = String::with_capacity(8);
                text.push(fold(w[0].1));
                text.push(fold(w[1].1));
                tokens.push(Token {
                    offset_from: w[0].0,
                    offset_to: w[1].0 + w[1].1.len_utf8(),
                    position: *position,
                    text,
                    position_length: 1,
                });
                *position += 1;
            }
        }
        if !run.is_empty() {
            *position += 1;
        }
        run.clear();
    }
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = Stream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream {
        let mut tokens = Vec::new();
        let mut run: Vec<(usize, char)> = Vec::new();
        let mut position = 0;
        for (at, c) in text.char_indices() {
            if is_unit(c) {
                run.push((at, c));
            } else {
                self.flush(&mut run, &mut tokens, &mut position);
            }
        }
        self.flush(&mut run, &mut tokens, &mut position);
        Stream { tokens, at: 0 }
    }
}

#[derive(Clone, Default)]
pub struct IndexTokenizer;

pub struct Stream {
    tokens: Vec<Token>,
    at: usize,
}

impl Tokenizer for IndexTokenizer {
    type TokenStream<'a> = Stream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Stream {
        let mut tokens = Vec::new();
        let base = text.as_ptr() as usize;
        for (position, t) in JIEBA
            .cut(text, true)
            .into_iter()
            .filter(|t| t.word.chars().any(char::is_alphanumeric))
            .enumerate()
        {
            let from = t.word.as_ptr() as usize - base;
            let mut push = |word: &str, offset_from: usize| {
                tokens.push(Token {
                    offset_from,
                    offset_to: offset_from + word.len(),
                    position,
                    text: word.to_lowercase(),
                    position_length: 1,
                });
            };
            push(t.word, from);
            if t.word.chars().count() > 2 {
                let mut edges: Vec<(&str, usize)> = Vec::new();
                for sub in JIEBA.cut_for_search(t.word, false) {
                    if sub.word.len() == t.word.len() {
                        continue;
                    }
                    if t.word.starts_with(sub.word) {
                        edges.push((sub.word, from));
                    } else if t.word.ends_with(sub.word) {
                        edges.push((sub.word, from + t.word.len() - sub.word.len()));
                    }
                }
                // cut_for_search only yields 2- and 3-character parts; a longer dictionary word
                // at an edge (政务公开 in 政务公开工作要点) must be found too.
                for (i, _) in t.word.char_indices().skip(2) {
                    let (head, tail) = t.word.split_at(i);
                    if head.chars().count() > 3 && JIEBA.has_word(head) {
                        edges.push((head, from));
                    }
                    if tail.chars().count() > 3 && JIEBA.has_word(tail) {
                        edges.push((tail, from + i));
                    }
                }
                edges.sort_unstable();
                edges.dedup();
                for (word, at) in edges {
                    push(word, at);
                }
            }
        }
        Stream { tokens, at: 0 }
    }
}

impl TokenStream for Stream {
    fn advance(&mut self) -> bool {
        self.at += 1;
        self.at <= self.tokens.len()
    }
    fn token(&self) -> &Token {
        &self.tokens[self.at - 1]
    }
    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.at - 1]
    }
}

/// Brackets of a 文号 as people type them (〔〕, [], 【】, (), full-width) made one form.
pub fn normalize_code(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '[' | '［' | '【' | '(' | '（' | '〔' => '〔',
            ']' | '］' | '】' | ')' | '）' | '〕' => '〕',
            c => c,
        })
        .collect()
}

/// Byte ranges of the occurrences of `terms` in `text` (ASCII letters in either case), sorted,
/// at most `max`. Literal matching highlights a substring match as well as a word.
pub fn occurrences(text: &str, terms: &[String], max: usize) -> Vec<(usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    for t in terms.iter().filter(|t| !t.is_empty()) {
        for (at, m) in lower.match_indices(t.as_str()) {
            if out.len() >= max {
                break;
            }
            out.push((at, at + m.len()));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The whole of `text`, HTML-escaped, with `<b>` around the occurrences of `terms`.
pub fn highlight(text: &str, terms: &[String]) -> String {
    let ranges = occurrences(text, terms, 256);
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (from, to) in ranges {
        if to <= at {
            continue;
        }
        let from = from.max(at);
        out.push_str(&crate::index::escape(&text[at..from]));
        out.push_str("<b>");
        out.push_str(&crate::index::escape(&text[from..to]));
        out.push_str("</b>");
        at = to;
    }
    out.push_str(&crate::index::escape(&text[at..]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index_terms(s: &str) -> Vec<String> {
        let mut t = IndexTokenizer;
        let mut st = t.token_stream(s);
        let mut out = Vec::new();
        while st.advance() {
            out.push(st.token().text.clone());
        }
        out
    }

    #[test]
    fn inner_subwords_are_not_indexed() {
        let gov = index_terms("盘锦市人民政府");
        assert!(gov.contains(&"人民政府".to_string()), "{gov:?}");
        assert!(!gov.contains(&"民政".to_string()), "{gov:?}");
        let civ = index_terms("盘锦市民政局");
        assert!(civ.contains(&"民政".to_string()), "{civ:?}");
        assert_eq!(query_terms("民政"), vec!["民政"]);
    }

    #[test]
    fn government_terms_are_one_word() {
        for term in [
            "放管服",
            "双随机一公开",
            "最多跑一次",
            "一网通办",
            "政府信息公开",
            "依申请公开",
        ] {
            assert_eq!(query_terms(term), vec![term.to_string()], "{term}");
        }
        assert_eq!(
            query_terms("深化放管服改革"),
            vec!["深化", "放管服", "改革"]
        );
        // Without the dictionary jieba cuts them apart, which is what lets unrelated text match.
        let plain = Jieba::new();
        let apart: Vec<&str> = [
            "最多跑一次",
            "双随机一公开",
            "一件事一次办",
            "政府信息公开工作年度报告",
        ]
        .into_iter()
        .filter(|t| {
            let cut: Vec<&str> = plain.cut(t, true).into_iter().map(|w| w.word).collect();
            cut != vec![*t]
        })
        .collect();
        assert!(
            apart.len() >= 3,
            "only {apart:?} cut apart without the dictionary"
        );
        // The index still finds the parts that begin or end a term.
        let long = index_terms("2017年政务公开工作要点");
        assert!(long.contains(&"政务公开工作要点".to_string()), "{long:?}");
        assert!(long.contains(&"政务公开".to_string()), "{long:?}");
        let idx = index_terms("推进政府信息公开");
        assert!(idx.contains(&"政府信息公开".to_string()), "{idx:?}");
        assert!(idx.contains(&"政府".to_string()), "{idx:?}");
        assert!(idx.contains(&"公开".to_string()), "{idx:?}");
        assert_eq!(add_terms(&mut Jieba::new(), "# c\n\n甲乙丙 5\n丁戊\n"), 2);
    }

    fn grams(s: &str, n: usize) -> Vec<(String, usize)> {
        let mut t = GramTokenizer { n };
        let mut st = t.token_stream(s);
        let mut out = Vec::new();
        while st.advance() {
            out.push((st.token().text.clone(), st.token().position));
        }
        out
    }

    #[test]
    fn grams_are_pieces_of_runs_folded() {
        let full = "\u{FF12}\u{FF10}\u{FF21}";
        assert_eq!(
            runs(&format!("关于“双随机一公开”{full}")),
            vec!["关于", "双随机一公开", "20a"]
        );
        let g = grams("人民政府\u{FF0C}民政局", 2);
        let texts: Vec<&str> = g.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(texts, vec!["人民", "民政", "政府", "民政", "政局"]);
        // A gap between runs: 府民 is not a phrase of the text.
        assert_eq!(g[2].1 + 2, g[3].1);
        assert_eq!(grams("税", 2), vec![]);
        assert_eq!(grams("税a", 1).len(), 2);
        assert_eq!(bigrams("双随机"), vec!["双随", "随机"]);
        assert_eq!(
            occurrences("A民政b人民政府", &["民政".to_string(), "a".to_string()], 9),
            vec![(0, 1), (1, 7), (11, 17)]
        );
    }

    #[test]
    fn codes_normalize() {
        assert_eq!(normalize_code("盘政发[2017] 3号"), "盘政发〔2017〕3号");
    }
}
