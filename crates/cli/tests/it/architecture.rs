//! The layering rules of ARCHITECTURE.md, checked on the source tree so that a change that
//! breaks one fails here instead of drifting: the domain stays pure, SQL stays in `db`,
//! permission questions live in the one permission table, and no channel reaches into another.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every `.rs` file under `dir`, with its text up to the first `#[cfg(test)]` (test code may
/// do what product code may not).
fn product_sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if name == "tests.rs" || name.ends_with("_tests.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let product = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                out.push((path, product));
            }
        }
    }
    out.sort();
    out
}

fn crate_sources() -> Vec<(PathBuf, String)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir(workspace().join("crates")).unwrap() {
        let src = entry.unwrap().path().join("src");
        if src.is_dir() {
            all.extend(product_sources(&src));
        }
    }
    all
}

fn offenders(files: &[(PathBuf, String)], needle: &str) -> Vec<String> {
    files
        .iter()
        .filter(|(_, text)| text.contains(needle))
        .map(|(p, _)| {
            p.strip_prefix(workspace())
                .unwrap_or(p)
                .display()
                .to_string()
        })
        .collect()
}

#[test]
fn domain_depends_on_no_io_crate() {
    let manifest = std::fs::read_to_string(workspace().join("crates/domain/Cargo.toml")).unwrap();
    let deps = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|s| s.split("\n[").next())
        .unwrap();
    for io in [
        "sqlx",
        "tokio",
        "axum",
        "reqwest",
        "lettre",
        "tantivy",
        "gongkai-db",
    ] {
        assert!(
            !deps.lines().any(|l| l.trim_start().starts_with(io)),
            "crates/domain must stay pure, but depends on {io}"
        );
    }
}

#[test]
fn domain_reads_no_clock() {
    let domain = product_sources(&workspace().join("crates/domain/src"));
    for needle in ["Utc::now", "Local::now", "SystemTime::now", "Instant::now"] {
        let found = offenders(&domain, needle);
        assert!(
            found.is_empty(),
            "`{needle}` in crates/domain (pass today's date in): {found:?}"
        );
    }
}

#[test]
fn sql_lives_in_the_db_crate() {
    let outside: Vec<_> = crate_sources()
        .into_iter()
        .filter(|(p, _)| !p.to_string_lossy().contains("/crates/db/"))
        .collect();
    for needle in ["sqlx::query", "query_scalar(", "query_as::<"] {
        let found = offenders(&outside, needle);
        assert!(found.is_empty(), "`{needle}` outside crates/db: {found:?}");
    }
}

#[test]
fn permission_questions_live_in_the_one_table() {
    let outside: Vec<_> = crate_sources()
        .into_iter()
        .filter(|(p, _)| !p.ends_with("crates/domain/src/role.rs"))
        .collect();
    for needle in ["fn may_", "fn can_open", "fn require_site_admin"] {
        let found = offenders(&outside, needle);
        assert!(
            found.is_empty(),
            "`{needle}` outside domain::role (ask Permissions instead): {found:?}"
        );
    }
}

#[test]
fn no_channel_imports_the_back_office() {
    let web = workspace().join("crates/web/src");
    let mut channels = product_sources(&web.join("api"));
    channels.extend(product_sources(&web.join("portal")));
    channels.extend(
        crate_sources()
            .into_iter()
            .filter(|(p, _)| !p.starts_with(&web) && !p.to_string_lossy().contains("/crates/web/")),
    );
    channels.extend(
        product_sources(&web)
            .into_iter()
            .filter(|(p, _)| p.parent() == Some(web.as_path()) && !p.ends_with("lib.rs")),
    );
    let found = offenders(&channels, "admin::");
    assert!(
        found.is_empty(),
        "outside the back office, shared code belongs in crates/app or a shared web module: {found:?}"
    );
}
