//! Compliance engine benchmark: 1,000 units × 100 monthly obligations × 12 months (issue 4), as
//! `gongkai_db::compliance::report` evaluates them (one schedule cache for the report), beside a peer in the same run on the same
//! data: the SQL a reporting system would run over a periods table in SQLite (in memory),
//! joining each period to the publications already labelled with their period and grading them
//! against the due date. The peer is given the periods, their due dates and the labels for free;
//! the engine derives periods and due dates on the working-day calendar and attributes each
//! publication by its title. Both must produce the same counts (checked, printed). Timings are
//! printed, never asserted.
//!
//! `cargo bench -p gongkai-db --bench compliance_eval`; `GONGKAI_BENCH_UNITS=N` and
//! `GONGKAI_BENCH_OBLIGATIONS=N` change the size.

#![allow(clippy::print_stdout)] // a benchmark reports on stdout
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benchmarks: a panic is the failure, with its message

use chrono::{Datelike, Duration as Days, NaiveDate};
use gongkai_domain::calendar::Calendar;
use gongkai_domain::compliance::{self, Counts, EvidenceItem};
use gongkai_domain::obligation::{Obligation, PlanYear};
use sqlx::sqlite::SqlitePoolOptions;
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// A small deterministic generator (no dependency, same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// One publication: the obligation, its period (month), its date and title.
struct Publication {
    obligation: usize,
    month: u32,
    published_on: NaiveDate,
    title: String,
}

fn main() {
    let units = env_usize("GONGKAI_BENCH_UNITS", 1000);
    let per_unit = env_usize("GONGKAI_BENCH_OBLIGATIONS", 100);
    let n = units * per_unit;
    let cal = Calendar::shipped();
    let plan = PlanYear::new(d(2017, 1, 1), d(2017, 12, 31)).expect("plan year");
    let as_of = d(2017, 12, 31);
    let ob: Obligation = compliance::obligation_from_stored("monthly", None, plan)
        .map_err(|(_, why)| why)
        .expect("monthly obligation");
    let periods = ob.periods(&cal).expect("periods");

    // Publications: most months on time (day 5–25 of the next month), some late, some missing.
    let mut rng = Lcg(2017);
    let mut pubs = Vec::with_capacity(n * 12);
    for o in 0..n {
        for p in &periods {
            let month = p.start.month();
            let roll = rng.next() % 100;
            if roll < 8 {
                continue; // missed
            }
            let next = p.end + Days::days(1);
            let offset = if roll < 18 {
                40 + rng.next() % 20
            } else {
                4 + rng.next() % 20
            };
            let published_on = next + Days::days(offset as i64);
            if published_on > as_of {
                continue;
            }
            pubs.push(Publication {
                obligation: o,
                month,
                published_on,
                title: format!("2017年{month}月全市财政收支情况"),
            });
        }
    }
    println!(
        "compliance_eval: {units} units × {per_unit} obligations × {} months = {} periods, {} publications",
        periods.len(),
        n * periods.len(),
        pubs.len()
    );

    // The engine, as the report runs it: per obligation, its evidence in date order.
    let mut evidence: Vec<Vec<EvidenceItem>> = (0..n).map(|_| Vec::new()).collect();
    for (i, p) in pubs.iter().enumerate() {
        evidence[p.obligation].push(EvidenceItem {
            item_id: i as i64,
            title: p.title.clone(),
            published_on: p.published_on,
        });
    }
    for e in &mut evidence {
        e.sort_by_key(|x| x.published_on);
    }
    let t = Instant::now();
    let mut engine = Counts::default();
    let mut schedules = compliance::ScheduleCache::default();
    for e in &evidence {
        let r = compliance::evaluate_cached(&ob, true, e, as_of, &cal, &mut schedules);
        engine.add(&r.counts);
    }
    let engine_time = t.elapsed();

    // The peer: SQLite in memory, periods and labelled publications loaded, one grading query.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (load_time, query_time, peer) = rt.block_on(async {
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .expect("sqlite");
        let mut conn = pool.acquire().await.expect("conn");
        for ddl in [
            "CREATE TABLE periods (obligation_id INTEGER, month INTEGER, due TEXT, PRIMARY KEY (obligation_id, month))",
            "CREATE TABLE pubs (obligation_id INTEGER, month INTEGER, published_on TEXT)",
        ] {
            sqlx::query(ddl).execute(&mut *conn).await.expect("ddl");
        }
        let t = Instant::now();
        sqlx::query("BEGIN").execute(&mut *conn).await.expect("begin");
        for o in 0..n {
            for p in &periods {
                sqlx::query("INSERT INTO periods VALUES ($1, $2, $3)")
                    .bind(o as i64)
                    .bind(p.start.month() as i64)
                    .bind(p.window.due.to_string())
                    .execute(&mut *conn)
                    .await
                    .expect("insert period");
            }
        }
        for p in &pubs {
            sqlx::query("INSERT INTO pubs VALUES ($1, $2, $3)")
                .bind(p.obligation as i64)
                .bind(p.month as i64)
                .bind(p.published_on.to_string())
                .execute(&mut *conn)
                .await
                .expect("insert publication");
        }
        sqlx::query("CREATE INDEX pubs_key ON pubs (obligation_id, month, published_on)")
            .execute(&mut *conn)
            .await
            .expect("index");
        sqlx::query("COMMIT").execute(&mut *conn).await.expect("commit");
        let load_time = t.elapsed();
        let t = Instant::now();
        let row: (i64, i64, i64) = sqlx::query_as(
            "SELECT SUM(first IS NOT NULL AND first <= due), SUM(first > due), SUM(first IS NULL AND due < $1) \
             FROM (SELECT p.due, (SELECT MIN(u.published_on) FROM pubs u \
                   WHERE u.obligation_id = p.obligation_id AND u.month = p.month) AS first \
                   FROM periods p)",
        )
        .bind(as_of.to_string())
        .fetch_one(&mut *conn)
        .await
        .expect("query");
        (load_time, t.elapsed(), row)
    });

    let per_period = |t: std::time::Duration| t.as_nanos() as f64 / (n * periods.len()) as f64;
    println!(
        "engine (domain::compliance::evaluate_cached): {:>9.1} ms  {:>7.0} ns/period  met {} met_late {} missed {}",
        engine_time.as_secs_f64() * 1e3,
        per_period(engine_time),
        engine.met,
        engine.met_late,
        engine.missed
    );
    println!(
        "peer (SQLite in memory, grading query): {:>9.1} ms  {:>7.0} ns/period  met {} met_late {} missed {} (loading the peer's tables: {:.1} ms)",
        query_time.as_secs_f64() * 1e3,
        per_period(query_time),
        peer.0,
        peer.1,
        peer.2,
        load_time.as_secs_f64() * 1e3
    );
    println!(
        "ratio engine / peer query: {:.2}; counts agree: {}",
        engine_time.as_secs_f64() / query_time.as_secs_f64().max(1e-9),
        if (
            engine.met as i64,
            engine.met_late as i64,
            engine.missed as i64
        ) == peer
        {
            "yes"
        } else {
            "NO"
        }
    );
}
