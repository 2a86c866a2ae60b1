//! Accessibility of every portal page type, measured by axe-core (vendored, test-only:
//! `it/assets/axe-core/`) in the real browser: normal and 适老化 mode, at 390 px (a phone) and
//! 1366 px (a laptop). No serious or critical violation is allowed, and no page is wider than the
//! window (reflow); the test prints a table of page × mode × width → counts by impact and lists
//! the moderate and minor findings.

use crate::browser::Browser;
use crate::support::TestApp;
use std::fmt::Write as _;

const AXE: &str = include_str!("assets/axe-core/axe.min.js");

/// The first link on `page` whose path starts with `prefix` and continues with a digit or letter
/// (a detail page, not the list itself).
async fn first_link(app: &TestApp, page: &str, prefix: &str) -> String {
    let html = app.get_ok(page).await;
    for (at, _) in html.match_indices(&format!("href=\"{prefix}")) {
        let rest = &html[at + 6..];
        let end = rest.find('"').unwrap();
        let href = &rest[..end];
        let tail = &href[prefix.len()..];
        if tail
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
            && !tail.contains('/')
            && !tail.contains('?')
        {
            return href.to_string();
        }
    }
    panic!("no link starting with {prefix} on {page}");
}

#[derive(Default)]
struct Counts {
    critical: usize,
    serious: usize,
    moderate: usize,
    minor: usize,
}

/// Runs axe-core on the page the browser shows; returns the counts and a line per violation
/// (moderate and minor ones start with `(not failing)`).
async fn axe(b: &Browser) -> (Counts, Vec<String>) {
    b.client
        .execute(&format!("{AXE}\n;return typeof window.axe;"), vec![])
        .await
        .expect("inject axe-core");
    let result = b
        .client
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ['violations'] })
                 .then(r => done(r.violations.map(v => ({
                     id: v.id, impact: v.impact, help: v.help,
                     targets: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\s+/g, ' ').slice(0, 200)),
                     count: v.nodes.length }))))
                 .catch(e => done([{ id: 'axe-error', impact: 'critical', help: String(e), targets: [], count: 1 }]));"#,
            vec![],
        )
        .await
        .expect("run axe-core");
    let mut counts = Counts::default();
    let mut bad = Vec::new();
    for v in result.as_array().expect("violations") {
        let impact = v["impact"].as_str().unwrap_or("minor");
        let n = v["count"].as_u64().unwrap_or(1) as usize;
        match impact {
            "critical" => counts.critical += n,
            "serious" => counts.serious += n,
            "moderate" => counts.moderate += n,
            _ => counts.minor += n,
        }
        if !matches!(impact, "critical" | "serious") {
            bad.push(format!(
                "(not failing) {} ({impact}, {n}×)",
                v["id"].as_str().unwrap_or("")
            ));
        } else {
            bad.push(format!(
                "{} ({impact}, {n}×): {}\n      {}",
                v["id"].as_str().unwrap_or(""),
                v["help"].as_str().unwrap_or(""),
                v["targets"]
                    .as_array()
                    .map(|t| t
                        .iter()
                        .filter_map(|x| x.as_str())
                        .collect::<Vec<_>>()
                        .join("\n      "))
                    .unwrap_or_default()
            ));
        }
    }
    (counts, bad)
}

/// Every portal page type, in both modes, at both widths: 0 serious or critical violations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axe_finds_no_serious_violation_on_any_portal_page() {
    let app = TestApp::builder().demo().start().await;
    // The demo's scenario: a published proposal reply and a held meeting, as `serve --demo` has.
    gongkai_db::seed_scenario::load(app.db())
        .await
        .expect("scenario");
    app.state().search.catch_up(app.db()).await.expect("index");
    let item = first_link(&app, "/", "/items/").await;
    let column = first_link(&app, "/xxgk", "/columns/").await;
    let org = first_link(&app, "/orgs", "/orgs/").await;
    let proposal = first_link(&app, "/jytabl", "/jytabl/").await;
    let meeting = first_link(&app, "/hygk", "/hygk/").await;
    let org_id = app.org_id("市卫计委").await;
    let guide = crate::services::published_guide(&app, org_id, "生育登记", true).await;
    let dataset = crate::data::published_dataset(&app, org_id, "医疗机构名录").await;
    let pages: Vec<(&str, String)> = vec![
        ("首页", "/".into()),
        ("信息公开", "/xxgk".into()),
        ("栏目列表", column),
        ("信息详情", item),
        (
            "搜索结果",
            "/search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80".into(),
        ),
        (
            "搜索无结果",
            "/search?q=%E8%BF%99%E4%B8%AA%E8%AF%8D%E4%B8%8D%E5%AD%98%E5%9C%A8qqxz".into(),
        ),
        ("机构列表", "/orgs".into()),
        ("机构页", org),
        ("留言列表", "/messages".into()),
        ("写留言", "/messages/new".into()),
        ("依申请公开", "/ysqgk".into()),
        ("申请查询", "/ysqgk/cx".into()),
        ("申请公开目录", "/ysqgk/gk".into()),
        ("建议提案", "/jytabl".into()),
        ("建议提案详情", proposal),
        ("会议公开", "/hygk".into()),
        ("会议详情", meeting),
        ("办事服务", "/bsfw".into()),
        ("办事服务主题", "/bsfw?theme=birth".into()),
        ("办事指南", format!("/bsfw/{guide}")),
        ("数据开放", "/sjkf".into()),
        ("数据集", format!("/sjkf/{dataset}")),
        ("重点工作", "/zdgz".into()),
        ("网站地图", "/wzdt".into()),
        ("联系我们", "/lxwm".into()),
        ("404", "/no-such-page".into()),
    ];
    let b = Browser::start().await;
    let mut table = String::from(
        "\naxe-core 4.14.1 results (violation nodes by impact)\n\
         page              | mode   | width | critical | serious | moderate | minor | path\n\
         ------------------+--------+-------+----------+---------+----------+-------+-----\n",
    );
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    for care in [false, true] {
        let mode = if care { "适老化" } else { "normal" };
        b.goto(&app.url(&format!("/care?on={}&back=/", u8::from(care))))
            .await;
        for width in [390u32, 1366] {
            b.client
                .set_window_size(width, 900)
                .await
                .expect("window size");
            for (name, path) in &pages {
                b.goto(&app.url(path)).await;
                let body_class = b
                    .client
                    .execute("return document.body.className;", vec![])
                    .await
                    .expect("body class");
                assert_eq!(
                    body_class.as_str().unwrap_or("").contains("care"),
                    care,
                    "{path}: the mode persists from page to page"
                );
                if path == "/" {
                    // In 适老化 mode the type is larger (the root scales, so rem sizes follow), and the switch
                    // in the header says how to leave the mode.
                    let sizes = b
                        .client
                        .execute(
                            "return [parseFloat(getComputedStyle(document.body).fontSize), \
                                     parseFloat(getComputedStyle(document.documentElement).fontSize), \
                                     document.querySelector('header .care-switch').textContent.trim()];",
                            vec![],
                        )
                        .await
                        .expect("sizes");
                    let body_px = sizes[0].as_f64().unwrap();
                    let root_px = sizes[1].as_f64().unwrap();
                    if care {
                        assert!(
                            body_px >= 22.0 && root_px >= 22.0,
                            "care mode type: {sizes}"
                        );
                        assert_eq!(sizes[2], "退出适老化模式");
                    } else {
                        assert!(body_px < 20.0 && root_px < 20.0, "normal type: {sizes}");
                        assert_eq!(sizes[2], "适老化模式");
                    }
                    b.screenshot(&format!(
                        "portal-home-{}-{width}",
                        if care { "care" } else { "normal" }
                    ))
                    .await;
                }
                // Reflow (WCAG 1.4.10): nothing wider than the window, in either mode.
                let overflow = b
                    .client
                    .execute(
                        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
                        vec![],
                    )
                    .await
                    .expect("scroll width")
                    .as_i64()
                    .unwrap_or(0);
                if overflow > 0 {
                    failures.push(format!(
                        "{path} [{mode}, {width}px] is {overflow}px wider than the window"
                    ));
                }
                let (c, bad) = axe(&b).await;
                let _ = writeln!(
                    table,
                    "{:<width_name$} | {mode} | {width:>5} | {:>8} | {:>7} | {:>8} | {:>5} | {path}",
                    name,
                    c.critical,
                    c.serious,
                    c.moderate,
                    c.minor,
                    // Chinese characters take two columns: pad to 18 columns.
                    width_name = 18 - name.chars().filter(|c| !c.is_ascii()).count()
                );
                for v in bad {
                    let line = format!("{path} [{mode}, {width}px] {v}");
                    if v.starts_with("(not failing)") {
                        notes.push(line);
                    } else {
                        failures.push(line);
                    }
                }
            }
        }
    }
    eprintln!(
        "{table}\nmoderate and minor findings:\n{}",
        notes.join("\n")
    );
    b.close().await;
    app.teardown().await;
    assert!(
        failures.is_empty(),
        "serious or critical accessibility violations:\n{}",
        failures.join("\n")
    );
}
