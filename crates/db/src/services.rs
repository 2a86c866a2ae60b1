//! The service-item catalogue and its guides (`service_*` tables): create, edit, the review
//! workflow (the items' state machine through `gongkai_domain::service::check`, with the
//! organisation's review levels), publication of a version with its change note, withdrawal,
//! the public reads and the completeness rule's setting. **Every write takes the caller's
//! transaction and an `Actor` and writes its audit entry there**; publication and withdrawal
//! queue the search outbox in the same transaction.

use crate::audit::{self, Entry};
use crate::workflow::{Rights, review_levels};
use crate::{Actor, DbError, DbResult, now_ms, search_outbox, settings};
use gongkai_domain::Invalid;
use gongkai_domain::model::SearchKind;
use gongkai_domain::service::{self, Guide, Level, Rule};
use gongkai_domain::workflow::{self as wf, Action, Facts, State};
use serde::Serialize;
use serde_json::json;
use sqlx::AnyConnection;

/// The setting holding the completeness rule (element codes, comma-separated).
pub const RULE_SETTING: &str = "service_guide_required";

const COLS: &str = "s.id, s.org_id, o.name AS org_name, s.level, s.name, s.code, s.status, \
     s.review_level, s.review_round, s.version, s.draft, s.change_note, s.public, s.live, \
     s.live_version, s.made_public_at, s.published_at, s.created_by, s.updated_at";

/// A service item as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ServiceRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub level: String,
    pub name: String,
    pub code: String,
    pub status: String,
    pub review_level: i64,
    pub review_round: i64,
    pub version: i64,
    pub draft: String,
    pub change_note: String,
    pub public: i64,
    pub live: Option<String>,
    pub live_version: i64,
    pub made_public_at: Option<i64>,
    pub published_at: Option<i64>,
    pub created_by: Option<i64>,
    pub updated_at: i64,
}

impl ServiceRow {
    /// The working version.
    pub fn guide(&self) -> Guide {
        serde_json::from_str(&self.draft).unwrap_or_default()
    }

    /// The version the public sees, if any.
    pub fn live_guide(&self) -> Option<Guide> {
        self.live
            .as_deref()
            .and_then(|s| serde_json::from_str(s).ok())
    }

    pub fn state(&self) -> State {
        State::from_stored(&self.status, self.review_level).unwrap_or(State::Draft)
    }

    pub fn level(&self) -> Level {
        Level::from_code(&self.level).unwrap_or(Level::City)
    }

    pub fn is_public(&self) -> bool {
        self.public == 1
    }
}

/// A published version: the public 变更记录.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct VersionRow {
    pub number: i64,
    pub change_note: String,
    pub published_at: i64,
    pub published_by: String,
}

fn to_json(g: &Guide) -> DbResult<String> {
    serde_json::to_string(g).map_err(|e| DbError::Invalid(Invalid::one("guide", e.to_string())))
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<ServiceRow> {
    sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM service_items s JOIN organisations o ON o.id = s.org_id WHERE s.id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| DbError::NotFound("事项不存在"))
}

/// Service items of `orgs` (`None`: all), by organisation then name.
pub async fn list(conn: &mut AnyConnection, orgs: Option<&[i64]>) -> DbResult<Vec<ServiceRow>> {
    let rows: Vec<ServiceRow> = sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM service_items s JOIN organisations o ON o.id = s.org_id \
         ORDER BY o.sort_order, o.id, s.name, s.id"
    ))
    .fetch_all(conn)
    .await?;
    Ok(match orgs {
        None => rows,
        Some(ids) => rows
            .into_iter()
            .filter(|r| ids.contains(&r.org_id))
            .collect(),
    })
}

/// Public service items (their live versions), by organisation then name.
pub async fn public_list(conn: &mut AnyConnection) -> DbResult<Vec<ServiceRow>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM service_items s JOIN organisations o ON o.id = s.org_id \
         WHERE s.public = 1 AND s.live IS NOT NULL ORDER BY o.sort_order, o.id, s.live_name, s.id"
    ))
    .fetch_all(conn)
    .await?)
}

/// A public service item, or `None`.
pub async fn public_get(conn: &mut AnyConnection, id: i64) -> DbResult<Option<ServiceRow>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {COLS} FROM service_items s JOIN organisations o ON o.id = s.org_id \
         WHERE s.id = $1 AND s.public = 1 AND s.live IS NOT NULL"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// The published versions of an item, newest first.
pub async fn versions(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<VersionRow>> {
    Ok(sqlx::query_as(
        "SELECT number, change_note, published_at, published_by FROM service_versions \
         WHERE item_id = $1 ORDER BY number DESC",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// Refuses a code another item of the organisation already has.
async fn check_code(
    conn: &mut AnyConnection,
    org_id: i64,
    code: &str,
    except: i64,
) -> DbResult<()> {
    if code.is_empty() {
        return Ok(());
    }
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_items WHERE org_id = $1 AND code = $2 AND id <> $3",
    )
    .bind(org_id)
    .bind(code)
    .bind(except)
    .fetch_one(conn)
    .await?;
    if n > 0 {
        return Err(Invalid::one("code", format!("本机构已有事项编码为 {code} 的事项")).into());
    }
    Ok(())
}

async fn add_author(conn: &mut AnyConnection, id: i64, user: Option<i64>) -> DbResult<()> {
    if let Some(u) = user {
        sqlx::query(
            "INSERT INTO service_authors (item_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(u)
        .execute(conn)
        .await?;
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
            entity: "service_item",
            entity_id: id.to_string(),
            summary,
            before: None,
            after: Some(after),
        },
    )
    .await
}

/// Creates a service item with its guide as a draft.
pub async fn create(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    level: Level,
    guide: &Guide,
) -> DbResult<i64> {
    check_code(conn, org_id, &guide.code, 0).await?;
    let now = now_ms();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO service_items (org_id, level, name, code, draft, created_by, updated_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $7) RETURNING id",
    )
    .bind(org_id)
    .bind(level.code())
    .bind(&guide.name)
    .bind(&guide.code)
    .bind(to_json(guide)?)
    .bind(actor.user_id)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    add_author(conn, id, actor.user_id).await?;
    log(
        conn,
        actor,
        "service.create",
        id,
        format!("新建事项《{}》", guide.name),
        json!({"org_id": org_id, "level": level.code(), "guide": guide}),
    )
    .await?;
    Ok(id)
}

/// Saves an edit of the working version (optimistic locking by `version`). A guide under
/// review is not edited; a published one goes back to draft, its live version staying public
/// until the new one passes review. `change_note` is the 变更说明 of the next publication.
pub async fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ServiceRow,
    expected_version: i64,
    level: Level,
    guide: &Guide,
    change_note: &str,
) -> DbResult<()> {
    if matches!(row.state(), State::Submitted { .. } | State::Approved) {
        return Err(Invalid::one(
            "status",
            "审核中的办事指南不能修改\u{FF0C}请审核人先退回修改",
        )
        .into());
    }
    check_code(conn, row.org_id, &guide.code, row.id).await?;
    let status = match row.state() {
        State::Published => State::Draft.code(),
        s => s.code(),
    };
    let n = sqlx::query(
        "UPDATE service_items SET level = $1, name = $2, code = $3, draft = $4, change_note = $5, \
         status = $6, review_level = 0, updated_by = $7, updated_at = $8, version = version + 1 \
         WHERE id = $9 AND version = $10",
    )
    .bind(level.code())
    .bind(&guide.name)
    .bind(&guide.code)
    .bind(to_json(guide)?)
    .bind(change_note)
    .bind(status)
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(row.id)
    .bind(expected_version)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    add_author(conn, row.id, actor.user_id).await?;
    log(
        conn,
        actor,
        "service.update",
        row.id,
        format!("修改事项《{}》", guide.name),
        json!({"level": level.code(), "guide": guide, "change_note": change_note,
               "before": row.guide()}),
    )
    .await
}

/// Whether `user_id` wrote or edited the guide (its creator or one of its authors).
pub async fn is_author(
    conn: &mut AnyConnection,
    row: &ServiceRow,
    user_id: Option<i64>,
) -> DbResult<bool> {
    let Some(u) = user_id else { return Ok(false) };
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_authors WHERE item_id = $1 AND user_id = $2",
    )
    .bind(row.id)
    .bind(u)
    .fetch_one(&mut *conn)
    .await?;
    Ok(n > 0 || row.created_by == Some(u))
}

/// The workflow facts about `user_id` acting on `row`.
pub async fn facts(
    conn: &mut AnyConnection,
    row: &ServiceRow,
    user_id: Option<i64>,
    r: Rights,
) -> DbResult<Facts> {
    let approved: i64 = match user_id {
        Some(u) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM service_reviews WHERE item_id = $1 AND round = $2 \
                 AND reviewer_id = $3 AND decision = 'approve'",
            )
            .bind(row.id)
            .bind(row.review_round)
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
        is_author: is_author(conn, row, user_id).await?,
        approved_this_round: approved > 0,
        levels: review_levels(conn, row.org_id).await?,
        post_review_pending: false,
    })
}

/// Checks `action` for `actor` on item `id`: the item and the next state.
async fn checked(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    action: Action,
) -> DbResult<(ServiceRow, State)> {
    let row = get(conn, id).await?;
    let f = facts(conn, &row, actor.user_id, rights).await?;
    let next = service::check(row.state(), action, &f).map_err(|r| {
        if r.forbidden {
            DbError::Forbidden(r.message)
        } else {
            Invalid::one("status", r.message).into()
        }
    })?;
    Ok((row, next))
}

async fn move_state(
    conn: &mut AnyConnection,
    actor: &Actor,
    row: &ServiceRow,
    to: State,
) -> DbResult<()> {
    let n = sqlx::query(
        "UPDATE service_items SET status = $1, review_level = $2, updated_by = $3, updated_at = $4, \
         version = version + 1 WHERE id = $5 AND status = $6 AND review_level = $7",
    )
    .bind(to.code())
    .bind(to.level())
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(row.id)
    .bind(&row.status)
    .bind(row.review_level)
    .execute(conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    Ok(())
}

/// 提交审核： a new submission round at the first level. The caller has checked completeness.
pub async fn submit(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
) -> DbResult<()> {
    let (row, to) = checked(conn, actor, id, rights, Action::Submit).await?;
    move_state(conn, actor, &row, to).await?;
    sqlx::query("UPDATE service_items SET review_round = review_round + 1 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    log(
        conn,
        actor,
        "service.submit",
        id,
        format!("提交审核办事指南《{}》", row.name),
        json!({"status": to.code(), "review_round": row.review_round + 1}),
    )
    .await
}

/// A review decision on the current level: approve (to the next level or approved) or return
/// to draft with a required comment.
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
    let (row, to) = checked(conn, actor, id, rights, action).await?;
    let comment = if approve {
        comment.trim().chars().take(500).collect::<String>()
    } else {
        wf::required_text(comment, "退回意见").map_err(|m| Invalid::one("comment", m))?
    };
    let level = match row.state() {
        State::Submitted { level } => level as i64,
        _ => review_levels(conn, row.org_id).await? as i64,
    };
    move_state(conn, actor, &row, to).await?;
    sqlx::query(
        "INSERT INTO service_reviews (item_id, round, level, reviewer_id, reviewer_name, decision, comment, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(row.review_round)
    .bind(level)
    .bind(actor.user_id)
    .bind(&actor.name)
    .bind(if approve { "approve" } else { "return" })
    .bind(&comment)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    let label = wf::level_label(level as u8);
    let what = if approve { "通过" } else { "退回" };
    log(
        conn,
        actor,
        "service.review",
        id,
        format!("{label}{what}办事指南《{}》", row.name),
        json!({"decision": if approve {"approve"} else {"return"}, "level": level,
               "comment": comment, "status": to.code()}),
    )
    .await?;
    Ok(to)
}

/// Publishes the approved working version: it becomes the live version, numbered, with its
/// change note in the 变更记录； the first publication dates the item (never moved after).
/// The caller has checked completeness.
pub async fn publish(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
) -> DbResult<()> {
    let (row, to) = checked(conn, actor, id, rights, Action::Publish).await?;
    let guide = row.guide();
    let number = row.live_version + 1;
    let note = if row.change_note.trim().is_empty() {
        if number == 1 {
            "首次发布".to_string()
        } else {
            return Err(Invalid::one("change_note", "修改已发布的办事指南须填写变更说明").into());
        }
    } else {
        row.change_note.trim().to_string()
    };
    move_state(conn, actor, &row, to).await?;
    let now = now_ms();
    sqlx::query(
        "UPDATE service_items SET public = 1, live = draft, live_name = name, live_text = $1, \
         live_version = $2, made_public_at = COALESCE(made_public_at, $3), published_at = $3, \
         change_note = '' WHERE id = $4",
    )
    .bind(guide.search_text())
    .bind(number)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO service_versions (item_id, number, content, change_note, published_at, published_by) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(number)
    .bind(&row.draft)
    .bind(&note)
    .bind(now)
    .bind(&actor.name)
    .execute(&mut *conn)
    .await?;
    search_outbox::record_kind(conn, SearchKind::Service, id).await?;
    log(
        conn,
        actor,
        "service.publish",
        id,
        format!("发布办事指南《{}》第 {number} 版\u{FF1A}{note}", row.name),
        json!({"version": number, "change_note": note}),
    )
    .await
}

/// 撤回 a published guide (with a required reason): it leaves the portal and search.
pub async fn withdraw(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    rights: Rights,
    reason: &str,
) -> DbResult<()> {
    let reason = wf::required_text(reason, "撤回理由").map_err(|m| Invalid::one("reason", m))?;
    let (row, to) = checked(conn, actor, id, rights, Action::Withdraw).await?;
    move_state(conn, actor, &row, to).await?;
    sqlx::query("UPDATE service_items SET public = 0 WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    search_outbox::record_kind(conn, SearchKind::Service, id).await?;
    log(
        conn,
        actor,
        "service.withdraw",
        id,
        format!("撤回办事指南《{}》\u{FF1A}{reason}", row.name),
        json!({"reason": reason}),
    )
    .await
}

/// The completeness rule as configured, or the default.
pub async fn rule(conn: &mut AnyConnection) -> DbResult<Rule> {
    let stored = settings::get(conn, RULE_SETTING).await?;
    Ok(stored
        .as_deref()
        .and_then(|s| Rule::parse(s).ok())
        .unwrap_or_default())
}

/// Stores the completeness rule (audited as a setting).
pub async fn set_rule(conn: &mut AnyConnection, actor: &Actor, rule: &Rule) -> DbResult<()> {
    settings::set(conn, actor, RULE_SETTING, &rule.to_stored()).await
}

/// Stores an uploaded catalogue's rows for its review screen.
pub async fn create_import(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    file_name: &str,
    rows: &[Vec<String>],
) -> DbResult<i64> {
    let sheet = serde_json::to_string(rows)
        .map_err(|e| DbError::Invalid(Invalid::one("file", e.to_string())))?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO service_imports (org_id, file_name, sheet, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(file_name)
    .bind(sheet)
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "service.import_upload",
            entity: "service_import",
            entity_id: id.to_string(),
            summary: format!(
                "上传事项目录\u{300A}{file_name}\u{300B}\u{FF08}{} 行\u{FF09}待核对",
                rows.len()
            ),
            before: None,
            after: Some(json!({"org_id": org_id, "rows": rows.len()})),
        },
    )
    .await?;
    Ok(id)
}

/// An uploaded catalogue waiting for review.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub org_id: i64,
    pub file_name: String,
    pub sheet: String,
    pub created_by: Option<i64>,
}

impl ImportRow {
    pub fn rows(&self) -> Vec<Vec<String>> {
        serde_json::from_str(&self.sheet).unwrap_or_default()
    }
}

pub async fn get_import(conn: &mut AnyConnection, id: i64) -> DbResult<ImportRow> {
    sqlx::query_as(
        "SELECT id, org_id, file_name, sheet, created_by FROM service_imports WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| DbError::NotFound("导入记录不存在"))
}

/// Removes an import once it has been applied.
pub async fn finish_import(conn: &mut AnyConnection, id: i64) -> DbResult<()> {
    sqlx::query("DELETE FROM service_imports WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
