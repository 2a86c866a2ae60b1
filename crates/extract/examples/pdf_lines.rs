//! Prints a PDF's text lines with their positions: `cargo run -p gongkai-extract --example
//! pdf_lines FILE.pdf`.

#![allow(clippy::print_stdout)]

fn main() -> Result<(), String> {
    let path = std::env::args().nth(1).ok_or("usage: pdf_lines FILE.pdf")?;
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read {path}: {e}"))?;
    match gongkai_extract::pdf::lines(&bytes, usize::MAX) {
        Ok(l) => {
            for line in &l.lines {
                println!(
                    "p{} x {:7.1}–{:7.1} y {:7.1} size {:4.1} | {}",
                    line.page, line.x0, line.x1, line.y, line.size, line.text
                );
            }
        }
        Err(e) => println!("{e}"),
    }
    Ok(())
}
