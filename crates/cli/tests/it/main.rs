//! The one integration-test binary of the workspace (one binary links once; see DESIGN.md §Testing).
//!
//! - `support`: the harness — [`support::TestApp`], the `both_backends!` macro, HTML helpers.
//! - `storage`: the db layer on SQLite and PostgreSQL.
//! - `harness`: the harness helpers themselves (login, users, tokens).
//! - `binary`: the real `gongkai` executable end to end.
//!
//! Add a module per area (`http`, `admin`, `api`, `browser`, …) and declare it here.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benchmarks: a panic is the failure, with its message

#[macro_use]
mod support;

mod a11y;
mod account_security;
mod annual_report;
mod api;
mod api_contract;
mod applications;
mod architecture;
mod assessment;
mod attachment_nodes;
mod attachment_text;
mod audited;
mod binary;
mod browser;
mod bypass_browser;
mod calendar;
mod compliance;
mod correspondence;
mod crawl_nodes;
mod data;
mod data_cadence;
mod demo;
mod editor;
mod events;
mod external_evidence;
mod feedback;
mod feeds;
mod fees;
mod filings;
mod guard;
mod hardening;
mod harness;
mod http;
mod inspect;
mod jobs;
mod letters;
mod load;
mod lockout;
mod mail;
mod marks;
mod meetings;
mod messages;
mod migrations;
mod monitor;
mod operations;
mod page_cache;
mod plan_edit;
mod plan_review;
mod plans;
mod proposals;
mod public_lists;
mod reminders;
mod reports;
mod routes;
mod search;
mod services;
mod setup;
mod snapshots;
mod storage;
mod supervision;
mod supervision_year;
mod typography;
mod use_cases;
mod workflow;
mod ysqgk_journey;
