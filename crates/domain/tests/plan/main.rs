//! The domain crate's one integration-test binary: the plan parser on whole documents.

mod golden;
mod real;
mod shapes;
