//! Pure rules of Gongkai. **This crate performs no I/O**: no SQL, no HTTP, no files, no clock.
//! Callers pass the current time in when a rule needs it.

pub mod account_policy;
pub mod annual_report;
pub mod application;
pub mod assessment;
pub mod calendar;
pub mod china_time;
pub mod civil_date;
pub mod compliance;
pub mod content;
pub mod correction;
pub mod credit_code;
pub mod data;
pub mod data_cadence;
pub mod doc_number;
pub mod event;
pub mod external_evidence;
pub mod feedback;
pub mod filing;
pub mod guard;
pub mod index_no;
pub mod interpretation;
pub mod item;
pub mod meeting;
pub mod message;
pub mod model;
pub mod monitor;
pub mod obligation;
pub mod opinion;
pub mod orgimport;
pub mod orgmatch;
pub mod personal;
pub mod plan;
pub mod planimport;
pub mod proposal;
mod re;
pub mod reminder;
pub mod role;
pub mod seed;
pub mod service;
pub mod site_profile;
pub mod totp;
pub mod validate;
pub mod workflow;

pub use civil_date::CivilDate;
pub use validate::{FieldError, Invalid};
