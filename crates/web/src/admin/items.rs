//! The item editor: list, create, edit, save draft, save and submit or publish now, attachments.
//! The workflow's other transitions are in `workflow.rs`.
//! **Every handler checks the user's rights on the item's organisation** (and on the target
//! organisation when it changes); items of other organisations are answered with 404.

use super::common::{AdminForm, column_rows, error_map, notice_text, org_options, render};
use super::guard;
use super::upload::{self, Upload};
use super::visible::Visible;
use crate::auth::CurrentUser;
use crate::util::page_param;
use crate::{AppError, AppState};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_app::items::{self as app_items, Edited, GuardRelease, SavedPublish, Transition};
use gongkai_db::items::{self, AdminQuery, Item};
use gongkai_db::{attachments, columns, interpretations, orgs, settings};
use gongkai_domain::Invalid;
use gongkai_domain::item::ItemFields;
use gongkai_domain::model::{BodyFormat, Disclosure, ItemStatus, LegalForm, Validity};
use gongkai_domain::role::Role;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    q: Option<String>,
    page: Option<String>,
    notice: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let orgs_scope = user.perms.viewable_orgs();
    if orgs_scope.as_ref().is_some_and(|o| o.is_empty()) {
        return Err(AppError::forbidden());
    }
    let status = q.status.as_deref().and_then(ItemStatus::from_code);
    let title =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
    let query = AdminQuery {
        orgs: orgs_scope.clone(),
        status,
        title_contains: title.clone(),
        column_id: None,
    };
    let mut conn = state.db.pool.acquire().await?;
    let page = items::admin_list(&mut conn, &query, page_param(q.page.as_deref()), 20).await?;
    let counts = items::count_by_status(&mut conn, orgs_scope.as_deref()).await?;
    let rows: Vec<_> = page
        .rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "title": r.title, "org_name": r.org_name, "status": r.status,
                "status_label": ItemStatus::from_code(&r.status).map(|s| s.label()).unwrap_or(""),
                "disclosure_label": Disclosure::from_code(&r.disclosure).map(|d| d.label()).unwrap_or(""),
                "index_no": r.index_no, "published_at": r.published_at, "updated_at": r.updated_at,
                "public": r.status == "published" && r.disclosure == "proactive",
            })
        })
        .collect();
    let base = format!(
        "/admin/items?status={}&q={}",
        status.map(|s| s.code()).unwrap_or(""),
        urlencode(title.as_deref().unwrap_or(""))
    );
    let counts: serde_json::Map<String, serde_json::Value> =
        counts.into_iter().map(|(k, v)| (k, json!(v))).collect();
    let can_create = user.perms.editable_orgs().is_none_or(|o| !o.is_empty());
    let html = render(
        &state,
        &user,
        "admin/items.html",
        "items",
        json!({
            "rows": rows, "total": page.total, "page": page.page, "pages": page.pages(), "base_url": base,
            "status": status.map(|s| s.code()), "q": title, "counts": counts, "can_create": can_create,
            "statuses": ItemStatus::ALL.iter().map(|s| json!({"code": s.code(), "label": s.label()})).collect::<Vec<_>>(),
            "notice": notice_text(q.notice.as_deref()),
        }),
    )?;
    Ok(html.into_response())
}

pub(crate) use crate::portal::percent_encode as urlencode;

/// What an editor form submits.
struct Submission {
    fields: ItemFields,
    version: i64,
    action: String,
    uploads: Vec<(String, Vec<u8>)>,
    /// The reason for 直接发布(先发后审) (`action=publish`).
    publish_reason: String,
    /// `major` (实质性修改) or minor (勘误) for a change to a published item.
    change_kind: String,
    /// The public 修改说明 of a major change.
    change_note: String,
    /// 落实的公开义务 chosen on the form; `links_shown` says the form offered the choice (an
    /// empty selection then removes every link).
    obligation_ids: Vec<String>,
    links_shown: bool,
}

async fn read_submission(mut mp: Multipart) -> Result<Submission, AppError> {
    let mut s = Submission {
        fields: ItemFields::default(),
        version: 0,
        action: "save".into(),
        uploads: Vec::new(),
        publish_reason: String::new(),
        change_kind: String::new(),
        change_note: String::new(),
        obligation_ids: Vec::new(),
        links_shown: false,
    };
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
        let f = &mut s.fields;
        match name.as_str() {
            "version" => s.version = value.trim().parse().unwrap_or(0),
            "action" => s.action = value,
            "publish_reason" => s.publish_reason = value,
            "change_kind" => s.change_kind = value,
            "change_note" => s.change_note = value,
            "obligation_ids" => s.obligation_ids.push(value),
            "links_shown" => s.links_shown = true,
            "title" => f.title = value,
            "summary" => f.summary = value,
            "body_format" => f.body_format = value,
            "body" => f.body = value,
            "org_id" => f.org_id = value,
            "column_ids" => f.column_ids.push(value),
            "disclosure" => f.disclosure = value,
            "disclosure_reason" => f.disclosure_reason = value,
            "topic_category" => f.topic_category = value,
            "issuing_authority" => f.issuing_authority = value,
            "written_on" => f.written_on = value,
            "doc_number" => f.doc_number = value,
            "keywords" => f.keywords = value,
            "validity" => f.validity = value,
            "publish_date" => f.publish_date = value,
            "interprets_item_id" => f.interprets_item_id = value,
            "cross_org_interpretation" => f.cross_org_interpretation = value,
            "validity_changed_on" => f.validity_changed_on = value,
            "replaced_by_item_id" => f.replaced_by_item_id = value,
            "legal_form" => f.legal_form = value,
            _ => {}
        }
    }
    Ok(s)
}

struct FormPage<'a> {
    item: Option<&'a Item>,
    fields: &'a ItemFields,
    errors: Option<&'a Invalid>,
    notice: Option<&'static str>,
    editable: bool,
    /// The links as submitted, when re-showing a refused form.
    links: Option<&'a [String]>,
}

async fn render_form(
    state: &AppState,
    user: &CurrentUser,
    p: FormPage<'_>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let site = columns::default_site(&mut conn).await?;
    let cols = columns::all(&mut conn, site.id).await?;
    let allowed = user.perms.editable_orgs();
    let mut org_opts = org_options(&all_orgs, allowed.as_deref());
    // A read-only viewer still needs to see the item's own organisation.
    if let Some(item) = p.item
        && !org_opts.iter().any(|o| o["id"] == json!(item.org_id))
        && let Some(o) = all_orgs.iter().find(|o| o.id == item.org_id)
    {
        org_opts.insert(
            0,
            json!({"id": o.id, "name": o.name, "label": o.name, "depth": 0}),
        );
    }
    let attachments = match p.item {
        Some(i) => attachments::of_item(&mut conn, i.id).await?,
        None => Vec::new(),
    };
    let guard_hits = match p.item {
        Some(i) => gongkai_app::guard::hits_for(&mut conn, i).await?,
        None => Vec::new(),
    };
    // The hits still blocking (the others were released one by one), and whether this user may
    // release them: never the item's author.
    let (blocking, can_release) = match p.item {
        Some(i) if !guard_hits.is_empty() => (
            gongkai_app::guard::blocking_hits_of(&mut conn, i.id).await?,
            gongkai_app::guard::release_allowed(&mut conn, &user.caller(), i).await?,
        ),
        _ => (Vec::new(), false),
    };
    // Only documents the user may see: public ones and those of their own organisations.
    let policies: Vec<_> = interpretations::policy_options(&mut conn, 500)
        .await?
        .into_iter()
        .filter(|o| {
            o.disclosure == Disclosure::Proactive.code() || user.perms.can_view_items_of(o.org_id)
        })
        .collect();
    let interprets_listed = policies
        .iter()
        .any(|o| o.id.to_string() == p.fields.interprets_item_id.trim());
    let interpretation_limit = settings::interpretation_limit(&mut conn).await?;
    // 落实的公开义务 : the obligations of the item's organisation (or, for a new item, of the
    // organisation chosen on the form) in active plans.
    let link_org = p
        .item
        .map(|i| i.org_id)
        .or_else(|| p.fields.org_id.trim().parse::<i64>().ok())
        .or_else(|| org_opts.first().and_then(|o| o["id"].as_i64()));
    let link_options: Vec<serde_json::Value> = match link_org {
        Some(org) if user.perms.can_view_items_of(org) => {
            gongkai_db::obligation_links::options(&mut conn, org)
                .await?
                .iter()
                .map(|o| json!({"id": o.id, "label": o.label()}))
                .collect()
        }
        _ => Vec::new(),
    };
    let linked: Vec<i64> = match p.item {
        Some(i) if p.links.is_none() => {
            gongkai_db::obligation_links::of_item(&mut conn, i.id).await?
        }
        _ => p
            .links
            .map(|v| v.iter().filter_map(|s| s.trim().parse().ok()).collect())
            .unwrap_or_default(),
    };
    let workflow = match p.item {
        Some(i) => Some(super::workflow::panel(&mut conn, user, i).await?),
        None => None,
    };
    let item_json = p.item.map(|i| {
        json!({
            "id": i.id, "status": i.status, "status_label": i.status().label(), "version": i.version,
            "index_no": i.index_no, "published_at": i.published_at, "updated_at": i.updated_at,
            "public": i.is_public(), "title": i.title,
        })
    });
    let html = render(
        state,
        user,
        "admin/item_form.html",
        "items",
        json!({
            "item": item_json,
            "workflow": workflow,
            "f": p.fields,
            // A Markdown body as sanitized HTML, for the editor to start from when the editor
            // switches the body to rich text.
            "body_as_html": (p.fields.body_format != "html" && !p.fields.body.trim().is_empty())
                .then(|| gongkai_domain::content::render_body(BodyFormat::Markdown, &p.fields.body)),
            "errors": p.errors.map(error_map).unwrap_or(json!({})),
            "error_list": p.errors.map(|e| e.errors.iter().map(|x| x.message.clone()).collect::<Vec<_>>()).unwrap_or_default(),
            "org_options": org_opts,
            "columns": column_rows(&cols),
            "attachments": attachments,
            "guard_hits": guard::hits_json(&guard_hits, Some(&blocking)),
            "guard_blocking": blocking.len(),
            "can_release_guard": can_release,
            "editable": p.editable,
            "notice": p.notice,
            "body_formats": BodyFormat::ALL.iter().map(|b| json!({"code": b.code(), "label": b.label()})).collect::<Vec<_>>(),
            "disclosures": Disclosure::ALL.iter().map(|d| json!({"code": d.code(), "label": d.label()})).collect::<Vec<_>>(),
            "policies": policies,
            "interprets_listed": interprets_listed,
            "interpretation_limit": interpretation_limit,
            "link_options": link_options,
            "linked": linked,
            "can_override_drafter": user.perms.is_system_admin() || user.perms.has_global(Role::Supervisor),
            "legal_forms": LegalForm::ALL.iter().map(|v| json!({"code": v.code(), "label": v.label()})).collect::<Vec<_>>(),
            "validities": Validity::ALL.iter().map(|v| json!({"code": v.code(), "label": v.label()})).collect::<Vec<_>>(),
            "allowed_extensions": upload::allowed_extensions(),
            "max_upload_mb": state.config.max_upload_bytes / 1024 / 1024,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let allowed = user.perms.editable_orgs();
    if allowed.as_ref().is_some_and(|o| o.is_empty()) {
        return Err(AppError::forbidden());
    }
    let mut fields = ItemFields::blank();
    if let Some(first) = allowed.as_ref().and_then(|o| o.first()) {
        fields.org_id = first.to_string();
    }
    render_form(
        &state,
        &user,
        FormPage {
            item: None,
            fields: &fields,
            errors: None,
            notice: None,
            editable: true,
            links: None,
        },
        StatusCode::OK,
    )
    .await
}

/// Validates uploads; adds problems to `inv`.
fn check_uploads(state: &AppState, raw: Vec<(String, Vec<u8>)>, inv: &mut Invalid) -> Vec<Upload> {
    raw.into_iter()
        .filter_map(|(name, bytes)| upload::check(&name, bytes, state.config.max_upload_bytes, inv))
        .collect()
}

async fn store_uploads(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    item_id: i64,
    uploads: &[Upload],
) -> Result<(), AppError> {
    for u in uploads {
        let sha = state.storage.put(&u.bytes).await?;
        attachments::add(
            conn,
            &user.actor(),
            &attachments::NewAttachment {
                item_id,
                file_name: &u.file_name,
                content_type: u.content_type,
                size_bytes: u.bytes.len() as i64,
                sha256: &sha,
                text: &u.text,
            },
        )
        .await?;
    }
    Ok(())
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    mp: Multipart,
) -> Result<Response, AppError> {
    let sub = read_submission(mp).await?;
    let mut inv = Invalid::default();
    let input = sub.fields.validate();
    let uploads = check_uploads(&state, sub.uploads, &mut inv);
    let input = match input {
        Ok(i) if inv.is_empty() => i,
        Ok(_) => return form_error(&state, &user, None, &sub.fields, inv).await,
        Err(mut e) => {
            e.errors.extend(inv.errors);
            return form_error(&state, &user, None, &sub.fields, e).await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    let result = async {
        let id = app_items::create(&mut tx, &user.caller(), &input).await?;
        store_uploads(&state, &mut tx, &user, id, &uploads).await?;
        if sub.links_shown {
            let created = items::get(&mut tx, id).await?;
            app_items::link_obligations(&mut tx, &user.caller(), &created, &sub.obligation_ids)
                .await?;
        }
        let notice = match sub.action.as_str() {
            "publish" => publish_if_clean(&mut tx, &user, id, &sub.publish_reason).await?,
            "submit" => {
                let item = items::get(&mut tx, id).await?;
                app_items::transition(&mut tx, &user.caller(), &item, Transition::Submit).await?;
                "wf_saved_submitted"
            }
            _ => "created",
        };
        Ok::<(i64, &str), AppError>((id, notice))
    }
    .await;
    match result {
        Ok((id, notice)) => {
            tx.commit().await?;
            Ok(after_save(id, notice, &sub.action))
        }
        Err(AppError::Invalid(e)) => {
            drop(tx);
            form_error(&state, &user, None, &sub.fields, e).await
        }
        Err(e) => Err(e),
    }
}

/// Where a saved form goes: the edit form with its notice, or, for 保存草稿并预览 of a draft
/// that was simply saved, the preview of what was saved.
fn after_save(id: i64, notice: &str, action: &str) -> Response {
    if action == "preview" && matches!(notice, "created" | "saved") {
        return Redirect::to(&format!("/admin/items/{id}/preview")).into_response();
    }
    Redirect::to(&format!("/admin/items/{id}/edit?notice={notice}")).into_response()
}

async fn form_error(
    state: &AppState,
    user: &CurrentUser,
    item: Option<&Item>,
    fields: &ItemFields,
    inv: Invalid,
) -> Result<Response, AppError> {
    render_form(
        state,
        user,
        FormPage {
            item,
            fields,
            errors: Some(&inv),
            notice: None,
            editable: true,
            links: None,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

pub async fn edit_form(
    State(state): State<AppState>,
    Visible { user, record: item }: Visible<Item>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let id = item.id;
    let mut conn = state.db.pool.acquire().await?;
    let cols = items::column_ids(&mut conn, id).await?;
    drop(conn);
    let fields = item.fields(&cols);
    let editable = user.perms.can_edit_items_of(item.org_id);
    render_form(
        &state,
        &user,
        FormPage {
            item: Some(&item),
            fields: &fields,
            errors: None,
            notice: notice_text(match q.notice.as_deref() {
                // Published but not on the portal （依申请公开、不予公开）: say so.
                Some("published" | "wf_published_now")
                    if item.status() == ItemStatus::Published && !item.is_public() =>
                {
                    Some("published_not_public")
                }
                other => other,
            }),
            editable,
            links: None,
        },
        StatusCode::OK,
    )
    .await
}

pub async fn update(
    State(state): State<AppState>,
    Visible { user, record: item }: Visible<Item>,
    mp: Multipart,
) -> Result<Response, AppError> {
    let sub = read_submission(mp).await?;
    let id = item.id;
    if !user.perms.can_edit_items_of(item.org_id) {
        return Err(AppError::forbidden());
    }
    let mut inv = Invalid::default();
    let input = sub.fields.validate();
    let uploads = check_uploads(&state, sub.uploads, &mut inv);
    let input = match input {
        Ok(i) if inv.is_empty() => i,
        Ok(_) => return form_error(&state, &user, Some(&item), &sub.fields, inv).await,
        Err(mut e) => {
            e.errors.extend(inv.errors);
            return form_error(&state, &user, Some(&item), &sub.fields, e).await;
        }
    };
    let edit = app_items::Edit {
        version: sub.version,
        fields: &sub.fields,
        input: &input,
        change: items::ChangeNote {
            major: sub.change_kind == "major",
            note: sub.change_note.clone(),
        },
        adds_attachments: !uploads.is_empty(),
    };
    let mut tx = state.db.begin_audited().await?;
    let result = async {
        if app_items::edit(&mut tx, &user.caller(), &item, edit).await? == Edited::RevisionProposed
        {
            return Ok("wf_revision");
        }
        store_uploads(&state, &mut tx, &user, id, &uploads).await?;
        if sub.links_shown {
            app_items::link_obligations(&mut tx, &user.caller(), &item, &sub.obligation_ids)
                .await?;
        }
        if item.status() != ItemStatus::Published {
            match sub.action.as_str() {
                "publish" => {
                    return publish_if_clean(&mut tx, &user, id, &sub.publish_reason).await;
                }
                "submit" => {
                    let saved = items::get(&mut tx, id).await?;
                    app_items::transition(&mut tx, &user.caller(), &saved, Transition::Submit)
                        .await?;
                    return Ok("wf_saved_submitted");
                }
                _ => {}
            }
        }
        Ok::<&str, AppError>("saved")
    }
    .await;
    match result {
        Ok(notice) => {
            tx.commit().await?;
            Ok(after_save(id, notice, &sub.action))
        }
        Err(AppError::Invalid(e)) => {
            drop(tx);
            form_error(&state, &user, Some(&item), &sub.fields, e).await
        }
        Err(AppError::Conflict(m)) => {
            drop(tx);
            form_error(
                &state,
                &user,
                Some(&item),
                &sub.fields,
                Invalid::one("version", m),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// 保存并直接发布 (先发后审, with `reason`) in the caller's transaction unless the content guard
/// finds something; returns the notice code for the redirect (`guard_blocked`: saved, not
/// published). A missing reason is refused (422) and the caller rolls back.
async fn publish_if_clean(
    tx: &mut sqlx::AnyConnection,
    user: &CurrentUser,
    id: i64,
    reason: &str,
) -> Result<&'static str, AppError> {
    Ok(
        match app_items::publish_if_clean(tx, &user.caller(), id, reason).await? {
            SavedPublish::Published => "wf_published_now",
            SavedPublish::GuardBlocked => "guard_blocked",
        },
    )
}

/// The publish form: an approved item is published; any other goes out without review
/// (先发后审) and needs `reason`. With the content guard's override (`guard_override` set, with
/// a required `override_reason`).
#[derive(Deserialize)]
pub struct PublishForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    guard_override: String,
    #[serde(default)]
    override_reason: String,
}

pub async fn publish(
    State(state): State<AppState>,
    Visible { user, record: item }: Visible<Item>,
    AdminForm(f): AdminForm<PublishForm>,
) -> Result<Response, AppError> {
    let id = item.id;
    if !user.perms.can_edit_items_of(item.org_id) {
        return Err(AppError::forbidden());
    }
    let guard = GuardRelease {
        release: !f.guard_override.is_empty(),
        reason: f.override_reason.clone(),
        hits: Vec::new(),
    };
    let mut tx = state.db.begin_audited().await?;
    match app_items::publish(&mut tx, &user.caller(), &item, &f.reason, guard).await {
        Ok(()) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return refused(&state, &user, &item, inv).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/items/{id}/edit?notice=published")).into_response())
}

/// The item page with why publishing was refused (422); nothing was changed.
pub(super) async fn refused(
    state: &AppState,
    user: &CurrentUser,
    item: &Item,
    inv: Invalid,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let cols = items::column_ids(&mut conn, item.id).await?;
    drop(conn);
    let fields = item.fields(&cols);
    render_form(
        state,
        user,
        FormPage {
            item: Some(item),
            fields: &fields,
            errors: Some(&inv),
            notice: None,
            editable: true,
            links: None,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// The confirmation step of deleting an attachment (a form without JavaScript): without
/// `confirm` the page asks first and nothing is deleted.
#[derive(Deserialize)]
pub struct DeleteAttachmentForm {
    #[serde(default)]
    confirm: String,
}

pub async fn delete_attachment(
    State(state): State<AppState>,
    Visible { user, record: item }: Visible<Item>,
    Path((id, attachment_id)): Path<(i64, i64)>,
    AdminForm(f): AdminForm<DeleteAttachmentForm>,
) -> Result<Response, AppError> {
    if !user.perms.can_edit_items_of(item.org_id) {
        return Err(AppError::forbidden());
    }
    if f.confirm.is_empty() {
        let mut conn = state.db.pool.acquire().await?;
        let a = attachments::get(&mut conn, attachment_id).await?;
        drop(conn);
        if a.item_id != item.id {
            return Err(AppError::not_found());
        }
        if item.status() == ItemStatus::Published {
            return refused(
                &state,
                &user,
                &item,
                Invalid::one("attachments", app_items::ATTACHMENTS_OF_PUBLISHED),
            )
            .await;
        }
        let html = render(
            &state,
            &user,
            "admin/attachment_delete.html",
            "items",
            json!({"item": {"id": item.id, "title": item.title},
                   "attachment": {"id": a.id, "file_name": a.file_name}}),
        )?;
        return Ok(html.into_response());
    }
    let mut tx = state.db.begin_audited().await?;
    match app_items::remove_attachment(&mut tx, &user.caller(), &item, attachment_id).await {
        Ok(()) => {}
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            return refused(&state, &user, &item, inv).await;
        }
        Err(e) => return Err(e.into()),
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/items/{id}/edit?notice=deleted")).into_response())
}

/// An attachment of an item, for the people who may see the item in the back office (its
/// reviewers before publication among them); never cached by a shared cache. The public reach
/// attachments only through the portal, for public items.
pub async fn attachment(
    State(state): State<AppState>,
    Visible { record: item, .. }: Visible<Item>,
    Path((_, attachment_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let a = {
        let mut conn = state.db.pool.acquire().await?;
        attachments::get(&mut conn, attachment_id)
            .await
            .map_err(|_| AppError::not_found())?
    };
    if a.item_id != item.id {
        return Err(AppError::not_found());
    }
    let bytes = state.storage.get(&a.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &a.content_type,
        &a.file_name,
        None,
        Some("private, no-cache"),
    ))
}

/// The item as the portal will show it （sanitized HTML, not the Markdown source） with links to
/// its attachments: what a reviewer reads before approving.
pub async fn preview(
    State(state): State<AppState>,
    Visible { user, record: item }: Visible<Item>,
) -> Result<Response, AppError> {
    let id = item.id;
    let mut conn = state.db.pool.acquire().await?;
    let files = attachments::of_item(&mut conn, id).await?;
    drop(conn);
    let html = render(
        &state,
        &user,
        "admin/item_preview.html",
        "items",
        json!({"item": {"id": item.id, "title": item.title, "body_html": item.body_html,
                        "status_label": item.status().label()},
               "attachments": files}),
    )?;
    Ok(html.into_response())
}
