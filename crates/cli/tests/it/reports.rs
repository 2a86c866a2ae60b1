//! The supervision notice (督查通报) with the built-in 2017 arrangement and the demo scenario:
//! the workbook read back with calamine agrees with the JSON report, the DOCX carries the title
//! and the official fonts, both convert to PDF in LibreOffice with the Chinese text intact, the
//! command line writes files and refuses what it should, and the back-office page, downloads,
//! permissions and publishing to a portal column work over HTTP.

use crate::support::users::pairs;
use crate::support::{PASSWORD, TestApp};
use calamine::{Data, Reader, Xlsx};
use gongkai::report_cmd::{Format, compliance_document};
use gongkai_db::compliance::{ComplianceReport, report};
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::role::Role;
use reqwest::StatusCode;
use std::io::Read as _;
use std::path::Path;
use std::process::Command;

const AS_OF: &str = "2017-12-31";
const TITLE: &str = "关于盘锦市2017年政务公开工作安排落实情况的通报";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

async fn scenario(app: &TestApp) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    let done = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    gongkai_db::seed_scenario::load(app.db()).await.unwrap();
    done.plan_id
}

async fn json_report(app: &TestApp, plan: i64) -> ComplianceReport {
    report(&mut *app.conn().await, plan, d(AS_OF))
        .await
        .unwrap()
}

fn workbook(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    Xlsx::new(std::io::Cursor::new(bytes)).expect("the workbook opens in calamine")
}

fn text(c: Option<&Data>) -> String {
    match c {
        Some(Data::String(s)) => s.clone(),
        other => panic!("expected text, found {other:?}"),
    }
}

fn number(c: Option<&Data>) -> f64 {
    match c {
        Some(Data::Float(f)) => *f,
        Some(Data::Int(i)) => *i as f64,
        other => panic!("expected a number, found {other:?}"),
    }
}

/// The row of `sheet` whose column `col` reads `value`.
fn row_with(range: &calamine::Range<Data>, col: usize, value: &str) -> Vec<Data> {
    range
        .rows()
        .find(|r| matches!(r.get(col), Some(Data::String(s)) if s == value))
        .unwrap_or_else(|| panic!("no row with {value:?} in column {col}"))
        .to_vec()
}

/// The text of a DOCX as the project reads documents (`gongkai-extract`), tables as `| a | b |`
/// rows; a line break inside a paragraph reads as a space.
pub(crate) fn docx_text(docx: &[u8]) -> String {
    gongkai_extract::docx::to_text(
        docx,
        &gongkai_extract::docx::Options {
            row_tables: &|_| true,
            notes: false,
            max_text: 10 << 20,
        },
    )
    .expect("the DOCX reads back")
}

fn zip_part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip archive");
    let mut xml = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the DOCX"))
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

fn document_xml(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a zip archive");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .expect("word/document.xml")
        .read_to_string(&mut xml)
        .unwrap();
    xml
}

both_backends!(
    workbook_and_document_agree_with_the_report,
    |app| async move {
        let plan = scenario(&app).await;
        let r = json_report(&app, plan).await;
        let issued = d("2018-01-08");

        let bytes = compliance_document(app.db(), plan, AS_OF, Format::Xlsx, None, issued)
            .await
            .unwrap();
        let mut wb = workbook(bytes);
        assert_eq!(
            wb.sheet_names(),
            [
                "汇总",
                "单位排名",
                "任务",
                "月度",
                "逾期清单",
                "全部期次",
                "未自动核查",
                "反馈情况",
                "开放数据更新"
            ]
        );

        // 汇总: every figure as in the JSON, the rate a real number.
        let summary = wb.worksheet_range("汇总").unwrap();
        let figure = |name: &str| number(row_with(&summary, 0, name).get(1));
        assert_eq!(figure("公开义务"), f64::from(r.totals.obligations));
        assert_eq!(figure("按时完成"), f64::from(r.totals.counts.met));
        assert_eq!(figure("逾期完成"), f64::from(r.totals.counts.met_late));
        assert_eq!(figure("未完成"), f64::from(r.totals.counts.missed));
        assert_eq!(figure("按时公开率"), r.totals.on_time_rate.unwrap());
        assert_eq!(text(row_with(&summary, 0, "通报").get(1)), TITLE);

        // 单位排名: 市财政局's counts and rate, ranked by rate.
        let ranking = wb.worksheet_range("单位排名").unwrap();
        let fin = r.units.iter().find(|u| u.org_name == "市财政局").unwrap();
        let row = row_with(&ranking, 1, "市财政局");
        assert_eq!(number(row.get(5)), f64::from(fin.counts.met));
        assert_eq!(number(row.get(6)), f64::from(fin.counts.met_late));
        assert_eq!(number(row.get(7)), f64::from(fin.counts.missed));
        assert_eq!(number(row.get(9)), fin.on_time_rate.unwrap());
        assert_eq!(fin.counts.met_late, 1, "August's report was late");
        let rates: Vec<f64> = ranking
            .rows()
            .skip(1)
            .filter(|r| !matches!(r.first(), Some(Data::Empty)))
            .map(|r| number(r.get(9)))
            .collect();
        assert!(!rates.is_empty());
        assert!(
            rates.windows(2).all(|w| w[0] >= w[1]),
            "ranked by rate: {rates:?}"
        );

        // 逾期清单: August's report, 8 working days late; 市统计局's third quarter missed.
        let overdue = wb.worksheet_range("逾期清单").unwrap();
        let aug = overdue
            .rows()
            .find(|row| {
                matches!(row.get(1), Some(Data::String(s)) if s == "市财政局")
                    && matches!(row.get(5), Some(Data::String(s)) if s == "2017年8月")
            })
            .expect("2017年8月 of 市财政局 is in 逾期清单");
        assert_eq!(text(aug.first()), "逾期完成");
        assert_eq!(number(aug.get(7)), 8.0);
        assert_eq!(text(aug.get(6)), "2017-09-28");
        assert!(overdue.rows().any(|row| {
            matches!(row.get(1), Some(Data::String(s)) if s == "市统计局")
                && matches!(row.first(), Some(Data::String(s)) if s == "未完成")
        }));
        let json_overdue = r
            .periods
            .iter()
            .filter(|p| p.status == "missed" || p.status == "met_late")
            .count();
        assert_eq!(overdue.height() - 1, json_overdue);

        // 全部期次 has every period with its evidence; 未自动核查 every unchecked obligation.
        let periods = wb.worksheet_range("全部期次").unwrap();
        assert_eq!(periods.height() - 1, r.periods.len());
        assert!(
        periods
            .rows()
            .any(|row| matches!(row.get(10), Some(Data::String(s)) if s.contains("《2017年8月全市财政收支情况》（2017-10-16）")))
    );
        let unchecked = wb.worksheet_range("未自动核查").unwrap();
        assert_eq!(
            unchecked.height() - 1,
            r.totals.unchecked_obligations as usize
        );

        // 反馈情况: every feedback round; 市统计局 answered 6月30日's round 4 working days late.
        let feedback = wb.worksheet_range("反馈情况").unwrap();
        assert_eq!(feedback.height() - 1, r.feedback.rounds.len());
        let late = feedback
            .rows()
            .find(|row| {
                matches!(row.first(), Some(Data::String(s)) if s == "市统计局")
                    && matches!(row.get(4), Some(Data::String(s)) if s == "2017-06-30")
                    && matches!(row.get(10), Some(Data::String(s)) if s == "反馈")
            })
            .expect("市统计局's 6月30日 round");
        assert_eq!(text(late.get(5)), "逾期反馈");
        assert_eq!(number(late.get(7)), 4.0);
        assert_eq!(figure("未反馈"), f64::from(r.feedback.counts.missing));

        // The DOCX: title, official fonts, the office and the figures.
        let docx = compliance_document(app.db(), plan, AS_OF, Format::Docx, None, issued)
            .await
            .unwrap();
        crate::typography::assert_docx_typography(&docx, "督查通报 DOCX");
        let xml = document_xml(&docx);
        assert!(docx_text(&docx).replace(' ', "").contains(TITLE));
        assert!(xml.contains(r#"w:eastAsia="仿宋_GB2312""#));
        assert!(xml.contains(r#"w:eastAsia="黑体""#));
        assert!(xml.contains("一、总体情况") && xml.contains("二、各单位按时公开情况"));
        assert!(xml.contains("2018年1月8日"));
        assert!(xml.contains("四、落实情况反馈") && xml.contains("市审计局"));
        assert!(xml.contains("市财政局"));
    }
);

/// Runs LibreOffice headless with its own profile and returns the PDF's text without whitespace
/// (a title wraps over two lines).
fn pdf_text(file: &Path, work: &Path) -> String {
    let profile = work.join("lo-profile");
    let out = work.join("pdf");
    let status = Command::new("soffice")
        .arg(format!("-env:UserInstallation=file://{}", profile.display()))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(file)
        .env("HOME", work)
        .output()
        .unwrap_or_else(|e| {
            panic!("soffice not found ({e}): run scripts/test, which installs libreoffice-writer-nogui and libreoffice-calc-nogui")
        });
    assert!(
        status.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let pdf = out.join(file.with_extension("pdf").file_name().unwrap());
    assert!(pdf.exists(), "no PDF from {}", file.display());
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext not found ({e}): run scripts/test (poppler-utils)"));
    assert!(text.status.success());
    String::from_utf8(text.stdout)
        .expect("pdftotext writes UTF-8")
        .split_whitespace()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_writes_files_that_libreoffice_converts_with_the_chinese_intact() {
    let app = TestApp::start(crate::support::Backend::Sqlite).await;
    let plan = scenario(&app).await;
    let work = tempfile::tempdir().unwrap();
    let gongkai = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["report", "compliance", "--plan", &plan.to_string()])
            .args(["--as-of", AS_OF])
            .args(args)
            .arg("--data-dir")
            .arg(app.data_dir())
            .env_remove("GONGKAI_DATABASE_URL")
            .env_remove("GONGKAI_CONFIG")
            .output()
            .unwrap()
    };
    let docx = work.path().join("通报.docx");
    let xlsx = work.path().join("通报.xlsx");
    for (format, path) in [("docx", &docx), ("xlsx", &xlsx)] {
        let out = gongkai(&["--format", format, "--output", path.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "nothing on stdout");
    }

    // No --output for a binary format: refused in Chinese, exit status 1.
    let out = gongkai(&["--format", "xlsx"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("请用 --output"));
    // A directory that does not exist: refused, nothing half-written anywhere.
    let missing = work.path().join("无此目录").join("x.docx");
    let out = gongkai(&["--format", "docx", "--output", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("无法写入"));
    let leftovers: Vec<_> = std::fs::read_dir(work.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    // `--output -` with JSON still prints it.
    let out = gongkai(&["--format", "json", "--output", "-"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"as_of\": \"2017-12-31\""));

    let doc_text = pdf_text(&docx, work.path());
    assert!(doc_text.contains(TITLE), "{doc_text}");
    assert!(doc_text.contains("市财政局"), "{doc_text}");
    assert!(doc_text.contains("总体情况"), "{doc_text}");
    let sheet_text = pdf_text(&xlsx, work.path());
    assert!(sheet_text.contains(TITLE), "{sheet_text}");
    assert!(sheet_text.contains("市财政局"), "{sheet_text}");
    app.teardown().await;
}

both_backends!(
    supervisors_view_download_and_publish_units_are_refused,
    |app| async move {
        let plan = scenario(&app).await;
        let gkb = app.create_user("gongkaiban", Role::Supervisor, None).await;
        app.create_user("pinggu", Role::Assessor, None).await;
        let stats = app.org_id("市统计局").await;
        app.create_user("tongji", Role::Editor, Some(stats)).await;
        let query = format!("plan={plan}&as_of={AS_OF}");

        // The dashboard links to the notice.
        app.login("gongkaiban", PASSWORD).await;
        let board = app.get_ok(&format!("/admin/supervision?{query}")).await;
        let link = format!("/admin/supervision/notice?plan={plan}&amp;as_of={AS_OF}");
        assert!(board.contains(&link), "the dashboard links to the notice");

        let page = app
            .get_ok(&format!("/admin/supervision/notice?{query}"))
            .await;
        assert!(page.contains(TITLE));
        assert!(page.contains("<svg"), "charts");
        assert!(page.contains("一、总体情况") && page.contains("市财政局"));
        assert!(page.contains(r#"<th scope="col">按时公开率</th>"#));
        assert!(page.contains("发布通报"), "a supervisor may publish");
        assert!(
            !page.contains("'as_of'") && !page.contains("class=\"notice\" role=\"status\""),
            "the page's data is not mistaken for the layout's flash message"
        );
        assert!(
            page.contains(">8月<"),
            "months are labelled in Chinese on the chart"
        );

        let resp = app
            .get(&format!("/admin/supervision/notice.xlsx?{query}"))
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let cd = resp.headers()[reqwest::header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            cd.contains("filename*=UTF-8''%E7%9D%A3%E6%9F%A5%E9%80%9A%E6%8A%A5"),
            "督查通报 in the UTF-8 file name: {cd}"
        );
        assert!(cd.contains(&format!("filename=\"notice-{plan}-{AS_OF}.xlsx\"")));
        let mut wb = workbook(resp.bytes().await.unwrap().to_vec());
        let ranking = wb.worksheet_range("单位排名").unwrap();
        row_with(&ranking, 1, "市财政局");

        let resp = app
            .get(&format!("/admin/supervision/notice.docx?{query}"))
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert!(
            resp.headers()[reqwest::header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("wordprocessingml")
        );
        assert!(
            docx_text(&resp.bytes().await.unwrap())
                .replace(' ', "")
                .contains(TITLE)
        );

        let bad = app
            .get(&format!(
                "/admin/supervision/notice?plan={plan}&as_of=2017/12/31"
            ))
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);

        // A unit sees its own dashboard but not the all-units notice.
        let unit = app.user("tongji", PASSWORD).await;
        for path in [
            "/admin/supervision/notice",
            "/admin/supervision/notice.xlsx",
            "/admin/supervision/notice.docx",
        ] {
            let resp = unit.get(&format!("{path}?{query}")).await;
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let own = unit
            .get(&format!("/admin/supervision?{query}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(own.contains("按时公开率") && !own.contains("/admin/supervision/notice"));

        // An assessor reads and downloads, but may not publish.
        let assessor = app.user("pinggu", PASSWORD).await;
        let resp = assessor
            .get(&format!("/admin/supervision/notice?{query}"))
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let seen = resp.text().await.unwrap();
        assert!(seen.contains(TITLE) && !seen.contains("发布通报"));
        let resp = assessor
            .get(&format!("/admin/supervision/notice.docx?{query}"))
            .await;
        assert_eq!(resp.status(), StatusCode::OK);

        // Publishing: the notice becomes a public item of 通知公告, created and published with
        // their audit entries.
        let column = app.column_id("tzgg").await;
        let office = app.org_id("市政府办公室").await;
        let me = app.signed_in(app.client());
        let form = || {
            vec![
                ("plan", plan.to_string()),
                ("as_of", AS_OF.to_string()),
                ("column_id", column.to_string()),
                ("org_id", office.to_string()),
            ]
        };
        assert!(
            crate::support::html::hidden_input(&seen, "csrf_token").is_some(),
            "the layout's logout form carries the assessor's token"
        );
        let resp = assessor
            .post("/admin/supervision/notice/publish", &pairs(&form()))
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        // Deliberately a wrong token.
        let mut wrong = form();
        wrong.insert(0, ("csrf_token", "wrong".to_string()));
        let resp = me
            .post_without_csrf("/admin/supervision/notice/publish", &pairs(&wrong))
            .await;
        assert_ne!(
            resp.status(),
            StatusCode::SEE_OTHER,
            "a bad CSRF token is refused"
        );

        // Publishing is an item of the chosen organisation: without its editor rights, refused.
        let resp = me
            .post("/admin/supervision/notice/publish", &pairs(&form()))
            .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN);
        let mut tx = app.db().begin().await.unwrap();
        gongkai_db::users::add_grant(
            &mut tx,
            &app.actor(),
            gkb,
            &gongkai_domain::role::Grant {
                role: Role::Editor,
                org_id: Some(office),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let audit_before = app.audit_count().await;
        let resp = me
            .post("/admin/supervision/notice/publish", &pairs(&form()))
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert!(
            resp.headers()["location"]
                .to_str()
                .unwrap()
                .ends_with("notice=wf_published_now"),
            "published before review, reviewed afterwards"
        );
        assert_eq!(
            app.audit_count().await - audit_before,
            2,
            "create + publish"
        );
        let column_page = app
            .new_client()
            .get(app.url("/columns/tzgg"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            column_page.contains(TITLE),
            "the notice is listed in 通知公告"
        );
        let id: i64 = sqlx::query_scalar("SELECT id FROM items WHERE title = $1")
            .bind(TITLE)
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        let item_page = app
            .new_client()
            .get(app.url(&format!("/items/{id}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(item_page.contains("一、总体情况") && item_page.contains("市统计局"));
        assert!(item_page.contains("<table"), "tables survive the sanitizer");
    }
);

both_backends!(
    the_notice_docx_is_a_finished_official_document,
    |app| async move {
        let plan = scenario(&app).await;
        let r = json_report(&app, plan).await;
        app.login_admin().await;
        // The office types the year in ASCII brackets; the notice writes 〔2017〕.
        let typed: String = "盘政办发\u{28}2017\u{29}12号"
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        let query = format!("plan={plan}&as_of={AS_OF}&doc_number={typed}");
        let official = "盘政办发\u{3014}2017\u{3015}12号";

        let resp = app
            .get(&format!("/admin/supervision/notice.docx?{query}"))
            .await;
        assert_eq!(resp.status(), StatusCode::OK);
        let docx = resp.bytes().await.unwrap().to_vec();
        crate::typography::assert_docx_typography(&docx, "督查通报 DOCX");
        let read_back = docx_text(&docx);
        let lines: Vec<&str> = read_back.lines().collect();
        for line in &lines {
            let faults = crate::typography::text_faults(line);
            assert!(faults.is_empty(), "{faults:?} in {line}");
        }

        // The 文号 centred under the issuing organ's mark, above the title.
        let number_at = lines.iter().position(|l| *l == official).expect("the 文号");
        let issuer = gongkai_db::plans::get_plan(&mut *app.conn().await, plan)
            .await
            .unwrap()
            .issuer
            .expect("the arrangement names its issuer");
        let mark_at = lines
            .iter()
            .position(|l| *l == issuer)
            .unwrap_or_else(|| panic!("the issuing organ's mark: {:?}", &lines[..8]));
        let title_at = lines
            .iter()
            .position(|l| l.replace(' ', "") == TITLE)
            .expect("the title");
        assert!(mark_at < number_at && number_at < title_at);
        // The title broken by meaning: after the name of the arrangement, not inside a word.
        assert_eq!(
            lines[title_at],
            "关于盘锦市2017年政务公开工作安排 落实情况的通报"
        );

        // Units with nothing due: one sentence, no rows of zeros.
        let idle: Vec<&str> = r
            .units
            .iter()
            .filter(|u| u.counts.met + u.counts.met_late + u.counts.missed == 0)
            .map(|u| u.org_name.as_str())
            .collect();
        assert!(idle.len() > 1, "the demo has units with nothing due");
        let sentence = lines
            .iter()
            .find(|l| l.contains("暂无到期任务"))
            .expect("the sentence naming the units with nothing due");
        assert!(
            sentence.starts_with("截至2017年12月31日\u{FF0C}")
                && sentence.ends_with(&format!(
                    "等{}个单位暂无到期任务\u{FF0C}不参与排名\u{3002}",
                    idle.len()
                )),
            "{sentence}"
        );
        for name in &idle {
            assert!(sentence.contains(name), "{name} is named: {sentence}");
            assert!(
                !lines
                    .iter()
                    .any(|l| l.starts_with("| ")
                        && l.contains(&format!("| {name} | 0 | 0 | 0 | 0 |"))),
                "{name} is not a row of zeros"
            );
        }
        let zero_rows: Vec<&&str> = lines
            .iter()
            .filter(|l| {
                let cells: Vec<&str> = l.trim_matches('|').split(" | ").map(str::trim).collect();
                l.starts_with("| ")
                    && cells.iter().filter(|c| **c == "0").count() >= 3
                    && cells
                        .iter()
                        .all(|c| *c == "0" || *c == "—" || c.parse::<f64>().is_err())
            })
            .collect();
        assert!(zero_rows.is_empty(), "all-zero rows: {zero_rows:?}");

        // Page numbers: a PAGE field in the odd and the even footer, even/odd footers switched on.
        let settings = zip_part(&docx, "word/settings.xml");
        assert!(settings.contains("<w:evenAndOddHeaders"), "{settings}");
        let footers: Vec<String> = (1..=2)
            .map(|n| zip_part(&docx, &format!("word/footer{n}.xml")))
            .collect();
        for f in &footers {
            assert!(f.contains("<w:instrText>PAGE</w:instrText>"), "{f}");
            assert!(f.contains("\u{2014} "), "a dash each side: {f}");
            assert!(f.contains(r#"w:ascii="宋体""#), "4号宋体 / {f}");
            assert!(f.contains(r#"<w:sz w:val="28" />"#), "4号 / {f}");
        }
        assert!(
            footers
                .iter()
                .any(|f| f.contains(r#"<w:jc w:val="right" />"#))
        );
        assert!(
            footers
                .iter()
                .any(|f| f.contains(r#"<w:jc w:val="left" />"#))
        );
        let xml = document_xml(&docx);
        assert!(xml.contains(r#"w:type="even""#), "an even-page footer");
        // Table headers repeat on every page; rows do not split; captions keep with their table.
        assert!(xml.contains("<w:tblHeader />"));
        assert!(xml.contains("<w:cantSplit />"));
        assert!(xml.contains("<w:keepNext />"));

        // The page and the workbook agree: the same 文号 , the same sentence, no idle rows.
        let page = app
            .get_ok(&format!("/admin/supervision/notice?{query}"))
            .await;
        assert!(page.contains(official));
        assert!(page.contains(*sentence));
        let resp = app
            .get(&format!("/admin/supervision/notice.xlsx?{query}"))
            .await;
        let mut wb = workbook(resp.bytes().await.unwrap().to_vec());
        let summary = wb.worksheet_range("汇总").unwrap();
        assert_eq!(text(row_with(&summary, 0, "文号").get(1)), official);
        assert_eq!(
            text(row_with(&summary, 0, "暂无到期任务的单位").get(1)),
            *sentence
        );
        let ranking = wb.worksheet_range("单位排名").unwrap();
        for name in &idle {
            assert!(
                !ranking
                    .rows()
                    .any(|row| matches!(row.get(1), Some(Data::String(s)) if s == name)),
                "{name} is not in 单位排名"
            );
        }

        // A malformed 文号 is refused in Chinese.
        let bad = app
            .get(&format!(
                "/admin/supervision/notice.docx?plan={plan}&as_of={AS_OF}&doc_number=abc"
            ))
            .await;
        assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
        assert!(bad.text().await.unwrap().contains("文号"));
    }
);
