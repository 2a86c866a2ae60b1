//! A small hand-made report for the unit tests: three ranked units (two tied on rate), one with
//! nothing due, one missed and one late period, one unchecked obligation.

use chrono::NaiveDate;
use gongkai_db::compliance::*;
use gongkai_db::compliance_feedback::{FeedbackCounts, FeedbackReport, FeedbackRoundRow};
use gongkai_domain::compliance::Counts;

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a test date")
}

fn counts(met: u32, met_late: u32, missed: u32, not_yet_due: u32) -> Counts {
    Counts {
        met,
        met_late,
        missed,
        not_yet_due,
        ..Counts::default()
    }
}

fn unit(org_id: i64, name: &str, c: Counts) -> UnitRow {
    UnitRow {
        org_id,
        org_name: name.into(),
        obligations: 1,
        unchecked_obligations: 0,
        counts: c,
        on_time_rate: c.on_time_rate(),
    }
}

fn period(org_id: i64, org: &str, key: &str, status: &str, late: Option<u32>) -> PeriodRow {
    let label = match status {
        "missed" => "未完成",
        "met_late" => "逾期完成",
        _ => "按时完成",
    };
    PeriodRow {
        obligation_id: org_id,
        task_id: 1,
        org_id,
        org_name: org.into(),
        column_id: Some(16),
        column_name: Some("财政预决算".into()),
        key: key.into(),
        label: format!("2017年{}月", &key[5..]),
        start: format!("{key}-01").parse().unwrap(),
        end: format!("{key}-28").parse().unwrap(),
        opens: format!("{key}-01").parse().unwrap(),
        due: "2017-09-28".parse().unwrap(),
        status: status.into(),
        status_label: label.into(),
        explanation: format!("{key}:{label}"),
        late_working_days: late,
        evidence: vec![EvidenceRow {
            item_id: 1,
            title: format!("{key}报告"),
            published_on: "2017-10-16".parse().unwrap(),
            source: "item".into(),
            href: "/items/1".into(),
            backfilled: false,
            stated_on: Some("2017-10-16".parse().unwrap()),
            made_public_on: Some("2017-10-16".parse().unwrap()),
            accepted: false,
            first_seen_on: None,
            backdated: false,
        }],
    }
}

fn round(
    org_id: i64,
    org: &str,
    status: &str,
    on: Option<&str>,
    late: Option<i64>,
) -> FeedbackRoundRow {
    let label = match status {
        "missing" => "未反馈",
        "late" => "逾期反馈",
        _ => "按时反馈",
    };
    FeedbackRoundRow {
        round_id: org_id,
        kind: "feedback".into(),
        kind_label: "反馈".into(),
        task_id: 1,
        task_number: 1,
        task_title: "公开预期引导信息".into(),
        org_id,
        org_name: org.into(),
        label: "6月30日前反馈".into(),
        due: "2017-06-30".parse().unwrap(),
        status: status.into(),
        status_label: label.into(),
        explanation: format!("6月30日前反馈：{label}"),
        submitted_on: on.map(|d| d.parse().unwrap()),
        late_working_days: late,
        review_status: "open".into(),
        review_status_label: "待提交".into(),
    }
}

pub fn sample() -> ComplianceReport {
    let total = counts(5, 1, 1, 1);
    ComplianceReport {
        version: REPORT_VERSION,
        plan: PlanRef {
            id: 1,
            title: "盘锦市2017年政务公开工作安排".into(),
            year: 2017,
            issued_on: gongkai_domain::CivilDate::from_ymd(2017, 4, 24),
            starts_on: "2017-04-24".parse().unwrap(),
            ends_on: "2017-12-31".parse().unwrap(),
        },
        as_of: "2017-12-31".into(),
        totals: Totals {
            obligations: 5,
            checked_obligations: 4,
            unchecked_obligations: 1,
            checked_share: Some(0.8),
            tasks: 2,
            checked_tasks: 2,
            counts: total,
            periods: total.periods(),
            on_time_rate: total.on_time_rate(),
        },
        units: vec![
            unit(1, "市统计局", counts(1, 0, 1, 0)),
            unit(2, "市财政局", counts(2, 1, 0, 1)),
            unit(3, "市民政局", counts(2, 0, 0, 0)),
            unit(4, "市教育局", counts(0, 0, 0, 0)),
            unit(5, "市审计局", counts(1, 0, 0, 0)),
            unit(6, "市质监局", counts(1, 1, 0, 0)),
        ],
        tasks: vec![TaskRow {
            task_id: 1,
            number: 1,
            title: "公开预期引导信息".into(),
            obligations: 5,
            unchecked_obligations: 1,
            counts: total,
            on_time_rate: total.on_time_rate(),
        }],
        months: vec![
            MonthRow {
                month: "2017-08".into(),
                counts: counts(1, 1, 0, 0),
                on_time_rate: Some(0.5),
            },
            MonthRow {
                month: "2017-12".into(),
                counts: counts(0, 0, 0, 1),
                on_time_rate: None,
            },
        ],
        obligations: vec![ObligationRow {
            id: 9,
            task_id: 1,
            task_number: 1,
            duty_id: 1,
            org_id: 1,
            org_name: "市统计局".into(),
            column_id: None,
            column_name: None,
            cadence: "timely".into(),
            cadence_label: "及时".into(),
            due_rule: None,
            check: "not_schedulable".into(),
            check_label: "无法自动核查".into(),
            reason: Some("“及时”没有可计算的期次".into()),
            counts: Counts::default(),
            on_time_rate: None,
        }],
        periods: vec![
            period(2, "市财政局", "2017-08", "met_late", Some(8)),
            period(1, "市统计局", "2017-09", "missed", Some(40)),
            period(2, "市财政局", "2017-09", "met", None),
        ],
        feedback: FeedbackReport {
            counts: FeedbackCounts {
                rounds: 3,
                on_time: 1,
                late: 1,
                missing: 1,
                pending: 0,
            },
            units: Vec::new(),
            rounds: vec![
                round(2, "市财政局", "on_time", Some("2017-06-29"), Some(0)),
                round(1, "市统计局", "late", Some("2017-07-06"), Some(4)),
                round(5, "市审计局", "missing", None, None),
            ],
        },
        open_data: Default::default(),
    }
}
