//! 建议提案办理 in the back office. The supervising office (政务公开办 / 督查室, or a system
//! administrator) assigns cases (交办) and records the deputies' feedback; the lead unit's
//! handlers and administrators sign for or return a case, reply and publish; co-handling units
//! send their views. Everyone sees only cases their organisations lead or co-handle (supervisors
//! and assessors: all); other cases answer 404 so their existence does not leak.

use super::common::{AdminForm, error_map, org_options, render};
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use gongkai_app::Refusal;
use gongkai_app::proposals::{self as app_proposals, Step};
use gongkai_db::proposals::{self};
use gongkai_db::{calendar, orgs};
use gongkai_domain::proposal::{
    AssignFields, Grade, ProposalKind, ProposalRules, ReplyFields, Satisfaction, Stage, Standing,
    YearStats, deadlines,
};
use gongkai_domain::{CivilDate, Invalid};
use serde::Deserialize;
use serde_json::{Value, json};

/// The answer to a step that does not exist.
const NO_PAGE: &str = "页面不存在";

/// Days before a deadline it is flagged 即将到期.
const SOON_DAYS: i64 = 10;

fn today() -> NaiveDate {
    gongkai_db::china_today()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    year: String,
    kind: String,
    notice: String,
}

fn standing_json(s: Standing) -> Value {
    json!({"code": serde_json::to_value(s).unwrap_or_default(), "label": s.label()})
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_read_plans() {
        return Err(AppError::forbidden());
    }
    let today = today();
    let year = q
        .year
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(today.year());
    let kind = ProposalKind::from_code(q.kind.trim());
    let mut conn = state.db.pool.acquire().await?;
    let scope = user.perms.viewable_orgs();
    let cases = proposals::list(&mut conn, year, kind, scope.as_deref()).await?;
    let mut years = proposals::years(&mut conn).await?;
    let cal = calendar::load(&mut conn).await?;
    drop(conn);
    if !years.contains(&i64::from(year)) {
        years.push(i64::from(year));
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let rules = ProposalRules::default();
    let rows: Vec<Value> = cases
        .iter()
        .map(|p| {
            let d = deadlines(&cal, &rules, p.assigned(), p.case_dates());
            let stage = p.stage();
            let reply = Standing::of(d.reply.date, p.first_replied(), today, SOON_DAYS);
            let (next_label, next_due, next) = match stage {
                Stage::Assigned => (
                    "签收",
                    d.sign.date,
                    Standing::of(d.sign.date, None, today, 2),
                ),
                Stage::Handling => ("书面答复", d.reply.date, reply),
                Stage::Rehandling => {
                    let r = d.rehandle.clone().unwrap_or(d.reply.clone());
                    ("重新答复", r.date, Standing::of(r.date, None, today, SOON_DAYS))
                }
                _ => match (&d.publish, p.published()) {
                    (Some(due), None) => (
                        "公开答复",
                        due.date,
                        Standing::of(due.date, None, today, SOON_DAYS),
                    ),
                    _ => ("", d.reply.date, reply),
                },
            };
            json!({
                "id": p.id, "kind": p.kind().label(), "number": p.number, "title": p.title,
                "lead": p.lead_org_name, "assigned_on": p.assigned_on, "stage": stage.label(),
                "key_item": p.key_item != 0, "complex": p.complex != 0,
                "next_label": next_label, "next_due": next_due.to_string(),
                "next": standing_json(next),
                "published": p.published_on.is_some(),
                "sort": (matches!(next, Standing::Overdue | Standing::DueSoon) && !next_label.is_empty(), next_due),
            })
        })
        .collect();
    let mut rows = rows;
    // Overdue and due-soon first, then by the next deadline.
    rows.sort_by(|a, b| {
        let ka = (
            !a["sort"][0].as_bool().unwrap_or(false),
            a["next_due"].as_str().unwrap_or_default().to_string(),
        );
        let kb = (
            !b["sort"][0].as_bool().unwrap_or(false),
            b["next_due"].as_str().unwrap_or_default().to_string(),
        );
        ka.cmp(&kb)
    });
    let stat_rows = proposals::stat_rows(&cases, &cal, &rules);
    let stats: Vec<Value> = ProposalKind::ALL
        .iter()
        .map(|k| {
            let s = YearStats::of(&stat_rows, *k);
            json!({"kind": k.label(), "s": s, "rate": s.satisfaction_rate().map(|r| format!("{r:.1}%")),
                   "balanced": s.balanced()})
        })
        .collect();
    let notice = match q.notice.as_str() {
        "assigned" => Some("已交办，主办单位将在待签收列表中看到该件。"),
        _ => None,
    };
    let years: Vec<Value> = years
        .iter()
        .map(|y| json!({"year": y, "selected": *y == i64::from(year)}))
        .collect();
    let kinds: Vec<Value> = ProposalKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label(), "selected": Some(*k) == kind}))
        .collect();
    Ok(render(
        &state,
        &user,
        "admin/proposals.html",
        "proposals",
        json!({"rows": rows, "years": years, "kinds": kinds, "year": year, "stats": stats,
               "may_assign": user.perms.can_assign_proposals(), "notice": notice, "today": today.to_string()}),
    )?
    .into_response())
}

/// The assignment form as posted: pairs, so that the co-handling units' checkboxes
/// (`co_org_ids`, repeated) arrive as a list.
#[derive(Default)]
pub struct AssignFieldsForm {
    fields: AssignFields,
}

impl AssignFieldsForm {
    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut out = AssignFieldsForm::default();
        let f = &mut out.fields;
        for (k, v) in pairs {
            match k.as_str() {
                "kind" => f.kind = v,
                "year" => f.year = v,
                "number" => f.number = v,
                "title" => f.title = v,
                "proposer" => f.proposer = v,
                "proposer_contact" => f.proposer_contact = v,
                "content" => f.content = v,
                "assigned_on" => f.assigned_on = v,
                "lead_org_id" => f.lead_org_id = v,
                "co_org_ids" => f.co_org_ids.push(v),
                "complex" => f.complex = v,
                "key_item" => f.key_item = v,
                "key_leader" => f.key_leader = v,
                _ => {}
            }
        }
        out
    }
}

async fn assign_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<(&AssignFields, &Invalid)>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let chosen: Vec<String> = form.map(|(f, _)| f.co_org_ids.clone()).unwrap_or_default();
    let orgs: Vec<Value> = org_options(&all, None)
        .into_iter()
        .map(|mut o| {
            let id = o["id"].to_string();
            o["co_checked"] = json!(chosen.contains(&id));
            o
        })
        .collect();
    let today = today();
    let (values, errors) = match form {
        Some((f, inv)) => (
            json!({"kind": f.kind, "year": f.year, "number": f.number, "title": f.title, "proposer": f.proposer,
                   "proposer_contact": f.proposer_contact, "content": f.content, "assigned_on": f.assigned_on,
                   "lead_org_id": f.lead_org_id, "complex": !f.complex.is_empty(),
                   "key_item": !f.key_item.is_empty(), "key_leader": f.key_leader}),
            error_map(inv),
        ),
        None => (
            json!({"year": today.year().to_string(), "assigned_on": today.to_string(), "kind": "npc_suggestion"}),
            json!({}),
        ),
    };
    let kinds: Vec<Value> = ProposalKind::ALL
        .iter()
        .map(|k| json!({"code": k.code(), "label": k.label()}))
        .collect();
    let html = render(
        state,
        user,
        "admin/proposal_new.html",
        "proposals",
        json!({"orgs": orgs, "kinds": kinds, "values": values, "errors": errors}),
    )?;
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    if !user.perms.can_assign_proposals() {
        return Err(AppError::forbidden());
    }
    assign_page(&state, &user, None).await
}

pub async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(pairs): AdminForm<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let f = AssignFieldsForm::from_pairs(pairs);
    let mut tx = state.db.begin_audited().await?;
    let id = match app_proposals::assign(&mut tx, &user.caller(), &f.fields).await {
        Ok(id) => id,
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return assign_page(&state, &user, Some((&f.fields, &inv))).await;
        }
        Err(e) => return Err(e.into()),
    };
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/proposals/{id}?notice=assigned")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    notice: String,
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<&str>,
    failed: Option<(&str, &Invalid, Value)>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let app_proposals::Case { case, co } =
        app_proposals::visible(&mut conn, &user.caller(), id).await?;
    let cal = calendar::load(&mut conn).await?;
    let filter = gongkai_db::audit::AuditFilter {
        entity: Some("proposal".into()),
        entity_id: Some(id.to_string()),
        ..Default::default()
    };
    let history = gongkai_db::audit::list(&mut conn, &filter, 1, 200)
        .await?
        .rows;
    let all = orgs::all(&mut conn).await?;
    drop(conn);
    let orgs: Vec<Value> = org_options(&all, None)
        .into_iter()
        .filter(|o| o["id"] != json!(case.lead_org_id))
        .collect();
    let today = today();
    let d = deadlines(
        &cal,
        &ProposalRules::default(),
        case.assigned(),
        case.case_dates(),
    );
    let stage = case.stage();
    let lead = user.perms.can_handle_cases_of(case.lead_org_id);
    let published = case.published_on.is_some();
    let allowed = |a: gongkai_domain::proposal::Action| a.allowed_in(stage, published).is_ok();
    use gongkai_domain::proposal::Action as A;
    let co_rows: Vec<Value> = co
        .iter()
        .map(|c| {
            let mine = user.perms.can_handle_cases_of(c.org_id) && allowed(A::SendCoView);
            let sent = c.view_sent_on.map(CivilDate::naive);
            json!({"org_id": c.org_id, "org_name": c.org_name, "view_text": c.view_text, "view_sent_on": c.view_sent_on,
                   "standing": standing_json(Standing::of(d.co_views.date, sent, today, SOON_DAYS)), "may_send": mine})
        })
        .collect();
    let due = |label: &str, due: &gongkai_domain::proposal::Due, done: Option<NaiveDate>| {
        json!({"label": label, "date": due.date.to_string(), "working": due.working,
               "done": done.map(|d| d.to_string()), "standing": standing_json(Standing::of(due.date, done, today, SOON_DAYS))})
    };
    let mut dues = vec![
        due("签收或退回", &d.sign, case.signed()),
        due("书面答复", &d.reply, case.first_replied()),
    ];
    if let Some(r) = &d.rehandle {
        let done = if stage == Stage::Rehandling {
            None
        } else {
            case.replied()
        };
        dues.push(due("重新办理", r, done));
    }
    if let Some(p) = &d.publish {
        dues.push(due("公开答复全文", p, case.published()));
    }
    let history: Vec<Value> = history
        .iter()
        .map(|h| json!({"at": crate::templates::format_ms(Some(h.at), "%Y-%m-%d %H:%M"), "actor": h.actor_name, "summary": h.summary}))
        .collect();
    let grades: Vec<Value> = Grade::ALL
        .iter()
        .map(|g| json!({"code": g.code(), "label": g.label()}))
        .collect();
    let sats: Vec<Value> = Satisfaction::ALL
        .iter()
        .map(|s| json!({"code": s.code(), "label": s.label()}))
        .collect();
    let is_failed = failed.is_some();
    let (failed_step, errors, values) = match failed {
        Some((step, inv, values)) => (step, error_map(inv), values),
        None => ("", json!({}), json!({})),
    };
    let html = render(
        state,
        user,
        "admin/proposal.html",
        "proposals",
        json!({
            "p": case, "kind": case.kind().label(), "stage": stage.label(), "grade": case.grade().map(Grade::label),
            "satisfaction": case.satisfaction().map(Satisfaction::label),
            "co": co_rows, "dues": dues, "history": history, "grades": grades, "sats": sats,
            "today": today.to_string(),
            "may_sign": lead && allowed(A::SignFor),
            "may_reply": lead && allowed(A::Reply),
            "may_publish": lead && allowed(A::Publish),
            "may_feedback": user.perms.can_assign_proposals() && allowed(A::RecordFeedback),
            "may_reassign": user.perms.can_assign_proposals() && allowed(A::Reassign),
            "orgs": orgs,
            "notice": notice, "failed": failed_step, "errors": errors, "values": values,
        }),
    )?;
    let status = if is_failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    Visible { user, record }: Visible<app_proposals::Case>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let id = record.case.id;
    let notice = match q.notice.as_str() {
        "assigned" => Some("已交办。"),
        "signed" => Some("已签收，请在期限内办理并书面答复。"),
        "returned" => Some("已退回交办部门。"),
        "co_view" => Some("会办意见已送主办单位。"),
        "replied" => Some("答复已登记，请在20个工作日内公开答复全文。"),
        "feedback" => Some("满意度已登记。"),
        "published" => Some("答复全文已公开（联系方式等个人信息已隐去）。"),
        "reassigned" => Some("已重新交办\u{FF0C}新的主办单位须在期限内签收或退回\u{3002}"),
        _ => None,
    };
    detail_page(&state, &user, id, notice, None).await
}

/// Every step's form, as posted.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StepForm {
    on: String,
    reason: String,
    org_id: String,
    view_text: String,
    satisfaction: String,
    contacted_on: String,
    contact_note: String,
    replied_on: String,
    grade: String,
    signed_by: String,
    reply_text: String,
}

pub async fn step(
    State(state): State<AppState>,
    Visible { user, .. }: Visible<app_proposals::Case>,
    Path((id, step)): Path<(i64, String)>,
    AdminForm(f): AdminForm<StepForm>,
) -> Result<Response, AppError> {
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    let case = app_proposals::visible(&mut tx, &caller, id).await?;
    let (taken, notice) = match step.as_str() {
        "sign" => (Step::SignFor { on: &f.on }, "signed"),
        "return" => (
            Step::Return {
                on: &f.on,
                reason: &f.reason,
            },
            "returned",
        ),
        "co_view" => (
            Step::CoView {
                org_id: &f.org_id,
                on: &f.on,
                view_text: &f.view_text,
            },
            "co_view",
        ),
        "reply" => (
            Step::Reply(ReplyFields {
                contacted_on: f.contacted_on.clone(),
                contact_note: f.contact_note.clone(),
                replied_on: f.replied_on.clone(),
                grade: f.grade.clone(),
                signed_by: f.signed_by.clone(),
                reply_text: f.reply_text.clone(),
            }),
            "replied",
        ),
        "feedback" => (
            Step::Feedback {
                satisfaction: &f.satisfaction,
                on: &f.on,
            },
            "feedback",
        ),
        "publish" => (Step::Publish { on: &f.on }, "published"),
        "reassign" => (
            Step::Reassign {
                org_id: &f.org_id,
                on: &f.on,
            },
            "reassigned",
        ),
        _ => return Err(AppError::NotFound(NO_PAGE.into())),
    };
    match app_proposals::take_step(&mut tx, &caller, &case, taken, today()).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/proposals/{id}?notice={notice}")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            let values = json!({"on": f.on, "reason": f.reason, "view_text": f.view_text,
                "contacted_on": f.contacted_on, "contact_note": f.contact_note, "replied_on": f.replied_on,
                "grade": f.grade, "signed_by": f.signed_by, "reply_text": f.reply_text});
            detail_page(&state, &user, id, None, Some((step.as_str(), &inv, values))).await
        }
        Err(e) => Err(e.into()),
    }
}
