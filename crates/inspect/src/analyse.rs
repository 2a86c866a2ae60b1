//! From the crawl to findings: boilerplate (links and lines on at least half the pages) is set
//! aside, columns are recognised from navigation links and dated lists, then the rules apply.

use crate::crawl::{Crawl, Outcome, normalise};
use crate::html::{Doc, is_pager_text};
use crate::report::{Column, Finding};
use crate::{Config, dates, list, rules};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use url::Url;

const EMPTY_MARKERS: [&str; 6] = [
    "暂无信息",
    "暂无数据",
    "暂无内容",
    "暂无记录",
    "没有相关信息",
    "暂无相关信息",
];

/// Words of column names: a nearly blank page under such a name is an empty column (a blank
/// page under another name, e.g. a calendar or a login, is not reported).
/// Pages every government site has whose links carry no dates by nature (static pages, service
/// entrances, directories of units, message boards, which the message rule checks): never an
/// undated column.
const UNDATED_BY_NATURE: [&str; 14] = [
    "联系我们",
    "网站地图",
    "网站声明",
    "关于本网",
    "关于我们",
    "隐私",
    "使用帮助",
    "无障碍",
    "网站纠错",
    "依申请公开",
    "政府机构",
    "机构设置",
    "留言",
    "信箱",
];

/// Fewest undated item links that make a list of a page the navigation does not name as a column
/// (fewer are a page's own links).
const MIN_UNDATED_ITEMS: usize = 3;

const COLUMN_WORDS: [&str; 27] = [
    "动态", "新闻", "要闻", "通知", "公告", "政策", "文件", "人事", "规划", "计划", "信息", "公开",
    "数据", "统计", "财政", "预算", "决算", "报告", "解读", "公示", "招标", "采购", "资金", "建议",
    "提案", "年报", "目录",
];

struct Page<'a> {
    url: &'a str,
    doc: &'a Doc,
    text: String,
    /// The text without boilerplate lines (set once boilerplate is known).
    main: String,
    /// Resolved link targets, by link index.
    targets: Vec<Option<String>>,
}

fn name_like(t: &str) -> bool {
    let n = t.chars().count();
    (2..=12).contains(&n) && !is_pager_text(t) && !t.contains("更多") && dates::first(t).is_none()
}

/// Whether the page is mostly its list: the text outside the dated items' blocks is no longer
/// than theirs (an article with a few related links is not a list).
fn mostly_list(p: &Page, items: &[(String, NaiveDate)]) -> bool {
    let listed: HashSet<&str> = items.iter().map(|(t, _)| t.as_str()).collect();
    let (mut inside, mut outside) = (0usize, 0usize);
    for b in &p.doc.blocks {
        let n = b.text.chars().count();
        if b.links
            .iter()
            .any(|&l| p.targets[l].as_deref().is_some_and(|t| listed.contains(t)))
        {
            inside += n;
        } else if p.main.contains(b.text.as_str()) {
            outside += n;
        }
    }
    outside <= inside.max(200)
}

/// The last step of the page's breadcrumb '当前位置 / 您的位置' when it has one.
fn breadcrumb_last(doc: &Doc) -> Option<String> {
    let b = doc.blocks.iter().find(|b| {
        [
            "当前位置",
            "您的位置",
            "你的位置",
            "您现在的位置",
            "所在位置",
        ]
        .iter()
        .any(|k| b.text.contains(k))
    })?;
    let last = b
        .text
        .rsplit(['>', '\u{203A}', '\u{00BB}', '\u{FF1E}', '/'])
        .next()?
        .trim()
        .to_string();
    name_like(&last).then_some(last)
}

/// The text of the list row holding block `i` (all its blocks), or of the block alone.
fn row_text(doc: &Doc, i: usize) -> String {
    match doc.blocks[i].item {
        Some(item) => doc
            .blocks
            .iter()
            .filter(|b| b.item == Some(item))
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        None => doc.blocks[i].text.clone(),
    }
}

/// The page's title for guide detection: its title, heading and breadcrumb.
fn heading(doc: &Doc) -> String {
    format!(
        "{} {} {}",
        doc.title,
        doc.h1,
        breadcrumb_last(doc).unwrap_or_default()
    )
}

pub fn findings(config: &Config, crawl: &Crawl) -> (Vec<Finding>, Vec<Column>) {
    let as_of = config.as_of;
    let mut home = crawl.order.first().cloned().unwrap_or_default();
    // A home page that only forwards (a meta refresh): the page it forwards to is the home page.
    if let Some(Outcome::Page { base, doc }) = crawl.outcomes.get(&home)
        && doc.links.len() == 1
        && doc.blocks.iter().all(|b| b.text.chars().count() < 20)
        && let Some(t) = Url::parse(base)
            .ok()
            .and_then(|b| normalise(&b, &doc.links[0].href))
        && matches!(crawl.outcomes.get(t.as_str()), Some(Outcome::Page { .. }))
    {
        home = t.to_string();
    }
    let mut pages: Vec<Page> = crawl
        .order
        .iter()
        .filter_map(|u| match crawl.outcomes.get(u) {
            Some(Outcome::Page { base, doc }) => {
                let base_url = Url::parse(base).ok()?;
                Some(Page {
                    url: u,
                    doc,
                    text: doc.text(),
                    main: String::new(),
                    targets: doc
                        .links
                        .iter()
                        .map(|l| {
                            // A link to a URL that redirects within the site means where it
                            // lands (a dead one stays as written: it has no landing).
                            normalise(&base_url, &l.href).map(|t| {
                                let t = t.to_string();
                                crawl.redirects.get(&t).cloned().unwrap_or(t)
                            })
                        })
                        .collect(),
                })
            }
            _ => None,
        })
        .collect();
    let n = pages.len();
    let common = |count: usize| n >= 3 && count * 2 >= n;
    let mut link_pages: HashMap<String, usize> = HashMap::new();
    let mut line_pages: HashMap<String, usize> = HashMap::new();
    for p in &pages {
        let set: HashSet<&str> = p.targets.iter().flatten().map(String::as_str).collect();
        for t in set {
            *link_pages.entry(t.to_string()).or_default() += 1;
        }
        let lines: HashSet<&str> = p.doc.blocks.iter().map(|b| b.text.as_str()).collect();
        for l in lines {
            *line_pages.entry(l.to_string()).or_default() += 1;
        }
    }
    let mains: Vec<String> = pages
        .iter()
        .map(|p| {
            p.doc
                .blocks
                .iter()
                .filter(|b| !common(line_pages.get(b.text.as_str()).copied().unwrap_or(0)))
                .map(|b| b.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    for (p, main) in pages.iter_mut().zip(mains) {
        p.main = main;
    }
    let boiler_link = |t: &str| common(link_pages.get(t).copied().unwrap_or(0));
    let boiler_line = |t: &str| common(line_pages.get(t).copied().unwrap_or(0));
    let is_page = |t: &str| matches!(crawl.outcomes.get(t), Some(Outcome::Page { .. }));

    let mut out = Vec::new();
    // Dead links: every page holding each dead target.
    for p in &pages {
        let set: BTreeSet<&str> = p.targets.iter().flatten().map(String::as_str).collect();
        for t in set {
            if let Some(Outcome::Dead { status, error }) = crawl.outcomes.get(t) {
                out.push(Finding::DeadLink {
                    page: p.url.to_string(),
                    target: t.to_string(),
                    status: *status,
                    error: error.clone(),
                });
            }
        }
    }
    // Content guard on pages and attachments.
    let mut guard = |page: &str, text: &str| {
        let (info, errors) = rules::guard_findings(text, &config.lists);
        for i in info {
            out.push(Finding::PersonalInfo {
                page: page.into(),
                info: i.into(),
            });
        }
        for (text, correction) in errors {
            out.push(Finding::KnownError {
                page: page.into(),
                text,
                correction,
            });
        }
    };
    for p in &pages {
        guard(p.url, &p.text);
    }
    for u in &crawl.order {
        if let Some(Outcome::Attachment { text: Some(t) }) = crawl.outcomes.get(u) {
            guard(u, t);
        }
    }

    // Dated items of a page: non-boilerplate rows holding a link and a date not after as_of.
    let dated_items = |p: &Page| -> Vec<(String, NaiveDate)> {
        let item_link = |l: usize| {
            p.targets[l].as_deref().is_some_and(|t| !boiler_link(t))
                && !is_pager_text(&p.doc.links[l].text)
        };
        list::dated_rows(p.doc, item_link, as_of)
            .into_iter()
            .filter_map(|(l, d)| Some((p.targets[l].clone()?, d)))
            .collect()
    };
    // Navigation: name-like links on the home page or on every other page.
    let mut nav: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for p in &pages {
        for (i, l) in p.doc.links.iter().enumerate() {
            let Some(t) = &p.targets[i] else { continue };
            if t == &home || !is_page(t) {
                continue;
            }
            // A "更多" link takes its name from its box: the block's text without the link's.
            let text = if l.text.contains("更多") || l.text.eq_ignore_ascii_case("more") {
                let own = p.doc.blocks[l.block].text.replace(&l.text, "");
                let own = own.trim_matches(|c: char| c.is_whitespace() || !c.is_alphanumeric());
                if own.is_empty() && l.block > 0 {
                    p.doc.blocks[l.block - 1].text.trim().to_string()
                } else {
                    own.to_string()
                }
            } else {
                l.text.clone()
            };
            if !name_like(&text) {
                continue;
            }
            // On the home page, a dated link is news, not navigation.
            let dated = dates::first(&row_text(p.doc, l.block)).is_some();
            if (p.url == home && !dated) || boiler_link(t) {
                *nav.entry(t.clone())
                    .or_default()
                    .entry(text.clone())
                    .or_default() += 1;
            }
        }
    }
    // Sub-navigation: undated name-like links from a navigation page to a page with dated items.
    let items_of: HashMap<&str, Vec<(String, NaiveDate)>> =
        pages.iter().map(|p| (p.url, dated_items(p))).collect();
    let firsts: Vec<String> = nav.keys().cloned().collect();
    for f in firsts {
        let Some(p) = pages.iter().find(|p| p.url == f) else {
            continue;
        };
        for (i, l) in p.doc.links.iter().enumerate() {
            let Some(t) = &p.targets[i] else { continue };
            // A dated link on a list is an item, not a sub-column.
            let dated = dates::first(&row_text(p.doc, l.block)).is_some();
            if !boiler_link(t)
                && !dated
                && name_like(&l.text)
                && items_of.get(t.as_str()).is_some_and(|v| !v.is_empty())
            {
                *nav.entry(t.clone())
                    .or_default()
                    .entry(l.text.clone())
                    .or_default() += 1;
            }
        }
    }
    // Pager pages belong to the list that links to them.
    let mut pager_of: HashMap<String, String> = HashMap::new();
    for p in &pages {
        for (i, l) in p.doc.links.iter().enumerate() {
            if let Some(t) = &p.targets[i]
                && is_pager_text(&l.text)
                && t != p.url
                && *t != home
                && !nav.contains_key(t)
            {
                pager_of
                    .entry(t.clone())
                    .or_insert_with(|| p.url.to_string());
            }
        }
    }
    let root = |u: &str| {
        let mut at = u.to_string();
        for _ in 0..50 {
            match pager_of.get(&at) {
                Some(up) if up != &at => at = up.clone(),
                _ => break,
            }
        }
        at
    };

    let mut columns = Vec::new();
    if let Some(h) = pages.iter().find(|p| p.url == home) {
        let latest = h
            .doc
            .blocks
            .iter()
            .filter(|b| !b.links.is_empty())
            .flat_map(|b| dates::all(&b.text))
            .filter(|d| *d <= as_of)
            .max()
            .or_else(|| {
                // Home pages often write 11-30 without the year.
                h.doc
                    .blocks
                    .iter()
                    .filter(|b| !b.links.is_empty())
                    .filter_map(|b| dates::month_day(&b.text, as_of))
                    .max()
            });
        if let Some(latest) = latest
            && rules::stale(latest, as_of, 14)
        {
            out.push(Finding::StaleHomepage {
                page: home.clone(),
                latest: latest.to_string(),
            });
        }
    }
    for p in &pages {
        if p.url == home || pager_of.contains_key(p.url) && !nav.contains_key(p.url) {
            continue;
        }
        let mut items = items_of.get(p.url).cloned().unwrap_or_default();
        for q in &pages {
            if q.url != p.url && pager_of.contains_key(q.url) && root(q.url) == p.url {
                items.extend(items_of.get(q.url).cloned().unwrap_or_default());
            }
        }
        let names = nav.get(p.url);
        if names.is_none() && (items.len() < 3 || !mostly_list(p, &items)) {
            continue;
        }
        let name = names
            .and_then(|m| m.iter().max_by_key(|(_, c)| **c).map(|(n, _)| n.clone()))
            .or_else(|| breadcrumb_last(p.doc))
            .unwrap_or_else(|| {
                let t = if p.doc.h1.is_empty() {
                    &p.doc.title
                } else {
                    &p.doc.h1
                };
                t.split(['-', '_', '|'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string()
            });
        let is_guide = rules::guide_missing(&heading(p.doc), &p.main).is_some();
        if rules::message(&p.main).is_some() || is_guide {
            continue;
        }
        let latest = items.iter().map(|(_, d)| *d).max();
        // Undated items: other content links (not navigation, not pager) with a title-like text.
        let undated_targets: Vec<&str> = p
            .doc
            .links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.text.chars().count() >= 5 && !is_pager_text(&l.text))
            .filter_map(|(i, _)| p.targets[i].as_deref())
            .filter(|t| {
                !boiler_link(t)
                    && !nav.contains_key(*t)
                    && *t != home
                    && crawl.outcomes.contains_key(*t)
            })
            .collect();
        let undated = undated_targets.len();
        if latest.is_none() && undated > 0 {
            // A directory whose links lead to lists （政府机构、网站地图）， a page with a few links of
            // its own, or a static page is not an undated column.
            let lists = undated_targets
                .iter()
                .filter(|t| items_of.get(**t).is_some_and(|v| v.len() >= 3))
                .count();
            let few = if names.is_some() {
                1
            } else {
                MIN_UNDATED_ITEMS
            };
            if undated < few
                || lists * 2 >= undated
                || UNDATED_BY_NATURE.iter().any(|w| name.contains(w))
            {
                continue;
            }
        }
        // Links from the page's own content to other pages of the site (a section's landing
        // page links to its sub-columns: it is not an empty column).
        let content_links = p.doc.links.iter().enumerate().any(|(i, l)| {
            p.targets[i].as_deref().is_some_and(|t| {
                !boiler_link(t) && t != home && t != p.url && is_page(t) && !is_pager_text(&l.text)
            })
        });
        let main: usize = p
            .doc
            .blocks
            .iter()
            .filter(|b| !boiler_line(&b.text) && !b.text.contains(&name))
            .map(|b| b.text.chars().count())
            .sum();
        let empty = latest.is_none()
            && undated == 0
            && (EMPTY_MARKERS.iter().any(|m| p.text.contains(m))
                || p.main.lines().any(|l| {
                    let l = l.trim();
                    (l.starts_with("暂无") || l.starts_with("没有")) && l.chars().count() <= 12
                })
                || (main < 30 && !content_links && COLUMN_WORDS.iter().any(|w| name.contains(w))));
        if latest.is_none() && undated == 0 && !empty {
            continue;
        }
        columns.push(Column {
            page: p.url.to_string(),
            name: name.clone(),
            items: items.len().max(undated),
            latest: latest.map(|d| d.to_string()),
        });
        let limit = rules::column_limit(&name);
        match latest {
            Some(l) if rules::stale(l, as_of, limit) => out.push(Finding::StaleColumn {
                page: p.url.to_string(),
                column: name,
                latest: Some(l.to_string()),
                limit_days: limit,
            }),
            Some(_) => {}
            None if undated > 0 => out.push(Finding::StaleColumn {
                page: p.url.to_string(),
                column: name,
                latest: None,
                limit_days: limit,
            }),
            None => out.push(Finding::EmptyColumn {
                page: p.url.to_string(),
                column: name,
            }),
        }
    }
    // Messages and service guides.
    for p in &pages {
        if p.url == home {
            continue;
        }
        let listed = items_of.get(p.url).is_some_and(|v| v.len() >= 3);
        let message = if listed {
            None
        } else {
            rules::message(&p.main)
        };
        if let Some((asked, replied)) = message
            && !replied
            && rules::message_overdue(asked, as_of)
        {
            out.push(Finding::UnansweredMessage {
                page: p.url.to_string(),
                asked_on: asked.to_string(),
            });
        }
        if !listed
            && let Some(missing) = rules::guide_missing(&heading(p.doc), &p.main)
            && !missing.is_empty()
        {
            out.push(Finding::IncompleteGuide {
                page: p.url.to_string(),
                missing,
            });
        }
        if message.is_some() {
            continue;
        }
        // Rows of a message list that have no page of their own.
        for b in p.doc.blocks.iter().filter(|b| !boiler_line(&b.text)) {
            let has_page = b
                .links
                .iter()
                .any(|&l| p.targets[l].as_deref().is_some_and(is_page));
            if !has_page
                && rules::row_unanswered(&b.text)
                && let Some(asked) = dates::first(&b.text)
                && rules::message_overdue(asked, as_of)
            {
                out.push(Finding::UnansweredMessage {
                    page: p.url.to_string(),
                    asked_on: asked.to_string(),
                });
            }
        }
    }
    out.sort();
    out.dedup();
    columns.sort();
    (out, columns)
}
