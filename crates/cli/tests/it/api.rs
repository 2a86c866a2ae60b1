//! The JSON API: public reads show only published 主动公开 items; writes need a token and the
//! same organisation rights as the back office; errors are JSON with stable codes.

use crate::support::TestApp;
use gongkai_domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn get_json(app: &TestApp, path: &str) -> (StatusCode, Value) {
    let resp = app.get(path).await;
    let status = resp.status();
    let ctype = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(
        ctype.starts_with("application/json"),
        "{path}: content-type {ctype}"
    );
    (status, resp.json().await.unwrap_or(Value::Null))
}

both_backends!(public_reads_never_show_non_public_items, |app| async move {
    let public = app
        .create_item(app.item("市财政局", "czyjs", "接口公开信息").await)
        .await;
    app.publish(public).await;
    let draft = app
        .create_item(app.item("市财政局", "czyjs", "接口草稿").await)
        .await;
    let mut on_request = app.item("市财政局", "czyjs", "接口依申请公开").await;
    on_request.disclosure = "on_request".into();
    on_request.disclosure_reason = "第三方".into();
    let on_request = app.create_item(on_request).await;
    app.publish(on_request).await;
    let mut secret = app.item("市财政局", "czyjs", "接口不予公开").await;
    secret.disclosure = "not_disclosed".into();
    secret.disclosure_reason = "隐私".into();
    let secret = app.create_item(secret).await;
    app.publish(secret).await;

    let (status, item) = get_json(&app, &format!("/api/v1/items/{public}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(item["title"], "接口公开信息");
    for id in [draft, on_request, secret, 999_999] {
        let (status, body) = get_json(&app, &format!("/api/v1/items/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "item {id}");
        assert_eq!(body["code"], "not_found");
    }
    let column = app.column_id("czyjs").await;
    let org = app.org_id("市财政局").await;
    for path in [
        "/api/v1/items".to_string(),
        format!("/api/v1/items?column={column}"),
        format!("/api/v1/items?org={org}&limit=50"),
    ] {
        let (status, list) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let titles: Vec<&str> = list["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["title"].as_str())
            .collect();
        assert_eq!(titles, vec!["接口公开信息"], "{path}");
    }
    let (status, orgs) = get_json(&app, "/api/v1/orgs").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        orgs["orgs"]
            .as_array()
            .expect("orgs")
            .iter()
            .any(|o| o["name"] == "盘锦银监局")
    );
    let (status, cols) = get_json(&app, "/api/v1/columns").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        cols["columns"]
            .as_array()
            .expect("columns")
            .iter()
            .any(|c| c["name"] == "法定主动公开内容")
    );
});

both_backends!(cursor_pagination_walks_every_item_once, |app| async move {
    let mut ids = Vec::new();
    for i in 0..7 {
        let mut f = app
            .item("市统计局", "tjxx", &format!("统计信息第{i}期"))
            .await;
        f.publish_date = format!("2017-0{}-1{i}", 1 + i % 3);
        let id = app.create_item(f).await;
        app.publish(id).await;
        ids.push(id);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/items?limit=3".to_string();
    loop {
        let (status, page) = get_json(&app, &path).await;
        assert_eq!(status, StatusCode::OK);
        seen.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_i64().expect("id")),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/items?limit=3&cursor={c}"),
            None => break,
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no item twice");
    ids.sort();
    assert_eq!(sorted, ids);
    let (status, body) = get_json(&app, "/api/v1/items?cursor=not-a-cursor").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["code"], "bad_request");
});

both_backends!(
    writes_need_a_token_and_the_right_organisation,
    |app| async move {
        let finance = app.org_id("市财政局").await;
        let stats = app.org_id("市统计局").await;
        let column = app.column_id("czyjs").await;
        let editor = app
            .create_user("api-editor", Role::Editor, Some(finance))
            .await;
        let api = app.api_user(editor).await;
        let body = json!({"title": "接口提交的财政信息", "org_id": finance, "column_ids": [column], "body": "正文"});

        let before = (app.count("items").await, app.audit_count().await);
        // No token at all: a raw request.
        let resp = app
            .new_client()
            .post(app.url("/api/v1/items"))
            .json(&body)
            .send()
            .await
            .expect("POST /api/v1/items");
        let status = resp.status();
        let err: Value = resp.json().await.unwrap_or(Value::Null);
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(err["code"], "unauthenticated");
        let (status, _) = app
            .api_token("gk_forged")
            .send(Method::POST, "/api/v1/items", Some(&body))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let mut other = body.clone();
        other["org_id"] = json!(stats);
        let (status, err) = api.send(Method::POST, "/api/v1/items", Some(&other)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert_eq!(err["code"], "forbidden");
        let (status, err) = api
            .send(
                Method::POST,
                "/api/v1/items",
                Some(&json!({"title": "", "org_id": finance})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["code"], "invalid_input");
        assert!(
            err["errors"]
                .as_array()
                .expect("errors")
                .iter()
                .any(|e| e["field"] == "title" && e["message"] == "请填写标题")
        );
        let resp = api
            .request(Method::POST, "/api/v1/items")
            .header("content-type", "application/json")
            .body("{\"title\": ")
            .send()
            .await
            .expect("post");
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            resp.json::<Value>().await.expect("json")["code"],
            "bad_request"
        );
        assert_eq!(
            (app.count("items").await, app.audit_count().await),
            before,
            "refused writes write nothing"
        );

        let (status, created) = api.send(Method::POST, "/api/v1/items", Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_i64().expect("id");
        let (status, _) = get_json(&app, &format!("/api/v1/items/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a draft is not public");
        let (status, published) = api
            .send(
                Method::POST,
                &format!("/api/v1/items/{id}/publish"),
                Some(&json!({"reason": "接口测试：直接发布（先发后审）"})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{published}");
        let (status, item) = get_json(&app, &format!("/api/v1/items/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            item["index_no"]
                .as_str()
                .expect("index_no")
                .starts_with("PJ0008/")
        );

        // A stale version is a conflict; another organisation's editor cannot touch the item.
        let stale = json!({"title": "改", "org_id": finance, "column_ids": [column], "version": 1});
        let (status, err) = api
            .send(Method::PUT, &format!("/api/v1/items/{id}"), Some(&stale))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{err}");
        let outsider = app
            .create_user("api-outsider", Role::Editor, Some(stats))
            .await;
        let outsider = app.api_user(outsider).await;
        let (status, _) = outsider
            .send(Method::POST, &format!("/api/v1/items/{id}/unpublish"), None)
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = get_json(&app, &format!("/api/v1/items/{id}")).await;
        assert_eq!(status, StatusCode::OK, "still public");
    }
);

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint() {
    let app = TestApp::start(crate::support::Backend::Sqlite).await;
    let (status, doc) = get_json(&app, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    let paths = doc["paths"].as_object().expect("paths");
    for p in [
        "/orgs",
        "/orgs/{id}",
        "/columns",
        "/columns/{id}",
        "/items",
        "/items/{id}",
        "/items/{id}/publish",
        "/items/{id}/unpublish",
    ] {
        assert!(
            paths.keys().any(|k| k.ends_with(p)),
            "{p} missing from {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    let (status, body) = get_json(&app, "/api/v1/no-such-thing").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
    app.teardown().await;
}
