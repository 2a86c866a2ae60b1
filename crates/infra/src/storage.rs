//! Content-addressed file storage. A file is stored once under its SHA-256, either in the local
//! `files/ab/cd/<sha256>` directory (the default: written to a temporary file and renamed into
//! place, so a crash never leaves a half-written blob under its name) or in a [`SharedStore`] that
//! every node reaches (the database's `blobs` table), so that a file uploaded on one node is
//! served by all of them.

use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;

/// Why a file could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No file under that digest (or the digest is malformed); the message is for the user.
    #[error("{0}")]
    NotFound(String),
    #[error("存储读写失败\u{FF1A}{0}")]
    Io(#[from] std::io::Error),
    /// The shared store (the database) failed.
    #[error("存储读写失败\u{FF1A}{0}")]
    Shared(String),
}

/// A digest that names no file.
const NOT_FOUND: &str = "您访问的页面不存在或尚未公开";
/// A file the database knows but the disk lost.
const MISSING: &str = "附件文件缺失\u{FF0C}请联系管理员";

/// A future returned by a [`SharedStore`].
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, StorageError>> + Send + 'a>>;

/// A store every node shares. Writes of the same digest are idempotent.
pub trait SharedStore: Send + Sync {
    /// Stores `bytes` under `sha256` unless that digest is stored already.
    fn put<'a>(&'a self, sha256: &'a str, bytes: &'a [u8]) -> StoreFuture<'a, ()>;
    /// The bytes under `sha256`, or `None`.
    fn get<'a>(&'a self, sha256: &'a str) -> StoreFuture<'a, Option<Vec<u8>>>;
    /// A short description for logs (`数据库`).
    fn describe(&self) -> &'static str;
}

pub struct Storage {
    backend: Backend,
}

enum Backend {
    Local(PathBuf),
    Shared(Arc<dyn SharedStore>),
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Storage").field(&self.describe()).finish()
    }
}

/// A SHA-256 in lowercase hex, as storage names files.
fn is_digest(sha256: &str) -> bool {
    sha256.len() == 64 && sha256.chars().all(|c| c.is_ascii_hexdigit())
}

impl Storage {
    /// Files in the local directory `root` (created if missing).
    pub fn open(root: PathBuf) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self {
            backend: Backend::Local(root),
        })
    }

    /// Files in a store every node shares.
    pub fn shared(store: Arc<dyn SharedStore>) -> Self {
        Self {
            backend: Backend::Shared(store),
        }
    }

    /// Where files go, for logs: the directory or the shared store.
    pub fn describe(&self) -> String {
        match &self.backend {
            Backend::Local(root) => root.display().to_string(),
            Backend::Shared(store) => store.describe().to_string(),
        }
    }

    fn path_of(root: &std::path::Path, sha256: &str) -> Option<PathBuf> {
        if !is_digest(sha256) {
            return None;
        }
        Some(root.join(&sha256[0..2]).join(&sha256[2..4]).join(sha256))
    }

    /// Stores `bytes` and returns their SHA-256 in hex.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, StorageError> {
        let sha = hex::encode(Sha256::digest(bytes));
        match &self.backend {
            Backend::Local(root) => Self::put_local(root, &sha, bytes).await?,
            Backend::Shared(store) => store.put(&sha, bytes).await?,
        }
        Ok(sha)
    }

    async fn put_local(
        root: &std::path::Path,
        sha: &str,
        bytes: &[u8],
    ) -> Result<(), StorageError> {
        let path = Self::path_of(root, sha).ok_or_else(|| std::io::Error::other("bad digest"))?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = root
            .join("tmp")
            .join(format!("{sha}.{}", crate::random_hex(8)));
        tokio::fs::write(&tmp, bytes).await?;
        let f = tokio::fs::File::open(&tmp).await?;
        f.sync_all().await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(())
    }

    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>, StorageError> {
        if !is_digest(sha256) {
            return Err(StorageError::NotFound(NOT_FOUND.into()));
        }
        match &self.backend {
            Backend::Local(root) => {
                let path = Self::path_of(root, sha256)
                    .ok_or_else(|| StorageError::NotFound(NOT_FOUND.into()))?;
                tokio::fs::read(&path).await.map_err(|e| match e.kind() {
                    std::io::ErrorKind::NotFound => StorageError::NotFound(MISSING.into()),
                    _ => StorageError::from(e),
                })
            }
            Backend::Shared(store) => store
                .get(sha256)
                .await?
                .ok_or_else(|| StorageError::NotFound(MISSING.into())),
        }
    }
}
