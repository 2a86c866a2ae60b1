//! Site monitoring in the back office （网站监测， issue 16 items 2 and 3）： the register of sites
//! with their latest score and availability, a site's probes, runs and findings, the scoring
//! table, rectification tickets (the office's list and a unit's own), and the quarterly
//! spot-check report with its DOCX/XLSX and publication to a portal column through the item
//! workflow. Handlers parse, call `gongkai_app::monitor` and render.

use super::common::{AdminForm, error_map, notice_text, org_options, publish_targets, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::monitor::{self as uc, SiteFields};
use gongkai_db::monitor::{self, runs};
use gongkai_db::{china_today, now_ms, page_number};
use gongkai_domain::Invalid;
use gongkai_domain::item::ItemFields;
use gongkai_domain::monitor::quarter::Quarter;
use gongkai_domain::monitor::scoring::Score;
use gongkai_domain::monitor::ticket::TicketState;
use gongkai_domain::monitor::{FindingKind, SiteKind};
use gongkai_reports::spot_check::SpotCheck;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// The column a spot-check report is published to unless another is chosen: 通知公告.
const DEFAULT_COLUMN_SLUG: &str = "tzgg";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    notice: String,
    page: String,
    run: String,
    state: String,
    site: String,
}

fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "site_created" => "网站已登记\u{FF0C}下一次整点起开始探测可用性\u{3002}",
        "inspection_queued" => {
            "已安排检查\u{FF0C}由后台任务执行\u{FF0C}完成后在下方检查记录中查看\u{3002}"
        }
        "fixed" => "已标记为已整改\u{FF0C}系统将复查该问题\u{FF0C}复查通过后销号\u{3002}",
        other => return notice_text(Some(other)),
    })
}

fn kind_options(selected: &str) -> Vec<serde_json::Value> {
    SiteKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label(), "selected": k.code() == selected}))
        .collect()
}

async fn org_choices(state: &AppState, selected: &str) -> Result<Vec<serde_json::Value>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = gongkai_db::orgs::all(&mut conn).await?;
    Ok(org_options(&all, None)
        .into_iter()
        .map(|mut o| {
            let s = o["id"].as_i64().map(|i| i.to_string()).as_deref() == Some(selected.trim());
            o["selected"] = json!(s);
            o
        })
        .collect())
}

async fn sites_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<(&SiteFields, &Invalid)>,
    notice_code: &str,
) -> Result<Response, AppError> {
    if !user.perms.sees_any_org() {
        return Err(AppError::forbidden());
    }
    let caller = user.caller();
    let mut conn = state.db.pool.acquire().await?;
    let sites = uc::sites(&mut conn, &caller, now_ms()).await?;
    drop(conn);
    let manages = user.perms.can_manage_site_monitoring();
    let (values, errors) = match form {
        Some((f, inv)) => (json!(f_values(f)), error_map(inv)),
        None => (json!({"kind": "external"}), json!({})),
    };
    let selected_org = form.map(|(f, _)| f.org_id.as_str()).unwrap_or("");
    let selected_kind = form.map(|(f, _)| f.kind.as_str()).unwrap_or("external");
    let html = render(
        state,
        user,
        "admin/monitor_sites.html",
        "monitor",
        json!({
            "sites": sites, "manages": manages, "values": values, "errors": errors,
            "orgs": if manages { org_choices(state, selected_org).await? } else { Vec::new() },
            "kinds": kind_options(selected_kind), "notice": notice(notice_code),
        }),
    )?;
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

fn f_values(f: &SiteFields) -> serde_json::Value {
    json!({"name": f.name, "url": f.url, "bonus": f.bonus, "kind": f.kind, "org_id": f.org_id})
}

pub async fn sites(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    sites_page(&state, &user, None, &q.notice).await
}

pub async fn site_create(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<SiteFields>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    let id = match uc::save_site(&mut tx, &user.caller(), None, &f).await {
        Ok(id) => id,
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            return sites_page(&state, &user, Some((&f, &inv)), "").await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/sites/{id}?notice=site_created")).into_response())
}

/// The findings of a run for display: kind, page, detail, first seen and ticket.
/// One row per fault: a fault shown on several pages (a dead link in the footer) is one row
/// naming its first page and how many pages show it.
fn finding_rows(rows: &[runs::FindingRow]) -> Vec<serde_json::Value> {
    let mut pages: BTreeMap<&str, usize> = BTreeMap::new();
    for f in rows {
        *pages.entry(f.finding_key.as_str()).or_default() += 1;
    }
    let mut shown = std::collections::HashSet::new();
    rows.iter()
        .filter(|f| shown.insert(f.finding_key.as_str()))
        .map(|f| {
            let detail: serde_json::Value = serde_json::from_str(&f.detail_json).unwrap_or_default();
            let kind = FindingKind::from_code(&f.kind);
            json!({
                "kind_label": kind.map_or("其他问题", FindingKind::label),
                "indicator": kind.map_or("", FindingKind::indicator),
                "page": f.page, "pages": pages.get(f.finding_key.as_str()).copied().unwrap_or(1),
                "detail": describe(&detail),
                "first_as_of": f.first_as_of, "first_run_id": f.first_run_id, "ticket_id": f.ticket_id,
            })
        })
        .collect()
}

/// One line saying what a stored finding is (the inspector's JSON fields).
pub fn describe(d: &serde_json::Value) -> String {
    let s = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    match d.get("kind").and_then(|k| k.as_str()).unwrap_or("") {
        "dead_link" => {
            let why = d
                .get("status")
                .and_then(serde_json::Value::as_u64)
                .map_or_else(|| s("error"), |c| format!("HTTP {c}"));
            format!("链接 {} \u{FF08}{why}\u{FF09}", s("target"))
        }
        "stale_homepage" => format!("首页最新信息日期 {}", s("latest")),
        "stale_column" => {
            let latest = d.get("latest").and_then(|v| v.as_str()).unwrap_or("无日期");
            let limit = d
                .get("limit_days")
                .and_then(serde_json::Value::as_i64)
                .unwrap_or(0);
            format!(
                "栏目\u{201C}{}\u{201D}最新 {latest}\u{FF0C}超过{limit}天未更新",
                s("column")
            )
        }
        "empty_column" => format!("栏目\u{201C}{}\u{201D}没有内容", s("column")),
        "personal_info" => {
            let what = match s("info").as_str() {
                "id_number" => "身份证号",
                "mobile" => "手机号码",
                "bank_card" => "银行卡号",
                _ => "个人信息",
            };
            format!("发现{what}")
        }
        "known_error" => format!(
            "\u{201C}{}\u{201D}应为\u{201C}{}\u{201D}",
            s("text"),
            s("correction")
        ),
        "unanswered_message" => format!("{}的留言超过3个月未回复", s("asked_on")),
        "incomplete_guide" => {
            let missing: Vec<&str> = d
                .get("missing")
                .and_then(|m| m.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            format!("缺少{}", missing.join("\u{3001}"))
        }
        _ => String::new(),
    }
}

pub async fn site_detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    site_detail_page(&state, &user, id, &q, None).await
}

async fn site_detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    q: &ListQuery,
    form: Option<(&SiteFields, &Invalid)>,
) -> Result<Response, AppError> {
    let caller = user.caller();
    let mut conn = state.db.pool.acquire().await?;
    let site = uc::visible_site(&mut conn, &caller, id).await?;
    let page = page_number(Some(&q.page));
    let run_page = runs::list(&mut conn, id, page).await?;
    let chosen = match q.run.trim().parse::<i64>() {
        Ok(r) => Some(runs::get(&mut conn, r).await?).filter(|r| r.site_id == id),
        Err(_) => run_page.rows.first().cloned(),
    };
    let (chosen_json, findings) = match &chosen {
        Some(run) => {
            let score: Option<Score> = run
                .score_json
                .as_deref()
                .and_then(|j| serde_json::from_str(j).ok());
            let f = runs::findings(&mut conn, run.id).await?;
            (
                Some(
                    json!({"run": run, "reason_label": run.reason_label(), "score": score,
                    "verdict": score.as_ref().map(|s| s.verdict.label()),
                    "availability": score.as_ref().map(|s| s.availability.label())}),
                ),
                finding_rows(&f),
            )
        }
        None => (None, Vec::new()),
    };
    let probes = monitor::recent_probes(&mut conn, id, 24).await?;
    let in_hand: Vec<_> = monitor::inspections_in_hand(&mut conn, id)
        .await?
        .into_iter()
        .map(|i| json!({"job": i, "at": gongkai_domain::china_time::format_minute(i.run_at)}))
        .collect();
    drop(conn);
    let runs_json: Vec<_> = run_page
        .rows
        .iter()
        .map(|r| json!({"run": r, "reason_label": r.reason_label()}))
        .collect();
    let manages = user.perms.can_manage_site_monitoring();
    let values = match form {
        Some((f, _)) => f_values(f),
        None => json!({"name": site.name, "url": site.url, "bonus": site.bonus, "kind": site.kind,
                       "org_id": site.org_id.to_string()}),
    };
    let selected_org = values["org_id"].as_str().unwrap_or("").to_string();
    let selected_kind = values["kind"].as_str().unwrap_or("").to_string();
    let html = render(
        state,
        user,
        "admin/monitor_site.html",
        "monitor",
        json!({
            "site": site, "kind_label": site.kind().label(), "manages": manages,
            "runs": runs_json, "page": run_page.page, "pages": run_page.pages(), "total": run_page.total,
            "chosen": chosen_json, "findings": findings, "probes": probes, "in_hand": in_hand,
            "values": values, "errors": form.map(|(_, inv)| error_map(inv)).unwrap_or(json!({})),
            "orgs": if manages { org_choices(state, &selected_org).await? } else { Vec::new() },
            "kinds": kind_options(&selected_kind), "notice": notice(&q.notice),
        }),
    )?;
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

pub async fn site_update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<SiteFields>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    match uc::save_site(&mut tx, &user.caller(), Some(id), &f).await {
        Ok(_) => {}
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            return site_detail_page(&state, &user, id, &ListQuery::default(), Some((&f, &inv)))
                .await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/sites/{id}?notice=saved")).into_response())
}

pub async fn site_inspect(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    uc::request_inspection(&mut tx, &user.caller(), id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/sites/{id}?notice=inspection_queued")).into_response())
}

pub async fn settings_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_site_monitoring() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let s = monitor::settings(&mut conn).await?;
    drop(conn);
    let kinds: Vec<_> = FindingKind::ALL
        .iter()
        .map(|k| {
            let w = s.table.deductions.get(k);
            json!({"code": k.code(), "label": k.label(), "indicator": k.indicator(),
                   "each": w.map(|w| w.each), "cap": w.map(|w| w.cap)})
        })
        .collect();
    Ok(render(
        &state,
        &user,
        "admin/monitor_settings.html",
        "monitor",
        json!({"s": s, "kinds": kinds, "notice": notice(&q.notice)}),
    )?
    .into_response())
}

pub async fn settings_save(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<BTreeMap<String, String>>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    uc::save_settings(&mut tx, &user.caller(), |k: &str| {
        f.get(k).map(String::as_str)
    })
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/monitor/settings?notice=saved").into_response())
}

pub async fn tickets(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    if !user.perms.sees_any_org() {
        return Err(AppError::forbidden());
    }
    let state_filter = TicketState::from_code(q.state.trim());
    let site = q.site.trim().parse::<i64>().ok();
    let mut conn = state.db.pool.acquire().await?;
    let page = uc::ticket_list(
        &mut conn,
        &user.caller(),
        site,
        state_filter,
        page_number(Some(&q.page)),
    )
    .await?;
    drop(conn);
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|t| json!({"t": t, "kind_label": t.kind_label(), "state_label": t.state().label(),
                        "overdue": t.state() == TicketState::Open && t.due_on.naive() < china_today()}))
        .collect();
    let states: Vec<_> = TicketState::ALL
        .iter()
        .map(
            |s| json!({"code": s.code(), "label": s.label(), "selected": Some(*s) == state_filter}),
        )
        .collect();
    let mut base = format!(
        "/admin/tickets?state={}",
        state_filter.map_or("", TicketState::code)
    );
    if let Some(s) = site {
        base.push_str(&format!("&site={s}"));
    }
    Ok(render(
        &state,
        &user,
        "admin/monitor_tickets.html",
        "tickets",
        json!({"rows": rows, "states": states, "page": page.page, "pages": page.pages(),
               "total": page.total, "base_url": base, "all_orgs": user.perms.viewable_orgs().is_none()}),
    )?
    .into_response())
}

pub async fn ticket_detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let t = uc::visible_ticket(&mut conn, &user.caller(), id).await?;
    let run = t.checked_run_id.unwrap_or(t.opened_run_id);
    let (pages, page_count) = runs::pages_with(&mut conn, run, &t.finding_key, 50).await?;
    drop(conn);
    let detail: serde_json::Value = serde_json::from_str(&t.detail_json).unwrap_or_default();
    let evidence = t
        .recheck_evidence
        .as_deref()
        .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
        .map(|e| describe(&e));
    let kind = FindingKind::from_code(&t.kind);
    Ok(render(
        &state,
        &user,
        "admin/monitor_ticket.html",
        "tickets",
        json!({"t": t, "kind_label": t.kind_label(), "indicator": kind.map_or("", FindingKind::indicator),
               "state_label": t.state().label(), "detail": describe(&detail), "evidence": evidence,
               "may_fix": t.state() == TicketState::Open && user.perms.can_fix_tickets_of(t.org_id),
               "pages": pages, "page_count": page_count, "notice": notice(&q.notice)}),
    )?
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FixForm {
    note: String,
    version: String,
}

pub async fn ticket_fixed(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<FixForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    uc::mark_fixed(&mut tx, &user.caller(), id, &f.version, &f.note).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/tickets/{id}?notice=fixed")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReportQuery {
    quarter: String,
    office: String,
    doc_number: String,
    column_id: String,
    org_id: String,
}

/// The report of the quarter asked for (the current one by default).
async fn load_report(
    state: &AppState,
    user: &CurrentUser,
    q: &ReportQuery,
) -> Result<SpotCheck, AppError> {
    let quarter = match q.quarter.trim() {
        "" => Quarter::of(china_today()),
        s => Quarter::parse(s)?,
    };
    let doc_number =
        gongkai_domain::doc_number::parse(&q.doc_number).map_err(AppError::BadRequest)?;
    let mut conn = state.db.pool.acquire().await?;
    let sites = uc::quarter_lines(&mut conn, &user.caller(), quarter).await?;
    let office = match q.office.trim() {
        "" => format!(
            "{}\u{529E}\u{516C}\u{5BA4}",
            gongkai_db::columns::default_site(&mut conn).await?.name
        ),
        o => o.chars().take(60).collect(),
    };
    Ok(SpotCheck {
        quarter,
        office,
        doc_number,
        issued_on: china_today(),
        sites,
    })
}

pub async fn report_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let r = load_report(&state, &user, &q).await?;
    let mut conn = state.db.pool.acquire().await?;
    let (columns, orgs) = publish_targets(&mut conn, DEFAULT_COLUMN_SLUG, &r.office).await?;
    drop(conn);
    let mut query = format!("quarter={}", r.quarter.code());
    for (k, v) in [
        ("office", q.office.trim()),
        ("doc_number", q.doc_number.trim()),
    ] {
        if !v.is_empty() {
            query.push_str(&format!("&{k}="));
            query.extend(form_urlencoded::byte_serialize(v.as_bytes()));
        }
    }
    Ok(render(
        &state,
        &user,
        "admin/monitor_report.html",
        "monitor",
        json!({"title": r.title(), "quarter": r.quarter.code(), "office": q.office.trim(),
               "doc_number": q.doc_number.trim(), "body_html": r.html(), "query": query,
               "columns": columns, "orgs": orgs, "has_sites": !r.sites.is_empty()}),
    )?
    .into_response())
}

fn download(r: &SpotCheck, ext: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    crate::download::file(
        bytes,
        content_type,
        &format!("{}.{ext}", r.title()),
        Some(format!("spot-check-{}.{ext}", r.quarter.code()).as_str()),
        Some("private, no-cache"),
    )
}

pub async fn report_docx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let r = load_report(&state, &user, &q).await?;
    let bytes = r.docx().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(&r, "docx", DOCX_TYPE, bytes))
}

pub async fn report_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let r = load_report(&state, &user, &q).await?;
    let bytes = r.xlsx().map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(&r, "xlsx", XLSX_TYPE, bytes))
}

/// Creates the report as an item of the chosen column and organisation and submits it for
/// review: the configured review levels and the content guard apply as to any item.
pub async fn report_publish(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(q): AdminForm<ReportQuery>,
) -> Result<Response, AppError> {
    let r = load_report(&state, &user, &q).await?;
    let fields = ItemFields {
        title: r.title(),
        body_format: "html".into(),
        body: r.html(),
        org_id: q.org_id.trim().to_string(),
        column_ids: vec![q.column_id.trim().to_string()],
        issuing_authority: r.office.clone(),
        written_on: r.issued_on.to_string(),
        doc_number: r.doc_number.clone().unwrap_or_default(),
        ..ItemFields::blank()
    };
    let input = fields.validate()?;
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    let id = gongkai_app::items::create(&mut tx, &caller, &input).await?;
    let item = gongkai_db::items::get(&mut tx, id).await?;
    gongkai_app::items::transition(
        &mut tx,
        &caller,
        &item,
        gongkai_app::items::Transition::Submit,
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/items/{id}/edit?notice=wf_submitted")).into_response())
}
