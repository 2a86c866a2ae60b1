//! 等保 2.0 account controls as pure rules: the password policy (length, character classes, no
//! common or guessable password, history, maximum age) and the session policy (idle timeout,
//! absolute lifetime, concurrent sessions). Each is configurable (`[security]` in the
//! configuration file); `Default` is the safe setting. Whether a new password repeats one of the
//! last N is checked by the caller against the stored hashes (argon2 is not pure work).

use crate::validate::Invalid;

/// The password rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// At least this many characters (default 10).
    pub min_length: usize,
    /// A new password may not be any of the last this many (the current one included; default 5,
    /// 0 = off).
    pub history: usize,
    /// A password older than this many days must be changed at the next sign-in (default 90,
    /// 0 = never).
    pub max_age_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_length: 10,
            history: 5,
            max_age_days: 90,
        }
    }
}

/// The longest password accepted.
pub const MAX_LENGTH: usize = 128;
/// How many character classes (lower case, upper case, digit, symbol) a password needs.
pub const MIN_CLASSES: usize = 3;
/// How many old hashes are kept per user at most, whatever the history setting.
pub const HISTORY_KEPT: usize = 24;

static COMMON: &str = include_str!("common_passwords.txt");

fn common_words() -> &'static std::collections::HashSet<&'static str> {
    static SET: std::sync::OnceLock<std::collections::HashSet<&'static str>> =
        std::sync::OnceLock::new();
    SET.get_or_init(|| {
        COMMON
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// How many of the four classes (lower case, upper case, digit, symbol) `password` uses.
pub fn classes(password: &str) -> usize {
    let lower = password.chars().any(|c| c.is_lowercase());
    let upper = password.chars().any(|c| c.is_uppercase());
    let digit = password.chars().any(|c| c.is_ascii_digit());
    let symbol = password
        .chars()
        .any(|c| !c.is_alphanumeric() && !c.is_whitespace());
    [lower, upper, digit, symbol].iter().filter(|b| **b).count()
}

fn leet(c: char) -> char {
    match c {
        '0' => 'o',
        '1' | '!' | '|' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' | '+' => 't',
        '8' => 'b',
        '9' => 'g',
        other => other,
    }
}

/// Whether `password` is a common password, or a common word with only digits and symbols
/// around it (`Password12!`, `P@ssw0rd2026`).
pub fn is_common(password: &str) -> bool {
    let words = common_words();
    let lower = password.to_lowercase();
    if words.contains(lower.as_str()) {
        return true;
    }
    let letters: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    let trimmed = lower.trim_matches(|c: char| !c.is_alphabetic());
    let folded: String = trimmed
        .chars()
        .map(leet)
        .filter(|c| c.is_alphabetic())
        .collect();
    [letters, folded]
        .iter()
        .any(|core| !core.is_empty() && words.contains(core.as_str()))
}

const KEYBOARD_ROWS: [&str; 4] = ["1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"];
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz";

/// The longest run of `password` (lower-cased) that is a stretch of the alphabet, the digits or
/// a keyboard row, forwards or backwards (`abcd`, `4321`, `qwer`, `lkjh`).
pub fn longest_sequence(password: &str) -> usize {
    let chars: Vec<char> = password.to_lowercase().chars().collect();
    let lines: Vec<Vec<char>> = KEYBOARD_ROWS
        .iter()
        .chain(std::iter::once(&ALPHABET))
        .map(|l| l.chars().collect())
        .collect();
    let next = |a: char, b: char| {
        lines.iter().any(|line| {
            line.windows(2)
                .any(|w| (w[0] == a && w[1] == b) || (w[1] == a && w[0] == b))
        })
    };
    let mut best = usize::from(!chars.is_empty());
    let mut run = 1;
    let mut dir = 0i8;
    for w in chars.windows(2) {
        let up = lines
            .iter()
            .any(|l| l.windows(2).any(|p| p[0] == w[0] && p[1] == w[1]));
        let d = if up {
            1
        } else if next(w[0], w[1]) {
            -1
        } else {
            0
        };
        if d != 0 && (run == 1 || d == dir) {
            run += 1;
            dir = d;
        } else if d != 0 {
            run = 2;
            dir = d;
        } else {
            run = 1;
            dir = 0;
        }
        best = best.max(run);
    }
    best
}

/// The longest run of one repeated character.
pub fn longest_repeat(password: &str) -> usize {
    let mut best = 0;
    let mut run = 0;
    let mut prev = None;
    for c in password.chars() {
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        best = best.max(run);
    }
    best
}

/// Checks a new password against the policy; each broken rule adds a Chinese message naming
/// it to `inv` under `field`. `username` is the account's login name (a password may not
/// contain it).
pub fn check_password(
    inv: &mut Invalid,
    field: &'static str,
    policy: &PasswordPolicy,
    username: &str,
    password: &str,
) {
    let len = password.chars().count();
    let before = inv.errors.len();
    if len < policy.min_length {
        inv.push(
            field,
            format!("密码长度不足\u{FF1A}至少 {} 位", policy.min_length),
        );
    } else if len > MAX_LENGTH {
        inv.push(field, format!("密码不能超过 {MAX_LENGTH} 位"));
    }
    if classes(password) < MIN_CLASSES {
        inv.push(
            field,
            "密码须包含大写字母\u{3001}小写字母\u{3001}数字\u{3001}符号四类中的至少三类",
        );
    }
    if inv.errors.len() > before {
        return;
    }
    let user = username.trim().to_lowercase();
    let lower = password.to_lowercase();
    if user.chars().count() >= 3 && lower.contains(&user) {
        inv.push(field, "密码不能包含登录名");
    } else if is_common(password) {
        inv.push(
            field,
            "密码过于常见\u{FF08}常用密码或常用词加数字\u{3001}符号\u{FF0C}如 Password12\u{FF09}\u{FF0C}请换一个不易猜到的密码",
        );
    } else if longest_sequence(password) >= 4 {
        inv.push(
            field,
            "密码不能包含连续的字母\u{3001}数字或键盘序列\u{FF08}如 abcd\u{3001}1234\u{3001}qwer\u{FF09}",
        );
    } else if longest_repeat(password) >= 3
        || password
            .chars()
            .collect::<std::collections::HashSet<_>>()
            .len()
            < 5
    {
        inv.push(
            field,
            "密码不能有连续重复的字符\u{FF08}如 aaa\u{3001}111\u{FF09}",
        );
    }
}

/// The message when a new password repeats one of the last `n`.
pub fn history_message(n: usize) -> String {
    format!("新密码不能与最近 {n} 次使用过的密码相同")
}

/// Whether a password set at `changed_at_ms` has passed the maximum age at `now_ms`.
pub fn password_expired(policy: &PasswordPolicy, changed_at_ms: i64, now_ms: i64) -> bool {
    policy.max_age_days > 0 && now_ms - changed_at_ms > policy.max_age_days * 86_400_000
}

/// The session rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A session unused for this long ends (default 30 minutes).
    pub idle_timeout_ms: i64,
    /// A session ends this long after sign-in however active (default 8 hours).
    pub lifetime_ms: i64,
    /// At most this many sessions per user; a new sign-in ends the oldest (default 3).
    pub max_sessions: usize,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            idle_timeout_ms: 30 * 60_000,
            lifetime_ms: 8 * 3_600_000,
            max_sessions: 3,
        }
    }
}

impl SessionPolicy {
    /// How stale a session's last activity may be before it is written again: a tenth of the
    /// idle timeout, at most a minute (so a page load does not write on every request).
    pub fn touch_interval_ms(&self) -> i64 {
        (self.idle_timeout_ms / 10).clamp(0, 60_000)
    }

    /// Whether a session created at `created_at` and last used at `last_seen` is still live.
    pub fn is_live(&self, created_at: i64, last_seen: i64, now: i64) -> bool {
        now < created_at + self.lifetime_ms && now < last_seen + self.idle_timeout_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(user: &str, pw: &str) -> Vec<String> {
        let mut inv = Invalid::default();
        check_password(&mut inv, "password", &PasswordPolicy::default(), user, pw);
        inv.errors.into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn strong_passwords_pass() {
        for pw in [
            "Kx7-Lantern-Hill",
            "Another-Pass-2026",
            "Hq7-Lantern-Gate",
            "zhengwu#Gk82x",
            "Tr0ub4dor&3x",
        ] {
            assert!(
                errors("zhangsan", pw).is_empty(),
                "{pw}: {:?}",
                errors("zhangsan", pw)
            );
        }
    }

    #[test]
    fn each_rule_names_itself() {
        assert!(errors("u", "Ab1!").concat().contains("至少 10 位"));
        assert!(errors("u", "abcdefghxyzq").concat().contains("至少三类"));
        assert!(errors("u", "password12").concat().contains("至少三类"));
        for common in [
            "Password12",
            "P@ssw0rd2026!",
            "Qwerty123456",
            "Woaini1314!",
            "Iloveyou!!2",
        ] {
            assert!(
                errors("u", common).concat().contains("过于常见"),
                "{common}"
            );
        }
        assert!(
            errors("zhangsan", "Zhangsan-2026")
                .concat()
                .contains("登录名")
        );
        assert!(errors("u", "Kx7-abcd-Hill").concat().contains("连续"));
        assert!(errors("u", "Kx7-4321-Hill").concat().contains("连续"));
        assert!(errors("u", "Kx7-Qwer-Hill").concat().contains("连续"));
        assert!(errors("u", "Kx7-Laaa-Hill").concat().contains("重复"));
        assert!(errors("u", "Ab1Ab1Ab1Ab1").concat().contains("重复"));
        assert!(
            errors("u", &format!("Ab1-{}", "x".repeat(130)))
                .concat()
                .contains("128")
        );
    }

    #[test]
    fn sequences_and_repeats() {
        assert_eq!(longest_sequence("xx1234yy"), 4);
        assert_eq!(longest_sequence("dcba"), 4);
        assert_eq!(longest_sequence("a1b2"), 1);
        assert_eq!(longest_sequence("zxcv"), 4);
        assert_eq!(longest_repeat("abbbc"), 3);
    }

    #[test]
    fn max_age_and_sessions() {
        let p = PasswordPolicy::default();
        let day = 86_400_000;
        assert!(!password_expired(&p, 0, 90 * day));
        assert!(password_expired(&p, 0, 91 * day));
        let off = PasswordPolicy {
            max_age_days: 0,
            ..p
        };
        assert!(!password_expired(&off, 0, 1000 * day));
        let s = SessionPolicy::default();
        assert!(s.is_live(0, 0, 29 * 60_000));
        assert!(!s.is_live(0, 0, 31 * 60_000));
        assert!(!s.is_live(0, 8 * 3_600_000 - 1, 8 * 3_600_000));
        assert!(s.is_live(0, 7 * 3_600_000, 7 * 3_600_000 + 60_000));
    }

    #[test]
    fn the_list_is_large() {
        assert!(common_words().len() > 1000);
    }
}
