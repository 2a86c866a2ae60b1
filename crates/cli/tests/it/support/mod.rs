//! The test harness: a real Gongkai app, in-process, on a fresh database.
//!
//! ```ignore
//! both_backends!(publish_then_public_view, |app| async move {
//!     let id = app.create_item(app.item("市财政局", "czyjs", "标题").await).await;
//!     app.publish(id).await;
//!     let page = app.get_ok(&format!("/items/{id}")).await;
//!     assert!(page.contains("标题"));
//! });
//! ```
//!
//! [`both_backends!`] writes the test once and generates `<name>::sqlite` and `<name>::postgres`;
//! `cargo test <name>` runs both, `cargo test postgres` every PostgreSQL variant. Plain tests that
//! touch no storage use `#[tokio::test]` and [`TestApp::start`] directly.
//!
//! What a [`TestApp`] gives (see each method):
//! - `url(path)`, `client()` (cookie store, **redirects not followed**), `new_client()`,
//!   `get(path)`, `get_ok(path)`;
//! - `login(user, pw)` / `try_login(..)` / `login_admin()`, `login_as(client, ..)`;
//! - `db()`, `conn()`, `state()`, `data_dir()`, `backend()`, `count(table)`, `audit_count()`;
//! - one request helper per kind of user, CSRF handled (`support/users.rs`): `visitor()`,
//!   `admin()`, `user(name, pw)`, `signed_in(client)` give a `users::User`; `api_user(id)` a `users::ApiUser`.
//!   No test fetches a CSRF token from a page or writes a `csrf_token` pair itself, except the
//!   tests of CSRF refusal (`post_without_csrf`, a deliberately wrong token, a raw body);
//! - `create_user(name, role, org)`, `issue_token(user_id)`;
//! - `org_id(name)`, `column_id(slug)`, `site_id()`, `item(org, column, title)`, `create_item(..)`,
//!   `publish(id)`, `unpublish(id)`, `actor()`.
//!
//! PostgreSQL: every app gets its own database `gk_test_<random hex>` on `GONGKAI_TEST_PG_URL`
//! (default `postgres://postgres:postgres@127.0.0.1:5432`). **If the server is unreachable the
//! PostgreSQL variant fails; it never skips.** `bash scripts/test` provisions the server.

#![allow(dead_code)]

pub mod html;
pub mod users;

pub use users::outcome;

use gongkai_db::{Actor, Db, columns, items, orgs};
use gongkai_domain::item::ItemFields;
use gongkai_domain::role::{Grant, Permissions, Role};
use sqlx::Connection;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Password of the seeded `admin` user of every test app.
pub const ADMIN_PASSWORD: &str = "Hq7-Lantern-Gate";
/// Password of every user made by [`TestApp::create_user`].
pub const PASSWORD: &str = "Password12345";
pub const DEFAULT_PG_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Writes a storage-touching test once and runs it on SQLite and on PostgreSQL:
/// `both_backends!(name, |app| async move { … });` generates the module `name` with the tests
/// `sqlite` and `postgres`. The app is seeded as the demo site (Panjin's organisations;
/// `.fresh()` gives a neutral first run) and has the user `admin` / [`ADMIN_PASSWORD`]; use
/// `both_backends!(name, builder => |app| …)` to start from a customised [`TestAppBuilder`]
/// (e.g. `TestApp::builder().demo()`). The database is dropped when the test succeeds; a failed
/// test's database is left for inspection and dropped by the next `scripts/test`.
#[macro_export]
macro_rules! both_backends {
    ($name:ident, |$app:ident| $body:expr) => {
        $crate::both_backends!($name, $crate::support::TestApp::builder() => |$app| $body);
    };
    ($name:ident, $builder:expr => |$app:ident| $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::support::run($builder.backend($crate::support::Backend::Sqlite), |$app| $body)
                    .await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::run($builder.backend($crate::support::Backend::Postgres), |$app| $body)
                    .await
            }
        }
    };
}

/// Starts the app, runs `body` with it, then tears it down (drops the PostgreSQL database).
pub async fn run<F, Fut>(builder: TestAppBuilder, body: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    let app = builder.start().await;
    body(app.clone()).await;
    app.teardown().await;
}

/// How to start a [`TestApp`].
#[derive(Debug, Clone)]
pub struct TestAppBuilder {
    backend: Backend,
    seed: bool,
    admin: bool,
    demo: bool,
    fresh: bool,
    attachments: gongkai_web::storage::AttachmentStore,
    trust_proxy: bool,
    public_url: Option<String>,
    password_policy: gongkai_domain::account_policy::PasswordPolicy,
    session_policy: gongkai_domain::account_policy::SessionPolicy,
    require_totp_for_admins: bool,
    separation_of_duties: bool,
    page_cache: gongkai_web::page_cache::PageCacheConfig,
}

impl TestAppBuilder {
    /// Serve anonymous public pages from memory, as `serve` does by default. Off in tests unless
    /// asked for: most tests write through the db layer, which stands for another process, and
    /// then read a page at once (this node would learn of it within `check_every`).
    pub fn page_cache(mut self) -> Self {
        self.page_cache.enabled = true;
        self
    }
    /// The page cache with these settings (`enabled` included).
    pub fn page_cache_config(mut self, c: gongkai_web::page_cache::PageCacheConfig) -> Self {
        self.page_cache = c;
        self
    }
    /// The password policy (default: the product's).
    pub fn password_policy(mut self, p: gongkai_domain::account_policy::PasswordPolicy) -> Self {
        self.password_policy = p;
        self
    }
    /// The session policy. By default tests get the product's, except that one user may hold
    /// any number of sessions (many tests sign the same user in on several clients); the
    /// account-security tests set the limit.
    pub fn session_policy(mut self, p: gongkai_domain::account_policy::SessionPolicy) -> Self {
        self.session_policy = p;
        self
    }
    /// 三员分立 on (`[security] separation_of_duties`).
    pub fn separation_of_duties(mut self) -> Self {
        self.separation_of_duties = true;
        self
    }
    /// System administrators must use the TOTP second factor.
    pub fn require_totp_for_admins(mut self) -> Self {
        self.require_totp_for_admins = true;
        self
    }
    /// The configured public address (`https://…` turns HSTS on).
    pub fn public_url(mut self, url: &str) -> Self {
        self.public_url = Some(url.to_owned());
        self
    }
    /// Behind a reverse proxy: the test client (127.0.0.1) is the proxy, and the client address
    /// is the one its `X-Forwarded-For` names.
    pub fn trust_proxy(mut self) -> Self {
        self.trust_proxy = true;
        self
    }
    pub fn backend(mut self, backend: Backend) -> Self {
        self.backend = backend;
        self
    }
    /// Skip first-run seeding (organisations, site, columns): an empty, migrated database.
    /// Implies no admin either.
    pub fn unseeded(mut self) -> Self {
        self.seed = false;
        self.admin = false;
        self
    }
    /// Skip creating the first administrator.
    pub fn without_admin(mut self) -> Self {
        self.admin = false;
        self
    }
    /// A fresh install as `serve` without `--demo` makes it: the neutral site waiting for setup,
    /// no organisation (instead of Panjin's demo site, the default).
    pub fn fresh(mut self) -> Self {
        self.fresh = true;
        self
    }
    /// Load the `--demo` sample content.
    pub fn demo(mut self) -> Self {
        self.demo = true;
        self
    }
    /// Keep attachments in this store (default: the data directory's `files/`).
    pub fn attachments(mut self, store: gongkai_web::storage::AttachmentStore) -> Self {
        self.attachments = store;
        self
    }

    pub async fn start(self) -> TestApp {
        let dir = tempfile::Builder::new()
            .prefix("gongkai-test-")
            .tempdir()
            .expect("create a temporary data directory");
        let (url, pg) = match self.backend {
            Backend::Sqlite => (
                format!(
                    "sqlite://{}?mode=rwc",
                    dir.path().join("gongkai.db").display()
                ),
                None,
            ),
            Backend::Postgres => {
                let pg = PgDatabase::create().await;
                (pg.url(), Some(pg))
            }
        };
        let db = Db::connect(&url).await.unwrap_or_else(|e| {
            panic!("Db::connect({}) failed: {e}", gongkai_db::redact_url(&url))
        });
        if self.seed {
            if self.fresh {
                gongkai_db::seed::ensure_seeded(&db)
                    .await
                    .expect("first-run seeding (neutral)");
            } else {
                // Panjin, as `serve --demo` seeds it: most tests name its organisations.
                gongkai_db::seed::ensure_demo_site(&db)
                    .await
                    .expect("first-run seeding (the demo site)");
            }
        }
        if self.admin {
            gongkai::serve::ensure_admin(&db, Some(ADMIN_PASSWORD))
                .await
                .expect("create the first administrator");
        }
        if self.demo {
            gongkai_db::seed::demo_content(&db)
                .await
                .expect("load the demo content");
        }
        let state = gongkai_web::AppState::new(
            db.clone(),
            gongkai_web::WebConfig {
                attachments: self.attachments,
                trust_proxy: self.trust_proxy,
                public_url: self.public_url,
                password_policy: self.password_policy,
                session_policy: self.session_policy,
                require_totp_for_admins: self.require_totp_for_admins,
                separation_of_duties: self.separation_of_duties,
                page_cache: self.page_cache,
                ..gongkai_web::WebConfig::new(dir.path().to_path_buf())
            },
        )
        .unwrap_or_else(|e| panic!("AppState::new: {e}"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let router = gongkai_web::router(state.clone());
        let server = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("test server");
        });
        let client = new_client();
        TestApp(Arc::new(Inner {
            backend: self.backend,
            addr,
            base: format!("http://{addr}"),
            client,
            db,
            state,
            server,
            pg,
            dir,
        }))
    }
}

/// A running app on `127.0.0.1:<random port>` with its own database and data directory.
/// Cheap to clone (shared handle).
#[derive(Clone)]
pub struct TestApp(Arc<Inner>);

pub struct Inner {
    backend: Backend,
    addr: SocketAddr,
    base: String,
    client: reqwest::Client,
    db: Db,
    state: gongkai_web::AppState,
    server: tokio::task::JoinHandle<()>,
    pg: Option<PgDatabase>,
    dir: tempfile::TempDir,
}

/// A reqwest client with its own cookie store that does **not** follow redirects, so tests see
/// the 303s of form posts.
pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("build a reqwest client")
}

impl TestApp {
    /// Seeded, with `admin` / [`ADMIN_PASSWORD`], on SQLite unless `.backend(..)` says otherwise.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            backend: Backend::Sqlite,
            seed: true,
            admin: true,
            demo: false,
            fresh: false,
            attachments: gongkai_web::storage::AttachmentStore::Local,
            trust_proxy: false,
            public_url: None,
            password_policy: Default::default(),
            session_policy: gongkai_domain::account_policy::SessionPolicy {
                max_sessions: 1000,
                ..Default::default()
            },
            require_totp_for_admins: false,
            separation_of_duties: false,
            page_cache: gongkai_web::page_cache::PageCacheConfig {
                enabled: false,
                ..Default::default()
            },
        }
    }

    /// The default app on `backend`.
    pub async fn start(backend: Backend) -> TestApp {
        Self::builder().backend(backend).start().await
    }

    pub fn backend(&self) -> Backend {
        self.0.backend
    }
    pub fn addr(&self) -> SocketAddr {
        self.0.addr
    }
    /// `http://127.0.0.1:<port><path>`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.0.base, path)
    }
    /// The app's shared client (one cookie store: log in once, then browse as that user).
    pub fn client(&self) -> &reqwest::Client {
        &self.0.client
    }
    /// A fresh client with an empty cookie store, e.g. for a second user or an anonymous visitor.
    pub fn new_client(&self) -> reqwest::Client {
        new_client()
    }
    pub fn db(&self) -> &Db {
        &self.0.db
    }
    pub fn state(&self) -> &gongkai_web::AppState {
        &self.0.state
    }
    /// The data directory (`files/`, `index/`, and for SQLite `gongkai.db`).
    /// The PostgreSQL database's URL (`None` on SQLite), for a second node on the same data.
    pub fn postgres_url(&self) -> Option<String> {
        self.0.pg.as_ref().map(PgDatabase::url)
    }

    pub fn data_dir(&self) -> &Path {
        self.0.dir.path()
    }

    /// A pooled connection: `gongkai_db::items::get(&mut *app.conn().await, id)`.
    pub async fn conn(&self) -> sqlx::pool::PoolConnection<sqlx::Any> {
        self.0
            .db
            .pool
            .acquire()
            .await
            .expect("acquire a connection")
    }

    /// The actor used by the helpers that write directly through the db layer.
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: None,
            name: "测试".into(),
            ip: "127.0.0.1".into(),
        }
    }

    // --- HTTP ---------------------------------------------------------------------------------

    /// GET with the shared client.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client()
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET with the shared client, asserting 200; returns the body.
    pub async fn get_ok(&self, path: &str) -> String {
        let resp = self.get(path).await;
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        assert_eq!(
            status,
            reqwest::StatusCode::OK,
            "GET {path} answered {status}; body:\n{}",
            html::excerpt(&body)
        );
        body
    }

    /// Logs the shared client in; panics with the response unless it is the 303 to the back office.
    pub async fn login(&self, username: &str, password: &str) {
        self.login_as(self.client(), username, password).await;
    }

    /// Logs the shared client in as `admin`.
    pub async fn login_admin(&self) {
        self.login("admin", ADMIN_PASSWORD).await;
    }

    /// Logs `client` in (see [`TestApp::login`]).
    pub async fn login_as(&self, client: &reqwest::Client, username: &str, password: &str) {
        let resp = self.try_login_as(client, username, password).await;
        let status = resp.status();
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        if status != reqwest::StatusCode::SEE_OTHER || !location.starts_with("/admin") {
            let body = resp.text().await.unwrap_or_default();
            panic!(
                "login as {username} failed: {status}, Location {location:?}; body:\n{}",
                html::excerpt(&body)
            );
        }
    }

    /// The raw login exchange with the shared client: GET /admin/login, scrape `csrf_token`, POST
    /// the form. Returns the POST's response unchecked (for lockout and CSRF tests).
    pub async fn try_login(&self, username: &str, password: &str) -> reqwest::Response {
        self.try_login_as(self.client(), username, password).await
    }

    pub async fn try_login_as(
        &self,
        client: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let token = csrf_token_with(self, client, "/admin/login").await;
        client
            .post(self.url("/admin/login"))
            .form(&[
                ("username", username),
                ("password", password),
                ("csrf_token", token.as_str()),
            ])
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST /admin/login: {e}"))
    }

    // --- data ---------------------------------------------------------------------------------

    /// Creates an active user with password [`PASSWORD`] and one grant (`org`: `None` = global).
    pub async fn create_user(&self, username: &str, role: Role, org: Option<i64>) -> i64 {
        let hash = gongkai_web::auth::hash_password(PASSWORD).expect("hash a password");
        let mut tx = self.db().begin().await.expect("begin");
        let id = gongkai_db::users::create(
            &mut tx,
            &self.actor(),
            &gongkai_db::users::NewUser {
                username,
                display_name: username,
                password_hash: &hash,
                must_change_password: false,
                grants: &[Grant { role, org_id: org }],
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create user {username}: {e}"));
        tx.commit().await.expect("commit");
        id
    }

    /// Issues an API token for `user_id`; returns the plain token for `Authorization: Bearer …`.
    pub async fn issue_token(&self, user_id: i64) -> String {
        let own = gongkai_app::Caller {
            actor: gongkai_db::Actor {
                user_id: Some(user_id),
                ..self.actor()
            },
            perms: &Permissions::default(),
        };
        gongkai_web::auth::issue_api_token(self.state(), &own, "测试令牌")
            .await
            .unwrap_or_else(|e| panic!("issue an API token: {e}"))
            .0
    }

    /// The id of the organisation with this name or alias.
    pub async fn org_id(&self, name: &str) -> i64 {
        orgs::find_by_name(&mut *self.conn().await, name)
            .await
            .expect("find_by_name")
            .unwrap_or_else(|| panic!("no organisation named {name}"))
            .id
    }

    pub async fn site_id(&self) -> i64 {
        columns::default_site(&mut *self.conn().await)
            .await
            .expect("default site")
            .id
    }

    /// The id of the column with this slug in the default site.
    pub async fn column_id(&self, slug: &str) -> i64 {
        let site = self.site_id().await;
        columns::by_slug(&mut *self.conn().await, site, slug)
            .await
            .unwrap_or_else(|e| panic!("column {slug}: {e}"))
            .id
    }

    /// Valid item fields (主动公开, Markdown body) for `org` (name or alias) in column `column`.
    /// Change what the test is about, then pass to [`TestApp::create_item`].
    pub async fn item(&self, org: &str, column: &str, title: &str) -> ItemFields {
        ItemFields {
            title: title.into(),
            body: format!("{title}的正文。\n\n第二段。"),
            org_id: self.org_id(org).await.to_string(),
            column_ids: vec![self.column_id(column).await.to_string()],
            disclosure: "proactive".into(),
            ..ItemFields::blank()
        }
    }

    /// Validates and stores a draft through the db layer; returns its id.
    pub async fn create_item(&self, fields: ItemFields) -> i64 {
        let input = fields
            .validate()
            .unwrap_or_else(|e| panic!("item fields invalid: {e}"));
        let site = self.site_id().await;
        let mut tx = self.db().begin().await.expect("begin");
        let id = items::create(&mut tx, &self.actor(), site, &input)
            .await
            .unwrap_or_else(|e| panic!("create item: {e}"));
        tx.commit().await.expect("commit");
        id
    }

    /// Publishes with the configured 索引号 pattern.
    pub async fn publish(&self, id: i64) {
        let mut tx = self.db().begin().await.expect("begin");
        let pattern = gongkai_db::settings::index_pattern(&mut tx)
            .await
            .expect("index pattern");
        items::publish(&mut tx, &self.actor(), id, &pattern)
            .await
            .unwrap_or_else(|e| panic!("publish item {id}: {e}"));
        // Tests replay a past year: the item became public on its stated date.
        items::replay_made_public_at_stated_date(&mut tx, id)
            .await
            .expect("replay");
        tx.commit().await.expect("commit");
    }

    /// Publishes now, keeping the item's stated 发布日期 : an editor entering an old document
    /// ( 补录 ), or backdating one.
    pub async fn publish_now(&self, id: i64) {
        let mut tx = self.db().begin().await.expect("begin");
        let pattern = gongkai_db::settings::index_pattern(&mut tx)
            .await
            .expect("index pattern");
        items::publish(&mut tx, &self.actor(), id, &pattern)
            .await
            .unwrap_or_else(|e| panic!("publish item {id}: {e}"));
        tx.commit().await.expect("commit");
    }

    pub async fn unpublish(&self, id: i64) {
        let mut tx = self.db().begin().await.expect("begin");
        items::unpublish(&mut tx, &self.actor(), id)
            .await
            .unwrap_or_else(|e| panic!("unpublish item {id}: {e}"));
        tx.commit().await.expect("commit");
    }

    /// `SELECT COUNT(*) FROM <table>` (a constant table name from the test).
    pub async fn count(&self, table: &'static str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(&mut *self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("count {table}: {e}"))
    }

    /// Audit entries of writes: sign-in events (`auth.*`) are left out, so a test that signs a
    /// user in between two counts still sees that a refused request wrote nothing.
    pub async fn audit_count(&self) -> i64 {
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action NOT LIKE 'auth.%'")
            .fetch_one(&mut *self.conn().await)
            .await
            .unwrap_or_else(|e| panic!("count audit_log: {e}"))
    }

    /// Stops the server, closes the pool and drops the PostgreSQL database. Called by
    /// [`both_backends!`]; call it yourself when you use [`TestApp::start`] directly.
    pub async fn teardown(self) {
        self.0.server.abort();
        self.0.db.pool.close().await;
        if let Some(pg) = &self.0.pg {
            pg.drop_database().await;
        }
    }
}

pub async fn csrf_token_with(app: &TestApp, client: &reqwest::Client, path: &str) -> String {
    let resp = client
        .get(app.url(path))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    let status = resp.status();
    let body = resp.text().await.unwrap_or_default();
    html::hidden_input(&body, "csrf_token").unwrap_or_else(|| {
        panic!(
            "GET {path} ({status}) has no hidden csrf_token input; body:\n{}",
            html::excerpt(&body)
        )
    })
}

/// The PostgreSQL server the tests use, from `GONGKAI_TEST_PG_URL`, without a trailing slash
/// or database name.
pub fn pg_server_url() -> String {
    std::env::var("GONGKAI_TEST_PG_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_PG_URL.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// A throw-away database on the test PostgreSQL server.
pub struct PgDatabase {
    server: String,
    name: String,
}

impl PgDatabase {
    /// Creates `gk_test_<random hex>`. Panics with a clear message when the server is unreachable.
    pub async fn create() -> PgDatabase {
        let server = pg_server_url();
        let name = format!("gk_test_{}", gongkai_web::auth::new_token(8));
        let mut admin = connect_admin(&server).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
            .execute(&mut admin)
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        let _ = admin.close().await;
        PgDatabase { server, name }
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.server, self.name)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub async fn drop_database(&self) {
        let mut admin = connect_admin(&self.server).await;
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        )))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("DROP DATABASE {}: {e}", self.name));
        let _ = admin.close().await;
    }
}

async fn connect_admin(server: &str) -> sqlx::AnyConnection {
    sqlx::any::install_default_drivers();
    let url = format!("{server}/postgres");
    sqlx::AnyConnection::connect(&url)
        .await
        .unwrap_or_else(|e| {
            panic!(
                "\n\nPostgreSQL is unreachable at {} ({e}).\n\
             Storage tests run on PostgreSQL too and never skip it. Run `bash scripts/test`, which \
             installs and starts PostgreSQL, or point GONGKAI_TEST_PG_URL at a server \
             (postgres://user:password@host:port, a user allowed to CREATE DATABASE).\n\n",
                gongkai_db::redact_url(&url)
            )
        })
}
