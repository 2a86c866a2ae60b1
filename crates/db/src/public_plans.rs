//! Which confirmed plans the public accountability page (`/zdgz`) shows. The supervising office
//! decides, plan by plan (`plans.is_public`, migration 0020); a newly confirmed plan is not public.
//! The portal reads only through [`list`] and [`get`], so a plan that is not public is not listed,
//! not in the sitemap and not found at `/zdgz/{id}`.

use crate::audit::{self, Entry};
use crate::civil::NullableDate;
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::CivilDate;
use serde::Serialize;
use sqlx::AnyConnection;

/// A plan as the public sees it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PublicPlan {
    pub id: i64,
    pub title: String,
    pub issuer: Option<String>,
    #[sqlx(try_from = "NullableDate")]
    pub issued_on: Option<CivilDate>,
    pub year: i64,
    /// When the office last made it public (epoch milliseconds).
    pub made_public_at: Option<i64>,
}

const COLUMNS: &str = "id, title, issuer, issued_on, year, made_public_at";

/// The public plans, newest year first (then newest plan first).
pub async fn list(conn: &mut AnyConnection) -> DbResult<Vec<PublicPlan>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {COLUMNS} FROM plans WHERE is_public = 1 ORDER BY year DESC, id DESC"
    ))
    .fetch_all(conn)
    .await?)
}

/// The plan if it exists and is public; `None` for a plan that does not exist or is not public
/// (the public cannot tell them apart).
pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Option<PublicPlan>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {COLUMNS} FROM plans WHERE id = $1 AND is_public = 1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?)
}

/// Whether a plan is public and since when, for the back office. Not found when there is no plan.
pub async fn state(conn: &mut AnyConnection, id: i64) -> DbResult<(bool, Option<i64>)> {
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT is_public, made_public_at FROM plans WHERE id = $1")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    let (public, at) = row.ok_or(DbError::NotFound("工作安排不存在"))?;
    Ok((public != 0, at))
}

/// Makes a plan public on `/zdgz` or withdraws it, with its audit entry. Making public again a
/// plan that already is keeps the first moment. Not found when there is no plan.
pub async fn set_public(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    public: bool,
) -> DbResult<()> {
    let title: Option<String> = sqlx::query_scalar("SELECT title FROM plans WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let title = title.ok_or(DbError::NotFound("工作安排不存在"))?;
    let (before, _) = state(conn, id).await?;
    if public {
        sqlx::query(
            "UPDATE plans SET is_public = 1, \
             made_public_at = CASE WHEN is_public = 1 THEN made_public_at ELSE $1 END WHERE id = $2",
        )
        .bind(now_ms())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    } else {
        sqlx::query("UPDATE plans SET is_public = 0, made_public_at = NULL WHERE id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let (action, summary) = if public {
        (
            "plan.make_public",
            format!("在公开页面发布工作安排\u{201C}{title}\u{201D}的落实情况"),
        )
    } else {
        (
            "plan.withdraw_public",
            format!("取消公开工作安排\u{201C}{title}\u{201D}的落实情况"),
        )
    };
    audit::record(
        conn,
        actor,
        Entry {
            action,
            entity: "plan",
            entity_id: id.to_string(),
            summary,
            before: Some(serde_json::json!({ "public": before })),
            after: Some(serde_json::json!({ "public": public })),
        },
    )
    .await
}
