//! 政府信息公开工作年度报告 for an organisation and year, at `/admin/annual-report?org=&year=
//! &format=2021|2019`: table 二 (规章 / 行政规范性文件 counted from the published items with a legal
//! form, the other cells typed in; `domain::annual_report`), tables 三 and 四 computed from the
//! applications (`domain::application::report`) with the check rule 一 + 二 = 三(七)总计 + 四, and
//! the editable sections 一、五、六 (stored per organisation and year, migration 0017). Exports
//! as DOCX and XLSX ([`export`]) and publishes to the 政府信息公开年报 column through the review
//! workflow ([`publish`]), with the statutory date shown.
//!
//! Readers: the organisation's handlers, editors and administrators, the supervising office and
//! assessors. Editors of the text: its handlers, editors and administrators. Publishing creates an
//! item, so it needs the right to edit the organisation's items.

mod export;
mod publish;

pub use export::{docx, xlsx};
pub use publish::publish;

use super::common::{error_map, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use gongkai_db::annual_reports::{self, AdjustmentRow, AnnualReport};
use gongkai_db::{items, orgs};
use gongkai_domain::Invalid;
use gongkai_domain::annual_report::{self as ar, Format, Sections, Table2Group, parse_table2};
use gongkai_domain::application::OutcomeGroup;
use gongkai_domain::application::report::{AdjustedTable, Adjustment, Row, Table3, Table4};
use gongkai_domain::application::{ApplicantType, Outcome, ReviewKind, ReviewResult};
use gongkai_domain::model::{ItemStatus, OrgKind};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    org: String,
    year: String,
    format: String,
    notice: String,
}

/// The published item a report became.
struct PublishedAs {
    id: i64,
    status: ItemStatus,
    published_on: Option<chrono::NaiveDate>,
}

/// The report of one organisation and year: stored parts and computed figures.
pub(super) struct Figures {
    org_id: i64,
    org_name: String,
    government: bool,
    year: i32,
    format: Format,
    table2: Vec<Table2Group>,
    table3: Table3,
    table4: Table4,
    fees: u64,
    /// Audited adjustments of tables 三/四 already added to them.
    adjustments: Vec<AdjustmentRow>,
    /// Why the adjustments could not be added (a cell would be negative).
    adjustment_problem: Option<String>,
    stored: Option<AnnualReport>,
    item: Option<PublishedAs>,
}

impl Figures {
    fn sections(&self) -> Sections {
        self.stored
            .as_ref()
            .map(AnnualReport::sections)
            .unwrap_or_default()
    }

    fn due(&self) -> Option<chrono::NaiveDate> {
        ar::publication_due(self.government, self.year)
    }
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

async fn figures(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    year: &str,
    format: &str,
) -> Result<Option<Figures>, AppError> {
    let Ok(org_id) = org.trim().parse::<i64>() else {
        return Ok(None);
    };
    if !user.perms.can_read_annual_report_of(org_id) {
        return Err(AppError::forbidden());
    }
    let year = parse_year(year).unwrap_or(gongkai_db::china_today().year() - 1);
    let mut conn = state.db.pool.acquire().await?;
    let org = orgs::get(&mut conn, org_id).await?;
    let (tables, adjustment_problem) =
        gongkai_app::annual_report::application_tables(&mut conn, org_id, year).await?;
    let stored = annual_reports::get(&mut conn, org_id, year).await?;
    let docs = annual_reports::formal_documents(&mut conn, org_id).await?;
    let item = match stored.as_ref().and_then(|r| r.item_id) {
        Some(id) => {
            let it = items::get(&mut conn, id).await?;
            Some(PublishedAs {
                id,
                status: it.status(),
                published_on: it.published_at.and_then(gongkai_db::feedback::china_date),
            })
        }
        None => None,
    };
    drop(conn);
    let format = if !format.trim().is_empty() {
        Format::from_param(format)
    } else if let Some(r) = &stored {
        r.format()
    } else if year <= 2020 {
        Format::Y2019
    } else {
        Format::Y2021
    };
    let typed = stored
        .as_ref()
        .map(AnnualReport::table2_values)
        .unwrap_or_default();
    Ok(Some(Figures {
        org_id,
        org_name: org.name,
        government: matches!(
            OrgKind::from_code(&org.kind),
            Some(OrgKind::Government | OrgKind::CountyGovernment)
        ),
        year,
        format,
        table2: ar::table2(format, year, &docs, &typed),
        table3: tables.table3,
        table4: tables.table4,
        fees: tables.fees,
        adjustments: tables.adjustments,
        adjustment_problem,
        stored,
        item,
    }))
}

fn parse_year(s: &str) -> Option<i32> {
    s.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2008..=2100).contains(y))
}

/// 部门 publish by 31 January, a 人民政府 (the 主管部门 for it) by 31 March of the next year
/// (条例第四十九条、第五十条).
fn due_text(f: &Figures) -> String {
    let d = f
        .due()
        .map(gongkai_reports::notice::chinese_date)
        .unwrap_or_default();
    if f.government {
        format!("本级人民政府年度报告应于{d}前向社会公布（条例第五十条）")
    } else {
        format!("本机关年度报告应于{d}前向社会公布（条例第四十九条）")
    }
}

const NOTICES: &[(&str, &str)] = &[
    ("saved", "年度报告已保存。"),
    ("adjusted", "调整已记录，表三、表四按调整后的数字显示。"),
    ("adjust_removed", "调整已删除。"),
    (
        "adjust_invalid",
        "调整未保存：请选择表、行、列并填写非零整数。",
    ),
    (
        "submitted",
        "已在“政府信息公开年报”栏目生成年度报告信息并提交审核；审核通过后发布。",
    ),
];

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let notice = NOTICES
        .iter()
        .find(|(k, _)| *k == q.notice.as_str())
        .map(|(_, v)| *v);
    let page = Page {
        org: &q.org,
        year: &q.year,
        format: &q.format,
        notice,
        adjust_error: None,
    };
    render_page(&state, &user, page, None).await
}

/// Which report page to show and what to tell.
struct Page<'a> {
    org: &'a str,
    year: &'a str,
    format: &'a str,
    notice: Option<&'a str>,
    adjust_error: Option<String>,
}

/// The page; `failed` re-shows a refused save with what was typed.
async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    page: Page<'_>,
    failed: Option<(&Invalid, &BTreeMap<String, String>)>,
) -> Result<Response, AppError> {
    let Page {
        org,
        year,
        format,
        notice,
        adjust_error,
    } = page;
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let allowed: Vec<i64> = all
        .iter()
        .map(|o| o.id)
        .filter(|id| user.perms.can_read_annual_report_of(*id))
        .collect();
    if allowed.is_empty() {
        return Err(AppError::forbidden());
    }
    let options = super::common::org_options(&all, Some(&allowed));
    let f = figures(state, user, org, year, format).await?;
    let body = match &f {
        None => json!({"orgs": options, "empty": true,
                       "year": gongkai_db::china_today().year() - 1}),
        Some(f) => {
            let mut body = page_body(f, user, options, notice, failed);
            body["adjust_error"] = json!(adjust_error);
            body
        }
    };
    let html = render(
        state,
        user,
        "admin/annual_report.html",
        "annual_report",
        body,
    )?;
    let status = if failed.is_some() || adjust_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

fn page_body(
    f: &Figures,
    user: &CurrentUser,
    options: Vec<Value>,
    notice: Option<&str>,
    failed: Option<(&Invalid, &BTreeMap<String, String>)>,
) -> Value {
    let rows: Vec<Value> = table3_rows(&f.table3, f.format == Format::Y2019)
        .iter()
        .map(|r| json!({"label": r.label, "counts": r.counts, "total": r.total}))
        .collect();
    let check = match f.table3.check() {
        Ok(()) => json!({"ok": true}),
        Err(breaks) => json!({"ok": false, "breaks": breaks}),
    };
    let t4 = export::table4_row(f);
    let sections = f.sections();
    let typed = f
        .stored
        .as_ref()
        .map(AnnualReport::table2_values)
        .unwrap_or_default();
    // What the form shows: the refused input when re-showing, else what is stored.
    let (errors, values) = match failed {
        Some((inv, input)) => (error_map(inv), json!(input)),
        None => {
            let mut v = serde_json::Map::new();
            v.insert("overview".into(), json!(sections.overview));
            v.insert("problems".into(), json!(sections.problems));
            v.insert("other".into(), json!(sections.other));
            for (k, val) in &typed {
                v.insert(k.clone(), json!(val));
            }
            (json!({}), Value::Object(v))
        }
    };
    let today = gongkai_db::china_today();
    let published = f
        .item
        .as_ref()
        .is_some_and(|i| i.status == ItemStatus::Published);
    let overdue = !published && f.due().is_some_and(|d| today > d);
    let item = f.item.as_ref().map(|i| {
        json!({"id": i.id, "status": i.status.label(), "published": i.status == ItemStatus::Published,
               "published_on": i.published_on.map(|d| d.to_string())})
    });
    json!({"orgs": options, "org": f.org_id.to_string(), "org_name": f.org_name, "year": f.year,
           "format": f.format.code(), "format_2019": f.format == Format::Y2019,
           "table2": f.table2, "rows": rows, "check": check, "t4": t4,
           "fees": f.fees, "due": due_text(f), "overdue": overdue, "item": item,
           "adjustments": adjustment_list(f), "adjustment_problem": f.adjustment_problem,
           "adjust_options": adjust_options(),
           "version": f.stored.as_ref().map_or(0, |r| r.version),
           "missing": sections.missing(),
           "may_edit": user.perms.can_edit_annual_report_of(f.org_id),
           "may_publish": user.perms.can_edit_items_of(f.org_id),
           "notice": notice, "errors": errors, "values": values})
}

fn adjustment_list(f: &Figures) -> Vec<Value> {
    f.adjustments
        .iter()
        .map(|r| {
            json!({"id": r.id, "cell": r.adjustment().map(|a| a.cell_label()).unwrap_or_default(),
                   "delta": format!("{:+}", r.delta), "reason": r.reason,
                   "by": r.created_by_name, "at": r.created_at})
        })
        .collect()
}

/// The rows and columns an adjustment may name, per table.
fn adjust_options() -> Value {
    let mut rows3 = vec![
        json!({"code": "new", "label": "一、本年新收政府信息公开申请数量"}),
        json!({"code": "carried_in", "label": "二、上年结转政府信息公开申请数量"}),
    ];
    rows3.extend(
        Outcome::ALL
            .iter()
            .map(|o| json!({"code": o.code(), "label": format!("三、{}", o.full_label())})),
    );
    rows3.push(json!({"code": "carried_out", "label": "四、结转下年度继续办理"}));
    json!({
        "rows3": rows3,
        "cols3": ApplicantType::ALL.iter().map(|t| json!({"code": t.code(), "label": t.full_label()})).collect::<Vec<_>>(),
        "rows4": ReviewKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect::<Vec<_>>(),
        "cols4": ReviewResult::ALL.iter().map(|r| json!({"code": r.code(), "label": r.label()})).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AdjustForm {
    org: String,
    year: String,
    table: String,
    row3: String,
    col3: String,
    row4: String,
    col4: String,
    delta: String,
    reason: String,
}

/// The organisation and year a report form names.
fn org_and_year(org: &str, year: &str) -> Result<(i64, i32), AppError> {
    let org_id = org
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("请选择机构".into()))?;
    let year = parse_year(year)
        .ok_or_else(|| AppError::BadRequest("年度应为2008至2100之间的年份".into()))?;
    Ok((org_id, year))
}

/// POST `/admin/annual-report/adjustments`: adds an audited adjustment to table 三 or 四.
pub async fn adjust(
    State(state): State<AppState>,
    user: CurrentUser,
    super::common::AdminForm(f): super::common::AdminForm<AdjustForm>,
) -> Result<Response, AppError> {
    let (org_id, year) = org_and_year(&f.org, &f.year)?;
    let back = |notice: &str| {
        Redirect::to(&format!(
            "/admin/annual-report?org={org_id}&year={year}&notice={notice}#adjustments"
        ))
        .into_response()
    };
    let table = AdjustedTable::from_code(f.table.trim());
    let (row, column) = match table {
        Some(AdjustedTable::Four) => (f.row4.trim(), f.col4.trim()),
        _ => (f.row3.trim(), f.col3.trim()),
    };
    let delta = f.delta.trim().trim_start_matches('+').parse::<i64>();
    let adjustment = match (table, delta) {
        (Some(table), Ok(delta)) => Adjustment {
            table,
            row: row.to_string(),
            column: column.to_string(),
            delta,
            reason: f.reason.trim().chars().take(600).collect(),
        },
        _ => return Ok(back("adjust_invalid")),
    };
    let mut tx = state.db.begin_audited().await?;
    match gongkai_app::annual_report::adjust(&mut tx, &user.caller(), org_id, year, &adjustment)
        .await
    {
        Ok(_) => {}
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            let page = Page {
                org: &org_id.to_string(),
                year: &year.to_string(),
                format: "",
                notice: None,
                adjust_error: Some(inv.summary()),
            };
            return render_page(&state, &user, page, None).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(back("adjusted"))
}

/// POST `/admin/annual-report/adjustments/{id}/delete`.
pub async fn remove_adjustment(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Path(id): axum::extract::Path<i64>,
    super::common::AdminForm(f): super::common::AdminForm<AdjustForm>,
) -> Result<Response, AppError> {
    let (org_id, year) = org_and_year(&f.org, &f.year)?;
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::annual_report::remove_adjustment(&mut tx, &user.caller(), org_id, id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/annual-report?org={org_id}&year={year}&notice=adjust_removed#adjustments"
    ))
    .into_response())
}

/// Saves sections 一、五、六 and the typed cells of table 二 (every other key of the form is a
/// table-二 cell). Nothing is stored unless every field is valid.
pub async fn save(
    State(state): State<AppState>,
    user: CurrentUser,
    super::common::AdminForm(form): super::common::AdminForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let (org_id, year) = org_and_year(get("org"), get("year"))?;
    if !user.perms.can_edit_annual_report_of(org_id) {
        return Err(AppError::forbidden());
    }
    let format = Format::from_param(get("format"));
    let expected_version: i64 = get("version").trim().parse().unwrap_or(0);
    let sections = Sections::parse(get("overview"), get("problems"), get("other"));
    let cells = parse_table2(&form);
    let (sections, cells) = match (sections, cells) {
        (Ok(s), Ok(c)) => (s, c),
        (s, c) => {
            let mut inv = Invalid::default();
            for e in [s.err(), c.err()].into_iter().flatten() {
                inv.errors.extend(e.errors);
            }
            let page = Page {
                org: &org_id.to_string(),
                year: &year.to_string(),
                format: format.code(),
                notice: None,
                adjust_error: None,
            };
            return render_page(&state, &user, page, Some((&inv, &form))).await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let typed = gongkai_app::annual_report::Typed {
        org_id,
        year,
        expected_version,
        format,
        sections,
        table2: cells,
    };
    gongkai_app::annual_report::save(&mut tx, &user.caller(), typed).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/annual-report?org={org_id}&year={year}&format={}&notice=saved",
        format.code()
    ))
    .into_response())
}
