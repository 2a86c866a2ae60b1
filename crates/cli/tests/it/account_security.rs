//! 等保 2.0 account and session controls (issue 18, item 4): the password policy (length,
//! classes, common passwords, the user name, history), the forced change of generated and
//! administrator-set passwords and of old ones, idle timeout and lifetime of sessions, the limit
//! of concurrent sessions and 会话管理 , and the audit of sign-outs and ended sessions.

use crate::support::*;
use gongkai_domain::account_policy::SessionPolicy;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

const GOOD_A: &str = "Kx7-Lantern-Hill";
const GOOD_B: &str = "Rv9#Maple-Stone";
const GOOD_C: &str = "Tq6*Harbor-Wind";

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action.to_owned())
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("count audit rows")
}

async fn password_hash(app: &TestApp, user: i64) -> String {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("the hash")
}

/// Changes the password of the signed-in `client` (whose CSRF token is on the change page);
/// the status and the Location or the body.
async fn change(
    app: &TestApp,
    client: &reqwest::Client,
    current: &str,
    new: &str,
) -> (StatusCode, String) {
    let token = csrf_token_with(app, client, "/admin/account/password").await;
    let r = client
        .post(app.url("/admin/account/password"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("current_password", current),
            ("new_password", new),
            ("confirm_password", new),
        ])
        .send()
        .await
        .expect("POST /admin/account/password");
    outcome(r).await
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

both_backends!(
    weak_common_and_reused_passwords_are_refused,
    |app| async move {
        let id = app.create_user("zhangsan", Role::Editor, None).await;
        let client = app.new_client();
        app.login_as(&client, "zhangsan", PASSWORD).await;
        let before = password_hash(&app, id).await;
        let audit_before = app.audit_count().await;
        for (new, message) in [
            ("Ab1-short", "至少 10 位"),
            ("lanternhillgate", "至少三类"),
            ("Password2026!", "过于常见"),
            ("P@ssw0rd-2026", "过于常见"),
            ("Zhangsan-2026!", "登录名"),
            ("Kx7-1234-Hill", "连续"),
            ("Kx7-Qwer-Hill", "连续"),
            ("Kx7-Laaa-Hill", "重复"),
        ] {
            let (s, body) = change(&app, &client, PASSWORD, new).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
            assert!(
                body.contains(message),
                "{new}: {message} in\n{}",
                html::excerpt(&body)
            );
        }
        assert_eq!(password_hash(&app, id).await, before, "nothing changed");
        assert_eq!(app.audit_count().await, audit_before, "nothing audited");

        // A good one is taken (every session ends: sign in again), then the old ones are refused.
        let (s, to) = change(&app, &client, PASSWORD, GOOD_A).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
        app.login_as(&client, "zhangsan", GOOD_A).await;
        // The current password is one of the last five too.
        let (s, body) = change(&app, &client, GOOD_A, GOOD_A).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("最近 5 次"), "{}", html::excerpt(&body));
        let (s, _) = change(&app, &client, GOOD_A, GOOD_B).await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        app.login_as(&client, "zhangsan", GOOD_B).await;
        for old in [GOOD_A, GOOD_B] {
            let (s, body) = change(&app, &client, GOOD_B, old).await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{old}");
            assert!(body.contains("最近 5 次"), "{old}");
        }
        let history: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM password_history WHERE user_id = $1")
                .bind(id)
                .fetch_one(&mut *app.conn().await)
                .await
                .expect("count");
        assert_eq!(history, 2);
        let (s, _) = change(&app, &client, GOOD_B, GOOD_C).await;
        assert_eq!(s, StatusCode::SEE_OTHER);

        // An administrator's initial password meets the policy too.
        let admin = app.admin().await;
        let org = app.org_id("盘锦市财政局").await;
        let (s, body) = admin
            .submit(
                "/admin/users",
                &[
                    ("username", "lisi"),
                    ("display_name", "李四"),
                    ("password", "Password12345"),
                    ("role", "editor"),
                    ("org_id", &org.to_string()),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("过于常见"), "{}", html::excerpt(&body));
    }
);

both_backends!(
    assigned_and_old_passwords_must_be_changed_first,
    |app| async move {
        // An administrator creates an account: its first password is the administrator's.
        let admin = app.admin().await;
        let org = app.org_id("盘锦市财政局").await;
        let (s, to) = admin
            .submit(
                "/admin/users",
                &[
                    ("username", "wangwu"),
                    ("display_name", "王五"),
                    ("password", GOOD_A),
                    ("role", "editor"),
                    ("org_id", &org.to_string()),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{to}");
        let client = app.new_client();
        let r = app.try_login_as(&client, "wangwu", GOOD_A).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&r), "/admin/account/password");
        // Every other back-office page sends the user there.
        for path in [
            "/admin",
            "/admin/items",
            "/admin/account",
            "/admin/items/new",
        ] {
            let r = client.get(app.url(path)).send().await.expect("GET");
            assert_eq!(r.status(), StatusCode::SEE_OTHER, "{path}");
            assert_eq!(location(&r), "/admin/account/password", "{path}");
        }
        let page = client
            .get(app.url("/admin/account/password"))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .unwrap_or_default();
        assert!(page.contains("由管理员设置"), "{}", html::excerpt(&page));
        // A POST elsewhere is refused the same way, and writes nothing.
        let token = csrf_token_with(&app, &client, "/admin/account/password").await;
        let before = app.audit_count().await;
        let r = client
            .post(app.url("/admin/account/tokens"))
            .form(&[("csrf_token", token.as_str()), ("name", "x")])
            .send()
            .await
            .expect("POST");
        assert_eq!(location(&r), "/admin/account/password");
        assert_eq!(app.audit_count().await, before);

        let (s, to) = change(&app, &client, GOOD_A, GOOD_B).await;
        assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
        let r = app.try_login_as(&client, "wangwu", GOOD_B).await;
        assert_eq!(location(&r), "/admin");
        assert_eq!(
            client
                .get(app.url("/admin/items"))
                .send()
                .await
                .expect("GET")
                .status(),
            StatusCode::OK
        );

        // An administrator's reset, and the server shell's, mark the account again.
        let id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'wangwu'")
            .fetch_one(&mut *app.conn().await)
            .await
            .expect("id");
        let (s, _) = admin
            .submit(
                &format!("/admin/users/{id}/password"),
                &[("password", GOOD_C)],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let r = app.try_login_as(&app.new_client(), "wangwu", GOOD_C).await;
        assert_eq!(location(&r), "/admin/account/password");
        let (generated, _) = gongkai::admin_cmd::reset_password(app.db(), "wangwu")
            .await
            .expect("reset from the shell");
        let r = app
            .try_login_as(&app.new_client(), "wangwu", &generated)
            .await;
        assert_eq!(location(&r), "/admin/account/password");

        // A password past the maximum age (90 days) must be changed too.
        let old = gongkai_db::now_ms() - 91 * 86_400_000;
        sqlx::query("UPDATE users SET password_changed_at = $1 WHERE username = 'admin'")
            .bind(old)
            .execute(&mut *app.conn().await)
            .await
            .expect("age the password");
        let client = app.new_client();
        let r = app.try_login_as(&client, "admin", ADMIN_PASSWORD).await;
        assert_eq!(location(&r), "/admin/account/password");
        let page = client
            .get(app.url("/admin/account/password"))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .unwrap_or_default();
        assert!(
            page.contains("超过最长使用期限"),
            "{}",
            html::excerpt(&page)
        );
        // The API is not bound to the change (docs/decisions.md).
        let api = app.api_user(id).await;
        let r = api
            .request(reqwest::Method::GET, "/api/v1/items/999999/draft")
            .send()
            .await
            .expect("GET");
        assert_eq!(
            r.status(),
            StatusCode::NOT_FOUND,
            "signed in, nothing there"
        );
    }
);

fn short_sessions() -> SessionPolicy {
    SessionPolicy {
        idle_timeout_ms: 60_000,
        lifetime_ms: 3_600_000,
        max_sessions: 2,
    }
}

both_backends!(sessions_end_when_idle_or_old, TestApp::builder().session_policy(short_sessions()) => |app| async move {
    app.create_user("zhaoliu", Role::Editor, None).await;
    let set = async |column: &str, value: i64| {
        let sql = match column {
            "last_seen_at" => "UPDATE sessions SET last_seen_at = $1",
            _ => "UPDATE sessions SET expires_at = $1",
        };
        sqlx::query(sql)
            .bind(value)
            .execute(&mut *app.conn().await)
            .await
            .expect("update the session");
    };
    let client = app.new_client();
    app.login_as(&client, "zhaoliu", PASSWORD).await;
    let now = gongkai_db::now_ms();
    // Used 30 s ago: still live, and the use is recorded.
    set("last_seen_at", now - 30_000).await;
    let r = client.get(app.url("/admin/account")).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    let seen: i64 = sqlx::query_scalar("SELECT last_seen_at FROM sessions")
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("last seen");
    assert!(seen >= now, "the use is recorded");
    // Idle for longer than the timeout: signed out.
    set("last_seen_at", gongkai_db::now_ms() - 61_000).await;
    let r = client.get(app.url("/admin/account")).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin/login");

    // Active but past the absolute lifetime: signed out too.
    app.login_as(&client, "zhaoliu", PASSWORD).await;
    assert_eq!(
        client.get(app.url("/admin/account")).send().await.expect("GET").status(),
        StatusCode::OK
    );
    set("expires_at", gongkai_db::now_ms() - 1).await;
    let r = client.get(app.url("/admin/account")).send().await.expect("GET");
    assert_eq!(location(&r), "/admin/login");
});

both_backends!(concurrent_sessions_are_limited_and_managed, TestApp::builder().session_policy(short_sessions()) => |app| async move {
    app.create_user("sunqi", Role::Editor, None).await;
    let first = app.user("sunqi", PASSWORD).await;
    let second = app.user("sunqi", PASSWORD).await;
    first.get_ok("/admin/account").await;
    assert_eq!(audited(&app, "auth.session_ended").await, 0);
    // A third sign-in ends the oldest (the limit is 2), audited.
    let third = app.user("sunqi", PASSWORD).await;
    let r = first.get("/admin/account").await;
    assert_eq!(location(&r), "/admin/login", "the oldest session ended");
    second.get_ok("/admin/account").await;
    third.get_ok("/admin/account").await;
    assert_eq!(audited(&app, "auth.session_ended").await, 1);

    // 会话管理 : the account page lists both; the user ends the other one.
    let page = third.get_ok("/admin/account").await;
    assert!(page.contains("会话管理") && page.contains("当前会话"), "{}", html::excerpt(&page));
    let other = page
        .split("name=\"session\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the other session's end button")
        .to_owned();
    assert_eq!(page.matches("name=\"session\"").count(), 1, "only the other one has a button");
    let (s, to) = third.submit("/admin/account/sessions/end", &[("session", &other)]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/admin/account?notice=session"));
    assert_eq!(location(&second.get("/admin/account").await), "/admin/login");
    assert_eq!(audited(&app, "auth.session_ended").await, 2);
    // Someone else's session cannot be ended by name: nothing happens.
    let (s, _) = third.submit("/admin/account/sessions/end", &[("session", "0123abcd")]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Signing out is audited.
    let (s, to) = third.submit("/admin/logout", &[]).await;
    assert_eq!((s, to.as_str()), (StatusCode::SEE_OTHER, "/admin/login"));
    assert_eq!(audited(&app, "auth.logout").await, 1);
    assert_eq!(location(&third.get("/admin/account").await), "/admin/login");
});

both_backends!(
    audit_screen_lists_and_exports_security_events,
    |app| async move {
        app.create_user("zhouba", Role::Editor, None).await;
        let editor = app.user("zhouba", PASSWORD).await;
        let r = app
            .try_login_as(&app.new_client(), "zhouba", "Wrong-Pass-2026")
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let admin = app.admin().await;
        let page = admin.get_ok("/admin/audit?action=auth.*").await;
        assert!(
            page.contains("<code>auth.login</code>")
                && page.contains("<code>auth.login_failed</code>"),
            "{}",
            html::excerpt(&page)
        );
        assert!(
            !page.contains("<code>user.create</code>"),
            "only auth.* rows"
        );
        assert!(
            page.contains("/admin/audit.csv?"),
            "the export link keeps the filter"
        );
        // By user and date.
        let today = gongkai_db::china_today().to_string();
        let page = admin
            .get_ok(&format!(
                "/admin/audit?action=auth.*&actor=zhouba&from={today}&to={today}"
            ))
            .await;
        assert!(page.contains("<code>auth.login_failed</code>"));
        let page = admin
            .get_ok("/admin/audit?action=auth.*&actor=zhouba&to=2020-01-01")
            .await;
        assert!(
            !page.contains("<code>auth.login_failed</code>"),
            "nothing before 2020"
        );
        let r = admin.get("/admin/audit?from=2026-13-01").await;
        assert_eq!(
            r.status(),
            StatusCode::OK,
            "a bad date is a field error on the page"
        );

        let r = admin.get("/admin/audit.csv?action=auth.*").await;
        assert_eq!(r.status(), StatusCode::OK);
        assert!(
            r.headers()["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("text/csv")
        );
        let csv = r.text().await.unwrap_or_default();
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some(
                format!(
                    "\u{FEFF}{}",
                    [
                        "时间",
                        "操作人",
                        "操作",
                        "对象类型",
                        "对象编号",
                        "说明",
                        "来源地址"
                    ]
                    .join(",")
                )
                .as_str()
            )
        );
        let rest: Vec<&str> = lines.collect();
        assert!(rest.iter().any(|l| l.contains(",auth.login,")), "{csv}");
        assert!(rest.iter().all(|l| l.contains(",auth.")), "{csv}");
        let r = admin.get("/admin/audit.csv?to=2026-02-30").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Not for an editor.
        assert_eq!(
            editor.get("/admin/audit").await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            editor.get("/admin/audit.csv").await.status(),
            StatusCode::FORBIDDEN
        );

        // The audit administrator （审计管理员） sees the log and its export, and manages nothing.
        app.create_user("shenji", Role::AuditAdmin, None).await;
        let auditor = app.user("shenji", PASSWORD).await;
        assert!(
            auditor
                .get_ok("/admin/audit?action=auth.*")
                .await
                .contains("<code>auth.login</code>")
        );
        assert_eq!(
            auditor.get("/admin/audit.csv").await.status(),
            StatusCode::OK
        );
        for path in ["/admin/users", "/admin/settings", "/admin/columns"] {
            assert_eq!(
                auditor.get(path).await.status(),
                StatusCode::FORBIDDEN,
                "{path}"
            );
        }
    }
);

fn code(secret: &str, step_offset: i64) -> String {
    use gongkai_domain::totp;
    let bytes = totp::base32_decode(secret).expect("a base32 secret");
    let now = gongkai_db::now_ms().div_euclid(1000);
    totp::code_at(&bytes, totp::step_of(now) + step_offset).expect("a code")
}

/// Posts the second-factor code of a sign-in waiting for it.
async fn give_code(app: &TestApp, client: &reqwest::Client, code: &str) -> reqwest::Response {
    let token = csrf_token_with(app, client, "/admin/login/totp").await;
    client
        .post(app.url("/admin/login/totp"))
        .form(&[("csrf_token", token.as_str()), ("code", code)])
        .send()
        .await
        .expect("POST /admin/login/totp")
}

both_backends!(totp_second_factor_enrol_and_sign_in, |app| async move {
    let admin = app.admin().await;
    assert!(
        admin
            .get_ok("/admin/account/totp")
            .await
            .contains("开始设置")
    );
    let (s, to) = admin.submit("/admin/account/totp", &[]).await;
    assert_eq!(
        (s, to.as_str()),
        (StatusCode::SEE_OTHER, "/admin/account/totp")
    );
    let page = admin.get_ok("/admin/account/totp").await;
    let secret = page
        .split("id=\"totp-secret\">")
        .nth(1)
        .and_then(|r| r.split('<').next())
        .expect("the secret on the page")
        .to_owned();
    assert!(page.contains("otpauth://totp/"), "{}", html::excerpt(&page));
    // A wrong code is refused and changes nothing.
    let wrong = if code(&secret, 0) == "000000" {
        "111111"
    } else {
        "000000"
    };
    let (s, body) = admin
        .submit("/admin/account/totp/confirm", &[("code", wrong)])
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("验证码不正确"));
    let (s, to) = admin
        .submit(
            "/admin/account/totp/confirm",
            &[("code", &code(&secret, 0))],
        )
        .await;
    assert_eq!(
        (s, to.as_str()),
        (StatusCode::SEE_OTHER, "/admin/account/totp?notice=on")
    );
    assert_eq!(audited(&app, "user.totp").await, 2);
    // The audit screen finds a back-office actor ( 显示名（用户名） ) by the user name.
    let page = admin
        .get_ok("/admin/audit?actor=admin&action=user.totp")
        .await;
    assert_eq!(page.matches("<code>user.totp</code>").count(), 2);

    // Sign-in now asks for the code; the waiting sign-in grants nothing.
    let client = app.new_client();
    let r = app.try_login_as(&client, "admin", ADMIN_PASSWORD).await;
    assert_eq!(location(&r), "/admin/login/totp");
    let r = client
        .get(app.url("/admin/items"))
        .send()
        .await
        .expect("GET");
    assert_eq!(location(&r), "/admin/login");
    // A wrong code ends the attempt (sign in again), audited as a failure.
    let failed = audited(&app, "auth.login_failed").await;
    let r = give_code(&app, &client, wrong).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.text()
            .await
            .unwrap_or_default()
            .contains("两步验证码不正确")
    );
    assert_eq!(audited(&app, "auth.login_failed").await, failed + 1);
    let r = client
        .get(app.url("/admin/login/totp"))
        .send()
        .await
        .expect("GET");
    assert_eq!(location(&r), "/admin/login", "the waiting sign-in is gone");
    // The right code signs in (the code used to enrol does not work twice: the next one does).
    let logins = audited(&app, "auth.login").await;
    let r = app.try_login_as(&client, "admin", ADMIN_PASSWORD).await;
    assert_eq!(location(&r), "/admin/login/totp");
    let r = give_code(&app, &client, &code(&secret, 1)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/admin");
    assert_eq!(
        client
            .get(app.url("/admin/items"))
            .send()
            .await
            .expect("GET")
            .status(),
        StatusCode::OK
    );
    assert_eq!(audited(&app, "auth.login").await, logins + 1);
    assert_eq!(audited(&app, "auth.second_factor").await, 2);

    // Recovery: `gongkai admin reset-password` clears the second factor too.
    let (generated, _) = gongkai::admin_cmd::reset_password(app.db(), "admin")
        .await
        .expect("reset from the shell");
    let r = app
        .try_login_as(&app.new_client(), "admin", &generated)
        .await;
    assert_eq!(location(&r), "/admin/account/password");
});

both_backends!(totp_can_be_required_for_system_administrators, TestApp::builder().require_totp_for_admins() => |app| async move {
    let client = app.new_client();
    app.login_as(&client, "admin", ADMIN_PASSWORD).await;
    let r = client.get(app.url("/admin/items")).send().await.expect("GET");
    assert_eq!(location(&r), "/admin/account/totp");
    let page = client
        .get(app.url("/admin/account/totp"))
        .send()
        .await
        .expect("GET")
        .text()
        .await
        .unwrap_or_default();
    assert!(page.contains("系统管理员须启用两步验证"), "{}", html::excerpt(&page));
    // A forced password change comes first, without a redirect loop.
    let (generated, _) = gongkai::admin_cmd::reset_password(app.db(), "admin")
        .await
        .expect("reset from the shell");
    let client = app.new_client();
    let r = app.try_login_as(&client, "admin", &generated).await;
    assert_eq!(location(&r), "/admin/account/password");
    let r = client.get(app.url("/admin/account/password")).send().await.expect("GET");
    assert_eq!(r.status(), StatusCode::OK);
    let (s, _) = change(&app, &client, &generated, GOOD_A).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    app.login_as(&client, "admin", GOOD_A).await;
    let r = client.get(app.url("/admin/items")).send().await.expect("GET");
    assert_eq!(location(&r), "/admin/account/totp", "then the second factor");
    // Other roles are not bound.
    app.create_user("wujiu", Role::Editor, None).await;
    let editor = app.user("wujiu", PASSWORD).await;
    editor.get_ok("/admin/account").await;
});

async fn refusals_of(app: &TestApp, user_id: i64) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT entity_id, summary FROM audit_log WHERE action = 'auth.refused' AND actor_id = $1 \
         ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *app.conn().await)
    .await
    .expect("refusal rows")
}

both_backends!(refused_operations_are_in_the_audit_log, |app| async move {
    let id = app.create_user("jujue", Role::Editor, None).await;
    let editor = app.user("jujue", PASSWORD).await;
    let before = audited(&app, "auth.refused").await;

    // No permission: refused and recorded under the user's own name, route and reason.
    assert_eq!(
        editor.get("/admin/users").await.status(),
        StatusCode::FORBIDDEN
    );
    let rows = refusals_of(&app, id).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "GET /admin/users");
    assert!(
        rows[0].1.contains("/admin/users\u{FF1A}") && rows[0].1.contains("无权"),
        "{rows:?}"
    );

    // A failed CSRF check of a signed-in user is a refusal too.
    let r = editor
        .post_without_csrf("/admin/account/password", &[("current_password", PASSWORD)])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let rows = refusals_of(&app, id).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows[1].1.contains("CSRF"), "{rows:?}");

    // Anonymous requests are not recorded (they are sent to sign in).
    let visitor = app.visitor();
    let _ = visitor.get("/admin/users").await;
    let _ = visitor
        .post_without_csrf("/admin/account/password", &[("current_password", "x")])
        .await;
    assert_eq!(audited(&app, "auth.refused").await, before + 2);

    // The audit screen lists them with the sign-ins.
    let admin = app.admin().await;
    let page = admin.get_ok("/admin/audit?action=auth.*").await;
    assert!(page.contains("<code>auth.refused</code>"), "{page}");
});

async fn first_org(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT MIN(id) FROM organisations")
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("an organisation")
}

both_backends!(
    the_three_administrators_are_separate_people,
    TestApp::builder().separation_of_duties() => |app| async move {
        let org = first_org(&app).await.to_string();
        let admin = app.admin().await;

        // Nobody grants yet: the system administrator names the first security administrator,
        // and only the first.
        let first = app.create_user("diyi", Role::Reviewer, None).await;
        let second = app.create_user("dier", Role::Reviewer, None).await;
        let form = admin.get_ok(&format!("/admin/users/{first}")).await;
        assert!(form.contains("value=\"security_admin\"") && !form.contains("value=\"editor\""));
        let (s, to) = admin
            .submit(&format!("/admin/users/{first}/grants"), &[("role", "security_admin")])
            .await;
        assert_eq!((s, to), (StatusCode::SEE_OTHER, format!("/admin/users/{first}?notice=granted")));
        let (s, body) = admin
            .submit(&format!("/admin/users/{second}/grants"), &[("role", "security_admin")])
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("已有安全管理员"), "{body}");

        let anquan = app.create_user("anquan", Role::SecurityAdmin, None).await;
        let shenji = app.create_user("shenji", Role::AuditAdmin, None).await;
        let ops = app.create_user("yunwei", Role::SystemAdmin, None).await;
        let plain = app.create_user("putong", Role::Reviewer, None).await;

        // The system administrator runs the site but grants nothing and reads no audit log.
        assert_eq!(admin.get("/admin/audit").await.status(), StatusCode::FORBIDDEN);
        let (s, _) = admin
            .submit(
                &format!("/admin/users/{plain}/grants"),
                &[("role", "editor"), ("org_id", org.as_str())],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(admin.get("/admin/settings").await.status(), StatusCode::OK);

        // The security administrator grants, but never a second administrator's role, and never
        // to themselves; and sees no audit log.
        let security = app.user("anquan", PASSWORD).await;
        let (s, to) = security
            .submit(
                &format!("/admin/users/{plain}/grants"),
                &[("role", "editor"), ("org_id", org.as_str())],
            )
            .await;
        assert_eq!((s, to), (StatusCode::SEE_OTHER, format!("/admin/users/{plain}?notice=granted")));
        let (s, body) = security
            .submit(&format!("/admin/users/{ops}/grants"), &[("role", "audit_admin")])
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("不能再兼任"), "{body}");
        let (s, body) = security
            .submit(&format!("/admin/users/{anquan}/grants"), &[("role", "system_admin")])
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("不能给自己授予角色"), "{body}");
        assert_eq!(security.get("/admin/audit").await.status(), StatusCode::FORBIDDEN);
        let roles: Vec<String> = sqlx::query_scalar("SELECT role FROM user_roles WHERE user_id = $1")
            .bind(ops)
            .fetch_all(&mut *app.conn().await)
            .await
            .expect("grants");
        assert_eq!(roles, vec!["system_admin".to_owned()]);

        // The audit administrator reads the log, with the refusals above in it.
        let auditor = app.user("shenji", PASSWORD).await;
        let page = auditor.get_ok("/admin/audit?action=auth.*").await;
        assert!(page.contains("<code>auth.refused</code>"), "{page}");
        assert_eq!(auditor.get("/admin/users").await.status(), StatusCode::FORBIDDEN);
        let _ = shenji;
    }
);
