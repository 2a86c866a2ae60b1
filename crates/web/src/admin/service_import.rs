//! Import and export of the catalogue （事项目录） as offices exchange it: an XLSX or CSV table
//! uploaded, then a review screen showing the column mapping (changeable) and every row's
//! result, then applied in one transaction or not at all; export as XLSX (the same columns, so
//! it imports again) and JSON. Rules: `gongkai_domain::service::table`; use cases:
//! `gongkai_app::services::import`.

use super::common::{org_options, render};
use crate::auth::CurrentUser;
use crate::error::error_map;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::services::import as app_import;
use gongkai_db::{orgs, services};
use gongkai_domain::Invalid;
use gongkai_domain::service::table::{self, COLUMNS};
use serde_json::{Value, json};

fn editable_orgs(user: &CurrentUser, all: &[gongkai_db::orgs::Org]) -> Vec<i64> {
    all.iter()
        .map(|o| o.id)
        .filter(|id| user.perms.can_edit_services_of(*id))
        .collect()
}

async fn upload_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Option<&Invalid>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let editable = editable_orgs(user, &all);
    user.require(!editable.is_empty())?;
    let columns: Vec<Value> = COLUMNS
        .iter()
        .map(|(_, h, other)| json!({"header": h, "other": other}))
        .collect();
    let html = render(
        state,
        user,
        "admin/service_import.html",
        "services",
        json!({"orgs": org_options(&all, Some(&editable)), "columns": columns,
               "errors": errors.map(error_map)}),
    )?;
    let status = if errors.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// GET /admin/services/import
pub async fn upload_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    upload_page(&state, &user, None).await
}

/// POST /admin/services/import (multipart: `org_id`, `file`)
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!("提交的表单无法解析\u{FF1A}{}", e.body_text()))
    };
    let (mut org_id, mut file) = (String::new(), None);
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        match field.name().unwrap_or("") {
            "org_id" => org_id = field.text().await.map_err(bad)?,
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !bytes.is_empty() {
                    file = Some((name, bytes.to_vec()));
                }
            }
            _ => {}
        }
    }
    let Ok(org_id) = org_id.trim().parse::<i64>() else {
        return upload_page(
            &state,
            &user,
            Some(&Invalid::one("org_id", "请选择事项所属机构")),
        )
        .await;
    };
    let Some((name, bytes)) = file else {
        return upload_page(
            &state,
            &user,
            Some(&Invalid::one("file", "请选择要导入的表格文件")),
        )
        .await;
    };
    let name = crate::upload::clean_file_name(&name);
    let mut tx = state.db.begin_audited().await?;
    match app_import::upload(&mut tx, &user.caller(), org_id, &name, &bytes).await {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/services/import/{id}")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            upload_page(&state, &user, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The mapping posted or asked for: `map_<column>` = field code.
fn mapping_of(
    pairs: &[(String, String)],
    columns: usize,
) -> Option<Result<Vec<Option<&'static str>>, String>> {
    if !pairs.iter().any(|(k, _)| k.starts_with("map_")) {
        return None;
    }
    let mut raw: Vec<Option<String>> = vec![None; columns];
    for (k, v) in pairs {
        if let Some(n) = k.strip_prefix("map_").and_then(|n| n.parse::<usize>().ok())
            && n < columns
        {
            raw[n] = Some(v.clone());
        }
    }
    Some(table::check_mapping(&raw))
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    pairs: &[(String, String)],
    refused: Option<&Invalid>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let imp = app_import::own(&mut conn, &user.caller(), id).await?;
    let org = orgs::get(&mut conn, imp.org_id).await?;
    drop(conn);
    let width = imp.rows().first().map_or(0, Vec::len);
    let (mapping, mapping_error) = match mapping_of(pairs, width) {
        Some(Ok(m)) => (Some(m), None),
        Some(Err(e)) => (None, Some(e)),
        None => (None, None),
    };
    let p = app_import::preview(&imp, mapping);
    let fields: Vec<Value> = COLUMNS
        .iter()
        .map(|(c, h, _)| json!({"code": c, "label": h}))
        .collect();
    let headers: Vec<Value> = p
        .headers
        .iter()
        .zip(&p.mapping)
        .enumerate()
        .map(|(i, (h, m))| json!({"n": i, "header": h, "field": m}))
        .collect();
    let bad = p.rows.iter().filter(|r| r.outcome.is_err()).count();
    let rows: Vec<Value> = p
        .rows
        .iter()
        .take(500)
        .map(|r| match &r.outcome {
            Ok((level, g)) => json!({"row": r.row, "ok": true, "name": g.name, "level": level.label(),
                                     "code": g.code, "materials": g.materials.len(), "steps": g.steps.len()}),
            Err(m) => json!({"row": r.row, "ok": false, "messages": m}),
        })
        .collect();
    let failed = refused.is_some() || mapping_error.is_some();
    let html = render(
        state,
        user,
        "admin/service_import_review.html",
        "services",
        json!({"id": id, "file_name": imp.file_name, "org": org.name, "headers": headers, "fields": fields,
               "rows": rows, "total": p.rows.len(), "bad": bad, "mapping_error": mapping_error,
               "errors": refused.map(|i| i.errors.iter().map(|e| e.message.clone()).collect::<Vec<_>>())}),
    )?;
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// GET /admin/services/import/{id}[?map_0=…]: the review screen.
pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Result<Response, AppError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    review_page(&state, &user, id, &pairs, None).await
}

/// POST /admin/services/import/{id}: applies the import under the posted mapping.
pub async fn apply(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let mut tx = state.db.begin_audited().await?;
    let caller = user.caller();
    let imp = app_import::own(&mut tx, &caller, id).await?;
    let width = imp.rows().first().map_or(0, Vec::len);
    let mapping = match mapping_of(&pairs, width) {
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            drop(tx);
            return review_page(&state, &user, id, &pairs, Some(&Invalid::one("mapping", e))).await;
        }
        None => app_import::preview(&imp, None).mapping,
    };
    match app_import::apply(&mut tx, &caller, &imp, mapping).await {
        Ok(_) => {
            tx.commit().await?;
            super::refresh_statistics_soon(&state.db);
            Ok(Redirect::to("/admin/services?notice=imported").into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            review_page(&state, &user, id, &pairs, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn visible_rows(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<services::ServiceRow>, AppError> {
    let scope = user.perms.viewable_orgs();
    user.require(scope.as_ref().is_none_or(|s| !s.is_empty()))?;
    let mut conn = state.db.pool.acquire().await?;
    Ok(services::list(&mut conn, scope.as_deref()).await?)
}

/// GET /admin/services/export.xlsx: the catalogue the user sees (working versions), one row per
/// item under the import's columns plus the organisation.
pub async fn export_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let rows = visible_rows(&state, &user).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    for (c, (_, h, _)) in COLUMNS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).map_err(err)?;
    }
    sheet
        .write_string(0, COLUMNS.len() as u16, "所属机构")
        .map_err(err)?;
    for (r, row) in rows.iter().enumerate() {
        let cells = table::row_of(row.level(), &row.guide());
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
        }
        sheet
            .write_string(r as u32 + 1, COLUMNS.len() as u16, &row.org_name)
            .map_err(err)?;
    }
    let bytes = book.save_to_buffer().map_err(err)?;
    Ok(crate::download::file(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "事项目录.xlsx",
        Some("service-catalogue.xlsx"),
        Some("private, no-cache"),
    ))
}

/// GET /admin/services/export.json: the catalogue the user sees, each item with its working
/// guide, state and live version number.
pub async fn export_json(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let rows = visible_rows(&state, &user).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| json!({"id": r.id, "org_id": r.org_id, "org": r.org_name, "level": r.level.clone(),
                        "status": r.status.clone(), "public": r.is_public(), "live_version": r.live_version,
                        "guide": r.guide()}))
        .collect();
    let body = serde_json::to_vec_pretty(&json!({"items": items}))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::download::file(
        body,
        "application/json; charset=utf-8",
        "事项目录.json",
        Some("service-catalogue.json"),
        Some("private, no-cache"),
    ))
}
