//! The back office `/admin`: sign-in, item editor, site structure, users, audit log, settings.
//! Cross-site POSTs are refused by middleware, and every POST's CSRF token is checked by the
//! CSRF middleware (`crate::csrf`) before any handler runs.

mod annual_report;
mod application_corr;
mod application_letters;
mod application_rules;
mod applications;
mod assessment;
mod calendar;
mod common;
mod data;
mod data_export;
mod events;
mod feedback;
mod filings;
pub(crate) mod guard;
mod images;
mod interpretations;
mod items;
mod login;
mod meetings;
mod messages;
mod monitor;
mod notice;
mod notifications;
mod opinion;
mod people;
mod plan_edit;
mod plans;
mod proposals;
mod reminders;
mod service_import;
mod services;
mod setup;
mod site;
mod supervision;
mod visible;
use crate::upload;
pub(crate) mod workflow;

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::Router;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use gongkai_db::columns::ColumnFields;
use gongkai_db::orgs::OrgFields;
use serde_json::json;

route_table! {
    pub(crate) fn build, ROUTES;
    "/" => get(dashboard);
    "/login" => get(login::form), post(login::submit);
    "/login/totp" => get(login::totp_form), post(login::totp_submit);
    "/logout" => post(login::logout);
    "/items" => get(items::list), post(items::create);
    "/items/new" => get(items::new_form);
    "/items/{id}/edit" => get(items::edit_form), post(items::update);
    "/items/{id}/publish" => post(items::publish);
    "/items/{id}/guard/mask" => post(guard::mask);
    "/items/{id}/guard/release" => post(guard::release);
    "/guard" => get(guard::scan_page);
    "/guard/lists" => get(guard::lists_form), post(guard::lists_save);
    "/items/{id}/attachments/{attachment_id}/delete" => post(items::delete_attachment);
    "/items/{id}/attachments/{attachment_id}" => get(items::attachment);
    "/items/{id}/preview" => get(items::preview);
    "/images" => post(images::upload);
    "/columns" => get(site::columns_list), post(site::create::<ColumnFields>);
    "/columns/new" => get(site::new_form::<ColumnFields>);
    "/columns/{id}" => get(site::column_edit), post(site::update::<ColumnFields>);
    "/orgs" => get(site::orgs_list), post(site::create::<OrgFields>);
    "/orgs/new" => get(site::new_form::<OrgFields>);
    "/orgs/import" => get(setup::import_form), post(setup::import_submit);
    "/setup" => get(setup::setup_form), post(setup::setup_submit);
    "/setup/template.xlsx" => get(setup::template_xlsx);
    "/setup/template.csv" => get(setup::template_csv);
    "/site" => get(setup::site_form), post(setup::site_save);
    "/orgs/{id}" => get(site::org_edit), post(site::update::<OrgFields>);
    "/settings" => get(site::settings_form), post(site::settings_save);
    "/users" => get(people::list), post(people::create);
    "/users/new" => get(people::new_form);
    "/users/{id}" => get(people::detail);
    "/users/{id}/grants" => post(people::grant);
    "/users/{id}/grants/{grant_id}/delete" => post(people::revoke);
    "/users/{id}/active" => post(people::set_active);
    "/users/{id}/password" => post(people::reset_password);
    "/account" => get(people::account);
    "/account/password" => get(people::password_form), post(people::change_password);
    "/account/totp" => get(people::totp_page), post(people::totp_start);
    "/account/totp/confirm" => post(people::totp_confirm);
    "/account/totp/disable" => post(people::totp_disable);
    "/account/sessions/end" => post(people::end_session);
    "/account/email" => post(people::change_email);
    "/account/tokens" => post(people::create_token);
    "/account/tokens/{id}/revoke" => post(people::revoke_token);
    "/audit" => get(people::audit_log);
    "/audit.csv" => get(people::audit_csv);
    "/supervision" => get(supervision::board);
    "/supervision/periods" => get(supervision::periods);
    "/supervision/backfill/{item_id}/accept" => post(supervision::accept_backfill);
    "/supervision/interpretations" => get(interpretations::page);
    "/supervision/notice" => get(notice::page);
    "/supervision/notice.xlsx" => get(notice::xlsx_file);
    "/supervision/notice.docx" => get(notice::docx_file);
    "/supervision/notice/publish" => post(notice::publish);
    "/supervision/tree" => get(supervision::tree);
    "/events" => get(events::list), post(events::record);
    "/events/{id}/delete" => post(events::delete);
    "/assessment" => get(assessment::ranking);
    "/assessment.csv" => get(assessment::csv);
    "/assessment/units/{org_id}" => get(assessment::unit);
    "/assessment/scheme" => get(assessment::scheme_form), post(assessment::scheme_save);
    "/plans" => get(plans::index);
    "/plans/import" => get(plans::import_new), post(plans::import_create);
    "/plans/imports/{id}" => get(plans::review);
    "/plans/imports/{id}/confirm" => post(plans::confirm);
    "/plans/imports/{id}/edit" => post(plans::edit);
    "/plans/imports/{id}/discard" => post(plans::discard);
    "/plans/imports/{id}/tasks/{ti}" => get(plan_edit::task);
    "/plans/imports/{id}/edits" => post(plan_edit::edit);
    "/plans/{id}" => get(plans::view);
    "/plans/{id}/duties/{duty_id}/column" => post(plans::set_obligation_column);
    "/plans/{id}/duties/{duty_id}/external" => post(plans::set_obligation_external);
    "/plans/{id}/duties/{duty_id}" => get(plan_edit::duty);
    "/plans/{id}/duties/{duty_id}/obligations" => post(plan_edit::obligation_add);
    "/plans/{id}/obligations/{obligation_id}" => post(plan_edit::obligation_save);
    "/plans/{id}/obligations/{obligation_id}/delete" => post(plan_edit::obligation_delete);
    "/plans/{id}/tasks/{task_id}/title" => post(plan_edit::task_title);
    "/plans/{id}/archive" => post(plan_edit::archive);
    "/plans/{id}/public" => post(plans::set_public);
    "/plans/{id}/filings" => post(filings::open);
    "/feedback" => get(feedback::list);
    "/feedback/{id}" => get(feedback::detail);
    "/feedback/{id}/submit" => post(feedback::submit);
    "/feedback/{id}/review" => post(feedback::review);
    "/feedback/{id}/attachments/{attachment_id}" => get(feedback::attachment);
    "/calendar" => get(calendar::list), post(calendar::create);
    "/calendar/import" => post(calendar::import);
    "/calendar/{date}" => get(calendar::edit_form), post(calendar::update);
    "/calendar/{date}/delete" => post(calendar::delete);
    "/notifications" => get(notifications::list);
    "/notifications/read-all" => post(notifications::mark_all_read);
    "/notifications/{id}/read" => post(notifications::mark_read);
    "/reminders" => get(reminders::page);
    "/reminders/{kind}" => post(reminders::save);
    "/proposals" => get(proposals::list), post(proposals::assign);
    "/proposals/new" => get(proposals::new_form);
    "/proposals/{id}" => get(proposals::detail);
    "/proposals/{id}/{step}" => post(proposals::step);
    "/data" => get(data::list), post(data::create);
    "/data/new" => get(data::new_form);
    "/data/export.xlsx" => get(data_export::export_xlsx);
    "/data/export.json" => get(data_export::export_json);
    "/data/{id}" => get(data::detail);
    "/data/{id}/edit" => get(data::edit_form), post(data::update);
    "/data/{id}/publish" => post(data::publish);
    "/data/{id}/files" => post(data::upload);
    "/data/{id}/files/{file_id}" => get(data::file);
    "/services" => get(services::list), post(services::create);
    "/services/new" => get(services::new_form);
    "/services/rule" => get(services::rule_form), post(services::rule_save);
    "/services/import" => get(service_import::upload_form), post(service_import::upload);
    "/services/import/{id}" => get(service_import::review), post(service_import::apply);
    "/services/export.xlsx" => get(service_import::export_xlsx);
    "/services/export.json" => get(service_import::export_json);
    "/services/{id}" => get(services::detail);
    "/services/{id}/edit" => get(services::edit_form), post(services::update);
    "/services/{id}/workflow" => post(services::workflow);
    "/services/{id}/guard/release" => post(services::guard_release);
    "/services/{id}/forms/{n}" => get(services::form_file);
    "/meetings" => get(meetings::list), post(meetings::create);
    "/meetings/{id}" => get(meetings::detail);
    "/meetings/{id}/held" => post(meetings::held);
    "/meetings/applications/{id}/decide" => post(meetings::decide);
    "/messages" => get(messages::list);
    "/messages/settings" => post(messages::save_limit);
    "/messages/{id}" => get(messages::detail);
    "/messages/{id}/assign" => post(messages::assign);
    "/messages/{id}/reply" => post(messages::reply);
    "/messages/{id}/publish" => post(messages::publish);
    "/messages/{id}/close" => post(messages::close);
    "/opinion" => get(opinion::list), post(opinion::register);
    "/opinion/{id}" => get(opinion::detail);
    "/opinion/{id}/releases" => post(opinion::record_release);
    "/applications" => get(applications::queue), post(applications::register);
    "/applications/new" => get(applications::new_form);
    "/applications/templates" => get(applications::templates), post(applications::save_template);
    "/applications/templates/settings" => post(application_letters::save_settings);
    "/applications/rules" => get(application_rules::show), post(application_rules::save);
    "/annual-report" => get(annual_report::page), post(annual_report::save);
    "/annual-report/publish" => post(annual_report::publish);
    "/annual-report/adjustments" => post(annual_report::adjust);
    "/annual-report/adjustments/{id}/delete" => post(annual_report::remove_adjustment);
    "/annual-report.xlsx" => get(annual_report::xlsx);
    "/annual-report.docx" => get(annual_report::docx);
    "/applications/{id}" => get(applications::detail);
    "/applications/{id}/action" => post(applications::action);
    "/applications/{id}/letters/{kind}" => get(applications::letter);
    "/applications/{id}/letters/{kind}/preview" => get(application_letters::preview);
    "/applications/{id}/letters/{kind}/issue" => post(application_letters::issue);
    "/applications/{id}/messages" => post(application_corr::message);
    "/applications/{id}/files" => post(application_corr::upload_files);
    "/applications/{id}/files/{file_id}" => get(application_corr::download);
    "/applications/{id}/files/{file_id}/public" => post(application_corr::file_public);
    "/applications/{id}/publish" => post(application_corr::publish);
    "/applications/{id}/proactive" => post(application_corr::proactive);
    "/items/{id}/workflow" => post(workflow::act);
    "/reviews" => get(workflow::queue_page);
    "/review-levels" => get(workflow::levels_page);
    "/review-levels/{org_id}" => post(workflow::levels_save);
    "/sites" => get(monitor::sites), post(monitor::site_create);
    "/sites/{id}" => get(monitor::site_detail), post(monitor::site_update);
    "/sites/{id}/inspect" => post(monitor::site_inspect);
    "/monitor/settings" => get(monitor::settings_form), post(monitor::settings_save);
    "/monitor/report" => get(monitor::report_page);
    "/monitor/report.docx" => get(monitor::report_docx);
    "/monitor/report.xlsx" => get(monitor::report_xlsx);
    "/monitor/report/publish" => post(monitor::report_publish);
    "/tickets" => get(monitor::tickets);
    "/tickets/{id}" => get(monitor::ticket_detail);
    "/tickets/{id}/fixed" => post(monitor::ticket_fixed);
}

pub fn router() -> Router<AppState> {
    build().layer(axum::middleware::from_fn(crate::auth::reject_cross_site))
}

async fn dashboard(State(state): State<AppState>, user: CurrentUser) -> Result<Response, AppError> {
    let scope = user.perms.viewable_orgs();
    let mut conn = state.db.pool.acquire().await?;
    // A fresh install: the system administrator sets the site up before anything else.
    if user.perms.can_manage_site() && gongkai_db::site_profile::setup_pending(&mut conn).await? {
        return Ok(axum::response::Redirect::to("/admin/setup").into_response());
    }
    let counts: serde_json::Map<String, serde_json::Value> =
        gongkai_db::items::count_by_status(&mut conn, scope.as_deref())
            .await?
            .into_iter()
            .map(|(k, v)| (k, json!(v)))
            .collect();
    let post_review = gongkai_db::workflow::post_review_counts(&mut conn, scope.as_deref()).await?;
    let post_pending: i64 = post_review.iter().map(|c| c.pending).sum();
    let post_total: i64 = post_review.iter().map(|c| c.total).sum();
    // 我的待办期限： what the user's units must do, soonest first.
    let deadline_orgs = user.perms.deadline_orgs();
    let deadlines = gongkai_db::reminders::my_deadlines(
        &mut conn,
        &deadline_orgs,
        gongkai_db::china_today(),
        100,
    )
    .await?;
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
            "deadlines": deadlines, "has_deadline_orgs": !deadline_orgs.is_empty(),
            "post_review": post_review, "post_pending": post_pending, "post_total": post_total,
            "can_create": user.perms.editable_orgs().is_none_or(|o| !o.is_empty()),
        }),
    )?
    .into_response())
}

/// `Db::refresh_statistics` in the background, after a request has committed bulk rows (a
/// confirmed plan, an imported catalogue or organisation list): the answer does not wait for it,
/// and the next pages are planned on the new rows. A failure is logged, never raised.
pub(crate) fn refresh_statistics_soon(db: &gongkai_db::Db) {
    let db = db.clone();
    tokio::spawn(async move {
        if let Err(e) = db.refresh_statistics().await {
            tracing::warn!(error = %e, "更新查询统计信息失败");
        }
    });
}
