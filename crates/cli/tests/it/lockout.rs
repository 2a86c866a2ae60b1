//! Lockout per account with backoff, only a throttle per client address, and sign-in events in
//! the audit log.

use crate::support::*;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

/// A login attempt from `ip` (through the trusted proxy the test client plays).
async fn login_from(
    app: &TestApp,
    ip: &str,
    username: &str,
    password: &str,
) -> (StatusCode, String) {
    let client = app.new_client();
    let token = csrf_token_with(app, &client, "/admin/login").await;
    let r = client
        .post(app.url("/admin/login"))
        .header("x-forwarded-for", ip)
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("POST /admin/login");
    (r.status(), r.text().await.unwrap_or_default())
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action.to_owned())
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("count audit rows")
}

both_backends!(one_address_cannot_lock_out_an_office, TestApp::builder().trust_proxy() => |app| async move {
    // An attacker at one address fails 30 times on many names, the administrator's among them.
    for i in 0..30 {
        let name = if i % 10 == 0 { "admin".to_owned() } else { format!("guess{i}") };
        let (s, _) = login_from(&app, "203.0.113.9", &name, "wrong-password").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    // The address is throttled, and the message says it is the address, until when.
    let (s, body) = login_from(&app, "203.0.113.9", "admin", ADMIN_PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("203.0.113.9") && body.contains("北京时间") && body.contains("账号本身未被锁定"), "{body}");
    // The administrator, elsewhere in the office, signs in.
    let (s, body) = login_from(&app, "198.51.100.20", "admin", ADMIN_PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(audited(&app, "auth.login").await, 1);
    assert_eq!(audited(&app, "auth.login_failed").await, 30);
    assert_eq!(audited(&app, "auth.throttled").await, 1);
});

both_backends!(an_account_locks_with_backoff_and_says_until_when, TestApp::builder().trust_proxy() => |app| async move {
    app.create_user("bianji", Role::Editor, Some(app.org_id("市财政局").await)).await;
    for i in 0..4 {
        let (s, _) = login_from(&app, &format!("198.51.100.{i}"), "bianji", "wrong").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, body) = login_from(&app, "198.51.100.7", "bianji", "wrong").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("账号\u{201C}bianji\u{201D}已被临时锁定至") && body.contains("北京时间"), "{body}");
    // From any address, even with the right password, until the lock ends.
    let (s, _) = login_from(&app, "192.0.2.1", "bianji", PASSWORD).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(audited(&app, "auth.lockout").await, 1);
    assert_eq!(audited(&app, "auth.locked").await, 1);
    // Backoff: each failure after a lock doubles it.
    assert_eq!(gongkai_web::auth::lock_duration(4), None);
    assert_eq!(gongkai_web::auth::lock_duration(5), Some(15 * 60_000));
    assert_eq!(gongkai_web::auth::lock_duration(6), Some(30 * 60_000));
    assert_eq!(gongkai_web::auth::lock_duration(40), Some(24 * 3_600_000));
    // Another account is not affected; signing out is audited.
    let client = app.new_client();
    app.login_as(&client, "admin", ADMIN_PASSWORD).await;
    let token = csrf_token_with(&app, &client, "/admin").await;
    let r = client.post(app.url("/admin/logout")).form(&[("csrf_token", token.as_str())]).send().await.expect("logout");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(audited(&app, "auth.logout").await, 1);
});
