//! The portal's lists of public items, paged by key: newest first on `(published_at, id)`, a
//! page at a time with one more row than shown (that row says whether an older page exists) and
//! **no `COUNT`**, so a page costs the same at any depth and any size of the table (issue 18).
//! A page is addressed by a [`Cursor`]; the indexes of migration 0045 end in the key, so each
//! page is a short range scan in index order.

use crate::DbResult;
use crate::items::{ItemSummary, PUBLIC_SQL, SUMMARY_COLS, id_list};
use sqlx::AnyConnection;

/// The key of a row in a public list: `(published_at, id)`.
pub type Key = (i64, i64);

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cursor {
    /// The newest rows.
    #[default]
    First,
    /// The rows older than this key: the link 下一页 .
    After(Key),
    /// The rows newer than this key: the link 上一页 .
    Before(Key),
    /// The n-th page counted from 1, by offset: only for the `?page=N` links made before keyset
    /// pagination, so they keep working.
    Numbered(i64),
}

impl Cursor {
    /// A key as links carry it: `<published_at>-<id>`; `None` for anything else.
    pub fn parse_key(text: &str) -> Option<Key> {
        let (p, id) = text.split_once('-')?;
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(p) || !digits(id) {
            return None;
        }
        Some((p.parse().ok()?, id.parse().ok()?))
    }

    /// The text of a key in a link (the inverse of [`Cursor::parse_key`]).
    pub fn key_text((p, id): Key) -> String {
        format!("{p}-{id}")
    }
}

/// One page of a keyset list.
#[derive(Debug, Clone)]
pub struct KeysetPage<T> {
    pub rows: Vec<T>,
    /// The key to ask `Before` for the newer page; `None` on the first page.
    pub newer: Option<Key>,
    /// The key to ask `After` for the older page; `None` on the last page.
    pub older: Option<Key>,
}

impl<T> KeysetPage<T> {
    /// Whether this is the newest page.
    pub fn is_first(&self) -> bool {
        self.newer.is_none()
    }
}

fn key_of(r: &ItemSummary) -> Key {
    (r.published_at.unwrap_or(0), r.id)
}

/// Public items in any of `column_ids` (a column and its descendants), a page by key.
pub async fn public_in_columns(
    conn: &mut AnyConnection,
    column_ids: &[i64],
    cursor: Cursor,
    per_page: i64,
) -> DbResult<KeysetPage<ItemSummary>> {
    let cond = format!(
        "{PUBLIC_SQL} AND i.id IN (SELECT item_id FROM item_columns WHERE column_id IN ({}))",
        id_list(column_ids)
    );
    keyset(conn, &cond, cursor, per_page).await
}

/// An organisation's public items, a page by key.
pub async fn public_by_org(
    conn: &mut AnyConnection,
    org_id: i64,
    cursor: Cursor,
    per_page: i64,
) -> DbResult<KeysetPage<ItemSummary>> {
    keyset(
        conn,
        &format!("{PUBLIC_SQL} AND i.org_id = {org_id}"),
        cursor,
        per_page,
    )
    .await
}

/// `per_page + 1` rows of `cond` from `cursor` in list order (newest first).
async fn fetch(
    conn: &mut AnyConnection,
    cond: &str,
    cursor: Cursor,
    per_page: i64,
) -> DbResult<Vec<ItemSummary>> {
    let limit = per_page + 1;
    let (range, order, offset) = match cursor {
        Cursor::First => (String::new(), "DESC", 0),
        Cursor::After((p, id)) => (
            format!(" AND (i.published_at, i.id) < ({p}, {id})"),
            "DESC",
            0,
        ),
        Cursor::Before((p, id)) => (
            format!(" AND (i.published_at, i.id) > ({p}, {id})"),
            "ASC",
            0,
        ),
        Cursor::Numbered(n) => (
            String::new(),
            "DESC",
            (n.clamp(1, 1_000_000) - 1) * per_page,
        ),
    };
    let mut rows: Vec<ItemSummary> = sqlx::query_as(dyn_sql!(
        "SELECT {SUMMARY_COLS} FROM items i JOIN organisations o ON o.id = i.org_id \
         WHERE {cond}{range} ORDER BY i.published_at {order}, i.id {order} \
         LIMIT {limit} OFFSET {offset}"
    ))
    .fetch_all(&mut *conn)
    .await?;
    if order == "ASC" {
        // Newer rows were read oldest first, from the cursor up: the extra row is the newest.
        rows.reverse();
    }
    Ok(rows)
}

async fn keyset(
    conn: &mut AnyConnection,
    cond: &str,
    cursor: Cursor,
    per_page: i64,
) -> DbResult<KeysetPage<ItemSummary>> {
    let per_page = per_page.clamp(1, 100);
    if cursor == Cursor::First {
        return first_page(conn, cond, per_page).await;
    }
    let mut rows = fetch(&mut *conn, cond, cursor, per_page).await?;
    match cursor {
        Cursor::First => first_page(conn, cond, per_page).await,
        // Nothing there (the list shrank, or a made-up cursor): the first page.
        _ if rows.is_empty() => first_page(conn, cond, per_page).await,
        Cursor::After(_) | Cursor::Numbered(_) => {
            let older = more(&mut rows, per_page, false);
            let newer = match cursor {
                Cursor::Numbered(1) => None,
                _ => rows.first().map(key_of),
            };
            Ok(KeysetPage { rows, newer, older })
        }
        Cursor::Before(_) => {
            // No row newer than this page: it is the first page, shown as the first page is.
            if more(&mut rows, per_page, true).is_none() {
                return first_page(conn, cond, per_page).await;
            }
            Ok(KeysetPage {
                newer: rows.first().map(key_of),
                older: rows.last().map(key_of),
                rows,
            })
        }
    }
}

async fn first_page(
    conn: &mut AnyConnection,
    cond: &str,
    per_page: i64,
) -> DbResult<KeysetPage<ItemSummary>> {
    let mut rows = fetch(conn, cond, Cursor::First, per_page).await?;
    let older = more(&mut rows, per_page, false);
    Ok(KeysetPage {
        rows,
        newer: None,
        older,
    })
}

/// Drops the extra row read beyond `per_page` (the last one, or the first when `newer_side`)
/// and returns the key to continue from when there was one.
fn more(rows: &mut Vec<ItemSummary>, per_page: i64, newer_side: bool) -> Option<Key> {
    let per_page = usize::try_from(per_page).unwrap_or(1);
    if rows.len() <= per_page {
        return None;
    }
    if newer_side {
        rows.remove(0);
        rows.first().map(key_of)
    } else {
        rows.truncate(per_page);
        rows.last().map(key_of)
    }
}

/// The number of public items in each column's subtree, for `subtrees` given as
/// `(column, its subtree's column ids)`, in one statement for a whole tree (an item filed in two
/// columns of one subtree counts once). One `COUNT` per subtree joined by `UNION ALL`: each is
/// planned as the separate counts were (the item ids of the subtree, then the public rule by
/// primary key), while a grouped join over (column, descendant) pairs was planned far worse on
/// SQLite (436 ms against 52 ms at 20,000 items; see docs/benchmarks.md).
pub async fn public_counts_in_subtrees(
    conn: &mut AnyConnection,
    subtrees: &[(i64, Vec<i64>)],
) -> DbResult<Vec<(i64, i64)>> {
    if subtrees.is_empty() {
        return Ok(Vec::new());
    }
    let parts: Vec<String> = subtrees
        .iter()
        .map(|(root, ids)| {
            format!(
                "SELECT CAST({root} AS BIGINT), COUNT(*) FROM items i WHERE {PUBLIC_SQL} \
                 AND i.id IN (SELECT item_id FROM item_columns WHERE column_id IN ({}))",
                id_list(ids)
            )
        })
        .collect();
    Ok(sqlx::query_as(dyn_sql!("{}", parts.join(" UNION ALL ")))
        .fetch_all(conn)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_bad_ones_are_refused() {
        let k = (1_700_000_000_000, 42);
        assert_eq!(Cursor::parse_key(&Cursor::key_text(k)), Some(k));
        for bad in [
            "",
            "-",
            "1-",
            "-1",
            "1.5-2",
            "x-1",
            "1-2-3",
            "+1-2",
            "99999999999999999999-1",
        ] {
            assert_eq!(Cursor::parse_key(bad), None, "{bad}");
        }
    }
}
