//! Full-text search kept derived from the database: golden queries（民政 finds 民政局 above
//! 人民政府), exact 文号 lookup, the leak matrix through the outbox (a draft, a 依申请公开 item and
//! an unpublished item are never found; nor an unpublished proposal reply, a meeting not yet held
//! or an unpublished message), unpublishing and editing after a sync, a rebuild from scratch
//! giving the same answers, the page escaping titles, what citizens type on the demo (substrings,
//! 文号 prefixes, questions, attachments) with its substring recall, and the page with no hits.

use crate::support::{Backend, TestApp};
use gongkai_db::{attachments, items, search_outbox};
use gongkai_domain::model::SearchKind;
use gongkai_search::{Filters, MAX_DEPTH, Search};

const CIVIL: &str = "市民政局";
const GOV: &str = "市政府办公室";
const COLUMN: &str = "tzgg";

async fn publish_item(app: &TestApp, org: &str, title: &str, doc_number: &str) -> i64 {
    let mut f = app.item(org, COLUMN, title).await;
    f.doc_number = doc_number.into();
    let id = app.create_item(f).await;
    app.publish(id).await;
    id
}

/// The items found for `q`, in rank order (all of them, not one page).
fn ranked(search: &Search, q: &str) -> Vec<i64> {
    ranked_kind(search, q, SearchKind::Item)
}

fn ranked_kind(search: &Search, q: &str, kind: SearchKind) -> Vec<i64> {
    let f = Filters {
        search_kind: Some(kind),
        ..Default::default()
    };
    search
        .index
        .search_range(q, f, 0, MAX_DEPTH)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

/// The items found for `q`, sorted by id.
fn ids(search: &Search, q: &str) -> Vec<i64> {
    let mut v = ranked(search, q);
    v.sort_unstable();
    v
}

async fn sync(app: &TestApp) {
    app.state().search.catch_up(app.db()).await.expect("sync");
}

both_backends!(search_golden_queries_and_leaks, |app| async move {
    let search = &app.state().search;
    sync(&app).await; // the fresh index is built (empty), so what follows goes through the outbox
    let civil = publish_item(
        &app,
        CIVIL,
        "盘锦市民政局关于做好冬季救助工作的通知",
        "盘民发〔2017〕12号",
    )
    .await;
    let gov = publish_item(
        &app,
        GOV,
        "盘锦市人民政府关于印发城市道路管理办法的通知",
        "盘政发〔2017〕3号",
    )
    .await;
    let tricky = publish_item(&app, CIVIL, "民政说明<script>alert(1)</script>", "").await;

    let draft = app
        .create_item(app.item(CIVIL, COLUMN, "民政草稿通知").await)
        .await;
    let mut f = app.item(CIVIL, COLUMN, "民政依申请通知").await;
    f.disclosure = "on_request".into();
    f.disclosure_reason = "涉及第三方合法权益".into();
    let on_request = app.create_item(f).await;
    app.publish(on_request).await;
    let withdrawn = publish_item(&app, CIVIL, "民政撤回通知", "").await;
    app.unpublish(withdrawn).await;

    assert!(ids(search, "民政").is_empty(), "nothing before the sync");
    sync(&app).await;

    // 民政 is inside 人民政府 too, so that item is found, after the whole words.
    assert_eq!(ids(search, "民政"), vec![civil, gov, tricky]);
    assert_eq!(ranked(search, "民政")[2], gov);
    assert_eq!(ids(search, "人民政府"), vec![gov]);
    for hidden in [draft, on_request, withdrawn] {
        for q in ["民政", "通知", "草稿", "依申请", "撤回"] {
            assert!(
                !ids(search, q).contains(&hidden),
                "item {hidden} leaked for {q}"
            );
        }
    }
    let exact = search
        .index
        .search("盘政发〔2017〕3号", Filters::default(), 1)
        .unwrap();
    assert!(exact.exact);
    assert_eq!(
        exact.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![gov]
    );
    let civil_org = app.org_id(CIVIL).await;
    let r = search
        .index
        .search(
            "通知",
            Filters {
                org: Some(civil_org),
                search_kind: Some(SearchKind::Item),
                ..Default::default()
            },
            1,
        )
        .unwrap();
    // The item's own text first; the other is filed under 通知公告 (a column name is found as
    // text, below the item's own words).
    assert_eq!(
        r.hits.iter().map(|h| h.id).collect::<Vec<_>>(),
        vec![civil, tricky]
    );

    // The page: highlighted, escaped, facets, empty state.
    let page = app.get_ok("/search?q=%E6%B0%91%E6%94%BF").await;
    let at = |id: i64| page.find(&format!("/items/{id}\"")).expect("a hit");
    assert!(
        at(civil) < at(gov) && at(tricky) < at(gov),
        "whole words first"
    );
    assert!(page.contains("<b>民政</b>"), "{page}");
    assert!(page.contains("&lt;script&gt;"));
    assert!(!page.contains("<script>alert"));
    assert!(page.contains(&format!("org={civil_org}")), "facet link");
    let empty = app
        .get_ok("/search?q=%E7%81%AB%E6%98%9F%E5%9F%BA%E5%9C%B0")
        .await;
    assert!(empty.contains("没有找到与“火星基地”相关的信息"), "{empty}");
    let home = app.get_ok("/").await;
    assert!(
        home.contains("action=\"/search\""),
        "search box in the header"
    );

    // A rebuild from scratch answers the same.
    let other = tempfile::tempdir().unwrap();
    let n = gongkai::search_cmd::reindex(app.db(), other.path(), false)
        .await
        .unwrap();
    let orgs = app.count("organisations").await as u64;
    assert_eq!(
        n,
        3 + orgs,
        "exactly the public items, and the organisations"
    );
    let rebuilt = Search::open(other.path()).unwrap();
    for q in ["民政", "人民政府", "通知", "盘政发〔2017〕3号", "撤回"] {
        assert_eq!(ids(&rebuilt, q), ids(search, q), "query {q}");
    }
    drop(rebuilt);

    // Unpublishing removes after the sync; an edit of a published item is picked up.
    app.unpublish(civil).await;
    assert_eq!(ids(search, "民政"), vec![civil, gov, tricky]);
    sync(&app).await;
    assert_eq!(ids(search, "民政"), vec![gov, tricky]);

    let item = {
        let mut conn = app.conn().await;
        items::get(&mut conn, gov).await.unwrap()
    };
    let mut f = app
        .item(GOV, COLUMN, "盘锦市人民政府关于海绵城市建设的通知")
        .await;
    f.doc_number = "盘政发〔2017〕3号".into();
    let input = f.validate().unwrap();
    let mut tx = app.db().begin().await.unwrap();
    items::update(&mut tx, &app.actor(), gov, item.version, &input)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    sync(&app).await;
    assert_eq!(ids(search, "海绵"), vec![gov]);
    assert!(ids(search, "道路").is_empty());
});

// Two nodes, two indexes, one outbox: each node applies every row up to its own mark.
both_backends!(search_every_node_applies_the_outbox, |app| async move {
    sync(&app).await;
    let other_dir = tempfile::tempdir().unwrap();
    let other = Search::open(other_dir.path()).unwrap();
    other.catch_up(app.db()).await.unwrap();
    let id = publish_item(&app, CIVIL, "盘锦市民政局关于养老服务的通知", "").await;
    sync(&app).await;
    assert_eq!(ids(&app.state().search, "养老"), vec![id]);
    assert!(
        ids(&other, "养老").is_empty(),
        "the other node has not synced yet"
    );
    other.catch_up(app.db()).await.unwrap();
    assert_eq!(ids(&other, "养老"), vec![id]);
    assert_eq!(app.count("search_nodes").await, 2);
    assert!(
        app.count("search_outbox").await >= 1,
        "rows stay until they are a day old"
    );

    // A node that last synced before the oldest kept rows is rebuilt rather than trusting its mark.
    let late = publish_item(&app, CIVIL, "盘锦市民政局关于殡葬管理的通知", "").await;
    {
        let mut conn = app.conn().await;
        sqlx::query("DELETE FROM search_outbox")
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::query("UPDATE search_nodes SET updated_at = $1 WHERE node_id = $2")
            .bind(gongkai_db::now_ms() - 2 * 24 * 3_600_000)
            .bind(&other.node_id)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    other.catch_up(app.db()).await.unwrap();
    assert_eq!(ids(&other, "殡葬"), vec![late]);
});

// 民政 finds the documents about 民政局 above those that only say 人民政府 (which contain the
// characters 民政 and so are found too), however often they say it.
both_backends!(
    whole_words_rank_above_matches_inside_longer_words,
    |app| async move {
        sync(&app).await;
        let mut gov = Vec::new();
        for (i, topic) in ["规章清理", "道路管理", "河长制", "机构改革"]
            .iter()
            .enumerate()
        {
            let mut f = app
                .item(GOV, COLUMN, &format!("盘锦市人民政府关于{topic}的通知"))
                .await;
            f.body = format!(
                "各县区人民政府，市人民政府各部门：{}",
                "人民政府".repeat(i + 3)
            );
            let id = app.create_item(f).await;
            app.publish(id).await;
            gov.push(id);
        }
        let mut civil = Vec::new();
        for title in [
            "市民政局关于做好养老服务工作的通知",
            "民政部门社会救助资金使用情况",
        ] {
            let id = app.create_item(app.item(CIVIL, COLUMN, title).await).await;
            app.publish(id).await;
            civil.push(id);
        }
        sync(&app).await;
        let order = ranked(&app.state().search, "民政");
        assert_eq!(order.len(), 6, "{order:?}");
        let mut first: Vec<i64> = order[..2].to_vec();
        first.sort_unstable();
        assert_eq!(first, civil, "{order:?}");
        let mut rest: Vec<i64> = order[2..].to_vec();
        rest.sort_unstable();
        assert_eq!(rest, gov, "{order:?}");
        // The same order through the API, and the organisation 市民政局 is a hit of its own kind.
        let body: serde_json::Value = app
            .get("/api/v1/search?q=%E6%B0%91%E6%94%BF&limit=50")
            .await
            .json()
            .await
            .unwrap();
        let items: Vec<i64> = body["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["kind"] == "item")
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        assert_eq!(items, order);
        let civil_org = app.org_id(CIVIL).await;
        assert!(
            body["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["kind"] == "org"
                    && h["id"] == civil_org
                    && h["html_url"] == format!("/orgs/{civil_org}")),
            "{body}"
        );
        assert!(
            body["facets"]["kinds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|k| k["value"] == "org" && k["label"] == "机构"),
            "{body}"
        );
    }
);

/// The demo as `serve --demo` loads it: items, the 2017 arrangement and its scenario (proposal
/// replies, a held meeting).
async fn load_demo(app: &TestApp) {
    let mut tx = app.db().begin().await.unwrap();
    gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    gongkai_db::seed_scenario::load(app.db()).await.unwrap();
}

/// Adds a plain-text attachment to `item` through the db layer, text extracted as at upload.
async fn attach_text(app: &TestApp, item: i64, name: &str, text: &str) {
    let bytes = text.as_bytes();
    let ct = "text/plain; charset=utf-8";
    let sha = app.state().storage.put(bytes).await.expect("store");
    let extracted = gongkai_search::extract::extract_guarded(bytes, ct);
    let mut tx = app.db().begin().await.unwrap();
    attachments::add(
        &mut tx,
        &app.actor(),
        &attachments::NewAttachment {
            item_id: item,
            file_name: name,
            content_type: ct,
            size_bytes: bytes.len() as i64,
            sha256: &sha,
            text: &extracted,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// The ids of the public items.
async fn docs_ids(app: &TestApp) -> Vec<i64> {
    let mut conn = app.conn().await;
    search_outbox::public_batch(&mut conn, 0, 100_000)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect()
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

// What citizens type, on the demo: a piece of a title, a 文号 series, a column's subject, a
// place named only in an attachment, a question; then the substring recall over every 2–4
// character CJK piece of every public title.
both_backends!(search_finds_what_citizens_type_on_the_demo, TestApp::builder().demo() => |app| async move {
    load_demo(&app).await;
    let search = &app.state().search;
    let all_items = |q: &str| ranked(search, q);
    let title_of = |id: i64| {
        let app = &app;
        async move { items::get(&mut *app.conn().await, id).await.unwrap().title }
    };
    // An attachment of a public demo item names a township.
    let host = {
        let mut conn = app.conn().await;
        search_outbox::public_batch(&mut conn, 0, 1).await.unwrap()[0].id
    };
    attach_text(&app, host, "名单.txt", "附件：胡家镇、石新镇2017年农村危房改造对象名单").await;
    sync(&app).await;

    let hits = all_items("双随机");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(title_of(hits[0]).await.contains("“双随机一公开”"));

    let series = all_items("盘政办发");
    assert!(series.len() >= 2, "{series:?}");
    let with_year = all_items("盘政办发\u{3014}2017\u{3015}");
    assert!(with_year.len() >= 2, "{with_year:?}");
    for id in series.iter().take(2) {
        let n: Option<String> = items::get(&mut *app.conn().await, *id).await.unwrap().doc_number;
        assert!(n.unwrap_or_default().starts_with("盘政办发"), "series first: {id}");
    }

    // The items of the column 财政预决算 are found by its name.
    let budget = all_items("预决算");
    let column = app.column_id("czyjs").await;
    let in_column: Vec<i64> = {
        let mut conn = app.conn().await;
        sqlx::query_scalar("SELECT item_id FROM item_columns WHERE column_id = $1")
            .bind(column)
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    };
    let public: Vec<i64> = docs_ids(&app).await;
    let expected: Vec<&i64> = in_column.iter().filter(|id| public.contains(id)).collect();
    assert!(!expected.is_empty());
    for id in expected {
        assert!(budget.contains(id), "item {id} of 财政预决算：{budget:?}");
    }
    assert_eq!(all_items("胡家镇"), vec![host]);

    // A question typed in full: nothing contains it as written, so partial matches are ranked.
    let r = search
        .index
        .search("怎么查询双随机抽查结果", Filters::default(), 1)
        .unwrap();
    assert!(r.partial && r.total > 0, "{r:?}");
    assert!(title_of(r.hits[0].id).await.contains("双随机"), "{:?}", r.hits[0]);

    // Recall against the substring truth: every item whose indexed text contains the piece.
    let mut docs: Vec<(i64, String)> = Vec::new();
    {
        let mut conn = app.conn().await;
        let rows = search_outbox::public_batch(&mut conn, 0, 100_000).await.unwrap();
        for row in rows {
            let att = attachments::public_texts(&mut conn, row.id).await.unwrap().join("\n");
            let text = [
                row.title.clone(),
                row.summary.clone(),
                gongkai_search::strip_html(&row.body_html),
                att,
                row.keywords.clone().unwrap_or_default(),
                row.issuing_authority.clone().unwrap_or_default(),
                row.topic_category.clone().unwrap_or_default(),
                row.doc_number.clone().unwrap_or_default(),
            ]
            .join("\n");
            docs.push((row.id, text));
        }
    }
    let mut pieces: Vec<String> = Vec::new();
    for (id, _) in &docs {
        let title: Vec<char> = title_of(*id).await.chars().collect();
        for n in 2..=4 {
            for w in title.windows(n) {
                if w.iter().all(|c| is_cjk(*c)) {
                    let p: String = w.iter().collect();
                    if !pieces.contains(&p) {
                        pieces.push(p);
                    }
                }
            }
        }
    }
    // Every piece, or a deterministic sample of at least 2000 when the demo grows.
    if pieces.len() > 4000 {
        let step = pieces.len() / 2000;
        pieces = pieces.into_iter().step_by(step.max(1)).collect();
    }
    assert!(pieces.len() >= 200, "only {} pieces", pieces.len());
    let (mut wanted, mut found) = (0usize, 0usize);
    let mut missed: Vec<String> = Vec::new();
    for p in &pieces {
        let truth: Vec<i64> = docs.iter().filter(|(_, t)| t.contains(p.as_str())).map(|(id, _)| *id).collect();
        let got = all_items(p);
        let hit = truth.iter().filter(|id| got.contains(id)).count();
        wanted += truth.len();
        found += hit;
        if hit < truth.len() && missed.len() < 20 {
            missed.push(p.clone());
        }
    }
    let recall = found as f64 / wanted as f64;
    eprintln!(
        "substring recall on the demo ({:?}): {found}/{wanted} = {recall:.4} over {} pieces",
        app.backend(),
        pieces.len()
    );
    assert!(recall >= 0.99, "recall {recall:.4}; missed {missed:?}");
});

async fn publish_message(app: &TestApp, title: &str, reply: bool, publish: bool) -> i64 {
    use gongkai_db::messages;
    let input = gongkai_domain::message::MessageFields {
        org_id: app.org_id(CIVIL).await.to_string(),
        name: "李四".into(),
        phone: "13900001111".into(),
        email: String::new(),
        title: title.into(),
        content: format!("{title}，请问如何办理？"),
    }
    .validate()
    .unwrap();
    let mut tx = app.db().begin().await.unwrap();
    let hash = title
        .bytes()
        .fold(7u64, |a, b| a.wrapping_mul(131).wrapping_add(u64::from(b)));
    let code = format!("S{:011X}", hash % 0xFFF_FFFF_FFFF);
    let id = messages::submit(
        &mut tx,
        &app.actor(),
        &input,
        &messages::Receipt {
            query_code: &code,
            received_on: gongkai_db::china_today(),
            ip: "10.0.0.9",
            dedupe_hash: title,
        },
    )
    .await
    .unwrap();
    if reply {
        messages::reply(&mut tx, &app.actor(), id, "已转交有关科室办理，详见答复。")
            .await
            .unwrap();
    }
    if publish {
        messages::publish(&mut tx, &app.actor(), id).await.unwrap();
    }
    tx.commit().await.unwrap();
    id
}

// Every public kind is found, as its own kind with its own page; nothing that is not public is
// indexed: an unpublished proposal reply, a meeting not yet held, a message not published.
both_backends!(search_covers_every_public_kind_and_leaks_none, TestApp::builder().demo() => |app| async move {
    load_demo(&app).await;
    sync(&app).await;
    let search = &app.state().search;
    let (published, open): (i64, i64) = {
        let mut conn = app.conn().await;
        let p: i64 = sqlx::query_scalar("SELECT id FROM proposals WHERE published_on IS NOT NULL")
            .fetch_one(&mut *conn).await.unwrap();
        let o: i64 = sqlx::query_scalar("SELECT id FROM proposals WHERE published_on IS NULL")
            .fetch_one(&mut *conn).await.unwrap();
        (p, o)
    };
    assert_eq!(ranked_kind(search, "深化预决算公开", SearchKind::Proposal), vec![published]);
    assert!(!ranked_kind(search, "政府性债务", SearchKind::Proposal).contains(&open));
    assert!(ranked_kind(search, "政府性债务", SearchKind::Proposal).is_empty());
    // The reply's masked public text is what is indexed: the proposer's phone is not.
    assert!(ranked_kind(search, "13900000000", SearchKind::Proposal).is_empty());
    let held = ranked_kind(search, "常务会议", SearchKind::Meeting);
    assert_eq!(held.len(), 1);
    assert_eq!(ranked_kind(search, "一网通办", SearchKind::Meeting), held, "minutes are indexed");
    assert!(ranked_kind(search, "民政局", SearchKind::Org).contains(&app.org_id(CIVIL).await));

    // Through the outbox: an announced meeting, and messages in every state.
    let upcoming = {
        let input = gongkai_domain::meeting::MeetingFields {
            org_id: app.org_id(CIVIL).await.to_string(),
            kind: "executive".into(),
            title: "殡葬改革听证会".into(),
            held_at: format!("{} 09:00", gongkai_db::china_today() + chrono::Duration::days(30)),
            place: "市民政局会议室".into(),
            agenda: "殡葬改革".into(),
            seats: "3".into(),
            apply_by: (gongkai_db::china_today() + chrono::Duration::days(20)).to_string(),
            live_url: String::new(),
            obligation_id: String::new(),
        }
        .validate()
        .unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let id = gongkai_db::meetings::create(&mut tx, &app.actor(), &input).await.unwrap();
        tx.commit().await.unwrap();
        id
    };
    let received = publish_message(&app, "咨询养犬登记手续", false, false).await;
    let replied = publish_message(&app, "咨询婚姻登记预约", true, false).await;
    let public = publish_message(&app, "咨询高龄津贴发放", true, true).await;
    sync(&app).await;
    assert!(ranked_kind(search, "殡葬改革", SearchKind::Meeting).is_empty(), "{upcoming} is not held");
    assert!(ranked_kind(search, "养犬登记", SearchKind::Message).is_empty(), "{received}");
    assert!(ranked_kind(search, "婚姻登记", SearchKind::Message).is_empty(), "{replied}");
    assert_eq!(ranked_kind(search, "高龄津贴", SearchKind::Message), vec![public]);
    let hidden = [
        (SearchKind::Proposal, open),
        (SearchKind::Meeting, upcoming),
        (SearchKind::Message, received),
        (SearchKind::Message, replied),
    ];
    for q in ["养犬登记", "婚姻登记", "殡葬改革听证", "政府性债务", "13900001111", "李四", "咨询", "会议"] {
        let r = search.index.search_range(q, Filters::default(), 0, MAX_DEPTH).unwrap();
        for h in &r.hits {
            assert!(!hidden.contains(&(h.kind, h.id)), "{q}: {h:?}");
            assert!(!h.snippet_html.contains("13900001111") && !h.title.contains("李四"), "{q}: {h:?}");
        }
    }
    // The page: the kind is a facet, a hit links to its own page.
    let page = app.get_ok("/search?q=%E9%AB%98%E9%BE%84%E6%B4%A5%E8%B4%B4").await;
    assert!(page.contains(&format!("href=\"/messages/{public}\"")), "{page}");
    assert!(page.contains("留言答复"));
    let page = app.get_ok("/search?q=%E5%B8%82%E6%94%BF%E5%BA%9C&kind=meeting").await;
    assert!(page.contains(&format!("href=\"/hygk/{}\"", held[0])), "{page}");
    assert!(page.contains("内容类别"));
    assert!(!page.contains("href=\"/items/"), "only meetings: {page}");
    let api = app.get("/api/v1/search?q=x&kind=nope").await;
    assert_eq!(api.status(), reqwest::StatusCode::BAD_REQUEST);
    // The same answers after a rebuild from scratch.
    let other = tempfile::tempdir().unwrap();
    gongkai::search_cmd::reindex(app.db(), other.path(), false).await.unwrap();
    let rebuilt = Search::open(other.path()).unwrap();
    for (q, kind) in [("高龄津贴", SearchKind::Message), ("婚姻登记", SearchKind::Message), ("常务会议", SearchKind::Meeting), ("政府性债务", SearchKind::Proposal)] {
        assert_eq!(ranked_kind(&rebuilt, q, kind), ranked_kind(search, q, kind), "{q}");
    }
});

// The page with no hits: corrected spelling from the index's terms, the hot queries (counted
// when they found something; text only), and the 依申请公开 and 留言 entrances. A question
// gets partial matches instead of nothing.
both_backends!(the_empty_page_offers_a_way_on, |app| async move {
    sync(&app).await;
    let id = publish_item(&app, CIVIL, "盘锦市城乡低保标准调整的通知", "").await;
    sync(&app).await;
    for _ in 0..3 {
        app.get_ok("/search?q=%E4%BD%8E%E4%BF%9D").await; // 低保
    }
    app.get_ok("/search?q=%E6%A0%87%E5%87%86").await; // 标准
    app.get_ok("/search?q=%E7%81%AB%E6%98%9F").await; // 火星：nothing found, not counted
    let hot = search_outbox::hot_queries(&mut *app.conn().await, 10)
        .await
        .unwrap();
    assert_eq!(hot, vec![("低保".to_string(), 3), ("标准".to_string(), 1)]);

    let page = app.get_ok("/search?q=%E4%BD%8E%E6%8A%A5").await; // 低报
    assert!(page.contains("没有找到与“低报”相关的信息"), "{page}");
    assert!(page.contains("您是不是要找"), "{page}");
    assert!(
        page.contains("href=\"/search?q=%E4%BD%8E%E4%BF%9D\""),
        "suggests 低保：{page}"
    );
    assert!(page.contains("大家都在搜"));
    assert!(page.contains("href=\"/ysqgk\""));
    assert!(page.contains("href=\"/messages/new\""));
    let follow = app.get_ok("/messages/new").await;
    assert!(follow.contains("<form"));

    let r = app
        .get_ok("/search?q=%E6%80%8E%E4%B9%88%E7%94%B3%E8%AF%B7%E4%BD%8E%E4%BF%9D%E5%91%A2")
        .await; // 怎么申请低保呢
    assert!(r.contains(&format!("/items/{id}")), "{r}");
    assert!(r.contains("包含其中部分词语"), "{r}");
    // A typo among found words: the partial hits come with the spelling.
    let r = app
        .get_ok("/search?q=%E4%BD%8E%E4%BF%9D%20%E6%A0%87%E8%B0%81")
        .await; // 低保 标谁
    assert!(r.contains("包含其中部分词语"), "{r}");
    assert!(r.contains("您是不是要找"), "{r}");
    assert!(r.contains(">低保 标准</a>"), "{r}");
    if app.backend() == Backend::Sqlite {
        // No address or person is stored with a query.
        let cols: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info('search_queries')")
                .fetch_all(&mut *app.conn().await)
                .await
                .unwrap();
        assert_eq!(cols, vec!["query", "times", "updated_at"]);
    }
});
