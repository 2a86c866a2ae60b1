//! The inspector against the generated fixture site: exact findings (precision and recall 1.0)
//! and no robots-disallowed path requested.

use gongkai_inspect::{Config, fixture, inspect_site};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finds_every_fault_and_no_decoy_and_obeys_robots() {
    let site = fixture::serve().await.unwrap();
    let mut config = Config::new(&site.base, fixture::AS_OF.parse().unwrap());
    config.link_timeout = Duration::from_secs(1);
    config.max_body_bytes = 1024 * 1024;
    config.max_retry_wait = Duration::from_secs(2);
    let report = tokio::time::timeout(Duration::from_secs(60), inspect_site(&config))
        .await
        .expect("the inspection ends")
        .unwrap();
    let expected = site.expected();
    let got = &report.findings;
    let missed: Vec<_> = expected.iter().filter(|f| !got.contains(f)).collect();
    let extra: Vec<_> = got.iter().filter(|f| !expected.contains(f)).collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed {missed:#?}\nextra {extra:#?}\ncolumns {:#?}\nunreached {:#?}",
        report.columns,
        report.unreached
    );
    let requests = site.requests();
    assert!(
        !requests.iter().any(|r| r.starts_with("/private/")),
        "{requests:?}"
    );
    // The calendar trap was capped; the redirect loop was not followed forever.
    let calendar = requests
        .iter()
        .filter(|r| r.starts_with("/calendar"))
        .count();
    assert!(calendar <= 26, "{calendar}");
    assert!(requests.iter().filter(|r| r.starts_with("/loop-")).count() <= 2);
    // 503 with Retry-After, then the page.
    assert_eq!(requests.iter().filter(|r| *r == "/busy.html").count(), 2);
    assert!(report.attachments >= 1);
    assert!(
        report
            .unreached
            .iter()
            .any(|u| u.reason == "javascript pager")
    );
    assert!(report.unreached.iter().any(|u| u.reason == "too large"));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["as_of"], "2026-11-30");
}
