//! The letters of a case in the back office: the preview of a letter due （the filled text and
//! the 文号 it will take） and issuing it （stored for good）； also the organisation's letter settings
//! on the templates page. Handlers of the organisation only; everything through
//! `gongkai_app::application_letters`.

use super::applications::{load_for, templates_page};
use super::common::{AdminForm, render};
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::application_letters as app_letters;
use gongkai_db::application_letters as db_letters;
use gongkai_db::applications::ApplicationRow;
use gongkai_domain::application::letter::{LetterKind, Settings};
use serde::Deserialize;
use serde_json::json;

async fn preview_page(
    state: &AppState,
    user: &CurrentUser,
    row: &ApplicationRow,
    kind: LetterKind,
    error: Option<String>,
) -> Result<Response, AppError> {
    let id = row.id;
    let mut conn = state.db.pool.acquire().await?;
    let issued = db_letters::issued(&mut conn, id)
        .await?
        .into_iter()
        .find(|l| l.kind() == Some(kind));
    let (letter, missing, issued_info) = match &issued {
        Some(l) => (
            l.letter(),
            Vec::new(),
            Some(json!({"issued_on": l.issued_on, "by": l.issued_by_name})),
        ),
        None => {
            let d = app_letters::preview(
                &mut conn,
                &user.caller(),
                row,
                kind,
                gongkai_db::china_today(),
            )
            .await?;
            (d.letter, d.missing, None)
        }
    };
    drop(conn);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(
        state,
        user,
        "admin/application_letter.html",
        "applications",
        json!({
            "app": {"id": row.id, "tracking_code": row.tracking_code, "org_id": row.org_id},
            "kind": {"code": kind.code(), "label": kind.label()},
            "letter": letter, "missing": missing, "issued": issued_info, "error": error,
        }),
    )?;
    Ok((status, html).into_response())
}

/// GET `/admin/applications/{id}/letters/{kind}/preview`.
pub async fn preview(
    State(state): State<AppState>,
    Visible { user, record }: Visible<ApplicationRow>,
    Path((_, kind)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let kind = LetterKind::from_code(&kind).ok_or_else(AppError::not_found)?;
    preview_page(&state, &user, &record, kind, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IssueForm {}

/// POST `/admin/applications/{id}/letters/{kind}/issue`: assigns the 文号 and stores the letter.
pub async fn issue(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, kind)): Path<(i64, String)>,
    AdminForm(_f): AdminForm<IssueForm>,
) -> Result<Response, AppError> {
    let kind = LetterKind::from_code(&kind).ok_or_else(AppError::not_found)?;
    let mut tx = state.db.begin_audited().await?;
    let row = load_for(&mut tx, &user, id).await?;
    match app_letters::issue(
        &mut tx,
        &user.caller(),
        &row,
        kind,
        gongkai_db::china_today(),
    )
    .await
    {
        Ok(_) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return preview_page(&state, &user, &row, kind, Some(inv.summary())).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/applications/{id}?notice=issued")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SettingsForm {
    org_id: String,
    full_name: String,
    doc_prefix: String,
    review_body: String,
    court: String,
    payment: String,
    phone: String,
}

/// POST `/admin/applications/templates/settings`: the organisation's letter settings.
pub async fn save_settings(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<SettingsForm>,
) -> Result<Response, AppError> {
    let org_id: i64 = f
        .org_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("机构无效".into()))?;
    let settings = Settings {
        full_name: f.full_name,
        doc_prefix: f.doc_prefix,
        review_body: f.review_body,
        court: f.court,
        payment: f.payment,
        phone: f.phone,
    };
    let mut tx = state.db.begin_audited().await?;
    match app_letters::set_settings(&mut tx, &user.caller(), org_id, settings.clone()).await {
        Ok(_) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return templates_page(
                &state,
                &user,
                &org_id.to_string(),
                None,
                None,
                Some((settings, inv.summary())),
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/applications/templates?org={org_id}&notice=settings"
    ))
    .into_response())
}
