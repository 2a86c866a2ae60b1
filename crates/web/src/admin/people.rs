//! Users, role grants, the audit log, API tokens and one's own password.

use super::common::{AdminForm, error_map, notice_text, org_options, render};
use crate::auth::{self, CurrentUser};
use crate::util::page_param;
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_app::Refusal;
use gongkai_db::{audit, auth as db_auth, orgs, users};
use gongkai_domain::Invalid;
use gongkai_domain::role::{Grant, Role};
use gongkai_domain::validate;
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    notice: Option<String>,
}

fn roles_json(user: &CurrentUser) -> Vec<serde_json::Value> {
    user.perms
        .grantable_roles()
        .iter()
        .map(|r| json!({"code": r.code(), "label": r.label(), "global": r.is_global()}))
        .collect()
}

/// Users an organisation admin may manage: those with a grant inside their organisations.
fn manageable(user: &CurrentUser, grants: &[users::GrantRow], target: i64) -> bool {
    let theirs: Vec<Option<i64>> = grants
        .iter()
        .filter(|g| g.user_id == target)
        .map(|g| g.org_id)
        .collect();
    user.perms.can_manage_user(&theirs)
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_users() {
        return Err(AppError::forbidden());
    }
    let mut conn = state.db.pool.acquire().await?;
    let all = users::all(&mut conn).await?;
    let grants = users::all_grants(&mut conn).await?;
    let all_orgs = orgs::all(&mut conn).await?;
    let org_name = |id: Option<i64>| {
        id.and_then(|i| all_orgs.iter().find(|o| o.id == i))
            .map(|o| o.name.clone())
    };
    let rows: Vec<_> = all
        .iter()
        .filter(|u| manageable(&user, &grants, u.id))
        .map(|u| {
            let roles: Vec<String> = grants
                .iter()
                .filter(|g| g.user_id == u.id)
                .map(|g| {
                    let label = Role::from_code(&g.role).map(|r| r.label()).unwrap_or("未知角色");
                    match org_name(g.org_id) {
                        Some(o) => format!("{label}（{o}）"),
                        None => label.to_string(),
                    }
                })
                .collect();
            json!({"id": u.id, "username": u.username, "display_name": u.display_name, "active": u.is_active == 1, "roles": roles, "created_at": u.created_at})
        })
        .collect();
    Ok(render(
        &state,
        &user,
        "admin/users.html",
        "users",
        json!({"rows": rows, "notice": notice_text(q.notice.as_deref())}),
    )?
    .into_response())
}

#[derive(Deserialize, Default, serde::Serialize, Clone)]
#[serde(default)]
pub struct NewUserForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
    org_id: String,
}

async fn allowed_org_options(
    state: &AppState,
    user: &CurrentUser,
) -> Result<Vec<serde_json::Value>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let all = orgs::all(&mut conn).await?;
    let allowed: Option<Vec<i64>> = if user.perms.is_system_admin() {
        None
    } else {
        Some(
            all.iter()
                .map(|o| o.id)
                .filter(|id| user.perms.can_manage_users_of(*id))
                .collect(),
        )
    };
    Ok(org_options(&all, allowed.as_deref()))
}

async fn new_form_page(
    state: &AppState,
    user: &CurrentUser,
    f: &NewUserForm,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut shown = f.clone();
    shown.password.clear();
    let html = render(
        state,
        user,
        "admin/user_new.html",
        "users",
        json!({
            "f": shown, "errors": errors.map(error_map).unwrap_or(json!({})),
            "roles": roles_json(user), "org_options": allowed_org_options(state, user).await?,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn new_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_users() {
        return Err(AppError::forbidden());
    }
    new_form_page(
        &state,
        &user,
        &NewUserForm {
            role: "editor".into(),
            ..Default::default()
        },
        None,
        StatusCode::OK,
    )
    .await
}

/// Parses a role and organisation pair from a form, checking that `user` may grant it.
fn parse_grant(user: &CurrentUser, role: &str, org: &str, inv: &mut Invalid) -> Option<Grant> {
    let Some(role) = Role::from_code(role.trim()) else {
        inv.push("role", "请选择角色");
        return None;
    };
    let org_id = if role.is_global() {
        None
    } else {
        match org.trim().parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                inv.push("org_id", format!("角色“{}”须指定所属机构", role.label()));
                return None;
            }
        }
    };
    if !user.perms.can_grant(role, org_id) && !user.perms.may_name_first_security_admin(role) {
        inv.push("role", "您无权授予该角色或该机构的权限");
        return None;
    }
    Some(Grant { role, org_id })
}

pub async fn create(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<NewUserForm>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_users() {
        return Err(AppError::forbidden());
    }
    let mut inv = Invalid::default();
    let username = validate::username(&mut inv, &f.username);
    let display_name =
        validate::required_text(&mut inv, "display_name", "姓名", &f.display_name, 40);
    auth::check_new_password(
        &state,
        &mut inv,
        "password",
        &username,
        &f.password,
        Vec::new(),
    )
    .await?;
    let grant = parse_grant(&user, &f.role, &f.org_id, &mut inv);
    if !inv.is_empty() {
        return new_form_page(
            &state,
            &user,
            &f,
            Some(&inv),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash = auth::hash_password(&f.password)?;
    let grants: Vec<Grant> = grant.into_iter().collect();
    let mut tx = state.db.begin_audited().await?;
    let res = gongkai_app::people::create_user(
        &mut tx,
        &user.caller(),
        &users::NewUser {
            username: &username,
            display_name: &display_name,
            password_hash: &hash,
            must_change_password: true,
            grants: &grants,
        },
    )
    .await;
    match res {
        Ok(id) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/users/{id}?notice=created")).into_response())
        }
        Err(Refusal::Invalid(e)) => {
            drop(tx);
            new_form_page(
                &state,
                &user,
                &f,
                Some(&e),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

async fn detail_page(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    errors: Option<&Invalid>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let target = users::get(&mut conn, id).await?;
    let all_grants = users::all_grants(&mut conn).await?;
    if !manageable(user, &all_grants, id) {
        return Err(AppError::not_found());
    }
    let all_orgs = orgs::all(&mut conn).await?;
    drop(conn);
    let grants: Vec<_> = all_grants
        .iter()
        .filter(|g| g.user_id == id)
        .map(|g| {
            let org = g.org_id.and_then(|o| all_orgs.iter().find(|x| x.id == o)).map(|o| o.name.clone());
            let revocable = Role::from_code(&g.role).is_some_and(|r| user.perms.can_grant(r, g.org_id));
            json!({"id": g.id, "role_label": Role::from_code(&g.role).map(|r| r.label()).unwrap_or("未知角色"), "org": org, "revocable": revocable})
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/user_detail.html",
        "users",
        json!({
            "u": {"id": target.id, "username": target.username, "display_name": target.display_name, "active": target.is_active == 1, "created_at": target.created_at,
                  "must_change": target.must_change_password == 1, "totp": target.totp_enabled == 1,
                  "password_changed_at": target.password_changed_at},
            "grants": grants, "roles": roles_json(user), "org_options": allowed_org_options(state, user).await?,
            "errors": errors.map(error_map).unwrap_or(json!({})), "notice": notice_text(notice), "is_self": target.id == user.id,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn detail(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_manage_users() {
        return Err(AppError::forbidden());
    }
    detail_page(&state, &user, id, None, q.notice.as_deref(), StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct GrantForm {
    role: String,
    org_id: String,
}

pub async fn grant(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<GrantForm>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    gongkai_app::people::manageable(&mut conn, &user.caller(), id).await?;
    drop(conn);
    let mut inv = Invalid::default();
    let Some(g) = parse_grant(&user, &f.role, &f.org_id, &mut inv) else {
        return detail_page(
            &state,
            &user,
            id,
            Some(&inv),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let mut tx = state.db.begin_audited().await?;
    match gongkai_app::people::grant(&mut tx, &user.caller(), id, &g).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/admin/users/{id}?notice=granted")).into_response())
        }
        Err(Refusal::Invalid(e)) => {
            drop(tx);
            detail_page(
                &state,
                &user,
                id,
                Some(&e),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, grant_id)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::revoke(&mut tx, &user.caller(), id, grant_id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?notice=revoked")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    active: String,
}

pub async fn set_active(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<ActiveForm>,
) -> Result<Response, AppError> {
    let active = f.active == "1";
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::set_active(&mut tx, &user.caller(), id, active).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/users/{id}?notice={}",
        if active { "enabled" } else { "disabled" }
    ))
    .into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    AdminForm(f): AdminForm<ResetForm>,
) -> Result<Response, AppError> {
    let mut inv = Invalid::default();
    let mut conn = state.db.pool.acquire().await?;
    let target = users::get(&mut conn, id).await?;
    drop(conn);
    auth::check_new_password(
        &state,
        &mut inv,
        "password",
        &target.username,
        &f.password,
        Vec::new(),
    )
    .await?;
    if !inv.is_empty() {
        return detail_page(
            &state,
            &user,
            id,
            Some(&inv),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash = auth::hash_password(&f.password)?;
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::reset_password(&mut tx, &user.caller(), id, &hash).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/users/{id}?notice=password")).into_response())
}

// ---- own account ----

/// The rules of the password policy, for the forms' hints.
fn password_hint(state: &AppState) -> String {
    let p = state.config.password_policy;
    let mut hint = format!(
        "至少 {} 位\u{FF0C}须包含大写字母\u{3001}小写字母\u{3001}数字\u{3001}符号中的至少三类\u{FF1B}不能是常见密码\u{3001}不能包含登录名或 1234\u{3001}abcd 之类的连续字符",
        p.min_length
    );
    if p.history > 0 {
        hint.push_str(&format!("\u{FF1B}不能与最近 {} 次的密码相同", p.history));
    }
    hint
}

/// The change-password page: where a user whose password must be changed is kept (a generated
/// or administrator-set password, or one past its maximum age), and a plain form for others.
async fn password_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Option<&Invalid>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let me = users::get(&mut conn, user.id).await?;
    drop(conn);
    let reason = if me.must_change_password == 1 {
        Some("您的密码是系统生成或由管理员设置的\u{FF0C}请先设置自己的新密码")
    } else if user.must_change_password {
        Some("您的密码已超过最长使用期限\u{FF0C}请先修改密码")
    } else {
        None
    };
    let html = render(
        state,
        user,
        "admin/password_change.html",
        "account",
        json!({
            "errors": errors.map(error_map).unwrap_or(json!({})),
            "reason": reason, "hint": password_hint(state),
            "max_age_days": state.config.password_policy.max_age_days,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn password_form(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    password_page(&state, &user, None, StatusCode::OK).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndSessionForm {
    session: String,
}

/// Ends another of the signed-in user's own sessions ( 会话管理 on the account page).
pub async fn end_session(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<EndSessionForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::end_own_session(&mut tx, &user.caller(), &f.session).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/account?notice=session").into_response())
}

async fn account_page(
    state: &AppState,
    user: &CurrentUser,
    errors: Option<&Invalid>,
    notice: Option<&str>,
    new_token: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let tokens = db_auth::tokens_of(&mut conn, user.id).await?;
    let me = users::get(&mut conn, user.id).await?;
    let sessions = db_auth::sessions_of(&mut conn, user.id).await?;
    drop(conn);
    let sessions: Vec<serde_json::Value> = sessions
        .iter()
        .map(|s| {
            json!({"id": s.token_hash, "ip": s.ip, "created_at": s.created_at,
                   "last_seen_at": s.last_seen_at, "current": s.token_hash == user.session_hash})
        })
        .collect();
    let html = render(
        state,
        user,
        "admin/account.html",
        "account",
        json!({
            "errors": errors.map(error_map).unwrap_or(json!({})), "notice": notice_text(notice),
            "tokens": tokens, "new_token": new_token, "email": me.email.unwrap_or_default(),
            "now": gongkai_db::now_ms(), "token_days": auth::TOKEN_TTL_DAYS,
            "sessions": sessions, "password_hint": password_hint(state),
            "totp_enabled": me.totp_enabled == 1,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn account(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    account_page(
        &state,
        &user,
        None,
        q.notice.as_deref(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
    confirm_password: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<PasswordForm>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let me = users::get(&mut conn, user.id).await?;
    drop(conn);
    let mut inv = Invalid::default();
    if !auth::verify_password(&f.current_password, &me.password_hash) {
        inv.push("current_password", "当前密码不正确");
    }
    if f.new_password != f.confirm_password {
        inv.push("confirm_password", "两次输入的新密码不一致");
    }
    let mut conn = state.db.pool.acquire().await?;
    let recent = gongkai_app::people::own_recent_password_hashes(
        &mut conn,
        &user.caller(),
        state.config.password_policy.history,
    )
    .await?;
    drop(conn);
    auth::check_new_password(
        &state,
        &mut inv,
        "new_password",
        &user.username,
        &f.new_password,
        recent,
    )
    .await?;
    if !inv.is_empty() && user.must_change_password {
        return password_page(&state, &user, Some(&inv), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    if !inv.is_empty() {
        return account_page(
            &state,
            &user,
            Some(&inv),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let hash = auth::hash_password(&f.new_password)?;
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::change_own_password(&mut tx, &user.caller(), &hash).await?;
    tx.commit().await?;
    // All sessions, including this one, were ended: sign in again with the new password.
    Ok(Redirect::to("/admin/login").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    email: String,
}

/// Sets or clears the signed-in user's address for reminder e-mails.
pub async fn change_email(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<EmailForm>,
) -> Result<Response, AppError> {
    let mut inv = Invalid::default();
    let email = validate::optional_email(&mut inv, "email", &f.email);
    if !inv.is_empty() {
        return account_page(
            &state,
            &user,
            Some(&inv),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::change_own_email(&mut tx, &user.caller(), email.as_deref()).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/account?notice=email").into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<TokenForm>,
) -> Result<Response, AppError> {
    let mut inv = Invalid::default();
    let name = validate::required_text(&mut inv, "name", "令牌名称", &f.name, 40);
    if !inv.is_empty() {
        return account_page(
            &state,
            &user,
            Some(&inv),
            None,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let (token, _) = auth::issue_api_token(&state, &user.caller(), &name).await?;
    account_page(
        &state,
        &user,
        None,
        Some("created"),
        Some(&token),
        StatusCode::OK,
    )
    .await
}

pub async fn revoke_token(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::revoke_own_token(&mut tx, &user.caller(), id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/account?notice=revoked").into_response())
}

// ---- audit log ----

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AuditQuery {
    actor: String,
    action: String,
    entity: String,
    entity_id: String,
    from: String,
    to: String,
    page: String,
}

/// The filter of the audit screen and its export; `action` ending in `*` is a prefix
/// (`auth.*`: sign-ins, sign-outs, lockouts and ended sessions).
fn audit_filter(q: &AuditQuery) -> (audit::AuditFilter, Invalid) {
    let mut inv = Invalid::default();
    let from = validate::optional_date(&mut inv, "from", "起始日期", &q.from);
    let to = validate::optional_date(&mut inv, "to", "截止日期", &q.to);
    let non_empty = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let action = non_empty(&q.action);
    let (action, action_prefix) = match action {
        Some(a) if a.ends_with('*') => (None, Some(a.trim_end_matches('*').to_string())),
        other => (other, None),
    };
    let filter = audit::AuditFilter {
        actor: non_empty(&q.actor),
        action,
        action_prefix,
        entity: non_empty(&q.entity),
        entity_id: non_empty(&q.entity_id),
        from_ms: from.map(gongkai_db::items::china_date_start_ms),
        to_ms: to
            .and_then(|d| d.succ_opt())
            .map(gongkai_db::items::china_date_start_ms),
    };
    (filter, inv)
}

/// The audit log as CSV (UTF-8 with a BOM), with the screen's filter, newest first.
pub async fn audit_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    user.require(user.perms.can_view_audit_log())?;
    let (filter, inv) = audit_filter(&q);
    if !inv.is_empty() {
        return Err(AppError::Invalid(inv));
    }
    let mut conn = state.db.pool.acquire().await?;
    let rows = audit::export(&mut conn, &filter).await?;
    drop(conn);
    use crate::download::csv_field;
    let header = [
        "时间",
        "操作人",
        "操作",
        "对象类型",
        "对象编号",
        "说明",
        "来源地址",
    ];
    let mut body = format!("\u{FEFF}{}\r\n", header.join(","));
    for r in &rows {
        let fields = [
            gongkai_domain::china_time::format_minute(r.at),
            r.actor_name.clone(),
            r.action.clone(),
            r.entity.clone(),
            r.entity_id.clone(),
            r.summary.clone(),
            r.ip.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        body.push_str(&line.join(","));
        body.push_str("\r\n");
    }
    Ok(crate::download::file(
        body,
        "text/csv; charset=utf-8",
        "操作日志.csv",
        Some("audit-log.csv"),
        None,
    ))
}

pub async fn audit_log(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AppError> {
    if !user.perms.can_view_audit_log() {
        return Err(AppError::forbidden());
    }
    let (filter, inv) = audit_filter(&q);
    let mut conn = state.db.pool.acquire().await?;
    let page = audit::list(&mut conn, &filter, page_param(Some(&q.page)), 50).await?;
    let actions = audit::actions(&mut conn).await?;
    let query = format!(
        "actor={}&action={}&entity={}&entity_id={}&from={}&to={}",
        super::items::urlencode(&q.actor),
        super::items::urlencode(&q.action),
        super::items::urlencode(&q.entity),
        super::items::urlencode(&q.entity_id),
        super::items::urlencode(&q.from),
        super::items::urlencode(&q.to)
    );
    let base = format!("/admin/audit?{query}");
    let csv_url = format!("/admin/audit.csv?{query}");
    Ok(render(&state, &user, "admin/audit.html", "audit", json!({
        "rows": page.rows, "total": page.total, "page": page.page, "pages": page.pages(), "base_url": base, "csv_url": csv_url,
        "q": {"actor": q.actor, "action": q.action, "entity": q.entity, "entity_id": q.entity_id, "from": q.from, "to": q.to},
        "actions": actions, "errors": error_map(&inv),
        "entities": [["item", "信息"], ["organisation", "机构"], ["column", "栏目"], ["user", "用户"], ["setting", "设置"], ["api_token", "接口令牌"], ["site", "站点"]],
    }))?
    .into_response())
}

// ---- two-step verification (TOTP) ----

async fn totp_render(
    state: &AppState,
    user: &CurrentUser,
    errors: Option<&Invalid>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let me = users::get(&mut conn, user.id).await?;
    drop(conn);
    let enabled = me.totp_enabled == 1;
    let secret = me.totp_secret.filter(|_| !enabled);
    let uri = secret
        .as_deref()
        .map(|s| gongkai_domain::totp::otpauth_uri("政务公开管理后台", &user.username, s));
    let required = state.config.require_totp_for_admins
        && !enabled
        && user.grants.iter().any(|g| g.role == Role::SystemAdmin);
    let html = render(
        state,
        user,
        "admin/account_totp.html",
        "account",
        json!({
            "errors": errors.map(error_map).unwrap_or(json!({})), "notice": notice,
            "enabled": enabled, "secret": secret, "uri": uri, "required": required,
        }),
    )?;
    Ok((status, html).into_response())
}

pub async fn totp_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, AppError> {
    let notice = match q.notice.as_deref() {
        Some("on") => Some("两步验证已启用\u{3002}"),
        Some("off") => Some("两步验证已关闭\u{3002}"),
        _ => None,
    };
    totp_render(&state, &user, None, notice, StatusCode::OK).await
}

/// Starts enrolment: a new secret, shown on the page until a code confirms it.
pub async fn totp_start(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Response, AppError> {
    let secret = auth::new_totp_secret()?;
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::start_own_totp(&mut tx, &user.caller(), &secret).await?;
    tx.commit().await?;
    Ok(Redirect::to(auth::TOTP_PATH).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TotpCodeForm {
    code: String,
}

pub async fn totp_confirm(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<TotpCodeForm>,
) -> Result<Response, AppError> {
    let mut tx = state.db.begin_audited().await?;
    let unix_secs = gongkai_db::now_ms().div_euclid(1000);
    match gongkai_app::people::confirm_own_totp(&mut tx, &user.caller(), &f.code, unix_secs).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Redirect::to("/admin/account/totp?notice=on").into_response())
        }
        Err(Refusal::Invalid(inv)) => {
            drop(tx);
            totp_render(
                &state,
                &user,
                Some(&inv),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TotpDisableForm {
    current_password: String,
}

pub async fn totp_disable(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(f): AdminForm<TotpDisableForm>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let me = users::get(&mut conn, user.id).await?;
    drop(conn);
    let pw = f.current_password.clone();
    let hash = me.password_hash.clone();
    let ok = tokio::task::spawn_blocking(move || auth::verify_password(&pw, &hash))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    if !ok {
        let mut inv = Invalid::default();
        inv.push("current_password", "当前密码不正确");
        return totp_render(
            &state,
            &user,
            Some(&inv),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mut tx = state.db.begin_audited().await?;
    gongkai_app::people::disable_own_totp(&mut tx, &user.caller()).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/account/totp?notice=off").into_response())
}
