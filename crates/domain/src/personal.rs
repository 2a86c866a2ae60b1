//! Personal data shown to people who do not need it in full ( 等保 2.0: 个人信息保护 ). The handlers of
//! a case see the applicant's ID number, phone and e-mail as given; the supervising office,
//! assessors, reviewers and editors see them masked ([`mask_field`]), which is enough to tell
//! cases apart and not enough to contact or identify anyone.

/// A field of personal data with its middle hidden: an 18-digit ID number keeps its region code
/// and last four (`210102********1234`), a phone its first three and last four
/// (`138****5678`), an e-mail address its first character and domain (`z***@example.com`);
/// anything shorter than eight characters is stars only. Empty stays empty.
pub fn mask_field(value: &str) -> String {
    let value = value.trim();
    if value.is_empty() {
        return String::new();
    }
    if let Some((local, domain)) = value.split_once('@') {
        let first: String = local.chars().take(1).collect();
        return format!("{first}***@{domain}");
    }
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        0..=7 => (0, 0),
        8..=14 => (3, 4),
        _ => (6, 4),
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_phones_and_mail_keep_only_what_tells_them_apart() {
        assert_eq!(mask_field("210102199001011234"), "210102********1234");
        assert_eq!(mask_field("21010219900101123X"), "210102********123X");
        assert_eq!(mask_field("13812345678"), "138****5678");
        assert_eq!(mask_field(" 0427-2823456 "), "042*****3456");
        assert_eq!(mask_field("zhangsan@example.com"), "z***@example.com");
        assert_eq!(mask_field("E1234567"), "E12*4567");
        assert_eq!(mask_field("1234567"), "*******");
        assert_eq!(mask_field("护照号码"), "****");
        assert_eq!(mask_field(""), "");
    }
}
