//! `gongkai search reindex`: first extracts the text of attachments uploaded before text
//! extraction existed (status `pending`, read from the attachment store), then rebuilds this node's
//! search index (`<data_dir>/index`) from the database, with progress bars. Stop `serve` on this
//! node first: the index has one writer.

use crate::config::{DbArgs, FileConfig, Settings};
use anyhow::Context as _;
use gongkai_db::Db;
use std::path::Path;

#[derive(Debug, clap::Subcommand)]
pub enum SearchCommand {
    /// Rebuild the full-text search index from the database (stop `serve` on this node first)
    Reindex {
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: SearchCommand, file: &FileConfig) -> anyhow::Result<()> {
    match command {
        SearchCommand::Reindex { db } => {
            let settings = Settings::resolve(&db, None, file)?;
            let db = crate::serve::open_database(&settings).await?;
            let storage = gongkai_web::storage::open(&db, &settings.data_dir, settings.attachments)
                .map_err(|e| anyhow::anyhow!("打开附件存储\u{FF1A}{e}"))?;
            let texts = backfill_text(&db, &storage, true).await?;
            tracing::info!(attachments = texts, "附件文字已提取");
            let n = reindex(&db, &settings.data_dir.join("index"), true).await?;
            tracing::info!(items = n, "搜索索引已重建");
            Ok(())
        }
    }
}

/// Extracts the text of every attachment still `pending`, reading the files from `storage`;
/// returns how many were written.
pub async fn backfill_text(
    db: &Db,
    storage: &gongkai_infra::storage::Storage,
    progress: bool,
) -> anyhow::Result<u64> {
    let bar = if progress {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_message("提取附件文字");
    let n = gongkai_jobs::attachment_text::backfill(db, storage, |done| bar.set_position(done))
        .await
        .map_err(|e| anyhow::anyhow!("提取附件文字：{e}"))?;
    bar.finish_and_clear();
    Ok(n)
}

/// Rebuilds the index in `dir` from `db`; returns how many items it now holds.
pub async fn reindex(db: &Db, dir: &Path, progress: bool) -> anyhow::Result<u64> {
    let search = gongkai_search::Search::open(dir)
        .with_context(|| format!("打开搜索索引 {}（服务是否仍在运行？）", dir.display()))?;
    let bar = if progress {
        indicatif::ProgressBar::new(0)
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message("重建搜索索引");
    let n = gongkai_search::reindex(db, &search.index, &search.node_id, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await?;
    bar.finish();
    Ok(n)
}
