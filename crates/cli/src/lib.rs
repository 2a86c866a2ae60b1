//! The `gongkai` binary's library half: configuration and the `serve` command, shared with the
//! integration tests.

pub mod config;
pub mod serve;
