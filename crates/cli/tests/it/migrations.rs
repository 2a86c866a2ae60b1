//! The two migration folders (`crates/db/migrations/sqlite`, `…/postgres`) are kept in step by
//! hand: this test migrates a fresh database of each kind and compares what they define — the
//! tables, each table's columns, and the named indexes (primary keys and the indexes behind UNIQUE
//! constraints are named by each engine itself and left out). Column types differ by dialect on
//! purpose and are not compared.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use crate::support::{Backend, TestApp};

type Schema = BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)>;

async fn schema(app: &TestApp) -> Schema {
    let mut conn = app.conn().await;
    let mut out = Schema::new();
    match app.backend() {
        Backend::Sqlite => {
            let tables: Vec<String> = sqlx::query(
                "SELECT name FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<String, _>(0))
            .collect();
            for t in tables {
                let cols = sqlx::query("SELECT name FROM pragma_table_info($1)")
                    .bind(&t)
                    .fetch_all(&mut *conn)
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.get::<String, _>(0))
                    .collect();
                out.insert(t, (cols, BTreeSet::new()));
            }
            let idx = sqlx::query(
                "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' \
                 AND name NOT LIKE 'sqlite_autoindex%'",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap();
            for r in idx {
                let t: String = r.get(0);
                if let Some(e) = out.get_mut(&t) {
                    e.1.insert(r.get(1));
                }
            }
        }
        Backend::Postgres => {
            let cols = sqlx::query(
                "SELECT table_name::text, column_name::text FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%'",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap();
            for r in cols {
                out.entry(r.get(0)).or_default().0.insert(r.get(1));
            }
            let idx = sqlx::query(
                "SELECT tablename::text, indexname::text FROM pg_indexes \
                 WHERE schemaname = current_schema() \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint)",
            )
            .fetch_all(&mut *conn)
            .await
            .unwrap();
            for r in idx {
                let t: String = r.get(0);
                if let Some(e) = out.get_mut(&t) {
                    e.1.insert(r.get(1));
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_define_the_same_schema() {
    let lite = TestApp::builder()
        .backend(Backend::Sqlite)
        .unseeded()
        .start()
        .await;
    let pg = TestApp::builder()
        .backend(Backend::Postgres)
        .unseeded()
        .start()
        .await;
    let (a, b) = (schema(&lite).await, schema(&pg).await);
    lite.teardown().await;
    pg.teardown().await;
    assert!(
        a.len() > 40,
        "the SQLite schema was read: {} tables",
        a.len()
    );
    let mut diffs = Vec::new();
    for t in a.keys().chain(b.keys()).collect::<BTreeSet<_>>() {
        match (a.get(t), b.get(t)) {
            (Some(x), Some(y)) => {
                for c in x.0.symmetric_difference(&y.0) {
                    let side = if x.0.contains(c) {
                        "SQLite"
                    } else {
                        "PostgreSQL"
                    };
                    diffs.push(format!("{t}.{c}: column only in {side}"));
                }
                for i in x.1.symmetric_difference(&y.1) {
                    let side = if x.1.contains(i) {
                        "SQLite"
                    } else {
                        "PostgreSQL"
                    };
                    diffs.push(format!("{t}: index {i} only in {side}"));
                }
            }
            (Some(_), None) => diffs.push(format!("{t}: table only in SQLite")),
            (None, Some(_)) => diffs.push(format!("{t}: table only in PostgreSQL")),
            (None, None) => {}
        }
    }
    assert!(
        diffs.is_empty(),
        "the migrations differ:\n{}",
        diffs.join("\n")
    );
}
