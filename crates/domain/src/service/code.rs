//! The item code （事项编码）. GB/T 39554.1-2020 sets the coding of the basic catalogue and the
//! implementation lists; its text was not available to us, so only what is certain is checked
//! (see docs/decisions.md): a code is digits and upper-case Latin letters (half-width; full-width
//! characters and lower case are folded first), 6 to 64 characters, no spaces or punctuation other
//! than `-`. Uniqueness within an organisation is checked by storage.

/// The code normalised (full-width folded, upper case), or why it is not a code.
pub fn check(raw: &str) -> Result<String, String> {
    let folded: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .to_ascii_uppercase();
    if folded.is_empty() {
        return Err("请填写事项编码".into());
    }
    if let Some(bad) = folded
        .chars()
        .find(|c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(format!(
            "事项编码只能由数字\u{3001}大写字母和\u{201C}-\u{201D}组成\u{FF0C}不能含有\u{201C}{bad}\u{201D}"
        ));
    }
    let n = folded.chars().count();
    if !(6..=64).contains(&n) {
        return Err(format!("事项编码应为 6 至 64 位\u{FF0C}现为 {n} 位"));
    }
    Ok(folded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_folded_and_checked() {
        assert_eq!(check(" 11210100mb1234567x ").unwrap(), "11210100MB1234567X");
        assert_eq!(check("\u{FF11}\u{FF12}3456").unwrap(), "123456");
        assert!(check("").is_err());
        assert!(check("123").is_err());
        assert!(check("1234 5678").unwrap_err().contains(' '));
        assert!(check("编码123456").is_err());
    }
}
