//! Concurrent writers: publishing many items at once from several tasks must neither fail on lock
//! contention nor hand out the same 索引号 twice.

use crate::support::TestApp;
use gongkai_db::items;

both_backends!(
    concurrent_publishing_numbers_every_item_once,
    |app| async move {
        let mut ids = Vec::new();
        for i in 0..16 {
            let mut fields = app
                .item("市财政局", "czyjs", &format!("并发发布测试第{i}条"))
                .await;
            fields.publish_date = "2017-06-30".into();
            ids.push(app.create_item(fields).await);
        }
        let tasks: Vec<_> = ids
            .iter()
            .map(|&id| {
                let app: TestApp = app.clone();
                tokio::spawn(async move {
                    let mut tx = app.db().begin().await.expect("begin");
                    let pattern = gongkai_db::settings::index_pattern(&mut tx)
                        .await
                        .expect("pattern");
                    items::publish(&mut tx, &app.actor(), id, &pattern)
                        .await
                        .expect("publish");
                    tx.commit().await.expect("commit");
                })
            })
            .collect();
        for t in tasks {
            t.await.expect("task");
        }
        let mut numbers = Vec::new();
        for id in ids {
            let item = items::get(&mut *app.conn().await, id).await.expect("get");
            numbers.push(item.index_no.expect("index number"));
        }
        numbers.sort();
        let expected: Vec<String> = (1..=16).map(|n| format!("PJ0008/2017-{n:05}")).collect();
        assert_eq!(numbers, expected);
    }
);
