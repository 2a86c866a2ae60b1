//! The real `gongkai` executable, end to end: `gongkai serve --demo` on a fresh data directory
//! (SQLite) and with `--database-url` on a fresh PostgreSQL database.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the server when the test ends, pass or fail.
pub(crate) struct Server {
    child: Child,
    log: std::path::PathBuf,
}

impl Server {
    pub(crate) fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The exit status once the process has ended.
    pub(crate) fn try_wait(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().expect("poll the server process")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("find a free port")
        .port()
}

pub(crate) fn serve(data_dir: &Path, port: u16, extra: &[&str]) -> Server {
    let log = data_dir
        .parent()
        .expect("data dir has a parent")
        .join("serve.log");
    let out = std::fs::File::create(&log).expect("create the log file");
    let err = out.try_clone().expect("clone the log file");
    let child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("serve")
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--admin-password", crate::support::ADMIN_PASSWORD])
        .args(extra)
        .env_remove("GONGKAI_DATABASE_URL")
        .env_remove("GONGKAI_CONFIG")
        .env("GONGKAI_LOG", "info,sqlx=warn")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("start gongkai serve");
    Server { child, log }
}

/// Waits until `url` answers at all (any status); fails if the process exits or after 120 s
/// (a generous bound for a loaded CI machine, not a performance assertion).
pub(crate) async fn wait_until_up(server: &mut Server, url: &str) {
    let client = crate::support::new_client();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(status) = server.child.try_wait().expect("poll the server process") {
            panic!(
                "gongkai serve exited ({status}) before answering; output:\n{}",
                server.output()
            );
        }
        if client.get(url).send().await.is_ok() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "gongkai serve did not answer {url}; output:\n{}",
            server.output()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_on_a_fresh_data_dir() {
    let tmp = tempfile::tempdir().expect("temporary directory");
    let data = tmp.path().join("data");
    let port = free_port();
    let mut server = serve(&data, port, &["--demo"]);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&mut server, &format!("{base}/admin/login")).await;

    for entry in ["gongkai.db", "files", "index"] {
        assert!(
            data.join(entry).exists(),
            "{entry} missing in the data directory; it has {:?}",
            std::fs::read_dir(&data)
                .map(|d| d.flatten().map(|e| e.file_name()).collect::<Vec<_>>())
                .unwrap_or_default()
        );
    }
    assert!(data.join("files").is_dir());
    assert!(data.join("index").is_dir());

    let client = crate::support::new_client();
    let resp = client
        .get(format!("{base}/admin/login"))
        .send()
        .await
        .expect("GET /admin/login");
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    let body = resp.text().await.unwrap_or_default();
    assert!(
        crate::support::html::hidden_input(&body, "csrf_token").is_some(),
        "the login page carries a CSRF token:\n{}",
        crate::support::html::excerpt(&body)
    );

    // The portal of the demo site: home, a column page and an item page found on it.
    let get_ok = async |path: &str| {
        let resp = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        assert_eq!(
            status,
            reqwest::StatusCode::OK,
            "GET {path}:\n{}",
            crate::support::html::excerpt(&body)
        );
        body
    };
    let home = get_ok("/").await;
    assert!(home.contains("政务动态"), "home shows the main columns");
    // The demo's built-in plan is public on /zdgz, and the home page links to it.
    let plan_href = home
        .match_indices("href=\"/zdgz/")
        .map(|(i, _)| {
            let rest = &home[i + "href=\"".len()..];
            rest[..rest.find('"').unwrap_or(rest.len())].to_string()
        })
        .next()
        .expect("the home page links to the demo plan on /zdgz");
    assert!(get_ok("/zdgz").await.contains(&plan_href));
    assert!(get_ok(&plan_href).await.contains("落实情况"));
    let column = get_ok("/columns/zwdt").await;
    assert!(
        column.contains("市政府召开2017年政务公开工作推进会"),
        "政务动态 lists the demo news:\n{}",
        crate::support::html::excerpt(&column)
    );
    let href = column
        .match_indices("href=\"/items/")
        .map(|(i, _)| {
            let rest = &column[i + "href=\"".len()..];
            rest[..rest.find('"').unwrap_or(rest.len())].to_string()
        })
        .next()
        .expect("the column page links to an item page");
    let item = get_ok(&href).await;
    assert!(
        item.contains("索引号"),
        "the item page has the metadata table"
    );
    // 办事服务 and 数据开放 are not empty: the demo's guides and open datasets.
    assert!(
        get_ok("/bsfw?theme=birth")
            .await
            .contains("出生医学证明首次签发")
    );
    assert!(get_ok("/sjkf").await.contains("盘锦市A级旅游景区名录"));

    // The process is still serving (it did not crash after answering).
    assert!(
        server.child.try_wait().expect("poll").is_none(),
        "gongkai serve exited early; output:\n{}",
        server.output()
    );
    let output = server.output();
    assert!(
        !output.contains(crate::support::ADMIN_PASSWORD),
        "a given --admin-password is never printed:\n{output}"
    );
    drop(server);

    // A second start on the same directory keeps the data and seeds nothing twice.
    let port = free_port();
    let mut again = serve(&data, port, &["--demo"]);
    wait_until_up(&mut again, &format!("http://127.0.0.1:{port}/admin/login")).await;
    let db = gongkai_db::Db::connect(&format!(
        "sqlite://{}?mode=rw",
        data.join("gongkai.db").display()
    ))
    .await
    .expect("open the served database");
    let sites: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sites")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(sites, 1);
    let admins: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username = 'admin'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(admins, 1);
    for (table, n) in [
        ("service_items", 5),
        ("data_resources", 3),
        ("monitored_sites", 1),
    ] {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(count, n, "{table}: the demo adds its entries once");
    }
    let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM monitored_sites WHERE active = 1")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        active, 0,
        "the demo's site is registered with monitoring off"
    );
    db.pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_on_postgres() {
    let pg = crate::support::PgDatabase::create().await;
    let tmp = tempfile::tempdir().expect("temporary directory");
    let data = tmp.path().join("data");
    let port = free_port();
    let url = pg.url();
    let mut server = serve(&data, port, &["--demo", "--database-url", &url]);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&mut server, &format!("{base}/admin/login")).await;
    assert!(
        !data.join("gongkai.db").exists(),
        "no SQLite file when PostgreSQL is used"
    );

    let client = crate::support::new_client();
    for path in ["/", "/columns/zwdt", "/admin/login"] {
        let resp = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert_eq!(resp.status(), reqwest::StatusCode::OK, "GET {path}");
    }
    let column = client
        .get(format!("{base}/columns/zwdt"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(column.contains("市政府召开2017年政务公开工作推进会"));
    assert!(
        !server.output().contains(&url),
        "the database password is never logged"
    );
    drop(server);
    pg.drop_database().await;
}

/// Two real `gongkai serve` nodes on one PostgreSQL database share the job queue: two reminder
/// scans queued for the same day (as two nodes' hourly scans would be) give one notification per
/// reminder and recipient, however the nodes split the work.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_serve_nodes_send_each_reminder_once_on_postgres() {
    use gongkai_db::notifications::{NOTIFY_JOB, SCAN_JOB};
    let pg = crate::support::PgDatabase::create().await;
    let tmp = tempfile::tempdir().expect("temporary directory");
    let url = pg.url();
    let (port_a, port_b) = (free_port(), free_port());
    for node in ["a", "b"] {
        std::fs::create_dir_all(tmp.path().join(node)).expect("node directory");
    }
    let mut a = serve(
        &tmp.path().join("a").join("data"),
        port_a,
        &["--demo", "--database-url", &url, "--worker-poll-secs", "1"],
    );
    wait_until_up(&mut a, &format!("http://127.0.0.1:{port_a}/admin/login")).await;
    let mut b = serve(
        &tmp.path().join("b").join("data"),
        port_b,
        &["--database-url", &url, "--worker-poll-secs", "1"],
    );
    wait_until_up(&mut b, &format!("http://127.0.0.1:{port_b}/admin/login")).await;

    let db = gongkai_db::Db::connect(&url).await.expect("connect");
    let actor = gongkai_db::Actor {
        user_id: None,
        name: "测试".into(),
        ip: "127.0.0.1".into(),
    };
    // Recipients: an editor of every organisation with a round due 2017-06-30.
    let orgs: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT org_id FROM feedback_rounds WHERE due_date = '2017-06-30' ORDER BY org_id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert!(orgs.len() >= 2);
    let hash = gongkai_web::auth::hash_password(crate::support::PASSWORD).unwrap();
    let mut tx = db.begin().await.unwrap();
    for org in &orgs {
        let name = format!("editor{org}");
        gongkai_db::users::create(
            &mut tx,
            &actor,
            &gongkai_db::users::NewUser {
                username: &name,
                display_name: &name,
                password_hash: &hash,
                must_change_password: false,
                grants: &[gongkai_domain::role::Grant {
                    role: gongkai_domain::role::Role::Editor,
                    org_id: Some(*org),
                }],
            },
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    for key in ["scan-node-a", "scan-node-b"] {
        gongkai_db::jobs::enqueue(
            &mut conn,
            SCAN_JOB,
            &serde_json::json!({"date": "2017-06-27"}),
            gongkai_db::now_ms(),
            Some(key),
        )
        .await
        .unwrap();
    }
    drop(conn);

    // The nodes poll every second; wait (bounded) until every job queued so far has run.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let pending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE status <> 'done' AND (kind = $1 OR kind = $2)",
        )
        .bind(SCAN_JOB)
        .bind(NOTIFY_JOB)
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let scans_done: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE status = 'done' AND dedupe_key LIKE 'scan-node-%'",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        if pending == 0 && scans_done == 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "jobs still pending: {pending}; node a:\n{}\nnode b:\n{}",
            a.output(),
            b.output()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let rounds_due: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_rounds WHERE due_date = '2017-06-30' AND status = 'open'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let notify_jobs: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM jobs WHERE kind = $1 AND dedupe_key LIKE 'reminder:feedback_round:%'",
    )
    .bind(NOTIFY_JOB)
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        notify_jobs, rounds_due,
        "one job per reminder across both nodes"
    );
    let (total, distinct): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(DISTINCT dedupe_key) FROM notifications \
         WHERE dedupe_key LIKE 'reminder:feedback_round:%'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(total, distinct, "no notification twice");
    assert_eq!(total, rounds_due, "each round's one editor is told once");
    db.pool.close().await;
    drop(a);
    drop(b);
    pg.drop_database().await;
}
