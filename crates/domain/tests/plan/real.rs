//! The plan parser on real arrangements in their original (full-width) punctuation:
//! `testdata/plan/real/NN_*.txt`, each with a hand-checked `NN_*.expected.json` (sources in
//! `SOURCES-A.md` / `SOURCES-B.md`). The expectations were written by reading the documents, never
//! by running the parser.
//!
//! Scored per document as a bag of (unit, role) pairs, of feedback dates, of deadline dates and of
//! cadence norms, each with precision, recall and F1; the test prints the table and asserts the
//! corpus-wide unit-and-role F1 and that every document parses. Unit names are compared after the
//! parser's own punctuation normalisation, so full-width and ASCII brackets compare equal.

use std::collections::BTreeMap;

use gongkai_domain::plan::{self, InputFormat, text};
use serde::Deserialize;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/plan/real");

#[derive(Deserialize)]
struct Expected {
    tasks: Vec<ExpectedTask>,
}

#[derive(Deserialize)]
struct ExpectedTask {
    #[serde(default)]
    units: Vec<ExpectedUnit>,
    #[serde(default)]
    feedback_dates: Vec<String>,
    #[serde(default)]
    deadline_dates: Vec<String>,
    #[serde(default)]
    cadences: Vec<String>,
}

#[derive(Deserialize)]
struct ExpectedUnit {
    name: String,
    role: String,
}

/// Counts of a bag comparison.
#[derive(Default, Clone, Copy)]
struct Score {
    hit: usize,
    expected: usize,
    found: usize,
}

impl Score {
    fn of(expected: &[String], found: &[String]) -> Score {
        let mut want: BTreeMap<&str, usize> = BTreeMap::new();
        for e in expected {
            *want.entry(e).or_default() += 1;
        }
        let mut hit = 0;
        for f in found {
            if let Some(n) = want.get_mut(f.as_str())
                && *n > 0
            {
                *n -= 1;
                hit += 1;
            }
        }
        Score {
            hit,
            expected: expected.len(),
            found: found.len(),
        }
    }

    fn add(&mut self, o: Score) {
        self.hit += o.hit;
        self.expected += o.expected;
        self.found += o.found;
    }

    fn f1(&self) -> f64 {
        if self.expected == 0 && self.found == 0 {
            return 1.0;
        }
        2.0 * self.hit as f64 / (self.expected + self.found) as f64
    }
}

fn unit_key(name: &str, role: &str) -> String {
    format!("{}|{role}", text::normalize(name).replace(' ', ""))
}

struct DocScore {
    name: String,
    units: Score,
    feedback: Score,
    deadlines: Score,
    cadences: Score,
    missing: Vec<String>,
    extra: Vec<String>,
}

fn score(name: &str, plan: &plan::Plan, expected: &Expected) -> DocScore {
    let mut eu = Vec::new();
    let mut ef = Vec::new();
    let mut ed = Vec::new();
    let mut ec = Vec::new();
    for t in &expected.tasks {
        eu.extend(t.units.iter().map(|u| unit_key(&u.name, &u.role)));
        ef.extend(t.feedback_dates.iter().cloned());
        ed.extend(t.deadline_dates.iter().cloned());
        ec.extend(t.cadences.iter().cloned());
    }
    let mut fu = Vec::new();
    let mut ff = Vec::new();
    let mut fd = Vec::new();
    let mut fc = Vec::new();
    for t in &plan.tasks {
        // a unit is counted once per task and role, as the expectations list it
        let mut seen = std::collections::BTreeSet::new();
        let mut dates = std::collections::BTreeSet::new();
        let mut deadlines = std::collections::BTreeSet::new();
        let mut norms = std::collections::BTreeSet::new();
        for d in &t.duties {
            for (role, list) in [
                ("lead", &d.lead),
                ("co", &d.co),
                ("responsible", &d.responsible),
            ] {
                for u in list {
                    seen.insert(unit_key(u, role));
                }
            }
            dates.extend(d.feedback_dates.iter().cloned());
            deadlines.extend(d.deadlines.iter().filter_map(|x| x.date.clone()));
            norms.extend(d.cadences.iter().map(|c| c.norm.clone()));
        }
        fu.extend(seen);
        ff.extend(dates);
        fd.extend(deadlines);
        fc.extend(norms);
    }
    let missing = bag_minus(&eu, &fu);
    let extra = bag_minus(&fu, &eu);
    DocScore {
        name: name.to_owned(),
        units: Score::of(&eu, &fu),
        feedback: Score::of(&ef, &ff),
        deadlines: Score::of(&ed, &fd),
        cadences: Score::of(&ec, &fc),
        missing,
        extra,
    }
}

fn bag_minus(a: &[String], b: &[String]) -> Vec<String> {
    let mut rest: Vec<&String> = b.iter().collect();
    let mut out = Vec::new();
    for x in a {
        match rest.iter().position(|y| *y == x) {
            Some(i) => {
                rest.remove(i);
            }
            None => out.push(x.clone()),
        }
    }
    out
}

fn corpus() -> Vec<(String, Vec<u8>, Expected)> {
    let mut names: Vec<String> = std::fs::read_dir(DIR)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(format!("{DIR}/{n}")).unwrap();
            let exp = format!("{DIR}/{}.expected.json", n.trim_end_matches(".txt"));
            let expected: Expected =
                serde_json::from_str(&std::fs::read_to_string(&exp).unwrap()).unwrap();
            (n, bytes, expected)
        })
        .collect()
}

#[test]
fn plan_real_arrangements_units_and_roles() {
    let docs = corpus();
    assert!(docs.len() >= 20, "the corpus has {} documents", docs.len());
    let mut total = [Score::default(); 4];
    let mut report = String::new();
    let mut failures = Vec::new();
    for (name, bytes, expected) in &docs {
        let plan = match plan::parse_bytes(bytes, InputFormat::from_file_name(name)) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let s = score(name, &plan, expected);
        for (t, x) in total
            .iter_mut()
            .zip([s.units, s.feedback, s.deadlines, s.cadences])
        {
            t.add(x);
        }
        report.push_str(&format!(
            "{:<40} units F1 {:.2} ({}/{} found {}) feedback {:.2} deadlines {:.2} cadences {:.2}\n",
            s.name,
            s.units.f1(),
            s.units.hit,
            s.units.expected,
            s.units.found,
            s.feedback.f1(),
            s.deadlines.f1(),
            s.cadences.f1()
        ));
        if !s.missing.is_empty() {
            report.push_str(&format!("    missing: {}\n", s.missing.join(" ")));
        }
        if !s.extra.is_empty() {
            report.push_str(&format!("    extra:   {}\n", s.extra.join(" ")));
        }
    }
    report.push_str(&format!(
        "CORPUS units F1 {:.3}  feedback F1 {:.3}  deadlines F1 {:.3}  cadences F1 {:.3}\n",
        total[0].f1(),
        total[1].f1(),
        total[2].f1(),
        total[3].f1()
    ));
    eprintln!("{report}");
    assert!(
        failures.is_empty(),
        "documents that did not parse: {failures:?}"
    );
    assert!(
        total[0].f1() >= 0.95,
        "unit-and-role F1 {:.3} < 0.95\n{report}",
        total[0].f1()
    );
}

/// Each real arrangement with its full-width punctuation turned ASCII (as web copies often have it)
/// gives exactly the same plan.
#[test]
fn plan_real_arrangements_are_punctuation_blind() {
    let fold = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '\u{FF08}' => '(',
                '\u{FF09}' => ')',
                '\u{FF1A}' => ':',
                '\u{FF1B}' => ';',
                '\u{FF0C}' => ',',
                '\u{FF01}' => '!',
                '\u{FF1F}' => '?',
                c => c,
            })
            .collect()
    };
    let mut differ = Vec::new();
    for (name, bytes, _) in corpus() {
        let text = String::from_utf8(bytes).unwrap();
        let ascii = fold(&text);
        assert_ne!(ascii, text, "{name} has full-width punctuation");
        let a = plan::parse_text(&text).unwrap().to_json();
        let b = plan::parse_text(&ascii).unwrap().to_json();
        if a != b {
            differ.push(name);
        }
    }
    assert!(
        differ.is_empty(),
        "ASCII copies parse differently: {differ:?}"
    );
}
