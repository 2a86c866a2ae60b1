//! Operations through the real `gongkai` executable: `backup` → `restore` round trips on both
//! backends (every table's row count and content checksum equal, attachments byte-identical, a
//! non-empty target refused without `--force`, a damaged backup refused) and `migrate-to` from a
//! demo SQLite installation to a fresh PostgreSQL database.

use crate::support::{Backend, PgDatabase, TestApp};
use gongkai_db::Db;
use gongkai_db::maintenance::{self, TableSum};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(args)
        .env_remove("GONGKAI_DATABASE_URL")
        .env_remove("GONGKAI_DATA_DIR")
        .env_remove("GONGKAI_CONFIG")
        .env("GONGKAI_LOG", "warn")
        .output()
        .expect("run gongkai")
}

fn succeeded(out: Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "gongkai failed: {}\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn failed(out: Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "gongkai should have failed; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    stderr
}

async fn sums_at(url: &str) -> Vec<TableSum> {
    let db = Db::connect_unmigrated(url).await.expect("connect");
    let sums = maintenance::table_sums(&mut db.pool.acquire().await.unwrap(), db.backend)
        .await
        .expect("table sums");
    db.pool.close().await;
    sums
}

fn rows_of(sums: &[TableSum], table: &str) -> i64 {
    sums.iter()
        .find(|t| t.name == table)
        .unwrap_or_else(|| panic!("no table {table}"))
        .rows
}

/// Every attachment file under `dir/files` (uploads in progress aside), by relative path.
fn attachments(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.is_dir() {
                if p != root.join("tmp") {
                    walk(root, &p, out);
                }
            } else {
                out.insert(
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    let root = dir.join("files");
    let mut out = BTreeMap::new();
    if root.is_dir() {
        walk(&root, &root, &mut out);
    }
    out
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

both_backends!(backup_and_restore_round_trip, TestApp::builder().demo() => |app| async move {
    let storage = gongkai_infra::storage::Storage::open(app.data_dir().join("files")).unwrap();
    storage.put("附件内容\u{FF1A}备份".as_bytes()).await.unwrap();
    storage.put(&[0u8, 1, 2, 255, 254]).await.unwrap();
    let source_files = attachments(app.data_dir());
    assert!(source_files.len() >= 2);

    let work = tempfile::tempdir().unwrap();
    let backup = work.path().join("backup");
    let config = work.path().join("gongkai.toml");
    std::fs::write(&config, "listen = \"127.0.0.1:9999\"\n").unwrap();
    let source_url = app.postgres_url().unwrap_or_else(|| {
        format!("sqlite://{}?mode=rwc", app.data_dir().join("gongkai.db").display())
    });

    // An online backup: the app is running.
    let out = succeeded(gongkai(&[
        "--config", s(&config), "backup", "--data-dir", s(app.data_dir()),
        "--database-url", &source_url, "--out", s(&backup),
    ]));
    assert!(out.contains("备份完成"), "{out}");
    let manifest = gongkai::backup_cmd::read_manifest(&backup).unwrap();
    assert!(manifest.schema_level >= 38, "{}", manifest.schema_level);
    assert_eq!(manifest.files.iter().filter(|f| f.path.starts_with("files/")).count(), source_files.len());
    let source = maintenance::table_sums(&mut *app.conn().await, app.db().backend).await.unwrap();
    assert_eq!(manifest.tables, source, "the manifest's sums are the database's");
    assert!(rows_of(&source, "items") > 0 && rows_of(&source, "audit_log") > 0);

    // A backup never goes into a directory that holds something.
    let err = failed(gongkai(&[
        "backup", "--data-dir", s(app.data_dir()), "--database-url", &source_url, "--out", s(&backup),
    ]));
    assert!(err.contains("不是空目录"), "{err}");
    // Nor from a data directory that holds no installation (nothing is created there).
    let nowhere = work.path().join("nowhere");
    let err = failed(gongkai(&["backup", "--data-dir", s(&nowhere), "--out", s(&work.path().join("b2"))]));
    assert!(err.contains("找不到数据库文件"), "{err}");
    assert!(!nowhere.join("gongkai.db").exists() && !work.path().join("b2").exists());

    // Restore into a fresh installation.
    let target_dir = work.path().join("restored");
    let pg = match app.backend() {
        Backend::Sqlite => None,
        Backend::Postgres => Some(PgDatabase::create().await),
    };
    let target_url = pg.as_ref().map_or_else(
        || format!("sqlite://{}?mode=rwc", target_dir.join("gongkai.db").display()),
        PgDatabase::url,
    );
    let restore = |force: bool| {
        let mut args = vec!["restore", s(&backup), "--data-dir", s(&target_dir), "--database-url", &target_url];
        if force {
            args.push("--force");
        }
        gongkai(&args)
    };
    std::fs::create_dir_all(&target_dir).unwrap();
    let out = succeeded(restore(false));
    assert!(out.contains("恢复完成并已核对"), "{out}");
    assert_eq!(sums_at(&target_url).await, source, "every table's count and checksum");
    assert_eq!(attachments(&target_dir), source_files, "attachments byte-identical");
    assert_eq!(
        std::fs::read(target_dir.join("config.from-backup.toml")).unwrap(),
        std::fs::read(&config).unwrap()
    );

    // The restored installation is not empty any more: refused without --force, nothing changed.
    let err = failed(restore(false));
    assert!(err.contains("--force"), "{err}");
    assert_eq!(sums_at(&target_url).await, source);
    succeeded(restore(true));
    assert_eq!(sums_at(&target_url).await, source);
    assert_eq!(attachments(&target_dir), source_files);

    // A backup from a newer version (a migration this build does not know) is refused.
    let manifest_file = backup.join("manifest.json");
    let original = std::fs::read_to_string(&manifest_file).unwrap();
    let mut newer: serde_json::Value = serde_json::from_str(&original).unwrap();
    newer["schema_level"] = serde_json::json!(99_999_999_999i64);
    std::fs::write(&manifest_file, newer.to_string()).unwrap();
    let elsewhere = work.path().join("newer");
    let err = failed(gongkai(&["restore", s(&backup), "--data-dir", s(&elsewhere)]));
    assert!(err.contains("更新的版本"), "{err}");
    assert!(!elsewhere.join("gongkai.db").exists());
    std::fs::write(&manifest_file, original).unwrap();
    if app.backend() == Backend::Postgres {
        let err = failed(gongkai(&["restore", s(&backup), "--data-dir", s(&elsewhere)]));
        assert!(err.contains("只能恢复到 PostgreSQL"), "{err}");
        assert!(!elsewhere.join("gongkai.db").exists());
    }

    // A damaged backup is refused before anything is written.
    let victim = manifest.files.iter().find(|f| f.path.starts_with("files/")).unwrap();
    std::fs::write(backup.join(&victim.path), b"tampered").unwrap();
    let fresh = work.path().join("fresh");
    let err = failed(gongkai(&["restore", s(&backup), "--data-dir", s(&fresh)]));
    assert!(err.contains("已损坏") && err.contains(&victim.path), "{err}");
    assert!(!fresh.join("gongkai.db").exists());

    if let Some(pg) = pg {
        pg.drop_database().await;
    }
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_to_postgres_moves_a_demo_installation() {
    let app = TestApp::builder().demo().start().await;
    // Attachments kept in the database move as bytes (BLOB → BYTEA), every byte value included.
    let bytes: Vec<u8> = (0..=255u8).rev().chain(0..=255u8).collect();
    gongkai_db::blobs::put(app.db(), "ab".repeat(32).as_str(), &bytes)
        .await
        .unwrap();
    let pg = PgDatabase::create().await;
    let url = pg.url();

    let out = succeeded(gongkai(&[
        "migrate-to",
        &url,
        "--data-dir",
        s(app.data_dir()),
        "--batch",
        "7",
    ]));
    assert!(out.contains("行数和校验值全部一致"), "{out}");
    let source = maintenance::table_sums(&mut *app.conn().await, gongkai_db::Backend::Sqlite)
        .await
        .unwrap();
    let target = sums_at(&url).await;
    assert_eq!(target, source);
    let moved = Db::connect_unmigrated(&url).await.unwrap();
    assert_eq!(
        gongkai_db::blobs::get(&moved, &"ab".repeat(32))
            .await
            .unwrap(),
        Some(bytes)
    );
    moved.pool.close().await;
    assert!(rows_of(&target, "items") > 7, "more rows than one batch");
    for t in &source {
        assert!(
            out.contains(&t.name) && out.contains(&t.checksum),
            "{} printed",
            t.name
        );
    }

    // Sequences were moved past the copied ids: a new audited write on PostgreSQL succeeds.
    let out = succeeded(gongkai(&[
        "admin",
        "reset-password",
        "admin",
        "--data-dir",
        s(app.data_dir()),
        "--database-url",
        &url,
    ]));
    assert!(out.contains("新密码"), "{out}");
    let after = sums_at(&url).await;
    assert_eq!(
        rows_of(&after, "audit_log"),
        rows_of(&source, "audit_log") + 1
    );

    // The target is not empty any more: a second move is refused and changes nothing.
    let err = failed(gongkai(&[
        "migrate-to",
        &url,
        "--data-dir",
        s(app.data_dir()),
    ]));
    assert!(err.contains("不是空的"), "{err}");
    assert_eq!(sums_at(&url).await, after);

    pg.drop_database().await;
    app.teardown().await;
}

both_backends!(
    metrics_count_route_templates_behind_the_token,
    |app| async move {
        // Off by default.
        assert_eq!(app.get("/metrics").await.status(), 404);

        let dir = tempfile::tempdir().unwrap();
        let token = "metrics-token-0123456789";
        let state = gongkai_web::AppState::new(
            app.db().clone(),
            gongkai_web::WebConfig {
                metrics_token: Some(token.into()),
                ..gongkai_web::WebConfig::new(dir.path().to_path_buf())
            },
        )
        .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = gongkai_web::router(state);
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let base = format!("http://{addr}");
        let client = crate::support::new_client();
        let get = |path: &str| client.get(format!("{base}{path}")).send();

        assert_eq!(get("/").await.unwrap().status(), 200);
        get("/items/987654").await.unwrap();
        get("/items/987655").await.unwrap();
        get("/admin/items/987656/edit").await.unwrap();
        get("/api/v1/items/987657").await.unwrap();
        assert_eq!(get("/no/such/page/at/all").await.unwrap().status(), 404);
        // A job due a minute ago is waiting.
        gongkai_db::jobs::enqueue(
            &mut *app.conn().await,
            "metrics.test",
            &serde_json::json!({}),
            gongkai_db::now_ms() - 60_000,
            None,
        )
        .await
        .unwrap();

        // A department list page followed but not crawled yet.
        sqlx::query("INSERT INTO external_lists (url, created_at) VALUES ($1, $2)")
            .bind("https://bm.example.gov.cn/list/")
            .bind(gongkai_db::now_ms())
            .execute(&mut *app.conn().await)
            .await
            .unwrap();

        assert_eq!(get("/metrics").await.unwrap().status(), 401, "no token");
        let wrong = client
            .get(format!("{base}/metrics"))
            .bearer_auth("metrics-token-0123456780")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "a wrong token");
        let res = client
            .get(format!("{base}/metrics"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(
            res.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4")
        );
        let body = res.text().await.unwrap();
        assert!(
            body.contains(
                "gongkai_http_requests_total{method=\"GET\",route=\"/\",status=\"200\"} 1"
            ),
            "{body}"
        );
        assert!(body.contains("route=\"/items/{id}\",status=\""), "{body}");
        assert!(
            body.contains("route=\"/admin/items/{id}/edit\""),
            "nested routers give the full template: {body}"
        );
        assert!(body.contains("route=\"/api/v1/items/{id}\""), "{body}");
        assert!(!body.contains("98765"), "raw paths never become labels");
        assert!(
            body.contains(
                "gongkai_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1"
            ),
            "{body}"
        );
        assert!(body.contains("gongkai_http_request_duration_seconds_bucket{method=\"GET\",route=\"/items/{id}\",le=\"+Inf\"} 2"), "{body}");
        assert!(
            body.contains("gongkai_job_queue_depth{state=\"due\"} 1"),
            "{body}"
        );
        let age: f64 = body
            .lines()
            .find_map(|l| l.strip_prefix("gongkai_job_queue_oldest_age_seconds "))
            .unwrap()
            .parse()
            .unwrap();
        assert!(age >= 59.0, "{age}");
        assert!(body.contains("gongkai_search_outbox_lag_rows "), "{body}");
        // The page cache's counters: "/" and the two unknown items missed it.
        assert!(
            body.contains("gongkai_page_cache_requests_total{result=\"miss\"} 3"),
            "{body}"
        );
        assert!(
            body.contains("gongkai_search_outbox_lag_seconds "),
            "{body}"
        );
        assert!(body.contains("gongkai_metrics_database_up 1"), "{body}");
        assert!(
            body.contains(
                "# TYPE gongkai_crawl_lists gauge\ngongkai_crawl_lists{outcome=\"never\"} 1\n"
            ),
            "{body}"
        );
        assert!(
            body.contains("gongkai_crawl_oldest_seconds 0.000"),
            "{body}"
        );
        server.abort();
    }
);

#[test]
fn json_logs_are_one_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["--log-format", "json", "migrate", "--data-dir", s(&data)])
        .env("GONGKAI_LOG", "info")
        .env_remove("GONGKAI_DATABASE_URL")
        .env_remove("GONGKAI_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let done = lines
        .iter()
        .find(|l| l["message"] == "数据库已是最新")
        .unwrap_or_else(|| panic!("{stdout}"));
    assert_eq!(done["level"], "INFO");
    assert_eq!(done["target"], "gongkai");
    assert!(done["timestamp"].as_str().unwrap().ends_with('Z'));
    assert!(
        lines.iter().any(|l| l["fields"]["url"].is_string()),
        "structured fields: {stdout}"
    );
}

both_backends!(
    an_online_backup_is_one_snapshot_while_the_site_writes,
    |app| async move {
        let count = |app: TestApp| async move { app.count("jobs").await };
        let before = count(app.clone()).await;
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (app, stop) = (app.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0i64;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                    gongkai_db::jobs::enqueue(
                        &mut *app.conn().await,
                        "backup.test",
                        &serde_json::json!({ "n": n }),
                        gongkai_db::now_ms() + 3_600_000,
                        None,
                    )
                    .await
                    .unwrap();
                    n += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                }
                n
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let work = tempfile::tempdir().unwrap();
        let backup = work.path().join("backup");
        let source_url = app.postgres_url().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                app.data_dir().join("gongkai.db").display()
            )
        });
        let (data, out) = (app.data_dir().to_path_buf(), backup.clone());
        let url = source_url.clone();
        tokio::task::spawn_blocking(move || {
            succeeded(gongkai(&[
                "backup",
                "--data-dir",
                s(&data),
                "--database-url",
                &url,
                "--out",
                s(&out),
            ]))
        })
        .await
        .unwrap();
        stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let written = writer.await.unwrap();
        assert!(written > 0);
        let after = count(app.clone()).await;

        // The manifest describes exactly what was copied: restore checks every table against it.
        let target_dir = work.path().join("restored");
        let pg = match app.backend() {
            Backend::Sqlite => None,
            Backend::Postgres => Some(PgDatabase::create().await),
        };
        let target_url = pg.as_ref().map_or_else(
            || {
                format!(
                    "sqlite://{}?mode=rwc",
                    target_dir.join("gongkai.db").display()
                )
            },
            PgDatabase::url,
        );
        succeeded(gongkai(&[
            "restore",
            s(&backup),
            "--data-dir",
            s(&target_dir),
            "--database-url",
            &target_url,
        ]));
        let restored = rows_of(&sums_at(&target_url).await, "jobs");
        assert!(
            restored >= before && restored <= after,
            "{before} ≤ {restored} ≤ {after}"
        );
        if let Some(pg) = pg {
            pg.drop_database().await;
        }
    }
);
