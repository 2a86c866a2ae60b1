//! **The public page cache**: anonymous GET and HEAD requests of an allowlist of public routes
//! ([`CACHED_ROUTES`]: home, columns, items, `/xxgk`, feeds, sitemap, catalogue, the site's theme
//! and logo, static files) are answered from memory, with a strong `ETag` (304 on
//! `If-None-Match`), a precompressed gzip body chosen by `Accept-Encoding` (`Vary`), and HEAD
//! answered without rendering.
//!
//! What makes a cached page safe to give to anybody:
//! - **Only anonymous requests use it**: a request with `Authorization` or one of the cookies that
//!   carry an identity or a per-visitor token ([`IDENTITY_COOKIES`]: the back-office session, the
//!   login and form tokens, the applicant's session) neither reads nor fills the cache.
//! - **A page is rendered from its key alone**: on a miss the handler sees a request holding only
//!   the key's inputs (path and query, `Host` when no `public_url` is set, the 适老化 cookie);
//!   every other header and cookie is removed first, so nothing per-visitor can be rendered into it.
//! - **Only a 200 without `Set-Cookie`** (and without `no-store`/`private`) is kept: a page that
//!   hands out a form token sets a cookie and is never stored.
//! - **Invalidation comes from the write**: every entry carries the public-content generation
//!   (`gongkai_db::public_generation`) it was rendered under, and a node that sees the number
//!   change drops everything older. It sees it right after each of its own unsafe requests
//!   ([`after_writes`]), through PostgreSQL `LISTEN` for other nodes' commits, and by reading it
//!   every few seconds (the fallback, which also catches the CLI writing to SQLite).
//! - **One render per page per generation**: concurrent misses of one key wait for one render.
//! - **Bounded**: entries are evicted least recently used first past `page_cache_mb`.

use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use gongkai_db::Db;
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::OnceCell;

/// The route templates whose anonymous GET and HEAD answers are cached. Each reads only tables the
/// generation's triggers watch (migration `0044_public_generation`).
pub const CACHED_ROUTES: &[&str] = &[
    "/",
    "/xxgk",
    "/columns/{slug}",
    "/columns/{slug}/rss.xml",
    "/columns/{slug}/atom.xml",
    "/orgs/{id}/rss.xml",
    "/orgs/{id}/atom.xml",
    "/sitemap.xml",
    // The sitemap's parts (`/sitemap-2.xml`); any other name there is a 404, never stored.
    "/{file}",
    "/xxgk/catalogue.csv",
    "/xxgk/catalogue.xlsx",
    "/items/{id}",
    "/site/theme.css",
    "/site/logo",
    "/static/{*path}",
];

/// Cookies that make a request someone's: such a request bypasses the cache entirely.
pub const IDENTITY_COOKIES: &[&str] = &[
    crate::auth::SESSION_COOKIE,
    crate::auth::LOGIN_CSRF_COOKIE,
    crate::portal::FORM_COOKIE,
    crate::portal::APPLICANT_COOKIE,
];

/// `[web]` settings of the cache.
#[derive(Debug, Clone)]
pub struct PageCacheConfig {
    /// `page_cache` (default true): false turns the cache and the layout's memory off.
    pub enabled: bool,
    /// `page_cache_mb` (default 64): the bound on what the entries hold.
    pub max_bytes: usize,
    /// `page_cache_listen` (default true): hear other nodes' writes through PostgreSQL `LISTEN`
    /// (off behind a pooler that cannot hold a `LISTEN`; the periodic read still catches them).
    pub listen: bool,
    /// `page_cache_check_ms` (default 2000): how often the generation is read as the fallback.
    pub check_every: Duration,
}

impl Default for PageCacheConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_bytes: 64 * 1024 * 1024,
            listen: true,
            check_every: Duration::from_millis(2000),
        }
    }
}

/// The generation before it was first read: nothing is stored under it.
const UNKNOWN: i64 = i64::MIN;

/// What a cached answer depends on; the render sees nothing else.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// Path and query as sent.
    target: String,
    /// The `Host` header when links are built from it (no `public_url`).
    host: Option<String>,
    /// The 适老化 cookie.
    care: bool,
}

/// A rendered answer kept in memory.
struct Entry {
    generation: i64,
    /// The handler's headers, `Content-Length`, `Set-Cookie` and `ETag` aside.
    headers: HeaderMap,
    /// The hex digest of `identity` (the strong validator of each representation derives from it).
    hash: String,
    identity: Bytes,
    gzip: Option<Bytes>,
    last_used: AtomicU64,
    size: usize,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Arc<Entry>>,
    bytes: usize,
}

/// What one miss's render gave the requests waiting for it.
type Flight = Arc<OnceCell<Option<Arc<Entry>>>>;

/// The cache of one node (see the module documentation).
pub struct PageCache {
    config: PageCacheConfig,
    /// Whether `Host` is part of the key (no configured `public_url`).
    host_in_key: bool,
    generation: AtomicI64,
    entries: Mutex<Entries>,
    in_flight: Mutex<HashMap<Key, Flight>>,
    layout: Mutex<Option<(i64, Arc<crate::portal::Chrome>)>>,
    tick: AtomicU64,
    hits: AtomicU64,
    misses: AtomicU64,
    bypasses: AtomicU64,
    renders: AtomicU64,
    evictions: AtomicU64,
}

impl PageCache {
    pub fn new(config: PageCacheConfig, host_in_key: bool) -> Self {
        Self {
            config,
            host_in_key,
            generation: AtomicI64::new(UNKNOWN),
            entries: Mutex::default(),
            in_flight: Mutex::default(),
            layout: Mutex::default(),
            tick: AtomicU64::new(0),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            bypasses: AtomicU64::new(0),
            renders: AtomicU64::new(0),
            evictions: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.config.enabled
    }

    /// The public-content generation this node last saw (`None` before the first read).
    pub fn generation(&self) -> Option<i64> {
        let g = self.generation.load(Ordering::Acquire);
        (g != UNKNOWN).then_some(g)
    }

    /// Reads the generation from the database and, when it changed, drops every page rendered
    /// under an older one. A read, never a write.
    pub async fn refresh(&self, db: &Db) -> Result<(), gongkai_db::DbError> {
        if !self.config.enabled {
            return Ok(());
        }
        let mut conn = db.pool.acquire().await?;
        let g = gongkai_db::public_generation::current(&mut conn).await?;
        drop(conn);
        self.observe(g);
        Ok(())
    }

    /// Takes `g` as the current generation (from a read or a notification).
    fn observe(&self, g: i64) {
        let old = self.generation.swap(g, Ordering::AcqRel);
        if old != g {
            self.drop_stale(g);
        }
    }

    fn drop_stale(&self, current: i64) {
        if let Ok(mut e) = self.entries.lock() {
            e.map.retain(|_, v| v.generation == current);
            e.bytes = e.map.values().map(|v| v.size).sum();
        }
        if let Ok(mut l) = self.layout.lock()
            && l.as_ref().is_some_and(|(g, _)| *g != current)
        {
            *l = None;
        }
    }

    /// The entries' total size in bytes.
    pub fn bytes(&self) -> usize {
        self.entries.lock().map(|e| e.bytes).unwrap_or(0)
    }

    /// How many pages are held.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.map.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Counters: (hits, misses, bypasses, renders, evictions).
    pub fn counters(&self) -> CacheCounters {
        CacheCounters {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            bypasses: self.bypasses.load(Ordering::Relaxed),
            renders: self.renders.load(Ordering::Relaxed),
            evictions: self.evictions.load(Ordering::Relaxed),
        }
    }

    /// The layout's shared data for generation `g`, if held.
    pub(crate) fn layout(&self, g: i64) -> Option<Arc<crate::portal::Chrome>> {
        let l = self.layout.lock().ok()?;
        l.as_ref()
            .filter(|(at, _)| *at == g)
            .map(|(_, c)| c.clone())
    }

    /// Keeps the layout loaded under generation `g`, unless the generation moved on meanwhile.
    pub(crate) fn keep_layout(&self, g: i64, chrome: Arc<crate::portal::Chrome>) {
        if self.generation.load(Ordering::Acquire) != g {
            return;
        }
        if let Ok(mut l) = self.layout.lock() {
            *l = Some((g, chrome));
        }
    }

    fn get(&self, key: &Key, generation: i64) -> Option<Arc<Entry>> {
        let e = self.entries.lock().ok()?;
        let entry = e.map.get(key).filter(|v| v.generation == generation)?;
        entry
            .last_used
            .store(self.tick.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Some(entry.clone())
    }

    /// Stores `entry` if its generation is still current, evicting the least recently used
    /// entries past the bound.
    fn put(&self, key: Key, entry: Arc<Entry>) {
        if entry.generation != self.generation.load(Ordering::Acquire)
            || entry.size > self.max_entry()
        {
            return;
        }
        let Ok(mut e) = self.entries.lock() else {
            return;
        };
        if let Some(old) = e.map.insert(key, entry.clone()) {
            e.bytes -= old.size;
        }
        e.bytes += entry.size;
        if e.bytes > self.config.max_bytes {
            // Down to seven eighths, so eviction runs once per many insertions.
            let target = self.config.max_bytes / 8 * 7;
            let mut by_age: Vec<(u64, Key)> = e
                .map
                .iter()
                .map(|(k, v)| (v.last_used.load(Ordering::Relaxed), k.clone()))
                .collect();
            by_age.sort_unstable_by_key(|(t, _)| *t);
            for (_, k) in by_age {
                if e.bytes <= target {
                    break;
                }
                if let Some(old) = e.map.remove(&k) {
                    e.bytes -= old.size;
                    self.evictions.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// The largest answer kept: an eighth of the bound, so one entry never empties the cache.
    fn max_entry(&self) -> usize {
        self.config.max_bytes / 8
    }

    /// The key of a request the cache may answer; `None` for every other request.
    fn key_of(&self, req: &Request) -> Option<Key> {
        if !self.config.enabled || !matches!(*req.method(), Method::GET | Method::HEAD) {
            return None;
        }
        let route = req.extensions().get::<MatchedPath>()?.as_str();
        if !CACHED_ROUTES.contains(&route) {
            return None;
        }
        let headers = req.headers();
        let cookies = cookie_names(headers);
        if headers.contains_key(header::AUTHORIZATION)
            || cookies.iter().any(|(n, _)| IDENTITY_COOKIES.contains(n))
        {
            self.bypasses.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        let host = if self.host_in_key {
            match headers.get(header::HOST).map(|h| h.to_str()) {
                Some(Ok(h)) => Some(h.to_ascii_lowercase()),
                Some(Err(_)) => return None,
                None => None,
            }
        } else {
            None
        };
        Some(Key {
            target: req
                .uri()
                .path_and_query()
                .map_or_else(|| req.uri().path().to_string(), |p| p.as_str().to_string()),
            host,
            care: crate::portal::care::care_cookie(headers),
        })
    }

    /// The counters in the Prometheus exposition format (for `/metrics`).
    pub fn render_metrics(&self, out: &mut String) {
        let c = self.counters();
        out.push_str("# HELP gongkai_page_cache_requests_total Anonymous requests of cached routes: answered from memory (hit), rendered (miss), or bypassed (signed in or with a token).\n");
        out.push_str("# TYPE gongkai_page_cache_requests_total counter\n");
        for (label, n) in [("hit", c.hits), ("miss", c.misses), ("bypass", c.bypasses)] {
            let _ = writeln!(
                out,
                "gongkai_page_cache_requests_total{{result=\"{label}\"}} {n}"
            );
        }
        out.push_str("# HELP gongkai_page_cache_renders_total Pages rendered for the cache (one per page per generation when misses coincide).\n# TYPE gongkai_page_cache_renders_total counter\n");
        let _ = writeln!(out, "gongkai_page_cache_renders_total {}", c.renders);
        out.push_str("# HELP gongkai_page_cache_evictions_total Entries evicted to stay within page_cache_mb.\n# TYPE gongkai_page_cache_evictions_total counter\n");
        let _ = writeln!(out, "gongkai_page_cache_evictions_total {}", c.evictions);
        out.push_str("# HELP gongkai_page_cache_bytes What the cached pages hold.\n# TYPE gongkai_page_cache_bytes gauge\n");
        let _ = writeln!(out, "gongkai_page_cache_bytes {}", self.bytes());
        out.push_str("# HELP gongkai_page_cache_generation The public-content generation this node last saw.\n# TYPE gongkai_page_cache_generation gauge\n");
        let _ = writeln!(
            out,
            "gongkai_page_cache_generation {}",
            self.generation().unwrap_or(0)
        );
    }
}

/// The cache's counters since the node started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheCounters {
    pub hits: u64,
    pub misses: u64,
    pub bypasses: u64,
    /// Renders made to fill the cache (a miss that waited for another's render made none).
    pub renders: u64,
    pub evictions: u64,
}

/// The names and values of the request's cookies.
fn cookie_names(headers: &HeaderMap) -> Vec<(&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.split_once('='))
        .map(|(n, v)| (n.trim(), v.trim()))
        .collect()
}

/// The middleware on the cached routes (see the module documentation).
pub async fn serve(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let cache = &state.page_cache;
    let Some(key) = cache.key_of(&req) else {
        return next.run(req).await;
    };
    if cache.generation().is_none()
        && let Err(e) = cache.refresh(&state.db).await
    {
        tracing::warn!(error = %e, "page cache: the public-content generation could not be read");
        return next.run(req).await;
    }
    let Some(generation) = cache.generation() else {
        return next.run(req).await;
    };
    let want = Want::of(&req);
    if let Some(entry) = cache.get(&key, generation) {
        cache.hits.fetch_add(1, Ordering::Relaxed);
        return entry.answer(&want);
    }
    cache.misses.fetch_add(1, Ordering::Relaxed);
    let flight: Option<Flight> = cache
        .in_flight
        .lock()
        .ok()
        .map(|mut f| f.entry(key.clone()).or_default().clone());
    let Some(flight) = flight else {
        return next.run(req).await;
    };
    let mut mine = Some((anonymous(req, &key), next));
    let mut my_answer: Option<Response> = None;
    let (mine_ref, answer_ref, key_ref) = (&mut mine, &mut my_answer, &key);
    let rendered = flight
        .get_or_init(move || async move {
            let generation = cache.generation()?;
            // A render that finished between this request's lookup and now.
            if let Some(entry) = cache.get(key_ref, generation) {
                return Some(entry);
            }
            let (req, next) = mine_ref.take()?;
            cache.renders.fetch_add(1, Ordering::Relaxed);
            let resp = next.run(req).await;
            match admit(cache, generation, resp).await {
                Ok(entry) => {
                    cache.put(key_ref.clone(), entry.clone());
                    Some(entry)
                }
                Err(resp) => {
                    *answer_ref = Some(resp);
                    None
                }
            }
        })
        .await
        .clone();
    if let Ok(mut f) = cache.in_flight.lock()
        && f.get(&key).is_some_and(|cell| Arc::ptr_eq(cell, &flight))
    {
        f.remove(&key);
    }
    match (rendered, my_answer, mine) {
        (Some(entry), _, _) => entry.answer(&want),
        (None, Some(resp), _) => resp,
        // The render this request waited for cannot be shared: render its own.
        (None, None, Some((req, next))) => next.run(req).await,
        (None, None, None) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

/// The request the handler sees on a miss: a GET holding only the key's inputs.
fn anonymous(req: Request, key: &Key) -> Request {
    let (mut parts, _) = req.into_parts();
    let mut headers = HeaderMap::new();
    if let Some(host) = parts.headers.get(header::HOST) {
        headers.insert(header::HOST, host.clone());
    }
    if key.care {
        let cookie = format!("{}=1", crate::portal::care::COOKIE);
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            headers.insert(header::COOKIE, v);
        }
    }
    parts.headers = headers;
    parts.method = Method::GET;
    Request::from_parts(parts, Body::empty())
}

/// A rendered answer made into an entry, or given back when it may not be kept.
async fn admit(cache: &PageCache, generation: i64, resp: Response) -> Result<Arc<Entry>, Response> {
    let h = resp.headers();
    let private = h
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("no-store") || v.contains("private")
        });
    if resp.status() != StatusCode::OK
        || h.contains_key(header::SET_COOKIE)
        || h.contains_key(header::CONTENT_ENCODING)
        || private
    {
        return Err(resp);
    }
    let (parts, body) = resp.into_parts();
    let limit = cache.max_entry();
    let mut body = body;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            return Err(StatusCode::INTERNAL_SERVER_ERROR.into_response());
        };
        if let Ok(data) = frame.into_data() {
            buf.extend_from_slice(&data);
        }
        if buf.len() > limit {
            // Too large to keep: the answer goes out as it came, the part read first.
            let head =
                futures_util::stream::once(
                    async move { Ok::<Bytes, axum::Error>(Bytes::from(buf)) },
                );
            let rest = body.into_data_stream();
            let stream = futures_util::StreamExt::chain(head, rest);
            return Err(Response::from_parts(parts, Body::from_stream(stream)));
        }
    }
    let identity = Bytes::from(buf);
    let hash = hex::encode(&Sha256::digest(&identity)[..16]);
    let gzip = compressible(&parts.headers)
        .then(|| gzip(&identity))
        .flatten()
        .filter(|z| z.len() < identity.len());
    let mut headers = parts.headers;
    for name in [
        header::CONTENT_LENGTH,
        header::ETAG,
        header::TRANSFER_ENCODING,
    ] {
        headers.remove(name);
    }
    let size = identity.len()
        + gzip.as_ref().map_or(0, Bytes::len)
        + headers
            .iter()
            .map(|(n, v)| n.as_str().len() + v.len())
            .sum::<usize>()
        + 256;
    Ok(Arc::new(Entry {
        generation,
        headers,
        hash,
        identity,
        gzip,
        last_used: AtomicU64::new(cache.tick.fetch_add(1, Ordering::Relaxed)),
        size,
    }))
}

/// Text types worth compressing.
fn compressible(headers: &HeaderMap) -> bool {
    let ct = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    ct.starts_with("text/")
        || ["xml", "json", "javascript", "svg", "csv"]
            .iter()
            .any(|t| ct.contains(t))
}

fn gzip(data: &[u8]) -> Option<Bytes> {
    if data.len() < 256 {
        return None;
    }
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    z.write_all(data).ok()?;
    z.finish().ok().map(Bytes::from)
}

/// What the client asked for: the method, the encodings it takes, its validators.
struct Want {
    head: bool,
    gzip: bool,
    if_none_match: Option<String>,
}

impl Want {
    fn of(req: &Request) -> Self {
        let h = req.headers();
        Self {
            head: req.method() == Method::HEAD,
            gzip: accepts_gzip(
                h.get_all(header::ACCEPT_ENCODING)
                    .iter()
                    .filter_map(|v| v.to_str().ok()),
            ),
            if_none_match: h
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
        }
    }
}

/// Whether `Accept-Encoding` takes gzip (`gzip` or `*` with a weight above zero, RFC 9110 12.5.3).
fn accepts_gzip<'a>(values: impl Iterator<Item = &'a str>) -> bool {
    let mut gzip = None;
    let mut star = None;
    for part in values.flat_map(|v| v.split(',')) {
        let mut it = part.split(';');
        let coding = it.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = it
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => gzip = Some(q > 0.0),
            "*" => star = Some(q > 0.0),
            _ => {}
        }
    }
    gzip.or(star).unwrap_or(false)
}

impl Entry {
    fn etag(&self, gzip: bool) -> String {
        if gzip {
            format!("\"{}-gz\"", self.hash)
        } else {
            format!("\"{}\"", self.hash)
        }
    }

    /// Whether `If-None-Match` names this page (either representation) or is `*`.
    fn matches(&self, if_none_match: &str) -> bool {
        if_none_match.split(',').map(str::trim).any(|t| {
            let t = t.strip_prefix("W/").unwrap_or(t);
            t == "*" || t == self.etag(false) || t == self.etag(true)
        })
    }

    fn answer(&self, want: &Want) -> Response {
        let gzip = want.gzip && self.gzip.is_some();
        let etag = self.etag(gzip);
        let mut headers = self.headers.clone();
        if let Ok(v) = HeaderValue::from_str(&etag) {
            headers.insert(header::ETAG, v);
        }
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        if want
            .if_none_match
            .as_deref()
            .is_some_and(|t| self.matches(t))
        {
            let mut resp = StatusCode::NOT_MODIFIED.into_response();
            for name in [header::ETAG, header::VARY, header::CACHE_CONTROL] {
                if let Some(v) = headers.get(&name) {
                    resp.headers_mut().insert(name, v.clone());
                }
            }
            return resp;
        }
        let body = match (&self.gzip, gzip) {
            (Some(z), true) => {
                headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                z.clone()
            }
            _ => self.identity.clone(),
        };
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        let mut resp = if want.head {
            Response::new(Body::empty())
        } else {
            Response::new(Body::from(body))
        };
        *resp.headers_mut() = headers;
        resp
    }
}

/// After every unsafe request (its transaction committed or rolled back), reads the generation,
/// so this node never answers from a page its own write made stale.
pub async fn after_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let unsafe_method = crate::csrf::is_unsafe(req.method());
    let resp = next.run(req).await;
    if unsafe_method
        && state.page_cache.enabled()
        && let Err(e) = state.page_cache.refresh(&state.db).await
    {
        tracing::warn!(error = %e, "page cache: the public-content generation could not be read");
    }
    resp
}

/// Follows the generation in the background for as long as the cache exists: PostgreSQL
/// notifications (when listening) and a read every `check_every`.
pub(crate) fn spawn_followers(cache: &Arc<PageCache>, db: &Db) {
    if !cache.config.enabled {
        return;
    }
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = Arc::downgrade(cache);
    rt.spawn(check_periodically(weak.clone(), db.clone()));
    if cache.config.listen && db.backend == gongkai_db::Backend::Postgres {
        rt.spawn(listen(weak, db.clone()));
    }
}

async fn check_periodically(cache: Weak<PageCache>, db: Db) {
    loop {
        let Some(c) = cache.upgrade() else { return };
        let every = c.config.check_every;
        if let Err(e) = c.refresh(&db).await {
            tracing::debug!(error = %e, "page cache: reading the generation failed");
        }
        drop(c);
        tokio::time::sleep(every).await;
    }
}

async fn listen(cache: Weak<PageCache>, db: Db) {
    loop {
        if cache.strong_count() == 0 {
            return;
        }
        let mut listener = match gongkai_db::public_generation::Listener::open(&db).await {
            Ok(Some(l)) => l,
            Ok(None) => return,
            Err(e) => {
                tracing::debug!(error = %e, "page cache: LISTEN failed; retrying");
                tokio::time::sleep(Duration::from_secs(5)).await;
                continue;
            }
        };
        // Anything committed before the LISTEN took effect is read now.
        if let Some(c) = cache.upgrade() {
            let _ = c.refresh(&db).await;
        }
        loop {
            let next = tokio::time::timeout(Duration::from_secs(30), listener.next()).await;
            let Some(c) = cache.upgrade() else { return };
            match next {
                Ok(Ok(Some(g))) => c.observe(g),
                // A lost connection (notifications may be lost with it) or an unreadable payload.
                Ok(Ok(None)) => {
                    let _ = c.refresh(&db).await;
                }
                Ok(Err(e)) => {
                    tracing::debug!(error = %e, "page cache: LISTEN connection failed");
                    break;
                }
                // Quiet: only to notice that the cache is gone.
                Err(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_by_name_or_star_unless_refused() {
        let ok = |s: &str| accepts_gzip(std::iter::once(s));
        assert!(ok("gzip, deflate, br"));
        assert!(ok("br;q=1.0, gzip;q=0.8"));
        assert!(ok("*"));
        assert!(!ok("gzip;q=0"));
        assert!(!ok("br"));
        assert!(!ok("*, gzip;q=0"));
        assert!(!ok(""));
        assert!(!ok("identity"));
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=b; gk_care=1;gk_session=x"),
        );
        let c = cookie_names(&h);
        assert!(c.contains(&("gk_care", "1")));
        assert!(c.contains(&("gk_session", "x")));
    }

    fn entry(generation: i64, bytes: usize) -> Arc<Entry> {
        Arc::new(Entry {
            generation,
            headers: HeaderMap::new(),
            hash: "00".into(),
            identity: Bytes::from(vec![b'x'; bytes]),
            gzip: None,
            last_used: AtomicU64::new(0),
            size: bytes,
        })
    }

    fn key(n: usize) -> Key {
        Key {
            target: format!("/items/{n}"),
            host: None,
            care: false,
        }
    }

    #[test]
    fn entries_stay_within_the_bound_oldest_out_first() {
        let cache = PageCache::new(
            PageCacheConfig {
                max_bytes: 8000,
                ..Default::default()
            },
            false,
        );
        cache.observe(1);
        for n in 0..40 {
            let e = entry(1, 900);
            e.last_used.store(n as u64 + 1, Ordering::Relaxed);
            cache.put(key(n), e);
            assert!(cache.bytes() <= 8000, "{}", cache.bytes());
        }
        assert!(cache.get(&key(39), 1).is_some(), "the newest is kept");
        assert!(cache.get(&key(0), 1).is_none(), "the oldest went first");
        assert!(cache.counters().evictions > 0);
        // Larger than an eighth of the bound: never kept.
        cache.put(key(100), entry(1, 1001));
        assert!(cache.get(&key(100), 1).is_none());
    }

    #[test]
    fn a_new_generation_drops_older_pages_and_refuses_late_ones() {
        let cache = PageCache::new(PageCacheConfig::default(), false);
        cache.observe(1);
        cache.put(key(1), entry(1, 10));
        assert!(cache.get(&key(1), 1).is_some());
        cache.observe(2);
        assert!(cache.is_empty());
        // Rendered under generation 1, finished after 2 was seen: not kept.
        cache.put(key(1), entry(1, 10));
        assert!(cache.is_empty());
    }

    #[test]
    fn validators_match_either_representation() {
        let e = entry(1, 10);
        assert!(e.matches("\"00\""));
        assert!(e.matches("W/\"00-gz\""));
        assert!(e.matches("\"x\", \"00\""));
        assert!(e.matches("*"));
        assert!(!e.matches("\"01\""));
    }
}
