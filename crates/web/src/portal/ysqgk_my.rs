//! The applicant's side of a case after a successful look-up (`/ysqgk/cx`): a session bound to
//! that one application (a random token in the HttpOnly, SameSite=Strict cookie [`COOKIE`],
//! stored hashed in `applicant_sessions`, expiring after
//! [`gongkai_domain::application::correspondence::SESSION_MS`]) opens `/ysqgk/my`: status,
//! timeline, letters, messages both ways, the answer's attachments, the online 补正 while the
//! case waits for one, and 撤回 (with a confirmation step). Every write goes through
//! `gongkai_app::correspondence` as the [`Applicant`]; the portal's CSRF check runs first.

use super::{Chrome, Crumb, Href, Section};
use crate::applications::{docx_response, issued_letters, letter_docx, timeline};
use crate::upload::{self, Upload};
use crate::util::{client_ip, random_hex, sha256_hex};
use crate::{AppError, AppState};
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use gongkai_app::Refusal;
use gongkai_app::correspondence::{self as corr, Applicant};
use gongkai_db::applications::{self as db_apps, ApplicationRow};
use gongkai_db::correspondence::{self as db_corr, NewFile};
use gongkai_domain::Invalid;
use gongkai_domain::application::Status;
use gongkai_domain::application::correspondence::{FilePurpose, SESSION_MS};
use gongkai_domain::application::letter::LetterKind;
use minijinja::value::Serde as S;
use serde::Deserialize;
use serde_json::json;

/// The applicant session's cookie.
pub const COOKIE: &str = "gk_applicant";

/// Opens a session on application `id` and sets its cookie on `jar`.
pub async fn open(state: &AppState, jar: CookieJar, id: i64) -> Result<CookieJar, AppError> {
    let token = random_hex(32);
    let mut conn = state.db.pool.acquire().await?;
    db_corr::open_session(
        &mut conn,
        id,
        &sha256_hex(&token),
        gongkai_db::now_ms() + SESSION_MS,
    )
    .await?;
    let mut c = Cookie::new(COOKIE, token);
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_path("/ysqgk");
    c.set_secure(state.config.secure_cookies);
    Ok(jar.add(c))
}

/// The application of the request's live session; `None` without one.
async fn session_row(
    state: &AppState,
    jar: &CookieJar,
) -> Result<Option<ApplicationRow>, AppError> {
    let Some(token) = jar.get(COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    let mut conn = state.db.pool.acquire().await?;
    match db_corr::session_application(&mut conn, &sha256_hex(&token), gongkai_db::now_ms()).await?
    {
        Some(id) => Ok(Some(db_apps::get(&mut conn, id).await?)),
        None => Ok(None),
    }
}

const EXPIRED: &str = "查询已过期或尚未查询\u{FF0C}请重新输入查询码和手机号码后4位";

/// The session's application, or a refusal (403) that writes nothing.
async fn require(state: &AppState, jar: &CookieJar) -> Result<ApplicationRow, AppError> {
    session_row(state, jar)
        .await?
        .ok_or_else(|| AppError::Forbidden(EXPIRED.into()))
}

/// The tracking page of `row`: what the applicant may see and do.
pub async fn page(
    state: &AppState,
    jar: CookieJar,
    row: &ApplicationRow,
    notice: Option<&str>,
    error: Option<&Invalid>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let cal = gongkai_db::calendar::load(&mut conn).await?;
    let events = db_apps::events(&mut conn, row.id).await?;
    let case = db_apps::case_of(row, &events, &cal)?;
    let messages = db_corr::messages(&mut conn, row.id).await?;
    let files = db_corr::files(&mut conn, row.id).await?;
    let issued = issued_letters(&mut conn, row.id).await?;
    // How to pay a 收费通知 waiting for payment, as the organisation's letters state it.
    let payment = match case.fee_due() {
        Some(_) => {
            gongkai_db::application_letters::settings(&mut conn, row.org_id)
                .await?
                .0
                .payment
        }
        None => String::new(),
    };
    let chrome = Chrome::load(state, &mut conn).await?;
    drop(conn);
    let (jar, token) = super::form_token::issue(state, jar);
    let deadline = case.deadline(&cal).ok();
    // The applicant's letters as issued; the 征求意见函 goes to the consulted party only.
    let letters: Vec<_> = issued
        .iter()
        .filter_map(|l| l.kind().filter(|k| *k != LetterKind::Consultation))
        .map(|k| json!({"code": k.code(), "label": k.label()}))
        .collect();
    let status = Status::from_code(&row.status);
    let messages: Vec<_> = messages
        .iter()
        .map(|m| {
            json!({"id": m.id, "sender": m.sender, "sender_label": m.sender_label(), "kind_label": m.kind_label(),
                   "body": m.body, "at": gongkai_domain::china_time::format_minute(m.created_at),
                   "files": files.iter().filter(|f| f.message_id == Some(m.id))
                        .map(|f| json!({"id": f.id, "name": f.file_name})).collect::<Vec<_>>()})
        })
        .collect();
    let answer_files: Vec<_> = files
        .iter()
        .filter(|f| f.purpose == FilePurpose::Answer.code())
        .map(|f| json!({"id": f.id, "name": f.file_name, "size": f.size_bytes}))
        .collect();
    let errors = error.map(|inv| inv.summary());
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html: Html<String> = state.templates.render(
        "portal/ysqgk_status.html",
        minijinja::context! {
            app => S(json!({
                "tracking_code": row.tracking_code, "org_name": row.org_name, "name": row.name,
                "org_name_applicant": row.org_name_applicant, "applicant_type": row.applicant_type_label(),
                "channel": row.channel_label(), "description": row.description, "received_on": row.received_on,
                "status": row.status_label(), "answered": row.status == "answered",
                "outcome": row.outcome_label(), "answer_text": row.answer_text, "answered_on": row.answered_on,
                "fee_yuan": row.fee_yuan,
                "due": deadline.as_ref().and_then(|d| d.due).map(|d| d.to_string()),
                "summary": deadline.as_ref().map(|d| d.summary()),
                // A due date in a year whose arrangement is not published yet.
                "estimated": deadline.as_ref().is_some_and(|d| d.due.is_some() && !d.warnings.is_empty()),
                "awaiting_supplement": status == Some(Status::AwaitingSupplement),
                "closed": matches!(status, Some(Status::Answered | Status::Withdrawn)),
            })),
            fee_due => S(case.fee_due().map(|f| json!({
                "amount_yuan": f.amount_yuan, "pay_by": f.pay_by.to_string(), "payment": payment,
            }))),
            estimated_notice => gongkai_domain::calendar::ESTIMATED_DATE_NOTICE,
            timeline => S(timeline(row, &events, true)),
            letters => S(letters),
            messages => S(messages),
            answer_files => S(answer_files),
            allowed_extensions => upload::allowed_extensions(),
            notice => notice, error => errors,
            csrf_token => token,
            breadcrumb => S(vec![Crumb { name: "依申请公开".into(), href: "/ysqgk".into() },
                                 Crumb { name: "办理进度".into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/ysqgk/my", "办理进度")
        },
    )?;
    Ok((code, jar, html).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MyQuery {
    notice: String,
}

/// GET `/ysqgk/my`: the tracking page of the session's application.
pub async fn show(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(q): Query<MyQuery>,
) -> Result<Response, AppError> {
    let Some(row) = session_row(&state, &jar).await? else {
        return super::ysqgk::lookup_page(&state, jar, Some(EXPIRED), StatusCode::UNAUTHORIZED)
            .await;
    };
    let notice = match q.notice.as_str() {
        "supplemented" => Some("补正材料已提交\u{FF0C}答复期限自收到补正之日起重新计算\u{3002}"),
        "withdrawn" => Some("申请已撤回\u{3002}"),
        "sent" => Some("留言已发送\u{3002}"),
        _ => None,
    };
    page(&state, jar, &row, notice, None).await
}

/// GET `/ysqgk/my/letters/{kind}`: a letter of the session's case as DOCX.
pub async fn letter(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(kind): Path<String>,
) -> Result<Response, AppError> {
    let row = require(&state, &jar).await?;
    let kind = LetterKind::from_code(&kind)
        .filter(|k| *k != LetterKind::Consultation)
        .ok_or_else(AppError::not_found)?;
    let mut conn = state.db.pool.acquire().await?;
    let bytes = letter_docx(&mut conn, row.id, kind).await?;
    Ok(docx_response(bytes, kind, &row.tracking_code))
}

/// GET `/ysqgk/my/files/{id}`: a file of the session's case (another case's is missing).
pub async fn file(
    State(state): State<AppState>,
    jar: CookieJar,
    Path(file_id): Path<i64>,
) -> Result<Response, AppError> {
    let row = require(&state, &jar).await?;
    let mut conn = state.db.pool.acquire().await?;
    let f = db_corr::file(&mut conn, row.id, file_id)
        .await
        .map_err(|_| AppError::not_found())?;
    drop(conn);
    let bytes = state.storage.get(&f.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &f.content_type,
        &f.file_name,
        None,
        Some("private, no-store"),
    ))
}

fn bad_multipart(e: axum::extract::multipart::MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge("上传内容超过大小限制".into())
    } else {
        AppError::BadRequest("提交的表单无法解析\u{FF0C}请重新提交".into())
    }
}

/// POST `/ysqgk/my/supplement` (multipart: `text`, up to 5 `attachments`): the online 补正.
pub async fn supplement(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
) -> Result<Response, AppError> {
    let row = require(&state, &jar).await?;
    let (parts, body) = req.into_parts();
    let ip = client_ip(&parts, &state.config);
    let mut mp = Multipart::from_request(Request::from_parts(parts, body), &())
        .await
        .map_err(|_| AppError::BadRequest("提交的表单无法解析\u{FF0C}请重新提交".into()))?;
    let mut text = String::new();
    let mut raw = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad_multipart)? {
        match field.name().unwrap_or("") {
            "attachments" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad_multipart)?;
                if !name.is_empty() || !bytes.is_empty() {
                    raw.push((name, bytes.to_vec()));
                }
            }
            "text" => text = field.text().await.map_err(bad_multipart)?,
            _ => {}
        }
    }
    let mut inv = Invalid::default();
    if let Err(e) = gongkai_domain::application::correspondence::supplement_text(&text, raw.len()) {
        inv.errors.extend(e.errors);
    }
    if Status::from_code(&row.status) != Some(Status::AwaitingSupplement) {
        inv.push("text", "该申请当前不处于待补正状态\u{FF0C}无需提交补正材料");
    }
    let uploads: Vec<Upload> = if inv.is_empty() {
        raw.into_iter()
            .filter_map(|(n, b)| upload::check(&n, b, state.config.max_upload_bytes, &mut inv))
            .collect()
    } else {
        Vec::new()
    };
    if !inv.is_empty() {
        return page(&state, jar, &row, None, Some(&inv)).await;
    }
    let files = store(&state, &uploads).await?;
    let mut tx = state.db.begin_audited().await?;
    let row = corr::reload(&mut tx, row.id).await?;
    let who = Applicant { row: &row, ip };
    match corr::supplement(&mut tx, &who, &text, &files, gongkai_db::china_today()).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to("/ysqgk/my?notice=supplemented").into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            page(&state, jar, &row, None, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// Puts checked uploads into the attachment store.
pub(crate) async fn store(state: &AppState, uploads: &[Upload]) -> Result<Vec<NewFile>, AppError> {
    let mut out = Vec::new();
    for u in uploads {
        let sha = state.storage.put(&u.bytes).await?;
        out.push(NewFile {
            file_name: u.file_name.clone(),
            content_type: u.content_type.to_string(),
            size_bytes: i64::try_from(u.bytes.len()).unwrap_or(i64::MAX),
            sha256: sha,
        });
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WithdrawForm {
    confirm: String,
    note: String,
}

/// GET `/ysqgk/my/withdraw`: the confirmation step.
pub async fn withdraw_form(
    State(state): State<AppState>,
    jar: CookieJar,
) -> Result<Response, AppError> {
    let row = require(&state, &jar).await?;
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    drop(conn);
    let (jar, token) = super::form_token::issue(&state, jar);
    let html: Html<String> = state.templates.render(
        "portal/ysqgk_withdraw.html",
        minijinja::context! {
            tracking_code => row.tracking_code, org_name => row.org_name, csrf_token => token,
            breadcrumb => S(vec![Crumb { name: "依申请公开".into(), href: "/ysqgk".into() },
                                 Crumb { name: "办理进度".into(), href: "/ysqgk/my".into() },
                                 Crumb { name: "撤回申请".into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/ysqgk/my", "撤回申请")
        },
    )?;
    Ok((jar, html).into_response())
}

/// The session's application, the client address and the posted form (its token checked).
async fn session_form<F: serde::de::DeserializeOwned + Send + 'static>(
    state: &AppState,
    jar: &CookieJar,
    req: Request,
) -> Result<(ApplicationRow, String, F), AppError> {
    let row = require(state, jar).await?;
    let (parts, body) = req.into_parts();
    let ip = client_ip(&parts, &state.config);
    let super::form_token::PublicForm(f) =
        super::form_token::PublicForm::<F>::from_request(Request::from_parts(parts, body), &())
            .await?;
    Ok((row, ip, f))
}

/// POST `/ysqgk/my/withdraw`: withdraws the application once `confirm` is given.
pub async fn withdraw(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
) -> Result<Response, AppError> {
    let (row, ip, f) = session_form::<WithdrawForm>(&state, &jar, req).await?;
    if f.confirm.trim().is_empty() {
        return Ok(Redirect::to("/ysqgk/my/withdraw").into_response());
    }
    let mut tx = state.db.begin_audited().await?;
    let row = corr::reload(&mut tx, row.id).await?;
    let who = Applicant { row: &row, ip };
    match corr::withdraw(&mut tx, &who, &f.note, gongkai_db::china_today()).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to("/ysqgk/my?notice=withdrawn").into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            page(&state, jar, &row, None, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MessageForm {
    body: String,
}

/// POST `/ysqgk/my/messages`: a message to the handlers.
pub async fn message(
    State(state): State<AppState>,
    jar: CookieJar,
    req: Request,
) -> Result<Response, AppError> {
    let (row, ip, f) = session_form::<MessageForm>(&state, &jar, req).await?;
    let mut tx = state.db.begin_audited().await?;
    let who = Applicant { row: &row, ip };
    match corr::applicant_message(&mut tx, &who, &f.body).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to("/ysqgk/my?notice=sent").into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            page(&state, jar, &row, None, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST `/ysqgk/my/logout`: ends the session.
pub async fn logout(State(state): State<AppState>, jar: CookieJar) -> Result<Response, AppError> {
    if let Some(token) = jar.get(COOKIE).map(|c| c.value().to_string()) {
        let mut conn = state.db.pool.acquire().await?;
        db_corr::close_session(&mut conn, &sha256_hex(&token)).await?;
    }
    let mut c = Cookie::from(COOKIE);
    c.set_path("/ysqgk");
    Ok((jar.remove(c), Redirect::to("/ysqgk/cx")).into_response())
}
