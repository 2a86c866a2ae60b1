//! The `--demo` sample content.

use crate::support::TestApp;
use gongkai_db::items::{self, PublicQuery};

both_backends!(demo_content_loads, TestApp::builder().demo() => |app| async move {
    let total = app.count("items").await;
    assert!(total >= 10, "demo items: {total}");
    let mut conn = app.conn().await;
    let all = items::admin_list(&mut conn, &items::AdminQuery::default(), 1, 100)
        .await
        .unwrap();
    assert_eq!(all.total, total);

    // A living site: published items in the main columns, with 索引号 …
    let public = items::public_list(
        &mut conn,
        &PublicQuery {
            limit: 100,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(public.len() >= 8, "public demo items: {}", public.len());
    assert!(public.iter().all(|r| r.index_no.is_some()));
    let zwdt = app.column_id("zwdt").await;
    let news = gongkai_db::public_lists::public_in_columns(
        &mut conn,
        &[zwdt],
        gongkai_db::public_lists::Cursor::First,
        20,
    )
    .await
    .unwrap();
    assert!(!news.rows.is_empty(), "政务动态 has demo news");
    assert!(public.iter().any(|r| r.title.contains("政务公开工作安排")));

    // … and the cases that must stay off the portal: a draft and a 依申请公开 item.
    let hidden: Vec<_> = all
        .rows
        .iter()
        .filter(|r| !public.iter().any(|p| p.id == r.id))
        .collect();
    assert!(hidden.iter().any(|r| r.status == "draft"), "a demo draft");
    assert!(
        hidden.iter().any(|r| r.disclosure == "on_request"),
        "a demo 依申请公开 item"
    );
    for r in &hidden {
        assert!(items::get_public(&mut conn, r.id).await.is_err(), "{}", r.title);
    }
    drop(conn);

    // Loading it again adds nothing.
    assert_eq!(gongkai_db::seed::demo_content(app.db()).await.unwrap(), 0);
    assert_eq!(app.count("items").await, total);
});
