//! The demo's guides, open datasets and monitored site (`serve --demo`, `gongkai::demo`) on both
//! backends: they pass the back office's use cases (review, completeness, the content guard), one
//! guide has two versions with its change note, each dataset has its file, the site is registered
//! with monitoring off, and a second run adds nothing. In a real browser on a phone-sized window a
//! citizen finds an open dataset by search, sees its preview and downloads its file.

use crate::support::{TestApp, html};

/// The demo loaded into `app` (as `serve --demo` does after the organisations are seeded).
async fn load(app: &TestApp) -> gongkai::demo::Added {
    gongkai::demo::load(app.db(), &app.state().storage, &app.url("/"))
        .await
        .expect("the demo loads")
}

both_backends!(
    the_demo_publishes_guides_and_datasets_through_the_use_cases,
    |app| async move {
        let added = load(&app).await;
        assert_eq!(
            added,
            gongkai::demo::Added {
                guides: 5,
                datasets: 3,
                sites: 1
            }
        );
        let mut conn = app.conn().await;
        let guides: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT id, status, public, live_version FROM service_items ORDER BY id",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        assert!(
            guides
                .iter()
                .all(|(_, s, p, _)| s == "published" && *p == 1),
            "{guides:?}"
        );
        let revised: Vec<&(i64, String, i64, i64)> = guides.iter().filter(|g| g.3 == 2).collect();
        assert_eq!(revised.len(), 1, "one guide has a second version");
        let reviews: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM service_reviews WHERE decision = 'approve'")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(reviews, 6, "every publication passed review");
        let by_demo: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE actor_name = '演示数据' AND action = 'service.publish'",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap();
        assert_eq!(by_demo, 6, "audited as 演示数据");
        let files: i64 = sqlx::query_scalar("SELECT COUNT(DISTINCT resource_id) FROM data_files")
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(files, 3);
        let active: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM monitored_sites WHERE active = 1")
                .fetch_one(&mut *conn)
                .await
                .unwrap();
        assert_eq!(
            active, 0,
            "registered with monitoring off: nothing is probed"
        );
        drop(conn);

        // The portal: the guides by theme, the revised one with its 变更记录 and its form.
        let bsfw = app.get_ok("/bsfw?theme=birth").await;
        assert!(
            bsfw.contains("出生医学证明首次签发"),
            "{}",
            html::excerpt(&bsfw)
        );
        let id = revised[0].0;
        let page = app.get_ok(&format!("/bsfw/{id}")).await;
        assert!(page.contains("就业登记"));
        assert!(page.contains("承诺办结时限由5个工作日压缩为1个工作日"));
        let form = app.get(&format!("/bsfw/{id}/forms/0")).await;
        assert_eq!(form.status(), 200);
        let bytes = form.bytes().await.unwrap();
        assert!(bytes.starts_with(b"PK"), "the blank form is an XLSX file");
        let sjkf = app.get_ok("/sjkf").await;
        for name in [
            "盘锦市A级旅游景区名录",
            "盘锦市药品零售企业名录",
            "盘锦市环境空气质量月报",
        ] {
            assert!(sjkf.contains(name), "{name}");
        }

        // A second run adds nothing.
        assert_eq!(load(&app).await, gongkai::demo::Added::default());
    }
);

/// A citizen on a phone opens 数据开放 , finds a dataset by search, sees its preview and downloads
/// its file (the bytes are the stored file's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_on_a_phone_finds_a_dataset_previews_and_downloads_it() {
    let app = TestApp::start(crate::support::Backend::Sqlite).await;
    load(&app).await;
    let (id, file_id, sha): (i64, i64, String) = sqlx::query_as(
        "SELECT r.id, f.id, f.sha256 FROM data_resources r JOIN data_files f ON f.resource_id = r.id \
         WHERE r.name = '盘锦市A级旅游景区名录'",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    let stored = app.state().storage.get(&sha).await.unwrap();

    let b = crate::browser::Browser::start().await;
    b.client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    b.goto(&app.url("/")).await;
    b.goto(&app.url("/sjkf")).await;
    b.fill("#sjkf-q", "景区").await;
    b.click("#sjkf-search button[type=submit]").await;
    b.wait_for_url("q=").await;
    let dataset = format!("/sjkf/{id}");
    let list = b.wait_for("#datasets-title + ul.guide-list").await;
    assert!(list.contains("盘锦市A级旅游景区名录"), "{list}");
    assert!(
        !list.contains("药品零售"),
        "the search narrows the list: {list}"
    );
    b.click(&format!("a[href=\"{dataset}\"]")).await;
    b.wait_for_url(&dataset).await;
    let preview = b.wait_for(".dataset-preview").await;
    assert!(preview.contains("红海滩国家风景廊道"), "{preview}");
    assert!(preview.contains("共 5 行数据"), "{preview}");
    b.screenshot("sjkf-dataset-phone").await;
    // The page fits the phone: nothing wider than the window but the preview's scroller.
    let overflow = b
        .client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .expect("layout");
    assert!(
        overflow.as_f64().unwrap_or(1.0) <= 0.0,
        "horizontal overflow: {overflow}"
    );

    let link = format!("{dataset}/files/{file_id}");
    b.wait_for(&format!("a[href=\"{link}\"]")).await;
    // What the link downloads, read by the browser as bytes.
    let got = b
        .client
        .execute(
            "return fetch(arguments[0]).then(async r => [r.status, r.headers.get('content-disposition'), \
             Array.from(new Uint8Array(await r.arrayBuffer()))]);",
            vec![serde_json::json!(link)],
        )
        .await
        .expect("download through the browser");
    assert_eq!(got[0], 200);
    assert!(
        got[1]
            .as_str()
            .unwrap_or_default()
            .starts_with("attachment"),
        "{}",
        got[1]
    );
    let bytes: Vec<u8> = got[2]
        .as_array()
        .expect("bytes")
        .iter()
        .map(|v| v.as_u64().expect("a byte") as u8)
        .collect();
    assert_eq!(bytes, stored, "the downloaded file is the stored one");
    let header = ["景区名称", "等级", "所在区县"].join(",");
    assert!(String::from_utf8(bytes).unwrap().starts_with(&header));
    b.close().await;
    app.teardown().await;
}
