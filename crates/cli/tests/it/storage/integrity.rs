//! Refused writes: unique violations become Chinese field errors, failed validation writes nothing
//! (not even an audit row), and the audit log cannot be changed.

use gongkai_db::{DbError, columns, items, orgs, users};
use gongkai_domain::Invalid;
use gongkai_domain::role::{Grant, Role};

/// The counts that must not move when a write is refused.
async fn snapshot(app: &crate::support::TestApp) -> Vec<(&'static str, i64)> {
    let mut out = Vec::new();
    for t in [
        "organisations",
        "organisation_aliases",
        "columns",
        "items",
        "item_columns",
        "users",
        "user_roles",
        "audit_log",
    ] {
        out.push((t, app.count(t).await));
    }
    out
}

fn invalid(err: DbError) -> Invalid {
    match err {
        DbError::Invalid(inv) => inv,
        other => panic!("expected a field error, got {other:?}"),
    }
}

both_backends!(
    a_duplicate_username_is_a_chinese_field_error,
    |app| async move {
        app.create_user("zhangsan", Role::Editor, Some(app.org_id("市财政局").await))
            .await;
        let before = snapshot(&app).await;

        let hash = gongkai_web::auth::hash_password(crate::support::PASSWORD).unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let err = users::create(
            &mut tx,
            &app.actor(),
            &users::NewUser {
                username: "zhangsan",
                display_name: "另一个张三",
                password_hash: &hash,
                must_change_password: false,
                grants: &[Grant {
                    role: Role::Editor,
                    org_id: None,
                }],
            },
        )
        .await
        .unwrap_err();
        drop(tx);
        let inv = invalid(err);
        let msg = inv
            .message_for("username")
            .expect("error on the username field");
        assert!(msg.contains("已被使用"), "{msg}");
        assert!(msg.contains("zhangsan"), "{msg}");
        assert_eq!(snapshot(&app).await, before);
    }
);

both_backends!(
    a_duplicate_column_slug_is_a_chinese_field_error,
    |app| async move {
        let site = app.site_id().await;
        let before = snapshot(&app).await;
        let input = columns::ColumnFields {
            name: "另一个政务动态".into(),
            slug: "zwdt".into(),
            kind: "news".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let err = columns::create(&mut tx, &app.actor(), site, &input)
            .await
            .unwrap_err();
        drop(tx);
        let inv = invalid(err);
        let msg = inv.message_for("slug").expect("error on the slug field");
        assert!(msg.contains("已被其他栏目使用"), "{msg}");
        assert_eq!(snapshot(&app).await, before);

        // A fresh slug goes through, audited.
        let input = columns::ColumnFields {
            name: "测试专栏".into(),
            slug: "ceshi-zhuanlan".into(),
            kind: "topic".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        columns::create(&mut tx, &app.actor(), site, &input)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(app.count("columns").await, before[2].1 + 1);
        assert_eq!(app.audit_count().await, before[7].1 + 1);
    }
);

both_backends!(invalid_items_write_nothing, |app| async move {
    let before = snapshot(&app).await;

    // Field validation: over-long title, no column, 不予公开 without a reason — all reported.
    let mut f = app.item("市财政局", "czyjs", "标题").await;
    f.title = "长".repeat(gongkai_domain::item::TITLE_MAX + 1);
    f.column_ids.clear();
    f.disclosure = "not_disclosed".into();
    let inv = f.validate().unwrap_err();
    for field in ["title", "column_ids", "disclosure_reason"] {
        assert!(inv.message_for(field).is_some(), "{field}: {inv:?}");
    }
    assert!(inv.message_for("title").unwrap().contains("200"), "{inv:?}");

    // References checked by the db layer: a column of no site and an organisation that does not exist.
    let mut f = app.item("市财政局", "czyjs", "标题").await;
    f.column_ids = vec!["999999".into()];
    f.org_id = "999999".into();
    let input = f.validate().unwrap();
    let site = app.site_id().await;
    let mut tx = app.db().begin().await.unwrap();
    let err = items::create(&mut tx, &app.actor(), site, &input)
        .await
        .unwrap_err();
    drop(tx);
    let inv = invalid(err);
    assert!(inv.message_for("org_id").is_some(), "{inv:?}");
    assert!(inv.message_for("column_ids").is_some(), "{inv:?}");

    // A refused update leaves the item as it was.
    let id = app
        .create_item(app.item("市财政局", "czyjs", "原标题").await)
        .await;
    let before_update = snapshot(&app).await;
    let mut f = app.item("市财政局", "czyjs", "新标题").await;
    f.column_ids = vec!["999999".into()];
    let mut tx = app.db().begin().await.unwrap();
    let err = items::update(&mut tx, &app.actor(), id, 1, &f.validate().unwrap())
        .await
        .unwrap_err();
    drop(tx);
    assert!(matches!(err, DbError::Invalid(_)), "{err:?}");
    assert_eq!(snapshot(&app).await, before_update);
    assert_eq!(
        items::get(&mut *app.conn().await, id).await.unwrap().title,
        "原标题"
    );

    // Only the one good create moved the counts.
    let after = snapshot(&app).await;
    for ((t, b), (_, a)) in before.iter().zip(&after) {
        let expected = match *t {
            "items" | "item_columns" | "audit_log" => b + 1,
            _ => *b,
        };
        assert_eq!(*a, expected, "{t}");
    }
});

both_backends!(
    a_failed_organisation_write_is_rolled_back_whole,
    |app| async move {
        let before = snapshot(&app).await;
        // The organisation row is inserted before the aliases are checked; the alias clash must
        // take the organisation row (and its audit entry) down with it.
        let input = orgs::OrgFields {
            name: "市测试局".into(),
            code: "TEST01".into(),
            kind: "department".into(),
            parent_id: app.org_id("盘锦市人民政府").await.to_string(),
            aliases: "市财政局".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let err = orgs::create(&mut tx, &app.actor(), &input)
            .await
            .unwrap_err();
        drop(tx);
        let inv = invalid(err);
        assert!(inv.message_for("aliases").is_some(), "{inv:?}");
        assert_eq!(snapshot(&app).await, before);
        assert!(
            orgs::find_by_name(&mut *app.conn().await, "市测试局")
                .await
                .unwrap()
                .is_none()
        );

        // Duplicate organisation name.
        let input = orgs::OrgFields {
            name: "市财政局".into(),
            code: "TEST02".into(),
            kind: "department".into(),
            ..Default::default()
        }
        .validate()
        .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let err = orgs::create(&mut tx, &app.actor(), &input)
            .await
            .unwrap_err();
        drop(tx);
        let inv = invalid(err);
        assert!(inv.message_for("name").unwrap().contains("重复"), "{inv:?}");
        assert_eq!(snapshot(&app).await, before);
    }
);

both_backends!(the_audit_log_is_append_only, |app| async move {
    let before = app.audit_count().await;
    assert!(before > 0, "seeding and the admin account are audited");
    let mut conn = app.conn().await;
    let first: i64 = sqlx::query_scalar("SELECT MIN(id) FROM audit_log")
        .fetch_one(&mut *conn)
        .await
        .unwrap();

    let update = sqlx::query("UPDATE audit_log SET summary = '篡改' WHERE id = $1")
        .bind(first)
        .execute(&mut *conn)
        .await;
    let err = update.expect_err("UPDATE on audit_log must fail");
    assert!(err.to_string().contains("append-only"), "{err}");

    let update_all = sqlx::query("UPDATE audit_log SET actor_name = '某人'")
        .execute(&mut *conn)
        .await;
    assert!(update_all.is_err(), "UPDATE of every row must fail");

    let delete = sqlx::query("DELETE FROM audit_log WHERE id = $1")
        .bind(first)
        .execute(&mut *conn)
        .await;
    let err = delete.expect_err("DELETE on audit_log must fail");
    assert!(err.to_string().contains("append-only"), "{err}");

    let delete_all = sqlx::query("DELETE FROM audit_log")
        .execute(&mut *conn)
        .await;
    assert!(delete_all.is_err(), "DELETE of every row must fail");
    drop(conn);

    assert_eq!(app.audit_count().await, before);
    let summary: String = sqlx::query_scalar("SELECT summary FROM audit_log WHERE id = $1")
        .bind(first)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
    assert_ne!(summary, "篡改");
});
