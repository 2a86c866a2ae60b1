//! Search benchmark (issue 5): a generated corpus of Chinese government-style items, indexed and
//! queried in one run by gongkai-search (its public API: `SearchIndex::upsert`/`commit`/`search`)
//! and by four peers on the same TSV file:
//!
//! * PostgreSQL `ILIKE '%q%'` on `title || ' ' || doc_number || ' ' || body`, `LIMIT 10`, no index;
//! * the same SQL with a pg_trgm GIN index on that expression;
//! * SQLite FTS5 with `tokenize='trigram'`, `MATCH` ranked by bm25, `LIMIT 10` (a trigram index
//!   cannot match 1–2 character queries: those are reported as 不支持 and timed with its `LIKE`
//!   fallback, which scans);
//! * Lucene 8 with SmartChineseAnalyzer (`benches/lucene/LuceneBench.java`, compiled here with
//!   `javac` against Debian's `liblucene8-java` jars and run with `java`).
//!
//! Reported per engine: indexing time and rate (items/s; for the PostgreSQL rows the `COPY` plus,
//! for pg_trgm, the index build), on-disk size, and query latency median and p99. Every query
//! runs once untimed (warm-up, hit count), then up to `GONGKAI_BENCH_REPS` times (default 20),
//! stopping early once a query has used `GONGKAI_BENCH_BUDGET_MS` (default 3000) with at least 3
//! samples. So that slow engines (fewer samples per query) are summarised like fast ones, each
//! query contributes the same weight to the median and p99: its samples are resampled to 20
//! quantile points before pooling. Ratios are against gongkai. Timings are printed, never asserted.
//!
//! gongkai does the work the portal does for a query: page 1 (20 hits) with highlighted titles,
//! snippets, the total count and the org/column/year facets; the peers fetch 10 ids and titles.
//! Recall is measured against the substring truth (the items whose title, 文号 or body contain the
//! query as typed, counted in one pass over the corpus): gongkai (every run of the query as a
//! phrase of bigrams, whole words ranked first) and the SQL and trigram peers match substrings,
//! so their hits are a subset of the truth and recall is hits / truth; Lucene matches SmartCN
//! words, so for it hits / truth is only an upper bound (marked ≤). A 文号 typed with other
//! brackets (`[2023]`) is normalised by gongkai (and the Lucene peer, which copies that logic)
//! only.
//!
//! `cargo bench -p gongkai-search --bench search_peers` (or `scripts/bench-search`). Environment:
//! `GONGKAI_BENCH_ITEMS` (default 1,000,000), `GONGKAI_BENCH_DATA` (default
//! `/var/tmp/gongkai-bench-search`: corpus TSV, indexes), `GONGKAI_BENCH_PG_URL` (default
//! `postgres://postgres:postgres@127.0.0.1:5432`; a fresh database is created and dropped),
//! `GONGKAI_BENCH_ENGINES` (comma list of gongkai,sqlite,pg,lucene; default all),
//! `GONGKAI_BENCH_LUCENE_CP` (class path of the Lucene jars; default found in /usr/share/java).

#![allow(clippy::print_stdout, clippy::print_stderr)] // a benchmark reports on stdout
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benchmarks: a panic is the failure, with its message

use gongkai_search::{Filters, SearchDoc, SearchIndex};
use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
const RESAMPLE: usize = 20;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace(['_', ','], "").parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------------------------
// Corpus

/// xorshift64*: tiny, deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
    /// True with probability `per_million` / 1,000,000.
    fn chance(&mut self, per_million: u64) -> bool {
        self.next() % 1_000_000 < per_million
    }
}

/// (place, the character 文号 use for it)
const PLACES: &[(&str, &str)] = &[
    ("盘锦市", "盘"),
    ("大洼区", "洼"),
    ("双台子区", "双"),
    ("兴隆台区", "兴"),
    ("盘山县", "盘山"),
    ("鞍山市", "鞍"),
    ("海城市", "海"),
    ("台安县", "台"),
    ("营口市", "营"),
    ("盖州市", "盖"),
    ("丹东市", "丹"),
    ("凤城市", "凤"),
];

/// (organisation suffix, 文号 middle)
const ORGS: &[(&str, &str)] = &[
    ("人民政府", "政"),
    ("人民政府办公室", "政办"),
    ("民政局", "民"),
    ("财政局", "财"),
    ("人力资源和社会保障局", "人社"),
    ("住房和城乡建设局", "住建"),
    ("市场监督管理局", "市监"),
    ("生态环境局", "环"),
    ("教育局", "教"),
    ("卫生健康委员会", "卫健"),
    ("农业农村局", "农"),
    ("应急管理局", "应急"),
    ("医疗保障局", "医保"),
    ("营商环境建设局", "营商"),
];

const FIELDS: &[&str] = &[
    "营商环境",
    "政务公开",
    "行政许可",
    "社会救助",
    "养老服务",
    "社会保障",
    "乡村振兴",
    "安全生产",
    "食品安全",
    "生态环境保护",
    "城乡居民基本医疗保险",
    "就业创业",
    "义务教育",
    "住房保障",
    "老旧小区改造",
    "农村人居环境整治",
    "河长制",
    "森林防火",
    "数字政府建设",
    "最低生活保障",
    "减税降费",
    "政务服务",
];

const PLANS: &[&str] = &[
    "实施方案",
    "工作方案",
    "三年行动计划",
    "管理办法",
    "实施细则",
    "考核办法",
    "专项整治方案",
];

const COLUMNS: &[&str] = &[
    "通知公告",
    "政策文件",
    "规划计划",
    "工作动态",
    "财政信息",
    "人事信息",
    "政府信息公开年报",
    "政策解读",
];

const OPENINGS: &[&str] = &[
    "各县区人民政府，{place}政府各部门，各直属机构：",
    "各乡镇人民政府、街道办事处，各有关单位：",
    "各县区{org_short}，各有关部门：",
];

const SENTENCES: &[&str] = &[
    "为深入贯彻落实党中央、国务院关于{field}的决策部署，进一步提升{field}工作水平，",
    "根据《中华人民共和国政府信息公开条例》和《辽宁省{field}条例》等有关规定，结合我{place_kind}实际，",
    "现将《{place}{field}{plan}》印发给你们，请结合实际认真贯彻执行。",
    "一、总体要求。以习近平新时代中国特色社会主义思想为指导，坚持以人民为中心的发展思想，",
    "全面推进{field}工作，持续优化营商环境，深化“放管服”改革，推动政务服务“一网通办”。",
    "二、主要任务。全面梳理行政许可事项清单，压减审批时限，推行告知承诺制，",
    "落实最低生活保障、特困人员救助供养和临时救助政策，做到应保尽保、应救尽救。",
    "健全城乡居民基本养老保险和基本医疗保险制度，稳步提高保障水平，",
    "加强安全生产和食品安全监管，严格落实“双随机、一公开”监管，",
    "推进老旧小区改造和农村人居环境整治，改善群众居住条件。",
    "做好高校毕业生、农民工等重点群体就业创业服务，落实减税降费政策，",
    "三、保障措施。各地区、各部门要加强组织领导，明确责任分工，",
    "将{field}纳入年度绩效考核，定期通报工作进展情况。",
    "畅通12345政务服务便民热线，及时回应社会关切，主动接受社会监督。",
    "依法依规做好政府信息公开工作，按时发布政府信息公开工作年度报告。",
    "{org}要会同有关部门制定配套措施，确保各项任务落到实处。",
    "严格落实河长制、林长制，加强生态环境保护和森林防火工作，",
    "深入推进数字政府建设，提升政务服务标准化、规范化、便利化水平。",
    "切实加强乡村振兴资金和项目管理，巩固拓展脱贫攻坚成果。",
    "全面落实义务教育阶段“双减”政策，加强校外培训机构监管。",
];

/// Rare phrases: each in about `per_million` items.
const RARE: &[(&str, u64)] = &[
    ("加强非物质文化遗产保护传承，", 800),
    ("推进盐碱地综合利用试点，", 150),
    ("做好辽河口湿地候鸟监测，", 20),
];

const CLOSINGS: &[&str] = &[
    "特此通知。",
    "本方案自印发之日起施行。",
    "请认真贯彻落实。",
    "特此公告。",
];

struct Item {
    id: u64,
    org: usize,
    column: usize,
    year: i32,
    doc_number: String,
    title: String,
    body: String,
}

struct Generator {
    rng: Rng,
    /// Next 文号 sequence per (org, year).
    seq: BTreeMap<(usize, i32), u32>,
}

impl Generator {
    fn new() -> Self {
        Self {
            rng: Rng(SEED),
            seq: BTreeMap::new(),
        }
    }

    fn item(&mut self, id: u64) -> Item {
        let r = &mut self.rng;
        // 盘锦市人民政府办公室 issues one item in twenty, so 盘政办发〔2023〕17号 exists at any size.
        let (p, o) = if r.below(20) == 0 {
            (0, 1)
        } else {
            (r.below(PLACES.len()), r.below(ORGS.len()))
        };
        let (place, place_abbr) = PLACES[p];
        let (org_suffix, org_abbr) = ORGS[o];
        let org = format!("{place}{org_suffix}");
        let year = 2017 + r.below(8) as i32;
        let field = r.pick(FIELDS);
        let plan = r.pick(PLANS);
        let column = r.below(COLUMNS.len());
        let n = self.seq.entry((p * ORGS.len() + o, year)).or_insert(0);
        *n += 1;
        let doc_number = format!("{place_abbr}{org_abbr}发〔{year}〕{n}号");
        let r = &mut self.rng;
        let title = match r.below(6) {
            0 | 1 => format!("关于印发《{place}{field}{plan}》的通知"),
            2 => format!(
                "{org}关于{}{year}年{field}工作的通知",
                r.pick(&["做好", "进一步加强", "开展", "扎实推进"])
            ),
            3 => format!("{org}{year}年政府信息公开工作年度报告"),
            4 => format!("关于{year}年{field}专项检查情况的通报"),
            _ => format!("{org}关于{field}有关事项的公告"),
        };
        let place_kind = if place.ends_with('市') {
            "市"
        } else {
            "区县"
        };
        let fill = |s: &str| {
            s.replace("{place}", place)
                .replace("{place_kind}", place_kind)
                .replace("{org_short}", org_suffix)
                .replace("{org}", &org)
                .replace("{field}", field)
                .replace("{plan}", plan)
        };
        let mut body = fill(r.pick(OPENINGS));
        let target = 220 + r.below(160);
        while body.chars().count() < target {
            body.push_str(&fill(r.pick(SENTENCES)));
            for (phrase, per_million) in RARE {
                if r.chance(*per_million) {
                    body.push_str(phrase);
                }
            }
            if r.chance(20_000) {
                // A cited earlier document.
                body.push_str(&format!(
                    "依据《{place}{}{plan}》（{place_abbr}政发〔{}〕{}号），",
                    r.pick(FIELDS),
                    year - 1,
                    1 + r.below(60)
                ));
            }
        }
        body.push_str(r.pick(CLOSINGS));
        Item {
            id,
            org: p * ORGS.len() + o,
            column,
            year,
            doc_number,
            title,
            body,
        }
    }
}

fn tsv_line(i: &Item) -> String {
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        i.id, i.org, i.column, i.year, i.doc_number, i.title, i.body
    )
}

fn parse_line(line: &str) -> Item {
    let c: Vec<&str> = line.trim_end_matches('\n').split('\t').collect();
    assert_eq!(c.len(), 7, "corpus line: {line}");
    Item {
        id: c[0].parse().expect("id"),
        org: c[1].parse().expect("org"),
        column: c[2].parse().expect("column"),
        year: c[3].parse().expect("year"),
        doc_number: c[4].into(),
        title: c[5].into(),
        body: c[6].into(),
    }
}

/// Writes the corpus of `n` items once (same seed, same bytes) and returns its path.
fn corpus(dir: &Path, n: usize) -> PathBuf {
    let path = dir.join(format!("corpus-{n}.tsv"));
    if path.exists() {
        return path;
    }
    let t = Instant::now();
    let tmp = dir.join(format!("corpus-{n}.tsv.part"));
    let mut w = BufWriter::new(File::create(&tmp).expect("create corpus"));
    let mut g = Generator::new();
    for id in 1..=n as u64 {
        w.write_all(tsv_line(&g.item(id)).as_bytes())
            .expect("write corpus");
    }
    w.flush().expect("flush corpus");
    drop(w);
    fs::rename(&tmp, &path).expect("rename corpus");
    println!(
        "corpus: {n} items written to {} in {:.1} s",
        path.display(),
        t.elapsed().as_secs_f64()
    );
    path
}

fn for_each_item(path: &Path, mut f: impl FnMut(Item)) {
    let r = BufReader::with_capacity(1 << 20, File::open(path).expect("open corpus"));
    for line in r.lines() {
        f(parse_line(&line.expect("read corpus")));
    }
}

// ---------------------------------------------------------------------------------------------
// Queries

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Class {
    One,
    Two,
    Four,
    Phrase,
    Rare,
    DocNumber,
}

impl Class {
    fn label(self) -> &'static str {
        match self {
            Class::One => "1 字",
            Class::Two => "2 字词",
            Class::Four => "3–4 字词",
            Class::Phrase => "短语",
            Class::Rare => "罕见/无",
            Class::DocNumber => "文号",
        }
    }
}

const QUERIES: &[(&str, Class)] = &[
    ("税", Class::One),
    ("房", Class::One),
    ("水", Class::One),
    ("民政", Class::Two),
    ("社保", Class::Two),
    ("许可", Class::Two),
    ("医保", Class::Two),
    ("审批", Class::Two),
    ("救助", Class::Two),
    ("营商环境", Class::Four),
    ("政务公开", Class::Four),
    ("行政许可", Class::Four),
    ("社会保障", Class::Four),
    ("乡村振兴", Class::Four),
    ("人民政府", Class::Four),
    ("安全生产", Class::Four),
    ("大洼区", Class::Four),
    ("优化营商环境实施方案", Class::Phrase),
    ("政府信息公开工作年度报告", Class::Phrase),
    ("城乡居民基本医疗保险", Class::Phrase),
    ("最低生活保障", Class::Phrase),
    ("老旧小区改造工作", Class::Phrase),
    ("盘锦市民政局", Class::Phrase),
    ("非物质文化遗产", Class::Rare),
    ("盐碱地综合利用", Class::Rare),
    ("候鸟监测", Class::Rare),
    ("量子计算机", Class::Rare),
    ("盘政办发〔2023〕17号", Class::DocNumber),
    ("盘政办发[2023]3号", Class::DocNumber),
    ("鞍民发〔2019〕2号", Class::DocNumber),
];

// ---------------------------------------------------------------------------------------------
// Measurement

#[derive(Default)]
struct QueryRun {
    hits: Option<u64>,
    samples: Vec<Duration>,
    note: Option<&'static str>,
}

struct EngineRun {
    name: &'static str,
    index_time: Duration,
    items: usize,
    size_bytes: u64,
    /// CPU time spent indexing (process, or server backend plus loader), when known: unlike the
    /// wall clock it does not grow when other work on the machine takes the cores.
    cpu: Option<Duration>,
    queries: Vec<QueryRun>,
    note: String,
}

struct Budget {
    reps: usize,
    per_query: Duration,
}

impl Budget {
    /// Times `f` (after one untimed call) until `reps` samples or the budget is used up.
    fn measure<E: std::fmt::Debug>(&self, mut f: impl FnMut() -> Result<(), E>) -> Vec<Duration> {
        f().expect("warm-up query");
        let mut out = Vec::new();
        let mut spent = Duration::ZERO;
        while out.len() < self.reps {
            let t = Instant::now();
            f().expect("query");
            let dt = t.elapsed();
            out.push(dt);
            spent += dt;
            if spent > self.per_query && out.len() >= 3 {
                break;
            }
        }
        out
    }
}

fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = fs::read_dir(p) else {
        return fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    };
    rd.filter_map(Result::ok)
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                dir_size(&p)
            } else {
                e.metadata().map(|m| m.len()).unwrap_or(0)
            }
        })
        .sum()
}

/// User plus system CPU time of process `pid` ("self" for this one), from /proc (Linux).
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = rest.get(11)?.parse::<u64>().ok()? + rest.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

/// This process's nice value, from /proc (Linux).
fn own_nice() -> Option<i64> {
    let stat = fs::read_to_string("/proc/self/stat").ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(16)?
        .parse()
        .ok()
}

fn published_at(year: i32, id: u64) -> i64 {
    let days = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
        .expect("year")
        .and_hms_opt(2, 0, 0)
        .expect("time")
        .and_utc()
        .timestamp_millis();
    days + (id % 360) as i64 * 86_400_000
}

// ---------------------------------------------------------------------------------------------
// Engines

fn run_gongkai(data: &Path, corpus: &Path, budget: &Budget) -> EngineRun {
    let dir = data.join("gongkai-index");
    let _ = fs::remove_dir_all(&dir);
    let (ix, created) = SearchIndex::open_or_create(&dir).expect("open index");
    assert!(created);
    let cpu0 = cpu_time("self");
    let t = Instant::now();
    let mut items = 0;
    for_each_item(corpus, |i| {
        ix.upsert(&SearchDoc {
            id: i.id as i64,
            org_id: i.org as i64,
            column_ids: vec![i.column as i64],
            published_at: published_at(i.year, i.id),
            title: i.title,
            summary: String::new(),
            body: i.body,
            attachment_text: String::new(),
            meta: String::new(),
            index_no: None,
            doc_number: Some(i.doc_number),
            validity: "valid".into(),
            kinds: Vec::new(),
            ..SearchDoc::default()
        })
        .expect("upsert");
        items += 1;
    });
    ix.commit().expect("commit");
    let index_time = t.elapsed();
    let cpu = cpu_time("self").zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    let queries = QUERIES
        .iter()
        .map(|(q, _)| {
            let hits = ix.search(q, Filters::default(), 1).expect("search").total as u64;
            let samples = budget.measure(|| {
                let r = ix.search(q, Filters::default(), 1)?;
                std::hint::black_box(r.hits.len());
                Ok::<_, gongkai_search::SearchError>(())
            });
            QueryRun {
                hits: Some(hits),
                samples,
                note: None,
            }
        })
        .collect();
    EngineRun {
        name: "gongkai (tantivy+jieba)",
        index_time,
        items,
        size_bytes: dir_size(&dir),
        cpu,
        queries,
        note: "第 1 页 20 条，含高亮、摘要、总数、分面".into(),
    }
}

fn like_pattern(q: &str) -> String {
    let mut s = String::from("%");
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

fn run_sqlite(data: &Path, corpus: &Path, budget: &Budget) -> EngineRun {
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
    use sqlx::{ConnectOptions, Row};
    let file = data.join("fts5.sqlite");
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = fs::remove_file(format!("{}{suffix}", file.display()));
    }
    let rt = runtime();
    rt.block_on(async {
        let mut conn = SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .connect()
            .await
            .expect("sqlite");
        sqlx::query(
            "CREATE VIRTUAL TABLE fts USING fts5(title, doc_number, body, tokenize='trigram')",
        )
        .execute(&mut conn)
        .await
        .expect("fts5 trigram (SQLite ≥ 3.34)");
        let cpu0 = cpu_time("self");
        let t = Instant::now();
        let mut items = 0;
        let mut rows = Vec::with_capacity(10_000);
        let flush = async |conn: &mut sqlx::SqliteConnection, rows: &mut Vec<Item>| {
            sqlx::query("BEGIN").execute(&mut *conn).await.expect("begin");
            for i in rows.drain(..) {
                sqlx::query("INSERT INTO fts(rowid, title, doc_number, body) VALUES (?, ?, ?, ?)")
                    .bind(i.id as i64)
                    .bind(i.title)
                    .bind(i.doc_number)
                    .bind(i.body)
                    .execute(&mut *conn)
                    .await
                    .expect("insert");
            }
            sqlx::query("COMMIT").execute(&mut *conn).await.expect("commit");
        };
        // Read in batches (the reader is synchronous), insert each batch in one transaction.
        let r = BufReader::with_capacity(1 << 20, File::open(corpus).expect("open corpus"));
        for line in r.lines() {
            rows.push(parse_line(&line.expect("read corpus")));
            items += 1;
            if rows.len() == 10_000 {
                flush(&mut conn, &mut rows).await;
            }
        }
        flush(&mut conn, &mut rows).await;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .expect("checkpoint");
        let index_time = t.elapsed();
        let cpu = cpu_time("self").zip(cpu0).map(|(b, a)| b.saturating_sub(a));
        let mut queries = Vec::new();
        for (q, _) in QUERIES {
            let supported = q.chars().count() >= 3;
            let (sql, count_sql, arg) = if supported {
                (
                    "SELECT rowid, title FROM fts WHERE fts MATCH ?1 ORDER BY rank LIMIT 10",
                    "SELECT count(*) FROM fts WHERE fts MATCH ?1",
                    format!("\"{}\"", q.replace('"', "\"\"")),
                )
            } else {
                (
                    "SELECT rowid, title FROM fts WHERE title LIKE ?1 OR doc_number LIKE ?1 OR body LIKE ?1 LIMIT 10",
                    "SELECT count(*) FROM fts WHERE title LIKE ?1 OR doc_number LIKE ?1 OR body LIKE ?1",
                    like_pattern(q),
                )
            };
            let hits: i64 = sqlx::query(count_sql)
                .bind(&arg)
                .fetch_one(&mut conn)
                .await
                .expect("count")
                .get(0);
            let mut samples = Vec::new();
            let mut spent = Duration::ZERO;
            let mut first = true;
            while samples.len() < budget.reps {
                let t = Instant::now();
                let rows = sqlx::query(sql)
                    .bind(&arg)
                    .fetch_all(&mut conn)
                    .await
                    .expect("fts query");
                std::hint::black_box(rows.len());
                let dt = t.elapsed();
                if first {
                    first = false;
                    continue;
                }
                samples.push(dt);
                spent += dt;
                if spent > budget.per_query && samples.len() >= 3 {
                    break;
                }
            }
            queries.push(QueryRun {
                hits: Some(hits as u64),
                samples,
                note: (!supported).then_some("不支持\u{FF08}LIKE 回退\u{FF09}"),
            });
        }
        EngineRun {
            name: "SQLite FTS5 trigram",
            index_time,
            items,
            size_bytes: dir_size(&file),
            cpu,
            queries,
            note: "MATCH 按 bm25 排序取 10 条；1–2 字不支持，以 LIKE 回退计时".into(),
        }
    })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// `postgres://user:pw@host:port[/db][?..]` with the database replaced by `db`.
fn pg_url_with_db(base: &str, db: &str) -> String {
    let (scheme, rest) = base.split_once("://").unwrap_or(("postgres", base));
    let authority = rest.split(['/', '?']).next().unwrap_or(rest);
    format!("{scheme}://{authority}/{db}")
}

async fn pg_size(conn: &mut sqlx::PgConnection) -> u64 {
    use sqlx::Row;
    let n: i64 = sqlx::query("SELECT pg_total_relation_size('items')")
        .fetch_one(conn)
        .await
        .expect("size")
        .get(0);
    n as u64
}

fn run_pg(corpus: &Path, budget: &Budget) -> Vec<EngineRun> {
    use sqlx::{Connection, PgConnection, Row};
    let base = std::env::var("GONGKAI_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres:postgres@127.0.0.1:5432".into());
    let db = format!("gongkai_bench_{}", std::process::id());
    let rt = runtime();
    rt.block_on(async {
        let mut admin = PgConnection::connect(&pg_url_with_db(&base, "postgres"))
            .await
            .expect("PostgreSQL (GONGKAI_BENCH_PG_URL)");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )))
        .execute(&mut admin)
        .await
        .expect("create database");
        let runs = async {
            let mut conn = PgConnection::connect(&pg_url_with_db(&base, &db))
                .await
                .expect("connect bench db");
            sqlx::query(
                "CREATE TABLE items (id bigint PRIMARY KEY, org int NOT NULL, col int NOT NULL, \
                 year int NOT NULL, doc_number text NOT NULL, title text NOT NULL, body text NOT NULL)",
            )
            .execute(&mut conn)
            .await
            .expect("create table");
            // One core per query, as the other engines search: no parallel workers. The backend
            // runs at this process's nice value, as every other engine here does.
            sqlx::query("SET max_parallel_workers_per_gather = 0")
                .execute(&mut conn)
                .await
                .expect("parallel workers");
            let backend: i32 = sqlx::query("SELECT pg_backend_pid()")
                .fetch_one(&mut conn)
                .await
                .expect("backend pid")
                .get(0);
            let backend = backend.to_string();
            if let Some(nice) = own_nice().filter(|n| *n != 0) {
                let ok = Command::new("renice")
                    .args(["-n", &nice.to_string(), "-p", &backend])
                    .output()
                    .is_ok_and(|o| o.status.success());
                if !ok {
                    eprintln!("note: could not renice the PostgreSQL backend {backend} to {nice}");
                }
            }
            let cpu_both = || cpu_time("self").zip(cpu_time(&backend)).map(|(a, b)| a + b);
            let cpu0 = cpu_both();
            let t = Instant::now();
            let mut copy = conn
                .copy_in_raw("COPY items (id, org, col, year, doc_number, title, body) FROM STDIN")
                .await
                .expect("copy");
            let mut f = File::open(corpus).expect("open corpus");
            let mut buf = vec![0u8; 1 << 20];
            let mut items = 0usize;
            loop {
                let n = f.read(&mut buf).expect("read corpus");
                if n == 0 {
                    break;
                }
                items += buf[..n].iter().filter(|b| **b == b'\n').count();
                copy.send(&buf[..n]).await.expect("copy send");
            }
            copy.finish().await.expect("copy finish");
            sqlx::query("ANALYZE items")
                .execute(&mut conn)
                .await
                .expect("analyze");
            let load_time = t.elapsed();
            let load_cpu = cpu_both().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
            let table_size = pg_size(&mut conn).await;
            const SQL: &str = "SELECT id, title FROM items \
                 WHERE (title || ' ' || doc_number || ' ' || body) ILIKE $1 LIMIT 10";
            const COUNT: &str = "SELECT count(*) FROM items \
                 WHERE (title || ' ' || doc_number || ' ' || body) ILIKE $1";
            let run_queries = async |conn: &mut PgConnection| {
                let mut out = Vec::new();
                for (q, _) in QUERIES {
                    let pat = like_pattern(q);
                    let mut samples = Vec::new();
                    let mut spent = Duration::ZERO;
                    let mut first = true;
                    while samples.len() < budget.reps {
                        let t = Instant::now();
                        let rows = sqlx::query(SQL)
                            .bind(&pat)
                            .fetch_all(&mut *conn)
                            .await
                            .expect("ilike");
                        std::hint::black_box(rows.len());
                        let dt = t.elapsed();
                        if first {
                            first = false;
                            continue;
                        }
                        samples.push(dt);
                        spent += dt;
                        if spent > budget.per_query && samples.len() >= 3 {
                            break;
                        }
                    }
                    out.push(QueryRun {
                        hits: None,
                        samples,
                        note: None,
                    });
                }
                out
            };
            let plain = run_queries(&mut conn).await;
            let cpu1 = cpu_both();
            let t = Instant::now();
            sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                .execute(&mut conn)
                .await
                .expect("pg_trgm (postgresql-contrib)");
            sqlx::query("SET maintenance_work_mem = '1GB'")
                .execute(&mut conn)
                .await
                .expect("maintenance_work_mem");
            sqlx::query(
                "CREATE INDEX items_trgm ON items USING gin \
                 ((title || ' ' || doc_number || ' ' || body) gin_trgm_ops)",
            )
            .execute(&mut conn)
            .await
            .expect("trgm index");
            sqlx::query("ANALYZE items")
                .execute(&mut conn)
                .await
                .expect("analyze");
            let trgm_build = t.elapsed();
            let trgm_cpu = cpu_both().zip(cpu1).map(|(b, a)| b.saturating_sub(a));
            let trgm_size = pg_size(&mut conn).await;
            let mut trgm = run_queries(&mut conn).await;
            // Same predicate for both rows: one count each (with the index where it helps).
            let mut plain = plain;
            for (i, (q, _)) in QUERIES.iter().enumerate() {
                let n: i64 = sqlx::query(COUNT)
                    .bind(like_pattern(q))
                    .fetch_one(&mut conn)
                    .await
                    .expect("count")
                    .get(0);
                plain[i].hits = Some(n as u64);
                trgm[i].hits = Some(n as u64);
            }
            conn.close().await.expect("close");
            vec![
                EngineRun {
                    name: "PostgreSQL ILIKE",
                    index_time: load_time,
                    items,
                    size_bytes: table_size,
                    cpu: load_cpu,
                    queries: plain,
                    note: "无索引，COPY 导入计为建索引；LIMIT 10；不用并行 worker".into(),
                },
                EngineRun {
                    name: "PostgreSQL pg_trgm",
                    index_time: load_time + trgm_build,
                    items,
                    size_bytes: trgm_size,
                    cpu: load_cpu.zip(trgm_cpu).map(|(a, b)| a + b),
                    queries: trgm,
                    note: format!(
                        "GIN gin_trgm_ops（COPY {:.1} s + 建索引 {:.1} s，maintenance_work_mem 1GB），不用并行 worker",
                        load_time.as_secs_f64(),
                        trgm_build.as_secs_f64()
                    ),
                },
            ]
        }
        .await;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {db} WITH (FORCE)")))
            .execute(&mut admin)
            .await
            .expect("drop database");
        runs
    })
}

fn lucene_classpath() -> Option<String> {
    if let Ok(cp) = std::env::var("GONGKAI_BENCH_LUCENE_CP") {
        return Some(cp);
    }
    let jars: Vec<String> = fs::read_dir("/usr/share/java")
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            [
                "lucene-core-8",
                "lucene-analyzers-common-8",
                "lucene-analyzers-smartcn-8",
            ]
            .iter()
            .any(|prefix| name.starts_with(prefix))
                && name.ends_with(".jar")
        })
        .map(|p| p.display().to_string())
        .collect();
    (jars.len() == 3).then(|| jars.join(":"))
}

fn run_lucene(
    data: &Path,
    corpus: &Path,
    queries_file: &Path,
    budget: &Budget,
) -> Result<EngineRun, String> {
    let cp = lucene_classpath().ok_or(
        "Lucene 8 jars not found in /usr/share/java (apt-get install liblucene8-java)".to_string(),
    )?;
    let classes = data.join("lucene-classes");
    let _ = fs::remove_dir_all(&classes);
    fs::create_dir_all(&classes).map_err(|e| e.to_string())?;
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/lucene/LuceneBench.java");
    let status = Command::new("javac")
        .args(["-nowarn", "-cp", &cp, "-d"])
        .arg(&classes)
        .arg(&src)
        .status()
        .map_err(|e| format!("javac: {e}"))?;
    if !status.success() {
        return Err(format!("javac failed: {status}"));
    }
    let index = data.join("lucene-index");
    let _ = fs::remove_dir_all(&index);
    let out = Command::new("java")
        .arg("-Xmx2g")
        .arg("-cp")
        .arg(format!("{cp}:{}", classes.display()))
        .arg("LuceneBench")
        .arg(corpus)
        .arg(queries_file)
        .arg(&index)
        .arg(budget.reps.to_string())
        .arg(budget.per_query.as_millis().to_string())
        .output()
        .map_err(|e| format!("java: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "LuceneBench failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut index_time = Duration::ZERO;
    let mut cpu = None;
    let mut items = 0;
    let mut by_query: BTreeMap<String, QueryRun> = BTreeMap::new();
    for line in stdout.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("{e}: {line}"))?;
        match v["kind"].as_str() {
            Some("index") => {
                index_time = Duration::from_secs_f64(v["secs"].as_f64().unwrap_or_default());
                items = v["items"].as_u64().unwrap_or_default() as usize;
                cpu = v["cpu_secs"].as_f64().map(Duration::from_secs_f64);
            }
            Some("query") => {
                let q = v["q"].as_str().unwrap_or_default().to_string();
                let samples = v["us"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|x| x.as_u64())
                            .map(Duration::from_micros)
                            .collect()
                    })
                    .unwrap_or_default();
                by_query.insert(
                    q,
                    QueryRun {
                        hits: v["hits"].as_u64(),
                        samples,
                        note: None,
                    },
                );
            }
            _ => {}
        }
    }
    let queries = QUERIES
        .iter()
        .map(|(q, _)| by_query.remove(*q).unwrap_or_default())
        .collect();
    Ok(EngineRun {
        name: "Lucene 8 SmartCN",
        index_time,
        items,
        size_bytes: dir_size(&index),
        cpu,
        queries,
        note: "JDK 17，单线程写入，RAM buffer 50 MB；取 10 条并读存储字段".into(),
    })
}

// ---------------------------------------------------------------------------------------------
// Report

/// Nearest-rank quantile of sorted values.
fn quantile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Each query's samples resampled to `RESAMPLE` quantile points and pooled (equal weight).
fn pooled(runs: &[&QueryRun]) -> Vec<Duration> {
    let mut all = Vec::new();
    for r in runs {
        let mut s = r.samples.clone();
        s.sort();
        if s.is_empty() {
            continue;
        }
        for i in 0..RESAMPLE {
            let idx = ((i as f64 + 0.5) / RESAMPLE as f64 * s.len() as f64) as usize;
            all.push(s[idx.min(s.len() - 1)]);
        }
    }
    all.sort();
    all
}

fn fmt_d(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.1} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

fn ratio(engine: f64, gongkai: f64, slower: &str, faster: &str) -> String {
    if gongkai <= 0.0 || engine <= 0.0 {
        return "—".into();
    }
    let r = engine / gongkai;
    if r >= 1.0 {
        format!("{r:.1}× {slower}")
    } else {
        format!("{:.1}× {faster}", 1.0 / r)
    }
}

/// The substring truth: for each query, how many items have it, as typed, in their title, 文号
/// or body (one pass over the corpus).
fn substring_truth(corpus: &Path) -> Vec<u64> {
    let mut counts = vec![0u64; QUERIES.len()];
    for_each_item(corpus, |i| {
        for (k, (q, _)) in QUERIES.iter().enumerate() {
            if i.title.contains(q) || i.doc_number.contains(q) || i.body.contains(q) {
                counts[k] += 1;
            }
        }
    });
    counts
}

/// Whether an engine's hits are, by construction, a subset of the items containing the query
/// (substring matching): then recall is hits / truth. A word engine's hits are not (Lucene finds
/// 政务 and 公开 apart), so hits / truth is only an upper bound of its recall.
fn subset_by_construction(engine: &str) -> bool {
    !engine.starts_with("Lucene")
}

/// Recall of one query against the substring truth: `None` when nothing contains it.
fn recall(hits: Option<u64>, truth: u64) -> Option<f64> {
    (truth > 0).then(|| hits.unwrap_or(0).min(truth) as f64 / truth as f64)
}

/// Mean recall over the queries some item contains (each query weighs the same), and whether it
/// is exact (every hit count at most the truth, substring engine) or an upper bound.
fn mean_recall(r: &EngineRun, truth: &[u64]) -> (f64, bool) {
    let mut sum = 0.0;
    let mut n = 0;
    let mut exact = subset_by_construction(r.name);
    for (q, t) in r.queries.iter().zip(truth) {
        if let Some(x) = recall(q.hits, *t) {
            sum += x;
            n += 1;
            exact &= q.hits.unwrap_or(0) <= *t;
        }
    }
    (if n == 0 { 0.0 } else { sum / n as f64 }, exact)
}

fn report(n: usize, runs: &[EngineRun], truth: &[u64]) {
    let Some(base) = runs.first() else { return };
    let stats = |r: &EngineRun| {
        let all = pooled(&r.queries.iter().collect::<Vec<_>>());
        (quantile(&all, 0.5), quantile(&all, 0.99))
    };
    let (b_med, b_p99) = stats(base);
    let b_rate = base.items as f64 / base.index_time.as_secs_f64();
    println!();
    println!("== 检索基准：{n} 条，{} 个查询 ==", QUERIES.len());
    println!(
        "| 引擎 | 建索引 | 条/秒 | 建索引 CPU | 磁盘 | 中位数 | p99 | 子串召回率 | 中位数对比 gongkai | p99 对比 gongkai | 建索引速度对比 gongkai | 建索引 CPU 对比 gongkai |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (i, r) in runs.iter().enumerate() {
        let (med, p99) = stats(r);
        let rate = r.items as f64 / r.index_time.as_secs_f64();
        let ratio = |e: f64, b: f64, slower: &str, faster: &str| {
            if i == 0 {
                "基准".to_string()
            } else {
                ratio(e, b, slower, faster)
            }
        };
        let (rec, exact) = mean_recall(r, truth);
        println!(
            "| {} | {:.1} s | {:.0} | {} | {:.0} MB | {} | {} | {}{:.3} | {} | {} | {} | {} |",
            r.name,
            r.index_time.as_secs_f64(),
            rate,
            r.cpu
                .map_or("—".into(), |c| format!("{:.1} s", c.as_secs_f64())),
            r.size_bytes as f64 / 1e6,
            fmt_d(med),
            fmt_d(p99),
            if exact { "" } else { "≤ " },
            rec,
            ratio(med.as_secs_f64(), b_med.as_secs_f64(), "慢", "快"),
            ratio(p99.as_secs_f64(), b_p99.as_secs_f64(), "慢", "快"),
            ratio(b_rate, rate, "慢", "快"),
            match (r.cpu, base.cpu) {
                (Some(c), Some(b)) => ratio(c.as_secs_f64(), b.as_secs_f64(), "多", "少"),
                _ => "—".into(),
            },
        );
    }
    println!();
    for r in runs {
        println!("- {}：{}", r.name, r.note);
    }
    for r in &runs[1..] {
        let (med, p99) = stats(r);
        println!(
            "- {} is {} at the median and {} at p99 than gongkai; indexes {}.",
            r.name,
            ratio(med.as_secs_f64(), b_med.as_secs_f64(), "slower", "faster"),
            ratio(p99.as_secs_f64(), b_p99.as_secs_f64(), "slower", "faster"),
            ratio(
                b_rate,
                r.items as f64 / r.index_time.as_secs_f64(),
                "slower",
                "faster"
            ),
        );
    }

    println!();
    println!("== 按查询类别的中位数 ==");
    print!("| 类别 |");
    for r in runs {
        print!(" {} |", r.name);
    }
    println!();
    println!("|---|{}", "---|".repeat(runs.len()));
    let classes: std::collections::BTreeSet<Class> = QUERIES.iter().map(|q| q.1).collect();
    for c in classes {
        print!("| {} |", c.label());
        for r in runs {
            let sel: Vec<&QueryRun> = QUERIES
                .iter()
                .zip(&r.queries)
                .filter(|((_, qc), _)| *qc == c)
                .map(|(_, qr)| qr)
                .collect();
            let note = sel.iter().find_map(|q| q.note).map(|n| format!(" {n}"));
            print!(
                " {}{} |",
                fmt_d(quantile(&pooled(&sel), 0.5)),
                note.unwrap_or_default()
            );
        }
        println!();
    }

    println!();
    println!("== 每个查询：命中数 / 中位数（子串真值：含该查询原文的条数）==");
    print!("| 查询 | 类别 | 子串真值 |");
    for r in runs {
        print!(" {} |", r.name);
    }
    println!();
    println!("|---|---|---|{}", "---|".repeat(runs.len()));
    for (i, (q, c)) in QUERIES.iter().enumerate() {
        print!("| {q} | {} | {} |", c.label(), truth[i]);
        for r in runs {
            let qr = &r.queries[i];
            let mut s = qr.samples.clone();
            s.sort();
            print!(
                " {} / {}{} |",
                qr.hits.map_or("—".into(), |h| h.to_string()),
                fmt_d(quantile(&s, 0.5)),
                qr.note.map(|n| format!(" {n}")).unwrap_or_default()
            );
        }
        println!();
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is accepted and ignored.
    let n = env_usize("GONGKAI_BENCH_ITEMS", 1_000_000);
    let budget = Budget {
        reps: env_usize("GONGKAI_BENCH_REPS", 20).max(1),
        per_query: Duration::from_millis(env_usize("GONGKAI_BENCH_BUDGET_MS", 3000) as u64),
    };
    let engines = std::env::var("GONGKAI_BENCH_ENGINES")
        .unwrap_or_else(|_| "gongkai,sqlite,pg,lucene".into());
    let want = |e: &str| engines.split(',').any(|x| x.trim() == e);
    let data = PathBuf::from(
        std::env::var("GONGKAI_BENCH_DATA")
            .unwrap_or_else(|_| "/var/tmp/gongkai-bench-search".into()),
    );
    fs::create_dir_all(&data).expect("data dir");
    let corpus = corpus(&data, n);
    let queries_file = data.join("queries.txt");
    fs::write(
        &queries_file,
        QUERIES
            .iter()
            .map(|q| format!("{}\n", q.0))
            .collect::<String>(),
    )
    .expect("queries file");
    println!(
        "search_peers: {n} items ({:.0} MB TSV), {} queries, up to {} runs each (budget {} ms per query)",
        fs::metadata(&corpus).map(|m| m.len()).unwrap_or(0) as f64 / 1e6,
        QUERIES.len(),
        budget.reps,
        budget.per_query.as_millis()
    );

    let mut runs: Vec<EngineRun> = Vec::new();
    let step = |name: &str| println!("… {name} ({})", chrono::Utc::now().format("%H:%M:%S"));
    // One line per engine as soon as it is done, so a long run shows its figures as it goes.
    let done = |runs: &[EngineRun]| {
        for r in runs {
            let all = pooled(&r.queries.iter().collect::<Vec<_>>());
            println!(
                "  {}: indexed {} items in {:.1} s ({:.0}/s), median {}, p99 {}",
                r.name,
                r.items,
                r.index_time.as_secs_f64(),
                r.items as f64 / r.index_time.as_secs_f64(),
                fmt_d(quantile(&all, 0.5)),
                fmt_d(quantile(&all, 0.99))
            );
        }
    };
    step("gongkai");
    runs.push(run_gongkai(&data, &corpus, &budget));
    done(&runs[runs.len() - 1..]);
    if want("lucene") {
        step("Lucene");
        match run_lucene(&data, &corpus, &queries_file, &budget) {
            Ok(r) => {
                done(std::slice::from_ref(&r));
                runs.push(r);
            }
            Err(e) => eprintln!("Lucene peer skipped: {e}"),
        }
    }
    if want("sqlite") {
        step("SQLite FTS5");
        runs.push(run_sqlite(&data, &corpus, &budget));
        done(&runs[runs.len() - 1..]);
    }
    if want("pg") {
        step("PostgreSQL");
        let pg = run_pg(&corpus, &budget);
        done(&pg);
        runs.extend(pg);
    }
    step("substring truth");
    let truth = substring_truth(&corpus);
    step("done");
    report(n, &runs, &truth);
}
