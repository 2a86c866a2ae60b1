//! Golden test of the plan parser on the seed arrangement (《盘锦市2017年政务公开工作安排》, copied
//! from `../shared/seed/000_fba7ed532cabe418.txt` so the test does not depend on `shared/`).
//!
//! The expected JSON is an insta snapshot (`snapshots/`), generated once and then reviewed line by
//! line against the source text. After a deliberate change: `INSTA_UPDATE=always cargo test -p
//! gongkai-domain --test plan golden`, then review the diff of the `.snap` file.

use gongkai_domain::plan::{self, InputFormat};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/plan");

fn seed() -> plan::Plan {
    let bytes = std::fs::read(format!("{DIR}/seed_panjin_2017.txt")).unwrap();
    plan::parse_bytes(&bytes, InputFormat::Text).unwrap()
}

#[test]
fn plan_seed_matches_golden() {
    insta::assert_snapshot!("seed_panjin_2017_plan", seed().to_json());
}

#[test]
fn plan_seed_counts() {
    let plan = seed();
    assert_eq!(plan.tasks.len(), 28);
    let numbers: Vec<u32> = plan.tasks.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (1..=28).collect::<Vec<_>>());
    assert_eq!(plan.tasks.iter().map(|t| t.duties.len()).sum::<usize>(), 44);
    // every duty of tasks 1–22 has a clause, units and feedback dates; 23–28 have none
    for t in &plan.tasks {
        for d in &t.duties {
            let units = d.lead.len() + d.co.len() + d.responsible.len();
            if t.number <= 22 {
                assert!(d.clause.is_some() && units > 0, "task {}", t.number);
                assert!(!d.feedback_dates.is_empty(), "task {}", t.number);
            } else {
                assert!(d.clause.is_none() && units == 0, "task {}", t.number);
            }
        }
    }
    assert_eq!(plan.title.as_deref(), Some("盘锦市2017年政务公开工作安排"));
    assert_eq!(plan.issuer.as_deref(), Some("盘锦市政府办公室"));
    assert_eq!(plan.issued_on.as_deref(), Some("2017-04-24"));
    assert_eq!(plan.year, Some(2017));
}
