//! Policy documents and their interpretations (政策解读): the links shown on the portal and the
//! supervision list of policies without an interpretation or with a late one.
//! Public facts only: every query here uses [`PUBLIC_SQL`] for both sides of a link.

use crate::DbResult;
use crate::feedback::china_date;
use crate::items::{ItemSummary, PUBLIC_SQL, SUMMARY_COLS, id_list};
use gongkai_domain::CivilDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::interpretation::{self, Timeliness};
use serde::Serialize;
use sqlx::AnyConnection;

/// Items are policy documents when they sit in a column of kind 政策文件.
const IN_POLICY_COLUMN: &str = "i.id IN (SELECT ic.item_id FROM item_columns ic JOIN columns c ON c.id = ic.column_id \
     WHERE c.kind = 'policy_document')";

/// The public interpretations of a policy document, oldest first.
pub async fn public_of(conn: &mut AnyConnection, policy_id: i64) -> DbResult<Vec<ItemSummary>> {
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT {SUMMARY_COLS} FROM items i JOIN organisations o ON o.id = i.org_id \
         WHERE {PUBLIC_SQL} AND i.interprets_item_id = $1 ORDER BY i.published_at, i.id"
    ))
    .bind(policy_id)
    .fetch_all(conn)
    .await?)
}

/// A published policy document an editor may choose as the one an item interprets.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PolicyOption {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub disclosure: String,
}

/// Published policy documents (in 政策文件 columns), newest first, at most `limit`.
pub async fn policy_options(conn: &mut AnyConnection, limit: i64) -> DbResult<Vec<PolicyOption>> {
    let limit = limit.clamp(1, 2000);
    Ok(sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.org_id, o.name AS org_name, i.title, i.disclosure FROM items i \
         JOIN organisations o ON o.id = i.org_id \
         WHERE i.status = 'published' AND {IN_POLICY_COLUMN} \
         ORDER BY i.published_at DESC, i.id DESC LIMIT {limit}"
    ))
    .fetch_all(conn)
    .await?)
}

/// One policy document in the supervision list.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub published_on: CivilDate,
}

/// A policy whose first public interpretation came out after the limit.
#[derive(Debug, Clone, Serialize)]
pub struct LateRow {
    pub policy: PolicyRow,
    pub interpretation: PolicyRow,
    pub timeliness: Timeliness,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub limit: u32,
    pub without: Vec<PolicyRow>,
    pub late: Vec<LateRow>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    org_id: i64,
    org_name: String,
    title: String,
    published_at: Option<i64>,
    interprets_item_id: Option<i64>,
}

impl Row {
    fn view(&self) -> PolicyRow {
        PolicyRow {
            id: self.id,
            org_id: self.org_id,
            org_name: self.org_name.clone(),
            title: self.title.clone(),
            published_on: self
                .published_at
                .and_then(china_date)
                .unwrap_or_default()
                .into(),
        }
    }
}

/// Public policy documents of `orgs` (`None`: every organisation) without a public
/// interpretation, and those whose **first** public interpretation was published more than
/// `limit` working days after them on `cal` (a later, additional interpretation is not a
/// failure of the first one's timeliness).
pub async fn report(
    conn: &mut AnyConnection,
    orgs: Option<&[i64]>,
    limit: u32,
    cal: &Calendar,
) -> DbResult<Report> {
    let org_cond = match orgs {
        Some(o) => format!(" AND i.org_id IN ({})", id_list(o)),
        None => String::new(),
    };
    let policies: Vec<Row> = sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.org_id, o.name AS org_name, i.title, i.published_at, i.interprets_item_id \
         FROM items i JOIN organisations o ON o.id = i.org_id \
         WHERE {PUBLIC_SQL} AND {IN_POLICY_COLUMN}{org_cond} ORDER BY i.published_at DESC, i.id DESC"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let interps: Vec<Row> = sqlx::query_as(dyn_sql!(
        "SELECT i.id, i.org_id, o.name AS org_name, i.title, i.published_at, i.interprets_item_id \
         FROM items i JOIN organisations o ON o.id = i.org_id \
         WHERE {PUBLIC_SQL} AND i.interprets_item_id IS NOT NULL ORDER BY i.published_at, i.id"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut without = Vec::new();
    let mut late = Vec::new();
    for p in &policies {
        let Some(first) = interps.iter().find(|i| i.interprets_item_id == Some(p.id)) else {
            without.push(p.view());
            continue;
        };
        let dates = p
            .published_at
            .and_then(china_date)
            .zip(first.published_at.and_then(china_date));
        if let Some((policy_on, interpreted_on)) = dates {
            let t = interpretation::timeliness(policy_on, interpreted_on, limit, cal);
            if t.late {
                late.push(LateRow {
                    policy: p.view(),
                    interpretation: first.view(),
                    timeliness: t,
                });
            }
        }
    }
    Ok(Report {
        limit,
        without,
        late,
    })
}
