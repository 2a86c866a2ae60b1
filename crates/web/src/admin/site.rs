//! Site structure for system administrators: columns, organisations, settings.

use super::common::{AdminForm, column_rows, error_map, notice_text, org_options, render};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::columns::{self, ColumnFields};
use gongkai_db::orgs::{self, OrgFields};
use gongkai_db::settings;
use gongkai_domain::Invalid;
use gongkai_domain::index_no::IndexPattern;
use gongkai_domain::model::{ColumnKind, OrgKind};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

// ---- columns ----

pub async fn columns_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mut conn = state.db.pool.acquire().await?;
    let site = columns::default_site(&mut conn).await?;
    let cols = columns::all(&mut conn, site.id).await?;
    Ok(render(
        &state,
        &user,
        "admin/columns.html",
        "columns",
        json!({
            "rows": column_rows(&cols), "site": site, "notice": notice_text(q.notice.as_deref()),
        }),
    )?
    .into_response())
}

async fn column_form(
    state: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
    f: &ColumnFields,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let site = columns::default_site(&mut conn).await?;
    let cols = columns::all(&mut conn, site.id).await?;
    let html = render(
        state,
        user,
        "admin/column_form.html",
        "columns",
        json!({
            "id": id, "f": f, "errors": errors.map(error_map).unwrap_or(json!({})),
            "parents": column_rows(&cols).into_iter().filter(|c| Some(c["id"].as_i64().unwrap_or(0)) != id).collect::<Vec<_>>(),
            "kinds": ColumnKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect::<Vec<_>>(),
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct ColumnSubmit {
    #[serde(flatten)]
    fields: ColumnFields,
}

pub async fn column_new(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    column_form(
        &state,
        &user,
        None,
        &ColumnFields {
            kind: "news".into(),
            ..Default::default()
        },
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn column_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mut conn = state.db.pool.acquire().await?;
    let c = columns::get(&mut conn, id).await?;
    drop(conn);
    let f = ColumnFields {
        name: c.name,
        slug: c.slug,
        kind: c.kind,
        parent_id: c.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        description: c.description,
        sort_order: c.sort_order.to_string(),
        on_home: if c.on_home == 1 {
            "1".into()
        } else {
            String::new()
        },
    };
    column_form(&state, &user, Some(id), &f, None, StatusCode::OK).await
}

pub async fn column_create(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(s): AdminForm<ColumnSubmit>,
) -> Result<Response, AppError> {
    column_save(state, user, None, s).await
}

pub async fn column_update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(s): AdminForm<ColumnSubmit>,
) -> Result<Response, AppError> {
    column_save(state, user, Some(id), s).await
}

async fn column_save(
    state: AppState,
    user: CurrentUser,
    id: Option<i64>,
    s: ColumnSubmit,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let input = match s.fields.validate() {
        Ok(i) => i,
        Err(e) => {
            return column_form(
                &state,
                &user,
                id,
                &s.fields,
                Some(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let result = gongkai_app::site::save_column(&mut tx, &user.caller(), id, &input).await;
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!(
                "/admin/columns?notice={}",
                if id.is_some() { "saved" } else { "created" }
            ))
            .into_response())
        }
        Err(gongkai_app::Refusal::Invalid(e)) => {
            drop(tx);
            column_form(
                &state,
                &user,
                id,
                &s.fields,
                Some(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- organisations ----

pub async fn orgs_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    let rows: Vec<_> = org_options(&all, None)
        .into_iter()
        .map(|mut o| {
            if let Some(org) = all.iter().find(|x| json!(x.id) == o["id"]) {
                o["code"] = json!(org.code);
                o["kind_label"] = json!(org.kind_label());
                o["credit_code"] = json!(org.credit_code);
            }
            o
        })
        .collect();
    Ok(render(
        &state,
        &user,
        "admin/orgs.html",
        "orgs",
        json!({"rows": rows, "notice": notice_text(q.notice.as_deref())}),
    )?
    .into_response())
}

async fn org_form(
    state: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
    f: &OrgFields,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    let excluded = id.map(|i| orgs::subtree(&all, i)).unwrap_or_default();
    let parents: Vec<_> = org_options(&all, None)
        .into_iter()
        .filter(|o| !excluded.iter().any(|e| json!(e) == o["id"]))
        .collect();
    let html = render(
        state,
        user,
        "admin/org_form.html",
        "orgs",
        json!({
            "id": id, "f": f, "errors": errors.map(error_map).unwrap_or(json!({})), "parents": parents,
            "kinds": OrgKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect::<Vec<_>>(),
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize)]
pub struct OrgSubmit {
    #[serde(flatten)]
    fields: OrgFields,
}

pub async fn org_new(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    org_form(
        &state,
        &user,
        None,
        &OrgFields {
            kind: "department".into(),
            ..Default::default()
        },
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn org_edit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mut conn = state.db.pool.acquire().await?;
    let o = orgs::get(&mut conn, id).await?;
    let aliases = orgs::aliases_of(&mut conn, id).await?;
    drop(conn);
    let f = OrgFields {
        name: o.name,
        code: o.code,
        kind: o.kind,
        parent_id: o.parent_id.map(|p| p.to_string()).unwrap_or_default(),
        credit_code: o.credit_code.unwrap_or_default(),
        description: o.description,
        aliases: aliases.join("、"),
        sort_order: o.sort_order.to_string(),
    };
    org_form(&state, &user, Some(id), &f, None, StatusCode::OK).await
}

pub async fn org_create(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(s): AdminForm<OrgSubmit>,
) -> Result<Response, AppError> {
    org_save(state, user, None, s).await
}

pub async fn org_update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(s): AdminForm<OrgSubmit>,
) -> Result<Response, AppError> {
    org_save(state, user, Some(id), s).await
}

async fn org_save(
    state: AppState,
    user: CurrentUser,
    id: Option<i64>,
    s: OrgSubmit,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let input = match s.fields.validate() {
        Ok(i) => i,
        Err(e) => {
            return org_form(
                &state,
                &user,
                id,
                &s.fields,
                Some(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let result = gongkai_app::site::save_org(&mut tx, &user.caller(), id, &input).await;
    match result {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!(
                "/admin/orgs?notice={}",
                if id.is_some() { "saved" } else { "created" }
            ))
            .into_response())
        }
        Err(gongkai_app::Refusal::Invalid(e)) => {
            drop(tx);
            org_form(
                &state,
                &user,
                id,
                &s.fields,
                Some(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

// ---- settings ----

async fn settings_page(
    state: &AppState,
    user: &CurrentUser,
    values: (&str, &str),
    errors: Option<&Invalid>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (pattern, interpretation_limit) = values;
    let html = render(
        state,
        user,
        "admin/settings.html",
        "settings",
        json!({
            "index_pattern": pattern, "interpretation_limit": interpretation_limit,
            "errors": errors.map(error_map).unwrap_or(json!({})),
            "notice": notice_text(notice), "default_pattern": gongkai_domain::index_no::DEFAULT_PATTERN,
            "default_interpretation_limit": gongkai_domain::interpretation::DEFAULT_LIMIT_WORKING_DAYS,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn settings_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let mut conn = state.db.pool.acquire().await?;
    let pattern = settings::index_pattern(&mut conn).await?;
    let limit = settings::interpretation_limit(&mut conn).await?.to_string();
    drop(conn);
    settings_page(
        &state,
        &user,
        (pattern.as_str(), &limit),
        None,
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct SettingsSubmit {
    #[serde(default)]
    index_pattern: String,
    /// Absent from older clients' forms: the stored limit is then left as it is.
    #[serde(default)]
    interpretation_limit: Option<String>,
}

pub async fn settings_save(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(s): AdminForm<SettingsSubmit>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let pattern = IndexPattern::parse(&s.index_pattern);
    let limit = s
        .interpretation_limit
        .as_deref()
        .map(gongkai_domain::interpretation::parse_limit)
        .transpose();
    let (pattern, limit) = match (pattern, limit) {
        (Ok(p), Ok(l)) => (p, l),
        (p, l) => {
            let mut inv = Invalid::default();
            for e in [p.err(), l.err()].into_iter().flatten() {
                inv.errors.extend(e.errors);
            }
            return settings_page(
                &state,
                &user,
                (
                    &s.index_pattern,
                    s.interpretation_limit.as_deref().unwrap_or_default(),
                ),
                Some(&inv),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::site::save_settings(&mut tx, &user.caller(), &pattern, limit).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/settings?notice=saved").into_response())
}
