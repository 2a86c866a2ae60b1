//! The public page cache (issue 18 item 1, `gongkai_web::page_cache`): anonymous pages from
//! memory with ETag/304, gzip and HEAD; signed-in requests and requests with a token never read
//! or fill it; a write makes the next anonymous request fresh (same node at once, another node
//! through LISTEN/NOTIFY or, without it, the periodic read); one render per page per generation;
//! bounded memory.

use crate::support::{Backend, TestApp};
use gongkai_web::page_cache::{CacheCounters, PageCacheConfig};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_ENCODING, ETAG, VARY};
use serde_json::json;
use std::io::Read;
use std::time::Duration;

const ORG: &str = "市财政局";
const COLUMN: &str = "czyjs";

fn counters(app: &TestApp) -> CacheCounters {
    app.state().page_cache.counters()
}

/// A GET from a visitor with no cookie jar, with extra headers.
async fn visit(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = app.new_client().get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

async fn text(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = visit(app, path, &[]).await;
    (r.status(), r.text().await.unwrap_or_default())
}

/// Reads the generation now, as the periodic read would: after a write through the db layer,
/// which stands for another process.
async fn settle(app: &TestApp) {
    app.state().page_cache.refresh(app.db()).await.unwrap();
}

async fn published(app: &TestApp, title: &str) -> i64 {
    let id = app.create_item(app.item(ORG, COLUMN, title).await).await;
    app.publish(id).await;
    settle(app).await;
    id
}

async fn admin_api(app: &TestApp) -> crate::support::users::ApiUser {
    let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("the admin");
    app.api_user(id).await
}

/// Waits (bounded) until `check` holds for the anonymous answer of `path`.
async fn eventually(
    app: &TestApp,
    path: &str,
    what: &str,
    check: impl Fn(StatusCode, &str) -> bool,
) {
    for _ in 0..300 {
        let (s, body) = text(app, path).await;
        if check(s, &body) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path}: {what} within the bound");
}

both_backends!(anonymous_pages_come_from_memory_with_validators, TestApp::builder().page_cache() => |app| async move {
    let id = published(&app, "缓存测试通知").await;
    let path = format!("/items/{id}");
    let c0 = counters(&app);
    let first = visit(&app, &path, &[]).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers().get(ETAG).expect("an ETag").to_str().unwrap().to_string();
    assert!(etag.starts_with('"') && !etag.starts_with("W/"), "strong: {etag}");
    assert_eq!(first.headers().get(VARY).unwrap(), "Accept-Encoding");
    let body = first.text().await.unwrap();
    assert!(body.contains("缓存测试通知"));
    let c1 = counters(&app);
    assert_eq!((c1.misses - c0.misses, c1.renders - c0.renders), (1, 1));

    // The same page again: from memory, no render.
    let again = visit(&app, &path, &[]).await;
    assert_eq!(again.headers().get(ETAG).unwrap().to_str().unwrap(), etag);
    assert_eq!(again.text().await.unwrap(), body);
    let c2 = counters(&app);
    assert_eq!((c2.hits - c1.hits, c2.renders), (1, c1.renders));

    // A revalidation: 304 without a body.
    let r = visit(&app, &path, &[("if-none-match", &etag)]).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(r.headers().get(ETAG).unwrap().to_str().unwrap(), etag);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = visit(&app, &path, &[("if-none-match", "\"something-else\"")]).await;
    assert_eq!(r.status(), StatusCode::OK);

    // gzip when asked for, its own validator, the same page once inflated.
    let z = visit(&app, &path, &[("accept-encoding", "gzip, deflate, br")]).await;
    assert_eq!(z.headers().get(CONTENT_ENCODING).unwrap(), "gzip");
    let zetag = z.headers().get(ETAG).unwrap().to_str().unwrap().to_string();
    assert_ne!(zetag, etag);
    let packed = z.bytes().await.unwrap();
    assert!(packed.len() < body.len());
    let mut inflated = String::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_string(&mut inflated)
        .unwrap();
    assert_eq!(inflated, body);
    let r = visit(&app, &path, &[("accept-encoding", "gzip;q=0")]).await;
    assert!(r.headers().get(CONTENT_ENCODING).is_none());
    let r = visit(&app, &path, &[("accept-encoding", "gzip"), ("if-none-match", &zetag)]).await;
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);

    // HEAD: the headers from memory, no body, no render.
    let before = counters(&app);
    let h = app.new_client().head(app.url(&path)).send().await.unwrap();
    assert_eq!(h.status(), StatusCode::OK);
    assert_eq!(h.headers().get(ETAG).unwrap().to_str().unwrap(), etag);
    assert!(h.bytes().await.unwrap().is_empty());
    let after = counters(&app);
    assert_eq!((after.hits - before.hits, after.renders), (1, before.renders));

    // A HEAD first renders once and serves the GET after it.
    let fresh = format!("{path}?from=head");
    let h = app.new_client().head(app.url(&fresh)).send().await.unwrap();
    assert_eq!(h.status(), StatusCode::OK);
    assert!(h.bytes().await.unwrap().is_empty());
    let before = counters(&app);
    let (s, b) = text(&app, &fresh).await;
    assert_eq!(s, StatusCode::OK);
    assert!(b.contains("缓存测试通知"));
    assert_eq!(counters(&app).renders, before.renders);

    // Static files and the other cached routes answer with validators too.
    for p in ["/static/site.css", "/", "/xxgk", "/sitemap.xml", "/xxgk/catalogue.csv", &format!("/columns/{COLUMN}/rss.xml")] {
        let r = visit(&app, p, &[("accept-encoding", "gzip")]).await;
        assert_eq!(r.status(), StatusCode::OK, "{p}");
        assert!(r.headers().get(ETAG).is_some(), "{p} has an ETag");
        let again = visit(&app, p, &[]).await;
        let tag = again.headers().get(ETAG).unwrap().to_str().unwrap().to_string();
        let r = visit(&app, p, &[("if-none-match", &tag)]).await;
        assert_eq!(r.status(), StatusCode::NOT_MODIFIED, "{p}");
    }
});

both_backends!(requests_with_an_identity_never_read_or_fill_the_cache, TestApp::builder().page_cache() => |app| async move {
    let id = published(&app, "身份请求测试").await;
    let path = format!("/items/{id}");
    // A signed-in request: neither answered from memory nor stored.
    let admin = app.admin().await;
    let before = counters(&app);
    let held = app.state().page_cache.len();
    let page = admin.get_ok(&path).await;
    assert!(page.contains("身份请求测试"));
    let after = counters(&app);
    assert_eq!(after.bypasses - before.bypasses, 1);
    assert_eq!((after.hits, after.misses), (before.hits, before.misses));
    assert_eq!(app.state().page_cache.len(), held, "nothing stored");

    // Warm the page anonymously; a signed-in request still renders its own.
    let (s, _) = text(&app, &path).await;
    assert_eq!(s, StatusCode::OK);
    let before = counters(&app);
    let r = admin.get(&path).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers().get(ETAG).is_none(), "not the cached answer");
    assert_eq!(counters(&app).hits, before.hits);

    // Every identity cookie and an Authorization header bypass it.
    for cookie in ["gk_session=abc", "gk_form=abc", "gk_login_csrf=abc", "gk_applicant=abc"] {
        let before = counters(&app);
        let r = visit(&app, &path, &[("cookie", cookie)]).await;
        assert!(r.headers().get(ETAG).is_none(), "{cookie}");
        assert_eq!(counters(&app).bypasses - before.bypasses, 1, "{cookie}");
    }
    let before = counters(&app);
    let r = visit(&app, &path, &[("authorization", "Bearer nothing")]).await;
    assert!(r.headers().get(ETAG).is_none());
    assert_eq!(counters(&app).bypasses - before.bypasses, 1);

    // A cookie the site never reads does not matter: the cached page.
    let before = counters(&app);
    let r = visit(&app, &path, &[("cookie", "_stats=1")]).await;
    assert!(r.headers().get(ETAG).is_some());
    assert_eq!(counters(&app).hits - before.hits, 1);

    // 适老化 mode is its own page.
    let plain = text(&app, &path).await.1;
    let care = visit(&app, &path, &[("cookie", "gk_care=1")]).await.text().await.unwrap();
    assert_ne!(plain, care);
    assert_eq!(visit(&app, &path, &[("cookie", "gk_care=1")]).await.text().await.unwrap(), care);
    assert_eq!(text(&app, &path).await.1, plain);
});

// "Warm, then hide": after a write on this node the very next anonymous request is fresh, on every
// cached route that showed the item; a write from another process (the db layer here) is caught
// by the periodic read.
both_backends!(a_write_makes_the_next_anonymous_request_fresh, TestApp::builder().page_cache() => |app| async move {
    let gone = published(&app, "缓存撤回测试甲").await;
    let other = published(&app, "缓存撤回测试乙").await;
    let lists = [
        format!("/columns/{COLUMN}"),
        format!("/columns/{COLUMN}/rss.xml"),
        format!("/columns/{COLUMN}/atom.xml"),
        "/sitemap.xml".to_string(),
        "/xxgk/catalogue.csv".to_string(),
    ];
    let warm = |title: &'static str, id: i64| {
        let app = app.clone();
        let lists = lists.clone();
        async move {
            for l in &lists {
                for _ in 0..2 {
                    let (s, body) = text(&app, l).await;
                    assert_eq!(s, StatusCode::OK, "{l}");
                    assert!(body.contains(title) || body.contains(&format!("/items/{id}")), "{l} shows {title}");
                }
            }
            let (s, _) = text(&app, &format!("/items/{id}")).await;
            assert_eq!(s, StatusCode::OK);
        }
    };
    warm("缓存撤回测试甲", gone).await;
    let hits = counters(&app).hits;
    assert!(hits >= lists.len() as u64, "the pages were served from memory");

    // Withdrawn through the API on this node: gone at once everywhere.
    let api = admin_api(&app).await;
    let (s, _) = api
        .send(
            reqwest::Method::POST,
            &format!("/api/v1/items/{gone}/withdraw"),
            Some(&json!({"mode": "gone", "reason": "内容有误"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for l in &lists {
        let (_, body) = text(&app, l).await;
        assert!(!body.contains("缓存撤回测试甲"), "{l} still shows the withdrawn item");
        assert!(!body.contains(&format!("/items/{gone}<")) && !body.contains(&format!("/items/{gone}\"")), "{l} still links it");
    }
    let (s, body) = text(&app, &format!("/items/{gone}")).await;
    assert_eq!(s, StatusCode::GONE);
    assert!(!body.contains("缓存撤回测试甲的正文"));

    // Made non-public by another process: caught by the fallback read, within its period.
    warm("缓存撤回测试乙", other).await;
    app.unpublish(other).await;
    eventually(&app, &format!("/items/{other}"), "the unpublished item disappears", |s, _| s == StatusCode::NOT_FOUND).await;
    for l in &lists {
        let (_, body) = text(&app, l).await;
        assert!(!body.contains("缓存撤回测试乙"), "{l} still shows the unpublished item");
    }
});

both_backends!(concurrent_misses_render_once, TestApp::builder().page_cache() => |app| async move {
    let id = published(&app, "并发渲染测试").await;
    // Known generation first, so every request below takes the cache's path.
    let (s, _) = text(&app, "/").await;
    assert_eq!(s, StatusCode::OK);
    let path = format!("/items/{id}");
    let before = counters(&app);
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let app = app.clone();
        let path = path.clone();
        tasks.push(tokio::spawn(async move { text(&app, &path).await }));
    }
    let mut bodies = Vec::new();
    for t in tasks {
        let (s, b) = t.await.unwrap();
        assert_eq!(s, StatusCode::OK);
        bodies.push(b);
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]));
    let after = counters(&app);
    assert_eq!(after.renders - before.renders, 1, "one render for 32 concurrent requests");
    assert_eq!((after.hits + after.misses) - (before.hits + before.misses), 32);
});

both_backends!(memory_stays_within_the_bound, TestApp::builder().page_cache_config(PageCacheConfig {
    max_bytes: 512 * 1024,
    ..Default::default()
}) => |app| async move {
    for n in 0..120 {
        let (s, _) = text(&app, &format!("/?n={n}")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(app.state().page_cache.bytes() <= 512 * 1024, "{} bytes", app.state().page_cache.bytes());
    }
    let c = counters(&app);
    assert!(c.evictions > 0, "entries were evicted");
    assert!(app.state().page_cache.len() < 120);
    // The newest stays.
    let before = counters(&app);
    let _ = text(&app, "/?n=119").await;
    assert_eq!(counters(&app).hits - before.hits, 1);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_off_serves_every_request_from_the_handlers() {
    let app = TestApp::builder().backend(Backend::Sqlite).start().await;
    for _ in 0..2 {
        let r = visit(&app, "/", &[]).await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers().get(ETAG).is_none());
    }
    assert_eq!(counters(&app).hits + counters(&app).misses, 0);
    app.teardown().await;
}

/// Node A caches a page; node B (another connection pool on the same database, as another
/// process would be) withdraws the item; A stops showing it within a bounded wait.
async fn another_node_withdraws(config: PageCacheConfig) {
    let app = TestApp::builder()
        .backend(Backend::Postgres)
        .page_cache_config(config)
        .start()
        .await;
    let id = published(&app, "双节点缓存测试").await;
    let path = format!("/items/{id}");
    for _ in 0..2 {
        let (s, body) = text(&app, &path).await;
        assert_eq!(s, StatusCode::OK);
        assert!(body.contains("双节点缓存测试"));
    }
    assert!(counters(&app).hits >= 1, "node A answers from memory");

    let b = gongkai_db::Db::connect(&app.postgres_url().unwrap())
        .await
        .unwrap();
    let mut tx = b.begin().await.unwrap();
    gongkai_db::items::unpublish(&mut tx, &app.actor(), id)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    b.pool.close().await;

    eventually(&app, &path, "node A stops showing the item", |s, _| {
        s == StatusCode::NOT_FOUND
    })
    .await;
    let (_, list) = text(&app, &format!("/columns/{COLUMN}")).await;
    assert!(!list.contains("双节点缓存测试"));
    app.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_nodes_write_arrives_by_notify() {
    // The periodic read is far away: only the notification can explain a fresh page.
    another_node_withdraws(PageCacheConfig {
        check_every: Duration::from_secs(3600),
        ..Default::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_nodes_write_is_caught_by_the_periodic_read_without_listen() {
    another_node_withdraws(PageCacheConfig {
        listen: false,
        check_every: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_pages_never_moves_the_generation() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let app = TestApp::builder()
            .backend(backend)
            .page_cache()
            .start()
            .await;
        let id = published(&app, "只读不变测试").await;
        let generation = |app: TestApp| async move {
            gongkai_db::public_generation::current(&mut *app.conn().await)
                .await
                .unwrap()
        };
        let g = generation(app.clone()).await;
        let visitor = app.visitor();
        for p in [
            "/",
            "/xxgk",
            &format!("/items/{id}"),
            "/sitemap.xml",
            "/search?q=只读",
            "/orgs",
        ] {
            let _ = visitor.get(p).await;
        }
        let admin = app.admin().await;
        let _ = admin.get(&format!("/items/{id}")).await;
        assert_eq!(generation(app.clone()).await, g, "{backend:?}: reads wrote");
        app.unpublish(id).await;
        assert!(
            generation(app.clone()).await > g,
            "{backend:?}: a write bumps it"
        );
        app.teardown().await;
    }
}
