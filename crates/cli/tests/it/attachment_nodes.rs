//! Attachments on several nodes (issue 14): with `attachments = "database"` a file uploaded on one
//! node is served by another node on the same PostgreSQL; with the default local directory it is
//! not, which is why the choice exists. Also the copy of a local directory into the database.

use crate::binary::{free_port, serve, wait_until_up};
use crate::support::{Backend, TestApp};
use gongkai_web::storage::AttachmentStore;
use reqwest::StatusCode;
use reqwest::multipart::Part;

/// Publishes an item with one attachment through node `app`'s back office; returns the
/// attachment's public path.
async fn publish_with_attachment(app: &TestApp, name: &str, bytes: &[u8]) -> String {
    let me = app.admin().await;
    let form = me
        .multipart()
        .await
        .text("title", "多节点附件测试通知")
        .text("org_id", app.org_id("市民政局").await.to_string())
        .text("column_ids", app.column_id("tzgg").await.to_string())
        .text("body_format", "markdown")
        .text("body", "附件见下。")
        .text("disclosure", "proactive")
        .text("action", "publish")
        .text("publish_reason", "测试多节点附件，先发后审")
        .part(
            "attachments",
            Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    let (status, page) = me.submit_multipart("/admin/items", form).await;
    assert_eq!(
        status,
        StatusCode::SEE_OTHER,
        "{}",
        crate::support::html::excerpt(&page)
    );
    let id: i64 = sqlx::query_scalar("SELECT id FROM attachments WHERE file_name = $1")
        .bind(name)
        .fetch_one(&app.db().pool)
        .await
        .expect("the attachment row");
    let page = app.get_ok("/columns/tzgg").await;
    assert!(page.contains("多节点附件测试通知"), "published");
    format!("/attachments/{id}/{name}")
}

/// A CSV body, so no text extraction or guard question gets in the way.
fn sample() -> Vec<u8> {
    let header = ["序号", "单位", "金额"].join(",");
    let row = ["1", "市民政局", "1200"].join(",");
    format!("{header}\n{row}\n").repeat(40).into_bytes()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_attachment_uploaded_on_one_node_is_downloaded_from_another() {
    let app = TestApp::builder()
        .backend(Backend::Postgres)
        .attachments(AttachmentStore::Database)
        .start()
        .await;
    let url = app.postgres_url().expect("a PostgreSQL app");
    let bytes = sample();
    let path = publish_with_attachment(&app, "名单.csv", &bytes).await;
    assert!(
        std::fs::read_dir(app.data_dir().join("files"))
            .map(|d| d.flatten().all(|e| e.file_name() == "tmp"))
            .unwrap_or(true),
        "node A keeps nothing in its own directory"
    );

    // Node B: the real executable on the same database, with its own empty data directory.
    let tmp = tempfile::tempdir().expect("temporary directory");
    let port = free_port();
    let mut b = serve(
        &tmp.path().join("data"),
        port,
        &["--database-url", &url, "--attachments", "database"],
    );
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&mut b, &format!("{base}/admin/login")).await;
    let resp = crate::support::new_client()
        .get(format!("{base}{path}"))
        .send()
        .await
        .expect("GET from node B");
    assert_eq!(resp.status(), StatusCode::OK, "{}", b.output());
    assert_eq!(resp.bytes().await.expect("body").as_ref(), bytes.as_slice());
    drop(b);

    // Node C keeps attachments in its own directory: the same file is missing there.
    let tmp_c = tempfile::tempdir().expect("temporary directory");
    let port_c = free_port();
    let mut c = serve(
        &tmp_c.path().join("data"),
        port_c,
        &["--database-url", &url],
    );
    let base_c = format!("http://127.0.0.1:{port_c}");
    wait_until_up(&mut c, &format!("{base_c}/admin/login")).await;
    let resp = crate::support::new_client()
        .get(format!("{base_c}{path}"))
        .send()
        .await
        .expect("GET from node C");
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    drop(c);
    app.teardown().await;
}

both_backends!(
    a_local_directory_is_copied_into_the_database_once,
    |app| async move {
        let bytes = sample();
        let path = publish_with_attachment(&app, "名单.csv", &bytes).await;
        assert_eq!(app.count("blobs").await, 0, "local by default");
        let local = &app.state().storage;
        let first = gongkai::attachments_cmd::copy_to_database(app.db(), local)
            .await
            .expect("copy");
        assert_eq!((first.copied, first.already), (1, 0));
        assert!(first.missing.is_empty());
        let again = gongkai::attachments_cmd::copy_to_database(app.db(), local)
            .await
            .expect("copy again");
        assert_eq!((again.copied, again.already), (0, 1));

        // The same database served from the shared store gives the same bytes.
        let shared =
            gongkai_web::storage::open(app.db(), app.data_dir(), AttachmentStore::Database)
                .expect("open the shared store");
        let sha: String = sqlx::query_scalar("SELECT sha256 FROM attachments")
            .fetch_one(&app.db().pool)
            .await
            .expect("digest");
        assert_eq!(shared.get(&sha).await.expect("stored"), bytes);
        assert!(shared.get(&"0".repeat(64)).await.is_err(), "unknown digest");
        assert!(shared.get("../etc/passwd").await.is_err(), "not a digest");
        assert_eq!(app.get(&path).await.status(), StatusCode::OK);
    }
);

#[test]
fn the_store_is_chosen_by_name() {
    assert_eq!("local".parse(), Ok(AttachmentStore::Local));
    assert_eq!("database".parse(), Ok(AttachmentStore::Database));
    let err = "s3".parse::<AttachmentStore>().unwrap_err();
    assert!(err.contains("local 或 database"), "{err}");
}
