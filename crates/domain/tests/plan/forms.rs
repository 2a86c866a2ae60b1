//! The seed arrangement in the forms it arrives in (full-width text, GB18030 with CRLF, .docx,
//! .pdf, a web page, a task table in .xlsx; see `testdata/plan/forms/README.md` for how each was
//! made) parses to the golden plan.
//!
//! Text-like forms: every task's number and every duty's units by role, feedback dates and
//! cadence norms equal the golden's. The .xlsx task table: the multiset of (task number, unit,
//! role) and of (task number, feedback dates). Free text is compared after a normalisation that
//! ignores the width of punctuation; units are what matter.
//!
//! `DUMP_FORMS=1` prints each form's extracted text.

use std::collections::BTreeMap;

use gongkai_domain::plan::{self, InputFormat, Plan, input};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/plan");

/// The plan of the seed's text form, itself pinned by the snapshot in `golden.rs`.
fn golden() -> Plan {
    let bytes = std::fs::read(format!("{DIR}/seed_panjin_2017.txt")).unwrap();
    plan::parse_bytes(&bytes, InputFormat::Text).unwrap()
}

/// Full-width punctuation as ASCII, whitespace dropped.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF08}' => '(',
            '\u{FF09}' => ')',
            '\u{FF0C}' => ',',
            '\u{FF1A}' => ':',
            '\u{FF1B}' => ';',
            '\u{FF1F}' => '?',
            '\u{FF01}' => '!',
            c => c,
        })
        .collect()
}

fn units(v: &[String]) -> Vec<String> {
    v.iter().map(|u| norm(u)).collect()
}

/// A duty as compared: units by role, feedback dates, cadence norms.
fn duty_key(d: &plan::Duty) -> String {
    let norms: Vec<&str> = d.cadences.iter().map(|c| c.norm.as_str()).collect();
    format!(
        "牵头{:?} 配合{:?} 负责{:?} 反馈{:?} 频次{:?}",
        units(&d.lead),
        units(&d.co),
        units(&d.responsible),
        d.feedback_dates,
        norms
    )
}

fn read_form(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}/forms/{name}")).unwrap()
}

fn parse_form(name: &str) -> Plan {
    let bytes = read_form(name);
    let format = InputFormat::from_file_name(name);
    if std::env::var_os("DUMP_FORMS").is_some() {
        eprintln!(
            "==== {name}\n{}",
            input::extract_text(&bytes, format).unwrap_or_else(|e| e.to_string())
        );
    }
    plan::parse_bytes(&bytes, format).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What differs between a text-like form's plan and the golden one, one line each.
fn differences(actual: &Plan, expected: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    let numbers = |p: &Plan| p.tasks.iter().map(|t| t.number).collect::<Vec<_>>();
    if numbers(actual) != numbers(expected) {
        out.push(format!(
            "task numbers: {:?}, golden {:?}",
            numbers(actual),
            numbers(expected)
        ));
    }
    for e in &expected.tasks {
        let Some(a) = actual.tasks.iter().find(|t| t.number == e.number) else {
            out.push(format!("task {}: missing", e.number));
            continue;
        };
        if a.duties.len() != e.duties.len() {
            out.push(format!(
                "task {}: {} duties, golden {}",
                e.number,
                a.duties.len(),
                e.duties.len()
            ));
        }
        for (i, (ad, ed)) in a.duties.iter().zip(&e.duties).enumerate() {
            let (ak, ek) = (duty_key(ad), duty_key(ed));
            if ak != ek {
                out.push(format!(
                    "task {} duty {}: {ak}\n    golden: {ek}",
                    e.number,
                    i + 1
                ));
            }
        }
    }
    out
}

fn check_text_form(name: &str) {
    let actual = parse_form(name);
    let diffs = differences(&actual, &golden());
    assert!(
        diffs.is_empty(),
        "{name} differs from the plan of seed_panjin_2017.txt in {} places:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
}

#[test]
fn form_fullwidth_txt() {
    check_text_form("seed.fullwidth.txt");
}

#[test]
fn form_gb18030_crlf_txt() {
    check_text_form("seed.gb18030-crlf.txt");
}

#[test]
fn form_docx() {
    check_text_form("seed.docx");
}

#[test]
fn form_html() {
    check_text_form("seed.html");
}

#[test]
fn form_pdf() {
    check_text_form("seed.pdf");
}

/// (task number, unit, role) → count, and (task number, feedback dates) → count.
type Multisets = (
    BTreeMap<(u32, String, &'static str), usize>,
    BTreeMap<(u32, Vec<String>), usize>,
);

fn multisets(p: &Plan) -> Multisets {
    let mut units_by_role = BTreeMap::new();
    let mut feedback = BTreeMap::new();
    for t in &p.tasks {
        for d in &t.duties {
            for (role, list) in [
                ("lead", &d.lead),
                ("co", &d.co),
                ("responsible", &d.responsible),
            ] {
                for u in list {
                    *units_by_role.entry((t.number, norm(u), role)).or_insert(0) += 1;
                }
            }
            *feedback
                .entry((t.number, d.feedback_dates.clone()))
                .or_insert(0) += 1;
        }
    }
    (units_by_role, feedback)
}

fn multiset_diff<K: Ord + std::fmt::Debug + Clone>(
    what: &str,
    actual: &BTreeMap<K, usize>,
    expected: &BTreeMap<K, usize>,
) -> Vec<String> {
    let mut keys: Vec<&K> = actual.keys().chain(expected.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (a, e) = (
                actual.get(k).copied().unwrap_or(0),
                expected.get(k).copied().unwrap_or(0),
            );
            (a != e).then(|| format!("{what} {k:?}: {a}, golden {e}"))
        })
        .collect()
}

/// Tasks 23–28 have no units (the seed names none): their rows leave the unit columns empty, and
/// the parser must not give them the units of the row above.
#[test]
fn form_task_table_xlsx() {
    check_task_table("seed.tasks.xlsx");
}

/// The same workbook saved by LibreOffice as Excel 97 (`.xls`, read through calamine's BIFF reader).
#[test]
fn form_task_table_xls() {
    check_task_table("seed.tasks.xls");
}

fn check_task_table(name: &str) {
    let actual = parse_form(name);
    let (au, af) = multisets(&actual);
    let (eu, ef) = multisets(&golden());
    let mut diffs = multiset_diff("unit", &au, &eu);
    diffs.extend(multiset_diff("feedback", &af, &ef));
    assert!(
        diffs.is_empty(),
        "{name} differs from the plan of seed_panjin_2017.txt in {} places:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    // the rows under a merged 序号 / 工作任务 are the task's further duties, not new tasks
    let numbers: Vec<u32> = actual.tasks.iter().map(|t| t.number).collect();
    assert_eq!(numbers, (1..=28).collect::<Vec<_>>());
    assert_eq!(actual.tasks[0].duties.len(), 4);
    assert_eq!(actual.year, Some(2017));
}
