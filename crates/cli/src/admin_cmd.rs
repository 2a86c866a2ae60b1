//! `gongkai admin reset-password USER`: from the server's shell, gives a user a new generated
//! password and prints it once (the way back in when the first-run password is lost). Like a
//! reset in the back office it ends the user's sessions and revokes their API tokens, and it is
//! in the audit log; it changes nothing else (a disabled account stays disabled).

use crate::config::{DbArgs, FileConfig, Settings};
use gongkai_app::Caller;
use gongkai_db::{Actor, Db, users};
use gongkai_domain::role::Permissions;

#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Give a user a new generated password, printed once (for a lost administrator password)
    ResetPassword {
        /// The user name (`admin` for the first administrator)
        username: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

pub async fn run(command: AdminCommand, file: &FileConfig) -> anyhow::Result<()> {
    match command {
        AdminCommand::ResetPassword { username, db } => {
            let settings = Settings::resolve(&db, None, file)?;
            let db = crate::serve::open_database(&settings).await?;
            let (password, active) = reset_password(&db, &username).await?;
            #[allow(clippy::print_stdout)] // the one place the password is shown
            {
                println!("用户 {username} 的新密码\u{FF08}只显示这一次\u{FF09}\u{FF1A}{password}");
                if !active {
                    println!("注意\u{FF1A}该账号已停用\u{FF0C}启用后才能登录");
                }
            }
            Ok(())
        }
    }
}

/// Sets a generated password for `username`; returns it and whether the account is active.
pub async fn reset_password(db: &Db, username: &str) -> anyhow::Result<(String, bool)> {
    let user = users::by_username(&mut *db.pool.acquire().await?, username)
        .await?
        .ok_or_else(|| anyhow::anyhow!("没有用户名为 {username} 的用户"))?;
    let password = crate::serve::generated_password();
    let hash = gongkai_web::auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let actor = Actor {
        user_id: None,
        name: "服务器命令行\u{FF08}gongkai admin reset-password\u{FF09}".into(),
        ip: String::new(),
    };
    let perms = Permissions::server_shell();
    let caller = Caller {
        actor,
        perms: &perms,
    };
    let mut tx = db.begin_audited().await?;
    gongkai_app::people::reset_password(&mut tx, &caller, user.id, &hash).await?;
    tx.commit().await?;
    Ok((password, user.is_active == 1))
}
