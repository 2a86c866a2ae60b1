//! The domain crate's one integration-test binary: the plan parser on whole documents.

mod forms;
mod golden;
mod real;
mod refusals;
mod shapes;
