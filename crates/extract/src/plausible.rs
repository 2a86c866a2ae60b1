//! Whether extracted text is text a person wrote or the noise a font without a usable
//! character map decodes to. A PDF printed from Chromium embeds its glyphs as Type 3 fonts
//! without a ToUnicode map: the codes come out as control characters, private-use characters or
//! accented Latin letters, and storing that as the attachment's text would hide the real
//! content from search and the content guard.
//!
//! The rule counts the non-blank characters: characters that are never text (control, private
//! use, U+FFFD) over 10 per cent, or those together with characters no Chinese government
//! document is written in (accented Latin letters and unassigned symbols) over 30 per cent,
//! make the text garbled. Chinese, ASCII, punctuation of every width, common symbols and the
//! scripts of China's minority languages (Tibetan, Uyghur, Mongolian, Yi, Korean) are text.

/// How the characters of a text divide up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Census {
    /// Non-blank characters.
    pub total: usize,
    /// Control characters (other than line breaks and tabs), private use, U+FFFD.
    pub never_text: usize,
    /// Characters outside the scripts and symbols documents are written in.
    pub noise: usize,
}

impl Census {
    pub fn of(text: &str) -> Census {
        let mut c = Census::default();
        for ch in text.chars() {
            if matches!(ch, '\n' | '\r' | '\t' | ' ' | '\u{3000}' | '\u{A0}') {
                continue;
            }
            c.total += 1;
            if never_text(ch) {
                c.never_text += 1;
            } else if !writing(ch) {
                c.noise += 1;
            }
        }
        c
    }

    /// The rule (see the module's comment).
    pub fn garbled(&self) -> bool {
        self.total > 0
            && (self.never_text * 10 > self.total
                || (self.never_text + self.noise) * 10 > self.total * 3)
    }
}

/// Whether `text` is noise rather than text (see the module's comment). Empty text is not
/// garbled: it is empty.
pub fn garbled(text: &str) -> bool {
    Census::of(text).garbled()
}

fn never_text(c: char) -> bool {
    let u = c as u32;
    c.is_control()
        || c == '\u{FFFD}'
        || (0xE000..=0xF8FF).contains(&u)
        || (0xF0000..=0x10FFFF).contains(&u)
        || (0xFDD0..=0xFDEF).contains(&u)
        || (u & 0xFFFE) == 0xFFFE
}

/// The characters documents are written in.
fn writing(c: char) -> bool {
    let u = c as u32;
    c.is_ascii_graphic()
        || matches!(u,
            0x00A1..=0x00BF | 0x00D7 | 0x00F7   // ° ± · § ¥ × ÷
            | 0x0370..=0x04FF                    // Greek, Cyrillic
            | 0x0600..=0x06FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFC // Arabic script (Uyghur)
            | 0x0F00..=0x0FFF                    // Tibetan
            | 0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF // Korean
            | 0x1800..=0x18AF                    // Mongolian
            | 0x2000..=0x2BFF                    // punctuation, symbols, arrows, shapes, ①
            | 0x2E80..=0x2FDF                    // CJK radicals
            | 0x3000..=0x33FF                    // CJK punctuation, kana, bopomofo, enclosed
            | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF // CJK ideographs
            | 0xA000..=0xA4CF                    // Yi
            | 0xFB00..=0xFB06                    // ligatures (fi, fl)
            | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F  // vertical and small forms
            | 0xFF01..=0xFFEF                    // full-width forms
            | 0x20000..=0x3134F                  // CJK extensions B–G
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn government_text_in_every_script_is_text() {
        for t in [
            "盘锦市人民政府办公室关于印发《2017年政务公开工作要点》的通知\n盘政办发〔2017〕12号",
            "索引号：11210800MB1A2B3C4D/2017-00012\t金额：1,234.50元（大写：壹仟贰佰叁拾肆元伍角）",
            "① 温度 25℃ ± 0.5°；比例 3×4；§ 2 — “引号” ‘单引’ ■ □ ● ○ → ※",
            "Annual Report on Government Information Disclosure, 2017.",
            "ཝ་ཁྲིམས་ ئۇيغۇر تىلى ᠮᠣᠩᠭᠣᠯ 한국어 ꆈꌠ Правительство",
            "",
            "   \n\n",
        ] {
            assert!(!garbled(t), "{t}: {:?}", Census::of(t));
        }
    }

    #[test]
    fn control_private_use_and_replacement_characters_are_noise() {
        assert!(garbled("\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{3}\u{7}\u{8}"));
        assert!(garbled("\u{E001}\u{E002}\u{E003}政务公开"));
        assert!(garbled("\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}公开"));
        // one stray control character in a long text is tolerated
        let long = format!("{}\u{1}", "政务公开工作要点".repeat(5));
        assert!(!garbled(&long));
    }

    #[test]
    fn latin_letter_soup_from_a_wrong_encoding_is_noise() {
        // What WinAnsi decoding of two-byte Chinese codes looks like.
        assert!(garbled("ÃÄÅÆÇÈ ÉÊËÌÍÎ ÏÐÑÒÓÔ"));
        assert!(garbled("þÿ¼½¾ ĀāĂăĄą ǅǆǇ ab"));
        // a name with accents among Chinese text is fine
        assert!(!garbled("法国 Céline Dion 来访，政务公开工作会议"));
    }

    #[test]
    fn the_thresholds() {
        let c = Census::of("\u{1}abcdefghi");
        assert_eq!((c.total, c.never_text, c.noise), (10, 1, 0));
        assert!(!c.garbled(), "10% is tolerated");
        assert!(Census::of("\u{1}\u{2}abcdefghi").garbled(), "over 10%");
        assert!(!Census::of("ÀÁÂabcdefg").garbled(), "30% is tolerated");
        assert!(Census::of("ÀÁÂÃabcdef").garbled(), "over 30%");
    }
}
