//! The bytes of stored files kept in the database (`attachments = "database"`), so that every node
//! on one PostgreSQL serves every attachment. Content-addressed by SHA-256 like the local
//! `files/` directory: a row is written once, never changed, and a second write of the same
//! content is a no-op. Not audited: the attachment row that names a digest is the business record.

use crate::{Db, DbResult, now_ms};

/// Stores `bytes` under `sha256` unless a row with that digest exists.
pub async fn put(db: &Db, sha256: &str, bytes: &[u8]) -> DbResult<()> {
    sqlx::query(
        "INSERT INTO blobs (sha256, size_bytes, bytes, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(bytes.len() as i64)
    .bind(bytes)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The bytes stored under `sha256`, if any.
pub async fn get(db: &Db, sha256: &str) -> DbResult<Option<Vec<u8>>> {
    Ok(
        sqlx::query_scalar::<_, Vec<u8>>("SELECT bytes FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_optional(&db.pool)
            .await?,
    )
}

/// Whether a row with `sha256` exists (without reading its bytes).
pub async fn exists(db: &Db, sha256: &str) -> DbResult<bool> {
    Ok(
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM blobs WHERE sha256 = $1")
            .bind(sha256)
            .fetch_one(&db.pool)
            .await?
            > 0,
    )
}

/// Every digest that item and feedback attachments name, for copying a local `files/`
/// directory into the database.
pub async fn referenced_digests(db: &Db) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT sha256 FROM attachments UNION SELECT sha256 FROM feedback_attachments \
         UNION SELECT sha256 FROM application_files ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await?)
}
