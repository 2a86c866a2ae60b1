//! Plan parser benchmark: parse time per document and throughput over a directory of documents.
//!
//! `cargo bench -p gongkai-domain --bench plan_parse` (or with `GONGKAI_BENCH_DIR=/path/to/docs` for
//! a directory of .txt/.html/.docx arrangements). Each document is measured beside a baseline run in
//! the same process on the same bytes: decoding plus line cleaning only (`input::extract_text` +
//! `text::clean_lines`), the floor any parser must pay. The ratio says what the structure analysis
//! costs on top of reading the text. Timings are printed, never asserted.

#![allow(clippy::print_stdout)] // a benchmark reports on stdout
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benchmarks: a panic is the failure, with its message

use gongkai_domain::plan::{self, InputFormat, input, text};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn median_time(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

fn corpus() -> Vec<(String, Vec<u8>, InputFormat)> {
    let dir = std::env::var("GONGKAI_BENCH_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/plan").to_string());
    let mut docs = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if !(name.ends_with(".txt")
            || name.ends_with(".html")
            || name.ends_with(".htm")
            || name.ends_with(".docx"))
        {
            continue;
        }
        if let Ok(bytes) = std::fs::read(&p) {
            docs.push((name.clone(), bytes, InputFormat::from_file_name(&name)));
        }
    }
    // A long document: the seed's task list repeated, as a stand-in for a province-level 任务分工.
    if let Some((_, seed, _)) = docs.iter().find(|(n, _, _)| n.starts_with("seed")) {
        let text = String::from_utf8_lossy(seed).to_string();
        // each copy keeps its part headings, so its tasks stay tasks (a copy's tasks under the
        // previous copy's 相关工作要求 would be a closing section whose numbering starts afresh)
        let body = text
            .find("一、重点公开工作任务")
            .map_or(text.as_str(), |i| &text[i..]);
        let mut long = text.clone();
        for _ in 0..20 {
            long.push('\n');
            long.push_str(body);
        }
        docs.push((
            "synthetic_x21.txt".into(),
            long.into_bytes(),
            InputFormat::Text,
        ));
    }
    docs
}

fn main() {
    let docs = corpus();
    if docs.is_empty() {
        eprintln!("no documents to measure");
        return;
    }
    println!(
        "{:<28} {:>9} {:>7} {:>7} {:>11} {:>11} {:>8} {:>10}",
        "document", "bytes", "tasks", "duties", "parse", "baseline", "ratio", "MB/s"
    );
    let (mut total_bytes, mut total_parse) = (0usize, Duration::ZERO);
    for (name, bytes, format) in &docs {
        let parsed = match plan::parse_bytes(bytes, *format) {
            Ok(p) => p,
            Err(e) => {
                println!("{name:<28} {:>9} parse error: {e}", bytes.len());
                continue;
            }
        };
        let duties: usize = parsed.tasks.iter().map(|t| t.duties.len()).sum();
        let runs = if bytes.len() > 200_000 { 5 } else { 31 };
        let parse = median_time(runs, || {
            black_box(plan::parse_bytes(black_box(bytes), *format).ok());
        });
        let baseline = median_time(runs, || {
            if let Ok(t) = input::extract_text(black_box(bytes), *format) {
                black_box(text::clean_lines(&t));
            }
        });
        let mbps = bytes.len() as f64 / 1e6 / parse.as_secs_f64();
        println!(
            "{name:<28} {:>9} {:>7} {:>7} {:>9.2}ms {:>9.2}ms {:>7.1}x {:>10.1}",
            bytes.len(),
            parsed.tasks.len(),
            duties,
            parse.as_secs_f64() * 1e3,
            baseline.as_secs_f64() * 1e3,
            parse.as_secs_f64() / baseline.as_secs_f64().max(1e-9),
            mbps
        );
        total_bytes += bytes.len();
        total_parse += parse;
    }
    println!(
        "throughput over {} documents: {:.1} documents/s, {:.1} MB/s",
        docs.len(),
        docs.len() as f64 / total_parse.as_secs_f64(),
        total_bytes as f64 / 1e6 / total_parse.as_secs_f64()
    );
}
