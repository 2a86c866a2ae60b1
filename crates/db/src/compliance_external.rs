//! Evidence of an obligation bound to a list page on a department's own website (source
//! `external`): the items the crawl found there, each dated by
//! `gongkai_domain::external_evidence::date_item` from the date the page claims and the day the
//! crawler first saw it, so a claim cannot backdate an item past a deadline.

use crate::DbResult;
use crate::plans::ObligationRow;
use chrono::NaiveDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::compliance::EvidenceItem;
use gongkai_domain::external_evidence::date_item;
use gongkai_domain::obligation::Obligation;
use sqlx::AnyConnection;

/// One crawled item offered as evidence, with what the report shows beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalEvidence {
    /// `published_on` is the date it counts from.
    pub item: EvidenceItem,
    pub link: String,
    pub claimed_on: Option<NaiveDate>,
    pub first_seen_on: NaiveDate,
    pub backdated: bool,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    link: String,
    title: String,
    claimed_on: Option<String>,
    first_seen_at: i64,
}

/// The items of the obligation's list first seen by `as_of`.
pub async fn load(
    conn: &mut AnyConnection,
    o: &ObligationRow,
    ob: &Obligation,
    cal: &Calendar,
    as_of: NaiveDate,
) -> DbResult<Vec<ExternalEvidence>> {
    let Some(list_id) = o.external_list_id else {
        return Ok(Vec::new());
    };
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, link, title, claimed_on, first_seen_at FROM external_list_items \
         WHERE list_id = $1 ORDER BY first_seen_at, id",
    )
    .bind(list_id)
    .fetch_all(&mut *conn)
    .await?;
    let dues: Vec<NaiveDate> = ob
        .periods(cal)
        .map(|ps| ps.iter().map(|p| p.window.due).collect())
        .unwrap_or_default();
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let first_seen_on = gongkai_domain::china_time::date_of(r.first_seen_at)?;
            if first_seen_on > as_of {
                return None;
            }
            let claimed_on = r
                .claimed_on
                .as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
            let dated = date_item(claimed_on, first_seen_on, &dues);
            Some(ExternalEvidence {
                item: EvidenceItem {
                    item_id: r.id,
                    title: r.title,
                    published_on: dated.counts_on,
                },
                link: r.link,
                claimed_on,
                first_seen_on,
                backdated: dated.backdated,
            })
        })
        .collect())
}
