//! API tokens that expire and die with a password change or a disabled account; no-store on the
//! back office, HSTS with an https address; the probes; `gongkai admin reset-password`.

use crate::support::*;
use gongkai_domain::role::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Whether the token authenticates: a write with an empty title is refused as invalid (422)
/// only after the token is accepted.
async fn token_works(app: &TestApp, token: &str) -> bool {
    let (status, _) = app
        .api_token(token)
        .send(Method::POST, "/api/v1/items", Some(&json!({"title": ""})))
        .await;
    assert!(
        matches!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY | StatusCode::UNAUTHORIZED
        ),
        "{status}"
    );
    status == StatusCode::UNPROCESSABLE_ENTITY
}

both_backends!(
    api_tokens_expire_and_die_with_the_password,
    |app| async move {
        let org = app.org_id("市财政局").await;
        let editor = app.create_user("api-editor", Role::Editor, Some(org)).await;

        // Expiry: 90 days from creation, shown on the account page.
        let expiring = app.issue_token(editor).await;
        assert!(token_works(&app, &expiring).await);
        let (created, expires): (i64, i64) =
            sqlx::query_as("SELECT created_at, expires_at FROM api_tokens WHERE user_id = $1")
                .bind(editor)
                .fetch_one(&mut *app.conn().await)
                .await
                .expect("the token");
        assert!(
            (expires - created - 90 * 86_400_000).abs() < 60_000,
            "{created} {expires}"
        );
        sqlx::query("UPDATE api_tokens SET expires_at = $1 WHERE user_id = $2")
            .bind(gongkai_db::now_ms() - 1)
            .bind(editor)
            .execute(&mut *app.conn().await)
            .await
            .expect("expire it");
        assert!(
            !token_works(&app, &expiring).await,
            "an expired token is refused"
        );

        // A password reset by an administrator revokes the user's tokens.
        let token = app.issue_token(editor).await;
        assert!(token_works(&app, &token).await);
        let admin = app.admin().await;
        let r = admin
            .post(
                &format!("/admin/users/{editor}/password"),
                &[("password", "Another-Pass-2026")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert!(!token_works(&app, &token).await, "a reset revokes tokens");

        // Disabling the account revokes them too (not only refuses them while disabled).
        let token = app.issue_token(editor).await;
        let mut tx = app.db().begin().await.expect("begin");
        gongkai_db::users::set_active(&mut tx, &app.actor(), editor, false)
            .await
            .expect("disable");
        gongkai_db::users::set_active(&mut tx, &app.actor(), editor, true)
            .await
            .expect("enable");
        tx.commit().await.expect("commit");
        assert!(!token_works(&app, &token).await, "disabling revokes tokens");
        let live: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL",
        )
        .bind(editor)
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("count");
        assert_eq!(live, 0, "a reset revokes every token, expired ones too");

        // The account page shows the expiry rule and each token's date.
        let (s, page) = admin
            .submit("/admin/account/tokens", &[("name", "数据报送系统")])
            .await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            page.contains("有效期至") && page.contains("90 天内有效"),
            "{page}"
        );
    }
);

both_backends!(
    back_office_is_no_store_and_probes_answer,
    |app| async move {
        let admin = app.admin().await;
        let r = admin.get("/admin/items").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["cache-control"], "no-store");
        // An export too.
        let r = admin.get("/admin/setup/template.csv").await;
        assert_eq!(r.headers()["cache-control"], "no-store", "{}", r.status());
        // The portal is not, and without an https public_url there is no HSTS.
        let r = app
            .new_client()
            .get(app.url("/"))
            .send()
            .await
            .expect("GET /");
        assert_ne!(
            r.headers()
                .get("cache-control")
                .map(|v| v.to_str().unwrap_or("")),
            Some("no-store")
        );
        assert!(r.headers().get("strict-transport-security").is_none());

        // Probes: live at once; ready once the database answers and the index is built.
        let get = |path: &'static str| {
            let app = app.clone();
            async move {
                let r = app
                    .new_client()
                    .get(app.url(path))
                    .send()
                    .await
                    .expect("probe");
                (r.status(), r.text().await.unwrap_or_default())
            }
        };
        assert_eq!(get("/healthz").await, (StatusCode::OK, "ok".to_owned()));
        app.state()
            .search
            .catch_up(app.db())
            .await
            .expect("build the index");
        let (s, body) = get("/readyz").await;
        assert_eq!(s, StatusCode::OK, "{body}");
        assert!(body.contains("\"database\":\"ok\""), "{body}");
        app.db().pool.close().await;
        let (s, body) = get("/readyz").await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert!(body.contains("\"database\":\"unavailable\""), "{body}");
        assert_eq!(get("/healthz").await.0, StatusCode::OK);
    }
);

both_backends!(hsts_when_the_public_address_is_https, TestApp::builder().public_url("https://gk.example.gov.cn") => |app| async move {
    let r = app.new_client().get(app.url("/healthz")).send().await.expect("GET /healthz");
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
});

both_backends!(reset_password_from_the_shell, |app| async move {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(["admin", "reset-password", "admin", "--data-dir"])
        .arg(app.data_dir());
    if let Some(url) = app.postgres_url() {
        cmd.args(["--database-url", &url]);
    }
    let out = cmd.output().expect("run gongkai admin reset-password");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password = stdout
        .trim()
        .rsplit('\u{FF1A}')
        .next()
        .expect("the password after the colon")
        .to_owned();
    assert!(
        password.starts_with("Gk") && password.len() == 20,
        "{stdout}"
    );
    // The old password no longer works; the new one does; the reset is audited.
    assert_eq!(
        app.try_login("admin", ADMIN_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    app.login_as(&app.new_client(), "admin", &password).await;
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'user.password' AND actor_name LIKE '%reset-password%'",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .expect("count");
    assert_eq!(audited, 1);
    // An unknown user: a clear refusal, nothing written.
    let before = app.audit_count().await;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"));
    cmd.args(["admin", "reset-password", "nobody", "--data-dir"])
        .arg(app.data_dir());
    if let Some(url) = app.postgres_url() {
        cmd.args(["--database-url", &url]);
    }
    let out = cmd.output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有用户名为 nobody 的用户"));
    assert_eq!(app.audit_count().await, before);
});
