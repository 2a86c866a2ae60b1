//! The quarterly spot-check report （季度抽查情况通报）： per site its availability, 19号 score,
//! vetoes, findings and rectification, as numbered sections rendered by the notice's building
//! blocks — an HTML fragment for the portal, a DOCX 公文 with the 版头 and an XLSX workbook.
//! Sites not inspected in the quarter are one sentence, never rows of zeros.

use crate::RenderError;
use crate::notice::{Block, Section, Table, chinese_number};
use chrono::NaiveDate;
use gongkai_domain::monitor::quarter::{Quarter, SiteLine};
use gongkai_domain::monitor::scoring::{Score, Verdict};

/// The report.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotCheck {
    pub quarter: Quarter,
    pub office: String,
    pub doc_number: Option<String>,
    pub issued_on: NaiveDate,
    pub sites: Vec<SiteLine>,
}

fn table(
    caption: &str,
    header: Vec<&'static str>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
) -> Table {
    Table {
        caption: caption.into(),
        groups: Vec::new(),
        header,
        numeric,
        rows,
    }
}

impl SpotCheck {
    pub fn title(&self) -> String {
        format!("关于{}政府网站抽查情况的通报", self.quarter.label())
    }

    fn inspected(&self) -> impl Iterator<Item = (&SiteLine, &String, &Score)> {
        self.sites
            .iter()
            .filter_map(|s| s.inspected.as_ref().map(|(d, sc)| (s, d, sc)))
    }

    pub fn opening(&self) -> String {
        format!(
            "按照\u{300A}政府网站与政务新媒体检查指标\u{300B}\u{FF08}国办秘函\u{3014}2019\u{3015}19号\u{FF09}要求\u{FF0C}{}对{}个政府网站开展了{}抽查\u{3002}现将有关情况通报如下\u{3002}",
            self.office,
            self.sites.len(),
            self.quarter.label()
        )
    }

    /// 抽查结果： one row per inspected site.
    pub fn results_table(&self) -> Table {
        let rows = self
            .inspected()
            .enumerate()
            .map(|(i, (s, day, sc))| {
                vec![
                    (i + 1).to_string(),
                    s.org_name.clone(),
                    s.site_name.clone(),
                    day.clone(),
                    s.availability.clone(),
                    sc.total.to_string(),
                    sc.verdict.label().to_string(),
                    sc.vetoes
                        .iter()
                        .map(|v| v.item.as_str())
                        .collect::<Vec<_>>()
                        .join("\u{3001}"),
                ]
            })
            .collect();
        table(
            "各网站抽查结果",
            vec![
                "序号",
                "单位",
                "网站",
                "检查日期",
                "可用率",
                "得分",
                "结论",
                "单项否决",
            ],
            vec![true, false, false, false, false, true, false, false],
            rows,
        )
    }

    /// 问题分布： one row per site and kind of finding.
    pub fn findings_table(&self) -> Table {
        let rows = self
            .inspected()
            .flat_map(|(s, _, _)| {
                s.findings.iter().map(move |(k, n)| {
                    vec![
                        s.site_name.clone(),
                        k.label().to_string(),
                        n.to_string(),
                        k.indicator().to_string(),
                    ]
                })
            })
            .collect();
        table(
            "发现的问题",
            vec!["网站", "问题类型", "数量", "对应指标"],
            vec![false, false, true, false],
            rows,
        )
    }

    /// 整改情况： one row per site that had tickets this quarter.
    pub fn rectification_table(&self) -> Table {
        let rows = self
            .sites
            .iter()
            .filter(|s| s.tickets.0 > 0)
            .map(|s| {
                vec![
                    s.org_name.clone(),
                    s.site_name.clone(),
                    s.tickets.0.to_string(),
                    s.tickets.1.to_string(),
                    s.tickets.2.to_string(),
                ]
            })
            .collect();
        table(
            "整改情况",
            vec!["单位", "网站", "整改单", "已整改", "未整改"],
            vec![false, false, true, true, true],
            rows,
        )
    }

    fn summary(&self) -> String {
        let inspected: Vec<_> = self.inspected().collect();
        let pass = inspected
            .iter()
            .filter(|(_, _, s)| s.verdict == Verdict::Pass)
            .count();
        let vetoed = inspected
            .iter()
            .filter(|(_, _, s)| !s.vetoes.is_empty())
            .count();
        let mut text = format!(
            "本季度抽查网站{}个\u{FF0C}完成检查{}个\u{FF0C}其中合格{pass}个\u{FF0C}不合格{}个\u{FF08}单项否决{vetoed}个\u{FF09}\u{3002}",
            self.sites.len(),
            inspected.len(),
            inspected.len() - pass
        );
        let missing: Vec<&str> = self
            .sites
            .iter()
            .filter(|s| s.inspected.is_none())
            .map(|s| s.site_name.as_str())
            .collect();
        if !missing.is_empty() {
            text.push_str(&format!(
                "{}本季度未完成检查\u{FF0C}不参与评分\u{3002}",
                missing.join("\u{3001}")
            ));
        }
        text
    }

    /// The numbered sections （一、总体情况 …）.
    pub fn sections(&self) -> Vec<Section> {
        let mut sections = vec![("总体情况", vec![Block::Paragraph(self.summary())])];
        let results = self.results_table();
        if !results.rows.is_empty() {
            sections.push(("抽查结果", vec![Block::Table(results)]));
        }
        let findings = self.findings_table();
        sections.push((
            "发现的问题",
            if findings.rows.is_empty() {
                vec![Block::Paragraph("本季度抽查未发现问题\u{3002}".into())]
            } else {
                vec![Block::Table(findings)]
            },
        ));
        let tickets = self.rectification_table();
        let (opened, closed): (i64, i64) = self
            .sites
            .iter()
            .fold((0, 0), |(o, c), s| (o + s.tickets.0, c + s.tickets.1));
        let mut blocks = vec![Block::Paragraph(format!(
            "本季度共下发整改单{opened}份\u{FF0C}经复查已整改{closed}份\u{FF0C}尚未整改{}份\u{3002}",
            opened - closed
        ))];
        if !tickets.rows.is_empty() {
            blocks.push(Block::Table(tickets));
        }
        sections.push(("整改情况", blocks));
        sections.push((
            "有关要求",
            vec![Block::Paragraph(
                "请存在问题的单位在整改期限内完成整改并在系统中标记已整改\u{FF0C}经复查通过后销号\u{FF1B}单项否决的网站须立即整改\u{3002}".into(),
            )],
        ));
        sections
            .into_iter()
            .enumerate()
            .map(|(i, (h, blocks))| Section {
                heading: format!("{}\u{3001}{h}", chinese_number(i + 1)),
                blocks,
            })
            .collect()
    }

    pub fn signature(&self) -> Vec<String> {
        vec![
            self.office.clone(),
            gongkai_domain::reminder::chinese_date(self.issued_on),
        ]
    }

    /// The fragment published to the portal column.
    pub fn html(&self) -> String {
        format!(
            "<p>{}</p>{}",
            crate::html::escape(&self.opening()),
            crate::html::sections_fragment(&self.sections(), 2, &self.signature())
        )
    }

    pub fn docx(&self) -> Result<Vec<u8>, RenderError> {
        crate::docx::official_sections_bytes(
            &self.office,
            self.doc_number.as_deref(),
            &self.title(),
            &self.opening(),
            &self.sections(),
            &self.signature(),
        )
    }

    pub fn xlsx(&self) -> Result<Vec<u8>, RenderError> {
        crate::xlsx::tables_bytes(
            &self.title(),
            &self.office,
            &[
                ("抽查结果", &self.results_table()),
                ("发现的问题", &self.findings_table()),
                ("整改情况", &self.rectification_table()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_domain::monitor::scoring::{ScoredFinding, ScoringTable, score};
    use gongkai_domain::monitor::{Availability, FindingKind};

    fn report() -> SpotCheck {
        let findings = [ScoredFinding {
            kind: FindingKind::UnansweredMessage,
            missing: vec![],
        }];
        let vetoed = score(
            &ScoringTable::national(),
            &Availability::of([true; 10]),
            &findings,
            0,
        );
        SpotCheck {
            quarter: Quarter { year: 2026, q: 4 },
            office: "某市人民政府办公室".into(),
            doc_number: None,
            issued_on: NaiveDate::from_ymd_opt(2026, 12, 20).unwrap(),
            sites: vec![
                SiteLine {
                    org_name: "市财政局".into(),
                    site_name: "市财政局网站".into(),
                    url: "http://czj/".into(),
                    availability: "100.0%".into(),
                    inspected: Some(("2026-12-01".into(), vetoed)),
                    findings: vec![(FindingKind::UnansweredMessage, 1)],
                    tickets: (1, 0, 1),
                },
                SiteLine {
                    org_name: "市统计局".into(),
                    site_name: "市统计局网站".into(),
                    url: "http://tjj/".into(),
                    availability: "无探测".into(),
                    inspected: None,
                    findings: vec![],
                    tickets: (0, 0, 0),
                },
            ],
        }
    }

    #[test]
    fn a_site_not_inspected_is_a_sentence_not_a_row() {
        let r = report();
        assert_eq!(r.results_table().rows.len(), 1);
        let s = r.sections();
        let Block::Paragraph(summary) = &s[0].blocks[0] else {
            panic!("summary first")
        };
        assert!(
            summary.contains("市统计局网站本季度未完成检查"),
            "{summary}"
        );
        assert!(
            summary.contains("不合格1个\u{FF08}单项否决1个\u{FF09}"),
            "{summary}"
        );
        assert_eq!(r.results_table().rows[0][7], "互动回应差");
        assert_eq!(s[1].heading, "二\u{3001}抽查结果");
        assert_eq!(r.title(), "关于2026年第四季度政府网站抽查情况的通报");
    }

    #[test]
    fn docx_and_xlsx_are_produced() {
        let r = report();
        let docx = r.docx().unwrap();
        assert_eq!(&docx[..2], b"PK");
        let xlsx = r.xlsx().unwrap();
        assert_eq!(&xlsx[..2], b"PK");
        assert!(r.html().contains("<table"));
    }
}
