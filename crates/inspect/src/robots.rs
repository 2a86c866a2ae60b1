//! robots.txt (RFC 9309): the group for our user-agent token, else `*`; the longest matching
//! `Allow`/`Disallow` rule wins, `Allow` on a tie; `*` matches any run of characters and a final
//! `$` anchors the end. An empty `Disallow` allows everything.

/// (allow, pattern)
type Rule = (bool, String);

/// The rules that apply to us.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    rules: Vec<Rule>,
}

impl Robots {
    /// Parses `text` for the agent whose product token is `token` (e.g. `gongkai-inspector`); a
    /// group names us when its user-agent is a prefix of our token (`gongkai` does).
    pub fn parse(text: &str, token: &str) -> Robots {
        let token = token.to_ascii_lowercase();
        // Groups: (agents, rules); consecutive user-agent lines share one group.
        let mut groups: Vec<(Vec<String>, Vec<Rule>)> = Vec::new();
        let mut last_was_agent = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if !last_was_agent || groups.is_empty() {
                        groups.push((Vec::new(), Vec::new()));
                    }
                    if let Some(g) = groups.last_mut() {
                        g.0.push(value.to_ascii_lowercase());
                    }
                    last_was_agent = true;
                }
                "allow" | "disallow" => {
                    last_was_agent = false;
                    if let Some(g) = groups.last_mut()
                        && !value.is_empty()
                    {
                        g.1.push((key == "allow", value.to_string()));
                    }
                }
                _ => last_was_agent = false,
            }
        }
        let mine: Vec<Rule> = groups
            .iter()
            .filter(|(agents, _)| {
                agents
                    .iter()
                    .any(|a| a != "*" && token.starts_with(a.as_str()))
            })
            .flat_map(|(_, r)| r.clone())
            .collect();
        let has_mine = groups.iter().any(|(agents, _)| {
            agents
                .iter()
                .any(|a| a != "*" && token.starts_with(a.as_str()))
        });
        let rules = if has_mine {
            mine
        } else {
            groups
                .iter()
                .filter(|(agents, _)| agents.iter().any(|a| a == "*"))
                .flat_map(|(_, r)| r.clone())
                .collect()
        };
        Robots { rules }
    }

    /// Whether `path` (path and query, starting with `/`) may be fetched.
    pub fn allowed(&self, path: &str) -> bool {
        let path = percent_upper(path);
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            let pattern = percent_upper(pattern);
            if matches(&pattern, &path) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// Percent escapes compared case-insensitively.
fn percent_upper(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '%' {
            for _ in 0..2 {
                if let Some(h) = chars.next() {
                    out.push(h.to_ascii_uppercase());
                }
            }
        }
    }
    out
}

/// Whether `pattern` (with `*` and a final `$`) matches the start of `path`.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            at = part.len();
        } else if i == parts.len() - 1 && anchored {
            return path.len() >= at + part.len() && path.ends_with(part);
        } else {
            match path[at..].find(part) {
                Some(p) => at += p + part.len(),
                None => return false,
            }
        }
    }
    !anchored || at == path.len() || (parts.len() > 1 && parts.last() == Some(&""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_longest_match_wildcards_and_anchors() {
        let r = Robots::parse(
            "User-agent: *\nDisallow: /private/\nDisallow: /*.php$\nAllow: /private/open/\nDisallow: /search?\n\n\
             User-agent: BadBot\nDisallow: /\n",
            "gongkai",
        );
        assert!(r.allowed("/"));
        assert!(!r.allowed("/private/a.html"));
        assert!(r.allowed("/private/open/a.html"));
        assert!(!r.allowed("/x/index.php"));
        assert!(r.allowed("/x/index.php?a=1"));
        assert!(!r.allowed("/search?q=1"));
        assert!(r.allowed("/search"));
        let mine = Robots::parse(
            "User-agent: *\nDisallow: /\n\nUser-agent: Gongkai\nAllow: /\nDisallow: /tmp\n",
            "gongkai-inspector",
        );
        assert!(mine.allowed("/a"));
        assert!(!mine.allowed("/tmp/x"));
        let empty = Robots::parse("User-agent: *\nDisallow:\n", "gongkai");
        assert!(empty.allowed("/anything"));
        let shared = Robots::parse("User-agent: a\nUser-agent: *\nDisallow: /x\n", "gongkai");
        assert!(!shared.allowed("/x/1"));
    }
}
