//! Response bodies written while the database is read: a producer task writes text into a
//! [`Chunks`] writer, which hands the client chunks of about [`CHUNK`] bytes through a channel of
//! [`DEPTH`] chunks. Memory stays bounded whatever the number of rows, and a client that leaves
//! stops the producer at its next write. Used by the catalogue CSV and the sitemap.

use axum::body::{Body, Bytes};
use std::future::Future;
use tokio::sync::mpsc;

/// Bytes gathered before a chunk is handed to the client.
pub const CHUNK: usize = 32 * 1024;
/// Chunks waiting for a slow client before the producer waits too.
const DEPTH: usize = 4;

type Item = Result<Bytes, std::io::Error>;

/// The producer's end: text in, chunks out.
pub struct Chunks {
    tx: mpsc::Sender<Item>,
    buf: Vec<u8>,
}

/// The client has gone: stop producing.
#[derive(Debug, Clone, Copy)]
pub struct Gone;

impl Chunks {
    /// Appends `text`, handing over a chunk when enough has gathered.
    pub async fn write(&mut self, text: &str) -> Result<(), Gone> {
        self.buf.extend_from_slice(text.as_bytes());
        if self.buf.len() >= CHUNK {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Gone> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx.send(Ok(chunk)).await.map_err(|_| Gone)
    }

    /// Hands over what is left: the body ends complete.
    pub async fn finish(mut self) {
        let _ = self.flush().await;
    }

    /// Ends the body with an error (the client sees a broken transfer, never a short file that
    /// looks whole).
    pub async fn fail(self, why: String) {
        tracing::warn!(error = %why, "流式输出中断");
        let _ = self.tx.send(Err(std::io::Error::other(why))).await;
    }
}

/// A body filled by `produce`, which runs as its own task.
pub fn body<F, Fut>(produce: F) -> Body
where
    F: FnOnce(Chunks) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = mpsc::channel::<Item>(DEPTH);
    tokio::spawn(produce(Chunks {
        tx,
        buf: Vec::with_capacity(CHUNK),
    }));
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// The whole of a [`body`] in memory (for callers that need the bytes, such as tests).
pub async fn collect(body: Body) -> Result<Vec<u8>, String> {
    use http_body_util::BodyExt;
    body.collect()
        .await
        .map(|b| b.to_bytes().to_vec())
        .map_err(|e| e.to_string())
}
