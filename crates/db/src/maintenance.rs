//! Whole-database operations for `gongkai backup`, `restore` and `migrate-to`: the tables and their
//! order by foreign keys, row counts and content checksums that compare across backends, the
//! SQLite online copy (`VACUUM INTO`), a PostgreSQL snapshot shared with `pg_dump`, and the bulk
//! copy of every table from one database into another.
//!
//! These move the database as a whole, audit log included, so they write no audit entry of their
//! own: a restored or moved database is, row for row, the one that was backed up.

use crate::{Backend, Db, DbError, DbResult};
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{AnyConnection, Column, Row, ValueRef};
use std::collections::{BTreeMap, BTreeSet};

/// The migrations' own bookkeeping table: created by migrating, never copied.
pub const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

/// A table's row count and the checksum of its content.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TableSum {
    pub name: String,
    pub rows: i64,
    /// Order-independent: the wrapping sum of every row's SHA-256 (first 16 bytes), in hex. A row
    /// hashes its columns sorted by name, each value canonical (`N`, `i:42`, `t:text`, `b:hex`),
    /// so the same rows give the same checksum on SQLite and PostgreSQL.
    pub checksum: String,
}

/// A table or column name from the catalogue, checked before it is spliced into SQL.
fn ident(name: &str) -> DbResult<&str> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(name)
    } else {
        Err(DbError::Config(format!(
            "数据库中有无法处理的表名或列名\u{201C}{name}\u{201D}"
        )))
    }
}

/// The application's tables, sorted by name: the migrations' table and the public-content
/// generation (`public_generation`, a counter of the database's own writes, which a copy moves on)
/// excluded.
pub async fn tables(conn: &mut AnyConnection, backend: Backend) -> DbResult<Vec<String>> {
    let names: Vec<String> = match backend {
        Backend::Sqlite => sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
        )
        .fetch_all(&mut *conn)
        .await?,
        Backend::Postgres => sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
        )
        .fetch_all(&mut *conn)
        .await?,
    };
    Ok(names
        .into_iter()
        .filter(|n| n != MIGRATIONS_TABLE && n != crate::public_generation::TABLE)
        .collect())
}

/// Whether the database holds no table at all (not even the migrations' table).
pub async fn is_empty(conn: &mut AnyConnection, backend: Backend) -> DbResult<bool> {
    let n: i64 = match backend {
        Backend::Sqlite => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
            )
            .fetch_one(&mut *conn)
            .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            )
            .fetch_one(&mut *conn)
            .await?
        }
    };
    Ok(n == 0)
}

/// The highest migration applied (0 when the database was never migrated).
pub async fn schema_level(conn: &mut AnyConnection, backend: Backend) -> DbResult<i64> {
    let known = tables_including_migrations(conn, backend).await?;
    if !known.iter().any(|t| t == MIGRATIONS_TABLE) {
        return Ok(0);
    }
    let level: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&mut *conn)
            .await?;
    Ok(level.unwrap_or(0))
}

async fn tables_including_migrations(
    conn: &mut AnyConnection,
    backend: Backend,
) -> DbResult<Vec<String>> {
    Ok(match backend {
        Backend::Sqlite => {
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut *conn)
                .await?
        }
        Backend::Postgres => {
            sqlx::query_scalar(
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
            )
            .fetch_all(&mut *conn)
            .await?
        }
    })
}

/// `tables` ordered so that every table comes after the tables its foreign keys refer to
/// (references to itself aside). Tables in a cycle, if any, keep their name order at the end.
pub async fn dependency_order(
    conn: &mut AnyConnection,
    backend: Backend,
    tables: &[String],
) -> DbResult<Vec<String>> {
    let mut refers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in tables {
        let parents: Vec<String> = match backend {
            Backend::Sqlite => {
                sqlx::query_scalar(r#"SELECT "table" FROM pragma_foreign_key_list($1)"#)
                    .bind(t)
                    .fetch_all(&mut *conn)
                    .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT DISTINCT ref.relname::text FROM pg_constraint c \
                     JOIN pg_class tbl ON tbl.oid = c.conrelid \
                     JOIN pg_class ref ON ref.oid = c.confrelid \
                     JOIN pg_namespace n ON n.oid = tbl.relnamespace \
                     WHERE c.contype = 'f' AND n.nspname = current_schema() AND tbl.relname = $1",
                )
                .bind(t)
                .fetch_all(&mut *conn)
                .await?
            }
        };
        refers.insert(
            t.clone(),
            parents
                .into_iter()
                .filter(|p| p != t && tables.contains(p))
                .collect(),
        );
    }
    let mut done: Vec<String> = Vec::new();
    let mut left: BTreeSet<String> = tables.iter().cloned().collect();
    loop {
        let ready: Vec<String> = left
            .iter()
            .filter(|t| {
                refers
                    .get(*t)
                    .is_none_or(|ps| ps.iter().all(|p| done.contains(p)))
            })
            .cloned()
            .collect();
        if ready.is_empty() {
            break;
        }
        for t in ready {
            left.remove(&t);
            done.push(t);
        }
    }
    done.extend(left);
    Ok(done)
}

/// One value in its canonical text form (see [`TableSum::checksum`]).
fn canonical(row: &AnyRow, i: usize) -> DbResult<String> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok("N".into());
    }
    let kind = raw.type_info().kind();
    Ok(match kind {
        AnyTypeInfoKind::Null => "N".into(),
        AnyTypeInfoKind::Bool => format!("i:{}", i64::from(row.try_get::<bool, _>(i)?)),
        AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
            format!("i:{}", row.try_get::<i64, _>(i)?)
        }
        AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => {
            format!("f:{}", row.try_get::<f64, _>(i)?)
        }
        AnyTypeInfoKind::Text => format!("t:{}", row.try_get::<String, _>(i)?),
        AnyTypeInfoKind::Blob => format!("b:{}", hex::encode(row.try_get::<Vec<u8>, _>(i)?)),
    })
}

fn row_hash(row: &AnyRow) -> DbResult<u128> {
    let mut cols: Vec<(&str, usize)> = row
        .columns()
        .iter()
        .map(|c| (c.name(), c.ordinal()))
        .collect();
    cols.sort_unstable();
    let mut h = Sha256::new();
    for (name, i) in cols {
        h.update(name.as_bytes());
        h.update(b"=");
        h.update(canonical(row, i)?.as_bytes());
        h.update(b"\x1f");
    }
    let digest = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    Ok(u128::from_be_bytes(first))
}

/// The row count and content checksum of one table.
pub async fn table_sum(conn: &mut AnyConnection, table: &str) -> DbResult<TableSum> {
    let t = ident(table)?;
    let sql = dyn_sql!("SELECT * FROM {t}");
    let mut rows = sqlx::query(sql).fetch(&mut *conn);
    let (mut n, mut sum) = (0i64, 0u128);
    while let Some(row) = rows.try_next().await? {
        n += 1;
        sum = sum.wrapping_add(row_hash(&row)?);
    }
    Ok(TableSum {
        name: table.to_string(),
        rows: n,
        checksum: format!("{sum:032x}"),
    })
}

/// Counts and checksums of every application table, by name.
pub async fn table_sums(conn: &mut AnyConnection, backend: Backend) -> DbResult<Vec<TableSum>> {
    let mut out = Vec::new();
    for t in tables(conn, backend).await? {
        out.push(table_sum(conn, &t).await?);
    }
    Ok(out)
}

impl Db {
    /// SQLite: a consistent copy of the live database into a new file (`VACUUM INTO`), safe while
    /// the server writes (it reads one snapshot; writers are not blocked under WAL).
    pub async fn sqlite_copy_into(&self, path: &std::path::Path) -> DbResult<()> {
        if self.backend != Backend::Sqlite {
            return Err(DbError::Config("VACUUM INTO 只适用于 SQLite".into()));
        }
        let target = path.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// PostgreSQL: opens a read-only repeatable-read transaction and exports its snapshot, so that
    /// `pg_dump --snapshot=…` and [`table_sums`] in this transaction see the same data.
    pub async fn pg_snapshot(&self) -> DbResult<(sqlx::Transaction<'static, sqlx::Any>, String)> {
        if self.backend != Backend::Postgres {
            return Err(DbError::Config("快照只适用于 PostgreSQL".into()));
        }
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()::text")
            .fetch_one(&mut *tx)
            .await?;
        Ok((tx, id))
    }

    /// PostgreSQL: empties the current schema — tables, functions, triggers, sequences — by
    /// dropping and recreating it (restore with `--force`).
    pub async fn pg_clear_schema(&self) -> DbResult<()> {
        if self.backend != Backend::Postgres {
            return Err(DbError::Config("只适用于 PostgreSQL".into()));
        }
        let mut conn = self.pool.acquire().await?;
        let name: String = sqlx::query_scalar("SELECT current_schema()::text")
            .fetch_one(&mut *conn)
            .await?;
        let schema = ident(&name)?;
        sqlx::query(dyn_sql!("DROP SCHEMA {schema} CASCADE"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(dyn_sql!("CREATE SCHEMA {schema}"))
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}

/// The declared type of each column of `table` on PostgreSQL (`bigint`, `text`, `bytea`, …).
async fn pg_column_types(
    conn: &mut AnyConnection,
    table: &str,
) -> DbResult<BTreeMap<String, String>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT column_name::text, data_type::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1",
    )
    .bind(table)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.into_iter().collect())
}

/// A value read from the source, converted to the target column's type.
enum Cell {
    Int(Option<i64>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
    Float(Option<f64>),
}

fn cell(row: &AnyRow, i: usize, target: &str, table: &str, column: &str) -> DbResult<Cell> {
    let raw = row.try_get_raw(i)?;
    let null = raw.is_null();
    let kind = raw.type_info().kind();
    let mismatch = || {
        DbError::Config(format!(
            "表 {table} 的列 {column} 有一个值的类型与目标库不符\u{FF08}目标为 {target}\u{FF09}"
        ))
    };
    Ok(match target {
        "bigint" | "integer" | "smallint" => Cell::Int(if null {
            None
        } else {
            match kind {
                AnyTypeInfoKind::Bool => Some(i64::from(row.try_get::<bool, _>(i)?)),
                AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt => {
                    Some(row.try_get::<i64, _>(i)?)
                }
                _ => return Err(mismatch()),
            }
        }),
        "text" | "character varying" => Cell::Text(if null {
            None
        } else if kind == AnyTypeInfoKind::Text {
            Some(row.try_get::<String, _>(i)?)
        } else {
            return Err(mismatch());
        }),
        "bytea" => Cell::Bytes(if null {
            None
        } else if kind == AnyTypeInfoKind::Blob {
            Some(row.try_get::<Vec<u8>, _>(i)?)
        } else {
            return Err(mismatch());
        }),
        "double precision" | "real" => Cell::Float(if null {
            None
        } else {
            match kind {
                AnyTypeInfoKind::Real | AnyTypeInfoKind::Double => Some(row.try_get::<f64, _>(i)?),
                _ => return Err(mismatch()),
            }
        }),
        _ => return Err(mismatch()),
    })
}

/// Copies every row of `table` from `source` into the PostgreSQL `target` (same columns), in
/// multi-row `INSERT`s of at most `batch` rows, reading the source in rowid order (parents before
/// their children in a self-referencing table). Returns the number of rows copied.
pub async fn copy_table_to_postgres(
    source: &mut AnyConnection,
    target: &mut AnyConnection,
    table: &str,
    batch: usize,
) -> DbResult<i64> {
    let t = ident(table)?;
    let types = pg_column_types(target, t).await?;
    let mut rows = sqlx::query(dyn_sql!("SELECT * FROM {t} ORDER BY rowid")).fetch(&mut *source);
    let mut pending: Vec<Vec<Cell>> = Vec::new();
    let mut columns: Vec<String> = Vec::new();
    let mut copied = 0i64;
    while let Some(row) = rows.try_next().await? {
        if columns.is_empty() {
            for c in row.columns() {
                let name = ident(c.name())?.to_string();
                if !types.contains_key(&name) {
                    return Err(DbError::Config(format!(
                        "目标库的表 {t} 没有列 {name}\u{FF1A}两个数据库的迁移版本不同"
                    )));
                }
                columns.push(name);
            }
        }
        let mut cells = Vec::with_capacity(columns.len());
        for (i, name) in columns.iter().enumerate() {
            let ty = types.get(name).map(String::as_str).unwrap_or_default();
            cells.push(cell(&row, i, ty, t, name)?);
        }
        pending.push(cells);
        let per_statement = (60_000 / columns.len().max(1)).clamp(1, batch.max(1));
        if pending.len() >= per_statement {
            copied += insert_rows(target, t, &columns, std::mem::take(&mut pending)).await?;
        }
    }
    if !pending.is_empty() {
        copied += insert_rows(target, t, &columns, pending).await?;
    }
    Ok(copied)
}

async fn insert_rows(
    target: &mut AnyConnection,
    table: &str,
    columns: &[String],
    rows: Vec<Vec<Cell>>,
) -> DbResult<i64> {
    let n = rows.len();
    let mut values = Vec::with_capacity(n);
    let mut p = 0usize;
    for _ in 0..n {
        let marks: Vec<String> = (0..columns.len())
            .map(|_| {
                p += 1;
                format!("${p}")
            })
            .collect();
        values.push(format!("({})", marks.join(", ")));
    }
    // Only checked identifiers and `$n` placeholders are spliced; every value is bound.
    let sql = dyn_sql!(
        "INSERT INTO {table} ({}) VALUES {}",
        columns.join(", "),
        values.join(", ")
    );
    let mut q = sqlx::query(sql);
    for row in rows {
        for c in row {
            q = match c {
                Cell::Int(v) => q.bind(v),
                Cell::Text(v) => q.bind(v),
                Cell::Bytes(v) => q.bind(v),
                Cell::Float(v) => q.bind(v),
            };
        }
    }
    q.execute(&mut *target).await?;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Empties `table` (rows the migrations inserted, before the copy replaces them).
pub async fn clear_table(conn: &mut AnyConnection, table: &str) -> DbResult<()> {
    let t = ident(table)?;
    sqlx::query(dyn_sql!("DELETE FROM {t}"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// PostgreSQL: moves every identity or serial column's sequence past the largest id copied.
pub async fn pg_reset_sequences(conn: &mut AnyConnection) -> DbResult<()> {
    let cols: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() \
           AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (table, column) in cols {
        let (t, c) = (ident(&table)?, ident(&column)?);
        sqlx::query(dyn_sql!(
            "SELECT setval(pg_get_serial_sequence('{t}', '{c}'), \
             COALESCE((SELECT MAX({c}) FROM {t}), 0) + 1, false)"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
