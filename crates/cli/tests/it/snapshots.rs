//! Snapshots (insta) of the documented JSON contracts that are not pinned elsewhere: the
//! compliance report of the demo site under the seed plan, and the OpenAPI document. The plan
//! JSON of the seed is pinned in the domain crate (`tests/plan/golden.rs`).
//!
//! The compliance snapshot is shared by both backends (one file, no module prefix), so SQLite and
//! PostgreSQL must produce the same report byte for byte. After a deliberate change:
//! `INSTA_UPDATE=always cargo test -p gongkai --test it snapshots`, then review the `.snap` diff.

use crate::support::TestApp;
use gongkai_db::plans;
use serde_json::Value;

/// The report with the values that depend on the clock (when it was computed) replaced.
fn without_clock(mut v: Value) -> Value {
    fn walk(v: &mut Value) {
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    if k == "generated_at" || k == "computed_at" {
                        *x = Value::String("[clock]".into());
                    } else {
                        walk(x);
                    }
                }
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            _ => {}
        }
    }
    walk(&mut v);
    v
}

both_backends!(demo_compliance_report, TestApp::builder().demo() => |app| async move {
    let mut tx = app.db().begin().await.unwrap();
    let done = plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let text = gongkai::report_cmd::compliance_json(app.db(), done.plan_id, "2017-12-31")
        .await
        .unwrap();
    let report = without_clock(serde_json::from_str(&text).unwrap());
    insta::with_settings!({prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!(
            "demo_compliance_report_json",
            serde_json::to_string_pretty(&report).unwrap()
        );
    });
});

#[tokio::test]
async fn openapi_document() {
    let app = TestApp::start(crate::support::Backend::Sqlite).await;
    let doc: Value = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    insta::with_settings!({prepend_module_to_snapshot => false}, {
        insta::assert_snapshot!("openapi_json", serde_json::to_string_pretty(&doc).unwrap());
    });
}
