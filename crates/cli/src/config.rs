//! Configuration: command-line flags override environment variables, which override the TOML file,
//! which overrides the defaults (SQLite under ./gongkai-data, port 8080 on 127.0.0.1).

use anyhow::Context;
use gongkai_web::storage::AttachmentStore;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub theme_dir: Option<PathBuf>,
    pub secure_cookies: Option<bool>,
    pub trust_proxy: Option<bool>,
    /// Reverse proxies (addresses or CIDR ranges) skipped in `X-Forwarded-For`.
    pub trusted_proxies: Option<Vec<String>>,
    pub max_upload_mb: Option<usize>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub public_url: Option<String>,
    /// `local` (default) or `database`.
    pub attachments: Option<String>,
    /// The bearer token that turns `/metrics` on (at least 16 characters).
    pub metrics_token: Option<String>,
    /// `text` (default) or `json`: one JSON object per log line.
    pub log_format: Option<String>,
    /// 等保 account and session controls; each missing key keeps its safe default.
    pub security: Option<SecurityConfig>,
    /// `[web]`: the public page cache.
    pub web: Option<WebSection>,
}

/// `[web]`: the public page cache (`gongkai_web::page_cache`); each missing key keeps its default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSection {
    /// Serve anonymous public pages from memory (default true).
    pub page_cache: Option<bool>,
    /// The memory the cached pages may hold, in MB (default 64; at least 1).
    pub page_cache_mb: Option<usize>,
    /// Hear other nodes' writes through PostgreSQL LISTEN (default true; false behind a pooler
    /// that cannot hold a LISTEN).
    pub page_cache_listen: Option<bool>,
    /// How often the public-content generation is read as the fallback, in milliseconds
    /// (default 2000; 100 to 60000).
    pub page_cache_check_ms: Option<u64>,
}

impl WebSection {
    /// The cache's settings, defaults filled in; refuses values out of range.
    pub fn page_cache(&self) -> anyhow::Result<gongkai_web::page_cache::PageCacheConfig> {
        let d = gongkai_web::page_cache::PageCacheConfig::default();
        let mb = self.page_cache_mb.unwrap_or(d.max_bytes / 1024 / 1024);
        if !(1..=65536).contains(&mb) {
            anyhow::bail!("[web] page_cache_mb 须在 1 到 65536 之间");
        }
        let check_ms = self
            .page_cache_check_ms
            .unwrap_or(d.check_every.as_millis() as u64);
        if !(100..=60_000).contains(&check_ms) {
            anyhow::bail!("[web] page_cache_check_ms 须在 100 到 60000 之间");
        }
        Ok(gongkai_web::page_cache::PageCacheConfig {
            enabled: self.page_cache.unwrap_or(d.enabled),
            max_bytes: mb * 1024 * 1024,
            listen: self.page_cache_listen.unwrap_or(d.listen),
            check_every: std::time::Duration::from_millis(check_ms),
        })
    }
}

/// `[security]`: the password and session policies (see `gongkai_domain::account_policy`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Minimum password length (default 10; at least 8).
    pub password_min_length: Option<usize>,
    /// A new password may not repeat the last N (default 5; 0 = off).
    pub password_history: Option<usize>,
    /// Days before a password must be changed (default 90; 0 = never).
    pub password_max_age_days: Option<i64>,
    /// Minutes without activity that end a session (default 30).
    pub idle_timeout_minutes: Option<i64>,
    /// Hours after sign-in that end a session (default 8).
    pub session_lifetime_hours: Option<i64>,
    /// Sessions one user may have at once; a new sign-in ends the oldest (default 3).
    pub max_sessions: Option<usize>,
    /// System administrators must enrol in the TOTP second factor (default false).
    pub require_totp_for_admins: Option<bool>,
    /// 三员分立 : system, security and audit administrators are separate people (default false).
    pub separation_of_duties: Option<bool>,
}

impl SecurityConfig {
    /// The policies, defaults filled in; refuses settings that would switch a control off unsafely.
    pub fn policies(
        &self,
    ) -> anyhow::Result<(
        gongkai_domain::account_policy::PasswordPolicy,
        gongkai_domain::account_policy::SessionPolicy,
    )> {
        use gongkai_domain::account_policy::{HISTORY_KEPT, PasswordPolicy, SessionPolicy};
        let p = PasswordPolicy::default();
        let s = SessionPolicy::default();
        let password = PasswordPolicy {
            min_length: self.password_min_length.unwrap_or(p.min_length),
            history: self.password_history.unwrap_or(p.history),
            max_age_days: self.password_max_age_days.unwrap_or(p.max_age_days),
        };
        let session = SessionPolicy {
            idle_timeout_ms: self
                .idle_timeout_minutes
                .map_or(s.idle_timeout_ms, |m| m * 60_000),
            lifetime_ms: self
                .session_lifetime_hours
                .map_or(s.lifetime_ms, |h| h * 3_600_000),
            max_sessions: self.max_sessions.unwrap_or(s.max_sessions),
        };
        if !(8..=64).contains(&password.min_length) {
            anyhow::bail!("[security] password_min_length 须在 8 到 64 之间");
        }
        if password.history > HISTORY_KEPT {
            anyhow::bail!("[security] password_history 不能超过 {HISTORY_KEPT}");
        }
        if password.max_age_days < 0 {
            anyhow::bail!("[security] password_max_age_days 不能为负数\u{FF08}0 表示不限\u{FF09}");
        }
        if session.idle_timeout_ms < 60_000 || session.lifetime_ms < 3_600_000 {
            anyhow::bail!(
                "[security] idle_timeout_minutes 至少为 1\u{FF0C}session_lifetime_hours 至少为 1"
            );
        }
        if session.max_sessions == 0 {
            anyhow::bail!("[security] max_sessions 至少为 1");
        }
        Ok((password, session))
    }
}

impl FileConfig {
    pub fn load(path: Option<&Path>) -> anyhow::Result<Self> {
        let Some(path) = path else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("无法读取配置文件 {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("配置文件 {} 格式有误", path.display()))
    }
}

#[derive(Debug, Clone, clap::Args)]
pub struct DbArgs {
    /// Data directory for the SQLite file, attachments and the search index
    #[arg(long, env = "GONGKAI_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://… (default: <data-dir>/gongkai.db) or postgres://user@host/db
    #[arg(long, env = "GONGKAI_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Where attachments are kept: local (<data-dir>/files, default) or database (every node on one PostgreSQL serves every file)
    #[arg(long, env = "GONGKAI_ATTACHMENTS")]
    pub attachments: Option<AttachmentStore>,
}

/// Settings after merging all sources.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: String,
    pub theme_dir: Option<PathBuf>,
    pub secure_cookies: bool,
    pub trust_proxy: bool,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub max_upload_bytes: usize,
    pub attachments: AttachmentStore,
    /// `/metrics` is served only with this bearer token (`GONGKAI_METRICS_TOKEN` or `metrics_token`).
    pub metrics_token: Option<String>,
    pub password_policy: gongkai_domain::account_policy::PasswordPolicy,
    pub session_policy: gongkai_domain::account_policy::SessionPolicy,
    pub require_totp_for_admins: bool,
    pub separation_of_duties: bool,
    pub page_cache: gongkai_web::page_cache::PageCacheConfig,
}

impl Settings {
    pub fn resolve(db: &DbArgs, listen: Option<&str>, file: &FileConfig) -> anyhow::Result<Self> {
        let data_dir = db
            .data_dir
            .clone()
            .or_else(|| file.data_dir.clone())
            .unwrap_or_else(|| PathBuf::from("gongkai-data"));
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("无法创建数据目录 {}", data_dir.display()))?;
        let data_dir = data_dir.canonicalize()?;
        for sub in ["files", "index"] {
            std::fs::create_dir_all(data_dir.join(sub))?;
        }
        let attachments = match (db.attachments, file.attachments.as_deref()) {
            (Some(a), _) => a,
            (None, Some(text)) => text.parse().map_err(|e: String| anyhow::anyhow!(e))?,
            (None, None) => AttachmentStore::Local,
        };
        let database_url = db
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
            .unwrap_or_else(|| {
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("gongkai.db").display()
                )
            });
        let (password_policy, session_policy) = file
            .security
            .as_ref()
            .map(SecurityConfig::policies)
            .transpose()?
            .unwrap_or_default();
        let require_totp_for_admins = file
            .security
            .as_ref()
            .and_then(|s| s.require_totp_for_admins)
            .unwrap_or(false);
        let separation_of_duties = file
            .security
            .as_ref()
            .and_then(|s| s.separation_of_duties)
            .unwrap_or(false);
        let page_cache = file
            .web
            .as_ref()
            .map(WebSection::page_cache)
            .transpose()?
            .unwrap_or_default();
        Ok(Self {
            page_cache,
            require_totp_for_admins,
            separation_of_duties,
            password_policy,
            session_policy,
            data_dir,
            database_url,
            listen: listen
                .map(str::to_string)
                .or_else(|| file.listen.clone())
                .unwrap_or_else(|| "127.0.0.1:8080".into()),
            theme_dir: file.theme_dir.clone(),
            secure_cookies: file.secure_cookies.unwrap_or(false),
            trust_proxy: file.trust_proxy.unwrap_or(false),
            trusted_proxies: parse_proxies(file.trusted_proxies.as_deref().unwrap_or_default())?,
            max_upload_bytes: file.max_upload_mb.unwrap_or(50) * 1024 * 1024,
            attachments,
            metrics_token: metrics_token(file)?,
        })
    }
}

/// `GONGKAI_METRICS_TOKEN`, else the file's `metrics_token`; refused when shorter than 16 characters.
fn metrics_token(file: &FileConfig) -> anyhow::Result<Option<String>> {
    let token = std::env::var("GONGKAI_METRICS_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| file.metrics_token.clone());
    match token {
        Some(t) if t.trim().chars().count() < 16 => {
            Err(anyhow::anyhow!("metrics_token 太短\u{FF1A}至少 16 个字符"))
        }
        Some(t) => Ok(Some(t.trim().to_string())),
        None => Ok(None),
    }
}

/// `trusted_proxies`: addresses (`10.0.0.2`) or ranges (`10.0.0.0/8`).
fn parse_proxies(items: &[String]) -> anyhow::Result<Vec<ipnet::IpNet>> {
    items
        .iter()
        .map(|s| {
            let s = s.trim();
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow::anyhow!(
                        "trusted_proxies 中的\u{201C}{s}\u{201D}不是 IP 地址或网段\u{FF08}如 10.0.0.0/8\u{FF09}"
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../../../config.example.toml");
        let c: FileConfig = toml::from_str(text).unwrap();
        assert_eq!(c.listen.as_deref(), Some("127.0.0.1:8080"));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let nets = parse_proxies(&["10.0.0.0/8".into(), " 192.168.1.1 ".into()]).unwrap();
        assert_eq!(nets.len(), 2);
        let err = parse_proxies(&["proxy.local".into()])
            .unwrap_err()
            .to_string();
        assert!(err.contains("proxy.local"), "{err}");
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
    }
}
