//! The content guard （内容安全检查） on stored items: what it reads (title, summary, body source
//! and the text extracted from attachments at upload), the refusal it gives, and the gate on every
//! path that makes an item public. The rules are `gongkai_domain::guard`; the lists are settings.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::items::{self, Item};
use gongkai_db::{attachments, guard_releases, settings, workflow};
use gongkai_domain::Invalid;
use gongkai_domain::guard::{AttachmentRef, AttachmentText, ItemHit, ItemText};
use serde_json::json;

/// The longest override reason stored.
const REASON_MAX: usize = 500;

/// The title, summary and body of an item (what 一键脱敏 can edit).
pub fn item_text(item: &Item) -> ItemText {
    ItemText {
        title: item.title.clone(),
        summary: item.summary.clone(),
        body: item.body_source.clone(),
        attachments: Vec::new(),
        unreadable: Vec::new(),
    }
}

/// Everything the guard reads of a stored item: [`item_text`], its attachments' text, and the
/// attachments whose text could not be extracted ( 无法提取文字 : each needs a manual check).
pub async fn stored_text(conn: &mut sqlx::AnyConnection, item: &Item) -> Outcome<ItemText> {
    let mut t = item_text(item);
    let texts = attachments::texts_of_item(conn, item.id).await?;
    t.unreadable = texts
        .iter()
        .filter(|a| a.status() == attachments::TextStatus::Failed)
        .map(|a| AttachmentRef {
            id: a.id,
            file_name: a.file_name.clone(),
        })
        .collect();
    t.attachments = texts
        .into_iter()
        .filter_map(|a| {
            Some(AttachmentText {
                id: a.id,
                text: a.extracted_text?,
                file_name: a.file_name,
            })
        })
        .collect();
    Ok(t)
}

/// The hits in a stored item, attachments included, under the configured lists.
pub async fn hits_for(conn: &mut sqlx::AnyConnection, item: &Item) -> Outcome<Vec<ItemHit>> {
    let lists = settings::guard_lists(conn).await?;
    Ok(stored_text(conn, item).await?.scan(&lists))
}

/// The hits in the stored item `id` (attachments included) under the configured lists.
pub async fn hits_of(conn: &mut sqlx::AnyConnection, id: i64) -> Outcome<Vec<ItemHit>> {
    let item = items::get(conn, id).await?;
    hits_for(conn, &item).await
}

/// The key of a hit for a release: its kind code and text.
pub fn hit_key(h: &ItemHit) -> String {
    format!("{}:{}", h.hit.kind.code(), h.hit.matched)
}

/// The hits in the stored item `id` that block publishing: those not released one by one.
pub async fn blocking_hits_of(conn: &mut sqlx::AnyConnection, id: i64) -> Outcome<Vec<ItemHit>> {
    let released = guard_releases::of_item(conn, id).await?;
    Ok(hits_of(conn, id)
        .await?
        .into_iter()
        .filter(|h| {
            !released
                .iter()
                .any(|r| r.kind == h.hit.kind.code() && r.matched == h.hit.matched)
        })
        .collect())
}

/// Why the caller may not release an item's hits.
fn release_refusal() -> Refusal {
    Refusal::Forbidden(
        "放行须由起草人以外的审核人或政务公开办办理\u{FF1A}起草或修改过该信息的人不能放行自己的内容安全检查结果".into(),
    )
}

/// Whether the caller may release the hits of `item` （放行）.
pub async fn release_allowed(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
) -> Outcome<bool> {
    let is_author = workflow::is_author(conn, item, caller.actor.user_id).await?;
    Ok(caller
        .perms
        .can_release_guard_hits_of(item.org_id, is_author))
}

/// 放行： releases the chosen hits of an item (each named by [`hit_key`]) with a reason. Only a
/// reviewer who did not write the item, or the supervising office; each hit is released on its
/// own and a hit not chosen still blocks. Returns the audit record of the released hits.
pub async fn release(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    reason: &str,
    keys: &[String],
) -> Outcome<serde_json::Value> {
    if !release_allowed(tx, caller, item).await? {
        return Err(release_refusal());
    }
    let hits = blocking_hits_of(tx, item.id).await?;
    let chosen: Vec<ItemHit> = hits
        .into_iter()
        .filter(|h| keys.iter().any(|k| k.trim() == hit_key(h)))
        .collect();
    if chosen.is_empty() {
        return Err(Refusal::Invalid(Invalid::one(
            "release_hit",
            "请勾选要放行的内容\u{FF08}每一处单独确认\u{FF09}\u{FF0C}没有放行",
        )));
    }
    let record = override_record(reason, &chosen).map_err(Refusal::Invalid)?;
    let mut pairs: Vec<(String, String)> = chosen
        .iter()
        .map(|h| (h.hit.kind.code().to_string(), h.hit.matched.clone()))
        .collect();
    pairs.dedup();
    guard_releases::release(
        tx,
        &caller.actor,
        item.id,
        &pairs,
        reason.trim(),
        record.clone(),
    )
    .await?;
    Ok(record)
}

/// Why publishing was refused, one line per hit (the hit itself shown masked).
pub fn refusal(hits: &[ItemHit]) -> Invalid {
    refusal_headed(
        format!(
            "内容安全检查发现{}处个人信息或错误，未发布。请一键脱敏、修改正文删除，或填写理由后放行：",
            hits.len()
        ),
        hits,
    )
}

/// Why publishing a service guide was refused: as [`refusal`], with the guide's remedy (a
/// guide has no 一键脱敏 ; its editor changes the element named).
pub fn guide_refusal(hits: &[ItemHit]) -> Invalid {
    refusal_headed(
        format!(
            "内容安全检查发现{}处个人信息或错误\u{FF0C}办事指南未发布\u{3002}请修改办事指南删除\u{FF0C}或由起草人以外的审核人填写理由后放行\u{FF1A}",
            hits.len()
        ),
        hits,
    )
}

fn refusal_headed(headline: String, hits: &[ItemHit]) -> Invalid {
    let mut inv = Invalid::one("guard", headline);
    if ItemText::hits_in_attachments(hits) {
        inv.push("guard", ATTACHMENT_ADVICE);
    }
    for h in hits.iter().take(20) {
        inv.push("guard", describe(h));
    }
    if hits.len() > 20 {
        inv.push("guard", format!("……另有{}处", hits.len() - 20));
    }
    inv
}

/// What to do about hits in an attachment, which cannot be masked in place.
pub const ATTACHMENT_ADVICE: &str = "附件中的内容无法在线脱敏（PDF、Word、Excel 文件不能直接修改）：\
     请删除该附件，或上传脱敏后的文件替换它；确属可以公开的内容，可填写理由后放行。";

fn describe(h: &ItemHit) -> String {
    let what = match &h.hit.correction {
        Some(c) => format!("“{}”应为“{c}”", h.hit.matched),
        None => h.hit.masked.clone(),
    };
    format!("{}处发现{}：{}", h.location(), h.hit.kind_label, what)
}

/// The audit record of an override: the reason and the hits, shown masked (the log should not
/// repeat the personal information the guard found).
pub fn override_record(reason: &str, hits: &[ItemHit]) -> Result<serde_json::Value, Invalid> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Invalid::one(
            "override_reason",
            "放行须填写理由（例如：所列号码为单位公开的办公电话），没有发布",
        ));
    }
    if let Some(why) = gongkai_domain::guard::manual_check_missing(reason, hits) {
        return Err(Invalid::one("override_reason", why));
    }
    if reason.chars().count() > REASON_MAX {
        return Err(Invalid::one(
            "override_reason",
            format!("放行理由不能超过{REASON_MAX}个字，没有发布"),
        ));
    }
    let hits: Vec<_> = hits
        .iter()
        .map(|h| {
            json!({
                "field": h.field, "kind": h.hit.kind, "at": h.hit.char_start,
                "masked": h.hit.masked, "correction": h.hit.correction,
                "attachment": h.attachment,
            })
        })
        .collect();
    Ok(json!({"reason": reason, "hits": hits}))
}

/// The gate on the paths that make an item public: `Ok(None)` when nothing blocks, the record
/// of the released hits when every hit found was released （放行， hit by hit, by someone other
/// than the author）， the refusal otherwise. With `release`, the caller releases the hits it
/// names first (refused when the caller wrote the item).
pub async fn gate(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    release_step: &crate::items::GuardRelease,
) -> Outcome<Option<serde_json::Value>> {
    let id = item.id;
    if release_step.release && !blocking_hits_of(conn, id).await?.is_empty() {
        release(conn, caller, item, &release_step.reason, &release_step.hits).await?;
    }
    let blocking = blocking_hits_of(conn, id).await?;
    if !blocking.is_empty() {
        return Err(Refusal::Invalid(refusal(&blocking)));
    }
    let hits = hits_of(conn, id).await?;
    if hits.is_empty() {
        return Ok(None);
    }
    let released = guard_releases::of_item(conn, id).await?;
    let mut reasons: Vec<&str> = Vec::new();
    for h in &hits {
        if let Some(r) = released
            .iter()
            .find(|r| r.kind == h.hit.kind.code() && r.matched == h.hit.matched)
            && !reasons.contains(&r.reason.as_str())
        {
            reasons.push(&r.reason);
        }
    }
    override_record(&reasons.join("\u{FF1B}"), &hits)
        .map(Some)
        .map_err(Refusal::Invalid)
}

/// What 一键脱敏 did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Masking {
    /// Every hit in title, summary and body masked, saved as a new version.
    Masked,
    /// Nothing to mask.
    Clean,
    /// Hits only in attachments, which cannot be masked in place.
    AttachmentsOnly,
}

/// 一键脱敏： masks every hit in the title, summary and body of an item the caller edits, saved
/// as a new version of `version` (a concurrent edit gives the usual conflict).
pub async fn mask(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
) -> Outcome<Masking> {
    let item = items::get(tx, id).await.map_err(|_| Refusal::not_found())?;
    if !caller.perms.can_view_items_of(item.org_id) {
        return Err(Refusal::not_found());
    }
    if !caller.perms.can_edit_items_of(item.org_id) {
        return Err(Refusal::forbidden());
    }
    let lists = settings::guard_lists(tx).await?;
    let text = item_text(&item);
    if text.scan(&lists).is_empty() {
        let in_attachments = !stored_text(tx, &item).await?.scan(&lists).is_empty();
        return Ok(if in_attachments {
            Masking::AttachmentsOnly
        } else {
            Masking::Clean
        });
    }
    let masked = text.masked(&lists);
    let cols = items::column_ids(tx, id).await?;
    let mut fields = item.fields(&cols);
    fields.title = masked.title;
    fields.summary = masked.summary;
    fields.body = masked.body;
    let input = fields.validate()?;
    items::update(tx, &caller.actor, id, version, &input).await?;
    Ok(Masking::Masked)
}

/// Saves the guard's lists (sensitive words, known errors); returns whether anything changed.
pub async fn save_lists(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    lists: &gongkai_domain::guard::Lists,
) -> Outcome<bool> {
    if !caller.perms.can_manage_site() {
        return Err(Refusal::forbidden());
    }
    let current = settings::guard_lists(tx).await?;
    let mut changed = false;
    if current.sensitive_words != lists.sensitive_words {
        let text = lists.words_text();
        settings::set(tx, &caller.actor, settings::GUARD_SENSITIVE_WORDS, &text).await?;
        changed = true;
    }
    if current.known_errors != lists.known_errors {
        let text = lists.errors_text();
        settings::set(tx, &caller.actor, settings::GUARD_KNOWN_ERRORS, &text).await?;
        changed = true;
    }
    Ok(changed)
}
