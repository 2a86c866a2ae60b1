//! The benchmark's site and the inspector's side of it (`scripts/bench-inspect`).
//!
//! - `bench_site serve ARTICLES SECONDS`: serves a generated government-style site on 127.0.0.1
//!   (a home page, 100 columns, ARTICLES articles spread over them; some articles link to pages
//!   that do not exist (404) or to a closed port (connection refused)); prints `BASE url` and
//!   stops by itself after SECONDS.
//! - `bench_site pages BASE ARTICLES`: every page URL of the site, one a line (lychee's input).
//! - `bench_site dead BASE ARTICLES`: every injected dead link target, one a line.
//! - `bench_site inspect BASE AS_OF MAX_PAGES CONCURRENCY`: runs `gongkai_inspect::inspect_site`
//!   (what `gongkai inspect site` runs) and prints its JSON report.

// A benchmark driver: what it prints is its result.
#![allow(clippy::print_stdout)]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark tool: a panic is the failure

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

const COLUMNS: usize = 100;

fn column(i: usize) -> String {
    format!(
        "c{}{}",
        char::from(b'a' + (i / 26) as u8),
        char::from(b'a' + (i % 26) as u8)
    )
}

fn per_column(articles: usize) -> usize {
    articles.div_ceil(COLUMNS)
}

/// Article `k` of column `c` exists when its global index is below `articles`.
fn exists(articles: usize, c: usize, k: usize) -> bool {
    c * per_column(articles) + k < articles && k < per_column(articles)
}

fn is_404_link(k: usize) -> bool {
    k % 50 == 7
}

fn is_refused_link(k: usize) -> bool {
    k % 500 == 3
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\
         <div class=\"nav\"><a href=\"/\">首页</a> <a href=\"/{}/\">政务动态</a> <a href=\"/{}/\">通知公告</a></div>\
         <h1>{title}</h1>{body}<div class=\"footer\">主办单位\u{FF1A}示范市人民政府办公室</div></body></html>",
        column(0),
        column(1)
    )
}

fn home(articles: usize) -> String {
    let mut b = String::from("<ul>");
    for c in 0..COLUMNS {
        b.push_str(&format!("<li><a href=\"/{}/\">栏目{c}</a></li>", column(c)));
    }
    b.push_str("</ul>");
    let _ = articles;
    page("示范市人民政府", &b)
}

fn list(articles: usize, c: usize) -> String {
    let mut b = String::from("<ul class=\"list\">");
    for k in (0..per_column(articles)).filter(|&k| exists(articles, c, k)) {
        b.push_str(&format!(
            "<li><a href=\"t{k}.html\">栏目{c}第{k}号信息</a><span>2026-11-{:02}</span></li>",
            k % 28 + 1
        ));
    }
    b.push_str("</ul>");
    page(&format!("栏目{c}"), &b)
}

fn article(articles: usize, c: usize, k: usize) -> String {
    let col = column(c);
    let mut b = format!(
        "<p>发布日期\u{FF1A}2026-11-{:02}</p><p>栏目{c}第{k}号信息的正文。为进一步做好政务公开工作\u{FF0C}现将有关事项通知如下。</p>\
         <p><a href=\"/{col}/\">返回列表</a></p>",
        k % 28 + 1
    );
    if exists(articles, c, k + 1) {
        b.push_str(&format!("<p><a href=\"t{}.html\">下一篇</a></p>", k + 1));
    }
    if is_404_link(k) {
        b.push_str(&format!(
            "<p><a href=\"/{col}/gone-{k}.html\">相关文件</a></p>"
        ));
    }
    if is_refused_link(k) {
        b.push_str(&format!(
            "<p><a href=\"http://127.0.0.1:1/refused-{col}-{k}\">外部链接</a></p>"
        ));
    }
    page(&format!("栏目{c}第{k}号信息"), &b)
}

fn answer(articles: usize, path: &str) -> Response {
    let html = |s: String| {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            s,
        )
            .into_response()
    };
    if path == "/robots.txt" {
        return (StatusCode::OK, "User-agent: *\nDisallow:\n").into_response();
    }
    if path == "/" {
        return html(home(articles));
    }
    let mut parts = path.trim_start_matches('/').splitn(2, '/');
    let (col, rest) = (parts.next().unwrap_or(""), parts.next());
    if let Some(c) = (0..COLUMNS).find(|&c| column(c) == col) {
        match rest {
            Some("") => return html(list(articles, c)),
            Some(r) => {
                if let Some(k) = r
                    .strip_prefix('t')
                    .and_then(|r| r.strip_suffix(".html"))
                    .and_then(|k| k.parse::<usize>().ok())
                    .filter(|&k| exists(articles, c, k))
                {
                    return html(article(articles, c, k));
                }
            }
            None => {}
        }
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

fn urls(base: &str, articles: usize) -> Vec<String> {
    let base = base.trim_end_matches('/');
    let mut v = vec![format!("{base}/")];
    for c in 0..COLUMNS {
        v.push(format!("{base}/{}/", column(c)));
        for k in (0..per_column(articles)).filter(|&k| exists(articles, c, k)) {
            v.push(format!("{base}/{}/t{k}.html", column(c)));
        }
    }
    v
}

fn dead(base: &str, articles: usize) -> Vec<String> {
    let base = base.trim_end_matches('/');
    let mut v = Vec::new();
    for c in 0..COLUMNS {
        for k in (0..per_column(articles)).filter(|&k| exists(articles, c, k)) {
            if is_404_link(k) {
                v.push(format!("{base}/{}/gone-{k}.html", column(c)));
            }
            if is_refused_link(k) {
                v.push(format!("http://127.0.0.1:1/refused-{}-{k}", column(c)));
            }
        }
    }
    v
}

fn arg(args: &[String], i: usize) -> &str {
    args.get(i).map(String::as_str).unwrap_or_else(|| {
        eprintln!("usage: see the header of crates/inspect/examples/bench_site.rs");
        std::process::exit(2)
    })
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    match arg(&args, 1) {
        "serve" => {
            let articles: usize = arg(&args, 2).parse().unwrap();
            let secs: u64 = arg(&args, 3).parse().unwrap();
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            println!("BASE http://{}/", listener.local_addr().unwrap());
            let app = axum::Router::new()
                .fallback(move |req: Request| async move { answer(articles, req.uri().path()) });
            let _ =
                tokio::time::timeout(Duration::from_secs(secs), axum::serve(listener, app)).await;
        }
        "pages" => {
            for u in urls(arg(&args, 2), arg(&args, 3).parse().unwrap()) {
                println!("{u}");
            }
        }
        "dead" => {
            for u in dead(arg(&args, 2), arg(&args, 3).parse().unwrap()) {
                println!("{u}");
            }
        }
        "inspect" => {
            let as_of = chrono::NaiveDate::parse_from_str(arg(&args, 3), "%Y-%m-%d").unwrap();
            let mut config = gongkai_inspect::Config::new(arg(&args, 2), as_of);
            config.max_pages = arg(&args, 4).parse().unwrap();
            config.concurrency = arg(&args, 5).parse().unwrap();
            let report = gongkai_inspect::inspect_site(&config).await.unwrap();
            println!("{}", serde_json::to_string(&report).unwrap());
        }
        other => {
            eprintln!("unknown mode {other}");
            std::process::exit(2)
        }
    }
}
