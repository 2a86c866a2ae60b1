//! The route walk: **every** state-changing route the application serves is refused to an
//! anonymous request and, on the back office and the portal, to a request without its CSRF token.
//!
//! The walk takes its routes from `gongkai_web::routes()`, which comes from the same
//! `route_table!` lists that build the router, so a new route is walked the day it is added. The
//! last test checks that claim: the router answers `OPTIONS` on every listed path with exactly the
//! listed methods, and no source file adds a route outside those lists.

use crate::support::{Backend, TestApp};
use gongkai_web::{Area, Route};
use reqwest::{Method, StatusCode};

/// The routes that change state (every method but GET, HEAD and OPTIONS).
fn unsafe_routes() -> Vec<Route> {
    let all = gongkai_web::routes();
    assert!(all.len() > 100, "the route table is filled: {}", all.len());
    all.into_iter()
        .filter(|r| !matches!(r.method, Method::GET | Method::HEAD | Method::OPTIONS))
        .collect()
}

/// A requestable path: every `{param}` gets a plausible value (the requests must be refused
/// before any handler looks at it).
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("a closing brace") + start;
        out.push_str(match &rest[start + 1..end] {
            "date" => "2024-10-08",
            "step" => "accept",
            "kind" => "answer",
            "slug" => "zwdt",
            "name" => "a.txt",
            "file" => "sitemap-1.xml",
            "*path" => "site.css",
            _ => "1",
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Row counts of every table: what a refused request must leave unchanged (every change of the
/// application also writes the audit log, whose count is among them).
async fn snapshot(app: &TestApp) -> Vec<(String, i64)> {
    let sql = match app.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        }
    };
    let names: Vec<String> = sqlx::query_scalar(sql)
        .fetch_all(&mut *app.conn().await)
        .await
        .expect("table names");
    assert!(names.len() > 20, "tables: {names:?}");
    let mut out = Vec::new();
    for name in names {
        // A refusal is audited (`auth.refused`): that row is the record of the refusal, not a change.
        let only = if name == "audit_log" {
            " WHERE action <> 'auth.refused'"
        } else {
            ""
        };
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM \"{name}\"{only}"
        )))
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap_or_else(|e| panic!("count {name}: {e}"));
        out.push((name, n));
    }
    out
}

async fn send(
    app: &TestApp,
    client: &reqwest::Client,
    route: &Route,
    csrf: Option<&str>,
    multipart: bool,
) -> reqwest::Response {
    let path = concrete(&route.path);
    let req = client.request(route.method.clone(), app.url(&path));
    let req = match (multipart, csrf) {
        (true, Some(t)) => req.multipart(
            reqwest::multipart::Form::new()
                .text("csrf_token", t.to_string())
                .text("title", "x"),
        ),
        (true, None) => req.multipart(reqwest::multipart::Form::new().text("title", "x")),
        (false, Some(t)) => req.form(&[("csrf_token", t), ("title", "x")]),
        (false, None) => req.form(&[("title", "x")]),
    };
    req.send()
        .await
        .unwrap_or_else(|e| panic!("{} {path}: {e}", route.method))
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Refused: sent to the login page, or 401 / 403. Never a success, a redirect elsewhere, a 400 of
/// a handler that read the form, nor a 404 of a handler that looked the id up.
fn refused(resp: &reqwest::Response) -> bool {
    let status = resp.status();
    (status.is_redirection() && location(resp).starts_with("/admin/login"))
        || status == StatusCode::UNAUTHORIZED
        || status == StatusCode::FORBIDDEN
}

both_backends!(
    every_unsafe_route_refuses_an_anonymous_request,
    |app| async move {
        // An item, so that `{id}` (1) names something real.
        app.create_item(app.item("市财政局", "czyjs", "路由遍历").await)
            .await;
        let before = snapshot(&app).await;
        let anonymous = app.new_client();
        let mut wrong = Vec::new();
        for route in unsafe_routes() {
            for multipart in [false, true] {
                let resp = send(&app, &anonymous, &route, None, multipart).await;
                if route.area == Area::ReadApi {
                    // CKAN clients post their read parameters: answered, and (below) nothing
                    // changes.
                    if resp.status().is_server_error() {
                        wrong.push(format!(
                            "{} {}: {}",
                            route.method,
                            route.path,
                            resp.status()
                        ));
                    }
                    continue;
                }
                if !refused(&resp) {
                    wrong.push(format!(
                        "{} {} (multipart {multipart}): {} {}",
                        route.method,
                        route.path,
                        resp.status(),
                        location(&resp)
                    ));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "anonymous requests that were not refused:\n{}",
            wrong.join("\n")
        );
        assert_eq!(
            snapshot(&app).await,
            before,
            "refused requests changed nothing"
        );
    }
);

both_backends!(
    every_unsafe_route_refuses_a_request_without_its_csrf_token,
    |app| async move {
        // An item, so that `{id}` (1) names something real.
        app.create_item(app.item("市财政局", "czyjs", "路由遍历").await)
            .await;
        let admin = app.admin().await;
        let visitor = app.visitor();
        let visitor_token = visitor.csrf().await;
        let before = snapshot(&app).await;
        let mut wrong = Vec::new();
        let mut walked = 0;
        for route in unsafe_routes() {
            let user = match route.area {
                Area::Admin => &admin,
                Area::Portal => &visitor,
                // The API takes no cookie: a signed-in browser's session is not a credential there.
                Area::Api => {
                    let resp = send(&app, admin.client(), &route, None, false).await;
                    if resp.status() != StatusCode::UNAUTHORIZED {
                        wrong.push(format!(
                            "{} {} with a session cookie: {}",
                            route.method,
                            route.path,
                            resp.status()
                        ));
                    }
                    continue;
                }
                Area::Assets => panic!("a static file route changes state: {route:?}"),
                // Read-only whatever the method (the anonymous walk checks it changes nothing).
                Area::ReadApi => continue,
            };
            walked += 1;
            // No token, a wrong token, the visitor's token at the back office (and the reverse);
            // urlencoded and multipart.
            let other = if route.area == Area::Admin {
                visitor_token.clone()
            } else {
                admin.csrf().await
            };
            for csrf in [None, Some("0".repeat(64)), Some(other)] {
                for multipart in [false, true] {
                    let resp = send(&app, user.client(), &route, csrf.as_deref(), multipart).await;
                    if resp.status() != StatusCode::FORBIDDEN {
                        wrong.push(format!(
                            "{} {} (token {csrf:?}, multipart {multipart}): {} {}",
                            route.method,
                            route.path,
                            resp.status(),
                            location(&resp)
                        ));
                    }
                }
            }
        }
        assert!(walked > 60, "walked {walked} routes");
        assert!(
            wrong.is_empty(),
            "requests without their CSRF token that were not refused with 403:\n{}",
            wrong.join("\n")
        );
        assert_eq!(
            snapshot(&app).await,
            before,
            "refused requests changed nothing"
        );

        // The same token passes, in the body or in the `X-CSRF-Token` header.
        let resp = admin
            .post("/admin/notifications/read-all", &[("x", "1")])
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let resp = admin
            .client()
            .post(app.url("/admin/notifications/read-all"))
            .header("X-CSRF-Token", admin.csrf().await)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&resp), "/admin/notifications?notice=all_read");
    }
);

/// The walk cannot miss a route: the table `routes()` gives is what the router serves (every
/// listed path answers `OPTIONS` with exactly the listed methods in `Allow`), and no source file
/// of the web crate adds a route outside the `route_table!` lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walked_table_is_the_routers_table() {
    let app = TestApp::start(Backend::Sqlite).await;
    let routes = gongkai_web::routes();
    let mut paths: Vec<&str> = routes.iter().map(|r| r.path.as_str()).collect();
    paths.sort_unstable();
    paths.dedup();
    let mut wrong = Vec::new();
    for path in paths {
        let mut listed: Vec<String> = routes
            .iter()
            .filter(|r| r.path == path)
            .map(|r| r.method.to_string())
            .collect();
        if listed.iter().any(|m| m == "GET") {
            listed.push("HEAD".into());
        }
        listed.sort();
        let resp = app
            .client()
            .request(Method::OPTIONS, app.url(&concrete(path)))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let allow = resp
            .headers()
            .get(reqwest::header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mut m: Vec<String> = v.split(',').map(|m| m.trim().to_string()).collect();
                m.sort();
                m
            });
        // `/{file}` answers every other method with its own fallback (the sitemap's 404).
        if path == "/{file}" {
            if status != StatusCode::NOT_FOUND {
                wrong.push(format!("OPTIONS {path}: {status}"));
            }
            continue;
        }
        if allow.as_ref() != Some(&listed) {
            wrong.push(format!(
                "OPTIONS {path}: {status}, Allow {allow:?}, listed {listed:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "paths whose served methods differ from the table:\n{}",
        wrong.join("\n")
    );
    app.teardown().await;

    // No route is added outside the lists: `.route(` appears only in `route_table!` itself, and
    // the application is the four routers `routes()` reads.
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut files = vec![src.clone()];
    let mut outside = Vec::new();
    while let Some(p) = files.pop() {
        if p.is_dir() {
            files.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if p.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for needle in [
            ".route(",
            ".route_service(",
            ".nest(",
            ".merge(",
            ".nest_service(",
        ] {
            let allowed = match (p.ends_with("lib.rs"), needle) {
                (true, ".route(") => 1,
                (true, ".nest(") => 2,
                (true, ".merge(") => 5,
                _ => 0,
            };
            let n = text.matches(needle).count();
            if n != allowed {
                outside.push(format!("{}: {n} × {needle}", p.display()));
            }
        }
    }
    assert!(
        outside.is_empty(),
        "routes added outside route_table! (walk them: add them to a table):\n{}",
        outside.join("\n")
    );
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    for mount in [
        ".merge(portal::router()",
        ".nest(\"/admin\", admin::router()",
        ".nest(\"/api/v1\", api::router())",
        ".merge(assets::router())",
        ".merge(portal::ckan::router())",
        "(Area::ReadApi, \"\", portal::ckan::ROUTES)",
        "(Area::Portal, \"\", portal::ROUTES)",
        "(Area::Admin, \"/admin\", admin::ROUTES)",
        "(Area::Api, \"/api/v1\", api::ROUTES)",
        ".merge(api::root_router())",
        "(Area::Api, \"\", api::ROOT_ROUTES)",
        "(Area::Assets, \"\", assets::ROUTES)",
        ".merge(health::build())",
        "(Area::Assets, \"\", health::ROUTES)",
    ] {
        assert!(lib.contains(mount), "lib.rs mounts and lists: {mount}");
    }
}
