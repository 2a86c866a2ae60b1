//! 依申请公开 in the back office: the handlers' queue (sorted by due date, 即将到期 / 已逾期
//! flags), registration of applications received in person, by post, fax or e-mail (receipt date
//! per 条例第三十一条), the case page with its timeline, the due date's working and the actions
//! (补正, 征求意见, 延期, 答复, 行政复议/诉讼), the letters as DOCX and the per-organisation letter
//! templates. Handlers (办理人) and organisation administrators act for their organisations; another
//! organisation's application answers 404. Every action is one transaction with its audit entry.

use super::common::{AdminForm, error_map, render};
use super::visible::Visible;
use crate::applications::{
    available_letters, docx_response, issued_letters, letter_docx, timeline,
};
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::applications as app_applications;
use gongkai_db::applications::{self as db_apps, AnswerExtra, ApplicationRow, NewApplication};
use gongkai_domain::Invalid;
use gongkai_domain::application::letter::{LetterKind, PLACEHOLDERS, TemplateId};
use gongkai_domain::application::{
    ApplicantType, ApplicationFields, CaseEvent, Channel, Consulted, Delivery, FeeScale, Flag,
    IdType, Outcome, OutcomeGroup, ReviewKind, ReviewResult, TRACKING_CODE_LEN, fee_explained,
    receipt_date, tracking_code_from,
};
use serde::Deserialize;
use serde_json::json;

/// The row when the user may handle it; someone else's and a missing one look the same.
pub(super) async fn load_for(
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<ApplicationRow, AppError> {
    Ok(app_applications::visible(conn, &user.caller(), id).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct QueueQuery {
    page: String,
    notice: String,
}

/// GET `/admin/applications`.
pub async fn queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<QueueQuery>,
) -> Result<Response, AppError> {
    let scope = user.perms.handled_orgs();
    if scope.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let cal = gongkai_db::calendar::load(&mut conn).await?;
    let page = db_apps::queue(
        &mut conn,
        scope.as_deref(),
        crate::util::page_param(Some(&q.page)),
    )
    .await?;
    let today = gongkai_db::china_today();
    let mut rows = Vec::new();
    for r in &page.rows {
        let events = db_apps::events(&mut conn, r.id).await?;
        let (flag, remaining) = match db_apps::case_of(r, &events, &cal) {
            Ok(case) => {
                let flag = case.flag(&cal, today);
                (flag, case.progress_text(&cal, today))
            }
            Err(_) => (Flag::Normal, None),
        };
        rows.push(json!({
            "id": r.id, "tracking_code": r.tracking_code, "org_name": r.org_name, "name": r.addressee(),
            "channel": r.channel_label(), "received_on": r.received_on, "status": r.status_label(),
            "due_on": r.due_on, "flag": flag, "flag_label": flag.label(), "progress": remaining,
            "outcome": r.outcome_label(), "extended": r.extended == 1,
        }));
    }
    let pages = page.pages();
    drop(conn);
    let notice = match q.notice.as_str() {
        "registered" => Some("申请已登记。"),
        _ => None,
    };
    Ok(render(
        &state,
        &user,
        "admin/applications.html",
        "applications",
        json!({"rows": rows, "page": page.page, "pages": pages, "total": page.total, "notice": notice, "today": today.to_string()}),
    )?
    .into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct RegisterForm {
    org_id: String,
    channel: String,
    submitted_on: String,
    confirmed_on: String,
    #[serde(flatten)]
    fields: ApplicationFields,
}

fn code_options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    sel: &str,
) -> Vec<serde_json::Value> {
    all.iter()
        .map(|t| json!({"code": code(*t), "label": label(*t), "selected": code(*t) == sel}))
        .collect()
}

async fn register_page(
    state: &AppState,
    user: &CurrentUser,
    form: Option<(&RegisterForm, &Invalid)>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = gongkai_db::orgs::all(&mut conn).await?;
    drop(conn);
    let f = form.map(|(f, _)| f.clone()).unwrap_or_default();
    let orgs: Vec<_> = all
        .iter()
        .filter(|o| user.perms.can_handle_cases_of(o.id))
        .filter(|o| {
            gongkai_domain::application::receives_applications(
                gongkai_domain::model::OrgKind::from_code(&o.kind),
            )
        })
        .map(|o| json!({"code": o.id.to_string(), "label": o.name, "selected": o.id.to_string() == f.org_id}))
        .collect();
    if orgs.is_empty() {
        return Err(AppError::forbidden());
    }
    let offline: Vec<Channel> = Channel::ALL
        .iter()
        .copied()
        .filter(|c| *c != Channel::Online)
        .collect();
    let html = render(
        state,
        user,
        "admin/application_new.html",
        "applications",
        json!({
            "orgs": orgs,
            "channels": code_options(&offline, Channel::code, |c| format!("{}（{}）", c.label(), c.receipt_rule()), &f.channel),
            "applicant_types": code_options(ApplicantType::ALL, ApplicantType::code, ApplicantType::full_label, &f.fields.applicant_type),
            "id_types": code_options(IdType::ALL, IdType::code, |t| t.label().to_string(), &f.fields.id_type),
            "deliveries": code_options(Delivery::ALL, Delivery::code, |t| t.label().to_string(), &f.fields.delivery),
            "values": {"submitted_on": f.submitted_on, "confirmed_on": f.confirmed_on, "name": f.fields.name,
                       "org_name": f.fields.org_name, "id_number": f.fields.id_number, "phone": f.fields.phone,
                       "email": f.fields.email, "address": f.fields.address, "description": f.fields.description,
                       "purpose": f.fields.purpose, "publish_consent": f.fields.publish_consent},
            "errors": form.map_or(json!({}), |(_, inv)| error_map(inv)),
            "today": gongkai_db::china_today().to_string(),
        }),
    )?;
    let status = if form.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// GET `/admin/applications/new`.
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    register_page(&state, &user, None).await
}

fn parse_date(
    inv: &mut Invalid,
    field: &'static str,
    label: &str,
    s: &str,
) -> Option<chrono::NaiveDate> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(d) => Some(d),
        Err(_) => {
            inv.push(field, format!("{label}格式应为 YYYY-MM-DD"));
            None
        }
    }
}

/// POST `/admin/applications`: registers an application received offline.
pub async fn register(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<RegisterForm>,
) -> Result<Response, AppError> {
    let mut inv = Invalid::default();
    let org_id: Option<i64> = f.org_id.trim().parse().ok();
    match org_id {
        Some(o) => app_applications::handles(&user.caller(), o)?,
        None => inv.push("org_id", "请选择受理机关"),
    }
    let channel = Channel::from_code(f.channel.trim()).filter(|c| *c != Channel::Online);
    if channel.is_none() {
        inv.push("channel", "请选择申请方式（当面、邮寄、传真或电子邮件）");
    }
    let submitted = parse_date(
        &mut inv,
        "submitted_on",
        "提交（寄出）日期",
        &f.submitted_on,
    );
    if submitted.is_none() && f.submitted_on.trim().is_empty() {
        inv.push("submitted_on", "请填写提交（寄出）日期");
    }
    let confirmed = parse_date(&mut inv, "confirmed_on", "签收或确认日期", &f.confirmed_on);
    let today = gongkai_db::china_today();
    let mut received = None;
    if let (Some(c), Some(s)) = (channel, submitted) {
        match receipt_date(c, s, confirmed) {
            Ok(r) if r > today => inv.push("confirmed_on", "收到申请之日不能晚于今天"),
            Ok(r) => received = Some(r),
            Err(e) => inv.errors.extend(e.errors),
        }
    }
    let input = match f.fields.validate() {
        Ok(i) => Some(i),
        Err(e) => {
            inv.errors.extend(e.errors);
            None
        }
    };
    let (Some(org_id), Some(channel), Some(submitted), Some(received), Some(input)) =
        (org_id, channel, submitted, received, input)
    else {
        return register_page(&state, &user, Some((&f, &inv))).await;
    };
    if !inv.is_empty() {
        return register_page(&state, &user, Some((&f, &inv))).await;
    }
    let mut bytes = [0u8; TRACKING_CODE_LEN];
    getrandom::fill(&mut bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    let code = tracking_code_from(&bytes);
    let fingerprint = crate::util::sha256_hex(&format!("offline:{code}"));
    let new = NewApplication {
        org_id,
        channel,
        input,
        submitted_on: submitted,
        received_on: received,
        tracking_code: code,
        fingerprint,
        submit_ip: String::new(),
    };
    let mut tx = state.db.begin_audited().await?;
    let id = app_applications::register(&mut tx, &user.caller(), &new).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/applications/{id}?notice=registered")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DetailQuery {
    notice: String,
}

pub(super) async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    error: Option<String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let row = load_for(&mut conn, user, id).await?;
    let cal = gongkai_db::calendar::load(&mut conn).await?;
    let events = db_apps::events(&mut conn, id).await?;
    let case = db_apps::case_of(&row, &events, &cal)?;
    let nth =
        db_apps::count_in_month(&mut conn, row.org_id, &row.id_number, row.received()).await?;
    let rules = gongkai_db::settings::case_settings(&mut conn).await?;
    let issued = issued_letters(&mut conn, id).await?;
    let corr = super::application_corr::context(&mut conn, &row).await?;
    drop(conn);
    let fee_noticed = case
        .events()
        .iter()
        .any(|e| matches!(e, CaseEvent::FeeNoticed { .. }));
    let today = gongkai_db::china_today();
    let deadline = case.deadline(&cal).ok();
    let working = deadline.as_ref().map(|d| d.lines()).unwrap_or_default();
    let progress = case.progress_text(&cal, today);
    let consultation_limit = case.consultation_limit(&cal).map(|d| d.to_string());
    let supplement_limit = case
        .supplement_notice_limit(&cal)
        .ok()
        .map(|d| d.to_string());
    let outcomes: Vec<_> = OutcomeGroup::ALL
        .iter()
        .map(|g| {
            json!({"label": g.label(), "options": Outcome::ALL.iter().filter(|o| o.group() == *g)
                .map(|o| json!({"code": o.code(), "label": o.full_label()})).collect::<Vec<_>>()})
        })
        .collect();
    let (fee_hint_yuan, fee_hint) = fee_explained(
        FeeScale::PerApplication,
        u32::try_from(nth).unwrap_or(u32::MAX),
    );
    let letters: Vec<_> = available_letters(&case)
        .into_iter()
        .map(|k| {
            let i = issued.iter().find(|l| l.kind() == Some(k));
            json!({"code": k.code(), "label": k.label(), "issued": i.map(|l| json!({
                "number": l.doc_number, "issued_on": l.issued_on, "by": l.issued_by_name}))})
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(
        state,
        user,
        "admin/application.html",
        "applications",
        json!({
            "app": {
                "id": row.id, "tracking_code": row.tracking_code, "org_name": row.org_name, "name": row.name,
                "org_name_applicant": row.org_name_applicant, "applicant_type": row.applicant_type_label(),
                "id_type": row.id_type_label(), "id_number": row.id_number, "phone": row.phone, "email": row.email,
                "address": row.address, "description": row.description, "purpose": row.purpose,
                "delivery": row.delivery_label(), "channel": row.channel_label(), "submitted_on": row.submitted_on,
                "received_on": row.received_on, "status": row.status, "status_label": row.status_label(),
                "outcome": row.outcome_label(), "answered_on": row.answered_on, "answer_text": row.answer_text,
                "fee_yuan": row.fee_yuan, "extended": case.is_extended(),
            },
            "flag": case.flag(&cal, today), "flag_label": case.flag(&cal, today).label(),
            "due": deadline.as_ref().and_then(|d| d.due).map(|d| d.to_string()),
            "working": working, "progress": progress, "supplement_limit": supplement_limit,
            "consultation_limit": consultation_limit,
            "timeline": timeline(&row, &events, false),
            "outcomes": outcomes, "review_kinds": code_options(ReviewKind::ALL, ReviewKind::code, |k| k.label().to_string(), ""),
            "review_results": code_options(ReviewResult::ALL, ReviewResult::code, |k| k.label().to_string(), ""),
            "consulted": code_options(Consulted::ALL, Consulted::code, |k| k.label().to_string(), ""),
            "fee_nth": nth, "fee_hint": fee_hint, "fee_hint_yuan": fee_hint_yuan,
            "letters": letters, "error": error, "notice": notice, "today": today.to_string(),
            "fee_noticed": fee_noticed, "fee_due": case.fee_due(), "fee_paid": case.fee_paid().map(|(_, a)| a),
            "fee_pauses_clock": rules.fee_pauses_clock,
            "consultation_days": case_consultation_days(&case).unwrap_or(rules.consultation_working_days),
            "corr": corr,
        }),
    )?;
    Ok((status, html).into_response())
}

/// The working days the case's open consultation allows, as fixed when it started.
fn case_consultation_days(case: &gongkai_domain::application::Case) -> Option<u32> {
    case.events().iter().rev().find_map(|e| match e {
        CaseEvent::ConsultationStarted {
            limit_working_days, ..
        } => Some(
            limit_working_days.unwrap_or(gongkai_domain::application::CONSULTATION_WORKING_DAYS),
        ),
        _ => None,
    })
}

/// GET `/admin/applications/{id}`.
pub async fn detail(
    State(state): State<AppState>,
    Visible { user, record }: Visible<ApplicationRow>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, AppError> {
    let id = record.id;
    let notice = match q.notice.as_str() {
        "registered" => Some("申请已登记，请预览并出具受理回执。"),
        "recorded" => Some("已记录，答复期限已重新计算；该事项的文书可预览并出具。"),
        "issued" => Some("文书已出具，文号已编排，出具后内容不再改动。"),
        "message_sent" => Some("留言已发送给申请人\u{3002}"),
        "files_added" => Some("答复附件已上传\u{FF0C}申请人可在办理进度页面下载\u{3002}"),
        "published" => Some("已公开到申请公开目录\u{3002}"),
        "unpublished" => Some("已从申请公开目录撤出\u{3002}"),
        _ => None,
    };
    detail_page(&state, &user, id, None, notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    action: String,
    on: String,
    due_by: String,
    note: String,
    consulted: String,
    party: String,
    working_days: String,
    approver: String,
    outcome: String,
    fee_scale: String,
    fee_quantity: String,
    review: String,
    result: String,
    receipt_no: String,
}

fn build_event(f: &ActionForm) -> Result<(CaseEvent, Option<AnswerExtra>), String> {
    let on: chrono::NaiveDate =
        f.on.trim()
            .parse()
            .map_err(|_| "请填写日期（YYYY-MM-DD）".to_string())?;
    if on > gongkai_db::china_today() {
        return Err("日期不能晚于今天".into());
    }
    let note: String = f.note.trim().chars().take(4000).collect();
    Ok(match f.action.as_str() {
        "supplement_request" => (
            CaseEvent::SupplementRequested {
                on,
                due_by: f
                    .due_by
                    .trim()
                    .parse()
                    .map_err(|_| "请填写补正期限（YYYY-MM-DD）".to_string())?,
                note,
            },
            None,
        ),
        "supplement_received" => (CaseEvent::SupplementReceived { on }, None),
        "consultation_start" => (
            CaseEvent::ConsultationStarted {
                on,
                consulted: Consulted::from_code(f.consulted.trim())
                    .ok_or("请选择征求意见的对象")?,
                note,
                party: f.party.trim().chars().take(100).collect(),
                limit_working_days: None,
            },
            None,
        ),
        "consultation_end" => (CaseEvent::ConsultationEnded { on }, None),
        "extend" => (
            CaseEvent::Extended {
                on,
                working_days: f
                    .working_days
                    .trim()
                    .parse()
                    .map_err(|_| "延长的工作日数应为1至20的整数".to_string())?,
                approver: f.approver.trim().chars().take(50).collect(),
                reason: note,
            },
            None,
        ),
        "fee_notice" => {
            let scale = FeeScale::from_code(f.fee_scale.trim()).ok_or("请选择收费方式")?;
            let quantity: u32 = f
                .fee_quantity
                .trim()
                .parse()
                .map_err(|_| "件数或页数应为正整数".to_string())?;
            (
                CaseEvent::FeeNoticed {
                    on,
                    scale,
                    quantity,
                    amount_yuan: fee_explained(scale, quantity).0,
                    pauses_clock: true,
                    note,
                },
                None,
            )
        }
        "fee_paid" => (
            CaseEvent::FeePaid {
                on,
                receipt_no: f.receipt_no.trim().chars().take(64).collect(),
            },
            None,
        ),
        "withdraw" => (CaseEvent::Withdrawn { on, note }, None),
        "answer" => {
            let outcome = Outcome::from_code(f.outcome.trim()).ok_or("请选择办理结果")?;
            (
                CaseEvent::Answered {
                    on,
                    outcome,
                    fee_yuan: 0,
                    note: String::new(),
                },
                Some(AnswerExtra {
                    text: note,
                    fee_scale: None,
                    fee_quantity: 0,
                }),
            )
        }
        "review" => (
            CaseEvent::Review {
                on,
                review: ReviewKind::from_code(f.review.trim()).ok_or("请选择行政复议或行政诉讼")?,
                result: ReviewResult::from_code(f.result.trim()).ok_or("请选择结果")?,
                note,
            },
            None,
        ),
        _ => return Err("未知的操作".into()),
    })
}

/// POST `/admin/applications/{id}/action`.
pub async fn action(
    State(state): State<AppState>,
    Visible { user, record }: Visible<ApplicationRow>,
    AdminForm(f): AdminForm<ActionForm>,
) -> Result<Response, AppError> {
    let id = record.id;
    let mut tx = state.db.begin_audited().await?;
    let row = load_for(&mut tx, &user, id).await?;
    let (event, extra) = match build_event(&f) {
        Ok(x) => x,
        Err(msg) => {
            drop(tx);
            return detail_page(&state, &user, id, Some(msg), None).await;
        }
    };
    match app_applications::record_event(&mut tx, &user.caller(), &row, event, extra.as_ref()).await
    {
        Ok(()) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return detail_page(&state, &user, id, Some(inv.summary()), None).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/applications/{id}?notice=recorded")).into_response())
}

/// GET `/admin/applications/{id}/letters/{kind}`: the letter as DOCX.
pub async fn letter(
    State(state): State<AppState>,
    Visible { record: row, .. }: Visible<ApplicationRow>,
    Path((_, kind)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let kind = LetterKind::from_code(&kind).ok_or_else(AppError::not_found)?;
    let mut conn = state.db.pool.acquire().await?;
    let bytes = letter_docx(&mut conn, row.id, kind).await?;
    Ok(docx_response(bytes, kind, &row.tracking_code))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplatesQuery {
    org: String,
    notice: String,
}

pub(super) async fn templates_page(
    state: &AppState,
    user: &CurrentUser,
    org: &str,
    error: Option<(TemplateId, String, String)>,
    notice: Option<&str>,
    settings_error: Option<(gongkai_domain::application::letter::Settings, String)>,
) -> Result<Response, AppError> {
    let (settings_form, settings_error) = match settings_error {
        Some((s, e)) => (Some(s), Some(e)),
        None => (None, None),
    };
    let mut conn = state.db.pool.acquire().await?;
    let all = gongkai_db::orgs::all(&mut conn).await?;
    let mine: Vec<_> = all
        .iter()
        .filter(|o| user.perms.can_handle_cases_of(o.id))
        .collect();
    let Some(first) = mine.first() else {
        return Err(AppError::forbidden());
    };
    let org_id = org
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| mine.iter().any(|o| o.id == *id))
        .unwrap_or(first.id);
    let mut kinds = Vec::new();
    for k in TemplateId::all() {
        let (body, custom) = db_apps::letter_template(&mut conn, org_id, k).await?;
        let (body, err) = match &error {
            Some((ek, text, msg)) if *ek == k => (text.clone(), Some(msg.clone())),
            _ => (body, None),
        };
        kinds.push(json!({"code": k.code(), "label": k.label(), "body": body, "custom": custom, "error": err}));
    }
    let (settings, settings_saved) =
        gongkai_db::application_letters::settings(&mut conn, org_id).await?;
    drop(conn);
    let orgs: Vec<_> = mine
        .iter()
        .map(|o| json!({"id": o.id, "name": o.name, "selected": o.id == org_id}))
        .collect();
    let placeholders: Vec<_> = PLACEHOLDERS
        .iter()
        .map(|(p, d)| json!({"name": format!("{{{{{p}}}}}"), "desc": d}))
        .collect();
    let status = if error.is_some() || settings_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(
        state,
        user,
        "admin/application_templates.html",
        "applications",
        json!({"orgs": orgs, "org_id": org_id, "kinds": kinds, "placeholders": placeholders, "notice": notice,
            "settings": settings_form.unwrap_or(settings), "settings_saved": settings_saved, "settings_error": settings_error}),
    )?;
    Ok((status, html).into_response())
}

/// GET `/admin/applications/templates`.
pub async fn templates(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<TemplatesQuery>,
) -> Result<Response, AppError> {
    let notice = match q.notice.as_str() {
        "saved" => Some("模板已保存。"),
        "reset" => Some("已恢复默认模板。"),
        "settings" => Some("文书设置已保存。"),
        _ => None,
    };
    templates_page(&state, &user, &q.org, None, notice, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TemplateForm {
    org_id: String,
    kind: String,
    body: String,
    reset: String,
}

/// POST `/admin/applications/templates`: saves or resets one template of one organisation.
pub async fn save_template(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<TemplateForm>,
) -> Result<Response, AppError> {
    let org_id: i64 = f
        .org_id
        .trim()
        .parse()
        .map_err(|_| AppError::BadRequest("机构无效".into()))?;
    app_applications::handles(&user.caller(), org_id)?;
    let kind = TemplateId::from_code(f.kind.trim())
        .ok_or_else(|| AppError::BadRequest("文书类型无效".into()))?;
    let reset = !f.reset.is_empty();
    let mut tx = state.db.begin_audited().await?;
    let body = (!reset).then_some(f.body.as_str());
    match app_applications::set_letter_template(&mut tx, &user.caller(), org_id, kind, body).await {
        Ok(()) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return templates_page(
                &state,
                &user,
                &org_id.to_string(),
                Some((kind, f.body.clone(), inv.summary())),
                None,
                None,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    let n = if reset { "reset" } else { "saved" };
    Ok(Redirect::to(&format!(
        "/admin/applications/templates?org={org_id}&notice={n}"
    ))
    .into_response())
}
