//! What a file is by its content: a PDF, an Office Open XML package (told apart by its parts:
//! `word/document.xml` or `xl/workbook.xml`), an OLE compound file (Word 97–2003 .doc, WPS .wps,
//! Excel 97–2003 .xls), or none of these (text, HTML, anything else).

use std::io::Cursor;

/// The OLE compound file signature (.doc, .wps, .xls, .ppt, .msg …).
pub const OLE_SIGNATURE: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    /// A zip with `word/document.xml`.
    Docx,
    /// A zip with `xl/workbook.xml`.
    Xlsx,
    /// Another zip, or one whose directory cannot be read.
    Zip,
    /// An OLE compound file with a `Workbook` (or `Book`) stream and no `WordDocument`.
    Xls,
    /// Any other OLE compound file (a .doc or .wps, usually).
    Ole,
}

/// The kind of file the bytes are, if one of the binary kinds above.
pub fn sniff(bytes: &[u8]) -> Option<Kind> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(zip_kind(bytes));
    }
    if bytes.starts_with(OLE_SIGNATURE) {
        return Some(ole_kind(bytes));
    }
    if bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Some(Kind::Pdf);
    }
    None
}

fn zip_kind(bytes: &[u8]) -> Kind {
    let Ok(archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Kind::Zip;
    };
    if archive.index_for_name("word/document.xml").is_some() {
        Kind::Docx
    } else if archive.index_for_name("xl/workbook.xml").is_some() {
        Kind::Xlsx
    } else {
        Kind::Zip
    }
}

/// Stream names in an OLE directory are UTF-16LE; a workbook has `Workbook` (BIFF8) or `Book`
/// (BIFF5), a Word or WPS document `WordDocument`.
fn ole_kind(bytes: &[u8]) -> Kind {
    let has = |name: &str| {
        let pat: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
        bytes.windows(pat.len()).any(|w| w == pat.as_slice())
    };
    if !has("WordDocument") && (has("Workbook") || has("Book\0")) {
        Kind::Xls
    } else {
        Kind::Ole
    }
}

/// The MIME type of a raster image a browser shows safely (PNG, JPEG, GIF, WebP), by its
/// signature; `None` for anything else, SVG included (it can carry script).
pub fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"\x89PNG\r\n\x1A\n") {
        Some("image/png")
    } else if bytes.starts_with(b"\xFF\xD8\xFF") {
        Some("image/jpeg")
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if bytes.len() > 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::zip_of;

    #[test]
    fn images_by_signature() {
        assert_eq!(image_type(b"\x89PNG\r\n\x1A\n\0\0"), Some("image/png"));
        assert_eq!(image_type(b"\xFF\xD8\xFF\xE0JFIF"), Some("image/jpeg"));
        assert_eq!(image_type(b"GIF89a.."), Some("image/gif"));
        assert_eq!(image_type(b"RIFF\0\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(
            image_type(b"<svg xmlns=\"http://www.w3.org/2000/svg\">"),
            None
        );
        assert_eq!(image_type(b"%PDF-1.7"), None);
        assert_eq!(image_type(b""), None);
    }

    #[test]
    fn kinds_by_content() {
        assert_eq!(
            sniff(&zip_of(&[("word/document.xml", b"<x/>")])),
            Some(Kind::Docx)
        );
        assert_eq!(
            sniff(&zip_of(&[("xl/workbook.xml", b"<x/>")])),
            Some(Kind::Xlsx)
        );
        assert_eq!(sniff(&zip_of(&[("a.txt", b"a")])), Some(Kind::Zip));
        assert_eq!(sniff(b"PK\x03\x04garbage"), Some(Kind::Zip));
        assert_eq!(sniff(b"%PDF-1.4\n"), Some(Kind::Pdf));
        let mut doc = OLE_SIGNATURE.to_vec();
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&doc), Some(Kind::Ole));
        let mut xls = OLE_SIGNATURE.to_vec();
        xls.extend("Workbook".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(sniff(&xls), Some(Kind::Xls));
        assert_eq!(sniff("政务公开".as_bytes()), None);
    }
}
