//! 补录 (backfilled) items: an item whose stated 发布日期 is earlier than the day the system made
//! it public counts as supervision evidence from the day it was made public, unless the
//! supervising office accepts it (`backfill_acceptances`, migration 0018). Writes are audited in
//! the caller's transaction.

use crate::audit::{self, Entry};
use crate::{Actor, DbResult, now_ms};
use gongkai_domain::Invalid;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct Dates {
    title: String,
    published_at: Option<i64>,
    made_public_at: Option<i64>,
}

/// Accepts a public 补录 item as on-time evidence (from its stated date). Refused with a Chinese
/// message when the item is not public or not backfilled; accepting twice changes nothing and
/// returns `false`.
pub async fn accept(
    conn: &mut AnyConnection,
    actor: &Actor,
    item_id: i64,
    note: &str,
) -> DbResult<bool> {
    let Some(d): Option<Dates> = sqlx::query_as(
        "SELECT title, published_at, made_public_at FROM items WHERE id = $1 AND status = 'published'",
    )
    .bind(item_id)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Err(Invalid::one("item_id", "\u{8BE5}\u{4FE1}\u{606F}\u{672A}\u{53D1}\u{5E03}").into());
    };
    let day = |ms: Option<i64>| ms.and_then(gongkai_domain::china_time::date_of);
    let (Some(stated), Some(made)) = (day(d.published_at), day(d.made_public_at)) else {
        return Err(Invalid::one(
            "item_id",
            "\u{8BE5}\u{4FE1}\u{606F}\u{4E0D}\u{662F}\u{8865}\u{5F55}\u{4FE1}\u{606F}",
        )
        .into());
    };
    if stated >= made {
        return Err(Invalid::one(
            "item_id",
            "\u{8BE5}\u{4FE1}\u{606F}\u{4E0D}\u{662F}\u{8865}\u{5F55}\u{4FE1}\u{606F}",
        )
        .into());
    }
    let done: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM backfill_acceptances WHERE item_id = $1")
            .bind(item_id)
            .fetch_one(&mut *conn)
            .await?;
    if done > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO backfill_acceptances (item_id, accepted_by, accepted_at, note) VALUES ($1, $2, $3, $4)",
    )
    .bind(item_id)
    .bind(actor.user_id)
    .bind(now_ms())
    .bind(note)
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "backfill.accept",
            entity: "item",
            entity_id: item_id.to_string(),
            summary: format!(
                "\u{8BA4}\u{53EF}\u{8865}\u{5F55}\u{4FE1}\u{606F}\u{300A}{}\u{300B}\u{6309}\u{6807}\u{6CE8}\u{7684}\u{53D1}\u{5E03}\u{65E5}\u{671F}{stated}\u{8BA1}\u{5165}\u{516C}\u{5F00}\u{60C5}\u{51B5}\u{FF08}\u{7CFB}\u{7EDF}\u{516C}\u{5F00}\u{4E8E}{made}\u{FF09}",
                d.title
            ),
            before: None,
            after: Some(serde_json::json!({ "note": note })),
        },
    )
    .await?;
    Ok(true)
}
