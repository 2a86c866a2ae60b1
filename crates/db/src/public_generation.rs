//! The public-content generation: one number, bumped by database triggers in the same transaction
//! as every write to a table that feeds a public page (migration `0044_public_generation`). The
//! web layer's page cache keeps what it rendered under the generation it saw, and drops it when
//! the number changes: it reads it after each of its own writes and every few seconds, and on
//! PostgreSQL also hears it through `LISTEN` (the trigger's `pg_notify` is delivered on commit).
//!
//! Reading it never writes. Only [`TABLE`] holds it; backups and `migrate-to` leave it out of
//! their table lists, since it describes a database's history, not its content.

use crate::{Backend, Db, DbResult};
use sqlx::AnyConnection;

/// The table holding the one row.
pub const TABLE: &str = "public_generation";

/// The PostgreSQL channel the triggers notify, with the new generation as payload.
pub const CHANNEL: &str = "gongkai_public_generation";

/// The current generation.
pub async fn current(conn: &mut AnyConnection) -> DbResult<i64> {
    Ok(
        sqlx::query_scalar("SELECT generation FROM public_generation WHERE id = 1")
            .fetch_one(&mut *conn)
            .await?,
    )
}

/// A `LISTEN` on [`CHANNEL`] over its own connection (PostgreSQL only; `None` on SQLite).
pub struct Listener(sqlx::postgres::PgListener);

impl Listener {
    /// Connects to the database `db` uses and listens. On SQLite there is nothing to hear.
    pub async fn open(db: &Db) -> DbResult<Option<Listener>> {
        if db.backend != Backend::Postgres {
            return Ok(None);
        }
        let url = db.pool.connect_options().database_url.clone();
        let mut listener = sqlx::postgres::PgListener::connect(url.as_str()).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(Listener(listener)))
    }

    /// Waits for the next notification and gives its generation. After a lost connection the
    /// listener reconnects, and notifications sent meanwhile are lost: the caller then reads the
    /// generation itself (`Ok(None)`).
    pub async fn next(&mut self) -> DbResult<Option<i64>> {
        match self.0.try_recv().await? {
            Some(n) => Ok(n.payload().trim().parse().ok()),
            None => Ok(None),
        }
    }
}
