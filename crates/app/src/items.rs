//! Use cases of an item （信息） after it is written: the workflow transitions (submit, review,
//! publish, schedule, withdraw, after-the-fact review, decisions on a pending 实质性修改） and
//! the content guard's gate on every path that makes an item public. The back office and the
//! API both call these; the state machine itself is `gongkai_domain::workflow`, checked again by
//! `gongkai_db::workflow` against the caller's [`Rights`].

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use crate::guard;
use gongkai_db::items::{self, ChangeNote, Item};
use gongkai_db::workflow::{self, Rights};
use gongkai_db::{attachments, columns, settings};
use gongkai_domain::Invalid;
use gongkai_domain::item::{ItemFields, ItemInput};
use gongkai_domain::model::ItemStatus;
use gongkai_domain::role::Permissions;
use gongkai_domain::role::Role;
use gongkai_domain::workflow::WithdrawMode;

/// The caller's workflow rights on an organisation, from the one permission table.
pub fn rights(perms: &Permissions, org_id: i64) -> Rights {
    Rights {
        can_edit: perms.can_edit_items_of(org_id),
        can_review: perms.can_review_items_of(org_id),
        can_withdraw: perms.can_withdraw_items_of(org_id),
    }
}

/// Loads an item the caller may see in the back office; an item of another organisation does
/// not exist for them.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<Item> {
    let item = items::get(conn, id)
        .await
        .map_err(|_| Refusal::not_found())?;
    if !caller.perms.can_view_items_of(item.org_id)
        && !caller.perms.can_withdraw_items_of(item.org_id)
    {
        return Err(Refusal::not_found());
    }
    Ok(item)
}

/// Creates a draft in the default site for an organisation the caller edits for.
pub async fn create(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    input: &ItemInput,
) -> Outcome<i64> {
    if !caller.perms.can_edit_items_of(input.org_id) {
        return Err(Refusal::Forbidden(
            "无权以该机构的名义发布信息：您的账号没有该机构的编辑权限".into(),
        ));
    }
    check_links(tx, caller, input).await?;
    let site = columns::default_site(tx).await?;
    Ok(items::create(tx, &caller.actor, site.id, input).await?)
}

fn editable_by(caller: &Caller<'_>, item: &Item) -> Outcome<()> {
    if caller.perms.can_edit_items_of(item.org_id) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            "无权修改该信息：您的账号没有该信息所属机构的编辑权限".into(),
        ))
    }
}

/// Loads an item the caller may edit.
pub async fn editable(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<Item> {
    let item = items::get(conn, id).await.map_err(|e| match e {
        gongkai_db::DbError::NotFound(_) => Refusal::NotFound("信息不存在".into()),
        other => other.into(),
    })?;
    editable_by(caller, &item)?;
    Ok(item)
}

/// An edit of an item as the editor submitted it.
pub struct Edit<'a> {
    /// The version the editor loaded (optimistic locking).
    pub version: i64,
    /// The form as entered (kept with a pending revision), and its validated input.
    pub fields: &'a ItemFields,
    pub input: &'a ItemInput,
    /// 勘误 (not major) or 实质性修改 (major, with its public 修改说明）.
    pub change: ChangeNote,
    /// Whether the edit uploads attachments too.
    pub adds_attachments: bool,
}

/// What an edit did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// Saved as a new version.
    Saved,
    /// A 实质性修改 of a published item: it waits for review, the published text stays live.
    RevisionProposed,
}

/// Saves an edit of `item` (loaded with [`editable`]).
pub async fn edit(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    edit: Edit<'_>,
) -> Outcome<Edited> {
    editable_by(caller, item)?;
    if !caller.perms.can_edit_items_of(edit.input.org_id) {
        return Err(Refusal::Forbidden("无权把信息转到该机构名下".into()));
    }
    check_links(tx, caller, edit.input).await?;
    if item.status() == ItemStatus::Published && edit.adds_attachments {
        return Err(Refusal::Invalid(Invalid::one(
            "attachments",
            ATTACHMENTS_OF_PUBLISHED,
        )));
    }
    if item.status() == ItemStatus::Published && !edit.change.major {
        // A stale form is a conflict first: the limit is measured from the current text.
        if edit.version != item.version {
            return Err(gongkai_db::DbError::Stale.into());
        }
        correction_allowed(tx, item, edit.input).await?;
    }
    if item.status() == ItemStatus::Published && edit.change.major {
        propose_revision(tx, caller, item, edit.fields, &edit.change.note).await?;
        return Ok(Edited::RevisionProposed);
    }
    items::update_noting(
        tx,
        &caller.actor,
        item.id,
        edit.version,
        edit.input,
        &edit.change,
    )
    .await?;
    Ok(Edited::Saved)
}

/// Why attachments of a published item are not added or removed in place.
pub const ATTACHMENTS_OF_PUBLISHED: &str = "已发布信息的附件不能直接增删\u{FF1A}附件变动须经审核\u{3002}请先撤回该信息\u{FF0C}修改附件后重新提交审核\u{FF1B}或以实质性修改说明变动\u{FF0C}审核通过后再调整附件";

/// A 勘误 of a published item is refused unless it is within `gongkai_domain::correction`'s
/// limit (no digit changed, no new guard hit, a few characters): anything more is a 实质性修改 ,
/// which is reviewed. Refused rather than turned into a proposal, so the editor knowingly writes
/// the public 修改说明 it needs.
async fn correction_allowed(
    conn: &mut sqlx::AnyConnection,
    item: &Item,
    input: &ItemInput,
) -> Outcome<()> {
    let lists = settings::guard_lists(conn).await?;
    let before = guard::item_text(item);
    let after = gongkai_domain::guard::ItemText {
        title: input.title.clone(),
        // A blank summary is taken from the body, which is compared anyway.
        summary: if input.summary.trim().is_empty() {
            before.summary.clone()
        } else {
            input.summary.clone()
        },
        body: input.body_source.clone(),
        attachments: Vec::new(),
        unreadable: Vec::new(),
    };
    if let Err(why) = gongkai_domain::correction::check(&before, &after, &lists) {
        return Err(Refusal::Invalid(Invalid::one("change_kind", why.message())));
    }
    if input.org_id != item.org_id {
        return Err(Refusal::Invalid(Invalid::one(
            "change_kind",
            "勘误不能更改发布机构\u{FF1B}请选择实质性修改",
        )));
    }
    Ok(())
}

/// The caller's part of the checks on linked documents (the rest, 谁起草、谁解读 included, is in
/// `items::create` / `items::update`): a linked document must be one the caller can see, and only
/// the supervising office or a system administrator may confirm a cross-organisation
/// interpretation.
async fn check_links(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    input: &ItemInput,
) -> Outcome<()> {
    let mut inv = Invalid::default();
    if input.cross_org_interpretation
        && !(caller.perms.is_system_admin() || caller.perms.has_global(Role::Supervisor))
    {
        inv.push(
            "cross_org_interpretation",
            "只有政务公开办（监管）或系统管理员可以确认跨机构解读",
        );
    }
    let links = [
        (
            "interprets_item_id",
            input.interprets_item_id,
            "所解读的政策文件不存在或尚未发布",
        ),
        (
            "replaced_by_item_id",
            input.replaced_by_item_id,
            "修改或替代文件不存在",
        ),
    ];
    for (field, id, message) in links {
        let Some(id) = id else { continue };
        let seen = match items::get(conn, id).await {
            Ok(i) => i.is_public() || caller.perms.can_view_items_of(i.org_id),
            Err(_) => false,
        };
        if !seen {
            inv.push(field, message);
        }
    }
    Ok(inv.into_result()?)
}

/// The content guard's decision asked of the caller: release despite findings, with a reason.
#[derive(Debug, Clone, Default)]
pub struct GuardRelease {
    pub release: bool,
    pub reason: String,
    /// The hits released, each by `guard::hit_key` （kind and text）: only these.
    pub hits: Vec<String>,
}

/// One step of the publishing workflow.
#[derive(Debug, Clone)]
pub enum Transition {
    Submit,
    Review {
        approve: bool,
        comment: String,
    },
    PublishApproved {
        guard: GuardRelease,
    },
    /// 直接发布（先发后审）with its reason.
    PublishNow {
        reason: String,
        guard: GuardRelease,
    },
    /// Publish at `at_ms` (epoch milliseconds); the guard is asked now, not at that time.
    Schedule {
        at_ms: i64,
        now_ms: i64,
    },
    Unschedule,
    Withdraw {
        mode: WithdrawMode,
        reason: String,
    },
    ConfirmPostReview {
        comment: String,
    },
    /// A reviewer's decision on the pending 实质性修改 of a published item.
    DecideRevision {
        approve: bool,
        comment: String,
    },
}

/// Applies one transition in the caller's transaction; the audit entry is written by the same
/// `gongkai_db::workflow` call. Nothing is changed when it is refused (the caller rolls back).
pub async fn transition(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    step: Transition,
) -> Outcome<()> {
    let id = item.id;
    let r = rights(caller.perms, item.org_id);
    let actor = &caller.actor;
    match step {
        Transition::Submit => {
            workflow::submit(tx, actor, id, r).await?;
            // The reviewers of the first level are told, on every channel.
            gongkai_db::reminders::item_waiting_for_review(tx, id).await?;
        }
        Transition::Review { approve, comment } => {
            workflow::review(tx, actor, id, r, approve, &comment).await?;
            if approve {
                // Passed to the next level: its reviewers are told (nothing when approved).
                gongkai_db::reminders::item_waiting_for_review(tx, id).await?;
            }
        }
        Transition::PublishApproved { guard } => {
            let note = guard::gate(tx, caller, item, &guard).await?;
            let pattern = settings::index_pattern(tx).await?;
            workflow::publish_approved(tx, actor, id, r, &pattern, note).await?
        }
        Transition::PublishNow { reason, guard } => {
            let note = guard::gate(tx, caller, item, &guard).await?;
            let pattern = settings::index_pattern(tx).await?;
            workflow::publish_now(tx, actor, id, r, &pattern, &reason, note).await?
        }
        Transition::Schedule { at_ms, now_ms } => {
            // Refused now rather than at the scheduled time, when it can still be fixed.
            guard::gate(tx, caller, item, &GuardRelease::default()).await?;
            workflow::schedule(tx, actor, id, r, at_ms, now_ms).await?
        }
        Transition::Unschedule => workflow::unschedule(tx, actor, id, r).await?,
        Transition::Withdraw { mode, reason } => {
            workflow::withdraw(tx, actor, id, r, mode, &reason).await?
        }
        Transition::ConfirmPostReview { comment } => {
            workflow::confirm_post_review(tx, actor, id, r, &comment).await?
        }
        Transition::DecideRevision { approve, comment } => {
            decide_revision(tx, caller, item, approve, &comment).await?
        }
    }
    Ok(())
}

/// Publishes: an approved item as approved, any other at once without review （先发后审， which
/// needs `reason`). The guard runs first.
pub async fn publish(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    reason: &str,
    guard: GuardRelease,
) -> Outcome<()> {
    let step = if item.status() == ItemStatus::Approved {
        Transition::PublishApproved { guard }
    } else {
        Transition::PublishNow {
            reason: reason.to_string(),
            guard,
        }
    };
    transition(tx, caller, item, step).await
}

/// What 保存并直接发布 did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SavedPublish {
    Published,
    /// The guard found something: the item is saved, not published.
    GuardBlocked,
}

/// 保存并直接发布 （先发后审， with `reason`) unless the content guard finds something.
pub async fn publish_if_clean(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    reason: &str,
) -> Outcome<SavedPublish> {
    if !guard::blocking_hits_of(tx, id).await?.is_empty() {
        return Ok(SavedPublish::GuardBlocked);
    }
    let item = items::get(tx, id).await?;
    let step = Transition::PublishNow {
        reason: reason.to_string(),
        guard: GuardRelease::default(),
    };
    transition(tx, caller, &item, step).await?;
    Ok(SavedPublish::Published)
}

/// A reviewer's decision on the pending major change; an approved one is applied as a new
/// version (a major change with its note), in the name of its author.
pub async fn decide_revision(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    approve: bool,
    comment: &str,
) -> Outcome<()> {
    let id = item.id;
    let r = rights(caller.perms, item.org_id);
    let Some(rev) = workflow::decide_revision(tx, &caller.actor, id, r, approve, comment).await?
    else {
        // Returned, or passed to the next review level: the published text stays, and the next
        // level's reviewers are told.
        if approve {
            gongkai_db::reminders::revision_waiting_for_review(tx, id).await?;
        }
        return Ok(());
    };
    let fields: gongkai_domain::item::ItemFields = serde_json::from_str(&rev.fields)
        .map_err(|e| Refusal::Internal(format!("revision {}: {e}", rev.id)))?;
    let input = fields.validate()?;
    let current = items::get(tx, id).await?;
    let author = gongkai_db::Actor {
        user_id: rev.author_id,
        name: rev.author_name.clone(),
        ip: caller.actor.ip.clone(),
    };
    let change = items::ChangeNote {
        major: true,
        note: rev.change_note.clone(),
    };
    items::update_noting(tx, &author, id, current.version, &input, &change).await?;
    // The new text goes live now: the content guard reads it first (a hit released before
    // stays released; a new one refuses the approval and nothing changes).
    let blocking = guard::blocking_hits_of(tx, id).await?;
    if !blocking.is_empty() {
        let mut inv = guard::refusal(&blocking);
        inv.push(
            "guard",
            "该修改含有未经放行的内容\u{FF0C}不能审核通过\u{FF1B}请退回修改",
        );
        return Err(Refusal::Invalid(inv));
    }
    Ok(())
}

/// Proposes a 实质性修改 of a published item: it waits for review and the published text stays
/// live meanwhile. `fields` is the edited form as JSON.
pub async fn propose_revision(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    fields: &gongkai_domain::item::ItemFields,
    change_note: &str,
) -> Outcome<()> {
    let json = serde_json::to_string(fields).map_err(|e| Refusal::Internal(e.to_string()))?;
    let r = rights(caller.perms, item.org_id);
    workflow::propose_revision(tx, &caller.actor, item.id, r, &json, change_note).await?;
    gongkai_db::reminders::revision_waiting_for_review(tx, item.id).await?;
    Ok(())
}

/// Removes an attachment of an item the caller edits.
pub async fn remove_attachment(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    attachment_id: i64,
) -> Outcome<()> {
    editable_by(caller, item)?;
    let a = attachments::get(tx, attachment_id).await?;
    if a.item_id != item.id {
        return Err(Refusal::not_found());
    }
    let current = items::get(tx, item.id).await?;
    if current.status() == ItemStatus::Published {
        return Err(Refusal::Invalid(Invalid::one(
            "attachments",
            ATTACHMENTS_OF_PUBLISHED,
        )));
    }
    attachments::remove(tx, &caller.actor, attachment_id).await?;
    Ok(())
}

/// Why the caller may not set an organisation's review levels.
pub fn review_levels_refusal() -> Refusal {
    Refusal::Forbidden("无权设置该机构的审核级数：须为该机构的单位管理员或系统管理员".into())
}

/// Sets how many review levels （一至三审） an organisation's items pass before publication:
/// its organisation administrators and system administrators.
pub async fn set_review_levels(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    levels: u8,
) -> Outcome<()> {
    if !caller.perms.can_manage_users_of(org_id) {
        return Err(review_levels_refusal());
    }
    workflow::set_review_levels(tx, &caller.actor, org_id, levels).await?;
    Ok(())
}

/// Links an item to the obligations of its organisation it discharges ( 落实… ), replacing the
/// previous links: a linked item counts as evidence for exactly those obligations. `ids` are the
/// form's values; one that is not a number is refused with the others. Returns whether anything
/// changed.
pub async fn link_obligations(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    item: &Item,
    ids: &[String],
) -> Outcome<bool> {
    if !caller.perms.can_edit_items_of(item.org_id) {
        return Err(Refusal::forbidden());
    }
    let mut parsed = Vec::with_capacity(ids.len());
    for raw in ids.iter().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        match raw.parse::<i64>() {
            Ok(id) => parsed.push(id),
            Err(_) => {
                return Err(Refusal::Invalid(Invalid::one(
                    "obligation_ids",
                    "\u{6240}\u{9009}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{65E0}\u{6548}",
                )));
            }
        }
    }
    Ok(gongkai_db::obligation_links::set(tx, &caller.actor, item.id, item.org_id, &parsed).await?)
}
