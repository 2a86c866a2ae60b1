//! Evidence for obligations checked from open data (seed task 21, 数据开放 ): each update of a
//! public dataset of the obligation's organisation (or of its direct subordinates) — one
//! uploaded file — dated by its upload, which the system records and nobody can backdate. A
//! dataset made non-public (unpublished, or 不予开放 ) stops counting.

use crate::DbResult;
use crate::data::PUBLIC_SQL;
use crate::plans::ObligationRow;
use gongkai_domain::compliance::EvidenceItem;
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct UpdateHit {
    id: i64,
    name: String,
    file_name: String,
    uploaded_at: i64,
}

pub(super) async fn evidence(
    conn: &mut AnyConnection,
    o: &ObligationRow,
) -> DbResult<Vec<EvidenceItem>> {
    let rows: Vec<UpdateHit> = sqlx::query_as(dyn_sql!(
        "SELECT f.id, r.name, f.file_name, f.uploaded_at FROM data_files f \
         JOIN data_resources r ON r.id = f.resource_id WHERE {PUBLIC_SQL} \
         AND (r.org_id = $1 OR r.org_id IN (SELECT id FROM organisations WHERE parent_id = $1)) \
         ORDER BY f.uploaded_at, f.id"
    ))
    .bind(o.org_id)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|u| {
            Some(EvidenceItem {
                item_id: u.id,
                // 数据更新：资源名称（文件）
                title: format!(
                    "\u{6570}\u{636E}\u{66F4}\u{65B0}\u{FF1A}{}\u{FF08}{}\u{FF09}",
                    u.name, u.file_name
                ),
                published_on: gongkai_domain::china_time::date_of(u.uploaded_at)?,
            })
        })
        .collect())
}
