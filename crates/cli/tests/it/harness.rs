//! The harness itself: the helpers later tests lean on do what they say.

use crate::support::{ADMIN_PASSWORD, PASSWORD};
use gongkai_domain::role::Role;

both_backends!(
    admin_logs_in_and_reaches_the_back_office,
    |app| async move {
        // Not logged in: the back office sends us to the login page.
        let resp = app.get("/admin").await;
        assert!(
            resp.status().is_redirection(),
            "GET /admin anonymously answered {}",
            resp.status()
        );

        app.login("admin", ADMIN_PASSWORD).await;
        app.get_ok("/admin").await;
        // Another client is still anonymous.
        let other = app.new_client();
        let resp = other.get(app.url("/admin")).send().await.unwrap();
        assert!(resp.status().is_redirection());
    }
);

both_backends!(
    created_users_can_log_in_and_wrong_passwords_cannot,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let id = app
            .create_user("caizheng_editor", Role::Editor, Some(org))
            .await;
        let grants = gongkai_db::users::grants(&mut *app.conn().await, id)
            .await
            .unwrap();
        assert_eq!(grants.len(), 1);
        assert_eq!(grants[0].role, "editor");
        assert_eq!(grants[0].org_id, Some(org));

        let resp = app.try_login("caizheng_editor", "wrong-password-1").await;
        assert_ne!(resp.status(), reqwest::StatusCode::SEE_OTHER);

        let client = app.new_client();
        app.login_as(&client, "caizheng_editor", PASSWORD).await;
        let resp = client.get(app.url("/admin")).send().await.unwrap();
        assert_eq!(resp.status(), reqwest::StatusCode::OK);
    }
);

both_backends!(tokens_are_issued_for_users, |app| async move {
    let org = app.org_id("市统计局").await;
    let id = app.create_user("tongji_api", Role::Editor, Some(org)).await;
    let before = app.count("api_tokens").await;
    let token = app.issue_token(id).await;
    assert!(token.starts_with("gk_"), "{token}");
    assert_eq!(app.count("api_tokens").await, before + 1);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_has_the_fields_the_harness_expects() {
    let app = crate::support::TestApp::start(crate::support::Backend::Sqlite).await;
    let page = app.get_ok("/admin/login").await;
    let inputs: Vec<String> = crate::support::html::input_tags(&page)
        .filter_map(|t| crate::support::html::attr(t, "name"))
        .collect();
    for name in ["username", "password", "csrf_token"] {
        assert!(inputs.iter().any(|n| n == name), "{name} in {inputs:?}");
    }
    app.teardown().await;
}
