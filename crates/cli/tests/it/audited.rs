//! `Db::begin_audited`: a write transaction commits only with an audit entry of its own, on both
//! backends; without one it is rolled back and nothing it wrote remains.

use gongkai_db::audit::{self, Entry};
use gongkai_db::{DbError, settings};

both_backends!(an_unaudited_write_is_rolled_back, |app| async move {
    let before = app.audit_count().await;
    let mut tx = app.db().begin_audited().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('unaudited_probe', 'x')")
        .execute(&mut *tx)
        .await
        .unwrap();
    assert!(matches!(tx.commit().await, Err(DbError::Unaudited)));
    let mut conn = app.conn().await;
    assert_eq!(
        settings::get(&mut conn, "unaudited_probe").await.unwrap(),
        None
    );
    drop(conn);
    assert_eq!(app.audit_count().await, before);

    // The same write with its audit entry commits, even while another transaction audits too.
    let mut tx = app.db().begin_audited().await.unwrap();
    sqlx::query("INSERT INTO settings (key, value) VALUES ('audited_probe', 'x')")
        .execute(&mut *tx)
        .await
        .unwrap();
    let entry = Entry {
        action: "setting.update",
        entity: "setting",
        entity_id: "audited_probe".into(),
        summary: "probe".into(),
        before: None,
        after: None,
    };
    audit::record(&mut tx, &app.actor(), entry).await.unwrap();
    assert_eq!(tx.audit_entries().await.unwrap(), 1);
    tx.commit().await.unwrap();
    let mut conn = app.conn().await;
    assert_eq!(
        settings::get(&mut conn, "audited_probe")
            .await
            .unwrap()
            .as_deref(),
        Some("x")
    );
    drop(conn);
    assert_eq!(app.audit_count().await, before + 1);
});
