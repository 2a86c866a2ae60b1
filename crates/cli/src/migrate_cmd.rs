//! `gongkai migrate-to postgres://…`: moves a SQLite installation to a fresh PostgreSQL database.
//! The target must hold no table; it is migrated to the same schema, then every table is copied in
//! foreign-key order, in batches, inside one transaction (rows the migrations inserted are replaced),
//! and the identity sequences are moved past the copied ids. The source is read in one snapshot, and
//! every table's row count and content checksum are compared and printed at the end.
//!
//! Attachments kept in the data directory (`files/`) stay where they are; those kept in the
//! database (`attachments = "database"`) move with it.

use crate::config::{DbArgs, FileConfig, Settings};
use anyhow::{Context, bail};
use gongkai_db::maintenance::{self, TableSum};
use gongkai_db::{Backend, Db};

#[derive(Debug, clap::Args)]
pub struct MigrateToArgs {
    /// The PostgreSQL database to move to (postgres://user@host/db); it must be empty
    pub target: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Rows per INSERT statement
    #[arg(long, default_value_t = 500)]
    pub batch: usize,
}

/// One table's result: source and target sums.
#[derive(Debug, Clone)]
pub struct Compared {
    pub source: TableSum,
    pub target: Option<TableSum>,
}

impl Compared {
    pub fn equal(&self) -> bool {
        self.target.as_ref() == Some(&self.source)
    }
}

pub async fn run(args: MigrateToArgs, file: &FileConfig) -> anyhow::Result<()> {
    let settings = Settings::resolve(&args.db, None, file)?;
    let compared = migrate_to(&settings.database_url, &args.target, args.batch).await?;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "{:<32} {:>10} {:>10}  checksum",
            "table", "source", "target"
        );
        for c in &compared {
            println!(
                "{:<32} {:>10} {:>10}  {} {}",
                c.source.name,
                c.source.rows,
                c.target.as_ref().map_or(-1, |t| t.rows),
                c.source.checksum,
                if c.equal() { "OK" } else { "不符" }
            );
        }
        let rows: i64 = compared.iter().map(|c| c.source.rows).sum();
        println!(
            "已迁移到 {}\u{FF1A}{} 个表\u{FF0C}{rows} 行\u{FF0C}行数和校验值全部一致",
            gongkai_db::redact_url(&args.target),
            compared.len()
        );
    }
    Ok(())
}

/// Moves the SQLite database at `source_url` to the empty PostgreSQL database at `target_url`.
/// Fails, naming the tables, when any count or checksum differs after the copy.
pub async fn migrate_to(
    source_url: &str,
    target_url: &str,
    batch: usize,
) -> anyhow::Result<Vec<Compared>> {
    if !(target_url.starts_with("postgres:") || target_url.starts_with("postgresql:")) {
        bail!("migrate-to 的目标应是 postgres:// 地址");
    }
    if !source_url.starts_with("sqlite:") {
        bail!("migrate-to 把 SQLite 安装迁移到 PostgreSQL\u{FF1B}当前数据库不是 SQLite");
    }
    let source = Db::connect(source_url)
        .await
        .with_context(|| format!("无法打开源数据库 {}", gongkai_db::redact_url(source_url)))?;
    let target = Db::connect_unmigrated(target_url)
        .await
        .with_context(|| format!("无法连接目标数据库 {}", gongkai_db::redact_url(target_url)))?;
    if !maintenance::is_empty(&mut *target.pool.acquire().await?, Backend::Postgres).await? {
        bail!(
            "目标数据库 {} 不是空的\u{FF1A}请新建一个空数据库再迁移",
            gongkai_db::redact_url(target_url)
        );
    }
    target.migrate().await?;

    // One read snapshot of the source for the copy and its sums.
    let mut src = source.pool.begin().await?;
    let tables = maintenance::tables(&mut src, Backend::Sqlite).await?;
    let target_tables =
        maintenance::tables(&mut *target.pool.acquire().await?, Backend::Postgres).await?;
    if tables != target_tables {
        bail!("两个数据库的表不同\u{FF1A}迁移版本不一致");
    }
    let order = maintenance::dependency_order(&mut src, Backend::Sqlite, &tables).await?;
    let mut tx = target.pool.begin().await?;
    for t in order.iter().rev() {
        maintenance::clear_table(&mut tx, t).await?;
    }
    for t in &order {
        maintenance::copy_table_to_postgres(&mut src, &mut tx, t, batch).await?;
        tracing::info!(table = %t, "已复制");
    }
    maintenance::pg_reset_sequences(&mut tx).await?;
    tx.commit().await?;
    // Copied rows have no planner statistics yet: without them the first pages plan on guesses.
    target.refresh_statistics().await?;

    let source_sums = maintenance::table_sums(&mut src, Backend::Sqlite).await?;
    src.rollback().await?;
    let target_sums =
        maintenance::table_sums(&mut *target.pool.acquire().await?, Backend::Postgres).await?;
    source.pool.close().await;
    target.pool.close().await;
    let compared: Vec<Compared> = source_sums
        .into_iter()
        .map(|s| Compared {
            target: target_sums.iter().find(|t| t.name == s.name).cloned(),
            source: s,
        })
        .collect();
    let differ: Vec<&str> = compared
        .iter()
        .filter(|c| !c.equal())
        .map(|c| c.source.name.as_str())
        .collect();
    if !differ.is_empty() {
        bail!(
            "迁移后这些表的行数或校验值不同\u{FF1A}{}",
            differ.join("\u{3001}")
        );
    }
    Ok(compared)
}
