//! All SQL of Gongkai. **Only this crate knows the SQL dialect**: one code path through sqlx's
//! `Any` driver serves SQLite and PostgreSQL (`$1` placeholders, i64 for every integer, epoch
//! milliseconds for instants, `YYYY-MM-DD` text for civil dates, JSON as text).
//!
//! **Every write goes through a function that takes an [`Actor`] and appends to the audit log in
//! the same transaction**, so a write without its audit entry cannot be committed.

/// Dynamic SQL, audited: **only constant fragments and formatted integers are ever spliced into
/// SQL text**; every user-supplied value is a bind parameter.
macro_rules! dyn_sql {
    ($($t:tt)*) => { sqlx::AssertSqlSafe(format!($($t)*)) };
}

pub mod annual_reports;
pub mod application_letters;
pub mod applications;
pub mod assessment;
pub mod attachments;
pub mod audit;
pub mod audited;
pub mod auth;
pub mod backfill;
pub mod blobs;
pub mod body_images;
pub mod calendar;
pub mod civil;
pub mod columns;
pub mod compliance;
pub mod compliance_external;
pub mod compliance_feedback;
pub mod compliance_sources;
pub mod correspondence;
pub mod data;
pub mod data_cadence;
mod error;
pub mod events;
pub mod external_lists;
pub mod feedback;
pub mod filings;
pub mod guard_releases;
pub mod host_leases;
pub mod interpretations;
pub mod item_page;
pub mod items;
pub mod jobs;
pub mod maintenance;
pub mod meetings;
pub mod messages;
pub mod monitor;
pub mod notifications;
pub mod obligation_links;
pub mod opinion;
pub mod orgs;
pub mod plan_edits;
pub mod plans;
pub mod proposals;
pub mod public_generation;
pub mod public_lists;
pub mod public_plans;
pub mod reminders;
pub mod search_outbox;
pub mod seed;
pub mod seed_scenario;
pub mod services;
pub mod settings;
pub mod site_profile;
pub mod sitemap;
pub mod tree;
pub mod users;
pub mod workflow;

pub use audited::AuditedTx;
pub use error::{DbError, DbResult};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database handle shared by the whole process.
#[derive(Clone, Debug)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
}

/// Who performs a write, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub name: String,
    pub ip: String,
}

impl Actor {
    /// Writes made by the program itself (first-run seeding, scheduled work).
    pub fn system() -> Self {
        Self {
            user_id: None,
            name: "系统".into(),
            ip: String::new(),
        }
    }
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Today's civil date in China. The clock is read here and in [`now_ms`], never in the domain.
pub fn china_today() -> chrono::NaiveDate {
    gongkai_domain::china_time::date_of(now_ms()).unwrap_or_default()
}

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and applies pending migrations.
    pub async fn connect(url: &str) -> DbResult<Db> {
        let db = Self::connect_unmigrated(url).await?;
        db.migrate().await?;
        db.refresh_statistics().await?;
        Ok(db)
    }

    /// Connects without applying migrations (`restore` and `migrate-to` look at a database before
    /// deciding to write to it).
    pub async fn connect_unmigrated(url: &str) -> DbResult<Db> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(DbError::Config(format!(
                "不支持的数据库地址“{}”：应以 sqlite:// 或 postgres:// 开头",
                redact_url(url)
            )));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let mut pool = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        pool = match backend {
            // SQLite serialises writers; a few connections serve readers under WAL.
            Backend::Sqlite => pool.max_connections(4).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;").await?;
                    Ok(())
                })
            }),
            Backend::Postgres => pool.max_connections(16),
        };
        let pool = pool.connect_with(options).await?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        Ok(Db { pool, backend })
    }

    /// The highest migration this build knows for `backend` (a backup from a newer build is refused).
    pub fn latest_schema_level(backend: Backend) -> i64 {
        let migrator = match backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        migrator.iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Refreshes the planner's statistics (on start, after the migrations): without them SQLite
    /// and a PostgreSQL autovacuum has not reached yet plan on guesses. Sampled, so it is quick
    /// at any size (SQLite's `analysis_limit`, PostgreSQL's default sample).
    pub async fn refresh_statistics(&self) -> DbResult<()> {
        match self.backend {
            Backend::Sqlite => {
                self.pool
                    .execute("PRAGMA analysis_limit = 1000; ANALYZE;")
                    .await?;
            }
            Backend::Postgres => {
                self.pool.execute("ANALYZE").await?;
            }
        }
        Ok(())
    }

    pub async fn migrate(&self) -> DbResult<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// concurrent writers queue on `busy_timeout` instead of failing when a read lock would have to
    /// be upgraded.
    pub async fn begin(&self) -> DbResult<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Whether the database answers a trivial query (`/readyz`).
    pub async fn ping(&self) -> DbResult<()> {
        let mut conn = self.pool.acquire().await?;
        sqlx::query_scalar::<_, i64>("SELECT 1")
            .fetch_one(&mut *conn)
            .await?;
        Ok(())
    }

    /// Begins a write transaction that refuses to commit without an audit entry of its own.
    pub async fn begin_audited(&self) -> DbResult<AuditedTx> {
        AuditedTx::new(self.begin().await?, self.backend).await
    }
}

/// A database URL safe to print: the password is replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A page of results with the total count, for paginated lists.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        page_count(self.total, self.per_page)
    }
}

/// How many pages `total` rows fill at `per_page` a page; at least one.
pub fn page_count(total: i64, per_page: i64) -> i64 {
    let per_page = per_page.max(1);
    (total.max(0) + per_page - 1).div_euclid(per_page).max(1)
}

/// A page number from a query parameter: a positive integer, else 1.
pub fn page_number(value: Option<&str>) -> i64 {
    value
        .and_then(|s| s.parse::<i64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(1)
}

/// Clamps user-supplied pagination.
pub fn page_bounds(page: i64, per_page: i64) -> (i64, i64, i64) {
    let per_page = per_page.clamp(1, 100);
    let page = page.max(1);
    (page, per_page, (page - 1) * per_page)
}

#[cfg(test)]
mod tests {
    #[test]
    fn page_numbers_and_counts() {
        assert_eq!(super::page_number(Some("3")), 3);
        for bad in [
            None,
            Some(""),
            Some("0"),
            Some("-2"),
            Some("x"),
            Some("1.5"),
        ] {
            assert_eq!(super::page_number(bad), 1, "{bad:?}");
        }
        assert_eq!(super::page_count(0, 20), 1);
        assert_eq!(super::page_count(20, 20), 1);
        assert_eq!(super::page_count(21, 20), 2);
        assert_eq!(super::page_count(5, 0), 5);
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(super::redact_url("sqlite:///x.db"), "sqlite:///x.db");
    }
}
