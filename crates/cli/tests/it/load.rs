//! Load and idleness (issue 18), on 127.0.0.1 only and bounded in time:
//!
//! - 256 connections for 20 s on the portal (home, a column, an item, /xxgk) and /search: every
//!   answer a 2xx, no request failing. Requests per second are printed, never asserted.
//! - An idle node (its worker polling every 50 ms, as `serve` runs it) changes no row of any
//!   table (counts and checksums of every table, and on PostgreSQL no sequence moves).

use crate::support::{Backend, TestApp};
use gongkai_db::maintenance::{self, TableSum};
use gongkai_jobs::worker::{Worker, WorkerConfig};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 256;
const LOAD_FOR: Duration = Duration::from_secs(20);

#[derive(Default)]
struct Tally {
    ok: u64,
    non_2xx: Vec<String>,
    errors: Vec<String>,
}

both_backends!(the_portal_and_search_answer_256_connections_without_error, TestApp::builder().demo() => |app| async move {
    let home = app.get_ok("/").await;
    let item = home
        .split("href=\"/items/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the home page links an item")
        .to_string();
    let paths = [
        "/".to_string(),
        "/columns/zwdt".to_string(),
        format!("/items/{item}"),
        "/xxgk".to_string(),
        "/search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80".to_string(),
    ];
    let urls: Vec<String> = paths.iter().map(|p| app.url(p)).collect();
    for u in &urls {
        let r = app.client().get(u).send().await.unwrap();
        assert!(r.status().is_success(), "{u}: {}", r.status());
    }

    let started = Instant::now();
    let until = started + LOAD_FOR;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..CONNECTIONS {
        // One client per connection: 256 keep-alive connections, each used in turn.
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap();
        let urls = urls.clone();
        tasks.spawn(async move {
            let mut t = Tally::default();
            let mut i = n;
            while Instant::now() < until {
                let url = &urls[i % urls.len()];
                i += 1;
                match client.get(url).send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        match resp.bytes().await {
                            Ok(_) if status.is_success() => t.ok += 1,
                            Ok(_) => t.non_2xx.push(format!("{url}: {status}")),
                            Err(e) => t.errors.push(format!("{url}: {e}")),
                        }
                    }
                    Err(e) => t.errors.push(format!("{url}: {e}")),
                }
            }
            t
        });
    }
    let mut total = Tally::default();
    while let Some(t) = tasks.join_next().await {
        let t = t.unwrap();
        total.ok += t.ok;
        total.non_2xx.extend(t.non_2xx);
        total.errors.extend(t.errors);
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "load ({:?}): {} connections, {} answers in {secs:.1} s, {:.0} requests/s",
        app.backend(),
        CONNECTIONS,
        total.ok,
        total.ok as f64 / secs
    );
    assert!(total.errors.is_empty(), "{} errors, e.g. {:?}", total.errors.len(), &total.errors[..total.errors.len().min(5)]);
    assert!(total.non_2xx.is_empty(), "{} non-2xx, e.g. {:?}", total.non_2xx.len(), &total.non_2xx[..total.non_2xx.len().min(5)]);
    assert!(total.ok > 0);
});

/// Every table's count and checksum, and on PostgreSQL the sequences' positions (an insert that
/// conflicts still draws an id).
async fn footprint(app: &TestApp) -> (Vec<TableSum>, i64) {
    let mut conn = app.conn().await;
    let sums = maintenance::table_sums(&mut conn, app.db().backend)
        .await
        .unwrap();
    let sequences = match app.backend() {
        Backend::Sqlite => 0,
        Backend::Postgres => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(last_value), 0) AS BIGINT) FROM pg_sequences",
        )
        .fetch_one(&mut *conn)
        .await
        .unwrap(),
    };
    (sums, sequences)
}

/// The slots of the periodic scans the worker queues (opinion clock every 5 minutes, reminders
/// and monitoring hourly, department sites every 6 hours): a window that crosses one sees real
/// work, not idleness.
fn slots(now: i64) -> (i64, i64) {
    (now.div_euclid(5 * 60_000), now.div_euclid(3_600_000))
}

both_backends!(an_idle_node_writes_nothing, |app| async move {
    // Changes from seeding are a day old, as on a node that has been running.
    sqlx::query("UPDATE search_outbox SET created_at = created_at - 86000000")
        .execute(&mut *app.conn().await)
        .await
        .unwrap();
    let worker = Worker::spawn(
        app.db().clone(),
        WorkerConfig {
            poll: Duration::from_millis(50),
            search: Some(app.state().search.clone()),
            storage: Some(app.state().storage.clone()),
            ..WorkerConfig::default()
        },
    );
    // The first polls queue and run this hour's scans and bring the index up to date.
    let settle_until = Instant::now() + Duration::from_secs(60);
    loop {
        let busy: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running') AND run_at <= $1",
        )
        .bind(gongkai_db::now_ms())
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        if busy == 0 {
            break;
        }
        assert!(
            Instant::now() < settle_until,
            "the worker did not finish its first work"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;

    let mut checked = false;
    for _ in 0..3 {
        let from = gongkai_db::now_ms();
        let before = footprint(&app).await;
        // About 60 polls.
        tokio::time::sleep(Duration::from_secs(3)).await;
        let after = footprint(&app).await;
        if slots(from) != slots(gongkai_db::now_ms()) {
            continue; // a scan fell due in the window: look again
        }
        assert_eq!(before.1, after.1, "a sequence moved while idle");
        let changed: Vec<&str> = before
            .0
            .iter()
            .zip(&after.0)
            .filter(|(b, a)| b != a)
            .map(|(b, _)| b.name.as_str())
            .collect();
        assert!(changed.is_empty(), "an idle node wrote to {changed:?}");
        checked = true;
        break;
    }
    assert!(checked, "three windows crossed a scan's slot");
    worker.stop().await;
});
