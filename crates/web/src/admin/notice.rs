//! The supervision notice (督查通报) of a plan as of a date: the page with charts, the XLSX and
//! DOCX downloads, and publishing it as an item of a portal column.
//!
//! The notice ranks every unit, so only those who see every unit may have it: supervisors
//! (`can_manage_plans`) generate and publish, assessors view and download; a unit's users get 403.

use super::common::{AdminForm, plan_options, render};
use crate::auth::CurrentUser;
use crate::charts::{Bar, rate_bars, trend_bars};
use crate::{AppError, AppState};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::china_today;
use gongkai_db::compliance::{self, ComplianceReport};
use gongkai_db::plans;
use gongkai_domain::item::ItemFields;
use gongkai_reports::{Notice, NoticeOptions, docx, html, xlsx};
use serde::Deserialize;
use serde_json::json;

/// The column a notice is published to unless another is chosen: 通知公告.
const DEFAULT_COLUMN_SLUG: &str = "tzgg";

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const DOCX_TYPE: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    plan: String,
    as_of: String,
    /// The 文号 the office types (optional), normalised to 盘政办发\u{3014}2017\u{3015}12号.
    doc_number: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    plan: String,
    as_of: String,
    doc_number: String,
    column_id: String,
    org_id: String,
}

fn check_may_view(user: &CurrentUser) -> Result<(), AppError> {
    if user.perms.can_read_plans() && user.perms.viewable_orgs().is_none() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "督查通报包含全部单位的情况，仅政务公开办和考核人员可以查看".into(),
        ))
    }
}

struct Loaded {
    report: ComplianceReport,
    notice: Notice,
    plan_options: Vec<serde_json::Value>,
}

/// The plan (given or the latest), the date (given or today) and the 文号 (optional); a malformed
/// date or 文号 is refused with a Chinese message.
async fn load(
    state: &AppState,
    plan: &str,
    as_of: &str,
    doc_number: &str,
) -> Result<Loaded, AppError> {
    let doc_number = gongkai_domain::doc_number::parse(doc_number).map_err(AppError::BadRequest)?;
    let mut conn = state.db.pool.acquire().await?;
    let all = plans::list_plans(&mut conn).await?;
    let Some(latest) = all.first() else {
        return Err(AppError::NotFound(
            "尚无已确认的工作计划，无法生成督查通报".into(),
        ));
    };
    let plan = match plan.trim() {
        "" => latest.clone(),
        s => s
            .parse::<i64>()
            .ok()
            .and_then(|id| all.iter().find(|p| p.id == id).cloned())
            .ok_or_else(|| AppError::NotFound("该工作计划不存在".into()))?,
    };
    let as_of = match as_of.trim() {
        "" => china_today(),
        s => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| AppError::BadRequest("核查日期格式应为 年-月-日，如 2017-12-31".into()))?,
    };
    let report = compliance::report(&mut conn, plan.id, as_of).await?;
    // A plan without an issuer is issued by the office of the government that runs the site.
    let site_office = format!(
        "{}\u{529E}\u{516C}\u{5BA4}",
        gongkai_db::columns::default_site(&mut conn).await?.name
    );
    let issuer = plan
        .issuer
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or(&site_office);
    let notice = Notice::build(
        &report,
        &NoticeOptions::new(Some(issuer), china_today()).with_doc_number(doc_number),
    );
    let plan_options = plan_options(&all, plan.id);
    Ok(Loaded {
        report,
        notice,
        plan_options,
    })
}

pub async fn page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    check_may_view(&user)?;
    let l = load(&state, &q.plan, &q.as_of, &q.doc_number).await?;
    let n = &l.notice;
    let mut query = format!("plan={}&as_of={}", n.plan_id, n.as_of);
    if let Some(d) = &n.doc_number {
        query.push_str("&doc_number=");
        query.extend(form_urlencoded::byte_serialize(d.as_bytes()));
    }
    let ranked: Vec<Bar> = n
        .ranking
        .iter()
        .filter(|u| u.rank.is_some())
        .map(|u| Bar {
            label: u.org_name.clone(),
            value: u.on_time_rate,
            href: None,
        })
        .collect();
    let unit_chart = (!ranked.is_empty()).then(|| rate_bars("各单位按时公开率（按排名）", &ranked));
    let months: Vec<Bar> = n
        .months
        .iter()
        .filter(|m| m.periods_due > 0)
        .map(|m| Bar {
            label: crate::charts::month_label(&m.month, l.report.plan.year),
            value: m.on_time_rate,
            href: None,
        })
        .collect();
    let trend_chart = (!months.is_empty()).then(|| trend_bars("按月按时公开率", &months));

    let may_publish = user.perms.can_manage_plans();
    let (column_options, org_choices) = if may_publish {
        let mut conn = state.db.pool.acquire().await?;
        super::common::publish_targets(&mut conn, DEFAULT_COLUMN_SLUG, &n.office).await?
    } else {
        (Vec::new(), Vec::new())
    };

    Ok(render(
        &state,
        &user,
        "admin/notice.html",
        "supervision",
        json!({
            "doc": {
                "title": n.title, "office": n.office, "as_of": n.as_of, "plan_id": n.plan_id,
                "doc_number": n.doc_number,
                "as_of_label": n.as_of_label(),
            },
            "body_html": html::fragment(n, 3),
            "plans": l.plan_options,
            "query": query,
            "unit_chart": unit_chart,
            "trend_chart": trend_chart,
            "may_publish": may_publish,
            "columns": column_options,
            "orgs": org_choices,
            "unchecked": l.report.totals.unchecked_obligations,
        }),
    )?
    .into_response())
}

fn download(notice: &Notice, ext: &str, content_type: &'static str, bytes: Vec<u8>) -> Response {
    let ascii = format!("notice-{}-{}.{ext}", notice.plan_id, notice.as_of);
    crate::download::file(
        bytes,
        content_type,
        &format!("{}.{ext}", notice.file_stem()),
        Some(&ascii),
        Some("private, no-cache"),
    )
}

pub async fn xlsx_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    check_may_view(&user)?;
    let l = load(&state, &q.plan, &q.as_of, &q.doc_number).await?;
    let bytes =
        xlsx::to_bytes(&l.report, &l.notice).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(&l.notice, "xlsx", XLSX_TYPE, bytes))
}

pub async fn docx_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    check_may_view(&user)?;
    let l = load(&state, &q.plan, &q.as_of, &q.doc_number).await?;
    let bytes = docx::to_bytes(&l.notice).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(download(&l.notice, "docx", DOCX_TYPE, bytes))
}

/// Why a 督查通报 goes out before review: the office issues it as its own finding.
const NOTICE_PUBLISH_REASON: &str = "督查通报由政务公开办依据核查结果印发\u{FF0C}先发后审";

/// Creates the notice as an item of the chosen column and organisation and publishes it, in one
/// transaction (both steps audited), then opens the item in the editor.
pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<PublishForm>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_plans() {
        return Err(AppError::Forbidden(
            "只有政务公开办（监管）可以发布督查通报".into(),
        ));
    }
    let l = load(&state, &f.plan, &f.as_of, &f.doc_number).await?;
    let n = &l.notice;
    let fields = ItemFields {
        title: n.title.clone(),
        body_format: "html".into(),
        body: html::fragment(n, 2),
        org_id: f.org_id.trim().to_string(),
        column_ids: vec![f.column_id.trim().to_string()],
        issuing_authority: n.office.clone(),
        written_on: n.issued_on.to_string(),
        doc_number: n.doc_number.clone().unwrap_or_default(),
        ..ItemFields::blank()
    };
    let input = fields.validate()?;
    // Through the item use cases like any item: the content guard reads it, and publishing
    // without the organisation's review is 先发后审 with its reason, reviewed afterwards.
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    let id = gongkai_app::items::create(&mut tx, &caller, &input).await?;
    let done =
        gongkai_app::items::publish_if_clean(&mut tx, &caller, id, NOTICE_PUBLISH_REASON).await?;
    tx.commit().await?;
    let notice = match done {
        gongkai_app::items::SavedPublish::Published => "wf_published_now",
        gongkai_app::items::SavedPublish::GuardBlocked => "guard_blocked",
    };
    Ok(Redirect::to(&format!("/admin/items/{id}/edit?notice={notice}")).into_response())
}
