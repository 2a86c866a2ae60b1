//! Embeds every file under `templates/` and `assets/` into the binary (no runtime downloads, no CDN):
//! generates `(name, contents)` tables that `templates.rs` and `assets.rs` include.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn table(kind: &str, is_text: bool) -> String {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join(kind);
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &mut files);
    let mut s = String::from("&[\n");
    for f in files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f
            .strip_prefix(&root)
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        let macro_name = if is_text {
            "include_str"
        } else {
            "include_bytes"
        };
        let _ = writeln!(
            s,
            "    ({name:?}, {macro_name}!({:?})),",
            f.display().to_string()
        );
    }
    s.push(']');
    s
}

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default());
    let _ = std::fs::write(out.join("templates.rs"), table("templates", true));
    let _ = std::fs::write(out.join("assets.rs"), table("assets", false));
}
