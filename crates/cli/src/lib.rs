//! The `gongkai` binary's library half: configuration and the `serve` command, shared with the
//! integration tests.

pub mod admin_cmd;
pub mod attachments_cmd;
pub mod backup_cmd;
pub mod calendar_cmd;
pub mod config;
pub mod demo;
pub mod inspect_cmd;
pub mod logging;
pub mod migrate_cmd;
pub mod plan_cmd;
pub mod report_cmd;
pub mod search_cmd;
pub mod serve;
