//! `gongkai inspect site`: the real binary against the generated fixture site on 127.0.0.1,
//! its JSON parsed and compared with the fixture's faults (a site-specific known-error file
//! adds one), and no robots-disallowed path requested.

use gongkai_inspect::{Finding, fixture};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_prints_the_json_contract_with_exact_findings() {
    let site = fixture::serve().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let errors = dir.path().join("errors.tsv");
    std::fs::write(
        &errors,
        "# wrong<TAB>right\n国务院办公室\t国务院办公厅\n示范工作\t示范业务\n",
    )
    .unwrap();
    let (base, errors_arg) = (site.base.clone(), errors.display().to_string());
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["inspect", "site", &base, "--as-of", fixture::AS_OF])
            .args(["--known-errors", &errors_arg, "--max-pages", "500"])
            .args([
                "--concurrency",
                "4",
                "--timeout-secs",
                "1",
                "--format",
                "json",
            ])
            .env_remove("GONGKAI_CONFIG")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["site"], site.base.as_str());
    assert_eq!(json["as_of"], "2026-11-30");
    assert!(json["pages"].as_u64().unwrap() > 20);
    assert_eq!(json["attachments"], 1);
    let mut expected = site.expected();
    expected.push(Finding::KnownError {
        page: format!("{}about.html", site.base),
        text: "示范工作".into(),
        correction: "示范业务".into(),
    });
    expected.sort();
    let expected: Vec<serde_json::Value> = expected
        .iter()
        .map(|f| serde_json::to_value(f).unwrap())
        .collect();
    let got = json["findings"].as_array().unwrap();
    let missed: Vec<_> = expected.iter().filter(|f| !got.contains(f)).collect();
    let extra: Vec<_> = got.iter().filter(|f| !expected.contains(f)).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:#?}\nextra {extra:#?}"
    );
    // The contract's shapes: null status with an error text; dates as YYYY-MM-DD or null.
    let timeout = got.iter().find(|f| f["error"] == "timeout").unwrap();
    assert!(timeout["status"].is_null());
    let plan = got.iter().find(|f| f["column"] == "规划计划").unwrap();
    assert!(plan["latest"].is_null());
    assert_eq!(plan["limit_days"], 365);
    assert!(!site.requests().iter().any(|r| r.starts_with("/private/")));

    // The table: one finding a line, kind first.
    let base = site.base.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(["inspect", "site", &base, "--as-of", fixture::AS_OF])
            .args(["--timeout-secs", "1", "--format", "table"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.starts_with(&format!("site {}", site.base)), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("empty_column") && l.contains("数据发布")),
        "{table}"
    );

    // A bad date is refused with a reason.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .args(["inspect", "site", &site.base, "--as-of", "2026-13-01"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("2026-13-01"));
}
