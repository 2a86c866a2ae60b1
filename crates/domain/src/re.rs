//! Regular expressions written in the source.

use regex::Regex;

/// Compiles a pattern written in the source (held in a `LazyLock`).
// A literal pattern cannot fail at run time once the unit tests, which compile every one, pass.
#[allow(clippy::expect_used)]
pub(crate) fn compile(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a pattern written in the source compiles (unit-tested)")
}
