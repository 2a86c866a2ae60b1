//! The background worker: one tokio task per `serve` node with a random node id. Every poll it
//! makes sure this hour's reminder scan is queued (one job per hour across all nodes, by its
//! deduplication key), claims due jobs ([`gongkai_db::jobs::claim`]: `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), runs each by kind and completes or fails it. A node that dies leaves its jobs
//! leased; when the lease expires another node claims them again, and the handlers are
//! idempotent. [`Worker::stop`] finishes the job in hand and stops.

use chrono::NaiveDate;
use gongkai_db::notifications::{
    self, EMAIL_JOB, EmailPayload, NOTIFY_JOB, NotifyPayload, SCAN_JOB,
};
use gongkai_db::{Db, DbError, jobs};
use serde::Deserialize;
use std::time::Duration;
use tokio::sync::watch;

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Identifies this node in `jobs.locked_by`.
    pub node_id: String,
    /// Pause between polls when the queue is empty.
    pub poll: Duration,
    /// How long a claimed job stays leased to this node.
    pub lease_ms: i64,
    /// Jobs claimed per poll.
    pub batch: i64,
    /// Enqueue the hourly reminder scan (off in tests that drive the scan themselves).
    pub schedule_scans: bool,
    /// Sends reminders by e-mail too when set (`serve --smtp-url`).
    pub mailer: Option<crate::mail::Mailer>,
    /// The node's search index, brought up to date from the outbox every poll.
    pub search: Option<std::sync::Arc<gongkai_search::Search>>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            node_id: new_node_id(),
            poll: Duration::from_secs(5),
            lease_ms: 5 * 60 * 1000,
            batch: 20,
            schedule_scans: true,
            mailer: None,
            search: None,
        }
    }
}

/// `node-<host>-<random hex>`.
pub fn new_node_id() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_default();
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(32)
        .collect();
    if host.is_empty() {
        format!("node-{}", crate::util::random_hex(6))
    } else {
        format!("node-{host}-{}", crate::util::random_hex(6))
    }
}

/// What one [`run_once`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    pub claimed: usize,
    pub done: usize,
    pub failed: usize,
}

#[derive(Deserialize, Default)]
struct ScanPayload {
    /// The civil date the scan is for; the current date in China when absent.
    #[serde(default)]
    date: Option<String>,
}

/// The current civil date in China (UTC+8, no daylight saving).
pub fn china_today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// Queues this hour's reminder scan for `date` unless a node already did.
pub async fn schedule_scan(db: &Db, now_ms: i64, date: NaiveDate) -> Result<bool, DbError> {
    let hour = now_ms.div_euclid(3_600_000);
    let key = format!("{SCAN_JOB}:{hour}");
    let mut conn = db.pool.acquire().await?;
    Ok(jobs::enqueue(
        &mut conn,
        SCAN_JOB,
        &serde_json::json!({"date": date.format("%Y-%m-%d").to_string()}),
        now_ms,
        Some(&key),
    )
    .await?
    .is_some())
}

/// Job kind of the public-opinion clock scan, queued every [`OPINION_SCAN_EVERY_MS`] (the shortest
/// clock is 5 hours, so the hourly reminder scan would be too coarse).
pub const OPINION_SCAN_JOB: &str = "opinion.scan";
pub const OPINION_SCAN_EVERY_MS: i64 = 5 * 60_000;

#[derive(Deserialize, Default)]
struct OpinionScanPayload {
    /// The instant the scan is for (tests inject it); now when absent.
    #[serde(default)]
    now_ms: Option<i64>,
}

/// Queues this five-minute slot's opinion-clock scan unless a node already did.
pub async fn schedule_opinion_scan(db: &Db, now_ms: i64) -> Result<bool, DbError> {
    let slot = now_ms.div_euclid(OPINION_SCAN_EVERY_MS);
    let key = format!("{OPINION_SCAN_JOB}:{slot}");
    let mut conn = db.pool.acquire().await?;
    Ok(jobs::enqueue(
        &mut conn,
        OPINION_SCAN_JOB,
        &serde_json::json!({"now_ms": now_ms}),
        now_ms,
        Some(&key),
    )
    .await?
    .is_some())
}

/// Runs one job. Errors are recorded on the job by the caller.
pub async fn run_job(db: &Db, job: &jobs::Job, config: &WorkerConfig) -> Result<String, String> {
    let mut conn = db.pool.acquire().await.map_err(|e| e.to_string())?;
    match job.kind.as_str() {
        SCAN_JOB => {
            let p: ScanPayload =
                serde_json::from_str(&job.payload).map_err(|e| format!("任务参数无法识别：{e}"))?;
            let today = match p.date.as_deref() {
                Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| format!("日期“{d}”无法识别"))?,
                None => china_today(),
            };
            let feedback = notifications::scan_feedback_reminders(&mut conn, today)
                .await
                .map_err(|e| e.to_string())?;
            let periods = notifications::scan_period_reminders(&mut conn, today)
                .await
                .map_err(|e| e.to_string())?;
            let msgs = gongkai_db::messages::scan_reminders(&mut conn, today)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "{today}: feedback {} due, {} enqueued; periods {} due, {} enqueued; messages {} due, {} enqueued",
                feedback.due,
                feedback.enqueued,
                periods.due,
                periods.enqueued,
                msgs.due,
                msgs.enqueued
            ))
        }
        NOTIFY_JOB => {
            let p: NotifyPayload =
                serde_json::from_str(&job.payload).map_err(|e| format!("任务参数无法识别：{e}"))?;
            let n = notifications::deliver(&mut conn, &p, config.mailer.is_some())
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!("{n} notifications"))
        }
        EMAIL_JOB => {
            let p: EmailPayload =
                serde_json::from_str(&job.payload).map_err(|e| format!("任务参数无法识别：{e}"))?;
            // A node without SMTP leaves the job to be retried, by a node that has it.
            let mailer = config
                .mailer
                .as_ref()
                .ok_or_else(|| "本节点未配置 SMTP，稍后重试".to_string())?;
            drop(conn);
            mailer
                .send(&p.to, &p.subject, &p.body, &p.link, &p.key)
                .await?;
            Ok("sent".into())
        }
        OPINION_SCAN_JOB => {
            let p: OpinionScanPayload =
                serde_json::from_str(&job.payload).map_err(|e| format!("任务参数无法识别：{e}"))?;
            let now = p.now_ms.unwrap_or_else(gongkai_db::now_ms);
            let out = gongkai_db::opinion::scan_clocks(&mut conn, now)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "opinion clocks {} due, {} enqueued",
                out.due, out.enqueued
            ))
        }
        gongkai_db::workflow::PUBLISH_JOB => {
            let p: PublishPayload =
                serde_json::from_str(&job.payload).map_err(|e| format!("任务参数无法识别：{e}"))?;
            drop(conn);
            publish_due_item(db, p.item_id, p.publish_at, false).await
        }
        other => Err(format!("未知的任务类型“{other}”")),
    }
}

#[derive(Deserialize)]
struct PublishPayload {
    item_id: i64,
    publish_at: i64,
}

/// Publishes a scheduled item that is due, in one transaction: nothing happens when it is no
/// longer scheduled for `publish_at` (unscheduled, edited, already published by another node).
/// **The content guard runs first**: with hits the item is not published but stays scheduled
/// with the message (`schedule_error`) and an audit entry. `late`: caught up at start.
pub async fn publish_due_item(
    db: &Db,
    item_id: i64,
    publish_at: i64,
    late: bool,
) -> Result<String, String> {
    let s = |e: DbError| e.to_string();
    let mut tx = db.begin().await.map_err(s)?;
    if !gongkai_db::workflow::claim_scheduled(&mut tx, item_id, publish_at)
        .await
        .map_err(s)?
    {
        return Ok(format!(
            "item {item_id}: no longer scheduled for {publish_at}"
        ));
    }
    let hits = gongkai_app::guard::hits_of(&mut tx, item_id)
        .await
        .map_err(|e| e.to_string())?;
    if !hits.is_empty() {
        let message = gongkai_app::guard::refusal(&hits).summary();
        gongkai_db::workflow::schedule_failed(&mut tx, item_id, &message)
            .await
            .map_err(s)?;
        tx.commit().await.map_err(|e| e.to_string())?;
        tracing::warn!(item = item_id, %message, "定时发布未执行：内容安全检查发现问题");
        return Ok(format!("item {item_id}: refused by the content guard"));
    }
    let pattern = gongkai_db::settings::index_pattern(&mut tx)
        .await
        .map_err(s)?;
    gongkai_db::workflow::publish_scheduled(&mut tx, item_id, &pattern, late)
        .await
        .map_err(s)?;
    tx.commit().await.map_err(|e| e.to_string())?;
    if late {
        tracing::info!(item = item_id, "定时发布（服务停机期间到期，启动时补发）");
    } else {
        tracing::info!(item = item_id, "定时发布");
    }
    Ok(format!("item {item_id}: published"))
}

/// At start: publishes every scheduled item whose time passed while no node was running (its
/// job may be missing, failed or still queued; the job finds nothing left to do). Returns how
/// many were published.
pub async fn publish_overdue(db: &Db, now_ms: i64) -> Result<usize, DbError> {
    let due = {
        let mut conn = db.pool.acquire().await?;
        gongkai_db::workflow::due_scheduled(&mut conn, now_ms).await?
    };
    let mut published = 0;
    for (id, at) in due {
        match publish_due_item(db, id, at, true).await {
            Ok(what) if what.ends_with("published") => published += 1,
            Ok(_) => {}
            Err(e) => tracing::warn!(item = id, error = %e, "启动时补发定时发布失败"),
        }
    }
    Ok(published)
}

/// Claims due jobs once and runs them: the worker's step, also called directly by tests.
pub async fn run_once(db: &Db, config: &WorkerConfig) -> Result<RunStats, DbError> {
    let claimed = jobs::claim(db, &config.node_id, config.lease_ms, config.batch).await?;
    let mut stats = RunStats {
        claimed: claimed.len(),
        ..RunStats::default()
    };
    for job in claimed {
        let result = run_job(db, &job, config).await;
        let mut conn = db.pool.acquire().await?;
        match result {
            Ok(what) => {
                tracing::debug!(job = job.id, kind = %job.kind, %what, "任务完成");
                jobs::complete(&mut conn, job.id, &config.node_id).await?;
                stats.done += 1;
            }
            Err(e) => {
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %e, "任务失败");
                jobs::fail(&mut conn, job.id, &config.node_id, &e).await?;
                stats.failed += 1;
            }
        }
    }
    Ok(stats)
}

/// A running worker.
pub struct Worker {
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<()>,
    pub node_id: String,
}

impl Worker {
    /// Starts the worker task.
    pub fn spawn(db: Db, config: WorkerConfig) -> Worker {
        let (stop, mut stopped) = watch::channel(false);
        let node_id = config.node_id.clone();
        let handle = tokio::spawn(async move {
            tracing::info!(node = %config.node_id, "后台任务已启动");
            loop {
                if *stopped.borrow() {
                    break;
                }
                if config.schedule_scans
                    && let Err(e) = schedule_scan(&db, gongkai_db::now_ms(), china_today()).await
                {
                    tracing::warn!(error = %e, "无法安排提醒扫描");
                }
                if config.schedule_scans
                    && let Err(e) = schedule_opinion_scan(&db, gongkai_db::now_ms()).await
                {
                    tracing::warn!(error = %e, "无法安排舆情时限扫描");
                }
                if let Some(search) = &config.search
                    && let Err(e) = search.catch_up(&db).await
                {
                    tracing::warn!(error = %e, "搜索索引同步失败");
                }
                let busy = match run_once(&db, &config).await {
                    Ok(s) => s.claimed > 0,
                    Err(e) => {
                        tracing::warn!(error = %e, "领取任务失败");
                        false
                    }
                };
                if busy {
                    continue;
                }
                tokio::select! {
                    _ = tokio::time::sleep(config.poll) => {}
                    _ = stopped.changed() => {}
                }
            }
            tracing::info!(node = %config.node_id, "后台任务已停止");
        });
        Worker {
            stop,
            handle,
            node_id,
        }
    }

    /// Asks the worker to stop and waits for the job in hand to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.handle.await;
    }
}
