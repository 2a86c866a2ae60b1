//! The crawl of one list page on a department's website (evidence for an obligation bound to it):
//! robots.txt first, then the list page with the validators of the last crawl (a 304 ends it),
//! then its next pages within [`MAX_LIST_PAGES`], each read by `list::read_list`. Every request
//! goes through `gongkai_infra::http` without following redirects, so nothing robots.txt forbids
//! is requested.

use crate::crawl::{path_and_query, robots_of};
use crate::html;
use crate::list::{ListItem, read_list};
use chrono::NaiveDate;
use gongkai_infra::http::{Client, Conditional, HttpError, Limits, Validators};
use std::time::Duration;
use url::Url;

/// The most pages of one list read per crawl (the first and its next pages).
pub const MAX_LIST_PAGES: usize = 5;
/// The largest list page read.
pub const MAX_LIST_PAGE_BYTES: usize = 5 * 1024 * 1024;
/// The pause between two pages of a list (politeness).
const PAGE_PAUSE: Duration = Duration::from_millis(200);

/// What a crawl of a list found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFetch {
    /// The list page answered 304: nothing changed since the last crawl.
    NotModified,
    /// The list's items (first page first), the pages read and the first page's validators.
    Read {
        items: Vec<ListItem>,
        pages: usize,
        validators: Validators,
    },
}

/// The client a list crawl uses: the inspector's User-Agent, no redirects followed.
pub fn client() -> Result<Client, String> {
    Client::new(&Limits {
        timeout: Duration::from_secs(15),
        connect_timeout: Duration::from_secs(15),
        max_body_bytes: MAX_LIST_PAGE_BYTES,
        max_redirects: 0,
        user_agent: crate::user_agent(),
    })
    .map_err(|e| e.to_string())
}

fn failed(e: HttpError) -> String {
    e.to_string()
}

/// Crawls the list at `url` as of `as_of` (items dated later are not read), sending `known` as
/// If-None-Match / If-Modified-Since. Errors are Chinese, for the list's last outcome.
pub async fn crawl_list(
    client: &Client,
    url: &str,
    known: &Validators,
    as_of: NaiveDate,
) -> Result<ListFetch, String> {
    let first = Url::parse(url).map_err(|_| format!("网址\u{201C}{url}\u{201D}无效"))?;
    let robots = robots_of(client, &first, crate::ROBOTS_TOKEN).await;
    let mut at = first.clone();
    let mut items: Vec<ListItem> = Vec::new();
    let mut validators = Validators::default();
    let mut seen: Vec<Url> = Vec::new();
    for page in 0..MAX_LIST_PAGES {
        if !robots.allowed(&path_and_query(&at)) {
            if page == 0 {
                return Err(format!(
                    "该网站的 robots.txt 不允许抓取\u{201C}{at}\u{201D}"
                ));
            }
            break;
        }
        let sent = if page == 0 {
            known.clone()
        } else {
            Validators::default()
        };
        let res = match client.get_conditional(at.as_str(), &sent).await {
            Ok(Conditional::NotModified) if page == 0 => return Ok(ListFetch::NotModified),
            Ok(Conditional::NotModified) => break,
            Ok(Conditional::Fetched(res, v)) => {
                if page == 0 {
                    validators = v;
                }
                res
            }
            Err(e) if page == 0 => return Err(failed(e)),
            Err(_) => break,
        };
        if res.status >= 300 {
            if page == 0 {
                return Err(format!(
                    "列表页返回 HTTP {}\u{FF08}{at}\u{FF09}{}",
                    res.status,
                    if res.status < 400 {
                        "\u{FF0C}请改为绑定重定向后的网址"
                    } else {
                        ""
                    }
                ));
            }
            break;
        }
        let doc = html::parse(&html::decode(&res.body, res.content_type.as_deref()));
        let list = read_list(&doc, &at, as_of);
        for i in list.items {
            if !items.iter().any(|x| x.link == i.link) {
                items.push(i);
            }
        }
        seen.push(at.clone());
        match list.next.filter(|n| !seen.contains(n)) {
            Some(n) => at = n,
            None => break,
        }
        tokio::time::sleep(PAGE_PAUSE).await;
    }
    Ok(ListFetch::Read {
        items,
        pages: seen.len(),
        validators,
    })
}
