//! Why a document could not be parsed. The messages are shown to users as they are (full-width
//! punctuation between Chinese characters, written as escapes so no editor turns it into ASCII).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PlanError {
    #[error("文件为空\u{FF0C}没有可以解析的内容")]
    Empty,
    #[error("文件过大\u{FF08}{size} 字节\u{FF09}\u{FF0C}单个文件不能超过 20 MB")]
    TooLarge { size: usize },
    #[error(
        "文件不是文本文档\u{FF08}看起来是二进制文件\u{FF09}\u{FF0C}请提供 .txt、.html、.docx、.xlsx、.xls 或 .pdf 格式的工作安排"
    )]
    Binary,
    /// A damaged .docx, or one refused as a zip bomb; the reason from `gongkai-extract`.
    #[error("无法读取 .docx 文件\u{FF1A}{0}")]
    Docx(String),
    /// A damaged .xlsx or .xls.
    #[error("无法读取 Excel 表格文件\u{FF1A}{0}")]
    Xlsx(String),
    /// A damaged or encrypted PDF.
    #[error("无法读取 PDF 文件\u{FF1A}{0}")]
    Pdf(String),
    /// A PDF with no text layer.
    #[error("此PDF没有可提取的文字\u{FF0C}可能是扫描件")]
    ScannedPdf,
    /// A Word 97–2003 (.doc) or WPS (.wps) document: an OLE compound file that is not read.
    #[error(
        "这是 Word 97-2003\u{FF08}.doc\u{FF09}或 WPS\u{FF08}.wps\u{FF09}格式的文档\u{FF0C}无法直接读取\u{FF1A}请用 Word 或 WPS 打开\u{FF0C}另存为 .docx 后再导入"
    )]
    OldWord,
    #[error(
        "文档中没有找到工作任务\u{FF1A}请确认这是一份政务公开工作要点、工作安排、实施方案或任务分工\u{FF08}需要有“一、”“\u{FF08}一\u{FF09}”“1.”等编号的任务\u{FF0C}或带“责任单位”列的表格\u{FF09}"
    )]
    NoTasks,
    /// Text longer than [`super::input::MAX_TEXT_BYTES`].
    #[error(
        "文档文字过多\u{FF08}超过 {max_kb} KB\u{FF09}\u{FF0C}不像一份工作要点\u{FF1A}请拆分为多份文件分别导入"
    )]
    TooMuchText { max_kb: usize },
    /// More tasks than [`super::MAX_TASKS`]: refused, never cut or folded.
    #[error("文档中有 {count} 项工作任务\u{FF0C}超过上限 {max} 项\u{FF1A}请拆分为多份文件分别导入")]
    TooManyTasks { count: usize, max: usize },
    /// More duties in all than [`super::MAX_DUTIES`].
    #[error("文档中有 {count} 条具体要求\u{FF0C}超过上限 {max} 条\u{FF1A}请拆分为多份文件分别导入")]
    TooManyDuties { count: usize, max: usize },
}
