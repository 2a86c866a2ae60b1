//! Use cases of people: accounts and role grants (system administrators everywhere,
//! organisation administrators for users with a grant inside their organisations), and a user's
//! own password, e-mail address and API tokens. Passwords arrive hashed (argon2, in the web layer).

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::{auth, users};
use gongkai_domain::role::{Grant, Role};
use gongkai_domain::totp;

/// Refused as missing unless the caller may manage user `target`.
pub async fn manageable(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    target: i64,
) -> Outcome<()> {
    let orgs: Vec<Option<i64>> = users::grants(conn, target)
        .await?
        .iter()
        .map(|g| g.org_id)
        .collect();
    if caller.perms.can_manage_user(&orgs) {
        Ok(())
    } else {
        Err(Refusal::not_found())
    }
}

/// Refuses a grant the caller may not give: beyond `Permissions::can_grant`, a system
/// administrator names the first security administrator under 三员分立 , and only the first.
async fn check_grant(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    g: &Grant,
) -> Outcome<()> {
    if caller.perms.can_grant(g.role, g.org_id) {
        return Ok(());
    }
    if !caller.perms.may_name_first_security_admin(g.role) {
        return Err(Refusal::forbidden());
    }
    if users::active_holders(conn, Role::SecurityAdmin.code()).await? > 0 {
        return Err(role_refused(
            "已有安全管理员\u{FF1A}其他角色由安全管理员授予".into(),
        ));
    }
    Ok(())
}

/// A grant the separation of duties or self-granting forbids: an error on the role field.
fn role_refused(why: String) -> Refusal {
    let mut inv = gongkai_domain::Invalid::default();
    inv.push("role", why);
    Refusal::Invalid(inv)
}

fn own_id(caller: &Caller<'_>) -> Outcome<i64> {
    caller.actor.user_id.ok_or_else(Refusal::forbidden)
}

/// Creates an account with its first grants; returns the new user's id. The password was chosen
/// by the administrator, so the user must change it at the first sign-in.
pub async fn create_user(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    new: &users::NewUser<'_>,
) -> Outcome<i64> {
    if !caller.perms.can_manage_users() {
        return Err(Refusal::forbidden());
    }
    for g in new.grants {
        check_grant(tx, caller, g).await?;
    }
    let mut held = Vec::new();
    for g in new.grants {
        if let Some(why) = caller.perms.grant_refusal(&held, g.role, false) {
            return Err(role_refused(why));
        }
        held.push(g.role);
    }
    let new = users::NewUser {
        must_change_password: true,
        ..*new
    };
    Ok(users::create(tx, &caller.actor, &new).await?)
}

/// Grants a role to a user the caller manages.
pub async fn grant(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    target: i64,
    g: &Grant,
) -> Outcome<()> {
    manageable(tx, caller, target).await?;
    check_grant(tx, caller, g).await?;
    let held: Vec<Role> = users::grants(tx, target)
        .await?
        .iter()
        .filter_map(|g| Role::from_code(&g.role))
        .collect();
    let by_self = caller.actor.user_id == Some(target);
    if let Some(why) = caller.perms.grant_refusal(&held, g.role, by_self) {
        return Err(role_refused(why));
    }
    users::add_grant(tx, &caller.actor, target, g).await?;
    Ok(())
}

/// Revokes one of a user's grants; nobody revokes their own 系统管理员 role.
pub async fn revoke(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    target: i64,
    grant_id: i64,
) -> Outcome<()> {
    let grants = users::grants(tx, target).await?;
    let g = grants
        .iter()
        .find(|g| g.id == grant_id)
        .ok_or_else(Refusal::not_found)?;
    let role = Role::from_code(&g.role).ok_or_else(Refusal::not_found)?;
    if !caller.perms.can_grant(role, g.org_id) {
        return Err(Refusal::forbidden());
    }
    if Some(target) == caller.actor.user_id && role == Role::SystemAdmin {
        return Err(Refusal::BadRequest(
            "不能撤销自己的系统管理员角色，以免系统失去管理员".into(),
        ));
    }
    users::remove_grant(tx, &caller.actor, grant_id).await?;
    Ok(())
}

/// Enables or disables an account the caller manages; nobody disables their own.
pub async fn set_active(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    target: i64,
    active: bool,
) -> Outcome<()> {
    manageable(tx, caller, target).await?;
    if Some(target) == caller.actor.user_id {
        return Err(Refusal::BadRequest("不能停用自己的账号".into()));
    }
    users::set_active(tx, &caller.actor, target, active).await?;
    Ok(())
}

/// Sets the password of an account the caller manages (its sessions end; the user must change
/// it at the next sign-in).
pub async fn reset_password(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    target: i64,
    password_hash: &str,
) -> Outcome<()> {
    manageable(tx, caller, target).await?;
    users::set_password(
        tx,
        &caller.actor,
        target,
        password_hash,
        users::PasswordSetBy::Assigned,
    )
    .await?;
    Ok(())
}

/// Changes the caller's own password (the current one was checked by the caller).
pub async fn change_own_password(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    password_hash: &str,
) -> Outcome<()> {
    let me = own_id(caller)?;
    users::set_password(
        tx,
        &caller.actor,
        me,
        password_hash,
        users::PasswordSetBy::Owner,
    )
    .await?;
    Ok(())
}

/// Sets or clears the caller's own address for reminder e-mails.
pub async fn change_own_email(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    email: Option<&str>,
) -> Outcome<()> {
    let me = own_id(caller)?;
    users::set_email(tx, &caller.actor, me, email).await?;
    Ok(())
}

/// The password hashes the caller's new password may not repeat (the last `n`).
pub async fn own_recent_password_hashes(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    n: usize,
) -> Outcome<Vec<String>> {
    let me = own_id(caller)?;
    Ok(users::recent_password_hashes(conn, me, n).await?)
}

/// Ends one of the caller's own sessions (identified by its token's hash); refused as missing
/// when the caller has no such session.
pub async fn end_own_session(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    session_hash: &str,
) -> Outcome<()> {
    let me = own_id(caller)?;
    if auth::end_own_session(tx, &caller.actor, me, session_hash).await? {
        Ok(())
    } else {
        Err(Refusal::not_found())
    }
}

/// Stores a new API token of the caller's own (only its hash; the caller shows the token once);
/// its id.
pub async fn issue_own_token(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    name: &str,
    token_hash: &str,
    expires_at_ms: i64,
) -> Outcome<i64> {
    let me = own_id(caller)?;
    Ok(auth::create_token(tx, &caller.actor, me, name, token_hash, expires_at_ms).await?)
}

/// Revokes one of the caller's own API tokens.
pub async fn revoke_own_token(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<()> {
    let me = own_id(caller)?;
    if auth::revoke_token(tx, &caller.actor, me, id).await? {
        Ok(())
    } else {
        Err(Refusal::not_found())
    }
}

/// Starts enrolling the caller in the TOTP second factor with a new random secret (base32);
/// the factor is on only after [`confirm_own_totp`].
pub async fn start_own_totp(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    secret_b32: &str,
) -> Outcome<()> {
    let me = own_id(caller)?;
    users::set_totp(tx, &caller.actor, me, Some(secret_b32), false, 0).await?;
    Ok(())
}

/// Turns the caller's second factor on when `code` is the current code of the secret being
/// enrolled (at `unix_secs`).
pub async fn confirm_own_totp(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    code: &str,
    unix_secs: i64,
) -> Outcome<()> {
    let me = own_id(caller)?;
    let user = users::get(tx, me).await?;
    let secret = match (&user.totp_secret, user.totp_enabled) {
        (Some(s), 0) => s.clone(),
        _ => {
            return Err(Refusal::BadRequest(
                "请先开始设置两步验证\u{FF08}或两步验证已启用\u{FF09}".into(),
            ));
        }
    };
    let bytes = totp::base32_decode(&secret)
        .ok_or_else(|| Refusal::Internal("stored TOTP secret is not base32".into()))?;
    let Some(step) = totp::verify(&bytes, code, unix_secs, user.totp_last_step) else {
        let mut inv = gongkai_domain::Invalid::default();
        inv.push(
            "code",
            "验证码不正确\u{FF1A}请输入验证器应用当前显示的 6 位数字\u{FF08}并确认手机时间准确\u{FF09}",
        );
        return Err(Refusal::Invalid(inv));
    };
    users::set_totp(tx, &caller.actor, me, Some(&secret), true, step).await?;
    Ok(())
}

/// Turns the caller's second factor off (the caller checked the password).
pub async fn disable_own_totp(tx: &mut sqlx::AnyConnection, caller: &Caller<'_>) -> Outcome<()> {
    let me = own_id(caller)?;
    users::set_totp(tx, &caller.actor, me, None, false, 0).await?;
    Ok(())
}
