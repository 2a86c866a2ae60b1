//! Cheap cache misses (issue 18): the portal's lists paged by key without a count (forward,
//! back, the first page, the old `?page=N` links and made-up cursors), /xxgk's counts in one
//! statement, and the catalogue CSV and sitemap streamed from the database past one chunk.

use crate::support::TestApp;
use gongkai_db::public_lists;
use reqwest::StatusCode;

/// Clones the public item `source` `n` times by SQL (no index number, each a minute older than
/// the last, filed in `column`): enough rows for paging and streaming without publishing each
/// through the workflow. Returns the new ids.
pub async fn clone_public_items(app: &TestApp, source: i64, column: i64, n: i64) -> Vec<i64> {
    let mut conn = app.conn().await;
    let before: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM items")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO items (site_id, org_id, title, summary, body_format, body_source, body_html, \
         status, disclosure, validity, published_at, made_public_at, created_at, updated_at) \
         SELECT site_id, org_id, title || ' ' || CAST(n.k AS TEXT), summary, body_format, body_source, \
         body_html, status, disclosure, validity, published_at - n.k * 60000, made_public_at, \
         created_at, updated_at - n.k * 60000 FROM items, \
         (WITH RECURSIVE s (k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM s WHERE k < {n}) \
          SELECT k FROM s) n WHERE items.id = {source}"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO item_columns (item_id, column_id) SELECT id, {column} FROM items WHERE id > {before}"
    )))
    .execute(&mut *conn)
    .await
    .unwrap();
    sqlx::query_scalar("SELECT id FROM items WHERE id > $1 ORDER BY id")
        .bind(before)
        .fetch_all(&mut *conn)
        .await
        .unwrap()
}

/// The item ids a list page links, in order.
fn item_ids(html: &str) -> Vec<i64> {
    html.split("class=\"item-title\" href=\"/items/")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect()
}

/// The address of the link with `rel` (prev or next), if the page has one.
fn rel_link(html: &str, rel: &str) -> Option<String> {
    let at = html.find(&format!("\" rel=\"{rel}\""))?;
    let start = html[..at].rfind("href=\"")? + 6;
    Some(html[start..at].replace("&amp;", "&"))
}

both_backends!(
    column_pages_go_by_key_both_ways_and_old_links_work,
    |app| async move {
        let column = app.column_id("tzgg").await;
        let first = app
            .create_item(app.item("市民政局", "tzgg", "分页通知").await)
            .await;
        app.publish(first).await;
        clone_public_items(&app, first, column, 44).await;
        let mut conn = app.conn().await;
        let all: Vec<i64> = sqlx::query_scalar(
            "SELECT i.id FROM items i JOIN item_columns c ON c.item_id = i.id \
         WHERE c.column_id = $1 AND i.status = 'published' AND i.disclosure = 'proactive' \
         ORDER BY i.published_at DESC, i.id DESC",
        )
        .bind(column)
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        assert!(all.len() >= 45);

        // Forward by 下一页 to the end: every public item once, newest first, 20 a page.
        let mut seen = Vec::new();
        let mut pages = vec!["/columns/tzgg".to_string()];
        let mut html = app.get_ok("/columns/tzgg").await;
        let first_link = "href=\"/columns/tzgg\">首页<";
        assert!(rel_link(&html, "prev").is_none() && !html.contains(first_link));
        assert!(html.contains("本页信息发布于"), "where the reader is");
        assert!(!html.contains("共 "), "no count of every row");
        loop {
            let ids = item_ids(&html);
            assert!(!ids.is_empty() && ids.len() <= 20);
            seen.extend(ids);
            match rel_link(&html, "next") {
                Some(next) => {
                    assert!(next.starts_with("/columns/tzgg?after="), "{next}");
                    html = app.get_ok(&next).await;
                    assert!(html.contains(first_link));
                    pages.push(next);
                }
                None => break,
            }
        }
        assert_eq!(seen, all, "forward walk");
        assert_eq!(pages.len(), all.len().div_ceil(20));

        // Back by 上一页 to the first page, which looks as the first page does.
        let mut back = Vec::new();
        while let Some(prev) = rel_link(&html, "prev") {
            assert!(prev.starts_with("/columns/tzgg?before="), "{prev}");
            html = app.get_ok(&prev).await;
            back.push(item_ids(&html));
        }
        let first_page = app.get_ok("/columns/tzgg").await;
        assert_eq!(back.last().unwrap(), &item_ids(&first_page));
        assert_eq!(back.last().unwrap(), &all[..20].to_vec());

        // Links made before keyset pagination keep working; nonsense is the first page, never a 500.
        assert_eq!(
            item_ids(&app.get_ok("/columns/tzgg?page=2").await),
            all[20..40].to_vec()
        );
        for q in [
            "page=999",
            "page=-1",
            "after=x",
            "before=1-",
            "after=99999999999999999999-1",
        ] {
            let resp = app.get(&format!("/columns/tzgg?{q}")).await;
            assert_eq!(resp.status(), StatusCode::OK, "{q}");
            assert_eq!(
                item_ids(&resp.text().await.unwrap()),
                all[..20].to_vec(),
                "{q}"
            );
        }
        // A cursor past the end shows the first page too.
        let resp = app.get("/columns/tzgg?after=0-0").await;
        assert_eq!(item_ids(&resp.text().await.unwrap()), all[..20].to_vec());

        // The organisation page pages the same way.
        let org = app.org_id("市民政局").await;
        let html = app.get_ok(&format!("/orgs/{org}")).await;
        let next = rel_link(&html, "next").expect("the organisation has a second page");
        assert!(next.starts_with(&format!("/orgs/{org}?after=")));
        assert_eq!(app.get(&next).await.status(), StatusCode::OK);
    }
);

both_backends!(
    the_open_government_counts_come_from_one_grouped_statement,
    |app| async move {
        // One item in two columns of one subtree counts once there, and once in each column.
        let mut fields = app.item("市财政局", "czyjs", "两栏目的信息").await;
        fields
            .column_ids
            .push(app.column_id("tzgg").await.to_string());
        let id = app.create_item(fields).await;
        app.publish(id).await;
        app.create_item(app.item("市财政局", "czyjs", "草稿不计数").await)
            .await;
        let mut conn = app.conn().await;
        let site = gongkai_db::columns::default_site(&mut conn).await.unwrap();
        let all = gongkai_db::columns::all(&mut conn, site.id).await.unwrap();
        let subtrees: Vec<(i64, Vec<i64>)> = all
            .iter()
            .map(|c| (c.id, gongkai_db::columns::subtree(&all, c.id)))
            .collect();
        let grouped: std::collections::HashMap<i64, i64> =
            public_lists::public_counts_in_subtrees(&mut conn, &subtrees)
                .await
                .unwrap()
                .into_iter()
                .collect();
        for (root, ids) in &subtrees {
            let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            let one_by_one: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM items i WHERE i.status = 'published' AND i.disclosure = 'proactive' \
             AND i.id IN (SELECT item_id FROM item_columns WHERE column_id IN ({list}))"
        )))
        .fetch_one(&mut *conn)
        .await
        .unwrap();
            assert_eq!(
                grouped.get(root).copied().unwrap_or(0),
                one_by_one,
                "column {root}"
            );
        }
        drop(conn);
        assert_eq!(app.get("/xxgk").await.status(), StatusCode::OK);
    }
);

both_backends!(
    catalogue_and_sitemap_stream_every_public_row,
    |app| async move {
        let column = app.column_id("tzgg").await;
        let first = app
            .create_item(app.item("市民政局", "tzgg", "目录流式输出的通知").await)
            .await;
        app.publish(first).await;
        clone_public_items(&app, first, column, 600).await;
        let draft = app
            .create_item(app.item("市民政局", "tzgg", "不应出现的草稿").await)
            .await;

        let mut conn = app.conn().await;
        let rows = gongkai_db::items::public_catalogue(
            &mut conn,
            gongkai_db::items::CatalogueQuery::default(),
            100_000,
        )
        .await
        .unwrap();
        drop(conn);
        let resp = app.get("/xxgk/catalogue.csv").await;
        assert_eq!(resp.status(), StatusCode::OK);
        let csv = resp.text().await.unwrap();
        assert!(csv.len() > 32 * 1024, "more than one chunk: {}", csv.len());
        assert!(csv.starts_with("\u{feff}索引号\u{2c}标题"));
        let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(
            lines.len(),
            rows.len() + 1,
            "the header and every public row"
        );
        for (line, row) in lines[1..].iter().zip(&rows) {
            assert!(line.ends_with(&format!("/items/{}", row.id)), "{line}");
        }
        assert!(!csv.contains("不应出现的草稿"));

        let resp = app.get("/sitemap.xml").await;
        assert_eq!(resp.status(), StatusCode::OK);
        let xml = resp.text().await.unwrap();
        assert!(xml.trim_end().ends_with("</urlset>"), "a whole document");
        let item_locs = xml.matches("/items/").count();
        assert_eq!(item_locs, rows.len());
        assert!(!xml.contains(&format!("/items/{draft}<")));
    }
);
