//! The use-case layer: one function per operation. Each takes a [`Caller`] and typed input,
//! checks policy against `gongkai_domain::role::Permissions`, works in the caller's transaction
//! (the audit entry is written in the same transaction by `gongkai_db`) and returns a typed
//! result or a [`Refusal`]. The back office, the API, the portal, the CLI and the jobs call
//! these; none of them re-assembles the rules.

pub mod annual_report;
pub mod application_letters;
pub mod applications;
pub mod assessment;
pub mod body_images;
pub mod calendar;
pub mod caller;
pub mod correspondence;
pub mod data;
pub mod error;
pub mod events;
pub mod feedback;
pub mod filings;
pub mod guard;
pub mod items;
pub mod meetings;
pub mod messages;
pub mod monitor;
pub mod opinion;
pub mod people;
pub mod plan_edit;
pub mod plans;
pub mod proposals;
pub mod reminders;
pub mod services;
pub mod site;

pub use caller::Caller;
pub use error::{Outcome, Refusal};
