//! The data-resource catalogue and open data (issue 17 item 6) over HTTP on both backends: a
//! resource's catalogue entry is validated (sharing basis, 信息项 , formats), written only by its
//! organisation's editors, published to 数据开放 on the portal; a dataset's CSV/JSON files are
//! previewed, downloaded and announced in its RSS feed; a non-public dataset is never in the
//! portal, the feed or the CKAN-compatible API, which the real `ckanapi` client reads; task 21's
//! obligation is met by open data's updates; site search finds public datasets only.

use crate::support::users::User;
use crate::support::{PASSWORD, TestApp, html};
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

pub(crate) const ORG: &str = "市卫计委";
const OTHER_ORG: &str = "市财政局";
/// A CSV file of three rows under its header (built from cells: its commas are data).
pub(crate) const CSV: &str = concat!(
    "医院名称",
    ",",
    "床位数",
    ",",
    "地址",
    "\n",
    "市第一人民医院",
    ",",
    "800",
    ",",
    "兴隆台区",
    "\n",
    "市中心医院",
    ",",
    "650",
    ",",
    "双台子区",
    "\n",
    "<b>社区</b>医院",
    ",",
    "30",
    ",",
    "大洼区",
    "\n",
);

pub(crate) fn fields(name: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("code", "wjw-001".to_string()),
        (
            "summary",
            "全市医疗机构的名称\u{3001}床位数和地址".to_string(),
        ),
        (
            "items",
            "医院名称|字符型|机构全称\n床位数|数值型\n地址|字符型".to_string(),
        ),
        ("sharing", "unconditional".to_string()),
        ("open_type", "open".to_string()),
        ("cadence", "monthly".to_string()),
        ("formats", "csv".to_string()),
        ("formats", "json".to_string()),
        (
            "interface_url",
            "https://data.example.gov.cn/api/hospitals".to_string(),
        ),
        ("interface_method", "get".to_string()),
        ("interface_parameters", "page: 页码".to_string()),
        ("tags", "医疗 卫生".to_string()),
    ]
}

pub(crate) fn pairs<'a>(f: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    f.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

pub(crate) fn with(
    f: &[(&'static str, String)],
    key: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> =
        f.iter().filter(|(k, _)| *k != key).cloned().collect();
    out.push((key, value.to_string()));
    out
}

/// Creates a resource as `u` for `org`; its id.
pub(crate) async fn create(u: &User, org: i64, f: &[(&'static str, String)]) -> i64 {
    let org = org.to_string();
    let mut form = pairs(f);
    form.push(("org_id", org.as_str()));
    let (s, loc) = u.submit("/admin/data", &form).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
    loc.trim_start_matches("/admin/data/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

pub(crate) async fn publish(u: &User, id: i64, action: &str) -> (StatusCode, String) {
    u.submit(&format!("/admin/data/{id}/publish"), &[("action", action)])
        .await
}

pub(crate) async fn upload(
    u: &User,
    id: i64,
    name: &str,
    bytes: &[u8],
    note: &str,
) -> (StatusCode, String) {
    let form: Form = u.multipart().await.text("note", note.to_string()).part(
        "file",
        Part::bytes(bytes.to_vec()).file_name(name.to_string()),
    );
    u.submit_multipart(&format!("/admin/data/{id}/files"), form)
        .await
}

/// A published open dataset of `org` with one CSV file, written straight to the database.
pub(crate) async fn published_dataset(app: &TestApp, org: i64, name: &str) -> i64 {
    let mut f = gongkai_domain::data::ResourceFields::default();
    for (k, v) in fields(name) {
        match k {
            "name" => f.name = v,
            "summary" => f.summary = v,
            "items" => f.items = v,
            "sharing" => f.sharing = v,
            "open_type" => f.open_type = v,
            "cadence" => f.cadence = v,
            "formats" => f.formats.push(v),
            "tags" => f.tags = v,
            _ => {}
        }
    }
    let resource = f.validate().unwrap();
    let actor = gongkai_db::Actor::system();
    let sha = app.state().storage.put(CSV.as_bytes()).await.unwrap();
    let mut tx = app.db().begin().await.unwrap();
    let id = gongkai_db::data::create(&mut tx, &actor, org, &resource)
        .await
        .unwrap();
    let row = gongkai_db::data::get(&mut tx, id).await.unwrap();
    gongkai_db::data::set_published(&mut tx, &actor, &row, true)
        .await
        .unwrap();
    gongkai_db::data::add_file(
        &mut tx,
        &actor,
        &row,
        &gongkai_db::data::NewFile {
            file_name: "data.csv",
            format: "csv",
            content_type: "text/csv; charset=utf-8",
            sha256: &sha,
            size: CSV.len() as i64,
            note: "",
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

pub(crate) async fn editor(app: &TestApp, name: &str, org: &str) -> User {
    let org = app.org_id(org).await;
    app.create_user(name, Role::Editor, Some(org)).await;
    app.user(name, PASSWORD).await
}

both_backends!(
    a_resource_is_validated_written_by_its_organisation_only_and_published,
    |app| async move {
        let org = app.org_id(ORG).await;
        let ed = editor(&app, "wjw_data", ORG).await;
        let other = editor(&app, "czj_data", OTHER_ORG).await;

        // Refusals change nothing: 有条件共享 without its basis, a bad 信息项 type, no format.
        let (rows, audit) = (app.count("data_resources").await, app.audit_count().await);
        let org_s = org.to_string();
        let bad = with(&fields("医疗机构名录"), "sharing", "conditional");
        let mut form = pairs(&bad);
        form.push(("org_id", org_s.as_str()));
        let (s, page) = ed.submit("/admin/data", &form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("有条件共享须填写共享条件和依据"),
            "{}",
            html::excerpt(&page)
        );
        let bad = with(&fields("医疗机构名录"), "items", "医院名称|文字型");
        let mut form = pairs(&bad);
        form.push(("org_id", org_s.as_str()));
        let (s, page) = ed.submit("/admin/data", &form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("数据类型"), "{}", html::excerpt(&page));
        // Another organisation's editor cannot write for this one.
        let owned_1 = fields("医疗机构名录");
        let mut form = pairs(&owned_1);
        form.push(("org_id", org_s.as_str()));
        let (s, _) = other.submit("/admin/data", &form).await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(app.count("data_resources").await, rows);
        assert_eq!(app.audit_count().await, audit);

        let form = ed.get_ok("/admin/data/new").await;
        assert!(form.contains("name=\"formats\"") && form.contains("有条件共享"));
        assert!(
            !form.contains(OTHER_ORG),
            "only the editor's organisations are offered"
        );
        let id = create(&ed, org, &fields("医疗机构名录")).await;
        let form = ed.get_ok(&format!("/admin/data/{id}/edit")).await;
        assert!(form.contains("床位数|数值型"), "{}", html::excerpt(&form));
        let page = ed.get_ok(&format!("/admin/data/{id}")).await;
        assert!(
            page.contains("医疗机构名录") && page.contains("无条件共享") && page.contains("每月")
        );
        assert!(page.contains("床位数") && page.contains("数值型"));
        assert!(ed.get_ok("/admin/data").await.contains("医疗机构名录"));
        // A duplicate code within the organisation is refused.
        let owned_2 = fields("另一个名录");
        let mut form = pairs(&owned_2);
        form.push(("org_id", org_s.as_str()));
        let (s, page) = ed.submit("/admin/data", &form).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("本机构已有资源代码"),
            "{}",
            html::excerpt(&page)
        );

        // The other organisation's editor does not see it, cannot edit, publish or upload.
        assert_eq!(other.get(&format!("/admin/data/{id}")).await.status(), 404);
        assert!(!other.get_ok("/admin/data").await.contains("医疗机构名录"));
        let owned_3 = fields("改名");
        let mut edit = pairs(&owned_3);
        edit.push(("version", "1"));
        assert_eq!(
            other
                .submit(&format!("/admin/data/{id}/edit"), &edit)
                .await
                .0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            publish(&other, id, "publish").await.0,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            upload(&other, id, "a.csv", CSV.as_bytes(), "").await.0,
            StatusCode::NOT_FOUND
        );

        // Edit with its version; a stale version is refused.
        let owned_4 = with(&fields("医疗机构名录"), "sharing", "conditional");
        let mut edit = pairs(&owned_4);
        edit.push((
            "sharing_basis",
            "用于卫生健康监管\u{FF0C}依据\u{300A}基本医疗卫生与健康促进法\u{300B}",
        ));
        edit.push(("version", "1"));
        let (s, loc) = ed.submit(&format!("/admin/data/{id}/edit"), &edit).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        let (s, _) = ed.submit(&format!("/admin/data/{id}/edit"), &edit).await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(
            ed.get_ok(&format!("/admin/data/{id}"))
                .await
                .contains("有条件共享")
        );

        // Not public before publication; public after, in the catalogue and its page.
        assert_eq!(app.get(&format!("/sjkf/{id}")).await.status(), 404);
        assert!(!app.get_ok("/sjkf").await.contains("医疗机构名录"));
        assert_eq!(publish(&ed, id, "publish").await.0, StatusCode::SEE_OTHER);
        let list = app.get_ok("/sjkf").await;
        assert!(
            list.contains("医疗机构名录") && list.contains(ORG),
            "{}",
            html::excerpt(&list)
        );
        let page = app.get_ok(&format!("/sjkf/{id}")).await;
        for text in [
            "医疗机构名录",
            "有条件共享",
            "无条件开放",
            "每月",
            "床位数",
            "https://data.example.gov.cn/api/hospitals",
        ] {
            assert!(page.contains(text), "{text}: {}", html::excerpt(&page));
        }
        // Site search finds the public dataset, by a 信息项 too.
        app.state().search.catch_up(app.db()).await.expect("sync");
        let found = app.get_ok("/search?q=%E5%BA%8A%E4%BD%8D%E6%95%B0").await; // 床位数
        assert!(
            found.contains(&format!("/sjkf/{id}")),
            "{}",
            html::excerpt(&found)
        );
        assert_eq!(publish(&ed, id, "unpublish").await.0, StatusCode::SEE_OTHER);
        app.state().search.catch_up(app.db()).await.expect("sync");
        let found = app.get_ok("/search?q=%E5%BA%8A%E4%BD%8D%E6%95%B0").await;
        assert!(
            !found.contains(&format!("/sjkf/{id}")),
            "unpublished is not found"
        );
        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action FROM audit_log WHERE entity = 'data_resource' ORDER BY id",
        )
        .fetch_all(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(
            actions,
            [
                "data.create",
                "data.update",
                "data.publish",
                "data.unpublish"
            ]
        );
    }
);

both_backends!(
    a_dataset_file_is_previewed_downloaded_and_in_its_feed_a_non_public_one_nowhere,
    |app| async move {
        let org = app.org_id(ORG).await;
        let ed = editor(&app, "wjw_data", ORG).await;
        let id = create(&ed, org, &fields("医疗机构名录")).await;
        assert_eq!(publish(&ed, id, "publish").await.0, StatusCode::SEE_OTHER);

        // Files that are not CSV, XLSX or valid JSON are refused and nothing is recorded.
        let (s, page) = upload(&ed, id, "说明.docx", b"PK\x03\x04xx", "").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("CSV"), "{}", html::excerpt(&page));
        let (s, page) = upload(&ed, id, "坏.json", b"{\"a\": [1,", "").await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("不是有效的 JSON"), "{}", html::excerpt(&page));
        assert_eq!(app.count("data_files").await, 0);

        let (s, loc) = upload(&ed, id, "医疗机构.csv", CSV.as_bytes(), "2026年12月数据").await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        let page = app.get_ok(&format!("/sjkf/{id}")).await;
        assert!(page.contains("数据预览"), "{}", html::excerpt(&page));
        assert!(
            page.contains("<th scope=\"col\">床位数</th>"),
            "{}",
            html::excerpt(&page)
        );
        assert!(page.contains("<td>市中心医院</td>"));
        assert!(
            page.contains(concat!("&lt;b&gt;", "社区")) && !page.contains("<b>社区"),
            "cells are escaped: {}",
            html::excerpt(&page)
        );
        assert!(page.contains("共 3 行数据"));
        let file_id: i64 = sqlx::query_scalar("SELECT id FROM data_files WHERE resource_id = $1")
            .bind(id)
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        let resp = app.get(&format!("/sjkf/{id}/files/{file_id}")).await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.bytes().await.unwrap().as_ref(), CSV.as_bytes());

        // The feed: RSS 2.0, one update, escaped.
        let resp = app.get(&format!("/sjkf/{id}/rss.xml")).await;
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/rss+xml")
        );
        let rss = resp.text().await.unwrap();
        assert!(rss.contains("<rss version=\"2.0\""), "{rss}");
        assert_eq!(rss.matches("<item>").count(), 1, "{rss}");
        assert!(rss.contains("医疗机构.csv") && rss.contains("2026年12月数据"));
        assert!(rss.contains(&format!("/sjkf/{id}/files/{file_id}</link>")));

        // A JSON file: the newest is previewed, pretty-printed; the feed has two updates.
        let (s, _) = upload(
            &ed,
            id,
            "医疗机构.json",
            br#"{"hospitals":[{"name":"<i>x</i>","beds":800}]}"#,
            "",
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let page = app.get_ok(&format!("/sjkf/{id}")).await;
        assert!(
            page.contains("&quot;beds&quot;: 800"),
            "{}",
            html::excerpt(&page)
        );
        assert!(
            page.contains("&lt;i&gt;x&lt;&#x2f;i&gt;") || page.contains("&lt;i&gt;x&lt;/i&gt;")
        );
        let rss = app.get_ok(&format!("/sjkf/{id}/rss.xml")).await;
        assert_eq!(rss.matches("<item>").count(), 2);

        // 不予开放 (published, with 不予共享 and its basis): never on the portal, feed or API.
        let closed = with(
            &with(
                &with(&fields("内部人事数据"), "sharing", "not_shared"),
                "open_type",
                "closed",
            ),
            "code",
            "wjw-002",
        );
        let mut closed = closed;
        closed.push((
            "sharing_basis",
            "涉及个人隐私\u{FF0C}依据\u{300A}个人信息保护法\u{300B}".to_string(),
        ));
        let hidden = create(&ed, org, &closed).await;
        assert_eq!(
            publish(&ed, hidden, "publish").await.0,
            StatusCode::SEE_OTHER
        );
        let (s, _) = upload(&ed, hidden, "人事.csv", CSV.as_bytes(), "").await;
        assert_eq!(
            s,
            StatusCode::UNPROCESSABLE_ENTITY,
            "no open file for a closed resource"
        );
        assert!(!app.get_ok("/sjkf").await.contains("内部人事数据"));
        assert_eq!(app.get(&format!("/sjkf/{hidden}")).await.status(), 404);
        assert_eq!(
            app.get(&format!("/sjkf/{hidden}/rss.xml")).await.status(),
            404
        );
        let list = app.get_ok("/api/3/action/package_list").await;
        assert!(
            list.contains(&format!("\"gk-{id}\"")) && !list.contains(&format!("gk-{hidden}")),
            "{list}"
        );
        let resp = app
            .get(&format!("/api/3/action/package_show?id=gk-{hidden}"))
            .await;
        assert_eq!(resp.status(), 404);
        let err: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(err["success"], false);
        assert_eq!(err["error"]["__type"], "Not Found Error");
        let search = app.get_ok("/api/3/action/package_search?q=人事").await;
        assert!(search.contains("\"count\":0"), "{search}");

        // Unpublished: gone from the portal, its files, the feed and the API.
        assert_eq!(publish(&ed, id, "unpublish").await.0, StatusCode::SEE_OTHER);
        assert_eq!(app.get(&format!("/sjkf/{id}")).await.status(), 404);
        assert_eq!(
            app.get(&format!("/sjkf/{id}/files/{file_id}"))
                .await
                .status(),
            404
        );
        assert_eq!(app.get(&format!("/sjkf/{id}/rss.xml")).await.status(), 404);
        assert_eq!(
            app.get(&format!("/api/3/action/package_show?id={id}"))
                .await
                .status(),
            404
        );
        assert!(
            app.get_ok("/api/3/action/package_list")
                .await
                .contains("\"result\":[]")
        );
        // The editor still downloads it in the back office.
        assert_eq!(
            ed.get(&format!("/admin/data/{id}/files/{file_id}"))
                .await
                .status(),
            200
        );
    }
);

/// Makes sure the `ckanapi` Python package is importable, installing it with pip when missing.
fn ensure_ckanapi() {
    let has = |_: ()| {
        std::process::Command::new("python3")
            .args(["-c", "import ckanapi"])
            .status()
            .is_ok_and(|s| s.success())
    };
    if has(()) {
        return;
    }
    let _ = std::process::Command::new("python3")
        .args(["-m", "pip", "install", "--quiet", "ckanapi"])
        .status();
    assert!(
        has(()),
        "the ckanapi client test needs python3 with the ckanapi package: pip install ckanapi \
         (scripts/test installs it)"
    );
}

const CLIENT: &str = r#"
import json, sys, ckanapi
ckan = ckanapi.RemoteCKAN(sys.argv[1], get_only=True)
# The client's default: every call a POST with its parameters as JSON.
posting = ckanapi.RemoteCKAN(sys.argv[1])
out = {}
out["list"] = ckan.action.package_list()
out["posted_list"] = posting.action.package_list()
out["posted_show"] = posting.action.package_show(id=sys.argv[2])["name"]
out["show"] = ckan.action.package_show(id=sys.argv[2])
out["search"] = ckan.action.package_search(q=sys.argv[3], rows=5, start=0)
out["orgs"] = ckan.action.organization_list()
try:
    ckan.action.package_show(id="gk-999999")
    out["missing"] = "found"
except ckanapi.NotFound:
    out["missing"] = "not found"
print(json.dumps(out))
"#;

both_backends!(
    the_ckanapi_client_lists_shows_and_searches_public_datasets,
    |app| async move {
        ensure_ckanapi();
        let org = app.org_id(ORG).await;
        let ed = editor(&app, "wjw_data", ORG).await;
        let id = create(&ed, org, &fields("医疗机构名录")).await;
        assert_eq!(publish(&ed, id, "publish").await.0, StatusCode::SEE_OTHER);
        let (s, _) = upload(&ed, id, "医疗机构.csv", CSV.as_bytes(), "").await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        let draft = create(&ed, org, &with(&fields("未发布的数据"), "code", "wjw-003")).await;
        // package_search reads the search index, which follows the database (the worker's
        // catch-up; here by hand).
        app.state().search.catch_up(app.db()).await.expect("sync");

        let base = app.url("").trim_end_matches('/').to_string();
        let out = std::process::Command::new("python3")
            .args(["-c", CLIENT, &base, &format!("gk-{id}"), "医疗"])
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "ckanapi client failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("client's JSON");
        assert_eq!(v["list"], serde_json::json!([format!("gk-{id}")]));
        assert_eq!(v["posted_list"], v["list"], "a POST answers as a GET");
        assert_eq!(v["posted_show"], serde_json::json!(format!("gk-{id}")));
        let show = &v["show"];
        assert_eq!(show["id"], id.to_string());
        assert_eq!(show["name"], format!("gk-{id}"));
        assert_eq!(show["title"], "医疗机构名录");
        assert_eq!(show["organization"]["title"], ORG);
        assert_eq!(show["num_resources"], 1);
        assert_eq!(show["resources"][0]["format"], "CSV");
        assert_eq!(show["resources"][0]["name"], "医疗机构.csv");
        let url = show["resources"][0]["url"].as_str().unwrap();
        assert!(url.starts_with(&base), "{url}");
        let file = app.client().get(url).send().await.unwrap();
        assert_eq!(file.bytes().await.unwrap().as_ref(), CSV.as_bytes());
        assert!(
            show["tags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"] == "医疗")
        );
        assert!(show["metadata_modified"].as_str().unwrap().len() >= 19);
        assert_eq!(v["search"]["count"], 1);
        assert_eq!(v["search"]["results"][0]["name"], format!("gk-{id}"));
        assert_eq!(v["orgs"], serde_json::json!([format!("org-{org}")]));
        assert_eq!(v["missing"], "not found");
        let _ = draft;

        // CKAN's errors: a missing id is a 409 Validation Error; an unknown action a 400.
        let resp = app.get("/api/3/action/package_show").await;
        assert_eq!(resp.status(), 409);
        let err: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(err["error"]["__type"], "Validation Error");
        assert_eq!(app.get("/api/3/action/package_delete").await.status(), 400);
        let page: serde_json::Value = app
            .get("/api/3/action/package_search?q=*:*&rows=1&start=1")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(page["result"]["count"], 1);
        assert_eq!(page["result"]["results"], serde_json::json!([]));
    }
);

both_backends!(
    task_21_is_met_by_updates_of_open_datasets,
    |app| async move {
        let mut tx = app.db().begin().await.unwrap();
        let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
            .await
            .unwrap()
            .plan_id;
        tx.commit().await.unwrap();
        let (duty, cadence): (i64, String) = sqlx::query_as(
            "SELECT o.duty_id, o.cadence FROM obligations o JOIN plan_duties d ON d.id = o.duty_id \
             JOIN plan_tasks t ON t.id = d.task_id WHERE t.plan_id = $1 AND t.number = 21 \
             ORDER BY o.id LIMIT 1",
        )
        .bind(plan)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        // The supervisor points the obligation at open data instead of a column.
        let admin = app.admin().await;
        let (s, loc) = admin
            .submit(
                &format!("/admin/plans/{plan}/duties/{duty}/column"),
                &[("cadence", cadence.as_str()), ("column_id", "open_data")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", html::excerpt(&loc));
        let owners: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, org_id FROM obligations WHERE source = 'open_data' ORDER BY id",
        )
        .fetch_all(&mut *app.conn().await)
        .await
        .unwrap();
        assert!(!owners.is_empty());
        let as_of = chrono::NaiveDate::from_ymd_opt(2018, 1, 15).unwrap();
        let statuses = |r: &gongkai_db::compliance::ComplianceReport| -> Vec<String> {
            r.periods
                .iter()
                .filter(|p| owners.iter().any(|(o, _)| *o == p.obligation_id))
                .map(|p| p.status.clone())
                .collect()
        };
        let before = gongkai_db::compliance::report(&mut *app.conn().await, plan, as_of)
            .await
            .unwrap();
        let s = statuses(&before);
        assert!(!s.is_empty() && s.iter().all(|s| s == "missed"), "{s:?}");

        // Each owner publishes an open dataset with one file; the upload is dated by the
        // system, so move it into 2017 as if it had been uploaded then.
        let mut orgs: Vec<i64> = owners.iter().map(|(_, o)| *o).collect();
        orgs.sort_unstable();
        orgs.dedup();
        let dec_1_2017 = gongkai_domain::china_time::start_of_day(
            chrono::NaiveDate::from_ymd_opt(2017, 12, 1).unwrap(),
        );
        let resource = gongkai_domain::data::ResourceFields {
            name: "政务信息资源共享目录".into(),
            summary: "本单位的共享目录".into(),
            items: "资源名称".into(),
            sharing: "unconditional".into(),
            open_type: "open".into(),
            formats: vec!["csv".into()],
            ..Default::default()
        }
        .validate()
        .unwrap();
        for org in orgs {
            let actor = gongkai_db::Actor::system();
            let mut tx = app.db().begin().await.unwrap();
            let id = gongkai_db::data::create(&mut tx, &actor, org, &resource)
                .await
                .unwrap();
            let row = gongkai_db::data::get(&mut tx, id).await.unwrap();
            gongkai_db::data::set_published(&mut tx, &actor, &row, true)
                .await
                .unwrap();
            let sha = app.state().storage.put(CSV.as_bytes()).await.unwrap();
            let file = gongkai_db::data::add_file(
                &mut tx,
                &actor,
                &row,
                &gongkai_db::data::NewFile {
                    file_name: "目录.csv",
                    format: "csv",
                    content_type: "text/csv",
                    sha256: &sha,
                    size: CSV.len() as i64,
                    note: "",
                },
            )
            .await
            .unwrap();
            sqlx::query("UPDATE data_files SET uploaded_at = $1 WHERE id = $2")
                .bind(dec_1_2017)
                .bind(file)
                .execute(&mut *tx)
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        let after = gongkai_db::compliance::report(&mut *app.conn().await, plan, as_of)
            .await
            .unwrap();
        let s = statuses(&after);
        assert!(!s.is_empty() && s.iter().all(|s| s == "met"), "{s:?}");
        let evidence = &after
            .periods
            .iter()
            .find(|p| owners.iter().any(|(o, _)| *o == p.obligation_id))
            .unwrap()
            .evidence;
        assert!(
            evidence
                .iter()
                .any(|e| e.title.contains("政务信息资源共享目录")),
            "{evidence:?}"
        );

        // 不予开放 datasets do not count.
        sqlx::query("UPDATE data_resources SET open_type = 'closed'")
            .execute(&mut *app.conn().await)
            .await
            .unwrap();
        let closed = gongkai_db::compliance::report(&mut *app.conn().await, plan, as_of)
            .await
            .unwrap();
        assert!(statuses(&closed).iter().all(|s| s == "missed"));
    }
);
