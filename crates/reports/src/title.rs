//! Breaking a document title into lines by meaning, as GB/T 9704-2012 7.3.1 asks of a 标题 in
//! several lines: 回行时要做到词意完整\u{3001}排列对称\u{3001}长短适宜\u{3001}间距恰当\u{FF0C}
//! 标题排列应当使用梯形或菱形. The word processor would break wherever the line is full, which
//! splits words — 安排 over two lines — and proper names.
//!
//! How: the title is cut into atoms that are never split (a number with its unit such as
//! 2017年 — a span in 《》 or \u{201C}\u{201D} — otherwise one character). Between atoms a break
//! costs more or less: nothing after the name of a document such as 安排、方案、意见 or 》 or before a
//! verb that starts the predicate such as 落实、贯彻、开展 — little after 关于 or a 的 — more after a
//! common two-character word; very much anywhere else. Among the ways of setting the title in
//! the fewest lines that fit, the cheapest wins, where unequal lines cost by their difference
//! and an hourglass (a middle line shorter than both others) is refused: the lines make a
//! trapezoid or a diamond.

/// Ends of document names and other phrases after which a title breaks naturally.
const END_STRONG: [&str; 15] = [
    "安排", "方案", "意见", "规定", "办法", "通知", "要点", "计划", "报告", "规划", "条例", "决定",
    "细则", "纲要", "》",
];

/// Verbs that start the predicate of a title as in 关于 X 落实情况的通报 — a break before them is natural.
const START_STRONG: [&str; 10] = [
    "落实",
    "贯彻",
    "执行",
    "开展",
    "加强",
    "推进",
    "做好",
    "进一步",
    "印发",
    "转发",
];

/// Common words of titles: a break after one keeps the words whole.
const WORDS: [&str; 26] = [
    "政务",
    "公开",
    "工作",
    "情况",
    "督查",
    "政府",
    "信息",
    "人民",
    "办公室",
    "全市",
    "全省",
    "全县",
    "年度",
    "检查",
    "考核",
    "结果",
    "部门",
    "单位",
    "重点",
    "任务",
    "建设",
    "管理",
    "服务",
    "监督",
    "网站",
    "季度",
];

/// Width of a character in ems of the title font: half for ASCII (digits, Latin letters).
fn width(c: char) -> f32 {
    if c.is_ascii() { 0.5 } else { 1.0 }
}

fn span_width(chars: &[char]) -> f32 {
    chars.iter().copied().map(width).sum()
}

/// The atoms of a title as char ranges: never broken inside.
fn atoms(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let close = match c {
            '\u{300A}' => Some('\u{300B}'),
            '\u{201C}' => Some('\u{201D}'),
            '\u{FF08}' => Some('\u{FF09}'),
            _ => None,
        };
        let end = if let Some(close) = close {
            chars[i + 1..]
                .iter()
                .position(|&x| x == close)
                .map_or(i + 1, |p| i + p + 2)
        } else if c.is_ascii_alphanumeric() {
            let mut j = i;
            while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '.') {
                j += 1;
            }
            // A number keeps its unit: 2017年 、 12月 、 3号.
            if j < chars.len() && "年月日号期届次项个".contains(chars[j]) {
                j += 1;
            }
            j
        } else {
            i + 1
        };
        out.push((i, end));
        i = end;
    }
    out
}

/// What a break between `chars[..at]` and `chars[at..]` costs.
fn break_cost(chars: &[char], at: usize) -> f32 {
    let before: String = chars[..at].iter().collect();
    let after: String = chars[at..].iter().collect();
    let prev = chars[at - 1];
    let next = chars[at];
    if after.starts_with('\u{FF09}')
        || after.starts_with('\u{3001}')
        || after.starts_with('\u{FF0C}')
        || after.starts_with('\u{300B}')
        || after.starts_with('\u{201D}')
        || prev == '\u{300A}'
        || prev == '\u{201C}'
    {
        // Punctuation never starts a line, an opening mark never ends one.
        return 1000.0;
    }
    if END_STRONG.iter().any(|w| before.ends_with(w))
        || START_STRONG.iter().any(|w| after.starts_with(w))
    {
        return 0.0;
    }
    if before.ends_with("关于") || prev == '的' || prev == '\u{3001}' {
        return 4.0;
    }
    if "和及与".contains(next) {
        return 6.0;
    }
    if WORDS.iter().any(|w| before.ends_with(w)) || prev == '年' || prev == '市' {
        return 24.0;
    }
    200.0
}

/// Lines of `title` at most `max_em` ems wide, broken by meaning (see the module documentation).
/// A title that fits is one line; an atom wider than a line is broken where it must.
pub fn title_lines(title: &str, max_em: f32) -> Vec<String> {
    let chars: Vec<char> = title.trim().chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }
    let total = span_width(&chars);
    if total <= max_em {
        return vec![chars.iter().collect()];
    }
    // Break positions (char indices) between atoms, with their costs.
    let atoms = atoms(&chars);
    let breaks: Vec<(usize, f32)> = atoms
        .iter()
        .skip(1)
        .map(|&(start, _)| (start, break_cost(&chars, start)))
        .collect();
    let min_lines = (total / max_em).ceil() as usize;
    for lines in min_lines..=min_lines + 2 {
        let mut best: Option<(f32, Vec<usize>)> = None;
        let mut chosen = Vec::new();
        search(
            &chars,
            &breaks,
            0,
            lines - 1,
            max_em,
            &mut chosen,
            &mut best,
        );
        if let Some((_, cuts)) = best {
            let mut out = Vec::new();
            let mut from = 0;
            for &c in cuts.iter().chain(std::iter::once(&chars.len())) {
                out.push(chars[from..c].iter().collect());
                from = c;
            }
            return out;
        }
    }
    // No way of keeping the atoms whole: fill lines to the width.
    let mut out = Vec::new();
    let mut line = String::new();
    let mut w = 0.0;
    for &c in &chars {
        if w + width(c) > max_em && !line.is_empty() {
            out.push(std::mem::take(&mut line));
            w = 0.0;
        }
        line.push(c);
        w += width(c);
    }
    out.push(line);
    out
}

/// Tries every choice of `left` more cuts among `breaks[from..]`, keeping the cheapest layout.
fn search(
    chars: &[char],
    breaks: &[(usize, f32)],
    from: usize,
    left: usize,
    max_em: f32,
    chosen: &mut Vec<usize>,
    best: &mut Option<(f32, Vec<usize>)>,
) {
    let start = chosen.last().copied().unwrap_or(0);
    if left == 0 {
        if span_width(&chars[start..]) > max_em {
            return;
        }
        if let Some(cost) = layout_cost(chars, breaks, chosen)
            && best.as_ref().is_none_or(|(b, _)| cost < *b)
        {
            *best = Some((cost, chosen.clone()));
        }
        return;
    }
    for (i, &(at, _)) in breaks.iter().enumerate().skip(from) {
        if span_width(&chars[start..at]) > max_em {
            break;
        }
        chosen.push(at);
        search(chars, breaks, i + 1, left - 1, max_em, chosen, best);
        chosen.pop();
    }
}

/// The cost of breaking at `cuts`, or `None` for an hourglass.
fn layout_cost(chars: &[char], breaks: &[(usize, f32)], cuts: &[usize]) -> Option<f32> {
    let mut widths = Vec::new();
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&chars.len())) {
        widths.push(span_width(&chars[from..c]));
        from = c;
    }
    for w in widths.windows(3) {
        if w[1] < w[0] && w[1] < w[2] {
            return None;
        }
    }
    let widest = widths.iter().copied().fold(0.0, f32::max);
    let narrowest = widths.iter().copied().fold(f32::MAX, f32::min);
    let breaks_cost: f32 = cuts
        .iter()
        .map(|c| {
            breaks
                .iter()
                .find(|(at, _)| at == c)
                .map_or(0.0, |(_, cost)| *cost)
        })
        .sum();
    Some(breaks_cost + 2.0 * (widest - narrowest))
}

#[cfg(test)]
mod tests {
    use super::title_lines;

    /// The type area of GB/T 9704 holds about 20 characters of 二号 (22 pt).
    const LINE: f32 = 20.0;

    fn lines(t: &str) -> Vec<String> {
        let out = title_lines(t, LINE);
        assert_eq!(out.concat(), t, "no character lost or added");
        out
    }

    #[test]
    fn a_title_that_fits_is_one_line() {
        assert_eq!(
            lines("关于2017年政务公开工作的通报"),
            vec!["关于2017年政务公开工作的通报"]
        );
        assert!(lines("").is_empty());
    }

    #[test]
    fn real_titles_break_between_words_never_inside() {
        for (title, expected) in [
            (
                "关于2017年政务公开工作安排落实情况的督查通报",
                vec!["关于2017年政务公开工作安排", "落实情况的督查通报"],
            ),
            (
                "关于盘锦市2017年政务公开工作安排落实情况的通报",
                vec!["关于盘锦市2017年政务公开工作安排", "落实情况的通报"],
            ),
            (
                "关于盘锦市人民政府办公室2017年政务公开工作要点落实情况的督查通报",
                vec![
                    "关于盘锦市人民政府办公室2017年",
                    "政务公开工作要点落实情况的督查通报",
                ],
            ),
            (
                "关于\u{300A}盘锦市2017年政务公开工作安排\u{300B}落实情况的通报",
                vec![
                    "关于\u{300A}盘锦市2017年政务公开工作安排\u{300B}",
                    "落实情况的通报",
                ],
            ),
            (
                "关于进一步加强全市政府网站信息内容建设和管理工作的通知",
                vec!["关于进一步加强全市政府网站", "信息内容建设和管理工作的通知"],
            ),
        ] {
            assert_eq!(lines(title), expected, "{title}");
        }
    }

    #[test]
    fn a_number_keeps_its_unit_and_a_book_title_stays_whole() {
        // Narrow lines force breaks; 2017年 and the title in book marks are never split.
        let t = "关于\u{300A}政务公开工作安排\u{300B}2017年落实情况的通报";
        let out = title_lines(t, 10.0);
        assert_eq!(out.concat(), t);
        assert!(
            out.iter()
                .any(|l| l.contains("\u{300A}政务公开工作安排\u{300B}")),
            "{out:?}"
        );
        assert!(out.iter().any(|l| l.contains("2017年")), "{out:?}");
        // Lines make a trapezoid or a diamond: never a middle line shorter than both others.
        let w: Vec<usize> = out.iter().map(|l| l.chars().count()).collect();
        assert!(
            w.windows(3).all(|x| !(x[1] < x[0] && x[1] < x[2])),
            "{out:?}"
        );
    }
}
