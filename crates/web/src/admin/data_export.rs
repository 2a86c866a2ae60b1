//! The data-resource catalogue exported as offices exchange it (`/admin/data/export.xlsx`,
//! `/admin/data/export.json`): every resource of the organisations the user sees, published or
//! not, one row (or object) each under the catalogue's base elements
//! (`gongkai_domain::data::EXPORT_COLUMNS`, `CatalogueEntry`; the JSON is documented in
//! `docs/data-catalogue-export.md`). The public list of open datasets is `/sjkf.json`.

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::State;
use axum::response::Response;
use gongkai_db::data::{self, ResourceRow};
use gongkai_domain::data::{CatalogueEntry, EXPORT_COLUMNS};
use serde_json::json;

async fn visible_entries(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<CatalogueEntry>, AppError> {
    let scope = user.perms.viewable_orgs();
    user.require(scope.as_ref().is_none_or(|s| !s.is_empty()))?;
    let mut conn = state.db.pool.acquire().await?;
    let rows = data::list(&mut conn, scope.as_deref()).await?;
    Ok(rows
        .iter()
        .filter_map(ResourceRow::catalogue_entry)
        .collect())
}

/// The workbook: one sheet 信息资源目录 , the Chinese headers in the first row.
fn workbook(entries: &[CatalogueEntry]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("信息资源目录")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in EXPORT_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (r, e) in entries.iter().enumerate() {
        for (c, v) in e.cells().iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    book.save_to_buffer()
}

/// GET /admin/data/export.xlsx
pub async fn export_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let entries = visible_entries(&state, &user).await?;
    let bytes = workbook(&entries).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::download::file(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "信息资源目录.xlsx",
        Some("data-catalogue.xlsx"),
        Some("private, no-cache"),
    ))
}

/// GET /admin/data/export.json
pub async fn export_json(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let entries = visible_entries(&state, &user).await?;
    let body = serde_json::to_vec_pretty(&json!({"version": 1, "datasets": entries}))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(crate::download::file(
        body,
        "application/json; charset=utf-8",
        "信息资源目录.json",
        Some("data-catalogue.json"),
        Some("private, no-cache"),
    ))
}
