//! Why a document could not be parsed. The messages are shown to users as they are.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum PlanError {
    #[error("文件为空,没有可以解析的内容")]
    Empty,
    #[error("文件过大({size} 字节),单个文件不能超过 20 MB")]
    TooLarge { size: usize },
    #[error("文件不是文本文档(看起来是二进制文件),请提供 .txt、.html 或 .docx 格式的工作安排")]
    Binary,
    #[error("无法读取 .docx 文件:{0}")]
    Docx(String),
    #[error(
        "文档中没有找到工作任务:请确认这是一份政务公开工作要点、工作安排、实施方案或任务分工(需要有“一、”“(一)”“1.”等编号的任务,或带“责任单位”列的表格)"
    )]
    NoTasks,
}
