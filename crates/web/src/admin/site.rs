//! Site structure for system administrators: columns, organisations, settings.

use super::common::{
    AdminForm, column_rows, commit_unless_invalid, error_map, notice_text, org_options,
    redirect_saved, render,
};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::{Caller, Outcome};
use gongkai_db::columns::{self, ColumnFields, ColumnInput};
use gongkai_db::orgs::{self, OrgFields, OrgInput};
use gongkai_db::settings;
use gongkai_domain::Invalid;
use gongkai_domain::index_no::IndexPattern;
use gongkai_domain::model::{ColumnKind, OrgKind};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sqlx::AnyConnection;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

// ---- the forms of columns and organisations ----

/// A site record edited through a form (a column or an organisation) and what its handlers need.
pub trait SiteRecord: Serialize + DeserializeOwned + Send + Sync + Sized {
    type Input: Send + Sync;
    /// The list a saved form returns to.
    const LIST: &'static str;
    /// The form's template.
    const TEMPLATE: &'static str;
    /// The navigation entry the form stands under.
    const NAV: &'static str;
    /// What a new record's form starts with.
    fn blank() -> Self;
    fn checked(&self) -> Result<Self::Input, Invalid>;
    fn save(
        tx: &mut AnyConnection,
        caller: &Caller<'_>,
        id: Option<i64>,
        input: &Self::Input,
    ) -> impl Future<Output = Outcome<()>> + Send;
    /// What the form offers to choose from (`parents`, `kinds`) when editing record `id`.
    fn choices(
        state: &AppState,
        id: Option<i64>,
    ) -> impl Future<Output = Result<Value, AppError>> + Send;
}

#[derive(Deserialize)]
#[serde(bound = "R: DeserializeOwned")]
pub struct Submit<R> {
    #[serde(flatten)]
    fields: R,
}

/// The form of a new record (`id` none) or of record `id`, filled with `fields`.
async fn form_page<R: SiteRecord>(
    state: &AppState,
    user: &CurrentUser,
    id: Option<i64>,
    fields: &R,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut context = R::choices(state, id).await?;
    context["id"] = json!(id);
    context["f"] = json!(fields);
    context["errors"] = errors.map(error_map).unwrap_or(json!({}));
    let html = render(state, user, R::TEMPLATE, R::NAV, context)?;
    Ok((status, html).into_response())
}

/// A new record's form.
pub async fn new_form<R: SiteRecord>(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    form_page(&state, &user, None, &R::blank(), None, StatusCode::OK).await
}

/// `POST` of a new record's form.
pub async fn create<R: SiteRecord>(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(s): AdminForm<Submit<R>>,
) -> Result<Response, AppError> {
    save(state, user, None, s.fields).await
}

/// `POST` of an existing record's form.
pub async fn update<R: SiteRecord>(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(s): AdminForm<Submit<R>>,
) -> Result<Response, AppError> {
    save(state, user, Some(id), s.fields).await
}

async fn save<R: SiteRecord>(
    state: AppState,
    user: CurrentUser,
    id: Option<i64>,
    fields: R,
) -> Result<Response, AppError> {
    user.require(user.perms.can_manage_site())?;
    let saved = match fields.checked() {
        Ok(input) => {
            let mut tx = state.db.begin_audited().await?;
            let outcome = R::save(&mut tx, &user.caller(), id, &input).await;
            commit_unless_invalid(tx, outcome).await?
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(redirect_saved(R::LIST, id)),
        Err(e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(&state, &user, id, &fields, Some(&e), status).await
        }
    }
}

impl SiteRecord for ColumnFields {
    type Input = ColumnInput;
    const LIST: &'static str = "/admin/columns";
    const TEMPLATE: &'static str = "admin/column_form.html";
    const NAV: &'static str = "columns";

    async fn choices(state: &AppState, id: Option<i64>) -> Result<Value, AppError> {
        let mut conn = state.db.pool.acquire().await?;
        let site = columns::default_site(&mut conn).await?;
        let cols = columns::all(&mut conn, site.id).await?;
        Ok(json!({
            "parents": column_rows(&cols).into_iter().filter(|c| Some(c["id"].as_i64().unwrap_or(0)) != id).collect::<Vec<_>>(),
            "kinds": ColumnKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect::<Vec<_>>(),
        }))
    }

    fn blank() -> Self {
        ColumnFields {
            kind: "news".into(),
            ..Default::default()
        }
    }

    fn checked(&self) -> Result<ColumnInput, Invalid> {
        self.validate()
    }

    async fn save(
        tx: &mut AnyConnection,
        caller: &Caller<'_>,
        id: Option<i64>,
        input: &ColumnInput,
    ) -> Outcome<()> {
        gongkai_app::site::save_column(tx, caller, id, input).await
    }
}

impl SiteRecord for OrgFields {
    type Input = OrgInput;
    const LIST: &'static str = "/admin/orgs";
    const TEMPLATE: &'static str = "admin/org_form.html";
    const NAV: &'static str = "orgs";

    async fn choices(state: &AppState, id: Option<i64>) -> Result<Value, AppError> {
        let mut conn = state.db.pool.acquire().await?;
        let all = orgs::all(&mut conn).await?;
        let excluded = id.map(|i| orgs::subtree(&all, i)).unwrap_or_default();
        let parents: Vec<_> = org_options(&all, None)
            .into_iter()
            .filter(|o| !excluded.iter().any(|e| json!(e) == o["id"]))
            .collect();
        Ok(json!({
            "parents": parents,
            "kinds": OrgKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect::<Vec<_>>(),
        }))
    }

    fn blank() -> Self {
        OrgFields {
            kind: "department".into(),
            ..Default::default()
        }
    }

    fn checked(&self) -> Result<OrgInput, Invalid> {
        self.validate()
    }

    async fn save(
        tx: &mut AnyConnection,
        caller: &Caller<'_>,
        id: Option<i64>,
        input: &OrgInput,
    ) -> Outcome<()> {
        gongkai_app::site::save_org(tx, caller, id, input).await
    }
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
    form_page(&state, &user, Some(id), &f, None, StatusCode::OK).await
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
    form_page(&state, &user, Some(id), &f, None, StatusCode::OK).await
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
