//! The report and its JSON contract (version 1): field names and kinds are stable.

use serde::Serialize;

/// One finding. Serialised with `kind` beside its fields.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Finding {
    DeadLink {
        page: String,
        target: String,
        status: Option<u16>,
        error: Option<String>,
    },
    StaleHomepage {
        page: String,
        latest: String,
    },
    StaleColumn {
        page: String,
        column: String,
        latest: Option<String>,
        limit_days: i64,
    },
    EmptyColumn {
        page: String,
        column: String,
    },
    PersonalInfo {
        page: String,
        info: String,
    },
    KnownError {
        page: String,
        text: String,
        correction: String,
    },
    UnansweredMessage {
        page: String,
        asked_on: String,
    },
    IncompleteGuide {
        page: String,
        missing: Vec<String>,
    },
}

impl Finding {
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::DeadLink { .. } => "dead_link",
            Finding::StaleHomepage { .. } => "stale_homepage",
            Finding::StaleColumn { .. } => "stale_column",
            Finding::EmptyColumn { .. } => "empty_column",
            Finding::PersonalInfo { .. } => "personal_info",
            Finding::KnownError { .. } => "known_error",
            Finding::UnansweredMessage { .. } => "unanswered_message",
            Finding::IncompleteGuide { .. } => "incomplete_guide",
        }
    }

    pub fn page(&self) -> &str {
        match self {
            Finding::DeadLink { page, .. }
            | Finding::StaleHomepage { page, .. }
            | Finding::StaleColumn { page, .. }
            | Finding::EmptyColumn { page, .. }
            | Finding::PersonalInfo { page, .. }
            | Finding::KnownError { page, .. }
            | Finding::UnansweredMessage { page, .. }
            | Finding::IncompleteGuide { page, .. } => page,
        }
    }
}

/// What could not be read, and why (robots.txt, a JavaScript-only pager, a trap cap, the page
/// limit, a page too large or not answering).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Unreached {
    pub url: String,
    pub reason: String,
}

/// A column as recognised, for the reader of the report.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Column {
    pub page: String,
    pub name: String,
    pub items: usize,
    pub latest: Option<String>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub version: u32,
    pub site: String,
    pub as_of: String,
    /// HTML pages read.
    pub pages: usize,
    /// Attachments (PDF, DOCX, XLSX …) read.
    pub attachments: usize,
    pub findings: Vec<Finding>,
    pub columns: Vec<Column>,
    pub unreached: Vec<Unreached>,
}

impl Report {
    /// One finding a line, for people.
    pub fn table(&self) -> String {
        let mut out = format!(
            "site {}  as_of {}  pages {}  attachments {}  findings {}\n",
            self.site,
            self.as_of,
            self.pages,
            self.attachments,
            self.findings.len()
        );
        for f in &self.findings {
            let detail = match f {
                Finding::DeadLink {
                    target,
                    status,
                    error,
                    ..
                } => format!(
                    "{target} {}",
                    status.map_or_else(|| error.clone().unwrap_or_default(), |s| s.to_string())
                ),
                Finding::StaleHomepage { latest, .. } => format!("latest {latest}"),
                Finding::StaleColumn {
                    column,
                    latest,
                    limit_days,
                    ..
                } => format!(
                    "{column} latest {} limit {limit_days}",
                    latest.as_deref().unwrap_or("-")
                ),
                Finding::EmptyColumn { column, .. } => column.clone(),
                Finding::PersonalInfo { info, .. } => info.clone(),
                Finding::KnownError {
                    text, correction, ..
                } => format!("{text} => {correction}"),
                Finding::UnansweredMessage { asked_on, .. } => format!("asked {asked_on}"),
                Finding::IncompleteGuide { missing, .. } => missing.join(" "),
            };
            out.push_str(&format!("{:<20} {}  {}\n", f.kind(), f.page(), detail));
        }
        for u in &self.unreached {
            out.push_str(&format!("{:<20} {}  {}\n", "unreached", u.url, u.reason));
        }
        out
    }
}
