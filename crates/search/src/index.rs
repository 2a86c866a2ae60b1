//! The tantivy index of public items: schema, writes, and the search itself.

use crate::tokenize::{
    BIGRAM_TOKENIZER, CHAR_TOKENIZER, GramTokenizer, INDEX_TOKENIZER, IndexTokenizer, bigrams,
    normalize_code, query_terms, runs,
};
use gongkai_domain::model::{ColumnKind, SearchKind, Validity};
use std::path::Path;
use std::sync::Mutex;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{
    FAST, Facet, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::tokenizer::{LowerCaser, TextAnalyzer};
use tantivy::{
    DocAddress, DocId, IndexReader, IndexWriter, ReloadPolicy, Score, SegmentReader,
    TantivyDocument, Term,
};

pub const PER_PAGE: usize = 20;
/// The deepest position a search pages to (`offset + limit`); ranked results are collected up
/// to here, so the cost of a page stays bounded.
pub const MAX_DEPTH: usize = 10_000;

/// Top documents keyed by (score, published_at): recent first among equal scores.
type Ranked = Vec<((Score, i64), DocAddress)>;
/// Field weights: a word in the title counts most, in attachments least.
const TITLE_BOOST: f32 = 3.0;
const SUMMARY_BOOST: f32 = 1.5;
const ATTACHMENT_BOOST: f32 = 0.5;
/// A query word found whole (a word of the index tokenizer) earns this much on top of its BM25
/// score, so whole-word matches rank above matches inside longer words（民政局 above 人民政府
/// for 民政）.
const WORD_BONUS: f32 = 10.0;
/// Weights of a substring match (bigram phrases, or single characters) in the title (and 文号）
/// and in the rest.
const TITLE_GRAM_BOOST: f32 = 1.5;
const GRAM_BOOST: f32 = 0.5;
/// Question words and fillers left out of a partial-match query (a 1-character word is left out
/// too): 怎么办理低保 looks for 办理 and 低保.
const STOP_WORDS: &[&str] = &[
    "怎么",
    "怎样",
    "如何",
    "什么",
    "哪里",
    "哪些",
    "哪个",
    "为什么",
    "是否",
    "可以",
    "能否",
    "能不能",
    "请问",
    "我们",
    "我想",
    "想要",
    "需要",
    "有关",
    "关于",
    "多少",
    "是不是",
    "一下",
    "这个",
    "那个",
    "我的",
    "自己",
    "还是",
    "或者",
    "以及",
    "应该",
    "知道",
    "怎么办",
    "在哪",
    "在哪里",
    "哪儿",
    "什么样",
    "有没有",
    "没有",
];
/// The version of the schema and of the tokenizer (with its dictionary). An index written under
/// another version is deleted and rebuilt when it is opened: tantivy refuses a changed schema,
/// and a changed dictionary cuts words differently than the documents already indexed.
/// 2: attachment text, metadata text, org id, validity and document-type facets, the
/// government-terms dictionary. 3: dictionary words of four or more characters at a word's edge
/// (政务公开 in 政务公开工作要点).
/// 4: CJK bigrams (with positions) and single characters in their own fields, so every substring
/// is found; proposal replies, meetings, messages and organisations beside items.
pub const INDEX_VERSION: u32 = 4;
const VERSION_FILE: &str = "index_version";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index directory: {0}")]
    Dir(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search index: {0}")]
    Read(#[from] tantivy::directory::error::OpenReadError),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Db(#[from] gongkai_db::DbError),
    #[error("search index: writer lock poisoned")]
    Poisoned,
}

pub type SearchResult<T> = Result<T, SearchError>;

/// A public thing as indexed (an item, a proposal reply, a held meeting, a published message or
/// an organisation): only what the public may see.
#[derive(Debug, Clone, Default)]
pub struct SearchDoc {
    pub kind: SearchKind,
    /// The id within its kind.
    pub id: i64,
    pub org_id: i64,
    pub column_ids: Vec<i64>,
    pub title: String,
    pub summary: String,
    /// Plain text (HTML stripped).
    pub body: String,
    /// The extracted text of the item's attachments, one after another.
    pub attachment_text: String,
    /// Metadata as text: 关键词, 发文机关, 主题分类.
    pub meta: String,
    /// The names of the columns the item is in: found as substrings（预决算 finds what is filed
    /// under 财政预决算）； never as whole words, so they rank below the item's own text.
    pub column_names: Vec<String>,
    pub index_no: Option<String>,
    pub doc_number: Option<String>,
    /// A `Validity` code.
    pub validity: String,
    /// The document types: the `ColumnKind` codes of the item's columns.
    pub kinds: Vec<String>,
    /// Epoch milliseconds.
    pub published_at: i64,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Filters {
    pub org: Option<i64>,
    pub column: Option<i64>,
    pub year: Option<i32>,
    pub validity: Option<Validity>,
    /// Document type (文种类别): the kind of a column the item is in.
    pub kind: Option<ColumnKind>,
    /// What the hit is (an item, a proposal reply, …).
    pub search_kind: Option<SearchKind>,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: SearchKind,
    /// The id within its kind.
    pub id: i64,
    pub org_id: i64,
    pub title: String,
    /// HTML: escaped text with `<b>` around matches.
    pub title_html: String,
    /// HTML: escaped text with `<b>` around matches, from the body, else the summary, else the
    /// attachments (then prefixed 附件:).
    pub snippet_html: String,
    pub doc_number: Option<String>,
    pub index_no: Option<String>,
    pub validity: String,
    pub published_at: i64,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    pub total: usize,
    pub hits: Vec<Hit>,
    /// True when the query was a 文号 or 索引号 matched exactly.
    pub exact: bool,
    /// True when nothing contained every part of the query, and the hits contain some of its
    /// words (ranked by how many and how well).
    pub partial: bool,
    pub orgs: Vec<(i64, u64)>,
    pub columns: Vec<(i64, u64)>,
    pub years: Vec<(i32, u64)>,
    /// `Validity` codes with counts, in the enum's order.
    pub validities: Vec<(Validity, u64)>,
    /// `ColumnKind` codes with counts, most first.
    pub kinds: Vec<(ColumnKind, u64)>,
    /// What the hits are, with counts, in the enum's order.
    pub search_kinds: Vec<(SearchKind, u64)>,
}

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    org_id: Field,
    title: Field,
    summary: Field,
    body: Field,
    meta: Field,
    attachments: Field,
    index_no: Field,
    doc_number: Field,
    facets: Field,
    validity: Field,
    published_at: Field,
    title_grams: Field,
    grams: Field,
    chars: Field,
}

pub struct SearchIndex {
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    f: Fields,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(INDEX_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let grams = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(BIGRAM_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let chars = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(CHAR_TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let f = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_u64_field("id", INDEXED | STORED | FAST),
        org_id: b.add_i64_field("org_id", STORED),
        title: b.add_text_field("title", text.clone()),
        summary: b.add_text_field("summary", text.clone()),
        body: b.add_text_field("body", text.clone()),
        meta: b.add_text_field("meta", text.clone()),
        attachments: b.add_text_field("attachments", text),
        index_no: b.add_text_field("index_no", STRING | STORED),
        doc_number: b.add_text_field("doc_number", STRING | STORED),
        facets: b.add_facet_field("facets", INDEXED),
        validity: b.add_text_field("validity", STRING | STORED),
        published_at: b.add_i64_field("published_at", INDEXED | STORED | FAST),
        title_grams: b.add_text_field("title_grams", grams.clone()),
        grams: b.add_text_field("grams", grams),
        chars: b.add_text_field("chars", chars),
    };
    (b.build(), f)
}

/// The civil year (Asia/Shanghai) of an instant in epoch milliseconds.
pub fn china_year(ms: i64) -> i32 {
    gongkai_domain::china_time::year_of(ms)
}

impl SearchIndex {
    /// Opens the index in `dir`, creating it (and the directory) when absent. The flag is true
    /// when the index was just created and so needs a full rebuild.
    pub fn open_or_create(dir: &Path) -> SearchResult<(Self, bool)> {
        std::fs::create_dir_all(dir)?;
        crate::tokenize::warm_up();
        let (schema, f) = schema();
        let version_file = dir.join(VERSION_FILE);
        let current = std::fs::read_to_string(&version_file)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok());
        let mut mmap = tantivy::directory::MmapDirectory::open(dir)?;
        if tantivy::Index::exists(&mmap)? && current != Some(INDEX_VERSION) {
            tracing::info!(
                dir = %dir.display(),
                from = ?current,
                to = INDEX_VERSION,
                "search index written by another version: deleting it for a rebuild"
            );
            drop(mmap);
            clear_index_dir(dir)?;
            mmap = tantivy::directory::MmapDirectory::open(dir)?;
        }
        let created = !tantivy::Index::exists(&mmap)?;
        let index = tantivy::Index::open_or_create(mmap, schema)?;
        std::fs::write(&version_file, INDEX_VERSION.to_string())?;
        index.tokenizers().register(
            INDEX_TOKENIZER,
            TextAnalyzer::builder(IndexTokenizer)
                .filter(LowerCaser)
                .build(),
        );
        index.tokenizers().register(
            BIGRAM_TOKENIZER,
            TextAnalyzer::builder(GramTokenizer { n: 2 }).build(),
        );
        index.tokenizers().register(
            CHAR_TOKENIZER,
            TextAnalyzer::builder(GramTokenizer { n: 1 }).build(),
        );
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer_with_num_threads(1, 50_000_000)?;
        Ok((
            Self {
                reader,
                writer: Mutex::new(writer),
                f,
            },
            created,
        ))
    }

    fn writer(&self) -> SearchResult<std::sync::MutexGuard<'_, IndexWriter>> {
        self.writer.lock().map_err(|_| SearchError::Poisoned)
    }

    /// Stages `doc`, replacing any earlier version; visible after [`Self::commit`].
    pub fn upsert(&self, doc: &SearchDoc) -> SearchResult<()> {
        let f = self.f;
        let mut d = TantivyDocument::default();
        let key = doc_key(doc.kind, doc.id);
        d.add_text(f.key, &key);
        d.add_text(f.kind, doc.kind.code());
        d.add_u64(f.id, doc.id as u64);
        d.add_i64(f.org_id, doc.org_id);
        d.add_text(f.title, &doc.title);
        d.add_text(f.summary, &doc.summary);
        d.add_text(f.body, &doc.body);
        d.add_text(f.meta, &doc.meta);
        d.add_text(f.attachments, &doc.attachment_text);
        d.add_text(f.title_grams, &doc.title);
        for text in [&doc.summary, &doc.body, &doc.meta, &doc.attachment_text] {
            d.add_text(f.grams, text);
        }
        for text in [
            &doc.title,
            &doc.summary,
            &doc.body,
            &doc.meta,
            &doc.attachment_text,
        ] {
            d.add_text(f.chars, text);
        }
        for name in &doc.column_names {
            d.add_text(f.grams, name);
            d.add_text(f.chars, name);
        }
        if let Some(n) = doc.index_no.as_deref().filter(|s| !s.is_empty()) {
            d.add_text(f.index_no, normalize_code(n));
            d.add_text(f.grams, n);
            d.add_text(f.chars, n);
        }
        if let Some(n) = doc.doc_number.as_deref().filter(|s| !s.is_empty()) {
            d.add_text(f.doc_number, normalize_code(n));
            // A 文号 counts like the title: 盘政办发 finds the series first.
            d.add_text(f.title_grams, n);
            d.add_text(f.chars, n);
        }
        d.add_facet(f.facets, Facet::from(&format!("/org/{}", doc.org_id)));
        for c in &doc.column_ids {
            d.add_facet(f.facets, Facet::from(&format!("/column/{c}")));
        }
        d.add_facet(
            f.facets,
            Facet::from(&format!("/year/{}", china_year(doc.published_at))),
        );
        if !doc.validity.is_empty() {
            d.add_facet(
                f.facets,
                Facet::from(&format!("/validity/{}", doc.validity)),
            );
        }
        d.add_facet(f.facets, Facet::from(&format!("/type/{}", doc.kind.code())));
        for k in &doc.kinds {
            d.add_facet(f.facets, Facet::from(&format!("/kind/{k}")));
        }
        d.add_text(f.validity, &doc.validity);
        d.add_i64(f.published_at, doc.published_at);
        let w = self.writer()?;
        w.delete_term(Term::from_field_text(f.key, &key));
        w.add_document(d)?;
        Ok(())
    }

    /// Stages the removal of item `id`.
    pub fn delete(&self, id: i64) -> SearchResult<()> {
        self.delete_kind(SearchKind::Item, id)
    }

    /// Stages the removal of the `kind` with `id`.
    pub fn delete_kind(&self, kind: SearchKind, id: i64) -> SearchResult<()> {
        self.writer()?
            .delete_term(Term::from_field_text(self.f.key, &doc_key(kind, id)));
        Ok(())
    }

    /// Stages the removal of every document (for a rebuild).
    pub fn clear(&self) -> SearchResult<()> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    /// Makes staged changes durable and visible.
    pub fn commit(&self) -> SearchResult<()> {
        self.writer()?.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Searches public items, [`PER_PAGE`] a page. `page` starts at 1.
    pub fn search(&self, q: &str, filters: Filters, page: usize) -> SearchResult<Results> {
        let page = page.max(1);
        self.search_range(q, filters, (page - 1) * PER_PAGE, PER_PAGE)
    }

    /// Searches public items: `limit` hits from position `offset` of the ranking (`offset +
    /// limit` is capped at [`MAX_DEPTH`]).
    pub fn search_range(
        &self,
        q: &str,
        filters: Filters,
        offset: usize,
        limit: usize,
    ) -> SearchResult<Results> {
        let f = self.f;
        let offset = offset.min(MAX_DEPTH);
        let limit = limit.max(1).min(MAX_DEPTH.saturating_sub(offset).max(1));
        let q = q.trim();
        if q.is_empty() {
            return Ok(Results::default());
        }
        let code = normalize_code(q);
        let exact: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.doc_number, &code),
                    IndexRecordOption::Basic,
                )) as Box<dyn Query>,
            ),
            (
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.index_no, &code),
                    IndexRecordOption::Basic,
                )),
            ),
        ]));
        let searcher = self.reader.searcher();
        let filtered = |main: Box<dyn Query>| -> Box<dyn Query> {
            let mut clauses = vec![(Occur::Must, main)];
            let mut facet = |path: String| {
                clauses.push((
                    Occur::Must,
                    Box::new(TermQuery::new(
                        Term::from_facet(f.facets, &Facet::from(&path)),
                        IndexRecordOption::Basic,
                    )) as Box<dyn Query>,
                ));
            };
            if let Some(o) = filters.org {
                facet(format!("/org/{o}"));
            }
            if let Some(c) = filters.column {
                facet(format!("/column/{c}"));
            }
            if let Some(y) = filters.year {
                facet(format!("/year/{y}"));
            }
            if let Some(v) = filters.validity {
                facet(format!("/validity/{}", v.code()));
            }
            if let Some(k) = filters.kind {
                facet(format!("/kind/{}", k.code()));
            }
            if let Some(k) = filters.search_kind {
                facet(format!("/type/{}", k.code()));
            }
            Box::new(BooleanQuery::new(clauses))
        };
        let looks_like_code = code.contains('〔') || code.chars().any(|c| c.is_ascii_digit());
        if looks_like_code && searcher.search(&*exact, &Count)? > 0 {
            let mut r = self.run(&searcher, &*filtered(exact), (offset, limit), &[])?;
            r.exact = true;
            return Ok(r);
        }
        let parts = runs(q);
        if parts.is_empty() {
            return Ok(Results::default());
        }
        let words = query_terms(q);
        // Every run of the query must be in the text (as a substring); whole words add to the
        // score.
        let mut strict: Vec<(Occur, Box<dyn Query>)> = parts
            .iter()
            .map(|r| (Occur::Must, self.substring_query(r)))
            .collect();
        for w in &words {
            strict.push((Occur::Should, self.word_query(w)));
        }
        let mut marks: Vec<String> = parts.clone();
        marks.extend(
            words
                .iter()
                .filter(|w| w.chars().count() >= 2 && !parts.contains(w))
                .cloned(),
        );
        let r = self.run(
            &searcher,
            &*filtered(Box::new(BooleanQuery::new(strict))),
            (offset, limit),
            &marks,
        )?;
        if r.total > 0 {
            return Ok(r);
        }
        // Nothing has it all: rank what has some of the words (a question typed in full).
        let useful: Vec<String> = words
            .into_iter()
            .filter(|w| w.chars().count() >= 2 && !STOP_WORDS.contains(&w.as_str()))
            .collect();
        if useful.is_empty() || (parts.len() == 1 && useful == parts) {
            return Ok(r);
        }
        let any: Vec<(Occur, Box<dyn Query>)> = useful
            .iter()
            .flat_map(|w| {
                [
                    (Occur::Should, self.substring_query(w)),
                    (Occur::Should, self.word_query(w)),
                ]
            })
            .collect();
        let mut r = self.run(
            &searcher,
            &*filtered(Box::new(BooleanQuery::new(any))),
            (offset, limit),
            &useful,
        )?;
        r.partial = r.total > 0;
        Ok(r)
    }

    /// Documents containing `run` (folded letters, digits and CJK characters) anywhere: a phrase
    /// of its bigrams, or its one character; a title (or 文号）match weighs more.
    fn substring_query(&self, run: &str) -> Box<dyn Query> {
        let f = self.f;
        let grams = bigrams(run);
        let in_field = |field: Field| -> Box<dyn Query> {
            match grams.as_slice() {
                [] => Box::new(TermQuery::new(
                    Term::from_field_text(f.chars, run),
                    IndexRecordOption::WithFreqs,
                )),
                [one] => Box::new(TermQuery::new(
                    Term::from_field_text(field, one),
                    IndexRecordOption::WithFreqs,
                )),
                many => Box::new(PhraseQuery::new(
                    many.iter()
                        .map(|g| Term::from_field_text(field, g))
                        .collect(),
                )),
            }
        };
        if grams.is_empty() {
            return in_field(f.chars);
        }
        Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(BoostQuery::new(in_field(f.title_grams), TITLE_GRAM_BOOST))
                    as Box<dyn Query>,
            ),
            (
                Occur::Should,
                Box::new(BoostQuery::new(in_field(f.grams), GRAM_BOOST)),
            ),
        ]))
    }

    /// Documents where `word` is a whole word of the index tokenizer, BM25 over the word fields
    /// plus [`WORD_BONUS`].
    fn word_query(&self, word: &str) -> Box<dyn Query> {
        let f = self.f;
        let any = || -> BooleanQuery {
            BooleanQuery::new(
                [
                    (f.title, TITLE_BOOST),
                    (f.summary, SUMMARY_BOOST),
                    (f.body, 1.0),
                    (f.meta, 1.0),
                    (f.attachments, ATTACHMENT_BOOST),
                ]
                .into_iter()
                .map(|(field, boost)| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(field, word),
                        IndexRecordOption::WithFreqs,
                    ));
                    (
                        Occur::Should,
                        Box::new(BoostQuery::new(q, boost)) as Box<dyn Query>,
                    )
                })
                .collect(),
            )
        };
        Box::new(BooleanQuery::new(vec![
            (
                Occur::Should,
                Box::new(ConstScoreQuery::new(Box::new(any()), WORD_BONUS)) as Box<dyn Query>,
            ),
            (Occur::Should, Box::new(any())),
        ]))
    }

    /// Index terms one edit away from the words of a query that found nothing（低报 → 低保）：
    /// each tried on the public index, most frequent first, at most `max`. Only terms of
    /// titles that some public document still has are offered.
    pub fn suggest(&self, q: &str, max: usize) -> SearchResult<Vec<String>> {
        let f = self.f;
        let searcher = self.reader.searcher();
        let parts = runs(q);
        let mut targets: Vec<String> = query_terms(q)
            .into_iter()
            .filter(|w| w.chars().count() >= 2)
            .collect();
        for p in &parts {
            if !targets.contains(p) && (2..=8).contains(&p.chars().count()) {
                targets.push(p.clone());
            }
        }
        let mut found: Vec<(u64, String, String)> = Vec::new(); // (docs, target, term)
        for target in &targets {
            let want: Vec<char> = target.chars().collect();
            let mut near: Vec<String> = Vec::new();
            for seg in searcher.segment_readers() {
                let inv = seg.inverted_index(f.title)?;
                let mut stream = inv.terms().stream()?;
                while stream.advance() {
                    let Ok(term) = std::str::from_utf8(stream.key()) else {
                        continue;
                    };
                    let n = term.chars().count();
                    if n < 2 || n + 1 < want.len() || n > want.len() + 1 || term == target {
                        continue;
                    }
                    if !near.iter().any(|t| t == term) && edit_distance(&want, term) == 1 {
                        near.push(term.to_string());
                    }
                }
            }
            for term in near {
                let docs = searcher.search(
                    &TermQuery::new(
                        Term::from_field_text(f.title, &term),
                        IndexRecordOption::Basic,
                    ),
                    &Count,
                )? as u64;
                if docs > 0 {
                    found.push((docs, target.clone(), term));
                }
            }
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
        let mut out: Vec<String> = Vec::new();
        let folded: String = q.chars().map(crate::tokenize::fold).collect();
        for (_, target, term) in found {
            let s = folded.replacen(target.as_str(), &term, 1);
            let s = if s == folded { term } else { s };
            if !out.contains(&s) {
                out.push(s);
            }
            if out.len() >= max {
                break;
            }
        }
        Ok(out)
    }

    fn run(
        &self,
        searcher: &tantivy::Searcher,
        query: &dyn Query,
        (offset, limit): (usize, usize),
        terms: &[String],
    ) -> SearchResult<Results> {
        let f = self.f;
        let top = TopDocs::with_limit(limit).and_offset(offset).tweak_score(
            move |seg: &SegmentReader| {
                let published = seg
                    .fast_fields()
                    .i64("published_at")
                    .ok()
                    .map(|c| c.first_or_default_col(0));
                move |doc: DocId, score: Score| {
                    let at = published.as_ref().map_or(0, |c| c.get_val(doc));
                    (score, at)
                }
            },
        );
        let mut facets = FacetCollector::for_field("facets");
        facets.add_facet("/org");
        facets.add_facet("/column");
        facets.add_facet("/year");
        facets.add_facet("/validity");
        facets.add_facet("/kind");
        facets.add_facet("/type");
        let (docs, total, counts): (Ranked, usize, _) =
            searcher.search(query, &(top, Count, facets))?;
        let mut hits = Vec::with_capacity(docs.len());
        for (_, addr) in docs {
            let d: TantivyDocument = searcher.doc(addr)?;
            let text = |field: Field| {
                d.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let title = text(f.title);
            let title_html = crate::tokenize::highlight(&title, terms);
            let body = text(f.body);
            // An exact 文号 / 索引号 lookup has no words to show (`terms` is empty).
            let snip = |field: Field| crate::snippet::snippet(&text(field), terms, SNIPPET_CHARS);
            let snippet_html = snip(f.body)
                .or_else(|| snip(f.summary))
                .or_else(|| snip(f.attachments).map(|s| format!("附件：{s}")))
                .unwrap_or_else(|| escape(&prefix(&body, SNIPPET_CHARS)));
            hits.push(Hit {
                kind: SearchKind::from_code(&text(f.kind)).unwrap_or_default(),
                id: d
                    .get_first(f.id)
                    .and_then(|v| v.as_u64())
                    .unwrap_or_default() as i64,
                org_id: d
                    .get_first(f.org_id)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
                title_html,
                title,
                snippet_html,
                doc_number: Some(text(f.doc_number)).filter(|s| !s.is_empty()),
                index_no: Some(text(f.index_no)).filter(|s| !s.is_empty()),
                validity: text(f.validity),
                published_at: d
                    .get_first(f.published_at)
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default(),
            });
        }
        let ids = |root: &str| -> Vec<(i64, u64)> {
            counts
                .get(root)
                .filter_map(|(facet, n)| {
                    facet
                        .to_path()
                        .last()
                        .and_then(|s| s.parse::<i64>().ok())
                        .map(|id| (id, n))
                })
                .collect()
        };
        let mut years: Vec<(i32, u64)> = ids("/year")
            .into_iter()
            .map(|(y, n)| (y as i32, n))
            .collect();
        years.sort_by_key(|y| std::cmp::Reverse(y.0));
        let mut orgs = ids("/org");
        orgs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let mut columns = ids("/column");
        columns.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let codes = |root: &str| -> Vec<(String, u64)> {
            counts
                .get(root)
                .filter_map(|(facet, n)| facet.to_path().last().map(|s| (s.to_string(), n)))
                .collect()
        };
        let found = codes("/validity");
        let validities = Validity::ALL
            .iter()
            .filter_map(|v| {
                found
                    .iter()
                    .find(|(c, _)| c == v.code())
                    .map(|(_, n)| (*v, *n))
            })
            .collect();
        let mut kinds: Vec<(ColumnKind, u64)> = codes("/kind")
            .into_iter()
            .filter_map(|(c, n)| ColumnKind::from_code(&c).map(|k| (k, n)))
            .collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code().cmp(b.0.code())));
        let types = codes("/type");
        let search_kinds = SearchKind::ALL
            .iter()
            .filter_map(|k| {
                types
                    .iter()
                    .find(|(c, _)| c == k.code())
                    .map(|(_, n)| (*k, *n))
            })
            .collect();
        Ok(Results {
            total,
            hits,
            exact: false,
            partial: false,
            search_kinds,
            orgs,
            columns,
            years,
            validities,
            kinds,
        })
    }
}

/// Deletes the index files in `dir`, keeping the node id (and so the node's mark).
fn clear_index_dir(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_name() == "node_id" {
            continue;
        }
        let path = entry.path();
        if entry.file_type()?.is_dir() {
            std::fs::remove_dir_all(path)?;
        } else {
            std::fs::remove_file(path)?;
        }
    }
    Ok(())
}

/// The unique key of a document: its kind and id.
fn doc_key(kind: SearchKind, id: i64) -> String {
    format!("{}:{id}", kind.code())
}

/// Levenshtein distance between `a` and `b`, counted in characters.
fn edit_distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Characters of a result's snippet.
const SNIPPET_CHARS: usize = 160;

fn prefix(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// `&`, `<`, `>`, `"` and `'` escaped for text and attribute values (one copy, in gongkai-extract).
pub use gongkai_extract::html::escape;
