//! `gongkai serve`: migrate, seed on first run, create the first administrator, serve HTTP.

use crate::config::{DbArgs, FileConfig, Settings};
use anyhow::Context;
use gongkai_db::{Actor, Db};
use gongkai_domain::role::{Grant, Role};

#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on
    #[arg(long, env = "GONGKAI_LISTEN")]
    pub listen: Option<String>,
    /// Password for the first administrator `admin` (otherwise one is generated and printed once)
    #[arg(long, env = "GONGKAI_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,
    /// Run the demo site, the 盘锦市人民政府 with sample content, so a newcomer sees a living site;
    /// refused on a database set up as another government
    #[arg(long)]
    pub demo: bool,
    /// Seconds between polls of the background job queue (reminders)
    #[arg(long, env = "GONGKAI_WORKER_POLL_SECS", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub worker_poll_secs: u64,
    /// SMTP server for reminder e-mails: smtp://host:25, smtp://user:password@host:587?tls=required or smtps://… (unset: in-app notifications only)
    #[arg(long, env = "GONGKAI_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender of reminder e-mails, e.g. "盘锦市政务公开办 <gongkai@panjin.gov.cn>"
    #[arg(long, env = "GONGKAI_SMTP_FROM")]
    pub smtp_from: Option<String>,
    /// The site's public address, for links in e-mails, feeds and the sitemap (default: http://<listen>; feeds use the request's Host)
    #[arg(long, env = "GONGKAI_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// The mailer when SMTP is configured (flags and environment over the file); `None` otherwise.
pub fn mailer(
    args: &ServeArgs,
    file: &FileConfig,
    listen: &str,
) -> anyhow::Result<Option<gongkai_infra::mail::Mailer>> {
    let Some(url) = args.smtp_url.clone().or_else(|| file.smtp_url.clone()) else {
        return Ok(None);
    };
    let from = args
        .smtp_from
        .clone()
        .or_else(|| file.smtp_from.clone())
        .ok_or_else(|| {
            anyhow::anyhow!("配置了 SMTP 时须同时设置发件人（--smtp-from 或 smtp_from）")
        })?;
    let public_url = args
        .public_url
        .clone()
        .or_else(|| file.public_url.clone())
        .unwrap_or_else(|| format!("http://{listen}"));
    let m = gongkai_infra::mail::Mailer::new(&url, &from, &public_url)
        .map_err(|e| anyhow::anyhow!(e))?;
    tracing::info!(smtp = %m.describe(), "提醒将同时以电子邮件发送");
    Ok(Some(m))
}

pub async fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    tracing::info!(url = %gongkai_db::redact_url(&settings.database_url), "连接数据库");
    Db::connect(&settings.database_url).await.with_context(|| {
        format!(
            "无法连接数据库 {}",
            gongkai_db::redact_url(&settings.database_url)
        )
    })
}

/// A password the program makes up (first run, `gongkai admin reset-password`): 18 random hex
/// digits after `Gk`, so it meets the password rule.
pub fn generated_password() -> String {
    format!("Gk{}", gongkai_web::auth::new_token(9))
}

/// Creates the first administrator when there are no users. Returns the generated password, if
/// any: a generated password must be changed at the first sign-in; one given with
/// `--admin-password` must meet the default password policy.
pub async fn ensure_admin(db: &Db, password: Option<&str>) -> anyhow::Result<Option<String>> {
    let policy = gongkai_domain::account_policy::PasswordPolicy::default();
    let mut conn = db.pool.acquire().await?;
    if gongkai_db::users::count(&mut conn).await? > 0 {
        if password.is_some() {
            tracing::info!("已有用户，忽略 --admin-password（首次运行时才会创建管理员）");
        }
        return Ok(None);
    }
    drop(conn);
    let (password, generated) = match password {
        Some(p) => {
            let mut inv = gongkai_domain::Invalid::default();
            gongkai_domain::account_policy::check_password(
                &mut inv,
                "admin_password",
                &policy,
                "admin",
                p,
            );
            if !inv.is_empty() {
                anyhow::bail!("--admin-password 不符合要求：{}", inv.summary());
            }
            (p.to_string(), false)
        }
        None => (generated_password(), true),
    };
    let hash = gongkai_web::auth::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tx = db.begin().await?;
    gongkai_db::users::create(
        &mut tx,
        &Actor::system(),
        &gongkai_db::users::NewUser {
            username: "admin",
            display_name: "系统管理员",
            password_hash: &hash,
            must_change_password: generated,
            grants: &[Grant {
                role: Role::SystemAdmin,
                org_id: None,
            }],
        },
    )
    .await?;
    tx.commit().await?;
    Ok(generated.then_some(password))
}

pub async fn run(args: ServeArgs, file: FileConfig) -> anyhow::Result<()> {
    let settings = Settings::resolve(&args.db, args.listen.as_deref(), &file)?;
    let mailer = mailer(&args, &file, &settings.listen)?;
    let db = open_database(&settings).await?;
    if args.demo {
        if gongkai_db::seed::ensure_demo_site(&db).await? {
            tracing::info!(
                "首次运行：已创建演示站点（盘锦市人民政府）的机构树、门户站点和栏目结构"
            );
        }
    } else if gongkai_db::seed::ensure_seeded(&db).await? {
        tracing::info!(
            "首次运行：已创建门户站点和栏目结构；请以系统管理员登录后台，在 /admin/setup 完成初始设置"
        );
    }
    if let Some(pw) = ensure_admin(&db, args.admin_password.as_deref()).await? {
        // Printed once, to the terminal only; never logged.
        #[allow(clippy::print_stdout)]
        {
            println!(
                "\n首次运行已创建系统管理员：用户名 admin，密码 {pw}\n请登录后立即修改密码。此密码不会再次显示。\n"
            );
        }
    }
    if args.demo {
        let n = gongkai_db::seed::demo_content(&db).await?;
        if n > 0 {
            tracing::info!(items = n, "已添加演示内容");
        }
        let perms = gongkai_domain::role::Permissions::server_shell();
        let caller = gongkai_app::Caller {
            actor: Actor::system(),
            perms: &perms,
        };
        let mut tx = db.begin().await?;
        // The demo shows its plan on /zdgz; a real office decides plan by plan.
        let done = gongkai_app::plans::import_builtin(&mut tx, &caller, "panjin-2017")
            .await
            .context("导入内置工作安排 panjin-2017")?;
        if done.import_id.is_some() {
            // The seed's own filings (task 23): each unit's 实施方案 and the monthly report of
            // normative documents, with the plan's dates.
            for kind in gongkai_domain::filing::FilingKind::OPENED {
                let spec = gongkai_db::filings::FilingSpec {
                    kind: *kind,
                    org_ids: None,
                    rule: None,
                };
                gongkai_db::filings::open_filings(&mut tx, &Actor::system(), done.plan_id, &spec)
                    .await?;
            }
        }
        tx.commit().await?;
        gongkai_db::seed_scenario::load(&db).await?;
        if done.import_id.is_some() {
            tracing::info!(
                plan_id = done.plan_id,
                "已导入演示工作安排（盘锦市2017年政务公开工作安排）"
            );
        }
    }
    let mut web = gongkai_web::WebConfig::new(settings.data_dir.clone());
    web.theme_dir = settings.theme_dir.clone();
    web.secure_cookies = settings.secure_cookies;
    web.trust_proxy = settings.trust_proxy;
    web.trusted_proxies = settings.trusted_proxies.clone();
    web.max_upload_bytes = settings.max_upload_bytes;
    web.public_url = args.public_url.clone().or_else(|| file.public_url.clone());
    web.attachments = settings.attachments;
    web.metrics_token = settings.metrics_token.clone();
    web.password_policy = settings.password_policy;
    web.session_policy = settings.session_policy;
    web.require_totp_for_admins = settings.require_totp_for_admins;
    web.separation_of_duties = settings.separation_of_duties;
    web.page_cache = settings.page_cache.clone();
    let state = gongkai_web::AppState::new(db.clone(), web).map_err(|e| anyhow::anyhow!("{e}"))?;
    tracing::info!(store = %state.storage.describe(), "附件存储");
    if args.demo {
        let portal = state
            .config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}/", settings.listen));
        let added = crate::demo::load(&db, &state.storage, &portal)
            .await
            .context("添加演示办事指南和开放数据")?;
        if added != crate::demo::Added::default() {
            tracing::info!(
                guides = added.guides,
                datasets = added.datasets,
                sites = added.sites,
                "已添加演示办事指南、开放数据和监测网站"
            );
        }
    }
    let applied = state.search.catch_up(&db).await.context("同步搜索索引")?;
    tracing::info!(
        applied,
        docs = state.search.index.num_docs(),
        "搜索索引已就绪"
    );
    let overdue = gongkai_jobs::kinds::publish_overdue(&db, gongkai_db::now_ms())
        .await
        .context("补发到期的定时发布")?;
    if overdue > 0 {
        tracing::info!(items = overdue, "定时发布（服务停机期间到期，启动时补发）");
    }
    if gongkai_jobs::attachment_text::queue_text_check(&db).await? {
        tracing::info!("已安排检查附件文字（新版提取规则）");
    }
    let worker = gongkai_jobs::worker::Worker::spawn(
        db.clone(),
        gongkai_jobs::worker::WorkerConfig {
            poll: std::time::Duration::from_secs(args.worker_poll_secs),
            mailer,
            search: Some(state.search.clone()),
            storage: Some(state.storage.clone()),
            ..Default::default()
        },
    );
    let app = gongkai_web::router(state);
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("无法监听 {}", settings.listen))?;
    tracing::info!("门户 http://{0}/  后台 http://{0}/admin", settings.listen);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    worker.stop().await;
    Ok(())
}
