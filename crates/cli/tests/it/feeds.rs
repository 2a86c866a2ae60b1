//! Feeds and open data: RSS and Atom per column and per organisation, `/sitemap.xml` and the
//! 政府信息公开目录 as CSV and XLSX. The leak matrix: a published 主动公开 item is in every
//! channel; a draft, an unpublished item, a published 依申请公开 and a published 不予公开 item are
//! in none, nor is an item in any non-public workflow state (submitted, approved, scheduled,
//! withdrawn with a notice or gone; the other channels: `workflow.rs`).

use crate::support::TestApp;
use crate::workflow::Reach;
use calamine::{Data, Reader, Xlsx};
use quick_xml::Reader as XmlReader;
use quick_xml::XmlVersion;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use reqwest::StatusCode;

const ORG: &str = "市发展改革委";
const COLUMN: &str = "ghxx";

/// A public title that needs escaping, and one a spreadsheet would run as a formula.
const TRICKY: &str = "规划公告<script>&\"测试\"";
const FORMULA: &str = "=HYPERLINK(\"http://evil\")公开规划";

struct Case {
    id: i64,
    title: &'static str,
    public: bool,
}

async fn cases(app: &TestApp) -> Vec<Case> {
    let mut out = Vec::new();
    for (title, public) in [
        (TRICKY, true),
        (FORMULA, true),
        ("草稿规划", false),
        ("撤回规划", false),
        ("依申请公开规划", false),
        ("不予公开规划", false),
        // The publishing workflow's states before publication and after withdrawal.
        ("待审核规划", false),
        ("已审核待发布规划", false),
        ("定时发布规划", false),
        ("撤回公告规划", false),
        ("撤回删除规划", false),
    ] {
        let mut f = app.item(ORG, COLUMN, title).await;
        f.doc_number = "盘发改〔2017〕1号".into();
        match title {
            "依申请公开规划" => {
                f.disclosure = "on_request".into();
                f.disclosure_reason = "涉及第三方合法权益".into();
            }
            "不予公开规划" => {
                f.disclosure = "not_disclosed".into();
                f.disclosure_reason = "涉及国家秘密".into();
            }
            _ => {}
        }
        let id = app.create_item(f).await;
        match title {
            "草稿规划" => {}
            "撤回规划" => {
                app.publish(id).await;
                app.unpublish(id).await;
            }
            "待审核规划" => crate::workflow::reach(app, id, Reach::Submitted).await,
            "已审核待发布规划" => crate::workflow::reach(app, id, Reach::Approved).await,
            "定时发布规划" => crate::workflow::reach(app, id, Reach::Scheduled).await,
            "撤回公告规划" => crate::workflow::reach(app, id, Reach::WithdrawnNotice).await,
            "撤回删除规划" => crate::workflow::reach(app, id, Reach::WithdrawnGone).await,
            _ => app.publish(id).await,
        }
        out.push(Case { id, title, public });
    }
    out
}

/// GET `path`, asserting 200 and the content type; the body bytes.
async fn fetch(app: &TestApp, path: &str, content_type: &str) -> Vec<u8> {
    let resp = app
        .new_client()
        .get(app.url(path))
        .send()
        .await
        .expect(path);
    assert_eq!(resp.status(), StatusCode::OK, "{path}");
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert_eq!(ct, content_type, "{path}");
    resp.bytes().await.expect("body").to_vec()
}

/// Every element's text content and every attribute value, unescaped, in document order.
/// Panics when the document is not well-formed XML.
fn xml_values(doc: &str) -> Vec<String> {
    let mut reader = XmlReader::from_str(doc);
    reader.config_mut().check_end_names = true;
    let mut out = Vec::new();
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                text.clear();
                for a in e.attributes() {
                    let a = a.expect("well-formed attribute");
                    out.push(
                        a.normalized_value(XmlVersion::Implicit1_0)
                            .expect("attribute value")
                            .into_owned(),
                    );
                }
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                if let Some(c) = r.resolve_char_ref().expect("character reference") {
                    text.push(c);
                } else {
                    let name = r.xml10_content();
                    text.push_str(resolve_predefined_entity(&name).expect("known entity"));
                }
            }
            Ok(Event::End(_)) => {
                if !text.trim().is_empty() {
                    out.push(std::mem::take(&mut text));
                }
                text.clear();
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed XML at {}: {e}\n{doc}",
                reader.error_position()
            ),
        }
    }
    out
}

// Runs with the page cache on: the leak matrix holds for what is served from memory too.
both_backends!(
    feeds_and_open_data_show_only_public_items,
    TestApp::builder().page_cache() => |app| async move {
        let cases = cases(&app).await;
        let base = app.url("");
        let org = app.org_id(ORG).await;
        let link = |id: i64| format!("{base}/items/{id}");

        let rss = "application/rss+xml; charset=utf-8";
        let atom = "application/atom+xml; charset=utf-8";
        let channels = [
            (format!("/columns/{COLUMN}/rss.xml"), rss, true),
            (format!("/columns/{COLUMN}/atom.xml"), atom, true),
            // The 政府信息公开 root's feed covers its sub-columns.
            ("/columns/xxgk/rss.xml".to_string(), rss, true),
            (format!("/orgs/{org}/rss.xml"), rss, true),
            (format!("/orgs/{org}/atom.xml"), atom, true),
            (
                "/sitemap.xml".to_string(),
                "application/xml; charset=utf-8",
                false,
            ),
        ];
        for (path, ct, has_titles) in &channels {
            let body = String::from_utf8(fetch(&app, path, ct).await).expect("UTF-8");
            assert!(!body.contains("<script>"), "{path} leaks raw markup");
            let values = xml_values(&body);
            for c in &cases {
                assert_eq!(
                    values.contains(&link(c.id)),
                    c.public,
                    "{path}: link of {} (public: {})",
                    c.title,
                    c.public
                );
                if *has_titles {
                    assert_eq!(
                        values.iter().any(|v| v == c.title),
                        c.public,
                        "{path}: title {}",
                        c.title
                    );
                }
            }
            if *has_titles {
                assert!(
                    body.contains("&lt;script&gt;&amp;"),
                    "{path} escapes the title"
                );
            }
        }

        // Dates: RFC 822 in RSS, RFC 3339 in Atom, China's offset.
        let body = String::from_utf8(fetch(&app, &format!("/columns/{COLUMN}/rss.xml"), rss).await)
            .unwrap();
        assert!(
            body.contains("<pubDate>") && body.contains("+0800</pubDate>"),
            "{body}"
        );
        assert!(body.contains("<language>zh-CN</language>"));
        let body =
            String::from_utf8(fetch(&app, &format!("/orgs/{org}/atom.xml"), atom).await).unwrap();
        assert!(body.contains("+08:00</published>"), "{body}");
        assert!(body.contains(&format!("<name>{ORG}</name>")));

        // The sitemap lists the home page, the columns and organisations too.
        let sitemap = xml_values(
            &String::from_utf8(fetch(&app, "/sitemap.xml", "application/xml; charset=utf-8").await)
                .unwrap(),
        );
        for page in ["/", "/xxgk", "/columns/ghxx", "/orgs"] {
            assert!(
                sitemap.contains(&format!("{base}{page}")),
                "sitemap lacks {page}"
            );
        }
        assert!(sitemap.contains(&format!("{base}/orgs/{org}")));

        // CSV: BOM, header, formula neutralised, leak matrix.
        let csv = fetch(&app, "/xxgk/catalogue.csv", "text/csv; charset=utf-8").await;
        assert!(
            csv.starts_with(b"\xEF\xBB\xBF"),
            "the CSV starts with a BOM"
        );
        let csv = String::from_utf8(csv).unwrap();
        assert!(csv.starts_with(
            "\u{feff}索引号,标题,发布机构,发文字号,成文日期,发布日期,主题分类,有效性,链接\r\n"
        ));
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"http://evil\"\")公开规划\""),
            "{csv}"
        );
        assert!(!csv.contains(",=HYPERLINK") && !csv.contains("\n=HYPERLINK"));
        for c in &cases {
            let row_end = format!(",{}\r\n", link(c.id));
            assert_eq!(csv.contains(&row_end), c.public, "CSV: {}", c.title);
        }
        assert!(csv.contains("盘发改〔2017〕1号"));

        // XLSX read back.
        let bytes = fetch(
            &app,
            "/xxgk/catalogue.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        .await;
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).expect("the workbook opens");
        let range = wb.worksheet_range("政府信息公开目录").expect("the sheet");
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        assert_eq!(rows[0][0], "索引号");
        assert_eq!(rows[0][8], "链接");
        for c in &cases {
            let row = rows.iter().find(|r| r[8] == link(c.id));
            assert_eq!(row.is_some(), c.public, "XLSX: {}", c.title);
            if let Some(r) = row {
                assert_eq!(r[1], c.title);
                assert_eq!(r[2], ORG);
                assert!(!r[0].is_empty(), "a public item has its 索引号");
            }
        }

        // Filters.
        let other = app.org_id("市财政局").await;
        let csv = String::from_utf8(
            fetch(
                &app,
                &format!("/xxgk/catalogue.csv?org={other}"),
                "text/csv; charset=utf-8",
            )
            .await,
        )
        .unwrap();
        assert!(!csv.contains("公开规划"));
        let csv = String::from_utf8(
            fetch(
                &app,
                "/xxgk/catalogue.csv?year=1990",
                "text/csv; charset=utf-8",
            )
            .await,
        )
        .unwrap();
        assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
        for bad in ["/xxgk/catalogue.csv?year=abc", "/xxgk/catalogue.xlsx?org=x"] {
            assert_eq!(
                app.get(bad).await.status(),
                StatusCode::BAD_REQUEST,
                "{bad}"
            );
        }
        for missing in [
            "/columns/no-such-column/rss.xml",
            "/orgs/999999/atom.xml",
            "/orgs/abc/rss.xml",
        ] {
            assert_eq!(
                app.get(missing).await.status(),
                StatusCode::NOT_FOUND,
                "{missing}"
            );
        }

        // Discovery: alternate links on the pages, downloads on the 政府信息公开 page.
        let page = app.get_ok(&format!("/columns/{COLUMN}")).await;
        assert!(page.contains("<link rel=\"alternate\" type=\"application/rss+xml\""));
        assert!(page.contains(&format!("href=\"/columns/{COLUMN}/atom.xml\"")));
        let page = app.get_ok(&format!("/orgs/{org}")).await;
        assert!(page.contains(&format!("href=\"/orgs/{org}/rss.xml\"")));
        let page = app.get_ok("/xxgk").await;
        assert!(page.contains("href=\"/xxgk/catalogue.csv\""));
        assert!(page.contains("href=\"/xxgk/catalogue.xlsx\""));
    }
);

/// The ids of `GET /api/v1/items?{query}`, following every cursor with the same filters.
async fn api_ids(app: &TestApp, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut path = format!("/api/v1/items?limit=1&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let page: serde_json::Value = resp.json().await.expect("JSON");
        ids.extend(
            page["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|i| i["id"].as_i64().expect("id")),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return ids,
        }
    }
    panic!("more pages than expected for {query}");
}

both_backends!(
    api_listing_filters_show_only_public_items,
    |app| async move {
        let cases = cases(&app).await;
        let public: Vec<i64> = {
            let mut v: Vec<i64> = cases.iter().filter(|c| c.public).map(|c| c.id).collect();
            v.sort_by(|a, b| b.cmp(a));
            v
        };
        let org = app.org_id(ORG).await;
        let column = app.column_id(COLUMN).await;
        let year = {
            use chrono::Datelike;
            gongkai_db::china_today().year()
        };
        // Every title of the matrix contains 规划; only the public ones may come back.
        for query in [
            "q=规划".to_string(),
            format!("org={org}&q=规划"),
            format!("column={column}&year={year}&q=规划"),
            format!("org={org}&column={column}&year={year}"),
        ] {
            let mut ids = api_ids(&app, &query).await;
            ids.retain(|id| cases.iter().any(|c| c.id == *id));
            assert_eq!(ids, public, "{query}");
        }
        assert_eq!(api_ids(&app, "q=script>%26").await, vec![cases[0].id]);
        // Wildcards are literal: no title contains a %.
        assert!(api_ids(&app, "q=%25").await.is_empty());
        assert!(
            api_ids(&app, &format!("org={org}&year=1990"))
                .await
                .is_empty()
        );
        assert!(api_ids(&app, "q=依申请公开").await.is_empty());
        for bad in ["year=abc", "year=1800"] {
            let resp = app.get(&format!("/api/v1/items?{bad}")).await;
            assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let doc: serde_json::Value = app
            .get("/api/v1/openapi.json")
            .await
            .json()
            .await
            .expect("the OpenAPI document");
        let list = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .find(|(k, _)| k.ends_with("/items"))
            .map(|(_, v)| v)
            .expect("GET /items documented");
        let params: Vec<&str> = list["get"]["parameters"]
            .as_array()
            .expect("parameters of GET /items")
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        for name in ["column", "org", "year", "q", "limit", "cursor"] {
            assert!(params.contains(&name), "OpenAPI lacks {name}: {params:?}");
        }
    }
);
