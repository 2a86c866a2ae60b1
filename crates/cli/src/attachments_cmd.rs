//! `gongkai attachments to-database`: copies every attachment file the database names from this
//! node's `<data_dir>/files` into the database's shared store, so that a site that grows from one
//! node to several can switch to `attachments = "database"`. Safe to run again: stored digests are
//! skipped. Files the directory lacks are listed, and the command then fails.

use crate::config::{DbArgs, FileConfig, Settings};
use gongkai_db::Db;
use gongkai_infra::storage::{Storage, StorageError};

#[derive(Debug, clap::Subcommand)]
pub enum AttachmentsCommand {
    /// Copy attachment files from <data-dir>/files into the database (for several nodes)
    ToDatabase {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// What a copy did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub copied: u64,
    pub already: u64,
    pub missing: Vec<String>,
}

pub async fn run(command: AttachmentsCommand, file: &FileConfig) -> anyhow::Result<()> {
    match command {
        AttachmentsCommand::ToDatabase { db } => {
            let settings = Settings::resolve(&db, None, file)?;
            let db = crate::serve::open_database(&settings).await?;
            let local = Storage::open(settings.data_dir.join("files"))
                .map_err(|e| anyhow::anyhow!("打开附件目录\u{FF1A}{e}"))?;
            let done = copy_to_database(&db, &local).await?;
            tracing::info!(
                copied = done.copied,
                already = done.already,
                "附件已复制到数据库"
            );
            if !done.missing.is_empty() {
                anyhow::bail!(
                    "附件目录缺少 {} 个文件\u{FF1A}{}",
                    done.missing.len(),
                    done.missing.join("\u{3001}")
                );
            }
            Ok(())
        }
    }
}

/// Copies every referenced file of `local` into the database's store.
pub async fn copy_to_database(db: &Db, local: &Storage) -> anyhow::Result<Copied> {
    let mut done = Copied::default();
    for sha in gongkai_db::blobs::referenced_digests(db).await? {
        if gongkai_db::blobs::exists(db, &sha).await? {
            done.already += 1;
            continue;
        }
        match local.get(&sha).await {
            Ok(bytes) => {
                gongkai_db::blobs::put(db, &sha, &bytes).await?;
                done.copied += 1;
            }
            Err(StorageError::NotFound(_)) => done.missing.push(sha),
            Err(e) => return Err(anyhow::anyhow!("读取附件 {sha}\u{FF1A}{e}")),
        }
    }
    Ok(done)
}
