//! The API answers as its OpenAPI document says (the mismatches schemathesis found, issue 18
//! item 6): unsupported methods are `405` with `Allow`, `/api/v1/` and `/api/v1` are the same
//! entry point, documented limits and minimums are enforced with the error body, and every
//! status code the handlers use for these cases is in the document.

use crate::support::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// An error body of the document's `ErrorBody` shape with this code.
fn assert_error_body(body: &Value, code: &str, what: &str) {
    assert_eq!(body["code"], code, "{what}: {body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: {body}"
    );
    assert!(body["errors"].is_array(), "{what}: {body}");
}

async fn send(app: &TestApp, method: Method, path: &str) -> (StatusCode, String, Value) {
    let resp = app
        .client()
        .request(method, app.url(path))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    let allow = resp
        .headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, allow, resp.json().await.unwrap_or(Value::Null))
}

both_backends!(unsupported_methods_are_405_with_allow, |app| async move {
    let trace = Method::from_bytes(b"TRACE").unwrap();
    for (method, path, allowed) in [
        (trace.clone(), "/api/v1/orgs", "GET"),
        (trace.clone(), "/api/v1/items/1/publish", "POST"),
        (trace.clone(), "/api/v1/", "GET"),
        (trace, "/api/v1", "GET"),
        (Method::DELETE, "/api/v1/items/1", "PUT"),
        (Method::PATCH, "/api/v1/items", "POST"),
    ] {
        let (status, allow, body) = send(&app, method.clone(), path).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert!(allow.contains(allowed), "{method} {path}: Allow {allow}");
        assert_error_body(&body, "method_not_allowed", path);
    }
    // The code is in the document's error table.
    let (_, _, doc) = send(&app, Method::GET, "/api/v1/openapi.json").await;
    let codes = &doc["components"]["schemas"]["ErrorBody"]["properties"]["code"]["enum"];
    assert!(
        codes
            .as_array()
            .unwrap()
            .contains(&Value::from("method_not_allowed"))
    );
});

both_backends!(
    the_entry_point_answers_with_and_without_slash,
    |app| async move {
        let (a_status, _, a) = send(&app, Method::GET, "/api/v1").await;
        let (b_status, _, b) = send(&app, Method::GET, "/api/v1/").await;
        assert_eq!(a_status, StatusCode::OK);
        assert_eq!(b_status, StatusCode::OK);
        assert_eq!(a, b);
        assert_eq!(a["openapi"], "/api/v1/openapi.json");
    }
);

both_backends!(
    documented_limits_are_enforced_with_the_error_body,
    |app| async move {
        for path in [
            "/api/v1/items?limit=51",
            "/api/v1/items?limit=0",
            "/api/v1/items?column=-1",
            "/api/v1/items?org=0",
            "/api/v1/search?q=x&limit=51",
            "/api/v1/search?q=x&org=-9223372036854775808",
            "/api/v1/items?year=1948",
        ] {
            let (status, _, body) = send(&app, Method::GET, path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            assert_error_body(&body, "bad_request", path);
        }
        let long = "x".repeat(101);
        let (status, _, body) = send(&app, Method::GET, &format!("/api/v1/items?q={long}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_error_body(&body, "bad_request", "q of 101");
        for path in ["/api/v1/items?limit=50", "/api/v1/search?q=x&limit=50"] {
            let (status, _, body) = send(&app, Method::GET, path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
        }
        // The document says the same.
        let (_, _, doc) = send(&app, Method::GET, "/api/v1/openapi.json").await;
        for path in ["/items", "/search"] {
            let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
            let schema = |name: &str| {
                params
                    .iter()
                    .find(|p| p["name"] == name)
                    .map(|p| p["schema"].clone())
                    .unwrap()
            };
            assert_eq!(schema("limit")["maximum"], 50, "{path}");
            assert_eq!(schema("limit")["minimum"], 1, "{path}");
            assert_eq!(schema("org")["minimum"], 1, "{path}");
            assert_eq!(schema("column")["minimum"], 1, "{path}");
        }
    }
);
