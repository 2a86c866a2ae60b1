//! Evidence from a department's own website (issue 16 item 4): an obligation bound over HTTP to a
//! list page on a local site (127.0.0.1) is 未完成 at first; the page gains an item, the scheduled crawl
//! (scan job, then crawl job, through the worker) reads it and the period becomes 按时完成. An item
//! whose page claims an early date but which the crawler first saw after the due date stays late
//! and is flagged as backdated in the report JSON and on the supervision page. The list's first
//! page is GBK, its second UTF-8 with a split date; robots.txt keeps the crawler off a path; a
//! re-crawl sends the ETag and a 304 changes nothing.

use crate::support::TestApp;
use crate::support::html::decode;
use gongkai_db::compliance::{ComplianceReport, EvidenceRow};
use gongkai_domain::calendar::NaiveDate;
use gongkai_jobs::Job;
use gongkai_jobs::external::ExternalScan;
use gongkai_jobs::worker::{self, WorkerConfig};
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An item on the department's list: title, link (relative), the date as the page writes it.
type Row = (&'static str, &'static str, &'static str);

#[derive(Default)]
struct SiteState {
    first: Vec<Row>,
    second: Vec<Row>,
    /// Bumped on every change: the first page's ETag.
    version: u32,
    /// Every request's head, in order.
    requests: Vec<String>,
    not_modified: usize,
}

/// A department's website on 127.0.0.1: `/czj/szqk/index.html` (GBK, by its meta tag only,
/// with an ETag) and its next page `index_1.html` (UTF-8), whose 下一页 leads to a path robots.txt
/// disallows.
#[derive(Clone)]
struct Site {
    base: String,
    state: Arc<Mutex<SiteState>>,
}

const LIST: &str = "/czj/szqk/index.html";

impl Site {
    async fn start() -> Site {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let site = Site {
            base: format!("http://{}", listener.local_addr().unwrap()),
            state: Arc::new(Mutex::new(SiteState::default())),
        };
        let s = site.clone();
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut got = Vec::new();
                    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                        let n = sock.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        got.extend_from_slice(&buf[..n]);
                    }
                    let head = String::from_utf8_lossy(&got).to_string();
                    let (status, ctype, extra, body) = s.answer(&head);
                    let reply = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = sock.write_all(reply.as_bytes()).await;
                    let _ = sock.write_all(&body).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        site
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn rows(rows: &[Row]) -> String {
        rows.iter()
            .map(|(t, href, date)| format!("<li><a href=\"{href}\">{t}</a>{date}</li>"))
            .collect()
    }

    /// (status line, content type, extra headers, body) for a request head.
    fn answer(&self, head: &str) -> (&'static str, &'static str, String, Vec<u8>) {
        let mut st = self.state.lock().unwrap();
        st.requests.push(head.to_string());
        let path = head.split(' ').nth(1).unwrap_or("/").to_string();
        let etag = format!("\"list-v{}\"", st.version);
        let nav = "<ul class=\"nav\"><li><a href=\"/\">首页</a></li><li><a href=\"/czj/\">机构概况</a></li></ul>";
        match path.as_str() {
            "/robots.txt" => (
                "200 OK",
                "text/plain",
                String::new(),
                b"User-agent: *\nDisallow: /private/\n".to_vec(),
            ),
            LIST => {
                let sent = head
                    .lines()
                    .find_map(|l| {
                        l.strip_prefix("If-None-Match: ")
                            .or(l.strip_prefix("if-none-match: "))
                    })
                    .map(str::trim);
                if sent == Some(etag.as_str()) {
                    st.not_modified += 1;
                    return (
                        "304 Not Modified",
                        "text/html",
                        format!("ETag: {etag}\r\n"),
                        Vec::new(),
                    );
                }
                let html = format!(
                    "<html><head><meta charset=\"gbk\"><title>财政收支 - 盘锦市财政局</title></head><body>{nav}\
                     <div class=\"list\"><ul>{}</ul></div>\
                     <div class=\"pager\"><a href=\"index_1.html\">下一页</a><a href=\"index_1.html\">尾页</a></div></body></html>",
                    Self::rows(&st.first)
                );
                let (gbk, _, _) = encoding_rs::GBK.encode(&html);
                (
                    "200 OK",
                    "text/html",
                    format!("ETag: {etag}\r\n"),
                    gbk.into_owned(),
                )
            }
            "/czj/szqk/index_1.html" => {
                let html = format!(
                    "<html><body>{nav}<table>{}</table><a href=\"/private/index_2.html\">下一页</a></body></html>",
                    Self::rows(&st.second)
                        .replace("<li>", "<tr><td>")
                        .replace("</li>", "</td></tr>")
                );
                (
                    "200 OK",
                    "text/html; charset=utf-8",
                    String::new(),
                    html.into_bytes(),
                )
            }
            _ => (
                "404 Not Found",
                "text/html",
                String::new(),
                b"<h1>404</h1>".to_vec(),
            ),
        }
    }

    fn change(&self, f: impl FnOnce(&mut SiteState)) {
        let mut st = self.state.lock().unwrap();
        f(&mut st);
        st.version += 1;
    }

    fn requested(&self, prefix: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|h| h.split(' ').nth(1).is_some_and(|p| p.starts_with(prefix)))
            .count()
    }
}

async fn plan(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    let id = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap()
        .plan_id;
    tx.commit().await.unwrap();
    id
}

async fn report(app: &TestApp, plan: i64, as_of: &str) -> ComplianceReport {
    gongkai_db::compliance::report(
        &mut *app.conn().await,
        plan,
        NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
    )
    .await
    .unwrap()
}

/// 10:00 in China on `day`, in epoch milliseconds.
fn china_morning(day: &str) -> i64 {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp_millis()
}

/// The scheduled crawl as it runs: the scan job queues a crawl per bound list, the worker runs
/// both.
async fn crawl_at(app: &TestApp, day: &str) {
    let now = china_morning(day);
    let mut conn = app.conn().await;
    gongkai_jobs::enqueue(&mut conn, &ExternalScan { now_ms: Some(now) }, now, None)
        .await
        .unwrap();
    drop(conn);
    let cfg = WorkerConfig {
        schedule_scans: false,
        ..WorkerConfig::default()
    };
    for _ in 0..10 {
        if worker::run_once(app.db(), &cfg).await.unwrap().claimed == 0 {
            break;
        }
    }
    let lists = gongkai_db::external_lists::bound(&mut *app.conn().await)
        .await
        .unwrap();
    assert!(
        lists.iter().all(|l| l.crawled_at == Some(now)),
        "every bound list crawled by the {} job: {lists:?}",
        ExternalScan::KIND
    );
}

/// Every item's link and first sighting, in the order first seen.
async fn sightings(app: &TestApp) -> Vec<(String, i64)> {
    let mut conn = app.conn().await;
    let mut out = Vec::new();
    for l in gongkai_db::external_lists::bound(&mut conn).await.unwrap() {
        for i in gongkai_db::external_lists::items(&mut conn, l.id)
            .await
            .unwrap()
        {
            out.push((i.link, i.first_seen_at));
        }
    }
    out
}

fn period<'a>(
    r: &'a ComplianceReport,
    ob: i64,
    key: &str,
) -> &'a gongkai_db::compliance::PeriodRow {
    r.periods
        .iter()
        .find(|p| p.obligation_id == ob && p.key == key)
        .unwrap_or_else(|| panic!("no period {key}"))
}

both_backends!(a_department_list_page_is_evidence, |app| async move {
    let site = Site::start().await;
    let plan = plan(&app).await;
    let tree = gongkai_db::plans::plan_tree(&mut *app.conn().await, plan)
        .await
        .unwrap();
    let (duty, ob) = tree
        .tasks
        .iter()
        .flat_map(|t| &t.duties)
        .flat_map(|d| d.obligations.iter().map(move |o| (d.id, o)))
        .find(|(_, o)| o.org_name == "市财政局" && o.cadence == "monthly")
        .map(|(d, o)| (d, o.id))
        .expect("the 2017 arrangement's monthly duty of 市财政局");
    let admin = app.admin().await;
    let bind = format!("/admin/plans/{plan}/duties/{duty}/external");

    // A URL that is not http(s) is refused in Chinese and changes nothing.
    let audit = app.audit_count().await;
    let (status, body) = admin
        .submit(
            &bind,
            &[("cadence", "monthly"), ("url", "ftp://czj.example/list")],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        decode(&body).contains("只支持以 http:// 或 https:// 开头的网址"),
        "{body}"
    );
    assert_eq!(app.count("external_lists").await, 0);
    assert_eq!(app.audit_count().await, audit);

    let list_url = site.url(LIST);
    let (status, _) = admin
        .submit(&bind, &[("cadence", "monthly"), ("url", list_url.as_str())])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.audit_count().await, audit + 1, "the binding is audited");
    let plan_page = decode(&admin.get_ok(&format!("/admin/plans/{plan}")).await);
    assert!(plan_page.contains(&format!("部门网站栏目 <a href=\"{list_url}\"")));

    // Bound, nothing on the page yet: April is 未完成.
    let r = report(&app, plan, "2017-06-30").await;
    let o = r.obligations.iter().find(|o| o.id == ob).unwrap();
    assert_eq!(o.check, "checked");
    assert_eq!(period(&r, ob, "2017-04").status_label, "未完成");
    crawl_at(&app, "2017-05-10").await;
    assert_eq!(app.count("external_list_items").await, 0);
    let r = report(&app, plan, "2017-06-30").await;
    assert_eq!(period(&r, ob, "2017-04").status_label, "未完成");

    // The page gains April's report; the crawl reads it (GBK) and April is 按时完成.
    site.change(|s| {
        s.first.push((
            "2017年4月财政收支情况",
            "t20170512.html",
            "<span>[2017-05-12]</span>",
        ))
    });
    crawl_at(&app, "2017-05-15").await;
    let r = report(&app, plan, "2017-06-30").await;
    let april = period(&r, ob, "2017-04");
    assert_eq!(april.status_label, "按时完成", "{}", april.explanation);
    let e: &EvidenceRow = &april.evidence[0];
    assert_eq!(e.title, "2017年4月财政收支情况", "decoded from GBK");
    assert_eq!(e.source, "external");
    assert_eq!(e.href, site.url("/czj/szqk/t20170512.html"));
    assert_eq!(
        e.stated_on.map(|d| d.to_string()).as_deref(),
        Some("2017-05-12")
    );
    assert_eq!(
        e.first_seen_on.map(|d| d.to_string()).as_deref(),
        Some("2017-05-15")
    );
    assert_eq!(e.published_on, "2017-05-12");
    assert!(!e.backdated);

    // May's report appears on the second page after May's due date, claiming a date in time:
    // late whatever the page says, and flagged.
    let may_due = period(&r, ob, "2017-05").due;
    assert!(may_due.to_string().as_str() < "2017-07-10", "{may_due}");
    site.change(|s| {
        s.second.push((
            "2017年5月财政收支情况",
            "/czj/szqk/t20170606.html",
            "<span>2017-06</span><span>06</span>",
        ))
    });
    crawl_at(&app, "2017-07-10").await;
    let r = report(&app, plan, "2017-07-31").await;
    let may = period(&r, ob, "2017-05");
    assert_eq!(may.status_label, "逾期完成", "{}", may.explanation);
    let e = &may.evidence[0];
    assert_eq!(
        e.stated_on.map(|d| d.to_string()).as_deref(),
        Some("2017-06-06")
    );
    assert_eq!(
        e.first_seen_on.map(|d| d.to_string()).as_deref(),
        Some("2017-07-10")
    );
    assert_eq!(
        e.published_on, "2017-07-10",
        "counted from the day first seen"
    );
    assert!(e.backdated);
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let flagged: Vec<&serde_json::Value> = json["periods"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["evidence"].as_array().unwrap())
        .filter(|e| e["backdated"] == true)
        .collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["href"], site.url("/czj/szqk/t20170606.html"));
    let page = decode(
        &admin
            .get_ok(&format!(
                "/admin/supervision/periods?plan={plan}&as_of=2017-07-31&org={}",
                o.org_id
            ))
            .await,
    );
    assert!(
        page.contains("疑似倒签日期"),
        "the supervision page marks it"
    );
    assert!(page.contains("部门网站标注日期2017-06-06\u{FF0C}系统首次抓取于2017-07-10"));
    assert_eq!(site.requested("/private/"), 0, "robots.txt is obeyed");

    // A re-crawl sends the ETag; the 304 changes nothing.
    let before: Vec<(String, i64)> = sightings(&app).await;
    let audit = app.audit_count().await;
    crawl_at(&app, "2017-07-11").await;
    assert_eq!(site.state.lock().unwrap().not_modified, 1);
    let after: Vec<(String, i64)> = sightings(&app).await;
    assert_eq!(before, after);
    assert_eq!(app.audit_count().await, audit);
    let list = gongkai_db::external_lists::bound(&mut *app.conn().await)
        .await
        .unwrap();
    assert_eq!(list[0].last_outcome.as_deref(), Some("not_modified"));
    assert_eq!(list[0].etag.as_deref(), Some("\"list-v2\""));

    // A full read later never moves a first sighting.
    site.change(|s| {
        s.first
            .push(("财政预算公开", "t20170720.html", " 2017年07月20日"))
    });
    crawl_at(&app, "2017-07-21").await;
    let again: Vec<(String, i64)> = sightings(&app).await;
    assert_eq!(again.len(), 3);
    assert_eq!(&again[..2], &after[..]);

    // Unbinding makes the obligation read the portal column's items again.
    let (status, _) = admin
        .submit(&bind, &[("cadence", "monthly"), ("url", "")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let r = report(&app, plan, "2017-07-31").await;
    assert!(
        r.periods
            .iter()
            .filter(|p| p.obligation_id == ob)
            .flat_map(|p| &p.evidence)
            .all(|e| e.source != "external")
    );
});
