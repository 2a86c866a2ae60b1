//! Background work of Gongkai. A kind of job is a type implementing [`Job`]: its kind code (the
//! `jobs.kind` column), its payload (the type itself, as JSON in `jobs.payload`) and what running
//! it does. The [`Registry`] maps kind codes to types; the [`worker`] claims due rows from the
//! queue (`gongkai_db::jobs`) and runs each through the registry. The kinds of today are in
//! [`kinds`]; site monitoring's are in [`monitor`], the crawl of departments' list pages in
//! [`external`]. Batch work run from the command line lives
//! here too ([`attachment_text`]).
//!
//! Handlers must be idempotent: a job whose node died is run again (see `gongkai_db::jobs`).

pub mod attachment_text;
pub mod external;
pub mod kinds;
pub mod monitor;
pub mod worker;

use gongkai_db::{Db, DbError};
use gongkai_infra::mail::Mailer;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

/// What a running job may use.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub db: &'a Db,
    /// Set when this node sends e-mail (`serve --smtp-url`).
    pub mailer: Option<&'a Mailer>,
    /// The attachment store, for jobs that read files (the attachment-text check).
    pub storage: Option<&'a gongkai_infra::storage::Storage>,
    /// The job being run and the node running it (`None` when a job runs outside the queue).
    pub lease: Option<Lease<'a>>,
    /// Units of work done so far (pages fetched), written with each lease renewal.
    pub progress: &'a Arc<AtomicUsize>,
}

/// A queued job's identity while it runs: what it holds leases as, and how it gives its turn
/// back.
#[derive(Clone, Copy, Debug)]
pub struct Lease<'a> {
    pub job_id: i64,
    pub node_id: &'a str,
}

/// How long a job waits when the host it needs is being read by another job.
pub const HOST_BUSY_RETRY_MS: i64 = 60_000;

/// What [`Context::take_host`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostTurn {
    /// The host is this job's until [`Context::release_host`] (or its lease runs out).
    Taken,
    /// Another job holds the host; this job is back in the queue and must return at once.
    Deferred(String),
}

impl Context<'_> {
    /// Takes the lease of `host` (politeness across nodes: one crawl of a host at a time), or
    /// puts this job back in the queue for [`HOST_BUSY_RETRY_MS`] when another job holds it. A
    /// job run outside the queue always gets the host.
    pub async fn take_host(&self, host: &str, lease_ms: i64) -> Result<HostTurn, JobError> {
        let Some(lease) = self.lease else {
            return Ok(HostTurn::Taken);
        };
        let holder = gongkai_db::jobs::holder(lease.job_id, lease.node_id);
        let mut conn = self.db.pool.acquire().await?;
        let now = gongkai_db::now_ms();
        if gongkai_db::host_leases::acquire(&mut conn, host, &holder, now + lease_ms).await? {
            return Ok(HostTurn::Taken);
        }
        let other = gongkai_db::host_leases::holder_of(&mut conn, host)
            .await?
            .unwrap_or_default();
        let why = format!("主机 {host} 正由另一任务读取\u{FF08}{other}\u{FF09}\u{FF0C}稍后重试");
        gongkai_db::jobs::defer(
            &mut conn,
            lease.job_id,
            lease.node_id,
            now + HOST_BUSY_RETRY_MS,
            &why,
        )
        .await?;
        Ok(HostTurn::Deferred(why))
    }

    /// Gives `host` back.
    pub async fn release_host(&self, host: &str) -> Result<(), JobError> {
        if let Some(lease) = self.lease {
            let holder = gongkai_db::jobs::holder(lease.job_id, lease.node_id);
            let mut conn = self.db.pool.acquire().await?;
            gongkai_db::host_leases::release(&mut conn, host, &holder).await?;
        }
        Ok(())
    }
}

/// Why a job failed; recorded on the job (`jobs.last_error`) and retried with backoff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct JobError(pub String);

impl From<String> for JobError {
    fn from(s: String) -> Self {
        JobError(s)
    }
}

impl From<&str> for JobError {
    fn from(s: &str) -> Self {
        JobError(s.to_string())
    }
}

impl From<DbError> for JobError {
    fn from(e: DbError) -> Self {
        JobError(e.to_string())
    }
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> Self {
        JobError(e.to_string())
    }
}

impl From<gongkai_app::Refusal> for JobError {
    fn from(e: gongkai_app::Refusal) -> Self {
        JobError(e.to_string())
    }
}

/// What a finished job did, for the log.
pub type Outcome = Result<String, JobError>;

/// A kind of background job. The value is the payload.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The kind code stored in `jobs.kind`. Never rename one: queued rows carry it.
    const KIND: &'static str;

    /// Does the work; `Ok` says what was done, for the log.
    fn run(&self, ctx: &Context<'_>) -> impl Future<Output = Outcome> + Send;

    /// The payload as stored.
    fn payload(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The payload read back from `jobs.payload`.
    fn from_payload(payload: &str) -> Result<Self, JobError> {
        serde_json::from_str(payload).map_err(|e| JobError(format!("任务参数无法识别\u{FF1A}{e}")))
    }
}

/// Queues `job` to run at `run_at`; `None` when `dedupe_key` is already taken.
pub async fn enqueue<J: Job>(
    conn: &mut sqlx::AnyConnection,
    job: &J,
    run_at: i64,
    dedupe_key: Option<&str>,
) -> Result<Option<i64>, DbError> {
    gongkai_db::jobs::enqueue(conn, J::KIND, &job.payload(), run_at, dedupe_key).await
}

type BoxedRun<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;
type Handler = for<'a> fn(&'a Context<'a>, &'a str) -> BoxedRun<'a>;

fn run_erased<'a, J: Job>(ctx: &'a Context<'a>, payload: &'a str) -> BoxedRun<'a> {
    Box::pin(async move { J::from_payload(payload)?.run(ctx).await })
}

/// The kinds a worker runs, by kind code.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: BTreeMap<&'static str, Handler>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.handlers.keys()).finish()
    }
}

impl Registry {
    /// No kinds.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Every kind of job Gongkai has.
    pub fn standard() -> Self {
        use kinds::*;
        Self::empty()
            .with::<ReminderScan>()
            .with::<Notify>()
            .with::<Email>()
            .with::<OpinionScan>()
            .with::<PublishScheduled>()
            .with::<crate::attachment_text::TextCheck>()
            .with::<monitor::MonitorTick>()
            .with::<monitor::SiteProbe>()
            .with::<monitor::SiteInspect>()
            .with::<external::ExternalScan>()
            .with::<external::ExternalCrawl>()
    }

    /// Adds `J` (replacing a kind registered under the same code).
    pub fn with<J: Job>(mut self) -> Self {
        self.handlers.insert(J::KIND, run_erased::<J>);
        self
    }

    /// The registered kind codes.
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }

    /// Runs a claimed job by its kind.
    pub async fn run(&self, ctx: &Context<'_>, job: &gongkai_db::jobs::Job) -> Outcome {
        let Some(handler) = self.handlers.get(job.kind.as_str()) else {
            return Err(JobError(format!(
                "未知的任务类型\u{201C}{}\u{201D}",
                job.kind
            )));
        };
        let ctx = *ctx;
        handler(&ctx, &job.payload).await
    }
}
