//! The crawl: fetches robots.txt, then the site's pages and attachments breadth first (same
//! host and port, robots.txt obeyed on every hop, redirects followed by hand so a loop or a
//! disallowed target is never requested), then checks each distinct link to other hosts once.
//! Per-host concurrency, Retry-After on 429/503, a cap per URL pattern against crawler traps.

use crate::Config;
use crate::html::{self, Doc};
use crate::robots::Robots;
use gongkai_infra::http::{Client, HttpError, Limits};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;
use tokio::sync::Semaphore;
use url::Url;

/// What a URL gave.
#[derive(Debug, Clone)]
pub enum Outcome {
    Page {
        base: String,
        doc: Doc,
    },
    Attachment {
        text: Option<String>,
    },
    Other,
    Dead {
        status: Option<u16>,
        error: Option<String>,
    },
    /// Not requested or not read; the reason.
    Skipped(String),
}

/// Everything fetched.
#[derive(Debug, Default)]
pub struct Crawl {
    /// In the order fetched.
    pub order: Vec<String>,
    pub outcomes: HashMap<String, Outcome>,
    pub unreached: Vec<(String, String)>,
    /// Site URLs that redirected to another page of the site: from → to.
    pub redirects: HashMap<String, String>,
}

const MAX_HOPS: usize = 5;
/// Trap caps. An endless calendar shows as one path with ever new queries (`QUERY_VARIANTS`) or
/// as pages each one link deeper (`MAX_DEPTH`). URLs of one shape with the digits folded are
/// capped high only: every article of a TRS site is `/art/N/N/N/art_N_N.html`, and a cap near the
/// page budget would leave most of a real site unread.
const QUERY_VARIANTS: usize = 25;
const PATTERN_CAP: usize = 20_000;
const MAX_DEPTH: usize = 40;

/// The URL without its fragment, or None when not http(s).
pub fn normalise(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    let lower = href.to_ascii_lowercase();
    if href.is_empty()
        || href.starts_with('#')
        || ["javascript:", "mailto:", "tel:", "data:", "sms:"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        return None;
    }
    let mut u = base.join(href).ok()?;
    if !matches!(u.scheme(), "http" | "https") {
        return None;
    }
    u.set_fragment(None);
    Some(u)
}

pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.host_str() == b.host_str() && a.port_or_known_default() == b.port_or_known_default()
}

/// The path and query of `u`, as robots.txt rules match them.
pub fn path_and_query(u: &Url) -> String {
    match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    }
}

fn is_attachment(url: &str, ct: Option<&str>) -> Option<&'static str> {
    let ct = ct.unwrap_or("").to_ascii_lowercase();
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if ct.starts_with("application/pdf") || path.ends_with(".pdf") {
        Some("application/pdf")
    } else if ct.contains("wordprocessingml") || path.ends_with(".docx") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if ct.contains("spreadsheetml") || path.ends_with(".xlsx") {
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    } else if ct.contains("ms-excel") || path.ends_with(".xls") {
        Some("application/vnd.ms-excel")
    } else {
        None
    }
}

/// A generic download type: the bytes say what the file is.
fn is_download(ct: Option<&str>) -> bool {
    ct.is_some_and(|c| {
        let c = c.to_ascii_lowercase();
        c.starts_with("application/octet-stream")
            || c.contains("download")
            || c.starts_with("application/msword")
            || c.starts_with("application/zip")
    })
}

/// The content type to extract by: from the URL and header, else from the bytes.
fn attachment_kind(url: &str, ct: Option<&str>, body: &[u8]) -> Option<&'static str> {
    use gongkai_extract::sniff::{Kind, sniff};
    is_attachment(url, ct).or_else(|| match sniff(body)? {
        Kind::Pdf => Some("application/pdf"),
        Kind::Docx => {
            Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        }
        Kind::Xlsx => Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        Kind::Xls => Some("application/vnd.ms-excel"),
        _ => None,
    })
}

fn is_html(ct: Option<&str>) -> bool {
    ct.is_none_or(|c| {
        let c = c.to_ascii_lowercase();
        c.contains("html") || c.contains("xml")
    })
}

fn error_text(e: &HttpError) -> String {
    match e {
        HttpError::Timeout(_) => "timeout".into(),
        HttpError::Connect(m) if m.to_ascii_lowercase().contains("refused") => {
            "connection refused".into()
        }
        HttpError::Connect(_) => "connection failed".into(),
        HttpError::TooManyRedirects(_) => "too many redirects".into(),
        other => other.to_string(),
    }
}

/// The shape of a URL for the trap caps: the path with digit runs folded, and the query's keys.
fn pattern(u: &Url) -> (String, String) {
    let mut keys: Vec<String> = u.query_pairs().map(|(k, _)| k.into_owned()).collect();
    keys.sort();
    let keys = keys.join("&");
    let mut folded = String::new();
    let mut last_digit = false;
    for c in u.path().chars() {
        if c.is_ascii_digit() {
            if !last_digit {
                folded.push('N');
            }
            last_digit = true;
        } else {
            folded.push(c);
            last_digit = false;
        }
    }
    (format!("{}?{keys}", u.path()), format!("{folded}?{keys}"))
}

struct Ctx {
    client: Client,
    robots: Robots,
    origin: Url,
    max_wait: std::time::Duration,
}

/// Follows `url` hop by hop. Same-origin hops must be allowed by robots.txt (else Skipped).
async fn fetch(
    ctx: &Ctx,
    url: &Url,
    head: bool,
    read: bool,
) -> (Url, Outcome, Option<String>, Vec<u8>) {
    let mut chain: Vec<Url> = Vec::new();
    let mut at = url.clone();
    let mut head = head;
    loop {
        if same_origin(&at, &ctx.origin) && !ctx.robots.allowed(&path_and_query(&at)) {
            return (at, Outcome::Skipped("robots.txt".into()), None, Vec::new());
        }
        if chain.contains(&at) {
            return (
                at,
                Outcome::Dead {
                    status: None,
                    error: Some("redirect loop".into()),
                },
                None,
                Vec::new(),
            );
        }
        if chain.len() > MAX_HOPS {
            return (
                at,
                Outcome::Dead {
                    status: None,
                    error: Some("too many redirects".into()),
                },
                None,
                Vec::new(),
            );
        }
        chain.push(at.clone());
        let mut tries = 0;
        let hop = loop {
            let r = ctx
                .client
                .hop(at.as_str(), head, |ct| {
                    read && (is_html(ct)
                        || is_attachment(at.as_str(), ct).is_some()
                        || is_download(ct))
                })
                .await;
            match r {
                Ok(h) if matches!(h.status, 429 | 503) && tries < 3 => {
                    // Without Retry-After: 1, 2, 4 seconds.
                    let wait = std::time::Duration::from_secs(h.retry_after.unwrap_or(1 << tries));
                    if wait > ctx.max_wait {
                        break Ok(h);
                    }
                    tries += 1;
                    tokio::time::sleep(wait).await;
                }
                // Some servers refuse HEAD: ask again with GET (no body).
                Ok(h) if head && h.status >= 400 => {
                    head = false;
                    tries += 1;
                    if tries > 3 {
                        break Ok(h);
                    }
                }
                Err(HttpError::Other(_)) if head => {
                    head = false;
                }
                other => break other,
            }
        };
        let hop = match hop {
            Ok(h) => h,
            Err(HttpError::TooLarge { .. }) => {
                return (at, Outcome::Skipped("too large".into()), None, Vec::new());
            }
            Err(e) => {
                return (
                    at,
                    Outcome::Dead {
                        status: None,
                        error: Some(error_text(&e)),
                    },
                    None,
                    Vec::new(),
                );
            }
        };
        if (300..400).contains(&hop.status)
            && let Some(loc) = hop.location.as_deref().and_then(|l| at.join(l).ok())
        {
            at = loc;
            continue;
        }
        if hop.status == 429 {
            // Still rate-limited: unknown, not dead.
            return (
                at,
                Outcome::Skipped("rate limited (429)".into()),
                None,
                Vec::new(),
            );
        }
        if hop.status >= 400 {
            return (
                at,
                Outcome::Dead {
                    status: Some(hop.status),
                    error: None,
                },
                None,
                Vec::new(),
            );
        }
        return (at, Outcome::Other, hop.content_type, hop.body);
    }
}

fn http_client(config: &Config) -> Result<Client, HttpError> {
    Client::new(&Limits {
        timeout: config.link_timeout,
        connect_timeout: config.link_timeout,
        max_body_bytes: config.max_body_bytes,
        max_redirects: 0,
        user_agent: config.user_agent.clone(),
    })
}

/// The robots.txt of `origin` for `token` (RFC 9309: up to five redirects; a server error
/// allows nothing; none allows everything).
pub async fn robots_of(client: &Client, origin: &Url, token: &str) -> Robots {
    let Ok(mut url) = origin.join("/robots.txt") else {
        return Robots::default();
    };
    // Up to five redirects (RFC 9309 2.3.1.2).
    for _ in 0..=MAX_HOPS {
        match client.hop(url.as_str(), false, |_| true).await {
            Ok(h) if (300..400).contains(&h.status) => {
                match h.location.as_deref().and_then(|l| url.join(l).ok()) {
                    Some(next) => url = next,
                    None => return Robots::default(),
                }
            }
            Ok(h) if h.status < 300 => {
                return Robots::parse(&String::from_utf8_lossy(&h.body), token);
            }
            // Unreachable robots.txt (a server error): crawl nothing (RFC 9309 2.3.1.4).
            Ok(h) if h.status >= 500 => {
                return Robots::parse("User-agent: *\nDisallow: /\n", token);
            }
            _ => return Robots::default(),
        }
    }
    Robots::default()
}

/// Crawls the site and checks its outbound links.
pub async fn run(config: &Config) -> Result<Crawl, String> {
    let origin = Url::parse(&config.site).map_err(|e| format!("bad site URL: {e}"))?;
    let client = http_client(config).map_err(|e| e.to_string())?;
    let robots = robots_of(&client, &origin, crate::ROBOTS_TOKEN).await;
    let ctx = Arc::new(Ctx {
        client,
        robots,
        origin: origin.clone(),
        max_wait: config.max_retry_wait,
    });
    let mut crawl = Crawl::default();
    let mut queue: VecDeque<(Url, usize)> = VecDeque::from([(origin.clone(), 0)]);
    let mut seen: HashSet<String> = HashSet::from([origin.to_string()]);
    let mut external: Vec<Url> = Vec::new();
    let mut caps: HashMap<String, usize> = HashMap::new();
    let mut fetched = 0usize;
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        while tasks.len() < config.concurrency.max(1) {
            let Some((url, depth)) = queue.pop_front() else {
                break;
            };
            if fetched >= config.max_pages {
                crawl.unreached.push((url.to_string(), "max pages".into()));
                continue;
            }
            fetched += 1;
            let ctx = ctx.clone();
            tasks.spawn(async move {
                let (final_url, outcome, ct, body) = fetch(&ctx, &url, false, true).await;
                (url, depth, final_url, outcome, ct, body)
            });
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        if let Some(p) = &config.progress {
            p.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let Ok((url, depth, final_url, outcome, ct, body)) = done else {
            continue;
        };
        // A page reached through a redirect is kept once, under where it ended; a redirect to
        // another host is a working link, not a page of the site.
        let mut url = url;
        if final_url != url && matches!(outcome, Outcome::Other) && crawl.order.is_empty() {
            // The home page keeps the site's URL; links to where it lands mean it.
            if same_origin(&final_url, &origin) {
                seen.insert(final_url.to_string());
                crawl
                    .redirects
                    .insert(final_url.to_string(), url.to_string());
            }
        } else if final_url != url && matches!(outcome, Outcome::Other) {
            let landed = final_url.to_string();
            if same_origin(&final_url, &origin) {
                crawl.redirects.insert(url.to_string(), landed.clone());
            }
            if !same_origin(&final_url, &origin) || !seen.insert(landed.clone()) {
                crawl.order.push(url.to_string());
                crawl.outcomes.insert(url.to_string(), Outcome::Other);
                continue;
            }
            crawl.outcomes.insert(url.to_string(), Outcome::Other);
            url = final_url.clone();
        }
        let kind = match &outcome {
            Outcome::Other => attachment_kind(final_url.as_str(), ct.as_deref(), &body),
            _ => None,
        };
        let outcome = match outcome {
            Outcome::Other if kind.is_some() => {
                let kind = kind.unwrap_or_default();
                let text = tokio::task::spawn_blocking(move || {
                    gongkai_extract::file::text_within(
                        &body,
                        kind,
                        gongkai_extract::table::MAX_TEXT,
                        gongkai_extract::file::TIME_LIMIT,
                    )
                    .ok()
                })
                .await
                .ok()
                .flatten();
                Outcome::Attachment { text }
            }
            Outcome::Other
                if is_html(ct.as_deref())
                    && !body.is_empty()
                    && !gongkai_extract::charset::looks_binary(&body) =>
            {
                let text = html::decode(&body, ct.as_deref());
                let doc = html::parse(&text);
                let final_url = doc
                    .base
                    .as_deref()
                    .and_then(|b| final_url.join(b).ok())
                    .unwrap_or(final_url);
                if doc.js_pager {
                    crawl
                        .unreached
                        .push((final_url.to_string(), "javascript pager".into()));
                }
                for link in &doc.links {
                    let Some(target) = normalise(&final_url, &link.href) else {
                        continue;
                    };
                    let key = target.to_string();
                    if seen.contains(&key) {
                        continue;
                    }
                    seen.insert(key.clone());
                    if !same_origin(&target, &origin) {
                        external.push(target);
                        continue;
                    }
                    if !ctx.robots.allowed(&path_and_query(&target)) {
                        crawl.unreached.push((key, "robots.txt".into()));
                        continue;
                    }
                    let (exact, folded) = pattern(&target);
                    let variants = caps.entry(exact).or_default();
                    *variants += usize::from(target.query().is_some());
                    let over_variants = *variants > QUERY_VARIANTS;
                    let shapes = caps.entry(folded).or_default();
                    *shapes += 1;
                    if over_variants || *shapes > PATTERN_CAP || depth + 1 > MAX_DEPTH {
                        crawl.unreached.push((key, "crawler trap cap".into()));
                        continue;
                    }
                    queue.push_back((target, depth + 1));
                }
                Outcome::Page {
                    base: final_url.to_string(),
                    doc,
                }
            }
            other => other,
        };
        if let Outcome::Skipped(reason) = &outcome {
            crawl.unreached.push((url.to_string(), reason.clone()));
        }
        crawl.order.push(url.to_string());
        crawl.outcomes.insert(url.to_string(), outcome);
    }
    // Outbound links: each distinct target once, per-host concurrency.
    let mut hosts: HashMap<String, Arc<Semaphore>> = HashMap::new();
    let mut checks = tokio::task::JoinSet::new();
    // At most 32 outbound checks at once in all, whatever the number of hosts.
    let all = Arc::new(Semaphore::new(32));
    for target in external {
        let host = format!(
            "{}:{:?}",
            target.host_str().unwrap_or(""),
            target.port_or_known_default()
        );
        let sem = hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(config.concurrency.max(1))))
            .clone();
        let (ctx, all) = (ctx.clone(), all.clone());
        checks.spawn(async move {
            let _permit = sem.acquire_owned().await.ok();
            let _global = all.acquire_owned().await.ok();
            let (_, outcome, _, _) = fetch(&ctx, &target, true, false).await;
            (target, outcome)
        });
    }
    while let Some(done) = checks.join_next().await {
        if let Ok((target, outcome)) = done {
            crawl.outcomes.insert(target.to_string(), outcome);
        }
    }
    Ok(crawl)
}
