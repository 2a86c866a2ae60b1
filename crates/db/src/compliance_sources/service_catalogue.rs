//! Evidence for obligations checked from the service-item catalogue (seed task 19): the public
//! guides of the obligation's organisation (or of its direct subordinates, which compile the
//! catalogue for a government), each dated by its first publication — `made_public_at` is set
//! once by the system, so a guide cannot be backdated.

use crate::DbResult;
use crate::plans::ObligationRow;
use gongkai_domain::compliance::EvidenceItem;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct GuideHit {
    id: i64,
    live_name: String,
    made_public_at: i64,
}

pub(super) async fn evidence(
    conn: &mut AnyConnection,
    o: &ObligationRow,
) -> DbResult<Vec<EvidenceItem>> {
    let rows: Vec<GuideHit> = sqlx::query_as(
        "SELECT s.id, s.live_name, s.made_public_at FROM service_items s \
         WHERE s.public = 1 AND s.made_public_at IS NOT NULL \
         AND (s.org_id = $1 OR s.org_id IN (SELECT id FROM organisations WHERE parent_id = $1)) \
         ORDER BY s.made_public_at, s.id",
    )
    .bind(o.org_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|g| {
            Some(EvidenceItem {
                item_id: g.id,
                // 办事指南：…
                title: format!("\u{529E}\u{4E8B}\u{6307}\u{5357}\u{FF1A}{}", g.live_name),
                published_on: gongkai_domain::china_time::date_of(g.made_public_at)?,
            })
        })
        .collect())
}
