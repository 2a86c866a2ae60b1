//! Rules that live in one use case and therefore hold on every channel: a document linked from
//! an item must be one its editor can see, through the API exactly as through the back office
//! (before the use-case layer the API linked to other organisations' drafts).

use gongkai_domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

both_backends!(
    the_api_refuses_a_link_to_a_document_its_editor_cannot_see,
    |app| async move {
        let finance = app.org_id("市财政局").await;
        let column = app.column_id("czyjs").await;
        // 市统计局's draft: 市财政局's editor cannot see it.
        let hidden = app
            .create_item(app.item("市统计局", "tjxx", "统计局未发布的文件").await)
            .await;
        let editor = app
            .create_user("link-editor", Role::Editor, Some(finance))
            .await;
        let api = app.api_user(editor).await;
        let before = (app.count("items").await, app.audit_count().await);
        let amended = |replaced_by: i64| {
            json!({"title": "已被修改的财政文件", "org_id": finance, "column_ids": [column],
                   "body": "正文", "validity": "amended", "validity_changed_on": "2017-06-01",
                   "replaced_by_item_id": replaced_by.to_string()})
        };
        let (status, err) = api
            .send(Method::POST, "/api/v1/items", Some(&amended(hidden)))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["errors"][0]["field"], "replaced_by_item_id", "{err}");
        assert_eq!(err["errors"][0]["message"], "修改或替代文件不存在");
        assert_eq!(
            (app.count("items").await, app.audit_count().await),
            before,
            "nothing written"
        );

        // Once the document is public the same request is accepted.
        app.publish(hidden).await;
        let (status, created) = api
            .send(Method::POST, "/api/v1/items", Some(&amended(hidden)))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
    }
);
