//! Content-addressed file storage: a file is stored once under `files/ab/cd/<sha256>`, written to a
//! temporary file and renamed into place, so a crash never leaves a half-written blob under its name.

use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// Why a file could not be stored or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No file under that digest (or the digest is malformed); the message is for the user.
    #[error("{0}")]
    NotFound(String),
    #[error("存储读写失败\u{FF1A}{0}")]
    Io(#[from] std::io::Error),
}

/// A digest that names no file.
const NOT_FOUND: &str = "您访问的页面不存在或尚未公开";
/// A file the database knows but the disk lost.
const MISSING: &str = "附件文件缺失\u{FF0C}请联系管理员";

pub struct Storage {
    root: PathBuf,
}

impl Storage {
    pub fn open(root: PathBuf) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Self { root })
    }

    fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        if sha256.len() != 64 || !sha256.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some(
            self.root
                .join(&sha256[0..2])
                .join(&sha256[2..4])
                .join(sha256),
        )
    }

    /// Stores `bytes` and returns their SHA-256 in hex.
    pub async fn put(&self, bytes: &[u8]) -> Result<String, StorageError> {
        let sha = hex::encode(Sha256::digest(bytes));
        let path = self
            .path_of(&sha)
            .ok_or_else(|| std::io::Error::other("bad digest"))?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(sha);
        }
        if let Some(dir) = path.parent() {
            tokio::fs::create_dir_all(dir).await?;
        }
        let tmp = self
            .root
            .join("tmp")
            .join(format!("{sha}.{}", crate::random_hex(8)));
        tokio::fs::write(&tmp, bytes).await?;
        let f = tokio::fs::File::open(&tmp).await?;
        f.sync_all().await?;
        tokio::fs::rename(&tmp, &path).await?;
        Ok(sha)
    }

    pub async fn get(&self, sha256: &str) -> Result<Vec<u8>, StorageError> {
        let path = self
            .path_of(sha256)
            .ok_or_else(|| StorageError::NotFound(NOT_FOUND.into()))?;
        tokio::fs::read(&path).await.map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound(MISSING.into()),
            _ => StorageError::from(e),
        })
    }
}
