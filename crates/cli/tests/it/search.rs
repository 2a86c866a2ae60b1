//! Full-text search kept derived from the database: golden queries (民政 must not match
//! 人民政府), exact 文号 lookup, the leak matrix through the outbox (a draft, a 依申请公开 item and
//! an unpublished item are never found), unpublishing and editing after a sync, a rebuild from
//! scratch giving the same answers, and the page escaping titles.

use crate::support::TestApp;
use gongkai_db::items;
use gongkai_search::{Filters, Search};

const CIVIL: &str = "市民政局";
const GOV: &str = "市政府办公室";
const COLUMN: &str = "tzgg";

async fn publish_item(app: &TestApp, org: &str, title: &str, doc_number: &str) -> i64 {
    let mut f = app.item(org, COLUMN, title).await;
    f.doc_number = doc_number.into();
    let id = app.create_item(f).await;
    app.publish(id).await;
    id
}

fn ids(search: &Search, q: &str) -> Vec<i64> {
    let mut v: Vec<i64> = search
        .index
        .search(q, Filters::default(), 1)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect();
    v.sort_unstable();
    v
}

async fn sync(app: &TestApp) {
    app.state().search.catch_up(app.db()).await.expect("sync");
}

both_backends!(search_golden_queries_and_leaks, |app| async move {
    let search = &app.state().search;
    sync(&app).await; // the fresh index is built (empty), so what follows goes through the outbox
    let civil = publish_item(
        &app,
        CIVIL,
        "盘锦市民政局关于做好冬季救助工作的通知",
        "盘民发〔2017〕12号",
    )
    .await;
    let gov = publish_item(
        &app,
        GOV,
        "盘锦市人民政府关于印发城市道路管理办法的通知",
        "盘政发〔2017〕3号",
    )
    .await;
    let tricky = publish_item(&app, CIVIL, "民政说明<script>alert(1)</script>", "").await;

    let draft = app
        .create_item(app.item(CIVIL, COLUMN, "民政草稿通知").await)
        .await;
    let mut f = app.item(CIVIL, COLUMN, "民政依申请通知").await;
    f.disclosure = "on_request".into();
    f.disclosure_reason = "涉及第三方合法权益".into();
    let on_request = app.create_item(f).await;
    app.publish(on_request).await;
    let withdrawn = publish_item(&app, CIVIL, "民政撤回通知", "").await;
    app.unpublish(withdrawn).await;

    assert!(ids(search, "民政").is_empty(), "nothing before the sync");
    sync(&app).await;

    assert_eq!(ids(search, "民政"), vec![civil, tricky]);
    assert_eq!(ids(search, "人民政府"), vec![gov]);
    for hidden in [draft, on_request, withdrawn] {
        for q in ["民政", "通知", "草稿", "依申请", "撤回"] {
            assert!(
                !ids(search, q).contains(&hidden),
                "item {hidden} leaked for {q}"
            );
        }
    }
    let exact = search
        .index
        .search("盘政发〔2017〕3号", Filters::default(), 1)
        .unwrap();
    assert!(exact.exact);
    assert_eq!(
        exact.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![gov]
    );
    let civil_org = app.org_id(CIVIL).await;
    let r = search
        .index
        .search(
            "通知",
            Filters {
                org: Some(civil_org),
                ..Default::default()
            },
            1,
        )
        .unwrap();
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![civil]);

    // The page: highlighted, escaped, facets, empty state.
    let page = app.get_ok("/search?q=%E6%B0%91%E6%94%BF").await;
    assert!(page.contains(&format!("/items/{civil}")));
    assert!(!page.contains(&format!("/items/{gov}\"")));
    assert!(page.contains("<b>民政</b>"), "{page}");
    assert!(page.contains("&lt;script&gt;"));
    assert!(!page.contains("<script>alert"));
    assert!(page.contains(&format!("org={civil_org}")), "facet link");
    let empty = app
        .get_ok("/search?q=%E7%81%AB%E6%98%9F%E5%9F%BA%E5%9C%B0")
        .await;
    assert!(empty.contains("没有找到相关信息"));
    let home = app.get_ok("/").await;
    assert!(
        home.contains("action=\"/search\""),
        "search box in the header"
    );

    // A rebuild from scratch answers the same.
    let other = tempfile::tempdir().unwrap();
    let n = gongkai::search_cmd::reindex(app.db(), other.path(), false)
        .await
        .unwrap();
    assert_eq!(n, 3, "exactly the public items");
    let rebuilt = Search::open(other.path()).unwrap();
    for q in ["民政", "人民政府", "通知", "盘政发〔2017〕3号", "撤回"] {
        assert_eq!(ids(&rebuilt, q), ids(search, q), "query {q}");
    }
    drop(rebuilt);

    // Unpublishing removes after the sync; an edit of a published item is picked up.
    app.unpublish(civil).await;
    assert_eq!(ids(search, "民政"), vec![civil, tricky]);
    sync(&app).await;
    assert_eq!(ids(search, "民政"), vec![tricky]);

    let item = {
        let mut conn = app.conn().await;
        items::get(&mut conn, gov).await.unwrap()
    };
    let mut f = app
        .item(GOV, COLUMN, "盘锦市人民政府关于海绵城市建设的通知")
        .await;
    f.doc_number = "盘政发〔2017〕3号".into();
    let input = f.validate().unwrap();
    let mut tx = app.db().begin().await.unwrap();
    items::update(&mut tx, &app.actor(), gov, item.version, &input)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sync(&app).await;
    assert_eq!(ids(search, "海绵"), vec![gov]);
    assert!(ids(search, "道路").is_empty());
});

// Two nodes, two indexes, one outbox: each node applies every row up to its own mark.
both_backends!(search_every_node_applies_the_outbox, |app| async move {
    sync(&app).await;
    let other_dir = tempfile::tempdir().unwrap();
    let other = Search::open(other_dir.path()).unwrap();
    other.catch_up(app.db()).await.unwrap();
    let id = publish_item(&app, CIVIL, "盘锦市民政局关于养老服务的通知", "").await;
    sync(&app).await;
    assert_eq!(ids(&app.state().search, "养老"), vec![id]);
    assert!(
        ids(&other, "养老").is_empty(),
        "the other node has not synced yet"
    );
    other.catch_up(app.db()).await.unwrap();
    assert_eq!(ids(&other, "养老"), vec![id]);
    assert_eq!(app.count("search_nodes").await, 2);
    assert!(
        app.count("search_outbox").await >= 1,
        "rows stay until they are a day old"
    );

    // A node that last synced before the oldest kept rows is rebuilt rather than trusting its mark.
    let late = publish_item(&app, CIVIL, "盘锦市民政局关于殡葬管理的通知", "").await;
    {
        let mut conn = app.conn().await;
        sqlx::query("DELETE FROM search_outbox")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("UPDATE search_nodes SET updated_at = $1 WHERE node_id = $2")
            .bind(gongkai_db::now_ms() - 2 * 24 * 3_600_000)
            .bind(&other.node_id)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    other.catch_up(app.db()).await.unwrap();
    assert_eq!(ids(&other, "殡葬"), vec![late]);
});
