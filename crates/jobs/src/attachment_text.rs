//! The backfill of attachment text: attachments uploaded before text extraction existed (status
//! `pending`) are read from storage, extracted like an upload (`gongkai_search::extract`) and
//! stored, one short transaction each, audited as `attachment.text` by the system. Run by
//! `gongkai search reindex` before it rebuilds the index.

use gongkai_db::attachments::{self, ExtractedText};
use gongkai_db::{Actor, Db};
use gongkai_infra::storage::{Storage, StorageError};

/// Why the backfill stopped.
#[derive(Debug, thiserror::Error)]
pub enum BackfillError {
    #[error(transparent)]
    Db(#[from] gongkai_db::DbError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<sqlx::Error> for BackfillError {
    fn from(e: sqlx::Error) -> Self {
        BackfillError::Db(e.into())
    }
}

const BATCH: i64 = 100;

/// Extracts and stores the text of every pending attachment; `progress(done)` is called after
/// each. Returns how many were written.
pub async fn backfill(
    db: &Db,
    storage: &Storage,
    mut progress: impl FnMut(u64),
) -> Result<u64, BackfillError> {
    let actor = Actor::system();
    let (mut after, mut done) = (0, 0u64);
    loop {
        let batch = {
            let mut conn = db.pool.acquire().await?;
            attachments::pending_text(&mut conn, after, BATCH).await?
        };
        let Some(last) = batch.last() else { break };
        after = last.id;
        for a in batch {
            let text = match storage.get(&a.sha256).await {
                Ok(bytes) => {
                    let ct = a.content_type.clone();
                    tokio::task::spawn_blocking(move || {
                        gongkai_search::extract::extract_guarded(&bytes, &ct)
                    })
                    .await
                    .unwrap_or_else(|_| {
                        ExtractedText::failed("无法提取文字\u{FF1A}提取任务异常中止")
                    })
                }
                Err(StorageError::NotFound(_)) => {
                    ExtractedText::failed("无法提取文字\u{FF1A}附件文件在存储中缺失")
                }
                Err(e) => return Err(e.into()),
            };
            let mut tx = db.begin().await?;
            if attachments::set_text(&mut tx, &actor, a.id, &text).await? {
                done += 1;
            }
            tx.commit().await?;
            progress(done);
        }
    }
    Ok(done)
}
