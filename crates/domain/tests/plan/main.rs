//! The domain crate's one integration-test binary: the plan parser on whole documents.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests and benchmarks: a panic is the failure, with its message

mod forms;
mod golden;
mod real;
mod refusals;
mod shapes;
