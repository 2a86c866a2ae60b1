//! Items through their life: create, update, publish, unpublish — each write audited in the same
//! transaction — 索引号 assignment and optimistic locking.

use gongkai_db::audit::{AuditFilter, AuditRow};
use gongkai_db::{DbError, items};

/// The audit rows of one item, oldest first.
async fn audit_of(app: &crate::support::TestApp, id: i64) -> Vec<AuditRow> {
    let filter = AuditFilter {
        entity: Some("item".into()),
        entity_id: Some(id.to_string()),
        ..Default::default()
    };
    let mut rows = gongkai_db::audit::list(&mut *app.conn().await, &filter, 1, 100)
        .await
        .unwrap()
        .rows;
    rows.reverse();
    rows
}

fn json(s: &Option<String>) -> serde_json::Value {
    serde_json::from_str(s.as_deref().expect("audit snapshot present")).expect("audit JSON")
}

both_backends!(
    create_update_publish_unpublish_are_audited,
    |app| async move {
        let audit0 = app.audit_count().await;
        let mut fields = app
            .item("市财政局", "czyjs", "2017年5月全市财政收支情况")
            .await;
        fields.publish_date = "2017-06-12".into();
        let id = app.create_item(fields.clone()).await;

        let item = items::get(&mut *app.conn().await, id).await.unwrap();
        assert_eq!(item.status, "draft");
        assert_eq!(item.version, 1);
        assert_eq!(item.index_no, None);
        assert!(
            item.body_html.contains("<p>"),
            "Markdown is rendered: {}",
            item.body_html
        );
        assert_eq!(app.audit_count().await, audit0 + 1);
        let log = audit_of(&app, id).await;
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "item.create");
        assert_eq!(log[0].actor_name, "测试");
        assert!(log[0].before_json.is_none());
        assert_eq!(
            json(&log[0].after_json)["title"],
            "2017年5月全市财政收支情况"
        );

        // Update with the version we loaded.
        fields.title = "2017年1—5月全市财政收支情况".into();
        let input = fields.validate().unwrap();
        let mut tx = app.db().begin().await.unwrap();
        items::update(&mut tx, &app.actor(), id, item.version, &input)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let item = items::get(&mut *app.conn().await, id).await.unwrap();
        assert_eq!(item.title, "2017年1—5月全市财政收支情况");
        assert_eq!(item.version, 2);
        let log = audit_of(&app, id).await;
        assert_eq!(log.len(), 2);
        assert_eq!(log[1].action, "item.update");
        assert_eq!(
            json(&log[1].before_json)["title"],
            "2017年5月全市财政收支情况"
        );
        assert_eq!(
            json(&log[1].after_json)["title"],
            "2017年1—5月全市财政收支情况"
        );

        app.publish(id).await;
        let item = items::get(&mut *app.conn().await, id).await.unwrap();
        assert_eq!(item.status, "published");
        assert!(item.is_public());
        let index_no = item.index_no.clone().expect("a 索引号 on publication");
        let log = audit_of(&app, id).await;
        assert_eq!(log.len(), 3);
        assert_eq!(log[2].action, "item.publish");
        assert_eq!(json(&log[2].before_json)["status"], "draft");
        assert_eq!(json(&log[2].after_json)["status"], "published");
        assert_eq!(json(&log[2].after_json)["index_no"], index_no.as_str());

        // Publishing twice is refused and writes nothing.
        let audit = app.audit_count().await;
        let pattern = gongkai_db::settings::index_pattern(&mut *app.conn().await)
            .await
            .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let err = items::publish(&mut tx, &app.actor(), id, &pattern)
            .await
            .unwrap_err();
        drop(tx);
        assert!(matches!(err, DbError::Invalid(_)), "{err:?}");
        assert_eq!(app.audit_count().await, audit);

        app.unpublish(id).await;
        let item = items::get(&mut *app.conn().await, id).await.unwrap();
        assert_eq!(item.status, "unpublished");
        assert!(!item.is_public());
        let log = audit_of(&app, id).await;
        assert_eq!(log.len(), 4);
        assert_eq!(log[3].action, "item.unpublish");
        assert_eq!(json(&log[3].before_json)["status"], "published");
        assert_eq!(json(&log[3].after_json)["status"], "unpublished");

        // Republishing keeps the 索引号.
        app.publish(id).await;
        let item = items::get(&mut *app.conn().await, id).await.unwrap();
        assert_eq!(item.index_no.as_deref(), Some(index_no.as_str()));
        assert_eq!(app.audit_count().await, audit0 + 5);
    }
);

both_backends!(
    index_numbers_count_per_organisation_and_year,
    |app| async move {
        let finance = gongkai_db::orgs::get(&mut *app.conn().await, app.org_id("市财政局").await)
            .await
            .unwrap();
        let stats = gongkai_db::orgs::get(&mut *app.conn().await, app.org_id("市统计局").await)
            .await
            .unwrap();

        let publish = async |org: &str, date: &str, title: &str| {
            let mut f = app.item(org, "zwdt", title).await;
            f.publish_date = date.into();
            let id = app.create_item(f).await;
            app.publish(id).await;
            items::get(&mut *app.conn().await, id)
                .await
                .unwrap()
                .index_no
                .expect("索引号")
        };

        assert_eq!(
            publish("市财政局", "2017-03-01", "财政一").await,
            format!("{}/2017-00001", finance.code)
        );
        assert_eq!(
            publish("市财政局", "2017-12-31", "财政二").await,
            format!("{}/2017-00002", finance.code)
        );
        assert_eq!(
            publish("市统计局", "2017-05-01", "统计一").await,
            format!("{}/2017-00001", stats.code)
        );
        assert_eq!(
            publish("市财政局", "2018-01-01", "财政三").await,
            format!("{}/2018-00001", finance.code)
        );
        assert_eq!(
            publish("市财政局", "2017-06-01", "财政四").await,
            format!("{}/2017-00003", finance.code)
        );
        // Drafts take no number.
        let draft = app
            .create_item(app.item("市财政局", "zwdt", "草稿").await)
            .await;
        assert_eq!(
            items::get(&mut *app.conn().await, draft)
                .await
                .unwrap()
                .index_no,
            None
        );
        assert_eq!(
            publish("市财政局", "2017-07-01", "财政五").await,
            format!("{}/2017-00004", finance.code)
        );
    }
);

both_backends!(a_stale_version_is_refused, |app| async move {
    let fields = app
        .item("市政府办公室", "tzgg", "关于端午节放假安排的通知")
        .await;
    let id = app.create_item(fields.clone()).await;
    let loaded = items::get(&mut *app.conn().await, id).await.unwrap();

    // Editor A saves first.
    let mut a = fields.clone();
    a.title = "关于2017年端午节放假安排的通知".into();
    let mut tx = app.db().begin().await.unwrap();
    items::update(
        &mut tx,
        &app.actor(),
        id,
        loaded.version,
        &a.validate().unwrap(),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    // Editor B saves on the same loaded version: refused, nothing changes, nothing audited.
    let audit = app.audit_count().await;
    let mut b = fields;
    b.title = "B 的标题".into();
    let mut tx = app.db().begin().await.unwrap();
    let err = items::update(
        &mut tx,
        &app.actor(),
        id,
        loaded.version,
        &b.validate().unwrap(),
    )
    .await
    .unwrap_err();
    drop(tx);
    assert!(matches!(err, DbError::Stale), "{err:?}");
    assert!(err.to_string().contains("已被他人修改"), "{err}");
    let now = items::get(&mut *app.conn().await, id).await.unwrap();
    assert_eq!(now.title, "关于2017年端午节放假安排的通知");
    assert_eq!(now.version, loaded.version + 1);
    assert_eq!(app.audit_count().await, audit);
});

both_backends!(an_item_can_sit_in_several_columns, |app| async move {
    let mut f = app
        .item("市政府办公室", "zcwj", "关于印发某办法的通知")
        .await;
    f.column_ids.push(app.column_id("fgwj").await.to_string());
    let id = app.create_item(f).await;
    let mut cols = items::column_ids(&mut *app.conn().await, id).await.unwrap();
    cols.sort();
    let mut expected = vec![app.column_id("zcwj").await, app.column_id("fgwj").await];
    expected.sort();
    assert_eq!(cols, expected);
});
