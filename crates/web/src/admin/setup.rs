//! First-run setup (`/admin/setup`): the government's name, region and level, and its
//! organisations from an XLSX or CSV list; the same list import later (`/admin/orgs/import`);
//! the site's settings (`/admin/site`: name, logo, theme colour, footer identifiers, contact);
//! and the list template. Each write is one audited transaction: a bad row changes nothing.

use super::common::{error_map, notice_text, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::{orgs, site_profile};
use gongkai_domain::Invalid;
use gongkai_domain::orgimport::{self, OrgRow, TEMPLATE_HEADER};
use gongkai_domain::site_profile::{GovLevel, NEUTRAL_SITE_NAME, SiteProfile};
use serde_json::json;
use std::collections::HashMap;

#[derive(serde::Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

/// The text fields and the uploaded files (non-empty ones only) of a multipart form.
struct Posted {
    fields: HashMap<String, String>,
    files: HashMap<String, Vec<u8>>,
}

impl Posted {
    fn get(&self, name: &str) -> String {
        self.fields.get(name).cloned().unwrap_or_default()
    }
}

async fn read_posted(mut mp: Multipart) -> Result<Posted, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge("上传的文件过大".into())
        } else {
            AppError::BadRequest(format!(
                "提交的表单无法解析\u{FF0C}请重新提交\u{FF08}{}\u{FF09}",
                e.body_text()
            ))
        }
    };
    let mut p = Posted {
        fields: HashMap::new(),
        files: HashMap::new(),
    };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if field.file_name().is_some() {
            let bytes = field.bytes().await.map_err(bad)?.to_vec();
            if !bytes.is_empty() {
                p.files.insert(name, bytes);
            }
        } else {
            let text = field.text().await.map_err(bad)?;
            p.fields.insert(name, text);
        }
    }
    Ok(p)
}

/// Reads and checks an organisation list against the organisations that exist.
async fn read_list(
    state: &AppState,
    bytes: Vec<u8>,
) -> Result<Result<Vec<OrgRow>, Invalid>, AppError> {
    // Workbook reading is CPU work: off the async workers.
    let rows = tokio::task::spawn_blocking(move || gongkai_extract::table::rows(&bytes))
        .await
        .map_err(|e| AppError::Internal(format!("文件解析任务异常中止\u{FF1A}{e}")))?;
    let rows = match rows {
        Ok(r) => r,
        Err(e) => {
            return Ok(Err(Invalid::one(
                "file",
                format!("无法读取机构名单\u{FF1A}{e}"),
            )));
        }
    };
    let mut conn = state.db.pool.acquire().await?;
    let existing = orgs::existing(&mut conn).await?;
    Ok(orgimport::parse(&rows, &existing))
}

fn levels() -> Vec<serde_json::Value> {
    GovLevel::ALL
        .iter()
        .map(|l| json!({"code": l.code(), "label": l.label()}))
        .collect()
}

/// The field errors other than the list's, for the page's error summary (the list's problems
/// have their own list).
fn summary_errors(errors: Option<&Invalid>) -> serde_json::Value {
    let mut map = errors.map(error_map).unwrap_or(json!({}));
    if let Some(m) = map.as_object_mut() {
        m.remove("file");
    }
    map
}

/// Every message of the list (`file`), for a list of row problems.
fn file_errors(errors: Option<&Invalid>) -> Vec<String> {
    errors
        .map(|e| {
            e.errors
                .iter()
                .filter(|f| f.field == "file")
                .map(|f| f.message.clone())
                .collect()
        })
        .unwrap_or_default()
}

// ---- first-run setup ----

async fn setup_page(
    state: &AppState,
    user: &CurrentUser,
    f: &SiteProfile,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let pending = site_profile::setup_pending(&mut conn).await?;
    let org_count = orgs::all(&mut conn).await?.len();
    drop(conn);
    let html = render(
        state,
        user,
        "admin/setup.html",
        "site",
        json!({
            "pending": pending, "f": f, "levels": levels(), "org_count": org_count,
            "errors": errors.map(error_map).unwrap_or(json!({})),
            "file_errors": file_errors(errors),
            "summary_errors": summary_errors(errors),
            "header": TEMPLATE_HEADER,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn setup_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mut conn = state.db.pool.acquire().await?;
    let mut f = site_profile::load(&mut conn).await?;
    drop(conn);
    if f.name == NEUTRAL_SITE_NAME {
        f.name.clear();
    }
    setup_page(&state, &user, &f, None, StatusCode::OK).await
}

pub async fn setup_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    mp: Multipart,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let posted = read_posted(mp).await?;
    let f = SiteProfile {
        name: posted.get("name"),
        region: posted.get("region"),
        level: posted.get("level"),
        ..Default::default()
    };
    let mut inv = f.validate_identity().err().unwrap_or_default();
    let rows = match posted.files.get("file") {
        Some(bytes) => match read_list(&state, bytes.clone()).await? {
            Ok(rows) => rows,
            Err(e) => {
                inv.errors.extend(e.errors);
                Vec::new()
            }
        },
        None => Vec::new(),
    };
    if !inv.is_empty() {
        return setup_page(
            &state,
            &user,
            &f,
            Some(&inv),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mut tx = state.db.begin_audited().await?;
    match gongkai_app::site::complete_setup(&mut tx, &user.caller(), &f, &rows).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to("/admin/orgs?notice=setup_done").into_response())
        }
        Err(gongkai_app::Refusal::Invalid(e)) => {
            drop(tx);
            setup_page(
                &state,
                &user,
                &f,
                Some(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- organisation lists after setup ----

async fn import_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let html = render(
        state,
        user,
        "admin/org_import.html",
        "orgs",
        json!({
            "errors": errors.map(error_map).unwrap_or(json!({})),
            "file_errors": file_errors(errors),
            "summary_errors": summary_errors(errors),
            "header": TEMPLATE_HEADER,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn import_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    import_page(&state, &user, None, StatusCode::OK).await
}

pub async fn import_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    mp: Multipart,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let posted = read_posted(mp).await?;
    let Some(bytes) = posted.files.get("file") else {
        let e = Invalid::one("file", "请选择要导入的机构名单文件");
        return import_page(&state, &user, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let rows = match read_list(&state, bytes.clone()).await? {
        Ok(rows) => rows,
        Err(e) => {
            return import_page(&state, &user, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    match gongkai_app::site::import_orgs(&mut tx, &user.caller(), &rows).await {
        Ok(_) => {
            tx.commit().await?;
            super::refresh_statistics_soon(&state.db);
            Ok(Redirect::to("/admin/orgs?notice=orgs_imported").into_response())
        }
        Err(gongkai_app::Refusal::Invalid(e)) => {
            drop(tx);
            import_page(&state, &user, Some(&e), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- the list template ----

/// Lines of the template's 填写说明 sheet.
const GUIDE: &[&str] = &[
    "机构名单填写说明",
    "第一行是表头\u{FF0C}请保留\u{FF1B}从第二行起每行一个机构\u{3002}",
    "机构名称\u{FF1A}必填\u{FF0C}不超过60个字\u{FF0C}不能重复\u{3002}",
    "上级机构\u{FF1A}填名单中另一个机构的名称\u{FF0C}或系统中已有机构的名称\u{FF1B}本级政府留空\u{3002}",
    "类型\u{FF1A}人民政府\u{3001}政府办公室\u{3001}政府工作部门\u{3001}县区政府\u{3001}垂直管理单位\u{3001}单位集合\u{3001}其他单位\u{FF1B}留空时\u{FF0C}没有上级的是人民政府\u{FF0C}有上级的是政府工作部门\u{3002}",
    "别名\u{FF1A}简称或曾用名\u{FF0C}多个用顿号\u{3001}或分号\u{FF1B}分隔\u{FF0C}例如 市发改委\u{3001}市发展改革委\u{3002}",
    "统一社会信用代码\u{FF1A}选填\u{FF0C}18位\u{3002}",
    "任何一行有误时整份名单都不会导入\u{FF0C}页面会列出有误的行号\u{3002}",
];

pub async fn template_xlsx(user: CurrentUser) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let bytes = template_workbook()
        .map_err(|e| AppError::Internal(format!("生成机构名单模板失败\u{FF1A}{e}")))?;
    Ok(crate::download::file(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "机构名单模板.xlsx",
        Some("organisations-template.xlsx"),
        None,
    ))
}

fn template_workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("机构名单")?;
    for (c, h) in TEMPLATE_HEADER.iter().enumerate() {
        let c = c as u16;
        ws.write_with_format(0, c, *h, &bold)?;
        ws.set_column_width(c, if c == 3 { 36 } else { 24 })?;
    }
    let guide = wb.add_worksheet();
    guide.set_name("填写说明")?;
    guide.set_column_width(0, 100)?;
    for (r, line) in GUIDE.iter().enumerate() {
        if r == 0 {
            guide.write_with_format(0, 0, *line, &bold)?;
        } else {
            guide.write(r as u32, 0, *line)?;
        }
    }
    wb.save_to_buffer()
}

pub async fn template_csv(user: CurrentUser) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    // A BOM so that Excel opens the UTF-8 file with the right encoding.
    let body = format!("\u{FEFF}{}\r\n", TEMPLATE_HEADER.join(","));
    Ok(crate::download::file(
        body,
        "text/csv; charset=utf-8",
        "机构名单模板.csv",
        Some("organisations-template.csv"),
        None,
    ))
}

// ---- site settings ----

async fn site_page(
    state: &AppState,
    user: &CurrentUser,
    f: &SiteProfile,
    errors: Option<&Invalid>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let logo = site_profile::logo_version(&mut conn).await?;
    let pending = site_profile::setup_pending(&mut conn).await?;
    drop(conn);
    let html = render(
        state,
        user,
        "admin/site.html",
        "site",
        json!({
            "f": f, "levels": levels(), "logo": logo, "pending": pending,
            "errors": errors.map(error_map).unwrap_or(json!({})),
            "notice": notice_text(notice),
            "max_logo_kb": gongkai_domain::site_profile::MAX_LOGO_BYTES / 1024,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn site_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mut conn = state.db.pool.acquire().await?;
    let f = site_profile::load(&mut conn).await?;
    drop(conn);
    site_page(&state, &user, &f, None, q.notice.as_deref(), StatusCode::OK).await
}

pub async fn site_save(
    State(state): State<AppState>,
    user: CurrentUser,
    mp: Multipart,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let posted = read_posted(mp).await?;
    let mut f = SiteProfile {
        name: posted.get("name"),
        ..Default::default()
    };
    for key in SiteProfile::KEYS {
        f.set_field(key, posted.get(key));
    }
    let logo = posted.files.get("logo");
    let mut inv = f.validate().err().unwrap_or_default();
    if let Some(bytes) = logo
        && let Err(e) = gongkai_domain::site_profile::logo_type(bytes)
    {
        inv.errors.extend(e.errors);
    }
    if !inv.is_empty() {
        return site_page(
            &state,
            &user,
            &f,
            Some(&inv),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::site::save_profile(&mut tx, &caller, &f).await?;
    if let Some(bytes) = logo {
        gongkai_app::site::set_logo(&mut tx, &caller, Some(bytes.as_slice())).await?;
    } else if posted.get("remove_logo") == "1" {
        gongkai_app::site::set_logo(&mut tx, &caller, None).await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/admin/site?notice=saved").into_response())
}
