//! Feedback rounds in the back office (落实情况反馈). A unit (organisation administrator, editor
//! or handler of the round's organisation or an organisation above it) lists its rounds and
//! submits text, links to its published items and attachments; the supervising office
//! (`can_manage_plans`) sees every round and accepts or returns a submitted one with a comment;
//! assessors read everything and write nothing. **Rounds of other organisations answer 404**, as
//! items do. Rules are `gongkai_domain::feedback`, SQL `gongkai_db::feedback`.

use super::common::{AdminForm, error_map, org_options, render};
use super::upload::{self, Upload};
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::util::page_param;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::feedback as app_feedback;
use gongkai_db::feedback::{self, Link, RoundFilter, RoundRow};
use gongkai_db::orgs;
use gongkai_domain::Invalid;
use gongkai_domain::feedback::{RoundStatus, SubmissionFields, lateness_label};
use gongkai_domain::filing::FilingKind;
use serde::Deserialize;
use serde_json::json;

fn notice(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "submitted" => "反馈已提交，等待政务公开办审核。",
        "accepted" => "已采纳该反馈。",
        "returned" => "已退回，单位修改后可重新提交。",
        _ => return None,
    })
}

/// Today's civil date in China.
fn today() -> String {
    gongkai_db::china_today().format("%Y-%m-%d").to_string()
}

fn excerpt(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

fn round_json(r: &RoundRow, today: &str) -> serde_json::Value {
    let status = r.status();
    let overdue = status == RoundStatus::Open && r.due_date.to_string().as_str() < today;
    json!({
        "id": r.id, "org_id": r.org_id, "org_name": r.org_name, "due_date": r.due_date, "label": r.label,
        "kind": r.kind().code(), "kind_label": r.kind().label(),
        "status": status.code(), "status_label": status.label(),
        "plan_id": r.plan_id, "plan_title": r.plan_title, "task_number": r.task_number, "task_title": r.task_title,
        "duty_text": r.duty_text, "duty_excerpt": excerpt(&r.duty_text, 60), "submissions": r.submissions,
        "late_working_days": r.late_working_days,
        "lateness": r.late_working_days.map(lateness_label),
        "overdue": overdue, "last_submitted_at": r.last_submitted_at,
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    kind: Option<String>,
    plan: Option<String>,
    org: Option<String>,
    due_from: Option<String>,
    due_to: Option<String>,
    late: Option<String>,
    page: Option<String>,
}

fn valid_date(s: Option<&str>) -> Option<String> {
    let s = s?.trim();
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .map(|d| d.format("%Y-%m-%d").to_string())
}

fn id_param(s: Option<&str>) -> Option<i64> {
    s.and_then(|s| s.trim().parse().ok()).filter(|n| *n > 0)
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_open_feedback() {
        return Err(AppError::forbidden());
    }
    let all = user.perms.feedback_orgs().is_none();
    let scope = user.perms.feedback_orgs();
    let today = today();
    let filter = RoundFilter {
        orgs: scope.clone(),
        org_id: if all {
            id_param(q.org.as_deref())
        } else {
            None
        },
        status: q.status.as_deref().and_then(RoundStatus::from_code),
        kind: q.kind.as_deref().and_then(FilingKind::from_code),
        plan_id: id_param(q.plan.as_deref()),
        due_from: if all {
            valid_date(q.due_from.as_deref())
        } else {
            None
        },
        due_to: if all {
            valid_date(q.due_to.as_deref())
        } else {
            None
        },
        late_only: all && q.late.as_deref() == Some("1"),
        today: today.clone(),
    };
    let mut conn = state.db.pool.acquire().await?;
    let page = feedback::list_rounds(&mut conn, &filter, page_param(q.page.as_deref()), 20).await?;
    let counts = feedback::count_by_status(&mut conn, scope.as_deref()).await?;
    let plans = feedback::plans_with_rounds(&mut conn, scope.as_deref()).await?;
    let org_opts = if all {
        let all_orgs = orgs::all(&mut conn).await?;
        org_options(&all_orgs, None)
    } else {
        Vec::new()
    };
    let enc = super::items::urlencode;
    let base = format!(
        "/admin/feedback?status={}&kind={}&plan={}&org={}&due_from={}&due_to={}&late={}",
        filter.status.map(|s| s.code()).unwrap_or(""),
        filter.kind.map(|k| k.code()).unwrap_or(""),
        filter.plan_id.map(|p| p.to_string()).unwrap_or_default(),
        filter.org_id.map(|p| p.to_string()).unwrap_or_default(),
        enc(filter.due_from.as_deref().unwrap_or("")),
        enc(filter.due_to.as_deref().unwrap_or("")),
        if filter.late_only { "1" } else { "" },
    );
    let statuses: Vec<_> = RoundStatus::ALL
        .iter()
        .map(|s| {
            let n = counts
                .iter()
                .find(|(c, _)| c == s.code())
                .map(|(_, n)| *n)
                .unwrap_or(0);
            json!({"code": s.code(), "label": s.label(), "count": n})
        })
        .collect();
    let rows: Vec<_> = page.rows.iter().map(|r| round_json(r, &today)).collect();
    Ok(render(
        &state,
        &user,
        "admin/feedback_list.html",
        "feedback",
        json!({
            "rows": rows, "total": page.total, "page": page.page, "pages": page.pages(), "base_url": base,
            "supervisor": all, "can_review": user.perms.can_manage_plans(),
            "statuses": statuses,
            "kinds": FilingKind::ALL.iter().map(|k| json!({"code": k.code(), "label": k.label()})).collect::<Vec<_>>(),
            "plans": plans.iter().map(|(id, t)| json!({"id": id, "title": t})).collect::<Vec<_>>(),
            "org_options": org_opts,
            "f": {
                "status": filter.status.map(|s| s.code()), "kind": filter.kind.map(|k| k.code()), "plan": filter.plan_id, "org": filter.org_id,
                "due_from": filter.due_from, "due_to": filter.due_to, "late": filter.late_only,
            },
        }),
    )?
    .into_response())
}

/// What the detail page re-shows after a refused form.
#[derive(Default)]
struct Refused<'a> {
    submit: Option<(&'a SubmissionFields, &'a Invalid)>,
    review: Option<(&'a str, &'a str, &'a Invalid)>,
}

async fn render_round(
    state: &AppState,
    user: &CurrentUser,
    round: &RoundRow,
    refused: Refused<'_>,
    notice_code: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let subs = feedback::submissions(&mut conn, round.id).await?;
    let files = feedback::attachments_of_round(&mut conn, round.id).await?;
    let linked_ids: Vec<i64> = subs
        .iter()
        .flat_map(|s| s.links())
        .filter_map(|l| match l {
            Link::Item { item_id } => Some(item_id),
            Link::Url { .. } => None,
        })
        .collect();
    let titles = feedback::item_titles(&mut conn, &linked_ids).await?;
    let rs = round.status();
    let may_submit = rs.can_submit() && user.perms.can_answer_feedback_of(round.org_id);
    let may_review = rs.can_review() && user.perms.can_manage_plans();
    let linkable = if may_submit {
        feedback::linkable_items(&mut conn, round.org_id, 200).await?
    } else {
        Vec::new()
    };
    drop(conn);
    let history: Vec<_> = subs
        .iter()
        .rev()
        .map(|s| {
            let links: Vec<_> = s
                .links()
                .into_iter()
                .map(|l| match l {
                    Link::Item { item_id } => {
                        let t = titles.iter().find(|(i, _, _)| *i == item_id);
                        json!({
                            "item_id": item_id,
                            "title": t.map(|(_, t, _)| t.clone()).unwrap_or_else(|| format!("信息 {item_id}")),
                            "public": t.is_some_and(|(_, _, p)| *p),
                        })
                    }
                    Link::Url { url } => json!({"url": url}),
                })
                .collect();
            let atts: Vec<_> = files.iter().filter(|a| a.submission_id == s.id).collect();
            json!({
                "id": s.id, "sequence": s.sequence, "text": s.text,
                "paragraphs": s.text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>(), "links": links, "attachments": atts,
                "submitted_by": s.submitted_by_name, "submitted_at": s.submitted_at, "submitted_on": s.submitted_on,
                "late_working_days": s.late_working_days, "lateness": lateness_label(s.late_working_days),
                "status": s.status, "status_label": s.status().label(),
                "reviewed_by": s.reviewed_by_name, "reviewed_at": s.reviewed_at, "review_comment": s.review_comment,
            })
        })
        .collect();
    let (f, submit_errors) = match refused.submit {
        Some((f, inv)) => (
            json!({"text": f.text, "urls": f.urls, "item_ids": f.item_ids}),
            Some(inv),
        ),
        None => (json!({"text": "", "urls": "", "item_ids": []}), None),
    };
    let (review_f, review_errors) = match refused.review {
        Some((decision, comment, inv)) => {
            (json!({"decision": decision, "comment": comment}), Some(inv))
        }
        None => (json!({"decision": "", "comment": ""}), None),
    };
    let linkable: Vec<_> = linkable
        .iter()
        .map(|i| {
            let checked = f["item_ids"]
                .as_array()
                .is_some_and(|a| a.iter().any(|v| v.as_str() == Some(&i.id.to_string())));
            json!({"id": i.id, "title": i.title, "published_at": i.published_at, "checked": checked})
        })
        .collect();
    let today = today();
    let html = render(
        state,
        user,
        "admin/feedback_round.html",
        "feedback",
        json!({
            "round": round_json(round, &today),
            "history": history,
            "may_submit": may_submit, "may_review": may_review,
            "linkable": linkable, "f": f, "review_f": review_f,
            "errors": submit_errors.map(error_map).unwrap_or(json!({})),
            "review_errors": review_errors.map(error_map).unwrap_or(json!({})),
            "allowed_extensions": upload::allowed_extensions(),
            "max_upload_mb": state.config.max_upload_bytes / 1024 / 1024,
            "notice": notice(notice_code),
        }),
    )?;
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    Visible {
        user,
        record: round,
    }: Visible<RoundRow>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    render_round(
        &state,
        &user,
        &round,
        Refused::default(),
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

struct SubmitForm {
    fields: SubmissionFields,
    uploads: Vec<(String, Vec<u8>)>,
}

async fn read_submit_form(mut mp: Multipart) -> Result<SubmitForm, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge("上传内容超过大小限制".into())
        } else {
            AppError::BadRequest(format!(
                "提交的表单无法解析，请重新提交（{}）",
                e.body_text()
            ))
        }
    };
    let mut s = SubmitForm {
        fields: SubmissionFields::default(),
        uploads: Vec::new(),
    };
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let bytes = field.bytes().await.map_err(bad)?;
            if !file_name.is_empty() || !bytes.is_empty() {
                s.uploads.push((file_name, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await.map_err(bad)?;
        match name.as_str() {
            "text" => s.fields.text = value,
            "urls" => s.fields.urls = value,
            "item_ids" => s.fields.item_ids.push(value),
            _ => {}
        }
    }
    Ok(s)
}

pub async fn submit(
    State(state): State<AppState>,
    Visible {
        user,
        record: round,
    }: Visible<RoundRow>,
    mp: Multipart,
) -> Result<Response, AppError> {
    let form = read_submit_form(mp).await?;
    let id = round.id;
    if !user.perms.can_answer_feedback_of(round.org_id) {
        // Refused before the uploads are stored; the use case checks it again.
        return Err(app_feedback::submit_refusal().into());
    }
    let mut inv = Invalid::default();
    let input = form.fields.validate();
    let uploads: Vec<Upload> = form
        .uploads
        .into_iter()
        .filter_map(|(n, b)| upload::check(&n, b, state.config.max_upload_bytes, &mut inv))
        .collect();
    let input = match input {
        Ok(i) if inv.is_empty() => i,
        Ok(_) => return refused_submit(&state, &user, &round, &form.fields, inv).await,
        Err(mut e) => {
            e.errors.extend(inv.errors);
            return refused_submit(&state, &user, &round, &form.fields, e).await;
        }
    };
    let mut stored = Vec::new();
    for u in &uploads {
        let sha = state.storage.put(&u.bytes).await?;
        stored.push(feedback::NewAttachment {
            file_name: u.file_name.clone(),
            content_type: u.content_type.to_string(),
            size_bytes: u.bytes.len() as i64,
            sha256: sha,
        });
    }
    let mut tx = state.db.begin_audited().await?;
    match app_feedback::submit(
        &mut tx,
        &user.caller(),
        &round,
        &input,
        &stored,
        gongkai_db::now_ms(),
    )
    .await
    {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/feedback/{id}?notice=submitted")).into_response())
        }
        Err(Refusal::Invalid(e)) => {
            drop(tx);
            refused_submit(&state, &user, &round, &form.fields, e).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn refused_submit(
    state: &AppState,
    user: &CurrentUser,
    round: &RoundRow,
    fields: &SubmissionFields,
    inv: Invalid,
) -> Result<Response, AppError> {
    render_round(
        state,
        user,
        round,
        Refused {
            submit: Some((fields, &inv)),
            review: None,
        },
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

pub async fn review(
    State(state): State<AppState>,
    Visible {
        user,
        record: round,
    }: Visible<RoundRow>,
    AdminForm(f): AdminForm<ReviewForm>,
) -> Result<Response, AppError> {
    let id = round.id;
    let mut tx = state.db.begin_audited().await?;
    match app_feedback::review(
        &mut tx,
        &user.caller(),
        &round,
        &f.decision,
        &f.comment,
        gongkai_db::now_ms(),
    )
    .await
    {
        Ok(to) => {
            tx.commit().await?;
            let code = if to == RoundStatus::Accepted {
                "accepted"
            } else {
                "returned"
            };
            Ok(Redirect::to(&format!("/admin/feedback/{id}?notice={code}")).into_response())
        }
        Err(Refusal::Invalid(e)) => {
            drop(tx);
            render_round(
                &state,
                &user,
                &round,
                Refused {
                    submit: None,
                    review: Some((&f.decision, &f.comment, &e)),
                },
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn attachment(
    State(state): State<AppState>,
    _: Visible<RoundRow>,
    Path((id, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let a = {
        let mut conn = state.db.pool.acquire().await?;
        feedback::get_attachment(&mut conn, id, attachment_id)
            .await
            .map_err(|_| AppError::not_found())?
    };
    let bytes = state.storage.get(&a.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &a.content_type,
        &a.file_name,
        None,
        Some("private, no-cache"),
    ))
}
