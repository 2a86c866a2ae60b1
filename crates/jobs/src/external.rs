//! The scheduled crawl of departments' list pages (evidence from their own websites). Every
//! [`EXTERNAL_SCAN_EVERY_MS`] one node queues an [`ExternalScan`]; it queues one
//! [`ExternalCrawl`] per bound list (deduplicated per list and slot, so each list is crawled once
//! per slot across all nodes). A crawl reads the list through `gongkai_inspect::list_crawl`
//! (robots.txt, conditional request, next pages within a bound) and stores what it found:
//! new items with the instant first seen, never changing a known one; a 304 changes nothing.

use crate::monitor::HOST_LEASE_MS;
use crate::{Context, HostTurn, Job, JobError, Outcome};
use gongkai_db::external_lists::{self, Found};
use gongkai_db::{Actor, Db, DbError};
use gongkai_infra::http::Validators;
use gongkai_inspect::list_crawl::{self, ListFetch};
use serde::{Deserialize, Serialize};

pub const EXTERNAL_SCAN_JOB: &str = "external.scan";
pub const EXTERNAL_CRAWL_JOB: &str = "external.crawl";
/// Lists are read four times a day.
pub const EXTERNAL_SCAN_EVERY_MS: i64 = 6 * 3_600_000;

/// Queues this slot's scan of the bound lists unless a node already did.
pub async fn schedule_scan(db: &Db, now_ms: i64) -> Result<bool, DbError> {
    let slot = now_ms.div_euclid(EXTERNAL_SCAN_EVERY_MS);
    let key = format!("{EXTERNAL_SCAN_JOB}:{slot}");
    let mut conn = db.pool.acquire().await?;
    let scan = ExternalScan {
        now_ms: Some(now_ms),
    };
    Ok(crate::enqueue(&mut conn, &scan, now_ms, Some(&key))
        .await?
        .is_some())
}

/// Queues a crawl of every bound list (`external.scan`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalScan {
    /// The instant the scan is for (tests inject it); now when absent.
    #[serde(default)]
    pub now_ms: Option<i64>,
}

impl Job for ExternalScan {
    const KIND: &'static str = EXTERNAL_SCAN_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let now = self.now_ms.unwrap_or_else(gongkai_db::now_ms);
        let slot = now.div_euclid(EXTERNAL_SCAN_EVERY_MS);
        let mut conn = ctx.db.pool.acquire().await?;
        let lists = external_lists::bound(&mut conn).await?;
        let mut queued = 0;
        for l in &lists {
            let crawl = ExternalCrawl {
                list_id: l.id,
                now_ms: self.now_ms,
            };
            let key = format!("{EXTERNAL_CRAWL_JOB}:{}:{slot}", l.id);
            if crate::enqueue(&mut conn, &crawl, now, Some(&key))
                .await?
                .is_some()
            {
                queued += 1;
            }
        }
        Ok(format!("{} lists, {queued} crawls queued", lists.len()))
    }
}

/// Crawls one list page and stores its items (`external.crawl`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalCrawl {
    pub list_id: i64,
    /// The instant the crawl counts as (the items' first sighting; tests inject it); now when
    /// absent.
    #[serde(default)]
    pub now_ms: Option<i64>,
}

impl Job for ExternalCrawl {
    const KIND: &'static str = EXTERNAL_CRAWL_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let now = self.now_ms.unwrap_or_else(gongkai_db::now_ms);
        let today = gongkai_domain::china_time::date_of(now)
            .ok_or_else(|| JobError(format!("时间无效\u{FF1A}{now}")))?;
        let list = {
            let mut conn = ctx.db.pool.acquire().await?;
            external_lists::get(&mut conn, self.list_id).await?
        };
        let known = Validators {
            etag: list.etag.clone(),
            last_modified: list.last_modified.clone(),
        };
        let host = gongkai_inspect::host_key(&list.url).unwrap_or_else(|| list.url.clone());
        if let HostTurn::Deferred(why) = ctx.take_host(&host, HOST_LEASE_MS).await? {
            return Ok(why);
        }
        let client = list_crawl::client();
        let fetched = match client {
            Ok(client) => Ok(list_crawl::crawl_list(&client, &list.url, &known, today).await),
            Err(e) => Err(e),
        };
        ctx.release_host(&host).await?;
        let fetched = fetched?;
        let mut tx = ctx.db.begin().await?;
        let what = match fetched {
            Ok(ListFetch::NotModified) => {
                external_lists::record_status(&mut tx, list.id, now, None).await?;
                "not modified (304)".to_string()
            }
            Ok(ListFetch::Read {
                items,
                pages,
                validators,
            }) => {
                let claimed: Vec<String> = items
                    .iter()
                    .map(|i| i.claimed_on.format("%Y-%m-%d").to_string())
                    .collect();
                let found: Vec<Found<'_>> = items
                    .iter()
                    .zip(&claimed)
                    .map(|(i, c)| Found {
                        link: &i.link,
                        title: &i.title,
                        claimed_on: Some(c),
                    })
                    .collect();
                let added = external_lists::record_read(
                    &mut tx,
                    &Actor::system(),
                    list.id,
                    now,
                    &found,
                    validators.etag.as_deref(),
                    validators.last_modified.as_deref(),
                )
                .await?;
                format!("{pages} pages, {} items, {added} new", items.len())
            }
            Err(e) => {
                // The list's status says why; the job itself is done (the next slot tries again).
                external_lists::record_status(&mut tx, list.id, now, Some(&e)).await?;
                format!("failed: {e}")
            }
        };
        tx.commit().await?;
        Ok(what)
    }
}
