//! A write transaction that cannot commit without an audit entry. Use cases that change the
//! government's records open one with [`Db::begin_audited`](crate::Db::begin_audited); its
//! [`commit`](AuditedTx::commit) looks for an `audit_log` row written by this very transaction and
//! rolls back with [`DbError::Unaudited`] when there is none, so "audit in the same transaction"
//! is checked rather than a convention.
//!
//! How "written by this transaction" is told: SQLite has one writer at a time (`BEGIN
//! IMMEDIATE`), so any row above the highest id seen at the start is ours; PostgreSQL stamps each
//! row with the inserting transaction's id (`xmin`), compared with the current one.

use crate::{Backend, DbError, DbResult};
use sqlx::{Any, AnyConnection, Transaction};
use std::ops::{Deref, DerefMut};

pub struct AuditedTx {
    tx: Transaction<'static, Any>,
    backend: Backend,
    /// The highest audit id when the transaction began (SQLite).
    mark: i64,
}

impl AuditedTx {
    pub(crate) async fn new(mut tx: Transaction<'static, Any>, backend: Backend) -> DbResult<Self> {
        let mark = match backend {
            Backend::Sqlite => {
                sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM audit_log")
                    .fetch_one(&mut *tx)
                    .await?
            }
            Backend::Postgres => 0,
        };
        Ok(Self { tx, backend, mark })
    }

    /// The audit entries this transaction has written so far.
    pub async fn audit_entries(&mut self) -> DbResult<i64> {
        let n = match self.backend {
            Backend::Sqlite => {
                sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log WHERE id > $1")
                    .bind(self.mark)
                    .fetch_one(&mut *self.tx)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar::<_, i64>(
                    "SELECT COUNT(*) FROM audit_log \
                     WHERE xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text",
                )
                .fetch_one(&mut *self.tx)
                .await?
            }
        };
        Ok(n)
    }

    /// Commits if the transaction wrote at least one audit entry; otherwise rolls back.
    pub async fn commit(mut self) -> DbResult<()> {
        if self.audit_entries().await? == 0 {
            self.tx.rollback().await?;
            return Err(DbError::Unaudited);
        }
        self.tx.commit().await?;
        Ok(())
    }
}

impl Deref for AuditedTx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.tx
    }
}

impl DerefMut for AuditedTx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }
}
