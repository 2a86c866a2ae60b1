//! The workbook behind a notice: the tables of the compliance report, one sheet each, with
//! counts as numbers and rates as numbers in a percent format (so they can be summed, sorted and
//! charted), a bold frozen header row, widths for Chinese text, A4 landscape printing one page
//! wide, and a native bar chart of the on-time rate by unit on 单位排名.
//!
//! Sheets: 汇总、单位排名、任务、月度、逾期清单、全部期次、未自动核查、反馈情况、开放数据更新 .

use crate::RenderError;
use crate::notice::Notice;
use gongkai_db::compliance::ComplianceReport;
use gongkai_domain::compliance::Counts;
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};

pub const SHEETS: [&str; 9] = [
    "汇总",
    "单位排名",
    "任务",
    "月度",
    "逾期清单",
    "全部期次",
    "未自动核查",
    "反馈情况",
    "开放数据更新",
];

struct Formats {
    header: Format,
    rate: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color("#E8EEF4")
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            rate: Format::new().set_num_format("0.0%"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// A column: header and width in characters (a CJK character counts about two).
type Col = (&'static str, f64);

/// Header row, frozen, with widths.
fn sheet(name: &str, cols: &[Col], f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut ws = Worksheet::new();
    ws.set_name(name)?;
    for (i, (h, w)) in cols.iter().enumerate() {
        let c = u16::try_from(i).unwrap_or(u16::MAX);
        ws.write_string_with_format(0, c, *h, &f.header)?;
        ws.set_column_width(c, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    // Printed: A4 landscape, one page wide, the header row on every page.
    ws.set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(0, 0)?;
    Ok(ws)
}

/// One row writer: numbers as numbers, rates in percent format, `None` left blank.
struct Row<'a> {
    ws: &'a mut Worksheet,
    f: &'a Formats,
    row: u32,
    col: u16,
}

impl<'a> Row<'a> {
    fn new(ws: &'a mut Worksheet, f: &'a Formats, row: u32) -> Self {
        Row { ws, f, row, col: 0 }
    }
    fn text(&mut self, s: &str) -> Result<&mut Self, XlsxError> {
        self.ws.write_string(self.row, self.col, s)?;
        self.col += 1;
        Ok(self)
    }
    fn wrapped(&mut self, s: &str) -> Result<&mut Self, XlsxError> {
        self.ws
            .write_string_with_format(self.row, self.col, s, &self.f.wrap)?;
        self.col += 1;
        Ok(self)
    }
    fn num(&mut self, n: impl Into<f64>) -> Result<&mut Self, XlsxError> {
        self.ws.write_number(self.row, self.col, n)?;
        self.col += 1;
        Ok(self)
    }
    fn opt_num(&mut self, n: Option<impl Into<f64>>) -> Result<&mut Self, XlsxError> {
        if let Some(n) = n {
            self.ws.write_number(self.row, self.col, n)?;
        }
        self.col += 1;
        Ok(self)
    }
    fn rate(&mut self, r: Option<f64>) -> Result<&mut Self, XlsxError> {
        if let Some(r) = r {
            self.ws
                .write_number_with_format(self.row, self.col, r, &self.f.rate)?;
        }
        self.col += 1;
        Ok(self)
    }
    fn counts(&mut self, c: &Counts) -> Result<&mut Self, XlsxError> {
        self.num(c.met + c.met_late + c.missed)?
            .num(c.met)?
            .num(c.met_late)?
            .num(c.missed)?
            .num(c.due_soon)?
            .num(c.not_yet_due)
    }
}

const COUNT_COLS: [Col; 6] = [
    ("应公开期次", 12.0),
    ("按时完成", 10.0),
    ("逾期完成", 10.0),
    ("未完成", 8.0),
    ("即将到期", 10.0),
    ("未到期", 8.0),
];

fn summary(
    report: &ComplianceReport,
    notice: &Notice,
    f: &Formats,
) -> Result<Worksheet, XlsxError> {
    let mut ws = sheet("汇总", &[("项目", 24.0), ("数值", 48.0)], f)?;
    let s = &notice.summary;
    let idle = notice.idle_sentence().unwrap_or_default();
    let texts: [(&str, &str); 6] = [
        ("通报", &notice.title),
        ("文号", notice.doc_number.as_deref().unwrap_or("")),
        ("工作安排", &report.plan.title),
        ("核查日期", &report.as_of),
        ("发文单位", &notice.office),
        ("暂无到期任务的单位", &idle),
    ];
    let mut r = 1u32;
    for (k, v) in texts {
        Row::new(&mut ws, f, r).text(k)?.text(v)?;
        r += 1;
    }
    let numbers: [(&str, u32); 9] = [
        ("公开义务", s.obligations),
        ("可自动核查", s.checked),
        ("无法自动核查", s.unchecked),
        ("已到期期次", s.periods_due),
        ("按时完成", s.met),
        ("逾期完成", s.met_late),
        ("未完成", s.missed),
        ("即将到期", s.due_soon),
        ("未到期", s.not_yet_due),
    ];
    for (k, v) in numbers {
        Row::new(&mut ws, f, r).text(k)?.num(v)?;
        r += 1;
    }
    Row::new(&mut ws, f, r)
        .text("按时公开率")?
        .rate(s.on_time_rate)?;
    let fb = &notice.feedback_counts;
    let feedback: [(&str, u32); 5] = [
        ("反馈节点", fb.rounds),
        ("按时反馈", fb.on_time),
        ("逾期反馈", fb.late),
        ("未反馈", fb.missing),
        ("反馈未到期", fb.pending),
    ];
    for (k, v) in feedback {
        r += 1;
        Row::new(&mut ws, f, r).text(k)?.num(v)?;
    }
    Ok(ws)
}

fn ranking(notice: &Notice, f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut cols: Vec<Col> = vec![
        ("排名", 6.0),
        ("单位", 24.0),
        ("公开义务", 10.0),
        ("无法自动核查", 14.0),
        ("应公开期次", 12.0),
        ("按时完成", 10.0),
        ("逾期完成", 10.0),
        ("未完成", 8.0),
        ("即将到期", 10.0),
    ];
    cols.push(("按时公开率", 12.0));
    let mut ws = sheet("单位排名", &cols, f)?;
    // Units with nothing due are not rows of zeros: 汇总 names them in one sentence.
    let ranked_rows = notice.ranking.iter().filter(|u| u.rank.is_some());
    for (i, u) in ranked_rows.enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut row = Row::new(&mut ws, f, r);
        row.opt_num(u.rank)?
            .text(&u.org_name)?
            .num(u.obligations)?
            .num(u.unchecked)?
            .num(u.periods_due)?
            .num(u.met)?
            .num(u.met_late)?
            .num(u.missed)?
            .num(u.due_soon)?
            .rate(u.on_time_rate)?;
    }
    let ranked = notice.ranking.iter().filter(|u| u.rank.is_some()).count();
    if ranked > 0 {
        let last = u32::try_from(ranked).unwrap_or(u32::MAX);
        let mut chart = Chart::new(ChartType::Bar);
        chart
            .add_series()
            .set_name("按时公开率")
            .set_categories(("单位排名", 1, 1, last, 1))
            .set_values(("单位排名", 1, 9, last, 9));
        chart.title().set_name("各单位按时公开率");
        chart.x_axis().set_num_format("0%").set_min(0).set_max(1);
        // Bars top to bottom in ranking order.
        chart.y_axis().set_reverse();
        chart.legend().set_hidden();
        chart.set_width(640).set_height((120 + 22 * last).min(1200));
        ws.insert_chart(1, 11, &chart)?;
    }
    Ok(ws)
}

fn tasks(report: &ComplianceReport, f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut cols: Vec<Col> = vec![
        ("序号", 6.0),
        ("任务", 40.0),
        ("公开义务", 10.0),
        ("无法自动核查", 14.0),
    ];
    cols.extend(COUNT_COLS);
    cols.push(("按时公开率", 12.0));
    let mut ws = sheet("任务", &cols, f)?;
    for (i, t) in report.tasks.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        Row::new(&mut ws, f, r)
            .num(t.number as f64)?
            .wrapped(&t.title)?
            .num(t.obligations)?
            .num(t.unchecked_obligations)?
            .counts(&t.counts)?
            .rate(t.on_time_rate)?;
    }
    Ok(ws)
}

fn months(report: &ComplianceReport, notice: &Notice, f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut cols: Vec<Col> = vec![("月份", 12.0)];
    cols.extend(COUNT_COLS);
    cols.push(("按时公开率", 12.0));
    let mut ws = sheet("月度", &cols, f)?;
    for (i, (m, line)) in report.months.iter().zip(&notice.months).enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        Row::new(&mut ws, f, r)
            .text(&line.label)?
            .counts(&m.counts)?
            .rate(m.on_time_rate)?;
    }
    Ok(ws)
}

fn overdue(notice: &Notice, f: &Formats) -> Result<Worksheet, XlsxError> {
    let cols: [Col; 9] = [
        ("情况", 10.0),
        ("单位", 20.0),
        ("任务序号", 9.0),
        ("任务", 30.0),
        ("栏目", 16.0),
        ("期次", 16.0),
        ("截止日期", 12.0),
        ("逾期工作日", 11.0),
        ("情况说明", 60.0),
    ];
    let mut ws = sheet("逾期清单", &cols, f)?;
    for (i, o) in notice.overdue.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        Row::new(&mut ws, f, r)
            .text(&o.status_label)?
            .text(&o.org_name)?
            .num(o.task_number as f64)?
            .text(&o.task_title)?
            .text(o.column_name.as_deref().unwrap_or(""))?
            .text(&o.period_label)?
            .text(&o.due.to_string())?
            .opt_num(o.late_working_days)?
            .wrapped(&o.explanation)?;
    }
    Ok(ws)
}

fn periods(report: &ComplianceReport, f: &Formats) -> Result<Worksheet, XlsxError> {
    let cols: [Col; 12] = [
        ("单位", 20.0),
        ("任务序号", 9.0),
        ("栏目", 16.0),
        ("期次", 16.0),
        ("开始日期", 12.0),
        ("结束日期", 12.0),
        ("截止日期", 12.0),
        ("情况", 10.0),
        ("逾期工作日", 11.0),
        ("情况说明", 50.0),
        ("依据", 50.0),
        ("公开义务编号", 12.0),
    ];
    let numbers: std::collections::BTreeMap<i64, i64> =
        report.tasks.iter().map(|t| (t.task_id, t.number)).collect();
    let mut ws = sheet("全部期次", &cols, f)?;
    for (i, p) in report.periods.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let evidence = p
            .evidence
            .iter()
            .map(|e| format!("《{}》（{}）", e.title, e.published_on))
            .collect::<Vec<_>>()
            .join("；");
        Row::new(&mut ws, f, r)
            .text(&p.org_name)?
            .opt_num(numbers.get(&p.task_id).map(|&n| n as f64))?
            .text(p.column_name.as_deref().unwrap_or(""))?
            .text(&p.label)?
            .text(&p.start.to_string())?
            .text(&p.end.to_string())?
            .text(&p.due.to_string())?
            .text(&p.status_label)?
            .opt_num(p.late_working_days)?
            .wrapped(&p.explanation)?
            .wrapped(&evidence)?
            .num(p.obligation_id as f64)?;
    }
    Ok(ws)
}

fn unchecked(report: &ComplianceReport, f: &Formats) -> Result<Worksheet, XlsxError> {
    let cols: [Col; 6] = [
        ("单位", 20.0),
        ("任务序号", 9.0),
        ("公开频次", 12.0),
        ("栏目", 16.0),
        ("原因", 60.0),
        ("公开义务编号", 12.0),
    ];
    let mut ws = sheet("未自动核查", &cols, f)?;
    let rows = report.obligations.iter().filter(|o| o.check != "checked");
    for (i, o) in rows.enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        Row::new(&mut ws, f, r)
            .text(&o.org_name)?
            .num(o.task_number as f64)?
            .text(&o.cadence_label)?
            .text(o.column_name.as_deref().unwrap_or("未指定"))?
            .wrapped(o.reason.as_deref().unwrap_or(&o.check_label))?
            .num(o.id as f64)?;
    }
    Ok(ws)
}

fn feedback(report: &ComplianceReport, f: &Formats) -> Result<Worksheet, XlsxError> {
    let cols: [Col; 11] = [
        ("单位", 20.0),
        ("任务序号", 9.0),
        ("任务", 30.0),
        ("反馈节点", 24.0),
        ("截止日期", 12.0),
        ("情况", 10.0),
        ("提交日期", 12.0),
        ("逾期工作日", 11.0),
        ("审核状态", 10.0),
        ("情况说明", 50.0),
        ("类别", 14.0),
    ];
    let mut ws = sheet("反馈情况", &cols, f)?;
    for (i, fb) in report.feedback.rounds.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        Row::new(&mut ws, f, r)
            .text(&fb.org_name)?
            .num(fb.task_number as f64)?
            .text(&fb.task_title)?
            .text(&fb.label)?
            .text(&fb.due.to_string())?
            .text(&fb.status_label)?
            .text(&fb.submitted_on.map(|d| d.to_string()).unwrap_or_default())?
            .opt_num(fb.late_working_days.map(|n| n as f64))?
            .text(&fb.review_status_label)?
            .wrapped(&fb.explanation)?
            .text(&fb.kind_label)?;
    }
    Ok(ws)
}

/// Open datasets' stated cadences （开放数据更新） : one row per dataset that owed updates.
fn open_data(report: &ComplianceReport, f: &Formats) -> Result<Worksheet, XlsxError> {
    let mut cols: Vec<Col> = vec![
        ("数据集", 30.0),
        ("提供单位", 20.0),
        ("更新周期", 10.0),
        ("现状", 12.0),
    ];
    cols.extend(COUNT_COLS);
    cols.push(("按时更新率", 12.0));
    let mut ws = sheet("开放数据更新", &cols, f)?;
    for (i, d) in report.open_data.datasets.iter().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        Row::new(&mut ws, f, r)
            .wrapped(&d.name)?
            .text(&d.org_name)?
            .text(&d.cadence_label)?
            .text(&d.standing_label)?
            .counts(&d.counts)?
            .rate(d.on_time_rate)?;
    }
    Ok(ws)
}

fn workbook(report: &ComplianceReport, notice: &Notice) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(&notice.title)
            .set_author(&notice.office),
    );
    wb.push_worksheet(summary(report, notice, &f)?);
    wb.push_worksheet(ranking(notice, &f)?);
    wb.push_worksheet(tasks(report, &f)?);
    wb.push_worksheet(months(report, notice, &f)?);
    wb.push_worksheet(overdue(notice, &f)?);
    wb.push_worksheet(periods(report, &f)?);
    wb.push_worksheet(unchecked(report, &f)?);
    wb.push_worksheet(feedback(report, &f)?);
    wb.push_worksheet(open_data(report, &f)?);
    wb.save_to_buffer()
}

/// A workbook of display tables, one sheet each (the 季度抽查 report): the header frozen and
/// bold, the columns marked numeric written as numbers when they parse.
pub fn tables_bytes(
    title: &str,
    author: &str,
    sheets: &[(&str, &crate::notice::Table)],
) -> Result<Vec<u8>, RenderError> {
    let build = || -> Result<Vec<u8>, XlsxError> {
        let f = Formats::new();
        let mut wb = Workbook::new();
        wb.set_properties(&DocProperties::new().set_title(title).set_author(author));
        for (name, t) in sheets {
            let cols: Vec<Col> = t
                .header
                .iter()
                .map(|h| (*h, (h.chars().count() as f64 * 2.5).max(12.0)))
                .collect();
            let mut ws = sheet(name, &cols, &f)?;
            for (r, row) in t.rows.iter().enumerate() {
                let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
                for (c, v) in row.iter().enumerate() {
                    let numeric = t.numeric.get(c).copied().unwrap_or(false);
                    let c = u16::try_from(c).unwrap_or(u16::MAX);
                    match v.parse::<f64>() {
                        Ok(n) if numeric => ws.write_number(r, c, n)?,
                        _ => ws.write_string_with_format(r, c, v, &f.wrap)?,
                    };
                }
            }
            wb.push_worksheet(ws);
        }
        wb.save_to_buffer()
    };
    build().map_err(|e| RenderError(e.to_string()))
}

/// The workbook's bytes. `notice` must be built from `report`.
pub fn to_bytes(report: &ComplianceReport, notice: &Notice) -> Result<Vec<u8>, RenderError> {
    workbook(report, notice).map_err(|e| RenderError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notice::NoticeOptions;
    use crate::test_report;
    use calamine::{Data, Reader, Xlsx};

    #[test]
    fn sheets_read_back_with_numbers_and_rates() {
        let r = test_report::sample();
        let n = Notice::build(
            &r,
            &NoticeOptions::new(None, test_report::day("2018-01-05")),
        );
        let bytes = to_bytes(&r, &n).expect("workbook");
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("opens");
        assert_eq!(wb.sheet_names(), SHEETS.map(String::from).to_vec());
        let rank = wb.worksheet_range("单位排名").expect("ranking");
        assert_eq!(rank.get((0, 9)), Some(&Data::String("按时公开率".into())));
        assert_eq!(rank.get((1, 1)), Some(&Data::String("市审计局".into())));
        assert_eq!(rank.get((1, 9)), Some(&Data::Float(1.0)));
        assert_eq!(rank.height(), 6, "the unit with nothing due is not a row");
        let summary = wb.worksheet_range("汇总").expect("summary");
        let idle = summary
            .rows()
            .find(|r| r.first() == Some(&Data::String("暂无到期任务的单位".into())))
            .expect("the units with nothing due");
        assert_eq!(
            idle.get(1),
            Some(&Data::String(
                "截至2017年12月31日\u{FF0C}市教育局暂无到期任务\u{FF0C}不参与排名\u{3002}".into()
            ))
        );
        let over = wb.worksheet_range("逾期清单").expect("overdue");
        assert_eq!(over.get((1, 1)), Some(&Data::String("市统计局".into())));
        assert_eq!(over.get((2, 7)), Some(&Data::Float(8.0)));
        let unchecked = wb.worksheet_range("未自动核查").expect("unchecked");
        assert_eq!(unchecked.height(), 2);
        let fb = wb.worksheet_range("反馈情况").expect("feedback");
        assert_eq!(fb.height(), 4);
        assert_eq!(fb.get((2, 0)), Some(&Data::String("市统计局".into())));
        assert_eq!(fb.get((2, 7)), Some(&Data::Float(4.0)));
        let missing = summary
            .rows()
            .find(|r| r.first() == Some(&Data::String("未反馈".into())))
            .expect("未反馈 row");
        assert_eq!(missing.get(1), Some(&Data::Float(1.0)));
    }
}
