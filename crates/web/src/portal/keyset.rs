//! The pager of the portal's item lists, paged by key (`gongkai_db::public_lists`): the links
//! 首页 and 上一页 and 下一页 carrying the key of the row to continue from (`?after=…`, `?before=…`)
//! and the dates the page spans, so a reader knows where they are without a count of every row.
//! The `?page=N` links made before keep working: they are served by offset, once, and lead on
//! by key (see docs/decisions.md).

use super::{Href, page_from_query};
use gongkai_db::items::ItemSummary;
use gongkai_db::public_lists::{Cursor, KeysetPage};
use serde::Serialize;

/// The page a query string asks for: `after=<key>`, `before=<key>`, else `page=N`, else the
/// first page. A key that does not parse is the first page.
pub(crate) fn cursor_from_query(query: Option<&str>) -> Cursor {
    let param = |name: &str| {
        query.and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v)
        })
    };
    if let Some(v) = param("after") {
        return Cursor::parse_key(v).map_or(Cursor::First, Cursor::After);
    }
    if let Some(v) = param("before") {
        return Cursor::parse_key(v).map_or(Cursor::First, Cursor::Before);
    }
    match page_from_query(query) {
        1 => Cursor::First,
        n => Cursor::Numbered(n),
    }
}

/// `pager` as `portal/macros.html`'s `keyset_pagination` reads it: `first` (the first page,
/// when not on it), `newer` (the link 上一页 ), `older` (the link 下一页 ) and `span` (the dates of the page's
/// newest and oldest items).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct KeysetPager {
    pub first: Option<Href>,
    pub newer: Option<Href>,
    pub older: Option<Href>,
    pub span: String,
}

impl KeysetPager {
    /// The links of `page` of the list at `base` (a path without a query).
    pub fn of(page: &KeysetPage<ItemSummary>, base: &str) -> Self {
        let link = |name: &str, key| Href(format!("{base}?{name}={}", Cursor::key_text(key)));
        let date = |r: &ItemSummary| {
            r.published_at
                .map(|ms| super::feeds::china_time(ms).format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        let span = match (page.rows.first(), page.rows.last()) {
            (Some(newest), Some(oldest)) if page.newer.is_some() || page.older.is_some() => {
                let (to, from) = (date(newest), date(oldest));
                if to == from {
                    format!("本页信息发布于 {to}")
                } else {
                    format!("本页信息发布于 {from} 至 {to}")
                }
            }
            _ => String::new(),
        };
        Self {
            first: (!page.is_first()).then(|| Href(base.to_string())),
            newer: page.newer.map(|k| link("before", k)),
            older: page.older.map(|k| link("after", k)),
            span,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_names_the_page() {
        assert_eq!(cursor_from_query(None), Cursor::First);
        assert_eq!(
            cursor_from_query(Some("after=1700000000000-42")),
            Cursor::After((1_700_000_000_000, 42))
        );
        assert_eq!(
            cursor_from_query(Some("x=1&before=5-6")),
            Cursor::Before((5, 6))
        );
        assert_eq!(cursor_from_query(Some("page=3")), Cursor::Numbered(3));
        assert_eq!(cursor_from_query(Some("page=1")), Cursor::First);
        for bad in [
            "after=x",
            "after=",
            "before=1-",
            "page=-2",
            "page=x",
            "after=1e3-1",
        ] {
            assert_eq!(cursor_from_query(Some(bad)), Cursor::First, "{bad}");
        }
    }
}
