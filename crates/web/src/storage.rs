//! Where attachments are kept: the node's own `files/` directory (the default, for one node) or
//! the database every node shares (`attachments = "database"`, for several nodes on one
//! PostgreSQL). Chosen once at start; the same choice serves uploads, downloads and the
//! attachment-text backfill.

use gongkai_db::Db;
use gongkai_infra::storage::{SharedStore, Storage, StorageError, StoreFuture};
use std::path::Path;
use std::sync::Arc;

/// The configured attachment store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AttachmentStore {
    /// `<data_dir>/files`: one node, or a directory every node mounts.
    #[default]
    Local,
    /// The `blobs` table of the database: every node serves every file.
    Database,
}

impl std::str::FromStr for AttachmentStore {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim() {
            "local" => Ok(Self::Local),
            "database" => Ok(Self::Database),
            other => Err(format!(
                "附件存储方式\u{201C}{other}\u{201D}无效\u{FF1A}应为 local 或 database"
            )),
        }
    }
}

/// Opens the configured store.
pub fn open(db: &Db, data_dir: &Path, kind: AttachmentStore) -> Result<Storage, StorageError> {
    match kind {
        AttachmentStore::Local => Storage::open(data_dir.join("files")),
        AttachmentStore::Database => Ok(Storage::shared(Arc::new(DatabaseBlobs(db.clone())))),
    }
}

/// The database's `blobs` table as a shared store.
struct DatabaseBlobs(Db);

impl SharedStore for DatabaseBlobs {
    fn put<'a>(&'a self, sha256: &'a str, bytes: &'a [u8]) -> StoreFuture<'a, ()> {
        Box::pin(async move {
            gongkai_db::blobs::put(&self.0, sha256, bytes)
                .await
                .map_err(|e| StorageError::Shared(e.to_string()))
        })
    }

    fn get<'a>(&'a self, sha256: &'a str) -> StoreFuture<'a, Option<Vec<u8>>> {
        Box::pin(async move {
            gongkai_db::blobs::get(&self.0, sha256)
                .await
                .map_err(|e| StorageError::Shared(e.to_string()))
        })
    }

    fn describe(&self) -> &'static str {
        "数据库"
    }
}
