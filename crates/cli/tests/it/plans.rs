//! Plan import on both backends: the built-in seed arrangement confirmed with its shipped
//! decisions; a draft with an unresolved unit that cannot be confirmed until a person maps it;
//! confirming twice; bad input that creates nothing.

use crate::support::TestApp;
use gongkai_db::{DbError, plans};
use gongkai_domain::plan;
use gongkai_domain::planimport::{ImportDecisions, UnitDecision};
use std::collections::{BTreeMap, BTreeSet};

const PLAN_TABLES: &[&str] = &[
    "plans",
    "plan_tasks",
    "plan_duties",
    "duty_units",
    "duty_deadlines",
    "obligations",
    "feedback_rounds",
];

async fn plan_rows(app: &TestApp) -> i64 {
    let mut n = 0;
    for t in PLAN_TABLES {
        n += app.count(t).await;
    }
    n
}

fn problems(e: DbError) -> Vec<String> {
    match e {
        DbError::Invalid(inv) => inv.errors.into_iter().map(|e| e.message).collect(),
        other => panic!("expected Invalid, got {other:?}"),
    }
}

async fn builtin(app: &TestApp) -> plans::BuiltinImport {
    let mut tx = app.db().begin().await.unwrap();
    let done = plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    done
}

both_backends!(builtin_seed_plan_imports_mapped, |app| async move {
    let audit_before = app.audit_count().await;
    let done = builtin(&app).await;
    assert!(done.import_id.is_some());
    let mut conn = app.conn().await;
    let counts = plans::counts(&mut conn, done.plan_id).await.unwrap();
    assert_eq!((counts.tasks, counts.duties), (28, 44));
    let tree = plans::plan_tree(&mut conn, done.plan_id).await.unwrap();
    assert_eq!(tree.plan.title, "盘锦市2017年政务公开工作安排");
    assert_eq!(tree.plan.year, 2017);
    assert_eq!(
        tree.plan.issued_on.map(|d| d.to_string()).as_deref(),
        Some("2017-04-24")
    );
    assert_eq!(tree.tasks.len(), 28);
    let numbers: Vec<i64> = tree.tasks.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (1..=28).collect::<Vec<i64>>());

    // No unresolved unit; every row names its organisation.
    let units: Vec<_> = tree
        .tasks
        .iter()
        .flat_map(|t| &t.duties)
        .flat_map(|d| &d.units)
        .collect();
    assert!(!units.is_empty());
    // A co-operating collective (task 3's 市政府有关部门配合 ) stays unexpanded and reports nothing.
    assert!(
        units
            .iter()
            .all(|u| (u.org_id.is_some() && u.org_name.is_some())
                || (u.role == "co" && u.resolution == "collective")),
        "unresolved unit"
    );
    assert!(
        units
            .iter()
            .all(|u| u.resolution != "suspect" && u.resolution != "unknown")
    );
    let mut tax: Vec<&str> = units
        .iter()
        .filter(|u| u.name_as_written == "市国地税局")
        .map(|u| u.org_name.as_deref().unwrap())
        .collect();
    tax.sort_unstable();
    assert_eq!(tax, ["市国税局", "市地税局"]);
    assert!(
        units
            .iter()
            .filter(|u| u.name_as_written == "市国地税局")
            .all(|u| u.resolution == "mapped")
    );

    // Every lead (or responsible) organisation of a duty has one round per feedback date: 6-30
    // and 11-30 for the usual clause; co-operating units report only where nobody else is named.
    let mut leads_checked = 0;
    for t in &tree.tasks {
        for d in &t.duties {
            let reporting: BTreeSet<i64> = d
                .units
                .iter()
                .filter(|u| u.role != "co")
                .filter_map(|u| u.org_id)
                .collect();
            let mut rounds: BTreeMap<i64, Vec<String>> = BTreeMap::new();
            for f in &d.feedback_rounds {
                rounds
                    .entry(f.org_id)
                    .or_default()
                    .push(f.due_date.to_string());
            }
            let has_feedback = d
                .clause
                .as_deref()
                .unwrap_or("")
                .contains("\u{53CD}\u{9988}");
            if !reporting.is_empty() && has_feedback {
                assert_eq!(
                    rounds.keys().copied().collect::<BTreeSet<_>>(),
                    reporting,
                    "task {}",
                    t.number
                );
            }
            let clause = d.clause.clone().unwrap_or_default();
            if clause.contains("6月30日反馈落实情况\u{FF0C}11月30日反馈全年情况") {
                for (org, dates) in &rounds {
                    assert_eq!(
                        dates,
                        &["2017-06-30", "2017-11-30"],
                        "task {} org {org}",
                        t.number
                    );
                    leads_checked += 1;
                }
                let labels: BTreeSet<&str> =
                    d.feedback_rounds.iter().map(|f| f.label.as_str()).collect();
                assert_eq!(
                    labels,
                    BTreeSet::from(["6月30日反馈落实情况", "11月30日反馈全年情况"])
                );
            }
            assert!(d.feedback_rounds.iter().all(|f| f.status == "open"));
            // At most one obligation per (cadence, organisation), and only for organisations
            // that report: a cadence its sentence gives to one unit is that unit's alone.
            let pairs: BTreeSet<(&str, i64)> = d
                .obligations
                .iter()
                .map(|o| (o.cadence.as_str(), o.org_id))
                .collect();
            assert_eq!(pairs.len(), d.obligations.len(), "task {}", t.number);
            assert!(
                d.obligations.iter().all(|o| reporting.contains(&o.org_id)),
                "task {}",
                t.number
            );
        }
    }
    assert!(leads_checked > 40, "{leads_checked}");

    // Task 1: 市财政局 monthly fiscal figures → 财政预决算; 市统计局 quarterly → 统计信息.
    let t1 = &tree.tasks[0];
    let fiscal = &t1.duties[1].obligations;
    assert_eq!(fiscal.len(), 1);
    assert_eq!(fiscal[0].org_name, "市财政局");
    assert_eq!(fiscal[0].cadence, "monthly");
    assert_eq!(fiscal[0].column_id, Some(app.column_id("czyjs").await));
    assert_eq!(fiscal[0].column_name.as_deref(), Some("财政预决算"));
    assert_eq!(
        fiscal[0].due_rule.as_deref(),
        Some("working_days_after_end:20")
    );
    let stats = t1.duties[2]
        .obligations
        .iter()
        .find(|o| o.cadence == "quarterly")
        .unwrap();
    assert_eq!(stats.org_name, "市统计局");
    assert_eq!(stats.column_id, Some(app.column_id("tjxx").await));
    // Task 2.2: 市财政局牵头、市物价局配合 — 市物价局 has no feedback round there.
    let fees = &tree.tasks[1].duties[1];
    assert_eq!(fees.feedback_rounds.len(), 1);
    assert_eq!(fees.feedback_rounds[0].org_name, "市财政局");
    assert_eq!(fees.feedback_rounds[0].label, "6月30日反馈落实情况");
    // Task 8.2: 各县区政府 → the four county governments.
    assert_eq!(tree.tasks[7].duties[1].feedback_rounds.len(), 8);
    // Task 19: deadlines with dates.
    let t19: Vec<Option<String>> = tree.tasks[18].duties[0]
        .deadlines
        .iter()
        .map(|d| d.date.map(|d| d.to_string()))
        .collect();
    assert!(t19.contains(&Some("2017-11-30".into())), "{t19:?}");

    assert_eq!(counts.obligations, app.count("obligations").await);
    assert_eq!(counts.feedback_rounds, app.count("feedback_rounds").await);
    let imports = plans::list_imports(&mut conn).await.unwrap();
    assert_eq!(imports.len(), 1);
    assert_eq!(imports[0].status, "confirmed");
    assert_eq!(imports[0].plan_id, Some(done.plan_id));
    let listed = plans::list_plans(&mut conn).await.unwrap();
    assert_eq!(listed.len(), 1);
    drop(conn);
    assert!(
        app.audit_count().await >= audit_before + 2,
        "import and confirmation are audited"
    );

    // Importing it again (serve --demo on every start) adds nothing.
    let rows = plan_rows(&app).await;
    let again = builtin(&app).await;
    assert_eq!(
        again,
        plans::BuiltinImport {
            plan_id: done.plan_id,
            import_id: None,
            overridden: 0,
        }
    );
    assert_eq!(plan_rows(&app).await, rows);
    assert_eq!(app.count("plan_imports").await, 1);

    // The confirmed import cannot be confirmed again.
    let mut tx = app.db().begin().await.unwrap();
    let err = plans::confirm_import(
        &mut tx,
        &app.actor(),
        done.import_id.unwrap(),
        &ImportDecisions::default(),
    )
    .await
    .unwrap_err();
    drop(tx);
    assert!(problems(err).iter().any(|p| p.contains("不能重复确认")));
    assert_eq!(plan_rows(&app).await, rows);
});

const UNKNOWN_UNIT: &str = "某县2023年政务公开工作要点\n\
一、重点公开工作任务\n\
1.公开财政信息。按月公开财政收支情况。(市财政局牵头、市航天局配合落实。6月30日反馈落实情况,11月30日反馈全年情况)\n\
2.公开统计信息。按季度公布经济运行情况。(市航天局负责落实)\n";

both_backends!(unresolved_units_block_confirmation, |app| async move {
    let parsed = plan::parse_text(UNKNOWN_UNIT).unwrap();
    let actor = app.actor();
    let mut tx = app.db().begin().await.unwrap();
    let id = plans::create_import(&mut tx, &actor, "要点.txt", UNKNOWN_UNIT, &parsed)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let row = plans::get_import(&mut *app.conn().await, id).await.unwrap();
    assert_eq!((row.status.as_str(), row.plan_id), ("draft", None));
    assert_eq!(row.plan, parsed);
    assert_eq!(row.source_text, UNKNOWN_UNIT);

    // Unknown unit, no decision: refused in Chinese, nothing written.
    let mut tx = app.db().begin().await.unwrap();
    let err = plans::confirm_import(&mut tx, &actor, id, &ImportDecisions::default())
        .await
        .unwrap_err();
    drop(tx);
    assert_eq!(problems(err), ["单位“市航天局”尚未对应到机构"]);
    assert_eq!(plan_rows(&app).await, 0);
    assert_eq!(
        plans::get_import(&mut *app.conn().await, id)
            .await
            .unwrap()
            .status,
        "draft"
    );

    // A decision naming an organisation that does not exist is refused too.
    let bad = ImportDecisions {
        unit_map: vec![UnitDecision {
            name: "市航天局".into(),
            org_ids: vec![999_999],
        }],
        columns: vec![],
    };
    let mut tx = app.db().begin().await.unwrap();
    let err = plans::confirm_import(&mut tx, &actor, id, &bad)
        .await
        .unwrap_err();
    drop(tx);
    assert!(problems(err).iter().any(|p| p.contains("999999")));
    assert_eq!(plan_rows(&app).await, 0);

    // The reviewer edits the title, then maps the unit: confirmed.
    let mut edited = parsed.clone();
    edited.title = Some("某县2023年政务公开工作要点\u{FF08}修订\u{FF09}".into());
    let mut tx = app.db().begin().await.unwrap();
    plans::update_import_plan(&mut tx, &actor, id, &edited)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let science = app.org_id("市科技局").await;
    let ok = ImportDecisions {
        unit_map: vec![UnitDecision {
            name: "市航天局".into(),
            org_ids: vec![science],
        }],
        columns: vec![],
    };
    let mut tx = app.db().begin().await.unwrap();
    let plan_id = plans::confirm_import(&mut tx, &actor, id, &ok)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut conn = app.conn().await;
    let tree = plans::plan_tree(&mut conn, plan_id).await.unwrap();
    assert_eq!(
        tree.plan.title,
        "某县2023年政务公开工作要点\u{FF08}修订\u{FF09}"
    );
    assert_eq!(tree.plan.import_id, Some(id));
    let d1 = &tree.tasks[0].duties[0];
    let mapped = d1
        .units
        .iter()
        .find(|u| u.name_as_written == "市航天局")
        .unwrap();
    assert_eq!(
        (
            mapped.org_id,
            mapped.resolution.as_str(),
            mapped.role.as_str()
        ),
        (Some(science), "mapped", "co")
    );
    // 市财政局 leads and reports; the co-operating unit does not.
    assert!(d1.feedback_rounds.iter().all(|f| f.org_name == "市财政局"));
    assert_eq!(d1.feedback_rounds.len(), 2);
    // Task 2: the mapped unit is responsible, so it carries the obligation.
    let o = &tree.tasks[1].duties[0].obligations;
    assert_eq!(o.len(), 1);
    assert_eq!(
        (o[0].org_id, o[0].cadence.as_str(), o[0].column_id),
        (science, "quarterly", None)
    );
    let row = plans::get_import(&mut conn, id).await.unwrap();
    assert_eq!(
        (row.status.as_str(), row.plan_id),
        ("confirmed", Some(plan_id))
    );
    drop(conn);

    // Twice: refused, nothing more written; edits and discarding are refused as well.
    let rows = plan_rows(&app).await;
    let mut tx = app.db().begin().await.unwrap();
    let err = plans::confirm_import(&mut tx, &actor, id, &ok)
        .await
        .unwrap_err();
    assert!(problems(err).iter().any(|p| p.contains("不能重复确认")));
    assert!(
        plans::update_import_plan(&mut tx, &actor, id, &parsed)
            .await
            .is_err()
    );
    assert!(plans::discard_import(&mut tx, &actor, id).await.is_err());
    drop(tx);
    assert_eq!(plan_rows(&app).await, rows);
});

both_backends!(discarded_imports_cannot_be_confirmed, |app| async move {
    let parsed = plan::parse_text(UNKNOWN_UNIT).unwrap();
    let actor = app.actor();
    let mut tx = app.db().begin().await.unwrap();
    let id = plans::create_import(&mut tx, &actor, "要点.txt", UNKNOWN_UNIT, &parsed)
        .await
        .unwrap();
    plans::discard_import(&mut tx, &actor, id).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = app.db().begin().await.unwrap();
    let err = plans::confirm_import(&mut tx, &actor, id, &ImportDecisions::default())
        .await
        .unwrap_err();
    drop(tx);
    assert!(problems(err).iter().any(|p| p.contains("已放弃")));
    assert_eq!(plan_rows(&app).await, 0);
    let list = plans::list_imports(&mut *app.conn().await).await.unwrap();
    assert_eq!(list[0].status, "discarded");
    assert_eq!(list[0].title.as_deref(), Some("某县2023年政务公开工作要点"));
});

both_backends!(bad_input_creates_no_import, |app| async move {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let binary = dir.path().join("scan.txt");
    std::fs::write(
        &binary,
        [0u8, 159, 146, 150, 0, 1, 2, 3, 255, 254, 0, 0].repeat(64),
    )
    .unwrap();
    let no_tasks = dir.path().join("notice.txt");
    std::fs::write(
        &no_tasks,
        "关于召开会议的通知\n各单位:定于下周一召开会议,请准时参加。\n",
    )
    .unwrap();
    let word97 = dir.path().join("安排.doc");
    std::fs::write(&word97, refusals::ole_word()).unwrap();
    let scan = dir.path().join("扫描件.pdf");
    std::fs::write(&scan, refusals::pdf_without_text()).unwrap();
    let broken = dir.path().join("分工表.xlsx");
    std::fs::write(&broken, b"PK\x03\x04garbage").unwrap();
    let bomb = dir.path().join("安排.docx");
    std::fs::write(&bomb, refusals::zip_bomb_docx()).unwrap();
    for (path, expect) in [
        (&empty, "文件为空"),
        (&binary, "二进制"),
        (&no_tasks, "没有找到工作任务"),
        (&word97, "另存为 .docx"),
        (&scan, "此PDF没有可提取的文字\u{FF0C}可能是扫描件"),
        (&broken, "无法读取 Excel 表格文件"),
        (&bomb, "已拒绝读取"),
    ] {
        let err = gongkai::plan_cmd::import_file(app.db(), path, false, None)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains(expect),
            "{}: {err}",
            path.display()
        );
    }
    assert_eq!(app.count("plan_imports").await, 0);
    assert_eq!(plan_rows(&app).await, 0);

    // A plan without tasks is refused by the store as well.
    let mut tx = app.db().begin().await.unwrap();
    let none = plan::Plan {
        title: Some("空".into()),
        issuer: None,
        issued_on: None,
        year: Some(2017),
        tasks: vec![],
        feedback_dates: vec![],
    };
    assert!(
        plans::create_import(&mut tx, &app.actor(), "x.txt", "x", &none)
            .await
            .is_err()
    );
    drop(tx);
    assert_eq!(app.count("plan_imports").await, 0);

    // A good file becomes a draft (and only a draft) with the review address; --confirm with an
    // unresolved unit keeps the draft and says why.
    let good = dir.path().join("要点.txt");
    std::fs::write(&good, UNKNOWN_UNIT).unwrap();
    let out = gongkai::plan_cmd::import_file(app.db(), &good, false, None)
        .await
        .unwrap();
    let id = plans::list_imports(&mut *app.conn().await).await.unwrap()[0].id;
    assert!(out.contains(&format!("/admin/plans/imports/{id}")), "{out}");
    assert!(out.contains("市航天局"), "{out}");
    assert_eq!(plan_rows(&app).await, 0);
    let err = gongkai::plan_cmd::import_file(app.db(), &good, true, None)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("单位“市航天局”尚未对应到机构"),
        "{err}"
    );
    assert_eq!(plan_rows(&app).await, 0);

    // A file whose units all resolve is confirmed at once with --confirm.
    let clean = dir.path().join("clean.txt");
    std::fs::write(&clean, UNKNOWN_UNIT.replace("市航天局", "市统计局")).unwrap();
    let out = gongkai::plan_cmd::import_file(app.db(), &clean, true, None)
        .await
        .unwrap();
    assert!(out.contains("已确认"), "{out}");
    assert_eq!(app.count("plans").await, 1);
});

#[test]
fn the_command_line_imports_the_builtin_plan_once() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["plan", "import"])
            .args(args)
            .arg("--data-dir")
            .arg(dir.path().join("data"))
            .env_remove("GONGKAI_DATABASE_URL")
            .env_remove("GONGKAI_CONFIG")
            .output()
            .expect("run gongkai plan import");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["--builtin", "panjin-2017"]);
    assert!(ok, "{err}");
    assert!(
        out.starts_with(
            "已导入并确认工作安排“盘锦市2017年政务公开工作安排”\u{FF08}编号 1\u{FF09}\u{FF1A}28 项任务\u{FF0C}44 条职责"
        ),
        "{out}"
    );
    // The seed's reviewed findings (its part 二 read as tasks 23 to 28) are confirmed with its
    // reason.
    assert!(
        out.contains("其中 6 个阻止确认的问题已按内置的核对理由仍然确认"),
        "{out}"
    );
    let (ok, out, err) = run(&["--builtin", "panjin-2017"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("已存在\u{FF08}编号 1\u{FF09}\u{FF0C}未重复导入"),
        "{out}"
    );
    let (ok, _, err) = run(&["--builtin", "nowhere"]);
    assert!(!ok && err.contains("panjin-2017"), "{err}");

    let doc = dir.path().join("要点.txt");
    std::fs::write(&doc, UNKNOWN_UNIT).unwrap();
    let (ok, out, err) = run(&[doc.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("/admin/plans/imports/2"), "{out}");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let (ok, _, err) = run(&[empty.to_str().unwrap()]);
    assert!(!ok && err.contains("文件为空"), "{err}");

    // A broken document with --confirm: the draft is kept (import 3), the findings are printed in
    // Chinese, the exit status is 1 and nothing is confirmed.
    let broken = dir.path().join("broken.txt");
    std::fs::write(&broken, crate::plan_review::BROKEN).unwrap();
    let (ok, _, err) = run(&[broken.to_str().unwrap(), "--confirm"]);
    assert!(!ok, "{err}");
    assert!(err.contains("/admin/plans/imports/3"), "{err}");
    assert!(err.contains("\u{3010}阻止确认\u{3011}"), "{err}");
    assert!(
        err.contains("未能确认") && err.contains("--override-reason"),
        "{err}"
    );
    // --override-reason needs --confirm
    let (ok, _, err) = run(&[broken.to_str().unwrap(), "--override-reason", "已核对"]);
    assert!(!ok && err.contains("--confirm"), "{err}");
    // With a reason: confirmed (plan 2).
    let (ok, out, err) = run(&[
        broken.to_str().unwrap(),
        "--confirm",
        "--override-reason",
        "已逐项核对",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("生成工作安排\u{FF08}编号 2\u{FF09}"), "{out}");
    assert!(out.contains("理由已记入操作日志"), "{out}");

    // A Word 97-2003 file is refused with advice and stores nothing: the next import is number 5.
    let word97 = dir.path().join("安排.doc");
    std::fs::write(&word97, refusals::ole_word()).unwrap();
    let (ok, _, err) = run(&[word97.to_str().unwrap()]);
    assert!(!ok && err.contains("另存为 .docx"), "{err}");
    let (ok, out, err) = run(&[doc.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("/admin/plans/imports/5"), "{out}");
}

/// Files the plan importer refuses, built from bytes.
pub(crate) mod refusals {
    use std::io::Write;

    /// An OLE compound file header with a `WordDocument` stream name: a .doc as far as sniffing
    /// goes.
    pub fn ole_word() -> Vec<u8> {
        let mut b = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
        b.extend([0u8; 504]);
        b.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        b.extend([0u8; 64]);
        b
    }

    /// A one-page PDF that only draws (a scan, as far as text goes).
    pub fn pdf_without_text() -> Vec<u8> {
        let content = "q 500 0 0 700 40 70 cm 0 0 m 1 1 l S Q";
        gongkai_extract::minimal_pdf::assemble(&[
            "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_string(),
            gongkai_extract::minimal_pdf::stream(content),
        ])
    }

    /// A .docx whose body declares 8 MiB packed into a few KiB (ratio far over 100).
    pub fn zip_bomb_docx() -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            z.start_file(
                "word/document.xml",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            z.write_all(&vec![0u8; 8 * 1024 * 1024]).unwrap();
            z.finish().unwrap();
        }
        buf.into_inner()
    }
}

// The command line's rule, on both backends: --confirm refuses blocking findings (the draft stays,
// nothing is written, the refusal lists why); --override-reason confirms and audits the override.
both_backends!(
    command_line_confirmation_refuses_blocking_findings,
    |app| async move {
        let dir = tempfile::tempdir().unwrap();
        let broken = dir.path().join("broken.txt");
        std::fs::write(&broken, crate::plan_review::BROKEN).unwrap();
        let out = gongkai::plan_cmd::import_file(app.db(), &broken, false, None)
            .await
            .unwrap();
        assert!(out.contains("个阻止确认的问题"), "{out}");
        assert!(out.contains("标题"), "{out}");
        let err = gongkai::plan_cmd::import_file(app.db(), &broken, true, None)
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("未能确认"), "{err}");
        assert!(err.contains("未给出 --override-reason"), "{err}");
        assert_eq!(plan_rows(&app).await, 0);
        let imports = plans::list_imports(&mut *app.conn().await).await.unwrap();
        assert_eq!(imports.len(), 2);
        assert!(imports.iter().all(|i| i.status == "draft"));

        // An empty reason is no reason.
        let err = gongkai::plan_cmd::import_file(app.db(), &broken, true, Some(" "))
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("时须填写理由"), "{err}");
        assert_eq!(plan_rows(&app).await, 0);

        let audit = app.audit_count().await;
        let out = gongkai::plan_cmd::import_file(app.db(), &broken, true, Some("已逐项核对"))
            .await
            .unwrap();
        assert!(out.contains("已确认"), "{out}");
        assert_eq!(app.count("plans").await, 1);
        // create, confirm, override
        assert_eq!(app.audit_count().await, audit + 3);
        let (actor, after): (String, String) = sqlx::query_as(
            "SELECT actor_name, after_json FROM audit_log WHERE action = 'plan.confirm_override'",
        )
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        assert_eq!(actor, "命令行");
        let after: serde_json::Value = serde_json::from_str(&after).unwrap();
        assert_eq!(after["reason"], "已逐项核对");
        assert!(
            after["codes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c == "title_from_metadata"),
            "{after}"
        );

        // The same rule through the store: refused without an override, the draft unchanged.
        let parsed = plan::parse_text(crate::plan_review::BROKEN).unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let id = plans::create_import(
            &mut tx,
            &app.actor(),
            "broken.txt",
            crate::plan_review::BROKEN,
            &parsed,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = app.db().begin().await.unwrap();
        let err = plans::confirm_import(&mut tx, &app.actor(), id, &ImportDecisions::default())
            .await
            .unwrap_err();
        drop(tx);
        let msgs = problems(err);
        assert!(msgs[0].contains("个阻止确认的问题"), "{msgs:?}");
        assert_eq!(app.count("plans").await, 1);
    }
);

// A plan edit after confirmation: a supervisor binds the column of 市审计局's duty, and the
// compliance report follows at once (recomputed, nothing cached); unbinding takes it back.
both_backends!(
    binding_a_column_after_confirmation_changes_the_report,
    |app| async move {
        let mut tx = app.db().begin().await.unwrap();
        let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
            .await
            .unwrap()
            .plan_id;
        tx.commit().await.unwrap();
        let as_of = gongkai_domain::calendar::NaiveDate::from_ymd_opt(2017, 12, 31).unwrap();
        let report = |app: crate::support::TestApp| async move {
            gongkai_db::compliance::report(&mut *app.conn().await, plan, as_of)
                .await
                .unwrap()
        };
        // The reviewed built-in binds every cadence: unbind 市国资委's quarterly report first.
        let tree = gongkai_db::plans::plan_tree(&mut *app.conn().await, plan)
            .await
            .unwrap();
        let duty = tree
            .tasks
            .iter()
            .flat_map(|t| &t.duties)
            .find(|d| {
                d.obligations
                    .iter()
                    .any(|o| o.org_name == "市国资委" && o.cadence == "quarterly")
            })
            .unwrap()
            .id;
        let mut tx = app.db().begin().await.unwrap();
        gongkai_db::plans::set_obligation_column(
            &mut tx,
            &app.actor(),
            plan,
            duty,
            "quarterly",
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let before = report(app.clone()).await;
        // An unbound obligation with a schedulable cadence.
        let target = before
            .obligations
            .iter()
            .find(|o| o.column_id.is_none() && (o.cadence == "monthly" || o.cadence == "quarterly"))
            .or_else(|| {
                before
                    .obligations
                    .iter()
                    .find(|o| o.column_id.is_none() && o.cadence == "yearly")
            })
            .expect("an unbound periodic obligation")
            .clone();
        assert_eq!(target.check, "no_column");
        let column: i64 = sqlx::query_scalar("SELECT id FROM columns WHERE slug = 'tzgg'")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();

        app.login_admin().await;
        let page = app.get_ok(&format!("/admin/plans/{plan}")).await;
        assert!(page.contains(&format!(
            "/admin/plans/{plan}/duties/{}/column",
            target.duty_id
        )));
        let me = app.signed_in(app.client());
        let path = format!("/admin/plans/{plan}/duties/{}/column", target.duty_id);
        let audit_before = app.audit_count().await;
        // A column that does not exist: refused, nothing written.
        let bad = me
            .post(
                &path,
                &[
                    ("cadence", target.cadence.as_str()),
                    ("column_id", "999999"),
                ],
            )
            .await;
        assert!(bad.status().is_client_error());
        assert!(bad.text().await.unwrap().contains("所选栏目不存在"));
        assert_eq!(app.audit_count().await, audit_before);
        let ok = me
            .post(
                &path,
                &[
                    ("cadence", target.cadence.as_str()),
                    ("column_id", &column.to_string()),
                ],
            )
            .await;
        assert_eq!(ok.status(), reqwest::StatusCode::SEE_OTHER);
        // The binding's own entry and the plan's revision it records.
        assert_eq!(app.audit_count().await, audit_before + 2);
        assert_eq!(app.count("plan_revisions").await, 1);

        let after = report(app.clone()).await;
        let now = after
            .obligations
            .iter()
            .find(|o| o.id == target.id)
            .unwrap();
        assert_eq!(now.column_id, Some(column));
        assert_eq!(now.check, "checked");
        assert!(after.periods.iter().any(|p| p.obligation_id == target.id));
        assert_eq!(
            after.totals.unchecked_obligations + 1,
            before.totals.unchecked_obligations
        );

        // Without the right role: an editor cannot edit the plan.
        let org = app.org_id("市审计局").await;
        app.create_user("sj", gongkai_domain::role::Role::Editor, Some(org))
            .await;
        let editor = app.user("sj", crate::support::PASSWORD).await;
        let refused = editor
            .post(
                &path,
                &[("cadence", target.cadence.as_str()), ("column_id", "")],
            )
            .await;
        assert_eq!(refused.status(), reqwest::StatusCode::FORBIDDEN);
        let still = report(app.clone()).await;
        assert_eq!(
            still
                .obligations
                .iter()
                .find(|o| o.id == target.id)
                .unwrap()
                .column_id,
            Some(column)
        );
    }
);
