//! The procedure's flowchart （办理流程图） as SVG, drawn from the steps: one box per step, top
//! to bottom, joined by arrows. Text is escaped and wrapped; nothing external is used.

use super::Step;

const WIDTH: u32 = 360;
const BOX_WIDTH: u32 = 280;
const LINE_HEIGHT: u32 = 20;
const PAD: u32 = 10;
const GAP: u32 = 28;
/// Characters per line in a box (Chinese characters are about 14 px at 14 px font size).
const PER_LINE: usize = 18;
/// Lines shown per box; longer names are cut with an ellipsis.
const MAX_LINES: usize = 3;
/// Steps drawn; a procedure longer than this is cut with a note.
pub const MAX_STEPS: usize = 30;

/// Escapes text for SVG (XML) content.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// `text` cut into lines of at most [`PER_LINE`] characters, at most [`MAX_LINES`] lines.
fn wrap(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.trim().chars().collect();
    let mut lines: Vec<String> = chars.chunks(PER_LINE).map(|c| c.iter().collect()).collect();
    if lines.len() > MAX_LINES {
        lines.truncate(MAX_LINES);
        if let Some(last) = lines.last_mut() {
            let mut l: Vec<char> = last.chars().collect();
            l.pop();
            l.push('\u{2026}');
            *last = l.into_iter().collect();
        }
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

/// The flowchart of `steps`, titled `title` for assistive technology; `None` without steps.
pub fn svg(title: &str, steps: &[Step]) -> Option<String> {
    if steps.is_empty() {
        return None;
    }
    let shown = &steps[..steps.len().min(MAX_STEPS)];
    let mut body = String::new();
    let mut y = PAD;
    let x = (WIDTH - BOX_WIDTH) / 2;
    let cx = WIDTH / 2;
    for (i, step) in shown.iter().enumerate() {
        let lines = wrap(&format!("{}. {}", i + 1, step.name));
        let h = lines.len() as u32 * LINE_HEIGHT + 2 * PAD;
        body.push_str(&format!(
            "<rect x=\"{x}\" y=\"{y}\" width=\"{BOX_WIDTH}\" height=\"{h}\" rx=\"6\" fill=\"#ffffff\" stroke=\"#1f4e8c\" stroke-width=\"2\"/>"
        ));
        for (n, line) in lines.iter().enumerate() {
            let ty = y + PAD + (n as u32 + 1) * LINE_HEIGHT - 5;
            body.push_str(&format!(
                "<text x=\"{cx}\" y=\"{ty}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#1a1a1a\">{}</text>",
                escape(line)
            ));
        }
        y += h;
        if i + 1 < shown.len() {
            let y2 = y + GAP;
            body.push_str(&format!(
                "<line x1=\"{cx}\" y1=\"{y}\" x2=\"{cx}\" y2=\"{}\" stroke=\"#1f4e8c\" stroke-width=\"2\"/>\
                 <polygon points=\"{},{} {},{} {cx},{y2}\" fill=\"#1f4e8c\"/>",
                y2 - 8,
                cx - 6,
                y2 - 8,
                cx + 6,
                y2 - 8
            ));
            y = y2;
        }
    }
    if steps.len() > shown.len() {
        y += LINE_HEIGHT;
        body.push_str(&format!(
            "<text x=\"{cx}\" y=\"{y}\" text-anchor=\"middle\" font-size=\"14\">\u{2026}\u{5171} {} \u{4E2A}\u{73AF}\u{8282}</text>",
            steps.len()
        ));
    }
    let height = y + PAD;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"flowchart-title\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\">\
         <title id=\"flowchart-title\">{}</title>{body}</svg>",
        escape(title)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(name: &str) -> Step {
        Step {
            name: name.into(),
            detail: String::new(),
        }
    }

    #[test]
    fn one_box_per_step_joined_by_arrows_with_escaped_text() {
        let s = svg(
            "流程图",
            &[step("申请"), step("受理<script>"), step("办结&送达")],
        )
        .unwrap();
        assert_eq!(s.matches("<rect").count(), 3);
        assert_eq!(s.matches("<polygon").count(), 2);
        assert!(s.contains("受理&lt;script&gt;"));
        assert!(s.contains("&amp;") && !s.contains("&\u{9001}"));
        assert!(!s.contains("<script"));
        assert!(svg("流程图", &[]).is_none());
    }

    #[test]
    fn long_names_wrap_and_long_procedures_are_cut() {
        let long = "很".repeat(100);
        let s = svg("t", &[step(&long)]).unwrap();
        assert_eq!(s.matches("<text").count(), MAX_LINES);
        let many: Vec<Step> = (0..100).map(|i| step(&i.to_string())).collect();
        let s = svg("t", &many).unwrap();
        assert_eq!(s.matches("<rect").count(), MAX_STEPS);
        assert!(s.contains("100"));
    }
}
