//! Request helpers, **one per kind of user** (after crates.io's `RequestHelper`):
//!
//! - [`User`] made by [`TestApp::visitor`]: an anonymous member of the public. Its posts carry the
//!   portal's form token (the `gk_form` double-submit cookie), fetched once from a form page.
//! - [`User`] made by [`TestApp::admin`], [`TestApp::user`] or [`TestApp::signed_in`]: a signed-in
//!   back-office user. Its posts carry the session's CSRF token, fetched once from a back-office page.
//! - [`ApiUser`] made by [`TestApp::api_user`]: `Authorization: Bearer <token>`, JSON in and out.
//!
//! `post` and `multipart` add the `csrf_token` field **first**, as the templates do; no test
//! writes a CSRF pair by hand except the ones about CSRF failure, which use `post_without_csrf` or
//! [`User::csrf`] with a raw request.
//!
//! The shapes, one implementation each: urlencoded [`User::post`] (the response) and
//! [`User::submit`] (status and Location or body); multipart [`User::post_multipart`] and
//! [`User::submit_multipart`], started with [`User::multipart`] (add `.part(..)` for files; a
//! `Form::new()` instead sends no token); forms of owned values go through [`pairs`]. Redirects are
//! never followed. JSON: [`ApiUser::send`], or [`ApiUser::request`] for anything unusual.

use super::{ADMIN_PASSWORD, TestApp, html};
use reqwest::Response;
use reqwest::multipart::Form;
use std::sync::{Arc, OnceLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Visitor,
    SignedIn,
}

/// A browser-like user: its own cookie store, redirects not followed, CSRF handled.
#[derive(Clone)]
pub struct User {
    app: TestApp,
    http: reqwest::Client,
    kind: Kind,
    csrf: Arc<OnceLock<String>>,
}

impl TestApp {
    /// An anonymous visitor with an empty cookie store.
    pub fn visitor(&self) -> User {
        User::new(self, self.new_client(), Kind::Visitor)
    }

    /// A fresh client signed in as `admin`.
    pub async fn admin(&self) -> User {
        self.user("admin", ADMIN_PASSWORD).await
    }

    /// A fresh client signed in as `username` (panics unless the login succeeds).
    pub async fn user(&self, username: &str, password: &str) -> User {
        let client = self.new_client();
        self.login_as(&client, username, password).await;
        User::new(self, client, Kind::SignedIn)
    }

    /// Wraps a client that is already signed in (e.g. the shared [`TestApp::client`] after
    /// [`TestApp::login`]).
    pub fn signed_in(&self, client: &reqwest::Client) -> User {
        User::new(self, client.clone(), Kind::SignedIn)
    }

    /// A user of the JSON API with a fresh token for `user_id`.
    pub async fn api_user(&self, user_id: i64) -> ApiUser {
        let token = self.issue_token(user_id).await;
        self.api_token(&token)
    }

    /// A user of the JSON API with this token.
    pub fn api_token(&self, token: &str) -> ApiUser {
        ApiUser {
            app: self.clone(),
            http: self.new_client(),
            token: token.to_string(),
        }
    }
}

impl User {
    fn new(app: &TestApp, http: reqwest::Client, kind: Kind) -> User {
        User {
            app: app.clone(),
            http,
            kind,
            csrf: Arc::new(OnceLock::new()),
        }
    }

    /// The underlying client (its cookie store is this user's).
    pub fn client(&self) -> &reqwest::Client {
        &self.http
    }

    /// The token this user's forms carry: the session's (signed in) or the `gk_form` cookie's
    /// (visitor). Fetched once from a page, as a browser would.
    pub async fn csrf(&self) -> String {
        let page = match self.kind {
            Kind::SignedIn => "/admin/account",
            Kind::Visitor => "/ysqgk/cx",
        };
        if let Some(token) = self.csrf.get() {
            return token.clone();
        }
        let token = super::csrf_token_with(&self.app, &self.http, page).await;
        self.csrf.get_or_init(|| token).clone()
    }

    pub async fn get(&self, path: &str) -> Response {
        self.http
            .get(self.app.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// GET, asserting 200; returns the body.
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

    /// POSTs a urlencoded form with `csrf_token` first.
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut fields: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        fields.extend_from_slice(form);
        self.http
            .post(self.app.url(path))
            .form(&fields)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// [`User::post`], then the status and the `Location` of a redirect, else the body.
    pub async fn submit(&self, path: &str, form: &[(&str, &str)]) -> (reqwest::StatusCode, String) {
        outcome(self.post(path, form).await).await
    }

    /// [`User::post_multipart`], then the status and the `Location` of a redirect, else the body.
    pub async fn submit_multipart(&self, path: &str, form: Form) -> (reqwest::StatusCode, String) {
        outcome(self.post_multipart(path, form).await).await
    }

    /// POSTs a urlencoded form **without** a CSRF token (for the tests of CSRF refusals).
    pub async fn post_without_csrf(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.http
            .post(self.app.url(path))
            .form(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// A multipart form that already holds `csrf_token` as its first part; add the other parts
    /// and send it with [`User::post_multipart`].
    pub async fn multipart(&self) -> Form {
        Form::new().text("csrf_token", self.csrf().await)
    }

    /// POSTs a multipart form (start it with [`User::multipart`]).
    pub async fn post_multipart(&self, path: &str, form: Form) -> Response {
        self.http
            .post(self.app.url(path))
            .multipart(form)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }
}

/// A form built with owned values as the `&str` pairs [`User::post`] takes.
pub fn pairs<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The status and the `Location` of a redirect, else the body.
pub async fn outcome(resp: Response) -> (reqwest::StatusCode, String) {
    let status = resp.status();
    let location = resp
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = resp.text().await.unwrap_or_default();
    (status, location.unwrap_or(body))
}

/// A user of the JSON API: every request carries `Authorization: Bearer <token>`.
#[derive(Clone)]
pub struct ApiUser {
    app: TestApp,
    http: reqwest::Client,
    token: String,
}

impl ApiUser {
    pub fn token(&self) -> &str {
        &self.token
    }

    /// A request to `path` (under the site root, e.g. `/api/v1/items`) with the token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.app.url(path))
            .bearer_auth(&self.token)
    }

    /// Sends `body` (if any) as JSON; gives the status and the JSON answer (`Null` if none).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> (reqwest::StatusCode, serde_json::Value) {
        let mut req = self.request(method.clone(), path);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }
}
