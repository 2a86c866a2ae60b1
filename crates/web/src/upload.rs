//! Checks on uploaded attachments: allowed types, non-empty, within the size limit, and content
//! that matches the extension (a renamed executable is refused). An accepted file's text is
//! extracted here, before any transaction opens (`gongkai_search::extract`), and stored with the
//! attachment row; a file whose text cannot be read is still accepted, its text status saying
//! why (无法提取文字:…).

use gongkai_db::attachments::ExtractedText;
use gongkai_domain::Invalid;

pub struct Upload {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// The text extracted from the file, for the content guard and search.
    pub text: ExtractedText,
}

/// Allowed extensions with their MIME type and, where the format has one, the magic prefix.
const ALLOWED: &[(&str, &str, &[&[u8]])] = &[
    ("pdf", "application/pdf", &[b"%PDF-"]),
    ("ofd", "application/ofd", &[b"PK\x03\x04"]),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &[b"PK\x03\x04"],
    ),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &[b"PK\x03\x04"],
    ),
    (
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        &[b"PK\x03\x04"],
    ),
    (
        "doc",
        "application/msword",
        &[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"],
    ),
    (
        "xls",
        "application/vnd.ms-excel",
        &[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"],
    ),
    (
        "ppt",
        "application/vnd.ms-powerpoint",
        &[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"],
    ),
    (
        "wps",
        "application/vnd.ms-works",
        &[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", b"PK\x03\x04"],
    ),
    (
        "et",
        "application/vnd.ms-excel",
        &[b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", b"PK\x03\x04"],
    ),
    ("zip", "application/zip", &[b"PK\x03\x04"]),
    ("rar", "application/vnd.rar", &[b"Rar!\x1A\x07"]),
    ("png", "image/png", &[b"\x89PNG\r\n\x1A\n"]),
    ("jpg", "image/jpeg", &[b"\xFF\xD8\xFF"]),
    ("jpeg", "image/jpeg", &[b"\xFF\xD8\xFF"]),
    ("gif", "image/gif", &[b"GIF87a", b"GIF89a"]),
    ("txt", "text/plain; charset=utf-8", &[]),
    ("csv", "text/csv; charset=utf-8", &[]),
];

pub fn allowed_extensions() -> String {
    ALLOWED
        .iter()
        .map(|(e, _, _)| *e)
        .collect::<Vec<_>>()
        .join("、")
}

/// Keeps the last path segment and removes control and reserved characters.
pub fn clean_file_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*'))
        .collect();
    cleaned
        .trim()
        .trim_start_matches('.')
        .chars()
        .take(120)
        .collect()
}

pub fn check(
    raw_name: &str,
    bytes: Vec<u8>,
    max_bytes: usize,
    inv: &mut Invalid,
) -> Option<Upload> {
    let file_name = clean_file_name(raw_name);
    if file_name.is_empty() {
        inv.push("attachments", "附件文件名无效");
        return None;
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let Some((_, ctype, magics)) = ALLOWED.iter().find(|(e, _, _)| *e == ext) else {
        inv.push(
            "attachments",
            format!(
                "附件“{file_name}”的类型不允许上传；允许的类型：{}",
                allowed_extensions()
            ),
        );
        return None;
    };
    if bytes.is_empty() {
        inv.push("attachments", format!("附件“{file_name}”是空文件"));
        return None;
    }
    if bytes.len() > max_bytes {
        inv.push(
            "attachments",
            format!(
                "附件“{file_name}”超过{}MB的大小限制",
                max_bytes / 1024 / 1024
            ),
        );
        return None;
    }
    let content_ok = if magics.is_empty() {
        std::str::from_utf8(&bytes).is_ok() || !bytes.contains(&0)
    } else {
        magics.iter().any(|m| bytes.starts_with(m))
    };
    if !content_ok {
        inv.push(
            "attachments",
            format!("附件“{file_name}”的内容与其扩展名 .{ext} 不符，文件可能已损坏或被改名"),
        );
        return None;
    }
    let text = gongkai_search::extract::extract_blocking(&bytes, ctype);
    Some(Upload {
        file_name,
        content_type: ctype,
        bytes,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_real_pdf_and_refuses_renamed_files() {
        let mut inv = Invalid::default();
        let damaged =
            check("通知.pdf", b"%PDF-1.7 ...".to_vec(), 1024, &mut inv).expect("accepted");
        assert_eq!(
            damaged.text.status,
            gongkai_db::attachments::TextStatus::Failed,
            "accepted, its text unreadable"
        );
        let text = check("说明.txt", "身份证号".as_bytes().to_vec(), 1024, &mut inv).expect("txt");
        assert_eq!(text.text.text, "身份证号");
        assert!(check("恶意.pdf", b"MZ\x90\x00".to_vec(), 1024, &mut inv).is_none());
        assert!(check("程序.exe", b"MZ".to_vec(), 1024, &mut inv).is_none());
        assert!(check("空.txt", Vec::new(), 1024, &mut inv).is_none());
        assert!(check("大.txt", vec![b'a'; 2048], 1024, &mut inv).is_none());
        assert_eq!(inv.errors.len(), 4);
    }

    #[test]
    fn file_names_lose_paths_and_reserved_characters() {
        assert_eq!(clean_file_name("C:\\Users\\x\\附件1.docx"), "附件1.docx");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("a<b>.pdf"), "ab.pdf");
    }
}
