//! Server-side SVG charts with Chinese labels: no JavaScript, no external fonts (the font stack names
//! the CJK fonts a government PC has; the test machine has Noto CJK). Every label is escaped.

use crate::error::escape;
use std::fmt::Write as _;

const FONT: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";

/// One bar: a label, a value in 0..=1 (a rate) or `None` when there is nothing to measure, and a link.
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub href: Option<String>,
}

/// Horizontal bars of rates (0–100 %), one row per label, with the percentage written beside each.
pub fn rate_bars(title: &str, bars: &[Bar]) -> String {
    let row = 26.0;
    let label_w = 190.0;
    let bar_w = 360.0;
    let height = 34.0 + row * bars.len() as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {height}" width="100%" role="img" aria-label="{t}" font-family="{FONT}" font-size="13"><title>{t}</title>"#,
        w = label_w + bar_w + 70.0,
        t = escape(title)
    );
    let _ = write!(
        s,
        r##"<text x="0" y="16" font-weight="bold" fill="#1f2328">{}</text>"##,
        escape(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 28.0 + row * i as f64;
        let label = truncate(&b.label, 13);
        let (open, close) = match &b.href {
            Some(h) => (format!(r#"<a href="{}">"#, escape(h)), "</a>"),
            None => (String::new(), ""),
        };
        let _ = write!(s, "{open}");
        let _ = write!(
            s,
            r##"<text x="{x}" y="{ty}" text-anchor="end" fill="#1f2328">{l}</text><rect x="{bx}" y="{y}" width="{bar_w}" height="16" fill="#eaeef2"/>"##,
            x = label_w - 8.0,
            ty = y + 13.0,
            l = escape(&label),
            bx = label_w
        );
        match b.value {
            Some(v) => {
                let v = v.clamp(0.0, 1.0);
                let color = if v >= 0.9 {
                    "#116329"
                } else if v >= 0.6 {
                    "#7d4e00"
                } else {
                    "#b42318"
                };
                let _ = write!(
                    s,
                    r##"<rect x="{label_w}" y="{y}" width="{w:.1}" height="16" fill="{color}"/><text x="{tx:.1}" y="{ty}" fill="#1f2328">{p:.0}%</text>"##,
                    w = bar_w * v,
                    tx = label_w + bar_w + 6.0,
                    ty = y + 13.0,
                    p = v * 100.0
                );
            }
            None => {
                let _ = write!(
                    s,
                    r##"<text x="{tx:.1}" y="{ty}" fill="#57606a">无数据</text>"##,
                    tx = label_w + bar_w + 6.0,
                    ty = y + 13.0
                );
            }
        }
        let _ = write!(s, "{close}");
    }
    s.push_str("</svg>");
    s
}

/// Vertical bars of rates over time (one per month), for the trend.
pub fn trend_bars(title: &str, bars: &[Bar]) -> String {
    let col = 44.0;
    let chart_h = 160.0;
    let width = (40.0 + col * bars.len() as f64).max(480.0);
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" width="100%" role="img" aria-label="{t}" font-family="{FONT}" font-size="12"><title>{t}</title>"#,
        h = chart_h + 60.0,
        t = escape(title)
    );
    let _ = write!(
        s,
        r##"<text x="0" y="16" font-weight="bold" fill="#1f2328">{}</text>"##,
        escape(title)
    );
    let base = 30.0 + chart_h;
    let _ = write!(
        s,
        r##"<line x1="30" y1="{base}" x2="{width}" y2="{base}" stroke="#8c959f"/>"##
    );
    for (i, b) in bars.iter().enumerate() {
        let x = 36.0 + col * i as f64;
        if let Some(v) = b.value {
            let h = chart_h * v.clamp(0.0, 1.0);
            let _ = write!(
                s,
                r##"<rect x="{x}" y="{y:.1}" width="{w}" height="{h:.1}" fill="#9b1c1c"/><text x="{cx}" y="{ty:.1}" text-anchor="middle" fill="#1f2328">{p:.0}%</text>"##,
                y = base - h,
                w = col - 10.0,
                cx = x + (col - 10.0) / 2.0,
                ty = base - h - 4.0,
                p = v * 100.0
            );
        }
        let _ = write!(
            s,
            r##"<text x="{cx}" y="{ty}" text-anchor="middle" fill="#57606a">{l}</text>"##,
            cx = x + (col - 10.0) / 2.0,
            ty = base + 16.0,
            l = escape(&truncate(&b.label, 6))
        );
    }
    s.push_str("</svg>");
    s
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// A chart label for a `YYYY-MM` month: “5月” in the plan's year, the month as written otherwise.
pub fn month_label(month: &str, plan_year: i64) -> String {
    match month.split_once('-') {
        Some((y, m)) if y == plan_year.to_string() => format!("{}月", m.trim_start_matches('0')),
        _ => month.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_rates_drawn() {
        let svg = rate_bars(
            "按时公开率",
            &[
                Bar {
                    label: "市财政局<script>".into(),
                    value: Some(0.75),
                    href: Some("/x?a=1&b=2".into()),
                },
                Bar {
                    label: "市统计局".into(),
                    value: None,
                    href: None,
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("市财政局&lt;script&gt;") && !svg.contains("<script>"));
        assert!(svg.contains("75%") && svg.contains("无数据"));
        assert!(svg.contains("a=1&amp;b=2"));
        let t = trend_bars(
            "趋势",
            &[Bar {
                label: "2017-05".into(),
                value: Some(1.0),
                href: None,
            }],
        );
        assert!(t.contains("100%"));
    }
}
