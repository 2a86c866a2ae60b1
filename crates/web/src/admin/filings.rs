//! Filings (报送事项) on the plan page: what has been opened, and for the supervising office
//! (`can_manage_plans`) one form per kind to open them — the implementation plan (实施方案备案,
//! one due date) and the monthly normative-document report (规范性文件月报, a monthly rule) —
//! for the chosen units (by default every member of 市政府各部门 and 各县区政府). Units answer
//! filings as feedback (`admin/feedback.rs`). Rules are `gongkai_domain::filing`, SQL
//! `gongkai_db::filings`.

use super::common::{error_map, org_options};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::filings::{self, FilingSpec};
use gongkai_db::orgs;
use gongkai_domain::Invalid;
use gongkai_domain::filing::{DEFAULT_NTH_WORKING_DAY, DueRule, FilingFields, FilingKind};
use serde_json::json;
use sqlx::AnyConnection;

/// A refused form, re-shown with its errors.
pub struct Refused<'a> {
    pub fields: &'a FilingFields,
    pub errors: &'a Invalid,
}

/// The plan page's filings section: the opened filings and, for supervisors, the forms.
pub(super) async fn section(
    conn: &mut AnyConnection,
    user: &CurrentUser,
    plan_id: i64,
    refused: Option<Refused<'_>>,
) -> Result<serde_json::Value, AppError> {
    let rows: Vec<_> = filings::summary(conn, plan_id)
        .await?
        .into_iter()
        .map(|(kind, label, due, units)| {
            json!({"kind": kind.code(), "kind_label": kind.label(), "label": label, "due_date": due, "units": units})
        })
        .collect();
    let can_open = user.perms.can_manage_plans();
    if !can_open {
        return Ok(json!({"rows": rows, "plan_id": plan_id, "can_open": false}));
    }
    let defaults = filings::default_orgs(conn).await?;
    let all = orgs::all(conn).await?;
    let options = org_options(&all, None);
    let mut forms = Vec::new();
    for kind in FilingKind::OPENED {
        let own = refused.as_ref().filter(|r| {
            FilingKind::from_code(r.fields.kind.trim()).unwrap_or(FilingKind::ImplementationPlan)
                == *kind
        });
        let f = match own {
            Some(r) => r.fields.clone(),
            None => {
                let rule = filings::default_rule(conn, plan_id, *kind).await?;
                FilingFields {
                    kind: kind.code().into(),
                    rule: "nth".into(),
                    due_date: match rule {
                        DueRule::Once { date } => date.to_string(),
                        _ => String::new(),
                    },
                    nth: DEFAULT_NTH_WORKING_DAY.to_string(),
                    day: "10".into(),
                    org_ids: defaults.iter().map(|id| id.to_string()).collect(),
                }
            }
        };
        let opts: Vec<_> = options
            .iter()
            .map(|o| {
                let id = o["id"].as_i64().unwrap_or(0).to_string();
                let mut o = o.clone();
                o["selected"] = json!(f.org_ids.contains(&id));
                o
            })
            .collect();
        // Field ids are prefixed by the kind: both forms are on one page.
        let errors: serde_json::Map<String, serde_json::Value> = own
            .map(|r| error_map(r.errors))
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (format!("{}-{k}", kind.code()), v))
            .collect();
        forms.push(json!({
            "kind": kind.code(), "kind_label": kind.label(),
            "once": *kind == FilingKind::ImplementationPlan,
            "f": f, "errors": errors, "org_options": opts, "default_orgs": defaults.len(),
        }));
    }
    Ok(json!({"rows": rows, "plan_id": plan_id, "can_open": true, "forms": forms}))
}

/// POST /admin/plans/{id}/filings (multipart, for the repeated `org_ids`).
pub async fn open(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(plan_id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_plans() {
        return Err(AppError::forbidden());
    }
    let bad = |e: axum::extract::multipart::MultipartError| {
        AppError::BadRequest(format!(
            "提交的表单无法解析，请重新提交（{}）",
            e.body_text()
        ))
    };
    let mut f = FilingFields::default();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let key = field.name().unwrap_or("").to_string();
        let value = field.text().await.map_err(bad)?;
        match key.as_str() {
            "kind" => f.kind = value,
            "rule" => f.rule = value,
            "due_date" => f.due_date = value,
            "nth" => f.nth = value,
            "day" => f.day = value,
            "org_ids" => f.org_ids.push(value),
            _ => {}
        }
    }
    let choice = match f.validate() {
        Ok(c) => c,
        Err(inv) => return refuse(&state, &user, plan_id, &f, &inv).await,
    };
    let spec = FilingSpec {
        kind: choice.kind,
        org_ids: Some(choice.org_ids),
        rule: Some(choice.rule),
    };
    let mut tx = state.db.begin_audited().await?;
    match gongkai_app::filings::open(&mut tx, &user.caller(), plan_id, &spec).await {
        Ok(opened) => {
            // Opening again what is already open writes nothing, so there is nothing to audit.
            if opened.created > 0 {
                tx.commit().await?;
            }
            let notice = if opened.created > 0 {
                "filings_opened"
            } else {
                "filings_unchanged"
            };
            Ok(Redirect::to(&format!("/admin/plans/{plan_id}?notice={notice}")).into_response())
        }
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            refuse(&state, &user, plan_id, &f, &inv).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refuse(
    state: &AppState,
    user: &CurrentUser,
    plan_id: i64,
    fields: &FilingFields,
    errors: &Invalid,
) -> Result<Response, AppError> {
    super::plans::render_view(
        state,
        user,
        plan_id,
        Some(Refused { fields, errors }),
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}
