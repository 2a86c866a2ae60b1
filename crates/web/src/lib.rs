//! The HTTP layer: public portal, back office (`/admin`) and JSON API (`/api/v1`).
//! **Handlers check authorisation against the user's organisations on every request**; templates
//! never query the database, they only render what handlers give them.

/// Builds a router **and its route table from one list**, so the table cannot drift from what is
/// served (the route-walk test in `crates/cli/tests/it/routes.rs` walks the table):
///
/// ```ignore
/// route_table! {
///     fn build, ROUTES;
///     "/items" => get(items::list), post(items::create);
/// }
/// ```
///
/// gives `fn build() -> Router<AppState>` and `const ROUTES: &[(&str, &str)]` of
/// `("get", "/items"), ("post", "/items")`. A `fallback(handler)` of a path serves every other
/// method and is not listed.
macro_rules! route_table {
    (
        $vis:vis fn $build:ident, $table:ident;
        $( $path:literal => $m1:ident($h1:path) $(, $m:ident($h:path))* ; )*
    ) => {
        $vis fn $build() -> axum::Router<$crate::AppState> {
            axum::Router::new()
                $( .route($path, axum::routing::$m1($h1) $(.$m($h))* ) )*
        }

        /// `(method, path)` of every route `build()` serves (lower-case method names).
        $vis const $table: &[(&str, &str)] = &[
            $( (stringify!($m1), $path), $( (stringify!($m), $path), )* )*
        ];
    };
}

pub mod admin;
pub mod api;
pub mod applications;
mod assets;
pub mod auth;
pub mod charts;
pub mod csrf;
pub mod download;
pub mod error;
mod health;
pub mod metrics;
pub mod page_cache;
mod portal;
pub mod refusals;
pub mod storage;
mod streamed;
pub mod templates;
pub mod upload;
mod util;

use axum::Router;
use gongkai_db::Db;
use std::path::PathBuf;
use std::sync::Arc;

pub use error::AppError;
/// The sitemap with a chosen split limit (`/sitemap.xml` uses 50,000), for tests.
pub use portal::sitemap::{MAX_URLS as SITEMAP_MAX_URLS, render as render_sitemap};

/// Settings the web layer needs.
#[derive(Debug, Clone)]
pub struct WebConfig {
    pub data_dir: PathBuf,
    /// Directory whose templates override the embedded ones by name.
    pub theme_dir: Option<PathBuf>,
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// The reverse proxies whose `X-Forwarded-For` entries are skipped (empty: only the socket
    /// peer, which must then be the one proxy). See [`util::client_ip`].
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub max_upload_bytes: usize,
    /// The site's public address (`https://gk.example.gov.cn`), for absolute links in feeds and
    /// the sitemap; without it they are built from the request's `Host`.
    pub public_url: Option<String>,
    /// Where attachments are kept (see [`storage::AttachmentStore`]).
    pub attachments: storage::AttachmentStore,
    /// The bearer token `/metrics` requires; `None` (the default) turns `/metrics` off (404).
    pub metrics_token: Option<String>,
    /// The password rules (`[security]` in the configuration file).
    pub password_policy: gongkai_domain::account_policy::PasswordPolicy,
    /// Idle timeout, lifetime and concurrent sessions (`[security]`).
    pub session_policy: gongkai_domain::account_policy::SessionPolicy,
    /// System administrators must use the TOTP second factor (`[security]`; default off).
    pub require_totp_for_admins: bool,
    /// 三员分立 : only the security administrator grants roles, only the audit administrator
    /// opens the audit log, nobody holds two of the three (`[security]`; default off).
    pub separation_of_duties: bool,
    /// The public page cache (`[web]`; on by default).
    pub page_cache: page_cache::PageCacheConfig,
}

impl WebConfig {
    pub fn new(data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            theme_dir: None,
            secure_cookies: false,
            trust_proxy: false,
            trusted_proxies: Vec::new(),
            max_upload_bytes: 50 * 1024 * 1024,
            public_url: None,
            attachments: storage::AttachmentStore::Local,
            metrics_token: None,
            password_policy: Default::default(),
            session_policy: Default::default(),
            require_totp_for_admins: false,
            separation_of_duties: false,
            page_cache: Default::default(),
        }
    }
}

pub struct Inner {
    pub db: Db,
    pub templates: templates::Templates,
    pub storage: Arc<gongkai_infra::storage::Storage>,
    /// This node's search index (`<data_dir>/index`), shared with the worker.
    pub search: Arc<gongkai_search::Search>,
    pub config: WebConfig,
    /// Request counters and latencies for `/metrics`.
    pub metrics: Arc<metrics::Metrics>,
    /// How many refusals of each user were audited this minute (`refusals`).
    pub refusal_budget: refusals::Budget,
    /// Anonymous public pages held in memory (see [`page_cache`]).
    pub page_cache: Arc<page_cache::PageCache>,
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(db: Db, config: WebConfig) -> Result<Self, AppError> {
        let templates = templates::Templates::new(config.theme_dir.clone())?;
        let storage = Arc::new(storage::open(&db, &config.data_dir, config.attachments)?);
        let search = Arc::new(gongkai_search::Search::open(
            &config.data_dir.join("index"),
        )?);
        let page_cache = Arc::new(page_cache::PageCache::new(
            config.page_cache.clone(),
            config.public_url.is_none(),
        ));
        // With a runtime (always, under `serve` and the tests): follow the generation.
        page_cache::spawn_followers(&page_cache, &db);
        Ok(Self(Arc::new(Inner {
            db,
            templates,
            storage,
            search,
            config,
            metrics: Arc::new(metrics::Metrics::default()),
            refusal_budget: refusals::Budget::default(),
            page_cache,
        })))
    }
}

/// The whole application.
pub fn router(state: AppState) -> Router {
    use tower_http::limit::RequestBodyLimitLayer;
    let limit = state.config.max_upload_bytes + 1024 * 1024;
    // The one CSRF check of the back office and of the portal's forms (not the bearer-token API).
    let csrf = axum::middleware::from_fn_with_state(state.clone(), csrf::verify);
    // Anonymous GET/HEAD of the cached routes are answered from memory (`page_cache`; every
    // route passes through it, and only `page_cache::CACHED_ROUTES` are looked up).
    let cached = axum::middleware::from_fn_with_state(state.clone(), page_cache::serve);
    Router::new()
        .merge(portal::router().route_layer(csrf.clone()))
        .nest("/admin", admin::router().route_layer(csrf))
        .nest("/api/v1", api::router())
        .merge(portal::ckan::router())
        .merge(api::root_router())
        .merge(assets::router())
        .merge(health::build())
        .route_layer(cached)
        .fallback(not_found)
        // Outside the CSRF check, so its refusals are audited too; acts on `/admin` and the API.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            refusals::audit,
        ))
        // Applied to each route, so the matched route template is known (`metrics::record`).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            portal::not_found_in_layout,
        ))
        .layer(axum::middleware::from_fn(portal::care::scope))
        // After a write, this node reads the public-content generation before it answers.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_cache::after_writes,
        ))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(limit))
        .layer(axum::middleware::from_fn(util::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            util::cache_and_transport,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Where a route is mounted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// The public portal (`/…`).
    Portal,
    /// The back office (`/admin…`).
    Admin,
    /// The JSON API (`/api/v1…`).
    Api,
    /// Static files (`/static/…`) and the probes (`/healthz`, `/readyz`): no session, nothing
    /// private, nothing that changes state.
    Assets,
    /// The CKAN-compatible read API (`/api/3/action/…`): public data only, no session; its POST
    /// carries parameters, as CKAN clients send them, and changes nothing.
    ReadApi,
}

/// One route the application serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub area: Area,
    pub method: axum::http::Method,
    /// The full path as axum matches it, with `{param}` placeholders: `/admin/items/{id}/edit`.
    pub path: String,
}

/// A `route_table!` list: `(method, path)` pairs.
type RouteTable = &'static [(&'static str, &'static str)];

/// **Every route of [`router`]**, from the same lists that build it (see `route_table!`).
pub fn routes() -> Vec<Route> {
    let tables: [(Area, &str, RouteTable); 7] = [
        (Area::Portal, "", portal::ROUTES),
        (Area::ReadApi, "", portal::ckan::ROUTES),
        (Area::Admin, "/admin", admin::ROUTES),
        (Area::Api, "/api/v1", api::ROUTES),
        (Area::Api, "", api::ROOT_ROUTES),
        (Area::Assets, "", assets::ROUTES),
        (Area::Assets, "", health::ROUTES),
    ];
    let mut out = Vec::new();
    for (area, prefix, table) in tables {
        for (method, path) in table {
            if *method == "fallback" {
                continue;
            }
            // The macro only accepts axum's method names; a route dropped here would fail the
            // route walk's comparison with the router.
            let Ok(method) = axum::http::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            else {
                continue;
            };
            let path = match (prefix, *path) {
                ("", p) => p.to_string(),
                (pre, "/") => pre.to_string(),
                (pre, p) => format!("{pre}{p}"),
            };
            out.push(Route { area, method, path });
        }
    }
    out
}

/// Unknown paths: JSON under the API, the HTML error page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if uri.path().starts_with("/api/") {
        error::ApiError(AppError::NotFound("接口不存在".into())).into_response()
    } else {
        AppError::not_found().into_response()
    }
}
