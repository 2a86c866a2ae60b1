//! The background worker: one tokio task per `serve` node with a random node id. Every poll it
//! makes sure this hour's reminder scan and monitoring tick are queued (one job per hour across all nodes, by its
//! deduplication key), claims due jobs ([`gongkai_db::jobs::claim`]: `FOR UPDATE SKIP LOCKED` on
//! PostgreSQL), runs each through the [`Registry`] by its kind and completes or fails it. A node that dies leaves its jobs
//! leased; when the lease expires another node claims them again, and the handlers are
//! idempotent. [`Worker::stop`] finishes the job in hand and stops.

use crate::kinds::{OPINION_SCAN_EVERY_MS, OPINION_SCAN_JOB, OpinionScan, ReminderScan};
use crate::{Context, Job, Lease, Outcome, Registry};
use chrono::NaiveDate;
use gongkai_db::{Db, DbError, jobs};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
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
    pub mailer: Option<gongkai_infra::mail::Mailer>,
    /// The node's search index, brought up to date from the outbox every poll.
    pub search: Option<Arc<gongkai_search::Search>>,
    /// The attachment store (the node's or the shared one), for jobs that read files.
    pub storage: Option<Arc<gongkai_infra::storage::Storage>>,
    /// The kinds of job this node runs ([`Registry::standard`]).
    pub registry: Arc<Registry>,
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
            storage: None,
            registry: Arc::new(Registry::standard()),
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
        format!("node-{}", gongkai_infra::random_hex(6))
    } else {
        format!("node-{host}-{}", gongkai_infra::random_hex(6))
    }
}

/// What one [`run_once`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    pub claimed: usize,
    pub done: usize,
    pub failed: usize,
}

/// Queues this hour's reminder scan for `date` unless a node already did.
pub async fn schedule_scan(db: &Db, now_ms: i64, date: NaiveDate) -> Result<bool, DbError> {
    let hour = now_ms.div_euclid(3_600_000);
    let key = format!("{}:{hour}", ReminderScan::KIND);
    let mut conn = db.pool.acquire().await?;
    let scan = ReminderScan {
        date: Some(date.format("%Y-%m-%d").to_string()),
    };
    Ok(crate::enqueue(&mut conn, &scan, now_ms, Some(&key))
        .await?
        .is_some())
}

/// Queues this five-minute slot's opinion-clock scan unless a node already did.
pub async fn schedule_opinion_scan(db: &Db, now_ms: i64) -> Result<bool, DbError> {
    let slot = now_ms.div_euclid(OPINION_SCAN_EVERY_MS);
    let key = format!("{OPINION_SCAN_JOB}:{slot}");
    let mut conn = db.pool.acquire().await?;
    let scan = OpinionScan {
        now_ms: Some(now_ms),
    };
    Ok(crate::enqueue(&mut conn, &scan, now_ms, Some(&key))
        .await?
        .is_some())
}

/// Queues this hour's monitoring tick (probes and due inspections) unless a node already did.
pub async fn schedule_monitor_tick(db: &Db, now_ms: i64) -> Result<bool, DbError> {
    let hour = now_ms.div_euclid(3_600_000);
    let key = format!("{}:{hour}", gongkai_db::monitor::TICK_JOB);
    let mut conn = db.pool.acquire().await?;
    let tick = crate::monitor::MonitorTick {
        now_ms: Some(now_ms),
    };
    Ok(crate::enqueue(&mut conn, &tick, now_ms, Some(&key))
        .await?
        .is_some())
}

/// Runs one job through the configured registry. Errors are recorded on the job by the caller.
/// While it runs, its lease (and the host leases it holds) is renewed every third of the lease
/// with its progress, so a long inspection is never taken over by another node while this one
/// is alive.
pub async fn run_job(db: &Db, job: &jobs::Job, config: &WorkerConfig) -> Outcome {
    let progress = Arc::new(AtomicUsize::new(0));
    let ctx = Context {
        db,
        mailer: config.mailer.as_ref(),
        storage: config.storage.as_deref(),
        lease: Some(Lease {
            job_id: job.id,
            node_id: &config.node_id,
        }),
        progress: &progress,
    };
    let run = config.registry.run(&ctx, job);
    tokio::pin!(run);
    let every = Duration::from_millis(u64::try_from(config.lease_ms / 3).unwrap_or(1).max(1));
    loop {
        tokio::select! {
            outcome = &mut run => return outcome,
            _ = tokio::time::sleep(every) => {
                let done = i64::try_from(progress.load(Ordering::Relaxed)).unwrap_or(i64::MAX);
                let until = gongkai_db::now_ms().saturating_add(config.lease_ms);
                let renewed = match db.pool.acquire().await {
                    Ok(mut conn) => jobs::renew(&mut conn, job.id, &config.node_id, until, Some(done)).await,
                    Err(e) => Err(e.into()),
                };
                if let Err(e) = renewed {
                    tracing::warn!(job = job.id, error = %e, "无法续租任务");
                }
            }
        }
    }
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
                jobs::fail(&mut conn, job.id, &config.node_id, &e.0).await?;
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
                    && let Err(e) =
                        schedule_scan(&db, gongkai_db::now_ms(), gongkai_db::china_today()).await
                {
                    tracing::warn!(error = %e, "无法安排提醒扫描");
                }
                if config.schedule_scans
                    && let Err(e) = schedule_opinion_scan(&db, gongkai_db::now_ms()).await
                {
                    tracing::warn!(error = %e, "无法安排舆情时限扫描");
                }
                if config.schedule_scans
                    && let Err(e) = schedule_monitor_tick(&db, gongkai_db::now_ms()).await
                {
                    tracing::warn!(error = %e, "无法安排网站监测");
                }
                if config.schedule_scans
                    && let Err(e) = crate::external::schedule_scan(&db, gongkai_db::now_ms()).await
                {
                    tracing::warn!(error = %e, "无法安排部门网站栏目抓取");
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
