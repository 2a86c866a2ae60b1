//! `/ysqgk`: 依申请公开 on the portal. The guide and the online form; the applicant's status page
//! behind the tracking code **and** the last 4 digits of the phone (POSTed, so neither lands in
//! URLs or logs). The applicant's personal data is shown only on that status page. A successful
//! look-up opens the applicant's session on that application (`ysqgk_my.rs`: `/ysqgk/my`).
//!
//! Abuse: the portal's double-submit CSRF token (`form_token.rs`) on the form, a honeypot field, at most
//! [`MAX_PER_HOUR`] online submissions per client address per hour (then a Chinese refusal; what
//! was filed before stays), the same submission within [`DUPLICATE_WINDOW_MS`] answers with the
//! first one's tracking code instead of opening a second case, form bodies over [`MAX_BODY`] bytes
//! refused, and at most [`MAX_FAILED_LOOKUPS`] failed status lookups per tracking code and address per hour.

use super::{Chrome, Crumb, Href, Section};
use crate::applications::{docx_response, letter_docx};
use crate::util::{client_ip, sha256_hex};
use crate::{AppError, AppState};
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use gongkai_db::applications::{self as db_apps, NewApplication};
use gongkai_domain::Invalid;
use gongkai_domain::application::letter::LetterKind;
use gongkai_domain::application::{
    ApplicantType, ApplicationFields, Channel, Delivery, IdType, TRACKING_CODE_LEN,
    normalize_tracking_code, tracking_code_from,
};
use gongkai_domain::application::{NOT_AN_AGENCY, receives_applications};
use gongkai_domain::model::OrgKind;
use minijinja::value::Serde as S;
use serde::Deserialize;
use serde_json::json;

pub const MAX_PER_HOUR: i64 = 5;
pub const DUPLICATE_WINDOW_MS: i64 = 10 * 60_000;
pub const MAX_BODY: usize = 64 * 1024;
/// How much of an oversized body is still read (and dropped) before answering 413.
const DRAIN_LIMIT: usize = 1024 * 1024;
pub const MAX_FAILED_LOOKUPS: i64 = 10;
const HOUR_MS: i64 = 3_600_000;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ApplyForm {
    /// Honeypot: hidden from people, filled by naive robots.
    website: String,
    org_id: String,
    #[serde(flatten)]
    fields: ApplicationFields,
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> String,
    sel: &str,
) -> Vec<serde_json::Value> {
    all.iter()
        .map(|t| json!({"code": code(*t), "label": label(*t), "selected": code(*t) == sel}))
        .collect()
}

async fn form_page(
    state: &AppState,
    jar: CookieJar,
    form: Option<(&ApplyForm, &Invalid)>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(state, &mut conn).await?;
    let orgs = gongkai_db::orgs::all(&mut conn).await?;
    drop(conn);
    // Keeps the visitor's token (other tabs hold forms with it); issues one when there is none.
    let (jar, token) = super::form_token::issue(state, jar);
    let f = form.map(|(f, _)| f.clone()).unwrap_or_default();
    let errors = form.map_or(json!({}), |(_, inv)| {
        let mut m = serde_json::Map::new();
        for e in &inv.errors {
            m.entry(e.field.to_string())
                .or_insert_with(|| json!(e.message));
        }
        serde_json::Value::Object(m)
    });
    let org_opts: Vec<_> = orgs
        .iter()
        .filter(|o| receives_applications(OrgKind::from_code(&o.kind)))
        .map(|o| json!({"id": o.id, "name": o.name, "selected": o.id.to_string() == f.org_id}))
        .collect();
    let html = state.templates.render(
        "portal/ysqgk.html",
        minijinja::context! {
            csrf_token => token,
            orgs => S(org_opts),
            applicant_types => S(options(ApplicantType::ALL, ApplicantType::code, ApplicantType::full_label, &f.fields.applicant_type)),
            id_types => S(options(IdType::ALL, IdType::code, |t| t.label().to_string(), &f.fields.id_type)),
            deliveries => S(options(Delivery::ALL, Delivery::code, |t| t.label().to_string(), &f.fields.delivery)),
            values => S(&f.fields),
            errors => S(errors),
            error_summary => form.map(|(_, inv)| inv.summary()),
            breadcrumb => S(vec![Crumb { name: "依申请公开".into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/ysqgk", "依申请公开")
        },
    )?;
    Ok((status, jar, html).into_response())
}

/// GET `/ysqgk`: the guide and the form.
pub async fn guide(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    form_page(&state, jar, None, StatusCode::OK).await
}

/// Reads a urlencoded body of at most [`MAX_BODY`] bytes; also gives the client's address.
async fn read_form<T: serde::de::DeserializeOwned>(
    state: &AppState,
    req: Request,
) -> Result<(T, String), AppError> {
    use axum::extract::FromRequest;
    let (parts, body) = req.into_parts();
    let ip = client_ip(&parts, &state.config);
    let too_large = || {
        AppError::PayloadTooLarge(format!(
            "提交的内容过大（超过{}KB），请精简后重新提交",
            MAX_BODY / 1024
        ))
    };
    // A body somewhat over the limit is read to its end before the 413, so the connection closes
    // cleanly and the browser shows the answer instead of a reset; far larger ones are cut off.
    let bytes = axum::body::to_bytes(body, DRAIN_LIMIT)
        .await
        .map_err(|_| too_large())?;
    if bytes.len() > MAX_BODY {
        return Err(too_large());
    }
    let req = Request::from_parts(parts, axum::body::Body::from(bytes));
    let form = axum::Form::<T>::from_request(req, &())
        .await
        .map_err(|_| AppError::BadRequest("表单内容无法识别，请刷新页面后重新提交".into()))?;
    Ok((form.0, ip))
}

/// POST `/ysqgk`: files an online application.
pub async fn submit(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
) -> Result<Response, AppError> {
    let (f, ip): (ApplyForm, String) = read_form(&state, req).await?;
    if !f.website.is_empty() {
        return Err(AppError::BadRequest(
            "提交被拒绝：请不要填写隐藏的“网址”栏".into(),
        ));
    }
    let org_id: Option<i64> = f.org_id.trim().parse().ok();
    let mut inv = match f.fields.validate() {
        Ok(_) => Invalid::default(),
        Err(inv) => inv,
    };
    let mut conn = state.db.pool.acquire().await?;
    let org = match org_id {
        Some(id) => gongkai_db::orgs::get(&mut conn, id).await.ok(),
        None => None,
    };
    match &org {
        None => inv.push("org_id", "请选择受理申请的机关"),
        Some(o) if !receives_applications(OrgKind::from_code(&o.kind)) => {
            inv.push("org_id", NOT_AN_AGENCY);
        }
        Some(_) => {}
    }
    drop(conn);
    let (input, org) = match (f.fields.validate(), org) {
        (Ok(input), Some(org)) if inv.is_empty() => (input, org),
        _ => {
            return form_page(
                &state,
                jar,
                Some((&f, &inv)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let now = gongkai_db::now_ms();
    let fingerprint = sha256_hex(
        &serde_json::json!([
            org.id,
            input.applicant_type.code(),
            input.name,
            input.org_name,
            input.id_number,
            input.phone,
            input.description,
            input.purpose,
            input.delivery.code()
        ])
        .to_string(),
    );
    let mut tx = state.db.begin_audited().await?;
    if let Some(code) =
        db_apps::find_duplicate(&mut tx, &fingerprint, now - DUPLICATE_WINDOW_MS).await?
    {
        drop(tx);
        return done_page(&state, &code, &org.name, true).await;
    }
    if db_apps::count_from_ip(&mut tx, &ip, now - HOUR_MS).await? >= MAX_PER_HOUR {
        return Err(AppError::Locked(format!(
            "同一网络地址一小时内最多在线提交{MAX_PER_HOUR}件申请，请稍后再试；已提交的申请不受影响，可凭查询码查询"
        )));
    }
    let today = gongkai_db::china_today();
    let mut bytes = [0u8; TRACKING_CODE_LEN];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    let code = tracking_code_from(&bytes);
    let new = NewApplication {
        org_id: org.id,
        channel: Channel::Online,
        input,
        submitted_on: today,
        received_on: today,
        tracking_code: code.clone(),
        fingerprint,
        submit_ip: ip,
    };
    gongkai_app::applications::apply_online(&mut tx, &new).await?;
    tx.commit().await?;
    done_page(&state, &code, &org.name, false).await
}

async fn done_page(
    state: &AppState,
    code: &str,
    org_name: &str,
    duplicate: bool,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(state, &mut conn).await?;
    drop(conn);
    Ok(state
        .templates
        .render(
            "portal/ysqgk_done.html",
            minijinja::context! {
                tracking_code => code, org_name => org_name, duplicate => duplicate,
                breadcrumb => S(vec![Crumb { name: "依申请公开".into(), href: "/ysqgk".into() },
                                     Crumb { name: "提交成功".into(), href: Href::default() }]),
                ..chrome.ctx(Section::Other, "/ysqgk/done", "申请已提交")
            },
        )?
        .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LookupForm {
    code: String,
    tail: String,
    letter: String,
}

pub(super) async fn lookup_page(
    state: &AppState,
    jar: CookieJar,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(state, &mut conn).await?;
    drop(conn);
    let (jar, token) = super::form_token::issue(state, jar);
    let html: Html<String> = state.templates.render(
        "portal/ysqgk_lookup.html",
        minijinja::context! {
            error => error, csrf_token => token,
            breadcrumb => S(vec![Crumb { name: "依申请公开".into(), href: "/ysqgk".into() },
                                 Crumb { name: "办理进度查询".into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/ysqgk/cx", "办理进度查询")
        },
    )?;
    Ok((status, jar, html).into_response())
}

/// GET `/ysqgk/cx`: the lookup form.
pub async fn lookup_form(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    lookup_page(&state, jar, None, StatusCode::OK).await
}

/// POST `/ysqgk/cx`: the status page (or, with `letter`, that letter as DOCX).
pub async fn lookup(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
) -> Result<Response, AppError> {
    let (f, ip): (LookupForm, String) = read_form(&state, req).await?;
    let now = gongkai_db::now_ms();
    let mut conn = state.db.pool.acquire().await?;
    let code = normalize_tracking_code(&f.code);
    // Counted per code and address: guessing one case's tail does not lock out the other
    // applicants behind the same address.
    let code_key = code.clone().unwrap_or_default();
    if db_apps::failed_lookups(&mut conn, &ip, &code_key, now - HOUR_MS).await?
        >= MAX_FAILED_LOOKUPS
    {
        return Err(AppError::Locked(
            "该查询码查询失败次数过多\u{FF0C}请一小时后再试".into(),
        ));
    }
    let tail: String = f.tail.trim().chars().take(8).collect();
    let row = match code {
        Some(code) if tail.len() == 4 && tail.bytes().all(|b| b.is_ascii_digit()) => {
            db_apps::by_tracking(&mut conn, &code, &tail).await?
        }
        _ => None,
    };
    db_apps::record_lookup(&mut conn, &ip, &code_key, row.is_some()).await?;
    let Some(row) = row else {
        drop(conn);
        return lookup_page(
            &state,
            jar,
            Some("查询码或手机号码后4位不正确，请核对后重试"),
            StatusCode::NOT_FOUND,
        )
        .await;
    };
    // The applicant's letters as issued; the 征求意见函 goes to the consulted party only.
    if let Some(kind) =
        LetterKind::from_code(f.letter.trim()).filter(|k| *k != LetterKind::Consultation)
    {
        let bytes = letter_docx(&mut conn, row.id, kind).await?;
        return Ok(docx_response(bytes, kind, &row.tracking_code));
    }
    drop(conn);
    let jar = super::ysqgk_my::open(&state, jar, row.id).await?;
    super::ysqgk_my::page(&state, jar, &row, None, None).await
}
