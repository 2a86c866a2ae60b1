//! **Only published 主动公开 items are ever public.** Every public query of the db layer is checked
//! against the full matrix of status × disclosure attribute.

use gongkai_db::items::{self, PublicQuery};
use gongkai_db::public_lists::{self, Cursor};
use gongkai_domain::model::{Disclosure, ItemStatus, is_publicly_visible};

/// The public items of one column, as /xxgk counts them.
async fn public_count(conn: &mut sqlx::AnyConnection, column: i64) -> i64 {
    public_lists::public_counts_in_subtrees(conn, &[(column, vec![column])])
        .await
        .unwrap()
        .first()
        .map_or(0, |(_, n)| *n)
}

struct Case {
    id: i64,
    title: String,
    public: bool,
}

/// One item per (status, disclosure) in column 规划信息 of 市发展改革委; returns them.
async fn matrix(app: &crate::support::TestApp) -> Vec<Case> {
    let mut out = Vec::new();
    for status in ItemStatus::ALL {
        for disclosure in Disclosure::ALL {
            let title = format!("矩阵：{}·{}", status.label(), disclosure.label());
            let mut f = app.item("市发展改革委", "ghxx", &title).await;
            f.disclosure = disclosure.code().into();
            if disclosure.needs_reason() {
                f.disclosure_reason = "涉及第三方合法权益".into();
            }
            let id = app.create_item(f).await;
            match status {
                ItemStatus::Draft => {}
                ItemStatus::Published => app.publish(id).await,
                ItemStatus::Unpublished => {
                    app.publish(id).await;
                    app.unpublish(id).await;
                }
                ItemStatus::Submitted => {
                    crate::workflow::reach(app, id, crate::workflow::Reach::Submitted).await
                }
                ItemStatus::Approved => {
                    crate::workflow::reach(app, id, crate::workflow::Reach::Approved).await
                }
                ItemStatus::Scheduled => {
                    crate::workflow::reach(app, id, crate::workflow::Reach::Scheduled).await
                }
            }
            let stored = items::get(&mut *app.conn().await, id).await.unwrap();
            assert_eq!(stored.status(), *status, "{title}");
            assert_eq!(stored.disclosure(), *disclosure, "{title}");
            out.push(Case {
                id,
                title,
                public: is_publicly_visible(*status, *disclosure),
            });
        }
    }
    assert_eq!(out.iter().filter(|c| c.public).count(), 1);
    out
}

fn ids_of(rows: &[items::ItemSummary]) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    ids.sort();
    ids
}

both_backends!(
    public_queries_show_only_published_proactive_items,
    |app| async move {
        let cases = matrix(&app).await;
        let public: Vec<i64> = cases.iter().filter(|c| c.public).map(|c| c.id).collect();
        let column = app.column_id("ghxx").await;
        let statutory = app.column_id("fdzdgknr").await;
        let org = app.org_id("市发展改革委").await;
        let mut conn = app.conn().await;

        for c in &cases {
            let got = items::get_public(&mut conn, c.id).await;
            match (c.public, got) {
                (true, Ok(item)) => assert_eq!(item.id, c.id),
                (false, Err(gongkai_db::DbError::NotFound(_))) => {}
                (public, other) => panic!(
                    "get_public({}) for {} (public: {public}) gave {:?}",
                    c.id,
                    c.title,
                    other.map(|i| i.title)
                ),
            }
            // The admin view still sees every item.
            assert!(items::get(&mut conn, c.id).await.is_ok());
        }

        let page = public_lists::public_in_columns(&mut conn, &[column], Cursor::First, 100)
            .await
            .unwrap();
        assert_eq!(ids_of(&page.rows), public, "public_in_columns");
        assert!(page.older.is_none() && page.newer.is_none());
        let page =
            public_lists::public_in_columns(&mut conn, &[column, statutory], Cursor::First, 100)
                .await
                .unwrap();
        assert_eq!(ids_of(&page.rows), public, "public_in_columns, two columns");
        assert_eq!(public_count(&mut conn, column).await, public.len() as i64);

        let page = public_lists::public_by_org(&mut conn, org, Cursor::First, 100)
            .await
            .unwrap();
        assert_eq!(ids_of(&page.rows), public, "public_by_org");
        let counts = items::public_counts_by_org(&mut conn).await.unwrap();
        assert_eq!(
            counts,
            vec![(org, public.len() as i64)],
            "public_counts_by_org"
        );

        for q in [
            PublicQuery {
                limit: 100,
                ..Default::default()
            },
            PublicQuery {
                column_ids: Some(vec![column]),
                limit: 100,
                ..Default::default()
            },
            PublicQuery {
                org_id: Some(org),
                limit: 100,
                ..Default::default()
            },
            PublicQuery {
                after: Some((i64::MAX, i64::MAX)),
                limit: 100,
                ..Default::default()
            },
        ] {
            let rows = items::public_list(&mut conn, &q).await.unwrap();
            assert_eq!(ids_of(&rows), public, "public_list {q:?}");
            assert!(
                rows.iter()
                    .all(|r| r.status == "published" && r.disclosure == "proactive")
            );
        }

        // The back-office listing sees all nine.
        let all = items::admin_list(&mut conn, &items::AdminQuery::default(), 1, 100)
            .await
            .unwrap();
        assert_eq!(all.total, cases.len() as i64);
    }
);

both_backends!(
    unpublishing_takes_an_item_off_every_public_query,
    |app| async move {
        let id = app
            .create_item(app.item("市财政局", "czyjs", "将被撤回的信息").await)
            .await;
        let column = app.column_id("czyjs").await;
        app.publish(id).await;
        let mut conn = app.conn().await;
        assert!(items::get_public(&mut conn, id).await.is_ok());
        assert_eq!(public_count(&mut conn, column).await, 1);
        drop(conn);

        app.unpublish(id).await;
        let mut conn = app.conn().await;
        assert!(items::get_public(&mut conn, id).await.is_err());
        assert_eq!(public_count(&mut conn, column).await, 0);
        let list = items::public_list(
            &mut conn,
            &PublicQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(list.is_empty(), "{:?}", ids_of(&list));

        // Changing the disclosure of a published item to 依申请公开 hides it too.
        drop(conn);
        app.publish(id).await;
        let item = items::get(&mut *app.conn().await, id).await.unwrap();
        let mut f = app.item("市财政局", "czyjs", "将被撤回的信息").await;
        f.disclosure = "on_request".into();
        f.disclosure_reason = "涉及商业秘密".into();
        let mut tx = app.db().begin().await.unwrap();
        items::update(
            &mut tx,
            &app.actor(),
            id,
            item.version,
            &f.validate().unwrap(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert!(items::get_public(&mut *app.conn().await, id).await.is_err());
    }
);
