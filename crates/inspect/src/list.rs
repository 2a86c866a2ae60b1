//! A list page's items: the rows (an `li` or `tr`, else a block) that hold a link and a date, in
//! any of the forms `dates` reads, split across elements or in a date-only row beside the link.
//! Used by the site analysis (columns and their latest dates) and by the crawl of a department's
//! list page (`list_crawl`). Pure.

use crate::crawl::normalise;
use crate::dates;
use crate::html::{Doc, is_pager_text};
use chrono::NaiveDate;
use url::Url;

/// The dated rows of a page: for each row holding a link that `item_link` accepts (by link
/// index) and a date not after `as_of`, that link's index and the date. A row without a date
/// takes a date-only row right after it (a `dt`/`dd` or `div` pair).
pub fn dated_rows(
    doc: &Doc,
    item_link: impl Fn(usize) -> bool,
    as_of: NaiveDate,
) -> Vec<(usize, NaiveDate)> {
    let mut rows: Vec<(String, Vec<usize>)> = Vec::new();
    let mut last_item = None;
    for b in &doc.blocks {
        match (b.item, last_item) {
            (Some(i), Some(j)) if i == j => {
                if let Some(r) = rows.last_mut() {
                    r.0.push(' ');
                    r.0.push_str(&b.text);
                    r.1.extend(&b.links);
                }
            }
            _ => rows.push((b.text.clone(), b.links.clone())),
        }
        last_item = b.item;
    }
    let date_only = |r: &(String, Vec<usize>)| {
        r.1.is_empty() && r.0.chars().count() <= 24 && dates::first(&r.0).is_some()
    };
    let link_of = |r: &(String, Vec<usize>)| r.1.iter().copied().find(|&l| item_link(l));
    // A page puts its date-only rows after their links (`dt`/`dd`) or before them: the side
    // more link rows have one on decides for the whole page, so no item takes its neighbour's.
    let beside = |k: usize, after: bool| {
        let j = if after {
            k.checked_add(1)
        } else {
            k.checked_sub(1)
        }?;
        rows.get(j).filter(|r| date_only(r))
    };
    let linked: Vec<usize> = (0..rows.len())
        .filter(|&k| link_of(&rows[k]).is_some())
        .collect();
    let count = |after: bool| {
        linked
            .iter()
            .filter(|&&k| beside(k, after).is_some())
            .count()
    };
    let after = count(true) >= count(false);
    let mut items = Vec::new();
    for k in linked {
        let Some(link) = link_of(&rows[k]) else {
            continue;
        };
        let own = dates::all(&rows[k].0).into_iter().find(|d| *d <= as_of);
        let adjacent = || {
            beside(k, after)
                .and_then(|r| dates::first(&r.0))
                .filter(|d| *d <= as_of)
        };
        if let Some(d) = own.or_else(adjacent) {
            items.push((link, d));
        }
    }
    items
}

/// One item of a list page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    pub title: String,
    /// The absolute URL of the item.
    pub link: String,
    /// The date the page gives the item.
    pub claimed_on: NaiveDate,
}

/// What one list page holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    pub items: Vec<ListItem>,
    /// The next page of the list (the 下一页 link), on the same host and port.
    pub next: Option<Url>,
}

/// The longest item title kept (characters).
const MAX_TITLE_CHARS: usize = 300;

/// Reads the items of a list page at `page` (its `<base href>` honoured) and the link to its next
/// page. Items are the dated rows whose link has a title and is not a pager; one item per link.
pub fn read_list(doc: &Doc, page: &Url, as_of: NaiveDate) -> ListPage {
    let base = doc
        .base
        .as_deref()
        .and_then(|b| page.join(b).ok())
        .unwrap_or_else(|| page.clone());
    let targets: Vec<Option<Url>> = doc
        .links
        .iter()
        .map(|l| normalise(&base, &l.href))
        .collect();
    let item_link = |l: usize| {
        let text = doc.links[l].text.trim();
        targets[l].is_some() && !text.is_empty() && !is_pager_text(text)
    };
    let mut items: Vec<ListItem> = Vec::new();
    for (l, d) in dated_rows(doc, item_link, as_of) {
        let Some(link) = &targets[l] else { continue };
        let link = link.to_string();
        if items.iter().any(|i| i.link == link) {
            continue;
        }
        items.push(ListItem {
            title: doc.links[l]
                .text
                .trim()
                .chars()
                .take(MAX_TITLE_CHARS)
                .collect(),
            link,
            claimed_on: d,
        });
    }
    let next = doc.links.iter().enumerate().find_map(|(i, l)| {
        let t = l.text.trim();
        let is_next = matches!(t, "下一页" | "下页" | ">" | "\u{203A}" | "后一页");
        targets[i]
            .clone()
            .filter(|u| is_next && crate::crawl::same_origin(u, page) && u != page)
    });
    ListPage { items, next }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::html;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn items_in_every_date_form_and_the_next_page() {
        let page = Url::parse("http://127.0.0.1:9/czj/tzgg/index.html").unwrap();
        let doc = html::parse(
            r#"<html><body><ul class="nav"><li><a href="/">首页</a></li><li><a href="/czj/">财政局</a></li></ul>
            <ul class="list">
              <li><a href="t1.html">2026年10月财政收支情况</a><span>2026-11-16</span></li>
              <li><a href="t2.html">关于预算公开的通知</a><span>[2026-11-20]</span></li>
              <li><a href="/czj/t3.html">2026年第三季度债务情况</a> 2026年11月30日</li>
              <li><a href="t4.html">采购意向公开</a><em>2026/12/01</em></li>
              <li><a href="t5.html">政策解读</a><span>2026-12</span><span>03</span></li>
              <li><a href="t6.html">未来的信息</a><span>2027-01-05</span></li>
            </ul>
            <div class="pager"><a href="index_1.html">下一页</a><a href="index_9.html">尾页</a><a href="index_1.html">2</a></div>
            </body></html>"#,
        );
        let l = read_list(&doc, &page, d("2026-12-07"));
        let got: Vec<(&str, &str, NaiveDate)> = l
            .items
            .iter()
            .map(|i| (i.title.as_str(), i.link.as_str(), i.claimed_on))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "2026年10月财政收支情况",
                    "http://127.0.0.1:9/czj/tzgg/t1.html",
                    d("2026-11-16")
                ),
                (
                    "关于预算公开的通知",
                    "http://127.0.0.1:9/czj/tzgg/t2.html",
                    d("2026-11-20")
                ),
                (
                    "2026年第三季度债务情况",
                    "http://127.0.0.1:9/czj/t3.html",
                    d("2026-11-30")
                ),
                (
                    "采购意向公开",
                    "http://127.0.0.1:9/czj/tzgg/t4.html",
                    d("2026-12-01")
                ),
                (
                    "政策解读",
                    "http://127.0.0.1:9/czj/tzgg/t5.html",
                    d("2026-12-03")
                ),
            ]
        );
        assert_eq!(
            l.next.map(|u| u.to_string()).as_deref(),
            Some("http://127.0.0.1:9/czj/tzgg/index_1.html")
        );
    }

    #[test]
    fn a_date_in_its_own_row_and_no_pager() {
        let page = Url::parse("http://127.0.0.1:9/list/").unwrap();
        let doc = html::parse(
            r#"<dl><dt><a href="a.html">统计月报</a></dt><dd>2026-11-30</dd></dl>
               <a href="http://other.example/next">下一页</a>"#,
        );
        let l = read_list(&doc, &page, d("2026-12-07"));
        assert_eq!(l.items.len(), 1);
        assert_eq!(l.items[0].claimed_on, d("2026-11-30"));
        assert_eq!(l.items[0].link, "http://127.0.0.1:9/list/a.html");
        assert_eq!(l.next, None, "a next page on another host is not followed");
    }

    #[test]
    fn each_link_takes_the_date_on_its_own_side() {
        let page = Url::parse("http://127.0.0.1:9/list/").unwrap();
        let after = html::parse(
            r#"<dl><dt><a href="a.html">统计月报一</a></dt><dd>2026-11-30</dd>
               <dt><a href="b.html">统计月报二</a></dt><dd>2026-10-31</dd>
               <dt><a href="c.html">统计月报三</a></dt><dd>2026-09-30</dd></dl>"#,
        );
        let l = read_list(&after, &page, d("2026-12-07"));
        let got: Vec<_> = l.items.iter().map(|i| i.claimed_on).collect();
        assert_eq!(got, [d("2026-11-30"), d("2026-10-31"), d("2026-09-30")]);
        let before = html::parse(
            r#"<div>2026-11-30</div><div><a href="a.html">统计月报一</a></div>
               <div>2026-10-31</div><div><a href="b.html">统计月报二</a></div>"#,
        );
        let l = read_list(&before, &page, d("2026-12-07"));
        let got: Vec<_> = l.items.iter().map(|i| i.claimed_on).collect();
        assert_eq!(got, [d("2026-11-30"), d("2026-10-31")]);
    }
}
