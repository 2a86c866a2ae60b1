//! Golden queries on the index alone (the database round trip is tested in the `it` binary).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benchmarks: a panic is the failure, with its message

use gongkai_search::{Filters, SearchDoc, SearchIndex};

fn doc(id: i64, title: &str, body: &str, doc_number: Option<&str>, published_at: i64) -> SearchDoc {
    SearchDoc {
        id,
        org_id: 10 + id % 2,
        column_ids: vec![100 + id],
        title: title.into(),
        summary: String::new(),
        body: body.into(),
        attachment_text: String::new(),
        meta: String::new(),
        index_no: Some(format!("11211100MB0000000X/2017-0000{id}")),
        doc_number: doc_number.map(Into::into),
        validity: "valid".into(),
        kinds: Vec::new(),
        published_at,
        ..SearchDoc::default()
    }
}

fn ids(ix: &SearchIndex, q: &str) -> Vec<i64> {
    ix.search(q, Filters::default(), 1)
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

#[test]
fn golden_queries() {
    let dir = tempfile::tempdir().unwrap();
    let (ix, created) = SearchIndex::open_or_create(dir.path()).unwrap();
    assert!(created);
    const Y2017: i64 = 1_500_000_000_000;
    ix.upsert(&doc(
        1,
        "盘锦市民政局关于做好冬季救助工作的通知",
        "各县区民政部门:做好低保救助。",
        Some("盘民发〔2017〕12号"),
        Y2017,
    ))
    .unwrap();
    ix.upsert(&doc(
        2,
        "盘锦市人民政府关于印发城市道路管理办法的通知",
        "各县区人民政府,市政府各部门。",
        Some("盘政发〔2017〕3号"),
        Y2017 + 1000,
    ))
    .unwrap();
    ix.upsert(&doc(
        3,
        "关于<script>alert(1)</script>的说明",
        "正文提到救助。",
        None,
        Y2017 + 2000,
    ))
    .unwrap();
    ix.commit().unwrap();

    // 民政 is found inside 人民政府 too (every substring is), but the whole word ranks first.
    assert_eq!(ids(&ix, "民政"), vec![1, 2]);
    assert_eq!(ids(&ix, "人民政府"), vec![2]);
    let r = ix
        .search("盘政发[2017] 3号", Filters::default(), 1)
        .unwrap();
    assert!(r.exact);
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![2]);
    assert_eq!(ids(&ix, "11211100MB0000000X/2017-00001"), vec![1]);

    // Title hits rank above body hits.
    assert_eq!(ids(&ix, "救助"), vec![1, 3]);
    let r = ix.search("说明", Filters::default(), 1).unwrap();
    assert!(
        r.hits[0].title_html.contains("&lt;script&gt;"),
        "{}",
        r.hits[0].title_html
    );
    assert!(
        r.hits[0].title_html.contains("<b>说明</b>"),
        "{}",
        r.hits[0].title_html
    );

    let r = ix
        .search(
            "救助",
            Filters {
                org: Some(11),
                ..Default::default()
            },
            1,
        )
        .unwrap();
    assert_eq!(r.hits.iter().map(|h| h.id).collect::<Vec<_>>(), vec![1, 3]);
    let r = ix.search("通知", Filters::default(), 1).unwrap();
    assert_eq!(r.total, 2);
    assert_eq!(r.years, vec![(2017, 2)]);
    assert_eq!(r.orgs.len(), 2);

    ix.delete(1).unwrap();
    ix.commit().unwrap();
    assert_eq!(ids(&ix, "民政"), vec![2]);
    drop(ix);
    let (ix, created) = SearchIndex::open_or_create(dir.path()).unwrap();
    assert!(!created);
    assert_eq!(ids(&ix, "人民政府"), vec![2]);
}

#[test]
fn substrings_prefixes_questions_and_suggestions() {
    let dir = tempfile::tempdir().unwrap();
    let (ix, _) = SearchIndex::open_or_create(dir.path()).unwrap();
    const Y2017: i64 = 1_500_000_000_000;
    let docs = [
        doc(
            1,
            "关于开展2017年\u{201C}双随机一公开\u{201D}监管工作的通知",
            "抽查结果将在市政府门户网站公开。",
            Some("盘政办发〔2017〕12号"),
            Y2017,
        ),
        doc(
            2,
            "盘锦市2017年财政预决算公开",
            "市本级部门预决算全部公开。",
            None,
            Y2017,
        ),
        doc(
            3,
            "关于提高城乡低保标准的通知",
            "城乡低保标准每人每月提高20元。",
            None,
            Y2017,
        ),
        doc(
            4,
            "盘锦市人民政府办公室关于印发方案的通知",
            "各县区人民政府。",
            Some("盘政办发〔2018〕3号"),
            Y2017,
        ),
    ];
    for d in &docs {
        ix.upsert(d).unwrap();
    }
    ix.commit().unwrap();
    let sorted = |q: &str| {
        let mut v = ids(&ix, q);
        v.sort_unstable();
        v
    };
    // Pieces of words are found（双随机 is inside the word 双随机一公开）.
    assert_eq!(ids(&ix, "双随机"), vec![1]);
    assert_eq!(ids(&ix, "随机一"), vec![1]);
    assert_eq!(ids(&ix, "预决算"), vec![2]);
    assert_eq!(ids(&ix, "\u{FF12}\u{FF10}元"), vec![3], "full-width digits");
    // A 文号 prefix finds the series; with the year, that year's first (item 4 says 2017 only
    // in its 索引号）.
    assert_eq!(sorted("盘政办发"), vec![1, 4]);
    assert_eq!(ids(&ix, "盘政办发\u{3014}2017\u{3015}"), vec![1, 4]);
    assert_eq!(ids(&ix, "盘政办发[2018]"), vec![4]);
    // One character.
    assert_eq!(sorted("保"), vec![3]);
    // A question: nothing contains it whole, the item with most of its words comes first.
    let r = ix
        .search("请问怎么查询低保标准", Filters::default(), 1)
        .unwrap();
    assert!(r.partial, "{r:?}");
    assert_eq!(r.hits[0].id, 3);
    assert!(
        r.hits[0].title_html.contains("<b>低保</b>"),
        "{:?}",
        r.hits[0]
    );
    // Not a partial match when the words are all there.
    assert!(
        !ix.search("低保标准", Filters::default(), 1)
            .unwrap()
            .partial
    );
    // Nothing at all, and a spelling from the index's title words.
    let r = ix.search("低报", Filters::default(), 1).unwrap();
    assert_eq!(r.total, 0);
    let s = ix.suggest("低报", 5).unwrap();
    assert!(s.contains(&"低保".to_string()), "{s:?}");
    assert!(ix.suggest("量子计算机", 5).unwrap().is_empty());
}

/// An index written under another schema version (here the word-only index of version 3) is
/// deleted on open and reported as new, so the node rebuilds it from the database on start.
#[test]
fn an_index_of_another_version_is_rebuilt_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let (ix, created) = SearchIndex::open_or_create(dir.path()).unwrap();
    assert!(created);
    ix.upsert(&doc(1, "民政", "正文", None, 0)).unwrap();
    ix.commit().unwrap();
    drop(ix);
    let (ix, created) = SearchIndex::open_or_create(dir.path()).unwrap();
    assert!(!created);
    assert_eq!(ix.num_docs(), 1);
    drop(ix);
    std::fs::write(dir.path().join("index_version"), "3").unwrap();
    std::fs::write(dir.path().join("node_id"), "node-a").unwrap();
    let (ix, created) = SearchIndex::open_or_create(dir.path()).unwrap();
    assert!(created, "a rebuild is due");
    assert_eq!(ix.num_docs(), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("index_version")).unwrap(),
        gongkai_search::INDEX_VERSION.to_string()
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("node_id")).unwrap(),
        "node-a",
        "the node keeps its id"
    );
}
