//! The back office `/admin`: sign-in, item editor, site structure, users, audit log, settings.
//! Cross-site POSTs are refused by middleware; each handler also checks its form's CSRF token.

mod annual_report;
mod applications;
mod assessment;
mod calendar;
mod common;
mod events;
mod feedback;
mod filings;
pub(crate) mod guard;
mod interpretations;
mod items;
mod login;
mod meetings;
mod messages;
mod notice;
mod notifications;
mod opinion;
mod people;
mod plans;
mod proposals;
mod site;
mod supervision;
mod upload;
pub(crate) mod workflow;

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::logout))
        .route("/items", get(items::list).post(items::create))
        .route("/items/new", get(items::new_form))
        .route(
            "/items/{id}/edit",
            get(items::edit_form).post(items::update),
        )
        .route("/items/{id}/publish", post(items::publish))
        .route("/items/{id}/guard/mask", post(guard::mask))
        .route("/guard", get(guard::scan_page))
        .route(
            "/guard/lists",
            get(guard::lists_form).post(guard::lists_save),
        )
        .route(
            "/items/{id}/attachments/{attachment_id}/delete",
            post(items::delete_attachment),
        )
        .route(
            "/columns",
            get(site::columns_list).post(site::column_create),
        )
        .route("/columns/new", get(site::column_new))
        .route(
            "/columns/{id}",
            get(site::column_edit).post(site::column_update),
        )
        .route("/orgs", get(site::orgs_list).post(site::org_create))
        .route("/orgs/new", get(site::org_new))
        .route("/orgs/{id}", get(site::org_edit).post(site::org_update))
        .route(
            "/settings",
            get(site::settings_form).post(site::settings_save),
        )
        .route("/users", get(people::list).post(people::create))
        .route("/users/new", get(people::new_form))
        .route("/users/{id}", get(people::detail))
        .route("/users/{id}/grants", post(people::grant))
        .route("/users/{id}/grants/{grant_id}/delete", post(people::revoke))
        .route("/users/{id}/active", post(people::set_active))
        .route("/users/{id}/password", post(people::reset_password))
        .route("/account", get(people::account))
        .route("/account/password", post(people::change_password))
        .route("/account/email", post(people::change_email))
        .route("/account/tokens", post(people::create_token))
        .route("/account/tokens/{id}/revoke", post(people::revoke_token))
        .route("/audit", get(people::audit_log))
        .route("/supervision", get(supervision::board))
        .route("/supervision/periods", get(supervision::periods))
        .route("/supervision/interpretations", get(interpretations::page))
        .route("/supervision/notice", get(notice::page))
        .route("/supervision/notice.xlsx", get(notice::xlsx_file))
        .route("/supervision/notice.docx", get(notice::docx_file))
        .route("/supervision/notice/publish", post(notice::publish))
        .route("/supervision/tree", get(supervision::tree))
        .route("/events", get(events::list).post(events::record))
        .route("/events/{id}/delete", post(events::delete))
        .route("/assessment", get(assessment::ranking))
        .route("/assessment.csv", get(assessment::csv))
        .route("/assessment/units/{org_id}", get(assessment::unit))
        .route(
            "/assessment/scheme",
            get(assessment::scheme_form).post(assessment::scheme_save),
        )
        .route("/plans", get(plans::index))
        .route(
            "/plans/import",
            get(plans::import_new).post(plans::import_create),
        )
        .route("/plans/imports/{id}", get(plans::review))
        .route("/plans/imports/{id}/confirm", post(plans::confirm))
        .route("/plans/imports/{id}/edit", post(plans::edit))
        .route("/plans/imports/{id}/discard", post(plans::discard))
        .route("/plans/{id}", get(plans::view))
        .route(
            "/plans/{id}/duties/{duty_id}/column",
            post(plans::set_obligation_column),
        )
        .route("/plans/{id}/filings", post(filings::open))
        .route("/feedback", get(feedback::list))
        .route("/feedback/{id}", get(feedback::detail))
        .route("/feedback/{id}/submit", post(feedback::submit))
        .route("/feedback/{id}/review", post(feedback::review))
        .route(
            "/feedback/{id}/attachments/{attachment_id}",
            get(feedback::attachment),
        )
        .route("/calendar", get(calendar::list).post(calendar::create))
        .route(
            "/calendar/{date}",
            get(calendar::edit_form).post(calendar::update),
        )
        .route("/calendar/{date}/delete", post(calendar::delete))
        .route("/notifications", get(notifications::list))
        .route(
            "/notifications/read-all",
            post(notifications::mark_all_read),
        )
        .route("/notifications/{id}/read", post(notifications::mark_read))
        .route("/proposals", get(proposals::list).post(proposals::assign))
        .route("/proposals/new", get(proposals::new_form))
        .route("/proposals/{id}", get(proposals::detail))
        .route("/proposals/{id}/{step}", post(proposals::step))
        .route("/meetings", get(meetings::list).post(meetings::create))
        .route("/meetings/{id}", get(meetings::detail))
        .route("/meetings/{id}/held", post(meetings::held))
        .route("/meetings/applications/{id}/decide", post(meetings::decide))
        .route("/messages", get(messages::list))
        .route("/messages/settings", post(messages::save_limit))
        .route("/messages/{id}", get(messages::detail))
        .route("/messages/{id}/assign", post(messages::assign))
        .route("/messages/{id}/reply", post(messages::reply))
        .route("/messages/{id}/publish", post(messages::publish))
        .route("/messages/{id}/close", post(messages::close))
        .route("/opinion", get(opinion::list).post(opinion::register))
        .route("/opinion/{id}", get(opinion::detail))
        .route("/opinion/{id}/releases", post(opinion::record_release))
        .route(
            "/applications",
            get(applications::queue).post(applications::register),
        )
        .route("/applications/new", get(applications::new_form))
        .route(
            "/applications/templates",
            get(applications::templates).post(applications::save_template),
        )
        .route(
            "/annual-report",
            get(annual_report::page).post(annual_report::save),
        )
        .route("/annual-report/publish", post(annual_report::publish))
        .route("/annual-report.xlsx", get(annual_report::xlsx))
        .route("/annual-report.docx", get(annual_report::docx))
        .route("/applications/{id}", get(applications::detail))
        .route("/applications/{id}/action", post(applications::action))
        .route(
            "/applications/{id}/letters/{kind}",
            get(applications::letter),
        )
        .route("/items/{id}/workflow", post(workflow::act))
        .route("/reviews", get(workflow::queue_page))
        .route("/review-levels", get(workflow::levels_page))
        .route("/review-levels/{org_id}", post(workflow::levels_save))
        .layer(axum::middleware::from_fn(crate::auth::reject_cross_site))
}

async fn dashboard(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let scope = user.perms.viewable_orgs();
    let mut conn = state.db.pool.acquire().await?;
    let counts: serde_json::Map<String, serde_json::Value> =
        gongkai_db::items::count_by_status(&mut conn, scope.as_deref())
            .await?
            .into_iter()
            .map(|(k, v)| (k, json!(v)))
            .collect();
    let post_review = gongkai_db::workflow::post_review_counts(&mut conn, scope.as_deref()).await?;
    let post_pending: i64 = post_review.iter().map(|c| c.pending).sum();
    let post_total: i64 = post_review.iter().map(|c| c.total).sum();
    let all = gongkai_db::orgs::all(&mut conn).await?;
    let my_orgs: Vec<String> = user
        .grants
        .iter()
        .filter_map(|g| g.org_id)
        .filter_map(|id| all.iter().find(|o| o.id == id).map(|o| o.name.clone()))
        .collect();
    Ok(common::render(
        &state,
        &user,
        "admin/dashboard.html",
        "dashboard",
        json!({
            "counts": counts, "my_orgs": my_orgs,
            "post_review": post_review, "post_pending": post_pending, "post_total": post_total,
            "can_create": user.perms.editable_orgs().is_none_or(|o| !o.is_empty()),
        }),
    )?
    .into_response())
}
