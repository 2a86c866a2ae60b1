//! The report as a document: its six sections in the national format, rendered as DOCX (download),
//! as an HTML fragment (the body of the published item) and its tables as XLSX.

use super::{Figures, ReportQuery, figures, table3_rows};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use gongkai_domain::annual_report::{Format, paragraphs};
use gongkai_reports::notice::{Block, Section, Table, chinese_date};

const TABLE3_HEADER: [&str; 8] = [
    "项目",
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

/// Table 四 of the national form: one row of 15 figures, five per proceeding.
const TABLE4_HEADER: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];

fn table4_groups() -> Vec<(String, usize)> {
    vec![
        ("行政复议".into(), 5),
        ("行政诉讼（未经复议直接起诉）".into(), 5),
        ("行政诉讼（复议后起诉）".into(), 5),
    ]
}

/// The 15 figures in the form's order: 行政复议, 未经复议直接起诉, 复议后起诉, each with its
/// four results and total.
pub(super) fn table4_row(f: &Figures) -> Vec<String> {
    f.table4
        .rows
        .iter()
        .flat_map(|(_, c, total)| c.iter().chain(std::iter::once(total)))
        .map(u64::to_string)
        .collect()
}

/// The title shown on the item and the document.
pub(super) fn title(f: &Figures) -> String {
    format!("{}{}年政府信息公开工作年度报告", f.org_name, f.year)
}

fn text_blocks(text: &str, empty: &str) -> Vec<Block> {
    let ps = paragraphs(text);
    if ps.is_empty() {
        vec![Block::Paragraph(empty.to_string())]
    } else {
        ps.into_iter().map(Block::Paragraph).collect()
    }
}

/// The six sections of the national format; empty text sections say so.
pub(super) fn sections(f: &Figures) -> Vec<Section> {
    let text = f.sections();
    let table2: Vec<Block> = f
        .table2
        .iter()
        .map(|g| {
            let mut header = vec!["信息内容"];
            header.extend(g.columns.iter().copied());
            Block::Table(Table {
                groups: Vec::new(),
                caption: g.title.to_string(),
                numeric: header.iter().enumerate().map(|(i, _)| i > 0).collect(),
                header,
                rows: g
                    .rows
                    .iter()
                    .map(|r| {
                        let mut row = vec![r.label.to_string()];
                        row.extend(r.cells.iter().map(|c| c.value.clone()));
                        row
                    })
                    .collect(),
            })
        })
        .collect();
    let t3 = Table {
        groups: Vec::new(),
        caption: "收到和处理政府信息公开申请情况（申请人情况：自然人；法人或其他组织：商业企业、科研机构、社会公益组织、法律服务机构、其他；总计）".into(),
        header: TABLE3_HEADER.to_vec(),
        numeric: TABLE3_HEADER.iter().enumerate().map(|(i, _)| i > 0).collect(),
        rows: table3_rows(&f.table3, f.format == Format::Y2019)
            .iter()
            .map(|r| {
                let mut row = vec![r.label.clone()];
                row.extend(r.counts.iter().map(u64::to_string));
                row.push(r.total.to_string());
                row
            })
            .collect(),
    };
    let t4 = Table {
        groups: table4_groups(),
        caption: "政府信息公开行政复议、行政诉讼情况".into(),
        header: TABLE4_HEADER.repeat(3),
        numeric: vec![true; 15],
        rows: vec![table4_row(f)],
    };
    let fee = if f.fees == 0 {
        "本年度未收取信息处理费。".to_string()
    } else {
        format!(
            "本年度依据《政府信息公开信息处理费管理办法》收取信息处理费{}元。",
            f.fees
        )
    };
    let mut other = vec![Block::Paragraph(fee)];
    other.extend(paragraphs(&text.other).into_iter().map(Block::Paragraph));
    vec![
        Section {
            heading: "一、总体情况".into(),
            blocks: text_blocks(&text.overview, "（未填写）"),
        },
        Section {
            heading: "二、主动公开政府信息情况".into(),
            blocks: table2,
        },
        Section {
            heading: "三、收到和处理政府信息公开申请情况".into(),
            blocks: vec![Block::Table(t3)],
        },
        Section {
            heading: "四、政府信息公开行政复议、行政诉讼情况".into(),
            blocks: vec![Block::Table(t4)],
        },
        Section {
            heading: "五、存在的主要问题及改进情况".into(),
            blocks: text_blocks(&text.problems, "（未填写）"),
        },
        Section {
            heading: "六、其他需要报告的事项".into(),
            blocks: other,
        },
    ]
}

pub(super) fn signature(f: &Figures, on: NaiveDate) -> Vec<String> {
    vec![f.org_name.clone(), chinese_date(on)]
}

async fn required(
    state: &AppState,
    user: &CurrentUser,
    q: &ReportQuery,
) -> Result<Figures, AppError> {
    figures(state, user, &q.org, &q.year, &q.format)
        .await?
        .ok_or_else(|| AppError::BadRequest("请选择机构".into()))
}

fn download(bytes: Vec<u8>, content_type: &str, ascii_name: String, name: &str) -> Response {
    crate::download::file(bytes, content_type, name, Some(&ascii_name), None)
}

/// The whole report as an official-document DOCX.
pub async fn docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let f = required(&state, &user, &q).await?;
    let bytes = gongkai_reports::docx::sections_bytes(
        &title(&f),
        &sections(&f),
        &signature(&f, gongkai_db::china_today()),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        format!("annual-report-{}.docx", f.year),
        &format!("{}.docx", title(&f)),
    ))
}

/// Tables 二, 三 and 四 as a workbook, one sheet each.
pub async fn xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let f = required(&state, &user, &q).await?;
    let bytes = workbook(&f).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        format!("annual-report-{}.xlsx", f.year),
        &format!(
            "{}{}年政府信息公开工作年度报告表格.xlsx",
            f.org_name, f.year
        ),
    ))
}

fn col(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn row(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

fn workbook(f: &Figures) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Style, Workbook};
    let mut wb = Workbook::new();
    let bold = Style::new().set_bold();

    let s = wb.add_worksheet();
    s.set_name("二、主动公开政府信息情况")?;
    s.write_string_with_format(
        0,
        0,
        format!("{} {}年 主动公开政府信息情况", f.org_name, f.year),
        &bold,
    )?;
    let mut y = 2;
    for g in &f.table2 {
        s.write_string_with_format(row(y), 0, g.title, &bold)?;
        y += 1;
        s.write_string_with_format(row(y), 0, "信息内容", &bold)?;
        for (i, c) in g.columns.iter().enumerate() {
            s.write_string_with_format(row(y), col(i + 1), *c, &bold)?;
        }
        y += 1;
        for r in &g.rows {
            s.write_string(row(y), 0, r.label)?;
            for (i, c) in r.cells.iter().enumerate() {
                match c.value.parse::<f64>() {
                    Ok(n) => s.write_number(row(y), col(i + 1), n)?,
                    Err(_) => s.write_string(row(y), col(i + 1), &c.value)?,
                };
            }
            y += 1;
        }
        y += 1;
    }
    s.set_column_width(0, 24)?;
    s.set_column_width(1, 20)?;
    s.set_column_width(2, 20)?;
    s.set_column_width(3, 20)?;

    let s = wb.add_worksheet();
    s.set_name("三、收到和处理申请情况")?;
    s.write_string_with_format(
        0,
        0,
        format!("{} {}年 收到和处理政府信息公开申请情况", f.org_name, f.year),
        &bold,
    )?;
    s.write_string(
        1,
        0,
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    )?;
    for (i, h) in TABLE3_HEADER.iter().enumerate() {
        s.write_string_with_format(2, col(i), *h, &bold)?;
    }
    for (r, t3) in table3_rows(&f.table3, f.format == Format::Y2019)
        .iter()
        .enumerate()
    {
        let y = row(r + 3);
        s.write_string(y, 0, &t3.label)?;
        for (i, c) in t3.counts.iter().enumerate() {
            s.write_number(y, col(i + 1), *c as f64)?;
        }
        s.write_number(y, 7, t3.total as f64)?;
    }
    s.set_column_width(0, 60)?;

    let t = wb.add_worksheet();
    t.set_name("四、行政复议和行政诉讼")?;
    let centred = Style::new()
        .set_bold()
        .set_align(rust_xlsxwriter::FormatAlign::Center);
    for (g, (label, span)) in table4_groups().iter().enumerate() {
        let first = col(g * span);
        t.merge_range(0, first, 0, first + col(span - 1), label, &centred)?;
    }
    for (i, h) in TABLE4_HEADER.repeat(3).iter().enumerate() {
        t.write_string_with_format(1, col(i), *h, &bold)?;
    }
    for (i, n) in table4_row(f).iter().enumerate() {
        t.write_number(2, col(i), n.parse::<f64>().unwrap_or(0.0))?;
    }
    t.set_column_width(0, 10)?;
    wb.save_to_buffer()
}
