//! The website inspector — 网站检查. [`inspect_site`] crawls one site and returns a [`Report`]
//! whose JSON is a stable contract (version 1, see `report.rs`). Pure parts (HTML reading,
//! dates, robots.txt, the finding rules) are separate from the crawl's I/O (`crawl.rs`).

mod analyse;
pub mod crawl;
pub mod dates;
#[cfg(feature = "fixture")]
pub mod fixture;
pub mod html;
pub mod list;
pub mod list_crawl;
pub mod report;
pub mod robots;
pub mod rules;

pub use report::{Column, Finding, Report, Unreached};

use chrono::NaiveDate;
use gongkai_domain::guard::Lists;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

/// The product token robots.txt groups are matched against (the User-Agent starts with it).
pub const ROBOTS_TOKEN: &str = "gongkai-inspector";

/// What to inspect and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site's home page URL.
    pub site: String,
    pub as_of: NaiveDate,
    /// Known errors (wrong → right); sensitive words are not reported by the inspector.
    pub lists: Lists,
    /// The most URLs of the site fetched (pages and attachments).
    pub max_pages: usize,
    /// Requests in flight per host.
    pub concurrency: usize,
    /// A request not answered within this is dead with error "timeout" (15 s by the rule).
    pub link_timeout: Duration,
    /// The largest body read (a larger page or attachment is reported unreached).
    pub max_body_bytes: usize,
    /// The longest Retry-After honoured on 429/503.
    pub max_retry_wait: Duration,
    pub user_agent: String,
    /// Counts the URLs of the site fetched so far, for a caller showing progress.
    pub progress: Option<Arc<AtomicUsize>>,
}

impl Config {
    pub fn new(site: &str, as_of: NaiveDate) -> Config {
        Config {
            site: site.to_string(),
            as_of,
            lists: Lists {
                sensitive_words: Vec::new(),
                known_errors: Lists::default().known_errors,
            },
            max_pages: 2000,
            concurrency: 4,
            link_timeout: Duration::from_secs(15),
            max_body_bytes: 10 * 1024 * 1024,
            max_retry_wait: Duration::from_secs(30),
            user_agent: user_agent(),
            progress: None,
        }
    }
}

/// The server a URL is on (`host:port`): the unit of politeness, one crawl at a time across
/// nodes. `None` for a URL that is not http(s).
pub fn host_key(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?))
}

/// The inspector's User-Agent (its product token is [`ROBOTS_TOKEN`]'s).
pub fn user_agent() -> String {
    format!(
        "Gongkai-Inspector/{} (gongkai; government website inspection)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Crawls the site and applies the rules.
pub async fn inspect_site(config: &Config) -> Result<Report, String> {
    let crawl = crawl::run(config).await?;
    let (findings, columns) = analyse::findings(config, &crawl);
    let pages = crawl
        .outcomes
        .values()
        .filter(|o| matches!(o, crawl::Outcome::Page { .. }))
        .count();
    let attachments = crawl
        .outcomes
        .values()
        .filter(|o| matches!(o, crawl::Outcome::Attachment { .. }))
        .count();
    let mut unreached: Vec<Unreached> = crawl
        .unreached
        .into_iter()
        .map(|(url, reason)| Unreached { url, reason })
        .collect();
    unreached.sort();
    unreached.dedup();
    Ok(Report {
        version: 1,
        site: config.site.clone(),
        as_of: config.as_of.to_string(),
        pages,
        attachments,
        findings,
        columns,
        unreached,
    })
}
