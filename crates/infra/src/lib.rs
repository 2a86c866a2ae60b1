//! Gongkai's connections to the outside world other than its HTTP server and its SQL: files on
//! disk ([`storage`]), e-mail ([`mail`]) and outbound HTTP ([`http`]).
//!
//! Why a crate of its own: the back office (`gongkai-web`) stores uploads, the background jobs
//! (`gongkai-jobs`) send mail and will fetch web pages, and neither should depend on the other.

pub mod http;
pub mod mail;
pub mod storage;

/// `n` random bytes from the OS, hex-encoded.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS random source failing is unrecoverable for a server handing out session tokens.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("operating system random source unavailable");
    hex::encode(buf)
}
