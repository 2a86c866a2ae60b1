//! The publishing workflow over the database: submit, review (one to three levels), publish,
//! publish now without review (先发后审), schedule (through the job queue), withdraw, versions.
//! **Every transition asks `gongkai_domain::workflow::check` inside the caller's transaction
//! and writes its audit entry there**, so a refusal writes nothing. The caller states the
//! user's rights on the item's organisation ([`Rights`]); authorship and earlier approvals are
//! read here.

use crate::audit::{self, Entry};
use crate::items::{self, Item, SUMMARY_COLS, id_list};
use crate::{Actor, DbError, DbResult, Page, jobs, now_ms, page_bounds, search_outbox};
use gongkai_domain::Invalid;
use gongkai_domain::index_no::IndexPattern;
use gongkai_domain::workflow::{self as wf, Action, Facts, Refusal, State, WithdrawMode};
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

/// The job that publishes a scheduled item (`{"item_id", "publish_at"}`, run at `publish_at`).
pub const PUBLISH_JOB: &str = "item.publish_scheduled";

/// The user's rights on the item's organisation, from their grants.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    pub can_edit: bool,
    pub can_review: bool,
    pub can_withdraw: bool,
}

/// The workflow state of a stored item.
pub fn state_of(item: &Item) -> State {
    State::from_stored(&item.status, item.review_level).unwrap_or(State::Draft)
}

/// An organisation's review levels (1..=3; 1 when unknown).
pub async fn review_levels(conn: &mut AnyConnection, org_id: i64) -> DbResult<u8> {
    let n: Option<i64> =
        sqlx::query_scalar("SELECT review_levels FROM organisations WHERE id = $1")
            .bind(org_id)
            .fetch_optional(conn)
            .await?;
    Ok(n.unwrap_or(1).clamp(1, wf::MAX_LEVELS as i64) as u8)
}

/// Sets an organisation's review levels (audited).
pub async fn set_review_levels(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    levels: u8,
) -> DbResult<()> {
    if !(1..=wf::MAX_LEVELS).contains(&levels) {
        return Err(Invalid::one("review_levels", "审核级数须为 1、2 或 3").into());
    }
    let before = review_levels(conn, org_id).await?;
    if before == levels {
        return Ok(());
    }
    sqlx::query("UPDATE organisations SET review_levels = $1, updated_at = $2 WHERE id = $3")
        .bind(levels as i64)
        .bind(now_ms())
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "org.review_levels",
            entity: "organisation",
            entity_id: org_id.to_string(),
            summary: format!("审核级数由 {before} 级改为 {levels} 级"),
            before: Some(json!({"review_levels": before})),
            after: Some(json!({"review_levels": levels})),
        },
    )
    .await
}

/// Whether `user_id` created or edited the item.
pub async fn is_author(
    conn: &mut AnyConnection,
    item: &Item,
    user_id: Option<i64>,
) -> DbResult<bool> {
    let Some(u) = user_id else { return Ok(false) };
    if item.created_by == Some(u) {
        return Ok(true);
    }
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM item_authors WHERE item_id = $1 AND user_id = $2")
            .bind(item.id)
            .bind(u)
            .fetch_one(conn)
            .await?;
    Ok(n > 0)
}

/// The workflow facts about `user_id` acting on `item`.
pub async fn facts(
    conn: &mut AnyConnection,
    item: &Item,
    user_id: Option<i64>,
    r: Rights,
) -> DbResult<Facts> {
    let approved: i64 = match user_id {
        Some(u) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM item_reviews WHERE item_id = $1 AND round = $2 AND reviewer_id = $3 \
                 AND decision = 'approve'",
            )
            .bind(item.id)
            .bind(item.review_round)
            .bind(u)
            .fetch_one(&mut *conn)
            .await?
        }
        None => 0,
    };
    Ok(Facts {
        can_edit: r.can_edit,
        can_review: r.can_review,
        can_withdraw: r.can_withdraw,
        is_author: is_author(conn, item, user_id).await?,
        approved_this_round: approved > 0,
        levels: review_levels(conn, item.org_id).await?,
        post_review_pending: item.post_review.as_deref() == Some("pending"),
    })
}

fn refusal(r: Refusal) -> DbError {
    if r.forbidden {
        DbError::Forbidden(r.message)
    } else {
        Invalid::one("status", r.message).into()
    }
}

/// Loads the item and checks `action` for `actor` with `rights`: the item, its state and the
/// next state.
async fn checked(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    action: Action,
) -> DbResult<(Item, State, State)> {
    let item = items::get(conn, id).await?;
    let f = facts(conn, &item, actor.user_id, rights).await?;
    let state = state_of(&item);
    let next = wf::check(state, action, &f).map_err(refusal)?;
    Ok((item, state, next))
}

/// Moves the item from `from` to `to` (only if it is still in `from`), bumping its version.
async fn move_state(
    conn: &mut AnyConnection,
    actor: &Actor,
    item: &Item,
    from: State,
    to: State,
) -> DbResult<()> {
    let n = sqlx::query(
        "UPDATE items SET status = $1, review_level = $2, updated_by = $3, updated_at = $4, version = version + 1 \
         WHERE id = $5 AND status = $6 AND review_level = $7",
    )
    .bind(to.code())
    .bind(to.level())
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(item.id)
    .bind(from.code())
    .bind(item.review_level)
    .execute(conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    Ok(())
}

async fn log(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &'static str,
    id: i64,
    summary: String,
    after: serde_json::Value,
) -> DbResult<()> {
    audit::record(
        conn,
        actor,
        Entry {
            action,
            entity: "item",
            entity_id: id.to_string(),
            summary,
            before: None,
            after: Some(after),
        },
    )
    .await
}

/// 提交审核: draft or withdrawn → waiting for the first level; a new submission round.
pub async fn submit(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
) -> DbResult<()> {
    let (item, from, to) = checked(conn, actor, id, rights, Action::Submit).await?;
    move_state(conn, actor, &item, from, to).await?;
    sqlx::query("UPDATE items SET review_round = review_round + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let levels = review_levels(conn, item.org_id).await?;
    log(
        conn,
        actor,
        "item.submit",
        id,
        format!(
            "提交审核《{}》（第 {} 次提交，共 {levels} 级审核，待{}）",
            item.title,
            item.review_round + 1,
            wf::level_label(1)
        ),
        json!({"status": to.code(), "review_level": 1, "review_round": item.review_round + 1}),
    )
    .await
}

/// A review decision: approve the current level (to the next level, or approved after the last),
/// or return to draft with a required comment.
pub async fn review(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    approve: bool,
    comment: &str,
) -> DbResult<State> {
    let action = if approve {
        Action::Approve
    } else {
        Action::Return
    };
    let (item, from, to) = checked(conn, actor, id, rights, action).await?;
    let comment = if approve {
        comment.trim().chars().take(500).collect::<String>()
    } else {
        wf::required_text(comment, "退回意见").map_err(|m| Invalid::one("comment", m))?
    };
    let level = match from {
        State::Submitted { level } => level as i64,
        _ => review_levels(conn, item.org_id).await? as i64,
    };
    move_state(conn, actor, &item, from, to).await?;
    sqlx::query(
        "INSERT INTO item_reviews (item_id, round, level, reviewer_id, reviewer_name, decision, comment, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(item.review_round)
    .bind(level)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(if approve { "approve" } else { "return" })
    .bind(&comment)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    let label = wf::level_label(level as u8);
    let summary = if approve {
        match to {
            State::Approved => format!("{label}通过《{}》，审核完成，待发布", item.title),
            _ => format!(
                "{label}通过《{}》，转{}",
                item.title,
                wf::level_label(to.level() as u8)
            ),
        }
    } else {
        format!("{label}退回《{}》：{comment}", item.title)
    };
    log(
        conn,
        actor,
        "item.review",
        id,
        summary,
        json!({"decision": if approve {"approve"} else {"return"}, "level": level,
               "round": item.review_round, "comment": comment, "status": to.code()}),
    )
    .await?;
    Ok(to)
}

/// 发布 an approved item (the caller has run the content guard; `guard_override` as in
/// `items::publish_noting`).
pub async fn publish_approved(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    pattern: &IndexPattern,
    guard_override: Option<serde_json::Value>,
) -> DbResult<()> {
    checked(conn, actor, id, rights, Action::Publish).await?;
    items::publish_inner(
        conn,
        actor,
        id,
        pattern,
        guard_override,
        "（经审核后发布）",
        Default::default(),
    )
    .await
}

/// 直接发布(先发后审): publishes without review, with a required reason; the item waits for the
/// after-the-fact review.
pub async fn publish_now(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    pattern: &IndexPattern,
    reason: &str,
    guard_override: Option<serde_json::Value>,
) -> DbResult<()> {
    checked(conn, actor, id, rights, Action::PublishNow).await?;
    let reason = wf::publish_now_reason(reason).map_err(|m| Invalid::one("reason", m))?;
    let mut extra = serde_json::Map::new();
    extra.insert("publish_now_reason".into(), json!(reason));
    items::publish_inner(
        conn,
        actor,
        id,
        pattern,
        guard_override,
        &format!("，未经审核直接发布（先发后审），理由：{reason}"),
        extra,
    )
    .await?;
    sqlx::query("UPDATE items SET publish_now_reason = $1, post_review = 'pending' WHERE id = $2")
        .bind(&reason)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// 补审通过: a reviewer confirms an item published without review.
pub async fn confirm_post_review(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    comment: &str,
) -> DbResult<()> {
    let (item, _, _) = checked(conn, actor, id, rights, Action::ConfirmPostReview).await?;
    let comment: String = comment.trim().chars().take(500).collect();
    sqlx::query("UPDATE items SET post_review = 'done', updated_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    add_review(conn, actor, &item, "post_review", &comment).await?;
    log(
        conn,
        actor,
        "item.post_review",
        id,
        format!("补审通过《{}》（先发后审）", item.title),
        json!({"decision": "post_review", "comment": comment}),
    )
    .await
}

async fn add_review(
    conn: &mut AnyConnection,
    actor: &Actor,
    item: &Item,
    decision: &str,
    comment: &str,
) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO item_reviews (item_id, round, level, reviewer_id, reviewer_name, decision, comment, created_at) \
         VALUES ($1, $2, 0, $3, $4, $5, $6, $7)",
    )
    .bind(item.id)
    .bind(item.review_round)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(decision)
    .bind(comment)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

/// An instant in China as `YYYY-MM-DD HH:MM`.
pub fn china_time(ms: i64) -> String {
    gongkai_domain::china_time::format_minute(ms)
}

/// 定时发布 an approved item at `publish_at` (epoch ms, after `now`): enqueues the job.
pub async fn schedule(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    publish_at: i64,
    now: i64,
) -> DbResult<()> {
    let (item, from, to) = checked(conn, actor, id, rights, Action::Schedule).await?;
    if publish_at <= now {
        return Err(Invalid::one("publish_at", "定时发布时间须晚于当前时间").into());
    }
    move_state(conn, actor, &item, from, to).await?;
    sqlx::query("UPDATE items SET publish_at = $1, schedule_error = NULL WHERE id = $2")
        .bind(publish_at)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let key = format!("{PUBLISH_JOB}:{id}:{}", item.version + 1);
    jobs::enqueue(
        conn,
        PUBLISH_JOB,
        &json!({"item_id": id, "publish_at": publish_at}),
        publish_at,
        Some(&key),
    )
    .await?;
    log(
        conn,
        actor,
        "item.schedule",
        id,
        format!(
            "定时发布《{}》于 {}（北京时间）",
            item.title,
            china_time(publish_at)
        ),
        json!({"status": to.code(), "publish_at": publish_at}),
    )
    .await
}

/// 取消定时: back to approved; the queued job finds nothing to do.
pub async fn unschedule(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
) -> DbResult<()> {
    let (item, from, to) = checked(conn, actor, id, rights, Action::Unschedule).await?;
    move_state(conn, actor, &item, from, to).await?;
    sqlx::query("UPDATE items SET publish_at = NULL, schedule_error = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    log(
        conn,
        actor,
        "item.unschedule",
        id,
        format!("取消定时发布《{}》，回到待发布", item.title),
        json!({"status": to.code()}),
    )
    .await
}

/// 撤回 a published item with a required reason: `notice` keeps a public page with the notice,
/// `gone` answers 410. Leaves every public list, feed and the search index.
pub async fn withdraw(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    mode: WithdrawMode,
    reason: &str,
) -> DbResult<()> {
    let (item, from, to) = checked(conn, actor, id, rights, Action::Withdraw).await?;
    let reason = wf::required_text(reason, "撤回理由").map_err(|m| Invalid::one("reason", m))?;
    move_state(conn, actor, &item, from, to).await?;
    let post = match item.post_review.as_deref() {
        Some("pending") => Some("withdrawn"),
        other => other,
    };
    sqlx::query(
        "UPDATE items SET withdraw_mode = $1, withdraw_reason = $2, withdrawn_at = $3, post_review = $4 WHERE id = $5",
    )
    .bind(mode.code())
    .bind(&reason)
    .bind(now_ms())
    .bind(post)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    if item.post_review.as_deref() == Some("pending") {
        add_review(conn, actor, &item, "post_withdraw", &reason).await?;
    }
    search_outbox::record(conn, id).await?;
    log(
        conn,
        actor,
        "item.withdraw",
        id,
        format!("撤回信息《{}》（{}）：{reason}", item.title, mode.label()),
        json!({"status": to.code(), "withdraw_mode": mode.code(), "reason": reason}),
    )
    .await
}

/// Scheduled items due at `now` whose publication was not refused: `(id, publish_at)`.
pub async fn due_scheduled(conn: &mut AnyConnection, now: i64) -> DbResult<Vec<(i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT id, publish_at FROM items WHERE status = 'scheduled' AND publish_at <= $1 \
         AND schedule_error IS NULL ORDER BY publish_at, id",
    )
    .bind(now)
    .fetch_all(conn)
    .await?)
}

/// Takes the row of a scheduled item for publication (a row lock on PostgreSQL): `false` when it
/// is no longer scheduled for `publish_at` (unscheduled, edited, or published by another node).
pub async fn claim_scheduled(conn: &mut AnyConnection, id: i64, publish_at: i64) -> DbResult<bool> {
    let n = sqlx::query(
        "UPDATE items SET updated_at = updated_at WHERE id = $1 AND status = 'scheduled' \
         AND publish_at = $2 AND schedule_error IS NULL",
    )
    .bind(id)
    .bind(publish_at)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// Publishes a claimed scheduled item as the system; `late` marks a publication caught up at
/// start after the server was down.
pub async fn publish_scheduled(
    conn: &mut AnyConnection,
    id: i64,
    pattern: &IndexPattern,
    late: bool,
) -> DbResult<()> {
    let suffix = if late {
        "（定时发布（服务停机期间到期，启动时补发））"
    } else {
        "（定时发布）"
    };
    let mut extra = serde_json::Map::new();
    extra.insert("scheduled".into(), json!(true));
    extra.insert("caught_up_at_start".into(), json!(late));
    items::publish_inner(conn, &Actor::system(), id, pattern, None, suffix, extra).await
}

/// Records that a scheduled publication was refused (the content guard found something): the
/// item stays scheduled with the message shown in the back office, and is not retried.
pub async fn schedule_failed(conn: &mut AnyConnection, id: i64, message: &str) -> DbResult<()> {
    let item = items::get(conn, id).await?;
    sqlx::query("UPDATE items SET schedule_error = $1, updated_at = $2 WHERE id = $3")
        .bind(message)
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    log(
        conn,
        &Actor::system(),
        "item.schedule_failed",
        id,
        format!("定时发布《{}》未执行：{message}", item.title),
        json!({"schedule_error": message}),
    )
    .await
}

/// Stores a version of the item as it is now (every publication and every change to a
/// published item).
pub async fn record_version(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    major: bool,
    note: &str,
) -> DbResult<()> {
    let item = items::get(conn, id).await?;
    let number: i64 = sqlx::query_scalar(
        "SELECT COALESCE(MAX(number), 0) + 1 FROM item_versions WHERE item_id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let mut snap = serde_json::to_value(&item).unwrap_or_default();
    if let Some(o) = snap.as_object_mut() {
        o.remove("body_html");
        o.remove("body_source");
    }
    sqlx::query(
        "INSERT INTO item_versions (item_id, number, title, body_source, snapshot, major, change_note, created_by, actor_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(number)
    .bind(&item.title)
    .bind(&item.body_source)
    .bind(snap.to_string())
    .bind(major as i64)
    .bind(note)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub id: i64,
    pub number: i64,
    pub title: String,
    pub body_source: String,
    pub major: i64,
    pub change_note: String,
    pub actor_name: String,
    pub created_at: i64,
}

/// Every version of an item, newest first.
pub async fn versions_of(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT id, number, title, body_source, major, change_note, actor_name, created_at \
         FROM item_versions WHERE item_id = $1 ORDER BY number DESC",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// `(created_at, change_note)` of the major changes of an item, oldest first: the public
/// 更新记录 (only ask for a public item).
pub async fn public_changes(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT created_at, change_note FROM item_versions WHERE item_id = $1 AND major = 1 \
         AND change_note <> '' ORDER BY number",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub round: i64,
    pub level: i64,
    pub reviewer_name: String,
    pub decision: String,
    pub comment: String,
    pub created_at: i64,
}

/// The review history of an item, oldest first.
pub async fn reviews_of(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<ReviewRow>> {
    Ok(sqlx::query_as(
        "SELECT id, round, level, reviewer_name, decision, comment, created_at FROM item_reviews \
         WHERE item_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// What the public may learn of an item withdrawn through the workflow (only 主动公开 items,
/// which were public before).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct WithdrawnRow {
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    pub index_no: Option<String>,
    pub withdraw_mode: String,
    pub withdraw_reason: Option<String>,
    pub withdrawn_at: Option<i64>,
}

pub async fn withdrawn(conn: &mut AnyConnection, id: i64) -> DbResult<Option<WithdrawnRow>> {
    Ok(sqlx::query_as(
        "SELECT id, org_id, title, index_no, withdraw_mode, withdraw_reason, withdrawn_at FROM items \
         WHERE id = $1 AND status = 'unpublished' AND disclosure = 'proactive' AND withdraw_mode IS NOT NULL",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// A row of the reviewer's queues.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct QueueRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub summary: String,
    pub status: String,
    pub disclosure: String,
    pub index_no: Option<String>,
    pub doc_number: Option<String>,
    pub validity: String,
    pub published_at: Option<i64>,
    pub updated_at: i64,
    pub review_level: i64,
    pub review_round: i64,
    pub publish_now_reason: Option<String>,
}

/// Which queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queue {
    /// 待我审核: submitted items the user may review now.
    Review,
    /// 待补审(先发后审): items published without review, not yet reviewed afterwards.
    PostReview,
}

/// The items waiting for `user_id` in `queue`, among `orgs` (`None` = all), oldest first.
/// Items the user wrote, or whose current round they already approved, are left out.
pub async fn queue(
    conn: &mut AnyConnection,
    queue: Queue,
    orgs: Option<&[i64]>,
    user_id: Option<i64>,
    page: i64,
    per_page: i64,
) -> DbResult<Page<QueueRow>> {
    let (page, per_page, offset) = page_bounds(page, per_page);
    let mut cond = match queue {
        Queue::Review => format!(
            "(i.status = 'submitted' OR (i.status = 'published' AND EXISTS (SELECT 1 FROM item_revisions v \
             WHERE v.item_id = i.id AND v.status = 'pending' AND (v.author_id IS NULL OR v.author_id <> {}))))",
            user_id.unwrap_or(-1)
        ),
        Queue::PostReview => String::from("i.status = 'published' AND i.post_review = 'pending'"),
    };
    if let Some(o) = orgs {
        cond.push_str(&format!(" AND i.org_id IN ({})", id_list(o)));
    }
    let u = user_id.unwrap_or(-1);
    cond.push_str(&format!(
        " AND (i.created_by IS NULL OR i.created_by <> {u}) \
         AND NOT EXISTS (SELECT 1 FROM item_authors a WHERE a.item_id = i.id AND a.user_id = {u}) \
         AND NOT EXISTS (SELECT 1 FROM item_reviews r WHERE r.item_id = i.id AND r.round = i.review_round \
         AND r.reviewer_id = {u} AND r.decision = 'approve')"
    ));
    let total: i64 = sqlx::query_scalar(dyn_sql!("SELECT COUNT(*) FROM items i WHERE {cond}"))
        .fetch_one(&mut *conn)
        .await?;
    let rows = sqlx::query_as(dyn_sql!(
        "SELECT {SUMMARY_COLS}, i.review_level, i.review_round, i.publish_now_reason \
         FROM items i JOIN organisations o ON o.id = i.org_id WHERE {cond} \
         ORDER BY i.updated_at, i.id LIMIT {per_page} OFFSET {offset}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    Ok(Page {
        rows,
        total,
        page,
        per_page,
    })
}

/// Items published without review (先发后审) per organisation.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PostReviewCount {
    pub org_id: i64,
    pub org_name: String,
    /// Published without review and not yet reviewed afterwards.
    pub pending: i64,
    /// Ever published without review.
    pub total: i64,
}

pub async fn post_review_counts(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
) -> DbResult<Vec<PostReviewCount>> {
    let mut cond = String::from("i.publish_now_reason IS NOT NULL");
    if let Some(o) = orgs {
        cond.push_str(&format!(" AND i.org_id IN ({})", id_list(o)));
    }
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT i.org_id, o.name AS org_name, \
         SUM(CASE WHEN i.post_review = 'pending' AND i.status = 'published' THEN 1 ELSE 0 END) AS pending, \
         COUNT(*) AS total FROM items i JOIN organisations o ON o.id = i.org_id WHERE {cond} \
         GROUP BY i.org_id, o.name ORDER BY o.name"
    ))
    .fetch_all(conn)
    .await?)
}

/// `(org_id, review_levels)` of every organisation.
pub async fn all_review_levels(conn: &mut AnyConnection) -> DbResult<Vec<(i64, i64)>> {
    Ok(
        sqlx::query_as("SELECT id, review_levels FROM organisations ORDER BY sort_order, id")
            .fetch_all(conn)
            .await?,
    )
}

/// A major change waiting for review (the published text stays live meanwhile).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: i64,
    pub item_id: i64,
    /// `gongkai_domain::item::ItemFields` as JSON.
    pub fields: String,
    pub change_note: String,
    pub author_id: Option<i64>,
    pub author_name: String,
    pub created_at: i64,
    /// The review level it waits for （1..=the organisation's levels）.
    pub review_level: i64,
}

/// The pending revision of an item, if any.
pub async fn pending_revision(
    conn: &mut AnyConnection,
    item_id: i64,
) -> DbResult<Option<RevisionRow>> {
    Ok(sqlx::query_as(
        "SELECT id, item_id, fields, change_note, author_id, author_name, created_at, review_level FROM item_revisions \
         WHERE item_id = $1 AND status = 'pending' ORDER BY id DESC LIMIT 1",
    )
    .bind(item_id)
    .fetch_optional(conn)
    .await?)
}

/// Proposes a major change of a published item (`fields` already validated by the caller, as
/// JSON) with its public change note; it replaces an earlier pending proposal. Editors only.
pub async fn propose_revision(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    fields: &str,
    change_note: &str,
) -> DbResult<i64> {
    let item = items::get(conn, id).await?;
    if !rights.can_edit {
        return Err(DbError::Forbidden(
            "无权操作：您没有该信息所属机构的编辑权限".into(),
        ));
    }
    if state_of(&item) != State::Published {
        return Err(Invalid::one("status", "只有已发布的信息需要提交修改审核").into());
    }
    let note =
        wf::required_text(change_note, "修改说明").map_err(|m| Invalid::one("change_note", m))?;
    sqlx::query("UPDATE item_revisions SET status = 'replaced', decided_at = $1 WHERE item_id = $2 AND status = 'pending'")
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let rev: i64 = sqlx::query_scalar(
        "INSERT INTO item_revisions (item_id, fields, change_note, author_id, author_name, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(id)
    .bind(fields)
    .bind(&note)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    items::add_author(conn, id, actor).await?;
    log(
        conn,
        actor,
        "item.revision",
        id,
        format!(
            "提交《{}》的实质性修改待审核（原文继续公开）：{note}",
            item.title
        ),
        json!({"revision_id": rev, "change_note": note}),
    )
    .await?;
    Ok(rev)
}

/// A reviewer's decision on the pending revision at its current level. A 实质性修改 passes every
/// review level configured for the organisation, each by a different reviewer who did not write
/// it: an approval below the last level moves it to the next level (`Ok(None)`); the approval of
/// the last level returns it for the caller to apply (as a major change with its note); a return
/// closes it with a required comment (`Ok(None)`).
pub async fn decide_revision(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    approve: bool,
    comment: &str,
) -> DbResult<Option<RevisionRow>> {
    let item = items::get(conn, id).await?;
    let rev = pending_revision(conn, id)
        .await?
        .ok_or_else(|| DbError::from(Invalid::one("status", "该信息没有待审核的修改")))?;
    if !rights.can_review {
        return Err(DbError::Forbidden(
            "无权审核：您没有该信息所属机构的审核权限".into(),
        ));
    }
    if is_author(conn, &item, actor.user_id).await?
        || (actor.user_id.is_some() && rev.author_id == actor.user_id)
    {
        return Err(DbError::Forbidden("不能审核自己起草或修改过的信息".into()));
    }
    let levels = review_levels(conn, item.org_id).await? as i64;
    let level = rev.review_level.clamp(1, levels.max(1));
    if approve {
        let earlier: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM item_reviews WHERE revision_id = $1 AND reviewer_id = $2 \
             AND decision = 'revision_approve'",
        )
        .bind(rev.id)
        .bind(actor.user_id)
        .fetch_one(&mut *conn)
        .await?;
        if earlier > 0 {
            return Err(DbError::Forbidden(
                "各级审核须由不同的人办理：您已审核通过该修改的前一级".into(),
            ));
        }
    }
    let comment = if approve {
        comment.trim().chars().take(500).collect::<String>()
    } else {
        wf::required_text(comment, "退回意见").map_err(|m| Invalid::one("comment", m))?
    };
    let last = level >= levels;
    if approve && !last {
        sqlx::query(
            "UPDATE item_revisions SET review_level = $1 WHERE id = $2 AND status = 'pending'",
        )
        .bind(level + 1)
        .bind(rev.id)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("UPDATE item_revisions SET status = $1, comment = $2, decided_by = $3, decided_at = $4 WHERE id = $5")
            .bind(if approve { "approved" } else { "returned" })
            .bind(&comment)
            .bind(&actor.name)
            .bind(now_ms())
            .bind(rev.id)
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(
        "INSERT INTO item_reviews (item_id, round, level, reviewer_id, reviewer_name, decision, comment, created_at, revision_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(item.id)
    .bind(item.review_round)
    .bind(level)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(if approve {
        "revision_approve"
    } else {
        "revision_return"
    })
    .bind(&comment)
    .bind(now_ms())
    .bind(rev.id)
    .execute(&mut *conn)
    .await?;
    let label = wf::level_label(level as u8);
    let summary = match (approve, last) {
        (true, true) => format!(
            "{label}通过《{}》的实质性修改，审核完成：{}",
            item.title, rev.change_note
        ),
        (true, false) => format!(
            "{label}通过《{}》的实质性修改，转{}",
            item.title,
            wf::level_label(level as u8 + 1)
        ),
        (false, _) => format!("{label}退回《{}》的实质性修改：{comment}", item.title),
    };
    log(
        conn,
        actor,
        "item.revision_review",
        id,
        summary,
        json!({"revision_id": rev.id, "decision": if approve {"approve"} else {"return"},
               "level": level, "levels": levels, "comment": comment}),
    )
    .await?;
    Ok((approve && last).then_some(rev))
}
