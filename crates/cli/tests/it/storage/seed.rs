//! First-run seeding: the organisation tree, the site and the column structure.

use crate::support::TestApp;
use gongkai_db::{columns, orgs};
use gongkai_domain::seed::{COLUMNS, OPEN_GOV_ROOT, ORGANISATIONS, STATUTORY};

fn by_name<'a>(all: &'a [orgs::Org], name: &str) -> &'a orgs::Org {
    all.iter()
        .find(|o| o.name == name)
        .unwrap_or_else(|| panic!("seeded organisations lack {name}"))
}

fn col<'a>(all: &'a [columns::Column], slug: &str) -> &'a columns::Column {
    all.iter()
        .find(|c| c.slug == slug)
        .unwrap_or_else(|| panic!("seeded columns lack {slug}"))
}

fn names_under(all: &[columns::Column], parent: i64) -> Vec<&str> {
    all.iter()
        .filter(|c| c.parent_id == Some(parent))
        .map(|c| c.name.as_str())
        .collect()
}

both_backends!(creates_the_organisation_tree, |app| async move {
    let all = orgs::all(&mut *app.conn().await).await.unwrap();
    assert_eq!(all.len(), ORGANISATIONS.len());

    let city = by_name(&all, "盘锦市人民政府");
    assert_eq!(city.parent_id, None);
    assert_eq!(city.kind, "government");
    for dept in ["市政府办公室", "市财政局", "市发展改革委", "市统计局"] {
        assert_eq!(by_name(&all, dept).parent_id, Some(city.id), "{dept}");
    }
    assert_eq!(by_name(&all, "市政府办公室").kind, "general_office");
    assert_eq!(by_name(&all, "市财政局").kind, "department");

    let counties = by_name(&all, "各县区政府");
    assert_eq!(counties.parent_id, Some(city.id));
    let mut under: Vec<&str> = all
        .iter()
        .filter(|o| o.parent_id == Some(counties.id))
        .map(|o| o.name.as_str())
        .collect();
    under.sort();
    let mut expected = vec![
        "双台子区人民政府",
        "兴隆台区人民政府",
        "大洼区人民政府",
        "盘山县人民政府",
    ];
    expected.sort();
    assert_eq!(under, expected);
    for c in &expected {
        assert_eq!(by_name(&all, c).kind, "county_government", "{c}");
    }

    for v in ["人民银行盘锦中心支行", "盘锦银监局"] {
        assert_eq!(by_name(&all, v).kind, "vertical", "{v}");
    }
    // Organisation codes are unique (they feed the 索引号).
    let mut codes: Vec<&str> = all.iter().map(|o| o.code.as_str()).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), all.len());
});

both_backends!(creates_the_site_and_column_structure, |app| async move {
    let mut conn = app.conn().await;
    let site = columns::default_site(&mut conn).await.unwrap();
    let all = columns::all(&mut conn, site.id).await.unwrap();
    assert_eq!(all.len(), COLUMNS.len());

    let root = col(&all, OPEN_GOV_ROOT);
    assert_eq!(root.name, "政府信息公开");
    assert_eq!(root.parent_id, None);
    let under_root = names_under(&all, root.id);
    for name in [
        "政府信息公开指南",
        "政府信息公开制度",
        "法定主动公开内容",
        "政府信息公开年报",
    ] {
        assert!(
            under_root.contains(&name),
            "{name} missing under 政府信息公开: {under_root:?}"
        );
    }

    let statutory = col(&all, STATUTORY);
    assert_eq!(statutory.parent_id, Some(root.id));
    let categories = names_under(&all, statutory.id);
    assert_eq!(categories.len(), 15, "statutory categories: {categories:?}");
    for name in ["财政预决算", "统计信息", "规划信息", "行政许可"] {
        assert!(categories.contains(&name), "{name} missing: {categories:?}");
    }

    for (slug, name) in [
        ("zcwj", "政策文件"),
        ("zcjd", "政策解读"),
        ("tzgg", "通知公告"),
        ("zwdt", "政务动态"),
        ("hdjl", "互动交流"),
    ] {
        let c = col(&all, slug);
        assert_eq!(c.name, name);
        assert_eq!(c.parent_id, None, "{name} is a main column");
    }
    assert_eq!(col(&all, "zcwj").kind, "policy_document");
    assert_eq!(col(&all, "zwdt").kind, "news");
});

both_backends!(seeding_is_idempotent, |app| async move {
    let orgs_before = app.count("organisations").await;
    let aliases_before = app.count("organisation_aliases").await;
    let columns_before = app.count("columns").await;
    let audit_before = app.audit_count().await;
    assert_eq!(app.count("sites").await, 1);

    for _ in 0..2 {
        let created = gongkai_db::seed::ensure_seeded(app.db()).await.unwrap();
        assert!(!created, "a second seeding must do nothing");
    }
    assert_eq!(app.count("sites").await, 1);
    assert_eq!(app.count("organisations").await, orgs_before);
    assert_eq!(app.count("organisation_aliases").await, aliases_before);
    assert_eq!(app.count("columns").await, columns_before);
    assert_eq!(app.audit_count().await, audit_before);
});

both_backends!(
    seeding_an_empty_database_is_audited,
    TestApp::builder().unseeded() => |app| async move {
        assert_eq!(app.count("organisations").await, 0);
        assert_eq!(app.audit_count().await, 0);
        assert!(gongkai_db::seed::ensure_demo_site(app.db()).await.unwrap());
        assert!(!gongkai_db::seed::ensure_demo_site(app.db()).await.unwrap());
        assert_eq!(app.count("organisations").await, ORGANISATIONS.len() as i64);
        let log = gongkai_db::audit::list(
            &mut *app.conn().await,
            &gongkai_db::audit::AuditFilter::default(),
            1,
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.total, 1);
        assert_eq!(log.rows[0].action, "system.seed");
        assert_eq!(log.rows[0].actor_name, "系统");
    }
);

both_backends!(
    a_first_run_without_the_demo_is_neutral_and_waits_for_setup,
    TestApp::builder().unseeded() => |app| async move {
        assert!(gongkai_db::seed::ensure_seeded(app.db()).await.unwrap());
        assert!(!gongkai_db::seed::ensure_seeded(app.db()).await.unwrap());
        assert_eq!(app.count("organisations").await, 0);
        assert_eq!(app.count("columns").await, COLUMNS.len() as i64);
        assert_eq!(app.audit_count().await, 1);
        let mut conn = app.conn().await;
        assert!(gongkai_db::site_profile::setup_pending(&mut conn).await.unwrap());
        let site = columns::default_site(&mut conn).await.unwrap();
        assert_eq!(site.name, gongkai_domain::site_profile::NEUTRAL_SITE_NAME);
        assert_eq!(site.owner_org_id, None);
        // No column of the standard structure names a place.
        for c in COLUMNS {
            assert!(!c.name.contains("盘锦"), "{}", c.name);
        }
        drop(conn);
        // Nobody has touched it yet: --demo may still make it the demo site.
        assert!(gongkai_db::seed::ensure_demo_site(app.db()).await.unwrap());
        let mut conn = app.conn().await;
        assert!(!gongkai_db::site_profile::setup_pending(&mut conn).await.unwrap());
        assert_eq!(columns::default_site(&mut conn).await.unwrap().name, "盘锦市人民政府");
        assert_eq!(app.count("columns").await, COLUMNS.len() as i64);
    }
);

both_backends!(aliases_resolve_to_their_organisation, |app| async move {
    let mut conn = app.conn().await;
    let find = async |conn: &mut sqlx::AnyConnection, name: &str| {
        orgs::find_by_name(conn, name)
            .await
            .unwrap()
            .map(|o| o.name)
    };
    assert_eq!(
        find(&mut conn, "市发改委").await.as_deref(),
        Some("市发展改革委")
    );
    assert_eq!(
        find(&mut conn, "盘锦市发展和改革委员会").await.as_deref(),
        Some("市发展改革委")
    );
    assert_eq!(
        find(&mut conn, "市发展改革委").await.as_deref(),
        Some("市发展改革委")
    );
    assert_eq!(
        find(&mut conn, "市人社局").await.as_deref(),
        Some("市人力资源社会保障局")
    );
    assert_eq!(
        find(&mut conn, "县区政府").await.as_deref(),
        Some("各县区政府")
    );
    assert_eq!(
        find(&mut conn, "盘锦银监分局").await.as_deref(),
        Some("盘锦银监局")
    );
    assert_eq!(find(&mut conn, "不存在的机构").await, None);

    let id = app.org_id("市发改委").await;
    let aliases = orgs::aliases_of(&mut conn, id).await.unwrap();
    assert!(aliases.contains(&"市发改委".to_string()), "{aliases:?}");
});

both_backends!(
    unit_names_resolve_against_the_stored_registry,
    |app| async move {
        use gongkai_domain::orgmatch::Resolution;
        let registry = gongkai_db::orgs::registry(&mut *app.conn().await)
            .await
            .expect("registry");
        let finance = app.org_id("市财政局").await;
        assert!(
            matches!(registry.resolve("盘锦市财政局"), Resolution::Matched { org_id, .. } if org_id == finance)
        );
        assert!(
            matches!(registry.resolve("各县区政府"), Resolution::Collective { ref org_ids, .. } if org_ids.len() == 4)
        );
        assert!(matches!(
            registry.resolve("市国地税局"),
            Resolution::Suspect { .. }
        ));
        assert_eq!(registry.resolve("市航天局"), Resolution::Unknown);
    }
);
