//! The backfill of attachment text: attachments uploaded before text extraction existed (status
//! `pending`) are read from storage, extracted like an upload (`gongkai_search::extract`) and
//! stored, one short transaction each, audited as `attachment.text` by the system. Run by
//! `gongkai search reindex` before it rebuilds the index.
//!
//! [`TextCheck`] is the same work as a background job, queued once per database by `serve`
//! ([`queue_text_check`]): it also reads again the PDFs stored as 'extracted' before extraction
//! refused implausible text, so a garbled Type 3 PDF becomes 无法提取文字 and the guard asks for a
//! manual check. It works in batches, each job queuing the next.

use crate::{Context, Job, JobError, Outcome};
use gongkai_db::attachments::{self, ExtractedText, TextStatus};
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
            let text = extract(storage, &a.sha256, &a.content_type).await?;
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

/// The text of a stored file, extracted like an upload off the async workers.
async fn extract(
    storage: &Storage,
    sha256: &str,
    content_type: &str,
) -> Result<ExtractedText, BackfillError> {
    Ok(match storage.get(sha256).await {
        Ok(bytes) => {
            let ct = content_type.to_string();
            tokio::task::spawn_blocking(move || {
                gongkai_search::extract::extract_guarded(&bytes, &ct)
            })
            .await
            .unwrap_or_else(|_| ExtractedText::failed("无法提取文字\u{FF1A}提取任务异常中止"))
        }
        Err(StorageError::NotFound(_)) => {
            ExtractedText::failed("无法提取文字\u{FF1A}附件文件在存储中缺失")
        }
        Err(e) => return Err(e.into()),
    })
}

/// The version of the extraction rules [`TextCheck`] brings stored text up to; raise it when
/// extraction learns to refuse something new, and every database is checked once more.
pub const TEXT_RULES_VERSION: u32 = 1;
const CHECK_BATCH: i64 = 50;

/// One batch of the attachment-text check (`attachment.text_check`), from `after_id` on.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TextCheck {
    #[serde(default)]
    pub after_id: i64,
}

impl TextCheck {
    fn key(after_id: i64) -> String {
        format!("{}:v{TEXT_RULES_VERSION}:{after_id}", Self::KIND)
    }
}

/// Queues the first batch of the check unless this database had it for these rules.
pub async fn queue_text_check(db: &Db) -> Result<bool, gongkai_db::DbError> {
    let mut conn = db.pool.acquire().await?;
    Ok(crate::enqueue(
        &mut conn,
        &TextCheck { after_id: 0 },
        gongkai_db::now_ms(),
        Some(&TextCheck::key(0)),
    )
    .await?
    .is_some())
}

/// What one batch changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckStats {
    pub read: usize,
    pub changed: usize,
    /// The last id read, when the batch was full and another follows.
    pub next_after: Option<i64>,
}

/// Reads one batch again and stores what changed (pending text, or a PDF whose stored text
/// extraction now refuses or reads differently).
pub async fn check_batch(
    db: &Db,
    storage: &Storage,
    after_id: i64,
) -> Result<CheckStats, BackfillError> {
    let actor = Actor::system();
    let batch = {
        let mut conn = db.pool.acquire().await?;
        attachments::text_to_check(&mut conn, after_id, CHECK_BATCH).await?
    };
    let mut stats = CheckStats {
        read: batch.len(),
        next_after: (batch.len() as i64 == CHECK_BATCH)
            .then(|| batch.last().map(|a| a.id))
            .flatten(),
        ..CheckStats::default()
    };
    for a in batch {
        let text = extract(storage, &a.sha256, &a.content_type).await?;
        let was = TextStatus::from_code(&a.text_status).unwrap_or(TextStatus::Pending);
        let same = text.status == was
            && text.note == a.text_note
            && (was != TextStatus::Extracted || a.extracted_text.as_deref() == Some(&text.text));
        if same {
            continue;
        }
        let mut tx = db.begin().await?;
        if attachments::replace_text(&mut tx, &actor, a.id, was, &text).await? {
            stats.changed += 1;
        }
        tx.commit().await?;
    }
    Ok(stats)
}

impl Job for TextCheck {
    const KIND: &'static str = "attachment.text_check";

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let storage = ctx
            .storage
            .ok_or_else(|| JobError("该节点未配置附件存储".into()))?;
        let s = check_batch(ctx.db, storage, self.after_id)
            .await
            .map_err(|e| JobError(e.to_string()))?;
        if let Some(after_id) = s.next_after {
            let mut conn = ctx.db.pool.acquire().await?;
            crate::enqueue(
                &mut conn,
                &TextCheck { after_id },
                gongkai_db::now_ms(),
                Some(&TextCheck::key(after_id)),
            )
            .await?;
        }
        Ok(format!(
            "attachments after {}: {} read, {} changed",
            self.after_id, s.read, s.changed
        ))
    }
}
