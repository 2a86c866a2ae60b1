//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters whose last is a
//! check character over the first 17.

const CHARSET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

fn value_of(c: char) -> Option<u32> {
    CHARSET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters, or `None` if one is outside the charset.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0u32;
    let mut count = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
        count += 1;
    }
    if count != 17 || first17.chars().count() != 17 {
        return None;
    }
    let check = (31 - sum % 31) % 31;
    CHARSET.chars().nth(check as usize)
}

/// Whether `code` is a well-formed credit code with a correct check character.
pub fn is_valid(code: &str) -> bool {
    let code = code.trim();
    if code.chars().count() != 18 {
        return false;
    }
    let (head, last) = code.split_at(17);
    match (check_char(head), last.chars().next()) {
        (Some(expected), Some(actual)) => expected == actual,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes printed on government web pages (see china-rules.md §3).
        assert!(is_valid("11441700007280420Y"));
        assert!(is_valid("11341702486344515H"));
    }

    #[test]
    fn rejects_wrong_check_or_charset() {
        assert!(!is_valid("11441700007280420X"));
        assert!(!is_valid("1144170000728042I0"));
        assert!(!is_valid("114417"));
    }
}
