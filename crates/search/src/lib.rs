//! Chinese full-text search of public items. **The index is derived from the database**: it only
//! ever holds what `gongkai_db::items::PUBLIC_SQL` lets through, is kept current from the
//! `search_outbox` table, and can be rebuilt at any time (`gongkai search reindex`).

pub mod extract;
mod index;
mod snippet;
mod sync;
mod tokenize;

pub use index::{
    Filters, Hit, INDEX_VERSION, MAX_DEPTH, PER_PAGE, Results, SearchDoc, SearchError, SearchIndex,
    SearchResult, china_year, escape,
};
pub use sync::{reindex, strip_html, sync};
pub use tokenize::{GOV_TERMS, normalize_code, query_terms};

use std::path::Path;
use std::sync::Arc;

/// The node id of the index in `dir`: made once when the directory is new, so a node keeps its
/// high-water mark across restarts and a fresh directory starts with a rebuild.
pub fn node_id(dir: &Path) -> std::io::Result<String> {
    let file = dir.join("node_id");
    if let Ok(s) = std::fs::read_to_string(&file) {
        let s = s.trim();
        if !s.is_empty() {
            return Ok(s.to_string());
        }
    }
    std::fs::create_dir_all(dir)?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "node".into());
    let id = format!("{host}-{}-{nanos:x}", std::process::id());
    std::fs::write(&file, &id)?;
    Ok(id)
}

/// A node's search index with its node id: what `serve`, the worker and the portal share.
pub struct Search {
    pub index: SearchIndex,
    pub node_id: String,
    /// Set when the index directory was new: the first catch-up rebuilds it.
    fresh: std::sync::atomic::AtomicBool,
    /// Whether the index can answer: an existing index at once, a new one once it is built.
    ready: std::sync::atomic::AtomicBool,
}

impl Search {
    /// Runs a query of the index on the blocking pool: a search is CPU work of milliseconds, and on
    /// the async runtime it would stall every other request of the node while it runs.
    pub async fn query<T: Send + 'static>(
        self: &Arc<Self>,
        run: impl FnOnce(&SearchIndex) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let this = Arc::clone(self);
        tokio::task::spawn_blocking(move || run(&this.index))
            .await
            .map_err(|e| SearchError::Io(std::io::Error::other(e.to_string())))?
    }

    /// Opens (or creates) the index under `dir` (`<data_dir>/index`).
    pub fn open(dir: &Path) -> SearchResult<Self> {
        let (index, created) = SearchIndex::open_or_create(dir)?;
        Ok(Self {
            index,
            node_id: node_id(dir)?,
            fresh: created.into(),
            ready: (!created).into(),
        })
    }

    /// Whether the index is built (`/readyz`).
    pub fn is_ready(&self) -> bool {
        self.ready.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Brings the index up to date: a rebuild when the directory was new, else [`sync`].
    pub async fn catch_up(&self, db: &gongkai_db::Db) -> SearchResult<usize> {
        use std::sync::atomic::Ordering;
        if self.fresh.swap(false, Ordering::SeqCst) {
            let built = reindex(db, &self.index, &self.node_id, |_, _| {}).await;
            // A failed rebuild is retried by the next catch-up.
            self.fresh.store(built.is_err(), Ordering::SeqCst);
            built?;
            self.ready.store(true, Ordering::SeqCst);
            return Ok(0);
        }
        let n = sync(db, &self.index, &self.node_id).await?;
        self.ready.store(true, Ordering::SeqCst);
        Ok(n)
    }
}

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Search")
            .field("node_id", &self.node_id)
            .finish_non_exhaustive()
    }
}
