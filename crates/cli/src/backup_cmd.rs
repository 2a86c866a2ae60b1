//! `gongkai backup` and `gongkai restore`: a consistent copy of an installation — the database,
//! the attachment files and the configuration file — as a directory with a `manifest.json`
//! (format version, schema migration level, every table's row count and content checksum, every
//! file's size and SHA-256).
//!
//! SQLite is copied online with `VACUUM INTO` (one read snapshot; the server keeps running).
//! PostgreSQL is dumped with `pg_dump --format=custom` from a snapshot exported by a read-only
//! transaction, and the manifest's checksums are computed in that same snapshot; `restore` uses
//! `pg_restore`. The database is copied before the attachments: attachment files are
//! content-addressed and written before the row that names them, so every file the copied
//! database refers to is already on disk when the directory is copied.

use crate::config::{DbArgs, FileConfig, Settings};
use anyhow::{Context, anyhow, bail};
use gongkai_db::maintenance::{self, TableSum};
use gongkai_db::{Backend, Db};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// The manifest's `format`.
pub const FORMAT: &str = "gongkai-backup";
/// The manifest's `format_version`: bumped when the layout changes.
pub const FORMAT_VERSION: u32 = 1;
const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "gongkai.db";
const PG_DUMP_FILE: &str = "database.pgdump";
const CONFIG_FILE: &str = "config.toml";

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The backup directory to create (it must not exist, or be empty)
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// A backup directory made by `gongkai backup`
    pub backup: PathBuf,
    #[command(flatten)]
    pub db: DbArgs,
    /// Replace the database and attachments of a target that is not empty
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    /// Relative to the backup directory, `/`-separated.
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub gongkai_version: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The highest database migration applied.
    pub schema_level: i64,
    /// The database file in the backup (`gongkai.db` or `database.pgdump`).
    pub database: String,
    pub tables: Vec<TableSum>,
    pub files: Vec<FileEntry>,
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

pub async fn run_backup(
    args: BackupArgs,
    file: &FileConfig,
    config_path: Option<&Path>,
) -> anyhow::Result<()> {
    let settings = Settings::resolve(&args.db, None, file)?;
    let m = backup(&settings, config_path, &args.out).await?;
    let rows: i64 = m.tables.iter().map(|t| t.rows).sum();
    #[allow(clippy::print_stdout)]
    {
        println!(
            "备份完成\u{FF1A}{}\u{FF08}{} 个表\u{FF0C}{rows} 行\u{FF0C}{} 个文件\u{FF0C}迁移版本 {}\u{FF09}",
            args.out.display(),
            m.tables.len(),
            m.files.len(),
            m.schema_level
        );
    }
    Ok(())
}

pub async fn run_restore(args: RestoreArgs, file: &FileConfig) -> anyhow::Result<()> {
    let settings = Settings::resolve(&args.db, None, file)?;
    let m = restore(&args.backup, &settings, args.force).await?;
    #[allow(clippy::print_stdout)]
    {
        println!(
            "恢复完成并已核对\u{FF1A}{} 个表的行数和校验值\u{FF0C}{} 个文件与备份一致\u{FF08}备份时间 {}\u{FF09}",
            m.tables.len(),
            m.files.len(),
            m.created_at
        );
        if m.files.iter().any(|f| f.path == CONFIG_FILE) {
            println!(
                "备份中的配置文件已放在 {}\u{FF0C}请核对后用 --config 使用",
                settings.data_dir.join("config.from-backup.toml").display()
            );
        }
    }
    Ok(())
}

/// Makes a backup of the installation `settings` describes into `out`.
pub async fn backup(
    settings: &Settings,
    config_path: Option<&Path>,
    out: &Path,
) -> anyhow::Result<Manifest> {
    if out.exists() && std::fs::read_dir(out)?.next().is_some() {
        bail!(
            "备份目录 {} 已存在且不是空目录\u{FF0C}请换一个新目录",
            out.display()
        );
    }
    if settings.database_url.starts_with("sqlite:") {
        let file = sqlite_path(&settings.database_url)?;
        if !file.is_file() {
            bail!(
                "找不到数据库文件 {}\u{FF1A}请用 --data-dir 指出数据目录",
                file.display()
            );
        }
    }
    std::fs::create_dir_all(out).with_context(|| format!("无法创建备份目录 {}", out.display()))?;
    let db = Db::connect_unmigrated(&settings.database_url)
        .await
        .with_context(|| {
            format!(
                "无法连接数据库 {}",
                gongkai_db::redact_url(&settings.database_url)
            )
        })?;
    if maintenance::is_empty(&mut *db.pool.acquire().await?, db.backend).await? {
        bail!("数据库是空的\u{FF0C}没有可备份的内容");
    }
    let (database, tables, schema_level) = match db.backend {
        Backend::Sqlite => {
            let target = out.join(SQLITE_FILE);
            db.sqlite_copy_into(&target).await?;
            db.pool.close().await;
            let (tables, level) = sums_of_sqlite_file(&target).await?;
            (SQLITE_FILE, tables, level)
        }
        Backend::Postgres => {
            let (mut tx, snapshot) = db.pg_snapshot().await?;
            let target = out.join(PG_DUMP_FILE);
            pg_tool(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    &format!("--snapshot={snapshot}"),
                    "--file",
                    &target.to_string_lossy(),
                    "--dbname",
                    &settings.database_url,
                ],
            )?;
            let tables = maintenance::table_sums(&mut tx, Backend::Postgres).await?;
            let level = maintenance::schema_level(&mut tx, Backend::Postgres).await?;
            tx.rollback().await?;
            db.pool.close().await;
            (PG_DUMP_FILE, tables, level)
        }
    };
    let mut files = vec![hash_entry(out, Path::new(database))?];
    let source_files = settings.data_dir.join("files");
    if source_files.is_dir() {
        copy_tree(&source_files, &out.join("files"), out, true, &mut files)?;
    }
    if let Some(config) = config_path {
        std::fs::copy(config, out.join(CONFIG_FILE))
            .with_context(|| format!("无法复制配置文件 {}", config.display()))?;
        files.push(hash_entry(out, Path::new(CONFIG_FILE))?);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        gongkai_version: env!("CARGO_PKG_VERSION").into(),
        created_at: chrono::Utc::now().to_rfc3339(),
        backend: backend_name(db.backend).into(),
        schema_level,
        database: database.into(),
        tables,
        files,
    };
    // The manifest is written last: a backup cut short has none and is never restored.
    let text = serde_json::to_string_pretty(&manifest)?;
    write_synced(&out.join(MANIFEST), text.as_bytes())?;
    Ok(manifest)
}

/// Counts, checksums and migration level of a SQLite file (the backup's copy), then closes it.
async fn sums_of_sqlite_file(path: &Path) -> anyhow::Result<(Vec<TableSum>, i64)> {
    let url = format!("sqlite://{}?mode=rw", path.display());
    let db = Db::connect_unmigrated(&url).await?;
    let result = async {
        let mut conn = db.pool.acquire().await?;
        let tables = maintenance::table_sums(&mut conn, Backend::Sqlite).await?;
        let level = maintenance::schema_level(&mut conn, Backend::Sqlite).await?;
        anyhow::Ok((tables, level))
    }
    .await;
    db.pool.close().await;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            std::fs::remove_file(&side)?;
        }
    }
    result
}

/// Restores the backup in `from` into the installation `settings` describes.
pub async fn restore(from: &Path, settings: &Settings, force: bool) -> anyhow::Result<Manifest> {
    let manifest = read_manifest(from)?;
    verify_files(from, &manifest)?;
    let target = if settings.database_url.starts_with("sqlite:") {
        Backend::Sqlite
    } else {
        Backend::Postgres
    };
    let known = Db::latest_schema_level(target);
    if manifest.schema_level > known {
        bail!(
            "这份备份来自更新的版本\u{FF08}迁移版本 {}\u{FF0C}本程序只到 {known}\u{FF09}\u{FF1A}请用 gongkai {} 或更新的版本恢复",
            manifest.schema_level,
            manifest.gongkai_version
        );
    }
    if manifest.backend != backend_name(target) {
        if target == Backend::Postgres {
            bail!(
                "这份备份来自 SQLite\u{FF0C}不能直接恢复到 PostgreSQL\u{FF1A}请先恢复到 SQLite\u{FF0C}再用 gongkai migrate-to"
            );
        }
        bail!(
            "这份备份来自 PostgreSQL\u{FF0C}只能恢复到 PostgreSQL\u{FF08}--database-url postgres://…\u{FF09}"
        );
    }
    let files_dir = settings.data_dir.join("files");
    let files_used = files_dir.is_dir() && std::fs::read_dir(&files_dir)?.next().is_some();
    match target {
        Backend::Sqlite => {
            let db_path = sqlite_path(&settings.database_url)?;
            let db_used = db_path.metadata().map(|m| m.len() > 0).unwrap_or(false);
            if (db_used || files_used) && !force {
                bail!(
                    "目标不是空的\u{FF08}{} 已有数据库或附件\u{FF09}\u{FF1B}确认要覆盖时加 --force",
                    settings.data_dir.display()
                );
            }
            for suffix in ["", "-wal", "-shm"] {
                let p = PathBuf::from(format!("{}{suffix}", db_path.display()));
                if p.exists() {
                    std::fs::remove_file(&p)?;
                }
            }
            if let Some(parent) = db_path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            copy_synced(&from.join(&manifest.database), &db_path)?;
        }
        Backend::Postgres => {
            let db = Db::connect_unmigrated(&settings.database_url).await?;
            let empty = maintenance::is_empty(&mut *db.pool.acquire().await?, target).await?;
            if (!empty || files_used) && !force {
                db.pool.close().await;
                bail!(
                    "目标不是空的\u{FF08}数据库 {} 已有表\u{FF0C}或 {} 已有附件\u{FF09}\u{FF1B}确认要覆盖时加 --force",
                    gongkai_db::redact_url(&settings.database_url),
                    files_dir.display()
                );
            }
            if !empty {
                db.pg_clear_schema().await?;
            }
            db.pool.close().await;
            pg_tool(
                "pg_restore",
                &[
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    &settings.database_url,
                    &from.join(&manifest.database).to_string_lossy(),
                ],
            )?;
        }
    }
    if files_dir.exists() {
        std::fs::remove_dir_all(&files_dir)?;
    }
    std::fs::create_dir_all(&files_dir)?;
    // The search index is derived from the database: emptied, it is rebuilt on the next start.
    let index = settings.data_dir.join("index");
    if index.exists() {
        std::fs::remove_dir_all(&index)?;
    }
    std::fs::create_dir_all(&index)?;
    let mut restored = Vec::new();
    for f in manifest
        .files
        .iter()
        .filter(|f| f.path.starts_with("files/"))
    {
        let rel = safe_relative(&f.path)?;
        let dest = settings.data_dir.join(&rel);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        copy_synced(&from.join(&rel), &dest)?;
        restored.push(hash_entry(&settings.data_dir, &rel)?);
    }
    for (got, want) in restored.iter().zip(
        manifest
            .files
            .iter()
            .filter(|f| f.path.starts_with("files/")),
    ) {
        if got != want {
            bail!("恢复后的附件 {} 与备份不一致", want.path);
        }
    }
    if manifest.files.iter().any(|f| f.path == CONFIG_FILE) {
        std::fs::copy(
            from.join(CONFIG_FILE),
            settings.data_dir.join("config.from-backup.toml"),
        )?;
    }
    verify_database(settings, &manifest).await?;
    Ok(manifest)
}

/// Opens the restored database without migrating it and compares it with the manifest.
async fn verify_database(settings: &Settings, manifest: &Manifest) -> anyhow::Result<()> {
    let db = Db::connect_unmigrated(&settings.database_url).await?;
    let result = async {
        let mut conn = db.pool.acquire().await?;
        let level = maintenance::schema_level(&mut conn, db.backend).await?;
        let tables = maintenance::table_sums(&mut conn, db.backend).await?;
        drop(conn);
        // pg_restore brings no planner statistics: gather them before the site serves again.
        db.refresh_statistics().await?;
        anyhow::Ok((level, tables))
    }
    .await;
    db.pool.close().await;
    let (level, tables) = result?;
    if level != manifest.schema_level {
        bail!(
            "恢复后的迁移版本 {level} 与备份的 {} 不同",
            manifest.schema_level
        );
    }
    let differ = differing_tables(&manifest.tables, &tables);
    if !differ.is_empty() {
        bail!(
            "恢复后这些表的行数或校验值与备份不同\u{FF1A}{}",
            differ.join("\u{3001}")
        );
    }
    Ok(())
}

/// The names of the tables whose count or checksum differs (or that only one side has).
pub fn differing_tables(want: &[TableSum], got: &[TableSum]) -> Vec<String> {
    let mut names: Vec<String> = want
        .iter()
        .chain(got)
        .map(|t| t.name.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    names.retain(|n| want.iter().find(|t| &t.name == n) != got.iter().find(|t| &t.name == n));
    names
}

pub fn read_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let path = from.join(MANIFEST);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{} 不是完整的备份\u{FF1A}没有 {MANIFEST}", from.display()))?;
    let m: Manifest =
        serde_json::from_str(&text).with_context(|| format!("{} 格式有误", path.display()))?;
    if m.format != FORMAT {
        bail!("{} 不是 gongkai 的备份", path.display());
    }
    if m.format_version != FORMAT_VERSION {
        bail!(
            "备份格式版本 {} 不受支持\u{FF08}本程序读版本 {FORMAT_VERSION}\u{FF09}",
            m.format_version
        );
    }
    if !m.files.iter().any(|f| f.path == m.database) {
        bail!("备份清单没有列出数据库文件 {}", m.database);
    }
    Ok(m)
}

/// Every file the manifest lists exists with its size and SHA-256.
fn verify_files(from: &Path, m: &Manifest) -> anyhow::Result<()> {
    for f in &m.files {
        let rel = safe_relative(&f.path)?;
        let got = hash_entry(from, &rel)
            .with_context(|| format!("备份已损坏\u{FF1A}缺少文件 {}", f.path))?;
        if &got != f {
            bail!("备份已损坏\u{FF1A}文件 {} 的大小或校验值与清单不符", f.path);
        }
    }
    Ok(())
}

/// A manifest path as a relative path that stays inside the backup.
fn safe_relative(path: &str) -> anyhow::Result<PathBuf> {
    let p = PathBuf::from(path);
    if p.components().all(|c| matches!(c, Component::Normal(_))) {
        Ok(p)
    } else {
        Err(anyhow!("备份清单中的路径 {path} 无效"))
    }
}

/// The file of a `sqlite://PATH?…` URL.
fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| anyhow!("不是 SQLite 地址"))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        bail!("SQLite 地址没有文件路径");
    }
    Ok(PathBuf::from(path))
}

/// Runs `pg_dump`/`pg_restore` (from `PATH`, or `GONGKAI_PG_BIN_DIR`).
fn pg_tool(name: &str, args: &[&str]) -> anyhow::Result<()> {
    let program = match std::env::var_os("GONGKAI_PG_BIN_DIR") {
        Some(dir) => PathBuf::from(dir).join(name),
        None => PathBuf::from(name),
    };
    let output = std::process::Command::new(&program)
        .args(args)
        .output()
        .with_context(|| {
            format!(
                "无法运行 {name}\u{FF1A}请安装 PostgreSQL 客户端\u{FF08}postgresql-client\u{FF09}\u{FF0C}或用 GONGKAI_PG_BIN_DIR 指出它的目录"
            )
        })?;
    if !output.status.success() {
        bail!(
            "{name} 失败\u{FF08}{}\u{FF09}\u{FF1A}{}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Size and SHA-256 of `root/rel`.
fn hash_entry(root: &Path, rel: &Path) -> anyhow::Result<FileEntry> {
    let mut f = std::fs::File::open(root.join(rel))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        bytes += n as u64;
    }
    let path = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Ok(FileEntry {
        path,
        bytes,
        sha256: hex::encode(h.finalize()),
    })
}

/// Copies the directory `from` to `to` (which lies under `root`), listing each file.
/// At the top (`files/`), `tmp/` holds uploads in progress, not attachments, and is skipped.
fn copy_tree(
    from: &Path,
    to: &Path,
    root: &Path,
    top: bool,
    out: &mut Vec<FileEntry>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let ty = e.file_type()?;
        let dest = to.join(e.file_name());
        if ty.is_dir() {
            if top && e.file_name() == "tmp" {
                continue;
            }
            copy_tree(&e.path(), &dest, root, false, out)?;
        } else if ty.is_file() {
            copy_synced(&e.path(), &dest)?;
            let rel = dest.strip_prefix(root)?.to_path_buf();
            out.push(hash_entry(root, &rel)?);
        }
    }
    Ok(())
}

fn copy_synced(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("无法复制 {} 到 {}", from.display(), to.display()))?;
    std::fs::File::open(to)?.sync_all()?;
    Ok(())
}

fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::File::create(path)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}
