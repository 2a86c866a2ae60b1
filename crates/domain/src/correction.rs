//! What a 勘误 （a correction of a published item that goes live without review and is not
//! announced） may change: small textual fixes only. Anything more is a 实质性修改 and is
//! reviewed. The rule is pure: the caller passes the text before and after and the guard's lists.
//!
//! The limit (see ARCHITECTURE.md): the digits of the text (ASCII and full-width) stay exactly
//! the same, the content guard finds nothing new, and at most [`MAX_CHANGED`] characters change
//! (edit distance over title, summary and body), and no more than 5% of the text (at least
//! [`MIN_ALLOWED`] characters, so a one-character fix of a short title is still a correction).

use crate::guard::{ItemText, Lists};

/// The most characters a 勘误 may change.
pub const MAX_CHANGED: usize = 20;
/// A 勘误 may always change this many characters, however short the text.
pub const MIN_ALLOWED: usize = 2;

/// Why an edit is not a 勘误.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotACorrection {
    /// A digit was added, removed or changed.
    Digits,
    /// The content guard finds something the published text did not have.
    NewGuardHits(usize),
    /// More than `allowed` characters changed (at least `changed`).
    TooLarge { changed: usize, allowed: usize },
}

impl NotACorrection {
    /// The Chinese message shown on the form.
    pub fn message(&self) -> String {
        let tail = "\u{FF1B}\u{8BF7}\u{9009}\u{62E9}\u{201C}\u{5B9E}\u{8D28}\u{6027}\u{4FEE}\u{6539}\u{201D}\u{5E76}\u{586B}\u{5199}\u{4FEE}\u{6539}\u{8BF4}\u{660E}\u{FF0C}\u{7ECF}\u{5BA1}\u{6838}\u{540E}\u{516C}\u{5F00}\u{FF0C}\u{672A}\u{4FDD}\u{5B58}";
        match self {
            NotACorrection::Digits => {
                format!("勘误不能增加、删除或改动数字（含全角数字）{tail}")
            }
            NotACorrection::NewGuardHits(n) => {
                format!("勘误后内容安全检查新发现{n}处个人信息或错误，不属于勘误{tail}")
            }
            NotACorrection::TooLarge { changed, allowed } => format!(
                "勘误只用于改正错别字、标点等少量文字，本次改动至少{changed}个字，超过了勘误上限{allowed}个字{tail}"
            ),
        }
    }
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)
}

fn joined(t: &ItemText) -> Vec<char> {
    let mut s = String::with_capacity(t.title.len() + t.summary.len() + t.body.len() + 2);
    s.push_str(&t.title);
    s.push('\n');
    s.push_str(&t.summary);
    s.push('\n');
    s.push_str(&t.body);
    s.chars().collect()
}

/// How many characters a correction of a text of `len` characters may change.
pub fn allowed_changes(len: usize) -> usize {
    (len * 5 / 100).clamp(MIN_ALLOWED, MAX_CHANGED)
}

/// The edit distance between `a` and `b` if it is at most `k`, else `None`; O((n + m) · k).
pub fn bounded_distance(a: &[char], b: &[char], k: usize) -> Option<usize> {
    // Common prefix and suffix cost nothing.
    let p = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[p..], &b[p..]);
    let s = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (a, b) = (&a[..a.len() - s], &b[..b.len() - s]);
    let (n, m) = (a.len(), b.len());
    if n.abs_diff(m) > k {
        return None;
    }
    if n == 0 || m == 0 {
        return Some(n.max(m));
    }
    // Ukkonen's band: only cells with |i - j| <= k can be within k.
    let big = k + 1;
    let mut prev = vec![big; m + 1];
    let mut cur = vec![big; m + 1];
    for (j, v) in prev.iter_mut().enumerate().take(k.min(m) + 1) {
        *v = j;
    }
    for i in 1..=n {
        let lo = i.saturating_sub(k).max(1);
        let hi = (i + k).min(m);
        cur.iter_mut().for_each(|v| *v = big);
        if i <= k {
            cur[0] = i;
        }
        let mut best = cur[0];
        for j in lo..=hi {
            let sub = prev[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let del = prev[j] + 1;
            let ins = cur[j - 1] + 1;
            let v = sub.min(del).min(ins).min(big);
            cur[j] = v;
            best = best.min(v);
        }
        if best > k {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= k).then_some(d)
}

/// Whether going from `before` to `after` is a 勘误 （title, summary and body; attachments are
/// not part of a correction).
pub fn check(before: &ItemText, after: &ItemText, lists: &Lists) -> Result<(), NotACorrection> {
    let (a, b) = (joined(before), joined(after));
    let digits = |t: &[char]| {
        t.iter()
            .copied()
            .filter(|c| is_digit(*c))
            .collect::<Vec<_>>()
    };
    if digits(&a) != digits(&b) {
        return Err(NotACorrection::Digits);
    }
    let key = |t: &ItemText| {
        let mut v: Vec<(String, String)> = t
            .scan(lists)
            .into_iter()
            .map(|h| (h.hit.kind.code().to_string(), h.hit.matched))
            .collect();
        v.sort();
        v
    };
    let mut old = key(before);
    let new_hits = key(after)
        .into_iter()
        .filter(|h| match old.iter().position(|o| o == h) {
            Some(i) => {
                old.remove(i);
                false
            }
            None => true,
        })
        .count();
    if new_hits > 0 {
        return Err(NotACorrection::NewGuardHits(new_hits));
    }
    let allowed = allowed_changes(a.len());
    match bounded_distance(&a, &b, allowed) {
        Some(_) => Ok(()),
        None => Err(NotACorrection::TooLarge {
            changed: a.len().abs_diff(b.len()).max(allowed + 1),
            allowed,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(body: &str) -> ItemText {
        ItemText {
            title: "关于做好2017年政务公开工作的通知".into(),
            summary: String::new(),
            body: body.into(),
            attachments: Vec::new(),
            unreadable: Vec::new(),
        }
    }

    const BODY: &str = "各县区人民政府，市政府各部门：现将有关事项通知如下。一、加强政策解读。二、做好依申请公开工作，按时答复申请人。三、及时更新政府信息公开指南。";

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn a_typo_fixed_is_a_correction() {
        let after = BODY.replace("答复", "答覆");
        assert_eq!(check(&text(BODY), &text(&after), &Lists::default()), Ok(()));
        let after = BODY.replace("，按时", "。按时");
        assert_eq!(check(&text(BODY), &text(&after), &Lists::default()), Ok(()));
        assert_eq!(check(&text(BODY), &text(BODY), &Lists::default()), Ok(()));
    }

    #[test]
    fn any_digit_added_changed_or_removed_is_substantive() {
        let l = Lists::default();
        for after in [
            BODY.replace("一、", "1、"),
            format!("{BODY}电话2812345"),
            BODY.replace("各县区", "各\u{FF13}县区"),
        ] {
            assert_eq!(
                check(&text(BODY), &text(&after), &l),
                Err(NotACorrection::Digits),
                "{after}"
            );
        }
        let mut t = text(BODY);
        t.title = "关于做好2018年政务公开工作的通知".into();
        assert_eq!(check(&text(BODY), &t, &l), Err(NotACorrection::Digits));
        t.title = "关于做好年政务公开工作的通知".into();
        assert_eq!(check(&text(BODY), &t, &l), Err(NotACorrection::Digits));
    }

    #[test]
    fn a_new_guard_hit_is_substantive() {
        let lists = Lists {
            sensitive_words: vec!["内部资料".into()],
            ..Default::default()
        };
        let after = BODY.replace("及时更新", "内部资料更新");
        assert_eq!(
            check(&text(BODY), &text(&after), &lists),
            Err(NotACorrection::NewGuardHits(1))
        );
        // A hit already published is not new.
        let before = BODY.replace("及时更新", "内部资料");
        let after = before.replace("答复", "答覆");
        assert_eq!(check(&text(&before), &text(&after), &lists), Ok(()));
    }

    #[test]
    fn an_added_paragraph_is_substantive() {
        let after = format!("{BODY}\n\n四、各单位要明确专人负责，确保各项工作落到实处。");
        let r = check(&text(BODY), &text(&after), &Lists::default());
        assert!(
            matches!(r, Err(NotACorrection::TooLarge { allowed: 4, .. })),
            "{r:?}"
        );
        assert!(
            r.err()
                .map(|e| e.message())
                .unwrap_or_default()
                .contains("实质性修改")
        );
    }

    #[test]
    fn the_limit_is_five_percent_within_two_and_twenty() {
        assert_eq!(allowed_changes(10), 2);
        assert_eq!(allowed_changes(100), 5);
        assert_eq!(allowed_changes(400), 20);
        assert_eq!(allowed_changes(100_000), 20);
        // A long body: 20 scattered changes pass, 21 do not.
        let long: String = "政务公开工作要点".repeat(100);
        let mut v = chars(&long);
        for i in 0..21 {
            v[i * 30] = '改';
        }
        let twenty: String = {
            let mut w = chars(&long);
            w[..20 * 30].iter_mut().step_by(30).for_each(|c| *c = '改');
            w.into_iter().collect()
        };
        let l = Lists::default();
        assert_eq!(check(&text(&long), &text(&twenty), &l), Ok(()));
        let over: String = v.into_iter().collect();
        assert!(matches!(
            check(&text(&long), &text(&over), &l),
            Err(NotACorrection::TooLarge { allowed: 20, .. })
        ));
    }

    #[test]
    fn the_bounded_distance_is_the_edit_distance_within_its_bound() {
        assert_eq!(
            bounded_distance(&chars("kitten"), &chars("sitting"), 5),
            Some(3)
        );
        assert_eq!(
            bounded_distance(&chars("kitten"), &chars("sitting"), 2),
            None
        );
        assert_eq!(bounded_distance(&chars("abc"), &chars(""), 3), Some(3));
        assert_eq!(
            bounded_distance(&chars("政务公开"), &chars("政府公开"), 1),
            Some(1)
        );
        assert_eq!(
            bounded_distance(&chars("abcdef"), &chars("bcdefa"), 2),
            Some(2)
        );
    }
}
