//! 信息资源目录 in the back office (`/admin/data`): the catalogue of the caller's organisations,
//! a resource's form ( 信息项 , sharing and open types with their basis, cadence, formats,
//! interface), publication, and the dataset's files (CSV, XLSX, JSON; each upload one dated
//! update). Use cases are `gongkai_app::data`.

use super::common::{org_options, render};
use crate::auth::CurrentUser;
use crate::error::error_map;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::data::{self as app, StoredFile};
use gongkai_db::data::{self, ResourceRow};
use gongkai_db::data_cadence::{self, OpenDataReport};
use gongkai_db::orgs;
use gongkai_domain::Invalid;
use gongkai_domain::data::{
    DataType, Format, Method, OpenType, ResourceFields, Sharing, cadence_choices, cadence_label,
    file_format,
};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已创建数据资源\u{FF0C}发布后在门户\u{201C}数据开放\u{201D}公开\u{3002}",
        "saved" => "已保存\u{3002}",
        "published" => "已发布\u{3002}",
        "unpublished" => "已撤回\u{FF0C}该资源已从门户和开放接口中移除\u{3002}",
        "uploaded" => "已上传数据文件\u{FF0C}记为一次数据更新\u{3002}",
        _ => return None,
    })
}

fn vocab<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Value> {
    all.iter()
        .map(|v| json!({"code": code(*v), "label": label(*v)}))
        .collect()
}

fn choices() -> Value {
    json!({
        "sharing": vocab(Sharing::ALL, Sharing::code, Sharing::label),
        "open_types": vocab(OpenType::ALL, OpenType::code, OpenType::label),
        "formats": vocab(Format::ALL, Format::code, Format::label),
        "methods": vocab(Method::ALL, Method::code, Method::label),
        "data_types": DataType::ALL.iter().map(|t| t.label()).collect::<Vec<_>>(),
        "cadences": cadence_choices().iter()
            .map(|c| json!({"code": c.to_string(), "label": cadence_label(Some(c))}))
            .collect::<Vec<_>>(),
    })
}

fn labels(row: &ResourceRow) -> (String, String) {
    (
        Sharing::from_code(&row.sharing)
            .map(|s| s.label())
            .unwrap_or_default()
            .to_string(),
        OpenType::from_code(&row.open_type)
            .map(|s| s.label())
            .unwrap_or_default()
            .to_string(),
    )
}

/// GET /admin/data: the resources of the organisations the caller sees.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let scope = user.perms.viewable_orgs();
    if scope.as_ref().is_some_and(|s| s.is_empty()) {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let rows = data::list(&mut conn, scope.as_deref()).await?;
    let cadence = cadence_report(&mut conn, scope.as_deref()).await?;
    drop(conn);
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            let (sharing, open) = labels(r);
            json!({"id": r.id, "name": r.name, "code": r.code, "org": r.org_name,
                   "sharing": sharing, "open": open, "published": r.is_published(),
                   "public": r.is_public(), "update": update_standing(r, &cadence)})
        })
        .collect();
    let units: Vec<Value> = cadence
        .units
        .iter()
        .map(|u| json!({"org": u.org_name, "datasets": u.datasets, "overdue": u.overdue_datasets,
                        "on_schedule": u.datasets - u.overdue_datasets, "due": u.counts.met + u.counts.met_late + u.counts.missed,
                        "met": u.counts.met, "met_late": u.counts.met_late, "missed": u.counts.missed}))
        .collect();
    let may_create = user.perms.editable_orgs().is_none_or(|o| !o.is_empty());
    let html = render(
        &state,
        &user,
        "admin/data.html",
        "data",
        json!({"items": items, "units": units, "may_create": may_create,
               "notice": notice_text(&q.notice)}),
    )?;
    Ok(html.into_response())
}

/// The stated cadences of the organisations' datasets over the last twelve months.
async fn cadence_report(
    conn: &mut sqlx::AnyConnection,
    orgs: Option<&[i64]>,
) -> Result<OpenDataReport, AppError> {
    let today = gongkai_db::china_today();
    Ok(match data_cadence::recent(today) {
        Some(bounds) => data_cadence::report(conn, orgs, bounds, today).await?,
        None => OpenDataReport::default(),
    })
}

/// 按期更新 or 逾期未更新 with the dataset's counts, or why it is not checked.
fn update_standing(row: &ResourceRow, report: &OpenDataReport) -> Value {
    if let Some(d) = report.dataset(row.id).filter(|_| row.is_public()) {
        return json!({"code": d.standing, "label": d.standing_label, "due": d.due,
                      "met": d.counts.met, "met_late": d.counts.met_late, "missed": d.counts.missed});
    }
    let stated = row.resource().and_then(|r| r.cadence());
    // 未公开，不核查 / 不定期，不核查
    let label = if !row.is_public() {
        "\u{672A}\u{516C}\u{5F00}\u{FF0C}\u{4E0D}\u{6838}\u{67E5}"
    } else if stated.is_none() {
        "\u{4E0D}\u{5B9A}\u{671F}\u{FF0C}\u{4E0D}\u{6838}\u{67E5}"
    } else {
        "\u{672A}\u{5230}\u{671F}"
    };
    json!({"code": "not_checked", "label": label})
}

/// The form as posted: the organisation, the version loaded and the fields.
#[derive(Default)]
struct Submission {
    org_id: String,
    version: i64,
    fields: ResourceFields,
}

fn read_form(body: &[u8]) -> Submission {
    let mut s = Submission::default();
    for (k, v) in form_urlencoded::parse(body) {
        let v = v.into_owned();
        let f = &mut s.fields;
        match k.as_ref() {
            "org_id" => s.org_id = v,
            "version" => s.version = v.trim().parse().unwrap_or(0),
            "name" => f.name = v,
            "code" => f.code = v,
            "summary" => f.summary = v,
            "items" => f.items = v,
            "sharing" => f.sharing = v,
            "sharing_basis" => f.sharing_basis = v,
            "open_type" => f.open_type = v,
            "open_conditions" => f.open_conditions = v,
            "cadence" => f.cadence = v,
            "formats" => f.formats.push(v),
            "interface_url" => f.interface_url = v,
            "interface_method" => f.interface_method = v,
            "interface_parameters" => f.interface_parameters = v,
            "tags" => f.tags = v,
            _ => {}
        }
    }
    s
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    row: Option<&ResourceRow>,
    submitted: Option<(&Submission, &Invalid)>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let editable: Vec<i64> = all
        .iter()
        .map(|o| o.id)
        .filter(|id| user.perms.can_edit_data_of(*id))
        .collect();
    let (fields, org_id, version, errors) = match (submitted, row) {
        (Some((s, inv)), _) => (
            s.fields.clone(),
            s.org_id.clone(),
            s.version,
            error_map(inv),
        ),
        (None, Some(r)) => (
            r.resource()
                .map(|x| ResourceFields::of(&x))
                .unwrap_or_default(),
            r.org_id.to_string(),
            r.version,
            json!({}),
        ),
        (None, None) => (
            ResourceFields {
                sharing: Sharing::Unconditional.code().into(),
                open_type: OpenType::Open.code().into(),
                ..ResourceFields::default()
            },
            String::new(),
            0,
            json!({}),
        ),
    };
    let status = if submitted.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(
        state,
        user,
        "admin/data_form.html",
        "data",
        json!({"row": row.map(|r| json!({"id": r.id, "name": r.name})),
               "f": fields, "org_id": org_id, "version": version, "errors": errors,
               "orgs": org_options(&all, Some(&editable)), "choices": choices()}),
    )?;
    Ok((status, html).into_response())
}

/// GET /admin/data/new
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.editable_orgs().is_none_or(|o| !o.is_empty()))?;
    form_page(&state, &user, None, None).await
}

/// POST /admin/data (urlencoded)
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let s = read_form(&body);
    let org_id: i64 = match s.org_id.trim().parse() {
        Ok(id) => id,
        Err(_) => {
            let inv = Invalid::one("org_id", "请选择资源的提供机构");
            return form_page(&state, &user, None, Some((&s, &inv))).await;
        }
    };
    let resource = match s.fields.validate() {
        Ok(r) => r,
        Err(inv) => return form_page(&state, &user, None, Some((&s, &inv))).await,
    };
    let mut tx = state.db.begin_audited().await?;
    match app::create(&mut tx, &user.caller(), org_id, &resource).await {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/data/{id}?notice=created")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            form_page(&state, &user, None, Some((&s, &inv))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> Result<ResourceRow, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(app::visible(&mut conn, &user.caller(), id).await?)
}

/// GET /admin/data/{id}/edit
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    user.require(user.perms.can_edit_data_of(row.org_id))?;
    form_page(&state, &user, Some(&row), None).await
}

/// POST /admin/data/{id}/edit (urlencoded)
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    let s = read_form(&body);
    let resource = match s.fields.validate() {
        Ok(r) => r,
        Err(inv) => return form_page(&state, &user, Some(&row), Some((&s, &inv))).await,
    };
    let mut tx = state.db.begin_audited().await?;
    match app::edit(&mut tx, &user.caller(), &row, s.version, &resource).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/data/{id}?notice=saved")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            form_page(&state, &user, Some(&row), Some((&s, &inv))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    row: &ResourceRow,
    notice: Option<&str>,
    errors: Option<&Invalid>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let files = data::files(&mut conn, row.id).await?;
    let cadence = cadence_report(&mut conn, Some(std::slice::from_ref(&row.org_id))).await?;
    drop(conn);
    let checks: Value = match cadence.dataset(row.id) {
        Some(d) => json!({"standing": d.standing_label, "due": d.due, "met": d.counts.met,
            "met_late": d.counts.met_late, "missed": d.counts.missed,
            "periods": d.periods.iter().rev().take(24).map(|p| json!({
                "label": p.label, "cadence": p.cadence_label, "due": p.due,
                "status": p.status, "status_label": p.status_label, "explanation": p.explanation,
            })).collect::<Vec<_>>()}),
        None => Value::Null,
    };
    let r = row.resource();
    let (sharing, open) = labels(row);
    let files: Vec<Value> = files
        .iter()
        .map(|f| {
            json!({"id": f.id, "name": f.file_name, "format": f.format.to_uppercase(),
                   "size": f.size, "note": f.note,
                   "at": gongkai_domain::china_time::format_minute(f.uploaded_at)})
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/data_detail.html",
        "data",
        json!({"row": {"id": row.id, "name": row.name, "code": row.code, "org": row.org_name,
                       "published": row.is_published(), "public": row.is_public(),
                       "sharing": sharing, "open": open},
               "r": r.as_ref().map(|r| json!({
                   "summary": r.summary, "sharing_basis": r.sharing_basis,
                   "open_conditions": r.open_conditions, "cadence": cadence_label(r.cadence().as_ref()),
                   "formats": r.formats.iter().map(|f| f.label()).collect::<Vec<_>>(),
                   "items": r.items.iter().map(|i| json!({"name": i.name, "type": i.data_type.label(), "description": i.description})).collect::<Vec<_>>(),
                   "interface": r.interface.as_ref().map(|i| json!({"url": i.url, "method": i.method.label(), "parameters": i.parameters})),
                   "tags": r.tags, "open_data": r.is_open()})),
               "files": files, "checks": checks, "update": update_standing(row, &cadence),
               "may_edit": user.perms.can_edit_data_of(row.org_id),
               "may_publish": user.perms.can_publish_data_of(row.org_id),
               "notice": notice, "errors": errors.map(error_map).unwrap_or(json!({}))}),
    )?;
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// GET /admin/data/{id}
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    detail_page(&state, &user, &row, notice_text(&q.notice), None).await
}

#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    action: String,
}

/// POST /admin/data/{id}/publish (`action` = publish | unpublish)
pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    axum::Form(f): axum::Form<PublishForm>,
) -> Result<Response, AppError> {
    let (publish, notice) = match f.action.as_str() {
        "publish" => (true, "published"),
        "unpublish" => (false, "unpublished"),
        _ => return Err(AppError::BadRequest("未知的操作".into())),
    };
    let mut tx = state.db.begin_audited().await?;
    let caller = user.caller();
    let row = app::visible(&mut tx, &caller, id).await?;
    match app::set_published(&mut tx, &caller, &row, publish).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/data/{id}?notice={notice}")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            detail_page(&state, &user, &row, None, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The largest JSON file whose syntax is checked on upload.
const MAX_JSON_CHECK: usize = 32 * 1024 * 1024;

/// Checks an uploaded dataset file: CSV or XLSX through the attachment checks, JSON by its
/// syntax. Returns the cleaned name and content type.
fn check_file(
    state: &AppState,
    raw_name: &str,
    bytes: &[u8],
    inv: &mut Invalid,
) -> Option<(String, &'static str)> {
    let name = crate::upload::clean_file_name(raw_name);
    match file_format(&name) {
        Some(Format::Json) => {
            if bytes.is_empty() {
                inv.push("file", format!("文件\u{201C}{name}\u{201D}是空文件"));
                return None;
            }
            if bytes.len() > state.config.max_upload_bytes {
                inv.push(
                    "file",
                    format!(
                        "文件\u{201C}{name}\u{201D}超过{}MB的大小限制",
                        state.config.max_upload_bytes / 1024 / 1024
                    ),
                );
                return None;
            }
            if bytes.len() > MAX_JSON_CHECK
                || serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_err()
            {
                inv.push("file", format!("文件\u{201C}{name}\u{201D}不是有效的 JSON"));
                return None;
            }
            Some((name, app::content_type(Format::Json)))
        }
        Some(f @ (Format::Csv | Format::Xlsx)) => {
            let mut sub = Invalid::default();
            let u = crate::upload::check(
                raw_name,
                bytes.to_vec(),
                state.config.max_upload_bytes,
                &mut sub,
            );
            for e in sub.errors {
                inv.push("file", e.message);
            }
            let u = u?;
            if gongkai_extract::table::rows(&u.bytes).is_err() {
                inv.push(
                    "file",
                    format!("文件\u{201C}{}\u{201D}无法读取为表格", u.file_name),
                );
                return None;
            }
            Some((u.file_name, app::content_type(f)))
        }
        _ => {
            inv.push("file", "数据文件只能是 CSV\u{3001}XLSX 或 JSON 格式");
            None
        }
    }
}

/// POST /admin/data/{id}/files (multipart: `file`, `note`): a new file of the dataset.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    user.require(user.perms.can_edit_data_of(row.org_id))?;
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!(
            "提交的表单无法解析\u{FF0C}请重新提交\u{FF08}{}\u{FF09}",
            e.body_text()
        ))
    };
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut note = String::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !name.is_empty() || !bytes.is_empty() {
                    file = Some((name, bytes.to_vec()));
                }
            }
            "note" => note = field.text().await.map_err(bad)?,
            _ => {}
        }
    }
    let mut inv = Invalid::default();
    let Some((raw_name, bytes)) = file else {
        inv.push("file", "请选择要上传的数据文件");
        return detail_page(&state, &user, &row, None, Some(&inv)).await;
    };
    let Some((file_name, content_type)) = check_file(&state, &raw_name, &bytes, &mut inv) else {
        return detail_page(&state, &user, &row, None, Some(&inv)).await;
    };
    let sha256 = state.storage.put(&bytes).await?;
    let stored = StoredFile {
        file_name,
        content_type: content_type.to_string(),
        sha256,
        size: bytes.len() as i64,
        note,
    };
    let mut tx = state.db.begin_audited().await?;
    match app::add_file(&mut tx, &user.caller(), &row, &stored).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/data/{id}?notice=uploaded")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            detail_page(&state, &user, &row, None, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /admin/data/{id}/files/{file_id}
pub async fn file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, file_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    let mut conn = state.db.pool.acquire().await?;
    let f = data::file(&mut conn, row.id, file_id)
        .await?
        .ok_or_else(AppError::not_found)?;
    drop(conn);
    let bytes = state.storage.get(&f.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &f.content_type,
        &f.file_name,
        None,
        Some("private, no-cache"),
    ))
}
