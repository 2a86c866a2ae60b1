//! Real-browser tests: Debian's chromium driven through chromedriver (fantoccini), headless.
//! `scripts/test` installs both and exports `CHROMEDRIVER` and `CHROME_BIN`. [`Browser`] is **the
//! one launcher** of the test binary: other modules' browser tests use it too.

use crate::support::{ADMIN_PASSWORD, Backend, TestApp};
use fantoccini::{Client, ClientBuilder, Locator};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A chromedriver process and a browser session; both end when this is dropped or closed.
pub(crate) struct Browser {
    pub(crate) client: Client,
    driver: Child,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

impl Browser {
    pub(crate) async fn start() -> Browser {
        Self::launch(true).await
    }

    /// A browser with JavaScript switched off, for the pages that must work without it.
    pub(crate) async fn start_without_javascript() -> Browser {
        Self::launch(false).await
    }

    async fn launch(javascript: bool) -> Browser {
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let chrome_bin = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let port = free_port();
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {driver_bin} (run the tests through scripts/test, which installs chromium-driver): {e}"));
        let profile = tempfile::tempdir().expect("profile dir");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({
                "binary": chrome_bin,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--disable-quic", "--window-size=1280,1600",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
                "prefs": {
                    "profile.managed_default_content_settings.javascript": if javascript { 1 } else { 2 }
                }
            }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let mut last_err = String::new();
        for _ in 0..100 {
            match ClientBuilder::rustls()
                .expect("tls")
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    return Browser {
                        client,
                        driver,
                        _profile: profile,
                    };
                }
                Err(e) => last_err = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver at {url} did not start a session: {last_err}");
    }

    pub(crate) async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    pub(crate) async fn fill(&self, css: &str, text: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"));
        el.send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {css}: {e}"));
    }

    pub(crate) async fn click(&self, css: &str) {
        let el = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("find {css}: {e}"));
        el.click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    pub(crate) async fn wait_for_url(&self, part: &str) -> String {
        for _ in 0..100 {
            let url = self
                .client
                .current_url()
                .await
                .expect("current url")
                .to_string();
            if url.contains(part) {
                return url;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let source = self.client.source().await.unwrap_or_default();
        panic!(
            "the browser never reached a URL with {part}; page:\n{}",
            crate::support::html::excerpt(&source)
        );
    }

    /// Waits (at most 20 s) for an element; returns its text.
    pub(crate) async fn wait_for(&self, css: &str) -> String {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
            .text()
            .await
            .unwrap_or_default()
    }

    /// Saves a screenshot beside the build output for people to look at; returns its path.
    pub(crate) async fn screenshot(&self, name: &str) -> std::path::PathBuf {
        let png = self.client.screenshot().await.expect("screenshot");
        let dir = std::env::var("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::env::temp_dir());
        let path = dir.join(format!("screenshot-{name}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Signs in as `admin` and waits until the back office is shown.
    pub(crate) async fn login(&self, app: &TestApp) {
        self.goto(&app.url("/admin/login")).await;
        self.fill("#f-username", "admin").await;
        self.fill("#f-password", ADMIN_PASSWORD).await;
        self.click("button[type=submit]").await;
        self.client
            .wait()
            .for_element(Locator::Css("nav.sidenav"))
            .await
            .expect("the back office after signing in");
    }

    pub(crate) async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_logs_in_publishes_with_attachment_and_finds_it_on_the_portal() {
    let app = TestApp::start(Backend::Sqlite).await;
    let b = Browser::start().await;
    let title = "关于盘锦市2017年政务公开工作推进情况的通报";

    b.login(&app).await;

    let org = app.org_id("市政府办公室").await;
    let column = app.column_id("tzgg").await;
    let files = tempfile::tempdir().expect("tmp");
    let attachment = files.path().join("推进情况统计表.pdf");
    // A PDF with a text layer: a file the guard cannot read needs a manual check.
    std::fs::write(
        &attachment,
        gongkai_extract::minimal_pdf::text_page("progress 2017"),
    )
    .expect("write attachment");

    b.goto(&app.url("/admin/items/new")).await;
    b.fill("#f-title", title).await;
    b.click(&format!("#f-org_id option[value=\"{org}\"]")).await;
    b.click(&format!("input[name=column_ids][value=\"{column}\"]"))
        .await;
    // The body is typed into the rich-text editor that replaces the textarea (it/editor.rs
    // covers the editor and the textarea without JavaScript).
    let body = ".w-e-text-container [contenteditable=true]";
    b.wait_for(body).await;
    b.click(body).await;
    b.fill(
        body,
        "各县区人民政府，市政府各部门：\n现将上半年政务公开工作推进情况通报如下。",
    )
    .await;
    b.fill("#f-doc_number", "盘政办〔2017〕12号").await;
    b.fill("#f-attachments", &attachment.display().to_string())
        .await;
    b.screenshot("item-editor").await;
    // 直接发布(先发后审) needs a reason; the form is folded in a <details>.
    b.click("details.publish-now summary").await;
    b.fill("#f-publish_reason", "工作通报需当日发布，先发后审")
        .await;
    b.click("button[name=action][value=publish]").await;
    let url = b.wait_for_url("notice=wf_published_now").await;
    let id: i64 = url
        .split("/admin/items/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no item id in {url}"));
    let notice = b
        .client
        .find(Locator::Css(".notice"))
        .await
        .expect("notice")
        .text()
        .await
        .expect("text");
    assert!(notice.contains("已直接发布"), "{notice}");

    b.goto(&app.url(&format!("/items/{id}"))).await;
    let heading = b
        .client
        .find(Locator::Css("main h1"))
        .await
        .expect("h1")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, title);
    let source = b.client.source().await.expect("source");
    assert!(
        source.contains("<p>现将上半年政务公开工作推进情况通报如下。</p>"),
        "the editor's two paragraphs reach the public page"
    );
    let link = b
        .client
        .find(Locator::XPath("//a[contains(., '推进情况统计表.pdf')]"))
        .await
        .expect("attachment link on the public page");
    let href = link
        .attr("href")
        .await
        .expect("href")
        .expect("href present");
    let shot = b.screenshot("public-item").await;
    eprintln!("screenshot of the public item page: {}", shot.display());

    // The link serves the uploaded bytes to anyone.
    let href = if href.starts_with("http") {
        href
    } else {
        app.url(&href)
    };
    let resp = crate::support::new_client()
        .get(&href)
        .send()
        .await
        .expect("download");
    assert_eq!(resp.status(), reqwest::StatusCode::OK);
    assert!(resp.bytes().await.expect("bytes").starts_with(b"%PDF-1.4"));

    // The column page lists it, and the skip link is the first thing a keyboard reaches.
    b.goto(&app.url("/columns/tzgg")).await;
    let source = b.client.source().await.expect("source");
    assert!(source.contains(title));
    let first = b
        .client
        .find(Locator::Css("body a"))
        .await
        .expect("first link");
    assert_eq!(
        first.attr("href").await.expect("href").as_deref(),
        Some("#main")
    );

    b.close().await;
    app.teardown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_imports_reviews_and_confirms_a_plan_in_the_browser() {
    let app = TestApp::start(Backend::Sqlite).await;
    let b = Browser::start().await;
    b.login(&app).await;

    let seed = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../domain/testdata/plan/seed_panjin_2017.txt")
        .canonicalize()
        .expect("seed file")
        .display()
        .to_string();
    b.goto(&app.url("/admin/plans/import")).await;
    b.fill("#f-file", &seed).await;
    b.click("form[action='/admin/plans/import'] button[type=submit]")
        .await;
    b.wait_for_url("/admin/plans/imports/").await;
    let source = b.client.source().await.expect("source");
    assert!(source.contains("任务 28 项\u{FF0C}职责 44 条"));
    b.screenshot("plan-review").await;

    // The suspected typo 市国地税局 gets its suggested organisation, then the plan is confirmed.
    let typo_select = b
        .client
        .find(Locator::XPath(
            "//tr[th[normalize-space()='市国地税局']]//select",
        ))
        .await
        .expect("the select for 市国地税局");
    typo_select
        .find(Locator::Css("option"))
        .await
        .expect("a suggested option")
        .click()
        .await
        .expect("choose");
    // Collectives that must report are not expanded: the reviewer picks a unit for each.
    for name in ["市政府相关部门", "各县区政府", "市政府各部门"] {
        b.client
            .find(Locator::XPath(&format!(
                "//tr[th[normalize-space()='{name}']]//select/option"
            )))
            .await
            .unwrap_or_else(|e| panic!("an option for {name}: {e}"))
            .click()
            .await
            .expect("choose");
    }
    // The seed's tasks 23 to 28 name no unit (blocking findings): confirmed anyway, with a reason.
    b.click("input[name=lint_override]").await;
    b.fill("#f-override_reason", "任务23至28按原文保留").await;
    b.click("form[action$='/confirm'] button[type=submit]")
        .await;
    b.wait_for_url("notice=created").await;
    let page = b.client.source().await.expect("source");
    assert!(
        page.contains("公开预期引导信息"),
        "the confirmed plan shows its tasks"
    );

    // Supervision is computed from what was published. No column was chosen at review, so no
    // obligation can be checked automatically: the dashboard says so instead of inventing figures.
    b.goto(&app.url("/admin/supervision?as_of=2017-12-31"))
        .await;
    let board = b.client.source().await.expect("source");
    assert!(
        board.contains("按时公开率")
            && board.contains("无法自动核查")
            && board.contains("暂无统计图")
            && board.contains("反馈与报送情况"),
        "the dashboard explains why nothing is checked; page:\n{}",
        crate::support::html::excerpt(&board)
    );
    b.screenshot("supervision").await;
    b.close().await;
    app.teardown().await;
}

/// Search in Chinese from the portal's header box (by keyboard), filter by organisation, open a
/// result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_searches_in_chinese_filters_by_organisation_and_opens_a_result() {
    use fantoccini::key::Key;
    let app = TestApp::start(Backend::Sqlite).await;
    let civil_title = "关于推进殡葬领域政务公开工作的通知";
    let mut ids = Vec::new();
    for (org, title) in [
        ("市民政局", civil_title),
        ("市财政局", "市财政局2017年政务公开工作要点"),
        ("市财政局", "关于财政预决算政务公开的说明"),
    ] {
        let id = app.create_item(app.item(org, "tzgg", title).await).await;
        app.publish(id).await;
        ids.push(id);
    }
    app.state().search.catch_up(app.db()).await.expect("index");
    let civil = app.org_id("市民政局").await;
    let b = Browser::start().await;

    b.goto(&app.url("/")).await;
    // The header search box has a label and is reached by keyboard.
    let label = b
        .client
        .find(Locator::Css("label[for=header-q]"))
        .await
        .expect("a label for the search box");
    assert_eq!(
        label.prop("textContent").await.unwrap().as_deref(),
        Some("站内搜索")
    );
    let input = b.client.find(Locator::Css("#header-q")).await.expect("box");
    let mut reached = false;
    for _ in 0..6 {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let tab = KeyActions::new("keyboard".into())
            .then(KeyAction::Down {
                value: Key::Tab.into(),
            })
            .then(KeyAction::Up {
                value: Key::Tab.into(),
            });
        b.client.perform_actions(tab).await.expect("Tab");
        let active = b.client.active_element().await.expect("active");
        if active.attr("id").await.unwrap().as_deref() == Some("header-q") {
            reached = true;
            break;
        }
    }
    assert!(
        reached,
        "the search box is among the first stops of the Tab key"
    );
    input.send_keys("政务公开").await.expect("type");
    input
        .send_keys(&Key::Enter.to_string())
        .await
        .expect("submit by Enter");
    b.wait_for_url("/search?q=").await;
    b.client
        .wait()
        .for_element(Locator::Css("ol.search-hits"))
        .await
        .expect("results");
    let hits = b
        .client
        .find_all(Locator::Css("ol.search-hits > li"))
        .await
        .expect("hits");
    assert_eq!(hits.len(), 3);
    b.screenshot("search-results").await;

    // Filter by organisation through the facet.
    b.click(&format!("nav.search-facets a[href*=\"org={civil}\"]"))
        .await;
    b.wait_for_url(&format!("org={civil}")).await;
    let hits = b
        .client
        .find_all(Locator::Css("ol.search-hits > li"))
        .await
        .expect("hits");
    assert_eq!(hits.len(), 1);
    let current = b
        .client
        .find(Locator::Css("nav.search-facets a[aria-current]"))
        .await
        .expect("the chosen facet is marked");
    assert!(current.text().await.unwrap().contains("市民政局"));

    // Open the result.
    b.click("ol.search-hits h3 a").await;
    b.wait_for_url(&format!("/items/{}", ids[0])).await;
    let heading = b
        .client
        .find(Locator::Css("main h1"))
        .await
        .expect("h1")
        .text()
        .await
        .expect("text");
    assert_eq!(heading, civil_title);
    b.close().await;
    app.teardown().await;
}

/// Where the first hit and the filters of a search page are: (top and bottom of the first hit,
/// viewport height and width, filters open, a facet link rendered).
async fn search_geometry(b: &Browser) -> (f64, f64, f64, f64, bool, bool) {
    const SCRIPT: &str = "const hit = document.querySelector('ol.search-hits > li').getBoundingClientRect(); \
        const d = document.querySelector('details.search-filter'); \
        const narrow = d.querySelector('nav a').checkVisibility(); \
        const wide = document.querySelector('nav.search-facets a').checkVisibility(); \
        return [hit.top, hit.bottom, window.innerHeight, window.innerWidth, d.open, narrow || wide];";
    let v = b.client.execute(SCRIPT, vec![]).await.expect("script");
    let a = v.as_array().expect("array").clone();
    (
        a[0].as_f64().unwrap(),
        a[1].as_f64().unwrap(),
        a[2].as_f64().unwrap(),
        a[3].as_f64().unwrap(),
        a[4].as_bool().unwrap(),
        a[5].as_bool().unwrap(),
    )
}

/// On a phone (390 px wide) the first hit is on the first screen and the filters are one folded
/// line (`<details>`, no JavaScript needed) that opens on a tap; on a wide screen they are a side
/// column, shown without a tap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_results_come_first_and_the_filters_fold() {
    let app = TestApp::start(Backend::Sqlite).await;
    for (org, title) in [
        ("市民政局", "关于推进殡葬领域政务公开工作的通知"),
        ("市财政局", "市财政局2017年政务公开工作要点"),
        ("市财政局", "关于财政预决算政务公开的说明"),
        ("市教育局", "市教育局政务公开工作年度报告"),
    ] {
        let id = app.create_item(app.item(org, "tzgg", title).await).await;
        app.publish(id).await;
    }
    app.state().search.catch_up(app.db()).await.expect("index");
    let b = Browser::start().await;
    b.client
        .set_window_size(390, 844)
        .await
        .expect("phone size");
    b.goto(&app.url("/search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80"))
        .await;
    let (top, bottom, height, width, open, facet_shown) = search_geometry(&b).await;
    eprintln!("phone: first hit {top}..{bottom} of a {width}x{height} viewport");
    b.screenshot("search-phone").await;
    assert!(width <= 400.0, "a phone-sized viewport: {width}");
    assert!(
        bottom < height,
        "the first hit is on the first screen: {top}..{bottom} of {height}"
    );
    assert!(!open && !facet_shown, "the filters are folded");
    b.click("details.search-filter > summary").await;
    let (_, _, _, _, open, facet_shown) = search_geometry(&b).await;
    assert!(open && facet_shown, "a tap opens the filters");
    let org = app.org_id("市财政局").await;
    b.click(&format!("nav.search-facets-narrow a[href*=\"org={org}\"]"))
        .await;
    b.wait_for_url(&format!("org={org}")).await;
    assert_eq!(
        b.client
            .find_all(Locator::Css("ol.search-hits > li"))
            .await
            .expect("hits")
            .len(),
        2
    );
    let summary = b.wait_for("details.search-filter > summary").await;
    assert!(summary.contains("已选 1 项"), "{summary}");

    b.client
        .set_window_size(1280, 1000)
        .await
        .expect("desktop size");
    b.goto(&app.url("/search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80"))
        .await;
    let (_, _, _, width, _, facet_shown) = search_geometry(&b).await;
    assert!(width > 900.0);
    assert!(facet_shown, "a wide screen shows the filters without a tap");
    b.close().await;
    app.teardown().await;
}

/// 依申请公开 end to end in a real browser: an applicant files online and gets a tracking code,
/// a handler (here the administrator) answers in the back office, the applicant sees the answer
/// through the tracking code and the phone tail.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applicant_files_online_handler_answers_applicant_sees_the_answer() {
    let app = TestApp::start(Backend::Sqlite).await;
    let b = Browser::start().await;
    let org = app.org_id("市财政局").await;

    b.goto(&app.url("/ysqgk")).await;
    b.click(&format!("#f-org_id option[value=\"{org}\"]")).await;
    b.click("#f-applicant_type option[value=\"natural_person\"]")
        .await;
    b.fill("#f-name", "李四").await;
    b.click("#f-id_type option[value=\"passport\"]").await;
    b.fill("#f-id_number", "E7654321").await;
    b.fill("#f-phone", "13900001234").await;
    b.fill("#f-description", "2017年市级部门预算公开情况统计表")
        .await;
    b.click("#f-delivery option[value=\"online\"]").await;
    b.screenshot("ysqgk-form").await;
    b.click("form[action=\"/ysqgk\"] button[type=submit]").await;
    let code = b
        .client
        .wait()
        .for_element(Locator::Css("#tracking-code"))
        .await
        .expect("the tracking code after submitting")
        .text()
        .await
        .expect("text");
    assert_eq!(code.trim().len(), 12, "{code}");
    let code = code.trim().to_string();
    let id: i64 = sqlx::query_scalar("SELECT id FROM applications WHERE tracking_code = $1")
        .bind(&code)
        .fetch_one(&mut *app.conn().await)
        .await
        .expect("stored");

    b.login(&app).await;
    b.goto(&app.url("/admin/applications")).await;
    let queue = b.client.source().await.expect("source");
    assert!(queue.contains(&code), "the queue lists it");
    b.goto(&app.url(&format!("/admin/applications/{id}"))).await;
    b.click("#act-answer summary").await;
    b.click("#an-outcome option[value=\"disclosed\"]").await;
    b.fill("#an-note", "现将统计表随本答复书提供。").await;
    b.click("#btn-answer").await;
    b.wait_for_url("notice=recorded").await;
    // An answer is issued only with the 复议机关 and court named: the handler fills the letter
    // settings, previews the 答复书 and issues it.
    b.goto(&app.url(&format!("/admin/applications/templates?org={org}")))
        .await;
    b.fill("#s-review", "盘锦市人民政府").await;
    b.fill("#s-court", "盘锦市双台子区人民法院").await;
    b.fill("#s-prefix", "盘财依申请").await;
    b.click("#btn-settings").await;
    b.wait_for_url("notice=").await;
    b.goto(&app.url(&format!("/admin/applications/{id}/letters/answer/preview")))
        .await;
    let preview = b.wait_for("#letter").await;
    assert!(preview.contains("盘锦市双台子区人民法院"), "{preview}");
    b.click("#btn-issue").await;
    b.wait_for_url("notice=issued").await;

    b.goto(&app.url("/ysqgk/cx")).await;
    b.fill("#f-code", &code).await;
    b.fill("#f-tail", "1234").await;
    b.click("form[action=\"/ysqgk/cx\"] button[type=submit]")
        .await;
    let outcome = b
        .client
        .wait()
        .for_element(Locator::Css("#app-outcome"))
        .await
        .expect("the answer on the status page")
        .text()
        .await
        .expect("text");
    assert_eq!(outcome, "予以公开");
    let answer = b
        .client
        .find(Locator::Css("#app-answer"))
        .await
        .expect("answer")
        .text()
        .await
        .expect("text");
    assert!(answer.contains("现将统计表随本答复书提供"), "{answer}");
    b.client
        .find(Locator::Css("#letter-answer"))
        .await
        .expect("the answer letter offered for download");
    b.screenshot("ysqgk-status").await;
    b.close().await;
    app.teardown().await;
}
