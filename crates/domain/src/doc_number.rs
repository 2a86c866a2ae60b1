//! The 发文字号 “文号” of an official document, as GB/T 9704-2012 7.2.4 writes it: the issuing
//! organ's abbreviation, the year in hexagonal brackets \u{3014}\u{3015}, the serial number without
//! leading zeros and the final character 号 — for example `盘政办发\u{3014}2017\u{3015}12号`.
//!
//! [`parse`] accepts what people type (the year in `()`, `\u{FF08}\u{FF09}`, `[]`,
//! `\u{3010}\u{3011}` or `\u{FF3B}\u{FF3D}`, full-width digits, spaces) and returns the one official
//! form, or a Chinese message saying what is wrong.

/// The official form of a typed 文号 — or why it is not one. Empty input is `Ok(None)`: the field
/// is optional.
pub fn parse(input: &str) -> Result<Option<String>, String> {
    let s: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '(' | '[' | '\u{FF08}' | '\u{3010}' | '\u{FF3B}' | '\u{3016}' => '\u{3014}',
            ')' | ']' | '\u{FF09}' | '\u{3011}' | '\u{FF3D}' | '\u{3017}' => '\u{3015}',
            c => c,
        })
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    let example = "\u{FF0C}如 盘政办发\u{3014}2017\u{3015}12号";
    let Some((issuer, rest)) = s.split_once('\u{3014}') else {
        return Err(format!(
            "文号应由发文机关代字\u{3001}年份和序号组成{example}"
        ));
    };
    let Some((year, number)) = rest.split_once('\u{3015}') else {
        return Err(format!(
            "文号中的年份应放在六角括号\u{3014}\u{3015}内{example}"
        ));
    };
    if issuer.is_empty()
        || issuer.chars().count() > 20
        || !issuer
            .chars()
            .all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    {
        return Err(format!(
            "文号应以发文机关代字\u{FF08}汉字\u{FF09}开头{example}"
        ));
    }
    let year_ok = year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && (1949..=2100).contains(&year.parse::<u32>().unwrap_or(0));
    if !year_ok {
        return Err(format!("文号中的年份应为四位数字{example}"));
    }
    let Some(serial) = number.strip_suffix('号') else {
        return Err(format!("文号应以\u{201C}号\u{201D}结尾{example}"));
    };
    let serial = serial.strip_prefix('第').unwrap_or(serial);
    if serial.is_empty() || serial.len() > 6 || !serial.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("文号中的序号应为阿拉伯数字{example}"));
    }
    let n: u32 = serial.parse().unwrap_or(0);
    if n == 0 {
        return Err(format!("文号中的序号应从1开始{example}"));
    }
    // GB/T 9704 says no 第 and no leading zeros “不编虚位”.
    Ok(Some(format!("{issuer}\u{3014}{year}\u{3015}{n}号")))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn the_common_inputs_become_the_official_form() {
        let official = Some("盘政办发\u{3014}2017\u{3015}12号".to_string());
        for typed in [
            "盘政办发\u{3014}2017\u{3015}12号",
            "盘政办发\u{28}2017\u{29}12号",
            "盘政办发[2017]12号",
            "盘政办发\u{FF08}2017\u{FF09}12号",
            "盘政办发\u{3010}2017\u{3011}12号",
            " 盘政办发 [2017] 012号 ",
            "盘政办发\u{3014}\u{FF12}\u{FF10}\u{FF11}\u{FF17}\u{3015}第12号",
        ] {
            assert_eq!(parse(typed), Ok(official.clone()), "{typed}");
        }
        assert_eq!(parse("  "), Ok(None));
    }

    #[test]
    fn malformed_numbers_are_refused_in_chinese() {
        for (typed, says) in [
            ("盘政办发2017年12号", "年份和序号"),
            ("\u{28}2017\u{29}12号", "发文机关代字"),
            ("盘政办发\u{28}17\u{29}12号", "四位数字"),
            ("盘政办发\u{28}2017\u{29}12", "结尾"),
            ("盘政办发\u{28}2017\u{29}十二号", "阿拉伯数字"),
            ("盘政办发\u{28}2017\u{29}0号", "从1开始"),
            ("Pan\u{28}2017\u{29}1号", "发文机关代字"),
            ("盘政办发\u{28}2017", "六角括号"),
        ] {
            let err = parse(typed).expect_err(typed);
            assert!(err.contains(says), "{typed}: {err}");
        }
    }
}
