//! Plain text: UTF-8 (with or without BOM), else GB18030 (which covers GBK and GB2312, what
//! Chinese Windows writes).

use super::Error;

/// Decodes bytes as UTF-8 (a BOM dropped), else GB18030. Refused when more than 1% of the
/// characters do not decode.
pub fn decode(bytes: &[u8]) -> Result<String, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_owned());
    }
    let (text, _, _) = encoding_rs::GB18030.decode(bytes);
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    if bad * 100 > text.chars().count().max(1) {
        return Err(Error::NotText);
    }
    Ok(text.into_owned())
}

/// Whether the bytes look like a binary file rather than text: a NUL byte, or more than 5%
/// control characters other than tab, line breaks and form feed, in the first 8 KB.
pub fn looks_binary(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(8192)];
    if sample.contains(&0) {
        return true;
    }
    let control = sample
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
        .count();
    control * 20 > sample.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_and_gb18030() {
        assert_eq!(decode("\u{feff}政务公开".as_bytes()).unwrap(), "政务公开");
        let (gb, _, _) = encoding_rs::GB18030.encode("盘锦市民政局\r\n");
        assert_eq!(decode(&gb).unwrap(), "盘锦市民政局\r\n");
        assert_eq!(
            decode(&[0xff, 0xfe, 0x00, 0x81, 0x30, 0xff, 0x00]),
            Err(Error::NotText)
        );
        assert!(looks_binary(b"\x89PNG\r\n\x1a\n\0\0"));
        assert!(!looks_binary("政务公开\n".as_bytes()));
    }
}
