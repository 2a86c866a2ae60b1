//! 政府信息公开工作年度报告, tables 三 and 四, computed from an organisation's applications
//! (`domain::application::report`): `/admin/annual-report?org=&year=&format=2021|2019` shows the
//! tables with the check rule 一 + 二 = 三(七)总计 + 四 (each break explained) and the statutory
//! publication date; `/admin/annual-report.xlsx` exports them. The 2019 trial format differs only
//! in （六）其他处理, a single row there. Handlers and administrators of the organisation, the
//! supervising office and assessors may read; others get 403.

use super::common::render;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::Datelike;
use gongkai_db::{applications, calendar, orgs};
use gongkai_domain::application::OutcomeGroup;
use gongkai_domain::application::report::{ReportCase, Row, Table3, Table4, fees_in_year};
use gongkai_domain::model::OrgKind;
use gongkai_domain::role::Permissions;
use serde::Deserialize;
use serde_json::{Value, json};

fn may_read(p: &Permissions, org_id: i64) -> bool {
    p.can_handle_cases_of(org_id) || p.can_manage_plans() || p.can_read_audit()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    org: String,
    year: String,
    format: String,
}

/// The report's figures for one organisation and year.
struct Figures {
    org_name: String,
    org_kind: String,
    year: i32,
    format_2019: bool,
    table3: Table3,
    table4: Table4,
    fees: u64,
}

/// 2021: every outcome row; 2019: （六）其他处理 as one row.
fn table3_rows(t: &Table3, format_2019: bool) -> Vec<Row> {
    let mut rows = vec![t.new.clone(), t.carried_in.clone()];
    let mut other: Option<Row> = None;
    for (o, r) in &t.outcomes {
        if format_2019 && o.group() == OutcomeGroup::Other {
            match other.as_mut() {
                None => {
                    let mut first = r.clone();
                    first.label = OutcomeGroup::Other.label().to_string();
                    other = Some(first);
                }
                Some(acc) => {
                    for (a, b) in acc.counts.iter_mut().zip(r.counts) {
                        *a += b;
                    }
                    acc.total += r.total;
                }
            }
            continue;
        }
        rows.push(r.clone());
    }
    if let Some(o) = other {
        rows.push(o);
    }
    rows.push(t.answered_total.clone());
    rows.push(t.carried_out.clone());
    rows
}

/// 部门 publish by 31 January, a 人民政府 (the 主管部门 for it) by 31 March of the next year
/// (条例第四十九条、第五十条).
fn due_text(kind: &str, year: i32) -> String {
    let government = matches!(
        OrgKind::from_code(kind),
        Some(OrgKind::Government | OrgKind::CountyGovernment)
    );
    if government {
        format!(
            "本级人民政府年度报告应于{}年3月31日前向社会公布(条例第五十条)",
            year + 1
        )
    } else {
        format!(
            "本机关年度报告应于{}年1月31日前向社会公布(条例第四十九条)",
            year + 1
        )
    }
}

async fn figures(
    state: &AppState,
    user: &CurrentUser,
    q: &ReportQuery,
) -> Result<Option<Figures>, AppError> {
    let Ok(org_id) = q.org.trim().parse::<i64>() else {
        return Ok(None);
    };
    if !may_read(&user.perms, org_id) {
        return Err(AppError::forbidden());
    }
    let year = q
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2008..=2100).contains(y))
        .unwrap_or(crate::worker::china_today().year() - 1);
    let mut conn = state.db.pool.acquire().await?;
    let org = orgs::get(&mut conn, org_id).await?;
    let cal = calendar::load(&mut conn).await?;
    let cases = applications::report_cases(&mut conn, org_id, year, &cal).await?;
    drop(conn);
    let inputs: Vec<ReportCase<'_>> = cases
        .iter()
        .map(|(t, c)| ReportCase {
            applicant_type: *t,
            case: c,
        })
        .collect();
    let plain: Vec<_> = cases.iter().map(|(_, c)| c).collect();
    Ok(Some(Figures {
        org_name: org.name,
        org_kind: org.kind,
        year,
        format_2019: q.format.trim() == "2019",
        table3: Table3::compute(year, &inputs),
        table4: Table4::compute(year, &plain),
        fees: fees_in_year(year, &plain),
    }))
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let allowed: Vec<i64> = all
        .iter()
        .map(|o| o.id)
        .filter(|id| may_read(&user.perms, *id))
        .collect();
    if allowed.is_empty() {
        return Err(AppError::forbidden());
    }
    let options = super::common::org_options(&all, Some(&allowed));
    let f = figures(&state, &user, &q).await?;
    let body = match &f {
        None => json!({"orgs": options, "empty": true,
                       "year": crate::worker::china_today().year() - 1}),
        Some(f) => {
            let rows: Vec<Value> = table3_rows(&f.table3, f.format_2019)
                .iter()
                .map(|r| json!({"label": r.label, "counts": r.counts, "total": r.total}))
                .collect();
            let check = match f.table3.check() {
                Ok(()) => json!({"ok": true}),
                Err(breaks) => json!({"ok": false, "breaks": breaks}),
            };
            let t4: Vec<Value> = f
                .table4
                .rows
                .iter()
                .map(|(k, c, total)| json!({"label": k.label(), "counts": c, "total": total}))
                .collect();
            json!({"orgs": options, "org": q.org.trim(), "org_name": f.org_name, "year": f.year,
                   "format_2019": f.format_2019, "rows": rows, "check": check, "t4": t4,
                   "fees": f.fees, "due": due_text(&f.org_kind, f.year)})
        }
    };
    Ok(render(
        &state,
        &user,
        "admin/annual_report.html",
        "applications",
        body,
    )?
    .into_response())
}

const APPLICANT_HEADERS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

pub async fn xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let Some(f) = figures(&state, &user, &q).await? else {
        return Err(AppError::BadRequest("请选择机构".into()));
    };
    let bytes = workbook(&f).map_err(|e| AppError::Internal(e.to_string()))?;
    let name = format!(
        "{}{}年政府信息公开工作年度报告表格.xlsx",
        f.org_name, f.year
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"annual-report-{}.xlsx\"; filename*=UTF-8''{}",
                    f.year,
                    crate::portal::percent_encode(&name)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

fn workbook(f: &Figures) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
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
        "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)",
    )?;
    s.write_string_with_format(2, 0, "项目", &bold)?;
    for (i, h) in APPLICANT_HEADERS.iter().enumerate() {
        s.write_string_with_format(2, u16::try_from(i + 1).unwrap_or(0), *h, &bold)?;
    }
    for (r, row) in table3_rows(&f.table3, f.format_2019).iter().enumerate() {
        let y = u32::try_from(r + 3).unwrap_or(0);
        s.write_string(y, 0, &row.label)?;
        for (i, c) in row.counts.iter().enumerate() {
            s.write_number(y, u16::try_from(i + 1).unwrap_or(0), *c as f64)?;
        }
        s.write_number(y, 7, row.total as f64)?;
    }
    s.set_column_width(0, 60)?;
    let t = wb.add_worksheet();
    t.set_name("四、行政复议和行政诉讼")?;
    let cols = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];
    t.write_string_with_format(0, 0, "项目", &bold)?;
    for (i, h) in cols.iter().enumerate() {
        t.write_string_with_format(0, u16::try_from(i + 1).unwrap_or(0), *h, &bold)?;
    }
    for (r, (k, c, total)) in f.table4.rows.iter().enumerate() {
        let y = u32::try_from(r + 1).unwrap_or(0);
        t.write_string(y, 0, k.label())?;
        for (i, n) in c.iter().enumerate() {
            t.write_number(y, u16::try_from(i + 1).unwrap_or(0), *n as f64)?;
        }
        t.write_number(y, 5, *total as f64)?;
    }
    t.set_column_width(0, 30)?;
    wb.save_to_buffer()
}
