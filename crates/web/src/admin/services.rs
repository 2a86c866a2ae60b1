//! 事项目录 in the back office: the catalogue with each organisation's completeness, a service
//! item's guide form (materials as rows with their sample forms, uploaded through
//! `crate::upload`), its review workflow and versions, and the completeness rule (system
//! administrators). Use cases are `gongkai_app::services`.

use super::common::{org_options, render};
use crate::auth::CurrentUser;
use crate::error::error_map;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::services::{self as app, Step};
use gongkai_db::orgs;
use gongkai_db::services::{self, ServiceRow};
use gongkai_domain::Invalid;
use gongkai_domain::service::fields::MaterialFields;
use gongkai_domain::service::{
    self as svc, Audience, Element, Guide, GuideFields, ItemType, Level, MaterialForm, Rule, Theme,
    Visits,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// Empty material rows the form offers beyond the filled ones.
const SPARE_ROWS: usize = 3;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NoticeQuery {
    notice: String,
}

fn notice_text(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "已创建事项\u{FF0C}完善办事指南后提交审核\u{3002}",
        "saved" => "已保存\u{3002}",
        "submitted" => "已提交审核\u{3002}",
        "approved" => "已审核通过本级\u{3002}",
        "returned" => "已退回修改\u{3002}",
        "published" => "已发布\u{FF0C}公众现在可以在办事服务中看到该办事指南\u{3002}",
        "withdrawn" => "已撤回\u{FF0C}该办事指南已从门户和搜索中移除\u{3002}",
        "guard_released" => "已放行所选内容\u{FF0C}放行记入操作日志\u{3002}",
        "rule" => "已保存办事指南必备要素\u{3002}",
        "imported" => "已导入事项目录\u{FF0C}各事项为草稿\u{FF0C}请完善后提交审核\u{3002}",
        _ => return None,
    })
}

fn vocab<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Value> {
    all.iter()
        .map(|v| json!({"code": code(*v), "label": label(*v)}))
        .collect()
}

/// The vocabularies the guide form offers.
fn choices() -> Value {
    json!({
        "levels": vocab(Level::ALL, Level::code, Level::label),
        "types": vocab(ItemType::ALL, ItemType::code, ItemType::label),
        "audiences": vocab(Audience::ALL, Audience::code, Audience::label),
        "themes": vocab(Theme::ALL, Theme::code, Theme::label),
        "forms": vocab(MaterialForm::ALL, MaterialForm::code, MaterialForm::label),
        "visits": vocab(Visits::ALL, Visits::code, Visits::label),
    })
}

/// GET /admin/services: the catalogue and each organisation's completeness under the rule.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let scope = user.perms.viewable_orgs();
    if scope.as_ref().is_some_and(|s| s.is_empty()) {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let rows = services::list(&mut conn, scope.as_deref()).await?;
    let rule = services::rule(&mut conn).await?;
    drop(conn);
    let mut per_org: Vec<(i64, String, usize, usize, usize)> = Vec::new();
    let items: Vec<Value> = rows
        .iter()
        .map(|r| {
            let missing = rule.missing(&r.guide());
            let complete = missing.is_empty();
            match per_org.iter_mut().find(|o| o.0 == r.org_id) {
                Some(o) => {
                    o.2 += 1;
                    o.3 += complete as usize;
                    o.4 += r.is_public() as usize;
                }
                None => per_org.push((r.org_id, r.org_name.clone(), 1, complete as usize, r.is_public() as usize)),
            }
            json!({"id": r.id, "name": r.name, "code": r.code, "org": r.org_name, "level": r.level().label(),
                   "state": r.state().label(), "public": r.is_public(), "version": r.live_version,
                   "missing": missing.iter().map(|e| e.label()).collect::<Vec<_>>()})
        })
        .collect();
    let orgs: Vec<Value> = per_org
        .iter()
        .map(|(_, name, n, complete, public)| {
            json!({"name": name, "total": n, "complete": complete, "public": public,
                   "percent": complete * 100 / (*n).max(1)})
        })
        .collect();
    let may_create = user.perms.editable_orgs().is_none_or(|o| !o.is_empty());
    let html = render(
        &state,
        &user,
        "admin/services.html",
        "services",
        json!({"items": items, "orgs": orgs, "may_create": may_create,
               "may_set_rule": user.perms.can_set_guide_rule(),
               "rule": rule.elements().iter().map(|e| e.label()).collect::<Vec<_>>(),
               "notice": notice_text(&q.notice)}),
    )?;
    Ok(html.into_response())
}

/// A guide form as submitted: the fields, the chosen organisation, the version loaded, and the
/// material rows' files (a new upload, or the stored file of a row kept).
pub struct Submission {
    pub org_id: String,
    pub version: i64,
    pub fields: GuideFields,
    /// Per material row as posted (blank rows included): an upload, or the index of the stored
    /// row whose file it keeps.
    files: Vec<RowFile>,
}

/// A material row's file as posted: a new upload (name, bytes), or the stored row it keeps.
#[derive(Default)]
struct RowFile {
    upload: Option<(String, Vec<u8>)>,
    keep: Option<usize>,
}

async fn read_submission(mut mp: Multipart) -> Result<Submission, AppError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::PayloadTooLarge("上传内容超过大小限制".into())
        } else {
            AppError::BadRequest(format!(
                "提交的表单无法解析\u{FF0C}请重新提交\u{FF08}{}\u{FF09}",
                e.body_text()
            ))
        }
    };
    let mut s = Submission {
        org_id: String::new(),
        version: 0,
        fields: GuideFields::default(),
        files: Vec::new(),
    };
    let mut rows: Vec<MaterialFields> = Vec::new();
    while let Some(field) = mp.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_string();
        // material_<part>_<row>
        if let Some(rest) = name.strip_prefix("material_")
            && let Some((part, n)) = rest.rsplit_once('_')
            && let Ok(n) = n.parse::<usize>()
            && n < svc::fields::MAX_ROWS + SPARE_ROWS
        {
            if rows.len() <= n {
                rows.resize_with(n + 1, Default::default);
                s.files.resize_with(n + 1, Default::default);
            }
            if part == "file" {
                let file_name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(bad)?;
                if !file_name.is_empty() || !bytes.is_empty() {
                    s.files[n].upload = Some((file_name, bytes.to_vec()));
                }
                continue;
            }
            let value = field.text().await.map_err(bad)?;
            match part {
                "name" => rows[n].name = value,
                "form" => rows[n].form = value,
                "copies" => rows[n].copies = value,
                "source" => rows[n].source = value,
                "keep" => s.files[n].keep = value.trim().parse().ok(),
                _ => {}
            }
            continue;
        }
        let value = field.text().await.map_err(bad)?;
        let f = &mut s.fields;
        match name.as_str() {
            "org_id" => s.org_id = value,
            "version" => s.version = value.trim().parse().unwrap_or(0),
            "level" => f.level = value,
            "name" => f.name = value,
            "code" => f.code = value,
            "item_type" => f.item_type = value,
            "competent_dept" => f.competent_dept = value,
            "implementing_org" => f.implementing_org = value,
            "basis" => f.basis = value,
            "audience" => f.audience = value,
            "themes" => f.themes.push(value),
            "service_object" => f.service_object = value,
            "conditions" => f.conditions = value,
            "steps" => f.steps = value,
            "channels" => f.channels = value,
            "place" => f.place = value,
            "hours" => f.hours = value,
            "legal_days" => f.legal_days = value,
            "promised_days" => f.promised_days = value,
            "fee_kind" => f.fee_kind = value,
            "fee_basis" => f.fee_basis = value,
            "fee_amount" => f.fee_amount = value,
            "result" => f.result = value,
            "delivery" => f.delivery = value,
            "phone" => f.phone = value,
            "complaint_phone" => f.complaint_phone = value,
            "faq" => f.faq = value,
            "visits" => f.visits = value,
            "change_note" => f.change_note = value,
            _ => {}
        }
    }
    s.fields.materials = rows;
    Ok(s)
}

/// Validates the submission into a guide, storing each new sample form; `before` is the stored
/// guide whose files kept rows refer to.
async fn guide_of(
    state: &AppState,
    s: &Submission,
    before: Option<&Guide>,
) -> Result<Result<(Level, Guide), Invalid>, AppError> {
    let (level, mut guide) = match s.fields.validate() {
        Ok(v) => v,
        Err(inv) => return Ok(Err(inv)),
    };
    // Materials kept their order, blank rows dropped: pair them with the posted rows' files.
    let filled: Vec<usize> = s
        .fields
        .materials
        .iter()
        .enumerate()
        .filter(|(_, m)| !(m.name.trim().is_empty() && m.source.trim().is_empty()))
        .map(|(i, _)| i)
        .collect();
    let mut inv = Invalid::default();
    for (material, row) in guide.materials.iter_mut().zip(filled) {
        let Some(RowFile { upload, keep }) = s.files.get(row) else {
            continue;
        };
        if let Some((name, bytes)) = upload {
            if let Some(u) =
                crate::upload::check(name, bytes.clone(), state.config.max_upload_bytes, &mut inv)
            {
                let sha = state.storage.put(&u.bytes).await?;
                material.file = Some(svc::FormFile {
                    sha256: sha,
                    file_name: u.file_name,
                    content_type: u.content_type.to_string(),
                    size: u.bytes.len() as i64,
                });
            }
        } else if let Some(k) = keep {
            material.file = before
                .and_then(|g| g.materials.get(*k))
                .and_then(|m| m.file.clone());
        }
    }
    if !inv.is_empty() {
        return Ok(Err(inv));
    }
    Ok(Ok((level, guide)))
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    row: Option<&ServiceRow>,
    submitted: Option<(&Submission, &Invalid)>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    let rule = services::rule(&mut conn).await?;
    drop(conn);
    let editable: Vec<i64> = all
        .iter()
        .map(|o| o.id)
        .filter(|id| user.perms.can_edit_services_of(*id))
        .collect();
    let (fields, org_id, version, errors) = match (submitted, row) {
        (Some((s, inv)), _) => (
            s.fields.clone(),
            s.org_id.clone(),
            s.version,
            error_map(inv),
        ),
        (None, Some(r)) => (
            GuideFields::of(r.level(), &r.guide()),
            r.org_id.to_string(),
            r.version,
            json!({}),
        ),
        (None, None) => (GuideFields::default(), String::new(), 0, json!({})),
    };
    let stored = row.map(ServiceRow::guide);
    // Which stored row's form a row keeps: its own when editing, what was posted after a refusal.
    let keep_of = |i: usize| match submitted {
        Some((s, _)) => s.files.get(i).and_then(|f| f.keep),
        None => Some(i),
    };
    let mut materials: Vec<Value> = fields
        .materials
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let keep = keep_of(i);
            let file = keep
                .and_then(|k| stored.as_ref().and_then(|g| g.materials.get(k)))
                .and_then(|m| m.file.as_ref());
            json!({"name": m.name, "form": m.form, "copies": m.copies, "source": m.source,
                   "file": file.map(|f| &f.file_name), "keep": file.and(keep)})
        })
        .collect();
    for _ in 0..SPARE_ROWS {
        materials.push(json!({"name": "", "form": "original", "copies": "1", "source": ""}));
    }
    let required: Vec<&str> = rule.elements().iter().map(|e| e.code()).collect();
    let status = if submitted.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = render(
        state,
        user,
        "admin/service_form.html",
        "services",
        json!({"row": row.map(|r| json!({"id": r.id, "name": r.name, "published": r.live_version > 0})),
               "f": fields, "org_id": org_id, "version": version, "errors": errors,
               "orgs": org_options(&all, Some(&editable)), "materials": materials,
               "choices": choices(), "required": required}),
    )?;
    Ok((status, html).into_response())
}

/// GET /admin/services/new
pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.editable_orgs().is_none_or(|o| !o.is_empty()))?;
    form_page(&state, &user, None, None).await
}

/// POST /admin/services (multipart)
pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    mp: Multipart,
) -> Result<Response, AppError> {
    let s = read_submission(mp).await?;
    let org_id: i64 = match s.org_id.trim().parse() {
        Ok(id) => id,
        Err(_) => {
            let inv = Invalid::one("org_id", "请选择事项所属机构");
            return form_page(&state, &user, None, Some((&s, &inv))).await;
        }
    };
    let (level, guide) = match guide_of(&state, &s, None).await? {
        Ok(v) => v,
        Err(inv) => return form_page(&state, &user, None, Some((&s, &inv))).await,
    };
    let mut tx = state.db.begin_audited().await?;
    match app::create(&mut tx, &user.caller(), org_id, level, &guide).await {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/services/{id}?notice=created")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            form_page(&state, &user, None, Some((&s, &inv))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn visible(state: &AppState, user: &CurrentUser, id: i64) -> Result<ServiceRow, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    Ok(app::visible(&mut conn, &user.caller(), id).await?)
}

/// GET /admin/services/{id}/edit
pub async fn edit_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    user.require(user.perms.can_edit_services_of(row.org_id))?;
    form_page(&state, &user, Some(&row), None).await
}

/// POST /admin/services/{id}/edit (multipart)
pub async fn update(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    let s = read_submission(mp).await?;
    let (level, guide) = match guide_of(&state, &s, Some(&row.guide())).await? {
        Ok(v) => v,
        Err(inv) => return form_page(&state, &user, Some(&row), Some((&s, &inv))).await,
    };
    let mut tx = state.db.begin_audited().await?;
    let caller = user.caller();
    match app::edit(
        &mut tx,
        &caller,
        &row,
        s.version,
        level,
        &guide,
        &s.fields.change_note,
    )
    .await
    {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/services/{id}?notice=saved")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            form_page(&state, &user, Some(&row), Some((&s, &inv))).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    notice: Option<&str>,
    refused: Option<&Invalid>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let row = app::visible(&mut conn, &user.caller(), id).await?;
    let facts = services::facts(
        &mut conn,
        &row,
        Some(user.id),
        app::rights(&user.perms, row.org_id),
    )
    .await?;
    let versions = services::versions(&mut conn, id).await?;
    let rule = services::rule(&mut conn).await?;
    let report = app::guard_report(&mut conn, &row).await?;
    let may_release = app::release_allowed(&mut conn, &user.caller(), &row).await?;
    drop(conn);
    let guard: Vec<Value> = report
        .iter()
        .map(|(h, released)| {
            json!({"location": h.location(), "kind_label": h.hit.kind_label, "before": h.hit.before,
                   "matched": h.hit.matched, "after": h.hit.after, "masked": h.hit.masked,
                   "key": gongkai_app::guard::hit_key(h), "released": released})
        })
        .collect();
    let guard_blocking = report.iter().any(|(_, r)| !r);
    let guide = row.guide();
    let missing: Vec<&str> = rule.missing(&guide).iter().map(|e| e.label()).collect();
    let actions: Vec<Value> = svc::allowed(row.state(), &facts)
        .into_iter()
        .map(|a| json!({"code": a.code(), "label": a.label()}))
        .collect();
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| {
            json!({"number": v.number, "note": v.change_note, "by": v.published_by,
                        "at": gongkai_db::workflow::china_time(v.published_at)})
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/service.html",
        "services",
        json!({"s": {"id": row.id, "name": row.name, "org": row.org_name, "level": row.level().label(),
                     "state": row.state().label(), "public": row.is_public(), "live_version": row.live_version,
                     "change_note": row.change_note},
               "g": crate::portal::bsfw::guide_view(&guide, row.id, "/admin/services"),
               "missing": missing, "actions": actions, "versions": versions,
               "may_edit": user.perms.can_edit_services_of(row.org_id),
               "guard": guard, "guard_blocking": guard_blocking, "may_release": may_release,
               "errors": refused.map(error_map), "notice": notice}),
    )?;
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// GET /admin/services/{id}
pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    detail_page(&state, &user, id, notice_text(&q.notice), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WorkflowForm {
    action: String,
    comment: String,
}

/// POST /admin/services/{id}/workflow: submit, approve, return, publish or withdraw.
pub async fn workflow(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    super::common::AdminForm(f): super::common::AdminForm<WorkflowForm>,
) -> Result<Response, AppError> {
    let (step, notice) = match f.action.as_str() {
        "submit" => (Step::Submit, "submitted"),
        "approve" => (
            Step::Review {
                approve: true,
                comment: f.comment,
            },
            "approved",
        ),
        "return" => (
            Step::Review {
                approve: false,
                comment: f.comment,
            },
            "returned",
        ),
        "publish" => (Step::Publish, "published"),
        "withdraw" => (Step::Withdraw { reason: f.comment }, "withdrawn"),
        _ => return Err(AppError::BadRequest("未知的操作".into())),
    };
    let mut tx = state.db.begin_audited().await?;
    let caller = user.caller();
    let row = app::visible(&mut tx, &caller, id).await?;
    match app::transition(&mut tx, &caller, &row, step).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/services/{id}?notice={notice}")).into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            detail_page(&state, &user, id, None, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// POST /admin/services/{id}/guard/release: 放行 the hits ticked (`release_hit_*` fields, each a
/// hit's key) with `override_reason`; only those, never by the guide's authors.
pub async fn guard_release(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    super::common::AdminForm(f): super::common::AdminForm<
        std::collections::HashMap<String, String>,
    >,
) -> Result<Response, AppError> {
    let (keys, reason) = super::guard::release_request(&f);
    let mut tx = state.db.begin_audited().await?;
    let caller = user.caller();
    let row = app::visible(&mut tx, &caller, id).await?;
    match app::release_hits(&mut tx, &caller, &row, &reason, &keys).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(
                Redirect::to(&format!("/admin/services/{id}?notice=guard_released"))
                    .into_response(),
            )
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            detail_page(&state, &user, id, None, Some(&inv)).await
        }
        Err(e) => Err(e.into()),
    }
}

/// GET /admin/services/{id}/forms/{n}: the working version's sample form of material `n`.
pub async fn form_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, n)): Path<(i64, usize)>,
) -> Result<Response, AppError> {
    let row = visible(&state, &user, id).await?;
    let file = row
        .guide()
        .materials
        .get(n)
        .and_then(|m| m.file.clone())
        .ok_or_else(AppError::not_found)?;
    let bytes = state.storage.get(&file.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &file.content_type,
        &file.file_name,
        None,
        Some("private, no-cache"),
    ))
}

/// GET /admin/services/rule
pub async fn rule_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    user.require(user.perms.can_set_guide_rule())?;
    let mut conn = state.db.pool.acquire().await?;
    let rule = services::rule(&mut conn).await?;
    drop(conn);
    rule_page(&state, &user, &rule, None)
}

fn rule_page(
    state: &AppState,
    user: &CurrentUser,
    rule: &Rule,
    error: Option<&str>,
) -> Result<Response, AppError> {
    let elements: Vec<Value> = Element::ALL
        .iter()
        .map(|e| json!({"code": e.code(), "label": e.label(), "checked": rule.requires(*e)}))
        .collect();
    let html = render(
        state,
        user,
        "admin/service_rule.html",
        "services",
        json!({"elements": elements, "error": error}),
    )?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// POST /admin/services/rule (urlencoded, repeated `elements`)
pub async fn rule_save(
    State(state): State<AppState>,
    user: CurrentUser,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    user.require(user.perms.can_set_guide_rule())?;
    let codes: Vec<String> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "elements")
        .map(|(_, v)| v.into_owned())
        .collect();
    let rule = match Rule::parse(&codes.join(",")) {
        Ok(r) => r,
        Err(m) => {
            let shown = Rule::new(codes.iter().filter_map(|c| Element::from_code(c)).collect());
            return rule_page(&state, &user, &shown, Some(&m));
        }
    };
    let mut tx = state.db.begin_audited().await?;
    app::set_rule(&mut tx, &user.caller(), &rule).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/services?notice=rule").into_response())
}
