//! Site inspection on several nodes (issue 16 item 5), on PostgreSQL, every request to 127.0.0.1:
//! two nodes that each take an inspection of the same host at once read it one after the other
//! (the host's lease; the second job waits in the queue without losing an attempt), never more
//! requests in flight than one inspection's per-host concurrency; a running inspection's lease is
//! renewed with its progress; and two real `gongkai serve` nodes on one database inspect each site
//! once per schedule.

use crate::binary::{free_port, serve, wait_until_up};
use crate::monitor::{register, set};
use crate::support::{Backend, TestApp};
use axum::Router;
use axum::extract::Path;
use axum::response::Html;
use gongkai_db::monitor::{self, runs};
use gongkai_jobs::worker::{self, WorkerConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Pages of each generated site besides its home page.
const PAGES: usize = 12;

/// Requests to the article pages of a server in flight now and at most.
#[derive(Default)]
struct InFlight {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// A site on its own port: two home pages (`/` and `/second.html`, two registered sites on one
/// host) linking the same slow article pages, which count the requests in flight.
async fn slow_site() -> (String, Arc<InFlight>) {
    let flight = Arc::new(InFlight::default());
    let f = flight.clone();
    let home = || async {
        let links: String = (0..PAGES)
            .map(|i| format!("<li><a href=\"/p/{i}.html\">\u{6587}\u{7AE0}{i}</a></li>"))
            .collect();
        Html(format!(
            "<html><body><h1>\u{67D0}\u{5C40}\u{7F51}\u{7AD9}</h1><ul>{links}</ul></body></html>"
        ))
    };
    let app = Router::new()
        .route("/", axum::routing::get(home))
        .route("/second.html", axum::routing::get(home))
        .route(
            "/p/{page}",
            axum::routing::get(move |Path(page): Path<String>| {
                let f = f.clone();
                async move {
                    let now = f.now.fetch_add(1, Ordering::SeqCst) + 1;
                    f.max.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    f.now.fetch_sub(1, Ordering::SeqCst);
                    Html(format!("<html><body><p>{page}</p></body></html>"))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "http://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, flight)
}

async fn run_count(app: &TestApp, site_id: i64) -> i64 {
    runs::list(&mut *app.conn().await, site_id, 1)
        .await
        .unwrap()
        .total
}

async fn queue_inspection(app: &TestApp, site_id: i64) -> i64 {
    let p = monitor::InspectPayload {
        site_id,
        reason: "manual".into(),
        as_of: None,
    };
    monitor::enqueue_inspection(&mut *app.conn().await, &p, None)
        .await
        .unwrap()
        .unwrap()
}

fn node(name: &str) -> WorkerConfig {
    WorkerConfig {
        node_id: name.into(),
        schedule_scans: false,
        batch: 1,
        // Renewed every 200 ms: the progress of a running inspection is written on the way.
        lease_ms: 600,
        ..WorkerConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_read_one_host_one_after_the_other_and_each_site_once() {
    let app = TestApp::builder().backend(Backend::Postgres).start().await;
    let admin = app.admin().await;
    let org = app.org_id("市财政局").await;
    set(&app, monitor::PROBE_TIMEOUT_MS, "5000").await;
    let (base, flight) = slow_site().await;
    let first = register(
        &admin,
        "\u{5C40}\u{7F51}\u{7AD9}\u{FF08}\u{4E3B}\u{7AD9}\u{FF09}",
        &base,
        org,
    )
    .await;
    let second = register(
        &admin,
        "\u{5C40}\u{7F51}\u{7AD9}\u{FF08}\u{5206}\u{7AD9}\u{FF09}",
        &format!("{base}second.html"),
        org,
    )
    .await;
    let job_a = queue_inspection(&app, first).await;
    let job_b = queue_inspection(&app, second).await;

    // Node A and node B each claim one of the two inspections at the same moment.
    let (a, b) = (node("node-a"), node("node-b"));
    let (ra, rb) = tokio::join!(
        worker::run_once(app.db(), &a),
        worker::run_once(app.db(), &b)
    );
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!((ra.claimed, rb.claimed), (1, 1), "each node took one job");
    assert_eq!(ra.failed + rb.failed, 0);
    let mut conn = app.conn().await;
    let jobs = [
        gongkai_db::jobs::get(&mut conn, job_a)
            .await
            .unwrap()
            .unwrap(),
        gongkai_db::jobs::get(&mut conn, job_b)
            .await
            .unwrap()
            .unwrap(),
    ];
    let waiting: Vec<_> = jobs.iter().filter(|j| j.status == "queued").collect();
    assert_eq!(
        waiting.len(),
        1,
        "one inspection waited for the host: {jobs:?}"
    );
    assert_eq!(waiting[0].attempts, 0, "waiting costs no attempt");
    assert!(
        waiting[0]
            .last_error
            .as_deref()
            .unwrap_or("")
            .contains("\u{6B63}\u{7531}\u{53E6}\u{4E00}\u{4EFB}\u{52A1}\u{8BFB}\u{53D6}"),
        "{:?}",
        waiting[0].last_error
    );
    let done: Vec<_> = jobs.iter().filter(|j| j.status == "done").collect();
    assert_eq!(done.len(), 1);
    assert!(
        done[0].progress.unwrap_or(0) >= 1,
        "the running inspection's progress was written with its lease: {:?}",
        done[0]
    );
    let host = gongkai_inspect::host_key(&base).unwrap();
    assert_eq!(
        gongkai_db::host_leases::holder_of(&mut conn, &host)
            .await
            .unwrap(),
        None,
        "the host is given back"
    );
    // The back office shows the waiting inspection and why.
    let waiting_site = if waiting[0].id == job_a {
        first
    } else {
        second
    };
    let page = admin.get_ok(&format!("/admin/sites/{waiting_site}")).await;
    assert!(page.contains("\u{6392}\u{961F}\u{4E2D}"), "queued shown");
    drop(conn);

    // When it is due again, the waiting inspection runs.
    let later = gongkai_db::now_ms() + gongkai_jobs::HOST_BUSY_RETRY_MS + 1_000;
    let claimed = gongkai_db::jobs::claim_at(app.db(), "node-b", 60_000, 5, later)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    worker::run_job(app.db(), &claimed[0], &node("node-b"))
        .await
        .unwrap();
    assert!(
        gongkai_db::jobs::complete(&mut *app.conn().await, claimed[0].id, "node-b")
            .await
            .unwrap()
    );
    assert_eq!(
        (run_count(&app, first).await, run_count(&app, second).await),
        (1, 1)
    );
    assert!(
        flight.max.load(Ordering::SeqCst) <= 4,
        "never more than one inspection's 4 requests in flight on the host: {}",
        flight.max.load(Ordering::SeqCst)
    );

    // Two real nodes on the same database: the hourly tick queues the due inspections once, and
    // each of two new sites is inspected once, whichever node takes it.
    let (base_c, _) = slow_site().await;
    let (base_d, _) = slow_site().await;
    let third = register(&admin, "\u{7B2C}\u{4E09}\u{7F51}\u{7AD9}", &base_c, org).await;
    let fourth = register(&admin, "\u{7B2C}\u{56DB}\u{7F51}\u{7AD9}", &base_d, org).await;
    let url = app.postgres_url().unwrap();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut nodes = Vec::new();
    for dir in &dirs {
        let port = free_port();
        let mut n = serve(
            &dir.path().join("data"),
            port,
            &["--database-url", &url, "--worker-poll-secs", "1"],
        );
        wait_until_up(&mut n, &format!("http://127.0.0.1:{port}/healthz")).await;
        nodes.push(n);
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while run_count(&app, third).await == 0 || run_count(&app, fourth).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the nodes did not inspect the new sites; node logs:\n{}\n{}",
            nodes[0].output(),
            nodes[1].output()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    // A few more polls of both nodes change nothing.
    tokio::time::sleep(Duration::from_secs(4)).await;
    for site in [first, second, third, fourth] {
        assert_eq!(run_count(&app, site).await, 1, "site {site} inspected once");
    }
    drop(nodes);
    app.teardown().await;
}
