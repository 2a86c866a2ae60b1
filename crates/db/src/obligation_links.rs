//! A unit's explicit links of an item to the obligations it discharges ( 落实… , `obligation_links`,
//! migration 0018): a linked item counts as evidence for exactly those obligations
//! (`compliance::evidence_owners`). Writes are audited in the caller's transaction.

use crate::audit::{self, Entry};
use crate::{Actor, DbResult, now_ms};
use gongkai_domain::Invalid;
use gongkai_domain::obligation::Cadence;
use serde::Serialize;
use sqlx::AnyConnection;

/// An obligation a unit may link its items to: of its organisation, in an active plan.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LinkOption {
    pub id: i64,
    pub org_id: i64,
    pub plan_title: String,
    pub task_number: i64,
    pub task_title: String,
    pub cadence: String,
    pub cadence_text: String,
}

impl LinkOption {
    /// 《盘锦市2017年政务公开工作安排》第1项“公开预期引导信息”：每月（按月）
    pub fn label(&self) -> String {
        let every = self
            .cadence
            .parse::<Cadence>()
            .map(|c| c.label())
            .unwrap_or_else(|_| self.cadence_text.clone());
        format!(
            "\u{300A}{}\u{300B}\u{7B2C}{}\u{9879}\u{201C}{}\u{201D}\u{FF1A}{every}\u{FF08}{}\u{FF09}",
            self.plan_title, self.task_number, self.task_title, self.cadence_text
        )
    }
}

const OPTIONS: &str = "SELECT ob.id, ob.org_id, p.title AS plan_title, t.number AS task_number, \
     t.title AS task_title, ob.cadence, ob.cadence_text FROM obligations ob \
     JOIN plan_duties d ON d.id = ob.duty_id JOIN plan_tasks t ON t.id = d.task_id \
     JOIN plans p ON p.id = t.plan_id WHERE p.status = 'active' AND ob.org_id = $1 \
     ORDER BY p.year DESC, p.id DESC, t.sort_order, d.sort_order, ob.id";

/// The obligations of `org_id` in active plans (at most 500).
pub async fn options(conn: &mut AnyConnection, org_id: i64) -> DbResult<Vec<LinkOption>> {
    let mut rows: Vec<LinkOption> = sqlx::query_as(OPTIONS)
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.truncate(500);
    Ok(rows)
}

/// The obligations an item is linked to.
pub async fn of_item(conn: &mut AnyConnection, item_id: i64) -> DbResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT obligation_id FROM obligation_links WHERE item_id = $1 ORDER BY obligation_id",
    )
    .bind(item_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Replaces an item's links. Every obligation must be one of the item's organisation in an
/// active plan; otherwise nothing changes and the Chinese reason is returned. Returns whether
/// anything changed (and was audited).
pub async fn set(
    conn: &mut AnyConnection,
    actor: &Actor,
    item_id: i64,
    org_id: i64,
    obligation_ids: &[i64],
) -> DbResult<bool> {
    let mut wanted: Vec<i64> = obligation_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let allowed: Vec<i64> = options(conn, org_id).await?.iter().map(|o| o.id).collect();
    if wanted.iter().any(|id| !allowed.contains(id)) {
        return Err(Invalid::one(
            "obligation_ids",
            "\u{6240}\u{9009}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{4E0D}\u{5C5E}\u{4E8E}\u{672C}\u{5355}\u{4F4D}\u{6216}\u{5DF2}\u{4E0D}\u{5728}\u{6267}\u{884C}\u{4E2D}\u{FF0C}\u{8BF7}\u{5237}\u{65B0}\u{540E}\u{91CD}\u{9009}",
        )
        .into());
    }
    let before = of_item(conn, item_id).await?;
    if before == wanted {
        return Ok(false);
    }
    sqlx::query("DELETE FROM obligation_links WHERE item_id = $1")
        .bind(item_id)
        .execute(&mut *conn)
        .await?;
    let now = now_ms();
    for ob in &wanted {
        sqlx::query(
            "INSERT INTO obligation_links (item_id, obligation_id, created_by, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(item_id)
        .bind(ob)
        .bind(actor.user_id)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "item.link_obligations",
            entity: "item",
            entity_id: item_id.to_string(),
            summary: format!(
                "\u{8BBE}\u{7F6E}\u{4FE1}\u{606F}\u{843D}\u{5B9E}\u{7684}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{FF08}{}\u{9879}\u{FF09}",
                wanted.len()
            ),
            before: Some(serde_json::json!(before)),
            after: Some(serde_json::json!(wanted)),
        },
    )
    .await?;
    Ok(true)
}
