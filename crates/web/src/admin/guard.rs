//! The content guard (内容安全检查) in the back office: the check that blocks publishing, the
//! one-click masking of a draft (一键脱敏), and the scan of published content at `/admin/guard`.
//! The rules are `gongkai_domain::guard`; the lists are settings (`db::settings::guard_lists`).
//! The guard reads the title, summary, body source and the text extracted from the attachments
//! at upload (`attachments.extracted_text`); attachment hits cannot be masked (the file is not
//! edited) and block publishing until the attachment is removed or replaced, or overridden.

use super::common::{AdminForm, render};
use crate::auth::CurrentUser;
use crate::util::page_param;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::guard::Masking;
use gongkai_db::items;
use gongkai_db::{attachments, settings};
use gongkai_domain::Invalid;
use gongkai_domain::guard::{AttachmentText, ItemHit, ItemText};
use serde::Deserialize;
use serde_json::json;

/// The hits as the item page shows them, each with its `location` (正文第11字, 附件“x.pdf”第3字).
/// Each with its `key` （the release checkbox's value） and whether it is `released`.
pub(crate) fn hits_json(hits: &[ItemHit], blocking: Option<&[ItemHit]>) -> serde_json::Value {
    hits.iter()
        .map(|h| {
            let mut v = json!(h);
            v["location"] = json!(h.location());
            v["key"] = json!(gongkai_app::guard::hit_key(h));
            v["released"] = json!(blocking.is_some_and(|b| !b.contains(h)));
            v
        })
        .collect()
}

/// 放行： a reviewer who did not write the item, or the supervising office, releases the hits
/// ticked (`release_hit_*` fields, each a hit's key) with a reason; only those.
pub async fn release(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<std::collections::HashMap<String, String>>,
) -> Result<Response, AppError> {
    let caller = user.caller();
    let item = {
        let mut conn = state.db.pool.acquire().await?;
        gongkai_app::items::visible(&mut conn, &caller, id).await?
    };
    let (keys, reason) = release_request(&f);
    let mut tx = state.db.begin_audited().await?;
    match gongkai_app::guard::release(&mut tx, &caller, &item, &reason, &keys).await {
        Ok(_) => {
            tx.commit().await?;
            Ok(
                Redirect::to(&format!("/admin/items/{id}/edit?notice=guard_released"))
                    .into_response(),
            )
        }
        Err(gongkai_app::Refusal::Invalid(inv)) => {
            drop(tx);
            super::items::refused(&state, &user, &item, inv).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
pub struct MaskForm {
    #[serde(default)]
    version: i64,
}

/// 一键脱敏: every hit in title, summary and body masked, saved as a new version (audited as
/// `item.update` by the normal update path; a concurrent edit gives the usual conflict).
pub async fn mask(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<MaskForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    let notice = match gongkai_app::guard::mask(&mut tx, &user.caller(), id, f.version).await? {
        Masking::Masked => {
            tx.commit().await?;
            "masked"
        }
        Masking::Clean => "guard_clean",
        Masking::AttachmentsOnly => "guard_attachments_only",
    };
    Ok(Redirect::to(&format!("/admin/items/{id}/edit?notice={notice}")).into_response())
}

#[derive(Deserialize, Default)]
pub struct ScanQuery {
    page: Option<String>,
}

const PER_PAGE: usize = 50;
const BATCH: i64 = 200;

/// `/admin/guard`: the same scan over every published item the user may see, items with hits
/// listed 50 a page, newest first.
pub async fn scan_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ScanQuery>,
) -> Result<Response, AppError> {
    if !(user.perms.can_manage_plans() || user.perms.is_system_admin()) {
        return Err(AppError::forbidden());
    }
    let orgs = user.perms.viewable_orgs();
    let mut conn = state.db.pool.acquire().await?;
    let lists = settings::guard_lists(&mut conn).await?;
    let mut found = Vec::new();
    let mut scanned = 0usize;
    let mut after = 0;
    loop {
        let batch = items::published_batch(&mut conn, orgs.as_deref(), after, BATCH).await?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        scanned += batch.len();
        let ids: Vec<i64> = batch.iter().map(|r| r.id).collect();
        let mut texts = attachments::extracted_texts_of(&mut conn, &ids).await?;
        for r in batch {
            let mine: Vec<AttachmentText> = texts
                .extract_if(.., |t| t.item_id == r.id)
                .map(|t| AttachmentText {
                    id: t.id,
                    file_name: t.file_name,
                    text: t.text,
                })
                .collect();
            let hits = ItemText {
                title: r.title.clone(),
                summary: r.summary.clone(),
                body: r.body_source.clone(),
                attachments: mine,
                unreadable: Vec::new(),
            }
            .scan(&lists);
            if !hits.is_empty() {
                found.push((r, hits));
            }
        }
    }
    found.sort_by_key(|(r, _)| std::cmp::Reverse((r.published_at, r.id)));
    let total = found.len();
    let pages = gongkai_db::page_count(total as i64, PER_PAGE as i64) as usize;
    let page = (page_param(q.page.as_deref()) as usize).min(pages);
    let rows: Vec<_> = found
        .iter()
        .skip((page - 1) * PER_PAGE)
        .take(PER_PAGE)
        .map(|(r, hits)| {
            json!({
                "id": r.id, "title": r.title, "org_name": r.org_name, "published_at": r.published_at,
                "count": hits.len(), "hits": hits_json(&hits[..hits.len().min(5)], None),
                "more": hits.len().saturating_sub(5),
            })
        })
        .collect();
    let html = render(
        &state,
        &user,
        "admin/guard.html",
        "guard",
        json!({
            "rows": rows, "total": total, "scanned": scanned, "page": page, "pages": pages,
            "base_url": "/admin/guard",
        }),
    )?;
    Ok(html.into_response())
}

async fn lists_page(
    state: &AppState,
    user: &CurrentUser,
    words: &str,
    errors_text: &str,
    errors: Option<&Invalid>,
    saved: bool,
) -> Result<Response, AppError> {
    let html = render(
        state,
        user,
        "admin/guard_lists.html",
        "guard",
        json!({
            "words": words, "known_errors": errors_text,
            "error_list": errors.map(|e| e.errors.iter().map(|x| x.message.clone()).collect::<Vec<_>>()).unwrap_or_default(),
            "notice": if saved { Some("已保存。") } else { None },
        }),
    )?;
    let status = if errors.is_some() {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        axum::http::StatusCode::OK
    };
    Ok((status, html).into_response())
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    notice: Option<String>,
}

/// `/admin/guard/lists`: the sensitive words and known errors, edited by site administrators.
pub async fn lists_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<SavedQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_site() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let lists = settings::guard_lists(&mut conn).await?;
    drop(conn);
    let saved = q.notice.as_deref() == Some("saved");
    lists_page(
        &state,
        &user,
        &lists.words_text(),
        &lists.errors_text(),
        None,
        saved,
    )
    .await
}

#[derive(Deserialize)]
pub struct ListsForm {
    #[serde(default)]
    sensitive_words: String,
    #[serde(default)]
    known_errors: String,
}

pub async fn lists_save(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<ListsForm>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_site() {
        return Err(AppError::forbidden());
    }
    let lists = match gongkai_domain::guard::Lists::parse(&f.sensitive_words, &f.known_errors) {
        Ok(l) => l,
        Err(e) => {
            return lists_page(
                &state,
                &user,
                &f.sensitive_words,
                &f.known_errors,
                Some(&e),
                false,
            )
            .await;
        }
    };
    let mut tx = state.db.begin_audited().await?;
    // Saving the lists unchanged writes nothing, so there is nothing to audit or commit.
    if gongkai_app::guard::save_lists(&mut tx, &user.caller(), &lists).await? {
        tx.commit().await?;
    }
    Ok(Redirect::to("/admin/guard/lists?notice=saved").into_response())
}

/// The hits a release form ticks (`release_hit…` fields, their keys) and its reason
/// (`override_reason`): the same form for an item and for a guide.
pub(super) fn release_request(
    f: &std::collections::HashMap<String, String>,
) -> (Vec<String>, String) {
    let keys = f
        .iter()
        .filter(|(k, _)| k.starts_with("release_hit"))
        .map(|(_, v)| v.clone())
        .collect();
    let reason = f.get("override_reason").cloned().unwrap_or_default();
    (keys, reason)
}
