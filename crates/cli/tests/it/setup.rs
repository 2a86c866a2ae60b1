//! A portal any government can run (issue 14, item 4): a first run without `--demo` is neutral and
//! sends the system administrator to `/admin/setup`; the organisation list comes from a CSV or XLSX
//! file (a bad row refuses the whole file); the site's settings fill the portal's footer,
//! 联系我们 and 网站地图 pages, and `--demo` refuses a database set up as another government.

use crate::support::{TestApp, html};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 4, 0,
    0, 0, 181, 28, 12, 2, 0, 0, 0, 11, 73, 68, 65, 84, 120, 218, 99, 100, 96, 0, 0, 0, 6, 0, 2, 48,
    129, 208, 47, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

/// Text of the demo's place that must never show on a neutral site.
fn assert_no_panjin(path: &str, body: &str) {
    for word in ["盘锦", "盘政", "Panjin", "panjin"] {
        if let Some(at) = body.find(word) {
            let from = (0..=at.saturating_sub(300))
                .rev()
                .find(|i| body.is_char_boundary(*i))
                .unwrap_or(0);
            panic!("{path} shows {word}:\n{}", &body[from..at + word.len()]);
        }
    }
}

/// Rows joined as CSV lines.
fn csv(rows: &[&[&str]]) -> String {
    rows.iter()
        .map(|r| r.join(","))
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// A CSV list of a made-up county: UTF-8 with a BOM as Excel writes it, aliases separated by 、
/// and ； with a parent listed after its child and one credit code.
fn county_csv() -> String {
    let body = csv(&[
        &["机构名称", "上级机构", "类型", "别名", "统一社会信用代码"],
        &[
            "示例县教育局",
            "示例县人民政府",
            "",
            "县教育局\u{3001}示例县教育局办公室",
            "",
        ],
        &[
            "示例县人民政府",
            "",
            "人民政府",
            "示例县政府\u{FF1B}县政府",
            "11100000000013127D",
        ],
        &[
            "示例县人民政府办公室",
            "示例县人民政府",
            "政府办公室",
            "县政府办",
            "",
        ],
        &["示例县财政局", "示例县人民政府", "政府工作部门", "", ""],
    ]);
    format!("\u{FEFF}{body}")
}

async fn setup_form(admin: &crate::support::users::User, file: Option<(&str, Vec<u8>)>) -> Form {
    let mut form = admin
        .multipart()
        .await
        .text("name", "示例县人民政府")
        .text("region", "某某省某某市示例县")
        .text("level", "county");
    if let Some((name, bytes)) = file {
        form = form.part("file", Part::bytes(bytes).file_name(name.to_string()));
    }
    form
}

both_backends!(
    a_fresh_install_is_neutral_everywhere,
    TestApp::builder().fresh() => |app| async move {
        let visitor = app.visitor();
        for path in [
            "/",
            "/xxgk",
            "/orgs",
            "/search?q=%E6%94%BF%E5%BA%9C",
            "/sitemap.xml",
            "/columns/zwdt/rss.xml",
            "/columns/zcwj/atom.xml",
            "/wzdt",
            "/lxwm",
            "/ysqgk",
            "/messages",
            "/zdgz",
        ] {
            let body = visitor.get_ok(path).await;
            assert_no_panjin(path, &body);
        }
        let home = visitor.get_ok("/").await;
        assert!(home.contains(gongkai_domain::site_profile::NEUTRAL_SITE_NAME));

        // The system administrator is sent to the setup page until setup is done.
        let admin = app.admin().await;
        let resp = admin.get("/admin").await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()["location"], "/admin/setup");
        for path in [
            "/admin/setup",
            "/admin/orgs",
            "/admin/orgs/new",
            "/admin/site",
            "/admin/columns",
            "/admin/settings",
            "/admin/users",
            "/admin/account",
        ] {
            let body = admin.get_ok(path).await;
            assert_no_panjin(path, &body);
        }
        // Someone who is not the system administrator gets the dashboard (nothing to set up).
        let office = app.create_user("office", Role::Supervisor, None).await;
        assert!(office > 0);
        let other = app.user("office", crate::support::PASSWORD).await;
        let body = other.get_ok("/admin").await;
        assert_no_panjin("/admin", &body);
        assert_eq!(other.get("/admin/setup").await.status(), StatusCode::FORBIDDEN);
    }
);

both_backends!(
    setup_with_a_csv_list,
    TestApp::builder().fresh() => |app| async move {
        let admin = app.admin().await;
        let audit_before = app.audit_count().await;
        let form = setup_form(&admin, Some(("名单.csv", county_csv().into_bytes()))).await;
        let (status, to) = admin.submit_multipart("/admin/setup", form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
        assert_eq!(to, "/admin/orgs?notice=setup_done");
        assert_eq!(app.count("organisations").await, 4);
        // Each organisation, the import and the setup are audited.
        assert_eq!(app.audit_count().await, audit_before + 6);

        let mut conn = app.conn().await;
        let find = async |conn: &mut sqlx::AnyConnection, n: &str| {
            gongkai_db::orgs::find_by_name(conn, n).await.unwrap().map(|o| o.name)
        };
        for (alias, name) in [
            ("县政府", "示例县人民政府"),
            ("示例县政府", "示例县人民政府"),
            ("示例县教育局办公室", "示例县教育局"),
            ("县政府办", "示例县人民政府办公室"),
        ] {
            assert_eq!(find(&mut conn, alias).await.as_deref(), Some(name), "{alias}");
        }
        let gov = gongkai_db::orgs::find_by_name(&mut conn, "示例县人民政府").await.unwrap().unwrap();
        assert_eq!(gov.kind, "government");
        assert_eq!(gov.credit_code.as_deref(), Some("11100000000013127D"));
        let edu = gongkai_db::orgs::find_by_name(&mut conn, "示例县教育局").await.unwrap().unwrap();
        assert_eq!(edu.parent_id, Some(gov.id));
        assert_eq!(edu.kind, "department");
        let site = gongkai_db::columns::default_site(&mut conn).await.unwrap();
        assert_eq!(site.name, "示例县人民政府");
        assert_eq!(site.owner_org_id, Some(gov.id));
        assert!(!gongkai_db::site_profile::setup_pending(&mut conn).await.unwrap());
        let profile = gongkai_db::site_profile::load(&mut conn).await.unwrap();
        assert_eq!(profile.region, "某某省某某市示例县");
        assert_eq!(profile.level, "county");
        drop(conn);

        // The portal is the county's; the dashboard is shown again; setup cannot run twice.
        let home = app.visitor().get_ok("/").await;
        assert!(home.contains("示例县人民政府"));
        assert!(app.visitor().get_ok("/orgs").await.contains("示例县财政局"));
        admin.get_ok("/admin").await;
        let again = setup_form(&admin, None).await;
        let (status, _) = admin.submit_multipart("/admin/setup", again).await;
        assert_eq!(status, StatusCode::CONFLICT);

        // Later lists are imported beside the existing organisations, parents among them.
        let more = csv(&[&["机构名称", "上级机构", "别名"], &["示例县审计局", "示例县人民政府", "县审计局"]]);
        let form = admin
            .multipart()
            .await
            .part("file", Part::bytes(more.as_bytes().to_vec()).file_name("more.csv"));
        let (status, to) = admin.submit_multipart("/admin/orgs/import", form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
        assert_eq!(app.count("organisations").await, 5);

        // The demo never runs on a database set up as another government.
        let err = gongkai_db::seed::ensure_demo_site(app.db()).await.unwrap_err().to_string();
        assert!(err.contains("示例县人民政府") && err.contains("--demo"), "{err}");
        assert_eq!(app.count("organisations").await, 5);
    }
);

both_backends!(
    setup_with_an_xlsx_list,
    TestApp::builder().fresh() => |app| async move {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        let rows: [[&str; 4]; 4] = [
            ["机构名称", "上级机构", "类型", "别名"],
            ["示例县人民政府", "", "", "示例县政府"],
            ["示例县民政局", "示例县人民政府", "部门", "县民政局\u{FF1B}民政局"],
            ["示例镇人民政府", "示例县人民政府", "乡镇政府", ""],
        ];
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                ws.write(r as u32, c as u16, *cell).unwrap();
            }
        }
        let bytes = wb.save_to_buffer().unwrap();
        let admin = app.admin().await;
        let form = setup_form(&admin, Some(("名单.xlsx", bytes))).await;
        let (status, to) = admin.submit_multipart("/admin/setup", form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
        assert_eq!(app.count("organisations").await, 3);
        let mut conn = app.conn().await;
        let town = gongkai_db::orgs::find_by_name(&mut conn, "示例镇人民政府").await.unwrap().unwrap();
        assert_eq!(town.kind, "county_government");
        let civil = gongkai_db::orgs::find_by_name(&mut conn, "民政局").await.unwrap().unwrap();
        assert_eq!(civil.name, "示例县民政局");
        // The root's kind was left empty: a top-level organisation is a 人民政府.
        let gov = gongkai_db::orgs::find_by_name(&mut conn, "示例县政府").await.unwrap().unwrap();
        assert_eq!(gov.kind, "government");
    }
);

both_backends!(
    a_bad_row_refuses_the_whole_file,
    TestApp::builder().fresh() => |app| async move {
        let admin = app.admin().await;
        let audit_before = app.audit_count().await;
        let bad = csv(&[
            &["机构名称", "上级机构", "类型", "别名", "统一社会信用代码"],
            &["示例县人民政府", "", "", "", ""],
            &["示例县教育局", "示例县人民政府", "", "", ""],
            &["示例县财政局", "不存在的机构", "", "", ""],
            &["示例县审计局", "示例县人民政府", "", "", "123456"],
            &["示例县教育局", "示例县人民政府", "", "", ""],
        ]);
        let form = setup_form(&admin, Some(("bad.csv", bad.into_bytes()))).await;
        let (status, body) = admin.submit_multipart("/admin/setup", form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for want in [
            "第4行\u{FF1A}上级机构\u{201C}不存在的机构\u{201D}",
            "第5行\u{FF1A}统一社会信用代码\u{201C}123456\u{201D}无效",
            "第6行\u{FF1A}机构\u{201C}示例县教育局\u{201D}与第3行重复",
            "整份名单都没有导入",
        ] {
            assert!(body.contains(want), "{want} missing:\n{}", html::excerpt(&body));
        }
        // Each problem is listed once.
        assert_eq!(body.matches("第4行").count(), 1, "{}", html::excerpt(&body));
        // Nothing changed: no organisation, no audit entry, the site still waits for setup.
        assert_eq!(app.count("organisations").await, 0);
        assert_eq!(app.audit_count().await, audit_before);
        let mut conn = app.conn().await;
        assert!(gongkai_db::site_profile::setup_pending(&mut conn).await.unwrap());
        drop(conn);
        assert!(app.visitor().get_ok("/").await.contains(gongkai_domain::site_profile::NEUTRAL_SITE_NAME));

        // Not a list at all, no file and no organisation, or a missing name: refused in Chinese.
        let form = setup_form(&admin, Some(("x.pdf", b"%PDF-1.4\x00\x01".to_vec()))).await;
        let (status, body) = admin.submit_multipart("/admin/setup", form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("CSV"), "{}", html::excerpt(&body));
        let form = setup_form(&admin, None).await;
        let (status, body) = admin.submit_multipart("/admin/setup", form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("逐个添加机构"), "{}", html::excerpt(&body));
        let form = admin.multipart().await.text("name", "").text("level", "nowhere");
        let (status, body) = admin.submit_multipart("/admin/setup", form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("请填写政府名称") && body.contains("请选择行政层级"));
        assert_eq!(app.audit_count().await, audit_before);

        // Organisations added one by one, then setup without a file.
        let (status, to) = admin
            .submit(
                "/admin/orgs",
                &[("name", "示例县人民政府"), ("code", "SLX01"), ("kind", "government")],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
        let form = setup_form(&admin, None).await;
        let (status, to) = admin.submit_multipart("/admin/setup", form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
        let mut conn = app.conn().await;
        let site = gongkai_db::columns::default_site(&mut conn).await.unwrap();
        assert_eq!(site.name, "示例县人民政府");
        assert!(site.owner_org_id.is_some());
    }
);

#[tokio::test]
async fn the_list_templates_read_back_as_the_import_expects() {
    let app = TestApp::builder().fresh().start().await;
    let admin = app.admin().await;
    for path in ["/admin/setup/template.xlsx", "/admin/setup/template.csv"] {
        let resp = admin.get(path).await;
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let bytes = resp.bytes().await.unwrap();
        let rows = gongkai_extract::table::rows(&bytes).unwrap();
        assert_eq!(
            rows[0],
            gongkai_domain::orgimport::TEMPLATE_HEADER,
            "{path}"
        );
    }
    assert_eq!(
        app.visitor()
            .get("/admin/setup/template.csv")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    app.teardown().await;
}

both_backends!(
    site_settings_fill_the_footer_and_are_validated,
    |app| async move {
        let admin = app.admin().await;
        let audit_before = app.audit_count().await;
        let valid = [
            ("name", "某某市人民政府"),
            ("region", "某某省某某市"),
            ("level", "city"),
            ("theme_color", "#0A4A93"),
            ("site_code", "1234567890"),
            ("icp", "辽ICP备12345678号-1"),
            ("police", "辽公网安备21110202000123号"),
            (
                "conac_url",
                "https://bszs.conac.cn/sitename?method=show&id=ABC123",
            ),
            ("sponsor", "某某市人民政府办公室"),
            ("organizer", "某某市大数据中心"),
            ("address", "某某市某某路1号"),
            ("phone", "010-12345678"),
            ("email", "zwgk@example.gov.cn"),
            ("postcode", "100000"),
        ];
        let form_of = async |fields: &[(&str, &str)], logo: Option<&[u8]>| {
            let mut form = admin.multipart().await;
            for (k, v) in fields {
                form = form.text(k.to_string(), v.to_string());
            }
            if let Some(bytes) = logo {
                form = form.part("logo", Part::bytes(bytes.to_vec()).file_name("logo.png"));
            }
            form
        };

        // Every bad value is refused with its Chinese message, and nothing is saved.
        let mut bad: Vec<(&str, &str)> = valid.to_vec();
        for (k, v) in [
            ("site_code", "12345"),
            ("icp", "ICP12345678"),
            ("police", "公网安备123"),
            ("theme_color", "#ffff00"),
            ("postcode", "1000"),
            ("conac_url", "https://example.com/x"),
        ] {
            bad.retain(|(key, _)| *key != k);
            bad.push((k, v));
        }
        let (status, body) = admin
            .submit_multipart(
                "/admin/site",
                form_of(&bad, Some(&b"<svg onload=alert(1)>"[..])).await,
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for want in [
            "网站标识码应为10位数字或字母",
            "ICP备案号格式应为",
            "公安机关备案号格式应为",
            "对比度",
            "邮政编码应为6位数字",
            "党政机关网站标识链接",
            "PNG\u{3001}JPEG\u{3001}GIF 或 WebP",
        ] {
            assert!(body.contains(want), "{want}:\n{}", html::excerpt(&body));
        }
        assert_eq!(app.audit_count().await, audit_before);

        let (status, to) = admin
            .submit_multipart("/admin/site", form_of(&valid, Some(PNG)).await)
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{to}");
        assert_eq!(to, "/admin/site?notice=saved");
        assert_eq!(app.audit_count().await, audit_before + 2);

        let visitor = app.visitor();
        let home = visitor.get_ok("/").await;
        for want in [
            "某某市人民政府",
            "网站标识码\u{FF1A}1234567890",
            "href=\"https://beian.miit.gov.cn/\"",
            "辽ICP备12345678号-1",
            "辽公网安备 21110202000123号",
            "https://beian.mps.gov.cn/#/query/webSearch?code=21110202000123",
            "href=\"https://bszs.conac.cn/sitename?method=show&amp;id=ABC123\"",
            "主办单位\u{FF1A}某某市人民政府办公室",
            "承办单位\u{FF1A}某某市大数据中心",
            "电话\u{FF1A}010-12345678",
            "href=\"/lxwm\"",
            "href=\"/wzdt\"",
            "/site/theme.css?v=0a4a93",
            "/site/logo?v=",
        ] {
            assert!(
                home.contains(want),
                "{want} missing from the footer:\n{}",
                html::excerpt(&home)
            );
        }
        let css = visitor.get_ok("/site/theme.css").await;
        assert!(css.contains("--red: #0a4a93;"), "{css}");
        let logo = visitor.get("/site/logo").await;
        assert_eq!(logo.status(), StatusCode::OK);
        assert_eq!(logo.headers()["content-type"], "image/png");
        assert_eq!(logo.bytes().await.unwrap().as_ref(), PNG);

        let contact = visitor.get_ok("/lxwm").await;
        for want in [
            "某某市某某路1号",
            "100000",
            "mailto:zwgk@example.gov.cn",
            "010-12345678",
        ] {
            assert!(contact.contains(want), "{want}");
        }
        let map = visitor.get_ok("/wzdt").await;
        let mut conn = app.conn().await;
        let site = gongkai_db::columns::default_site(&mut conn).await.unwrap();
        for c in gongkai_db::columns::all(&mut conn, site.id).await.unwrap() {
            assert!(
                map.contains(&format!(">{}</a>", c.name)),
                "{} missing from the 网站地图",
                c.name
            );
        }
        drop(conn);
        for section in [
            "/ysqgk",
            "/messages/new",
            "/jytabl",
            "/hygk",
            "/orgs",
            "/zdgz",
            "/lxwm",
        ] {
            assert!(map.contains(&format!("href=\"{section}\"")), "{section}");
        }
        let sitemap = visitor.get_ok("/sitemap.xml").await;
        assert!(sitemap.contains("/wzdt</loc>") && sitemap.contains("/lxwm</loc>"));

        // Removing the logo and the colour brings the defaults back.
        let mut plain: Vec<(&str, &str)> = valid
            .iter()
            .filter(|(k, _)| *k != "theme_color")
            .copied()
            .collect();
        plain.push(("remove_logo", "1"));
        let (status, _) = admin
            .submit_multipart("/admin/site", form_of(&plain, None).await)
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let home = visitor.get_ok("/").await;
        assert!(!home.contains("/site/logo") && !home.contains("/site/theme.css"));
        assert!(home.contains("/static/emblem.svg"));
        assert_eq!(
            visitor.get("/site/logo").await.status(),
            StatusCode::NOT_FOUND
        );

        // Only the system administrator sets the site.
        app.create_user("editor1", Role::Editor, Some(app.org_id("市财政局").await))
            .await;
        let editor = app.user("editor1", crate::support::PASSWORD).await;
        assert_eq!(
            editor.get("/admin/site").await.status(),
            StatusCode::FORBIDDEN
        );
        let (status, _) = editor
            .submit_multipart("/admin/site", {
                let mut f = editor.multipart().await;
                for (k, v) in valid {
                    f = f.text(k, v);
                }
                f
            })
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
);

both_backends!(
    the_demo_site_has_plausible_footer_identifiers,
    |app| async move {
        let home = app.visitor().get_ok("/").await;
        assert!(home.contains("盘锦市人民政府"));
        assert!(home.contains("网站标识码\u{FF1A}"));
        assert!(home.contains("辽ICP备"));
        assert!(home.contains("https://bszs.conac.cn/"));
        let contact = app.visitor().get_ok("/lxwm").await;
        assert!(contact.contains("124010"));
    }
);

/// The real executable: `serve` without `--demo` on a fresh directory is neutral; once the
/// directory is set up as another government, `serve --demo` refuses to start and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_without_demo_is_neutral_and_demo_refuses_another_government() {
    use crate::binary::{free_port, serve, wait_until_up};
    let tmp = tempfile::tempdir().expect("temporary directory");
    let data = tmp.path().join("data");
    let port = free_port();
    let mut server = serve(&data, port, &[]);
    let base = format!("http://127.0.0.1:{port}");
    wait_until_up(&mut server, &format!("{base}/admin/login")).await;
    let client = crate::support::new_client();
    let home = client
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_no_panjin("/", &home);
    assert!(
        server.output().contains("/admin/setup"),
        "{}",
        server.output()
    );
    drop(server);

    // Set up as a county, through the same use case as the setup page.
    let db = gongkai_db::Db::connect(&format!(
        "sqlite://{}?mode=rw",
        data.join("gongkai.db").display()
    ))
    .await
    .expect("open the served database");
    let rows = gongkai_extract::table::rows(county_csv().as_bytes()).unwrap();
    let rows = gongkai_domain::orgimport::parse(&rows, &Default::default()).unwrap();
    let identity = gongkai_domain::site_profile::SiteProfile {
        name: "示例县人民政府".into(),
        region: "某某省某某市示例县".into(),
        level: "county".into(),
        ..Default::default()
    };
    let mut tx = db.begin().await.unwrap();
    gongkai_db::site_profile::complete_setup(
        &mut tx,
        &gongkai_db::Actor::system(),
        &identity,
        &rows,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    db.pool.close().await;

    let port = free_port();
    let mut demo = serve(&data, port, &["--demo"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let status = loop {
        if let Some(status) = demo.try_wait() {
            break status;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "serve --demo kept running:\n{}",
            demo.output()
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    assert!(!status.success());
    let out = demo.output();
    assert!(
        out.contains("示例县人民政府") && out.contains("不是演示站点"),
        "{out}"
    );
}

/// In a real browser: a fresh install sends the administrator to setup, the list is imported,
/// the portal carries the government's name; the footer shows what the site settings say.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_sets_up_a_fresh_install_in_the_browser() {
    use crate::browser::Browser;
    let app = TestApp::builder().fresh().start().await;
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("机构名单.csv");
    std::fs::write(&list, county_csv()).unwrap();

    let b = Browser::start().await;
    b.goto(&app.url("/")).await;
    let home = b.client.source().await.unwrap();
    assert_no_panjin("/", &home);
    b.screenshot("fresh-home").await;

    b.login(&app).await;
    b.wait_for_url("/admin/setup").await;
    b.fill("#f-name", "示例县人民政府").await;
    b.fill("#f-region", "某某省某某市示例县").await;
    b.client
        .find(fantoccini::Locator::Css("#f-level option[value=county]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // A list with a bad row first: refused as a whole, the row named, the fields kept.
    let bad = dir.path().join("有误的名单.csv");
    std::fs::write(
        &bad,
        csv(&[
            &["机构名称", "上级机构"],
            &["示例县人民政府", ""],
            &["示例县水利局", "不存在的机构"],
        ]),
    )
    .unwrap();
    b.fill("#f-file", &bad.display().to_string()).await;
    b.click("form[action='/admin/setup'] button[type=submit]")
        .await;
    let errors = b.wait_for("#file-errors").await;
    assert!(
        errors.contains("第3行\u{FF1A}上级机构\u{201C}不存在的机构\u{201D}"),
        "{errors}"
    );
    b.screenshot("setup-bad-row").await;
    assert_eq!(app.count("organisations").await, 0);

    b.fill("#f-file", &list.display().to_string()).await;
    b.screenshot("setup-form").await;
    b.click("form[action='/admin/setup'] button[type=submit]")
        .await;
    b.wait_for_url("notice=setup_done").await;
    let orgs = b.client.source().await.unwrap();
    for name in [
        "示例县人民政府",
        "示例县教育局",
        "示例县财政局",
        "初始设置已完成",
    ] {
        assert!(orgs.contains(name), "{name}");
    }
    b.screenshot("setup-done-orgs").await;

    // Site settings: footer identifiers and contact, then the portal's footer.
    b.goto(&app.url("/admin/site")).await;
    b.fill("#f-site_code", "1234567890").await;
    b.fill("#f-icp", "辽ICP备12345678号-1").await;
    b.fill("#f-police", "辽公网安备 21110202000123号").await;
    b.fill(
        "#f-conac_url",
        "https://bszs.conac.cn/sitename?method=show&id=ABC123",
    )
    .await;
    b.fill("#f-phone", "010-12345678").await;
    b.fill("#f-address", "示例县某某路1号").await;
    b.click("form[action='/admin/site'] button[type=submit]")
        .await;
    b.wait_for_url("notice=saved").await;
    b.goto(&app.url("/")).await;
    let footer = b.wait_for(".site-footer").await;
    for want in [
        "示例县人民政府",
        "网站标识码\u{FF1A}1234567890",
        "辽ICP备12345678号-1",
        "辽公网安备 21110202000123号",
        "联系我们",
        "网站地图",
        "电话\u{FF1A}010-12345678",
    ] {
        assert!(
            footer.contains(want),
            "{want} missing from the footer: {footer}"
        );
    }
    b.screenshot("portal-footer").await;
    b.click(".site-footer a[href='/wzdt']").await;
    b.wait_for_url("/wzdt").await;
    let map = b.wait_for(".site-map").await;
    assert!(
        map.contains("法定主动公开内容") && map.contains("依申请公开"),
        "{map}"
    );
    b.close().await;
    app.teardown().await;
}
