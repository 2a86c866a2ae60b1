//! The work-plan parser: an openness arrangement (工作要点 / 工作安排 / 实施方案 / 任务分工) in, a
//! [`Plan`] of tasks and duties out.
//!
//! Pure functions only: the caller reads the file and passes its bytes. The pipeline, one module per
//! job:
//!
//! 1. [`input`]: bytes → text (UTF-8 or GB18030; .txt, .html, .docx), with typed errors for bad input;
//! 2. [`text`]: character normalisation to one canonical form (punctuation of any width → ASCII,
//!    full-width digits → ASCII; [`text::typeset`] gives the output its full-width punctuation back),
//!    line cleaning, page chrome removal;
//! 3. [`meta`]: title, issuer, date of issue and year;
//! 4. [`table`]: tables flattened to text (`|`, tab, or one cell per line) → task rows;
//! 5. [`segment`]: headings (一、/(一)/1./(1)/①) → sections and tasks, paragraphs → duties;
//! 6. [`clause`]: responsibility clauses (bracketed, labelled, unbracketed) inside a paragraph;
//! 7. [`units`]: unit lists and their roles (lead / co / responsible);
//! 8. [`dates`]: deadlines and feedback dates resolved against the plan's year;
//! 9. [`cadence`]: publishing cadences in the `norm` vocabulary.

pub mod cadence;
pub mod clause;
pub mod dates;
pub mod error;
pub mod input;
pub mod lint;
pub mod meta;
pub mod ownership;
pub mod render;
pub mod segment;
pub mod table;
pub mod text;
pub mod units;

use serde::{Deserialize, Serialize};

pub use error::PlanError;
pub use input::{InputFormat, MAX_INPUT_BYTES};

/// A parsed plan. The JSON form of this struct is the stable output of `gongkai plan parse`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub title: Option<String>,
    pub issuer: Option<String>,
    /// `YYYY-MM-DD`
    pub issued_on: Option<String>,
    pub year: Option<i32>,
    pub tasks: Vec<Task>,
    /// `YYYY-MM-DD` of feedback dates the document sets for everyone in its closing part
    /// (`请各单位于6月30日前报送落实情况`), outside any task.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub feedback_dates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Task {
    /// The task's number as written (`23.` → 23, `(三)` → 3, a table's 序号).
    pub number: u32,
    pub title: String,
    /// The headings above the task, outermost first, as written (`一、重点公开工作任务`).
    pub section_path: Vec<String>,
    pub duties: Vec<Duty>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Duty {
    /// The paragraph(s) without the clause.
    pub text: String,
    /// The responsibility clause without its brackets, if any.
    pub clause: Option<String>,
    pub lead: Vec<String>,
    pub co: Vec<String>,
    pub responsible: Vec<String>,
    /// `YYYY-MM-DD`
    pub feedback_dates: Vec<String>,
    pub assessed: bool,
    pub deadlines: Vec<Deadline>,
    pub cadences: Vec<Cadence>,
    /// Set by a reviewer: why this duty cannot be checked automatically ( 不能自动核查 ); such a
    /// duty gets feedback rounds but no obligation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchecked_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadline {
    pub text: String,
    /// `YYYY-MM-DD`; `None` for relative limits (`3个工作日内`).
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Cadence {
    pub text: String,
    pub norm: String,
    /// The unit names (as written in the duty's lead, co or responsible lists) this cadence
    /// belongs to, when the sentence stating it names a unit (`市财政局网站按月公开` → 市财政局 ).
    /// Empty: the duty's lead and responsible units.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<String>,
    /// A due rule stated in the text or set by a reviewer, in the stored form of
    /// `planimport::due_rule_code` (`day_of_next_month:15` for 每月15日前 ). `None`: the default
    /// for the cadence (`planimport::default_due_rule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// What counts as evidence besides the column: an item's title must contain one of these
    /// words (`财政收支`). Empty: any item of the unit in the column.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Where the evidence comes from when it is not an item in a column: the system's own
    /// records (`meetings`, `filings`, `interpretations`, `opinion`; see
    /// `compliance::EvidenceSource`). `None`: published items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The most tasks a plan may have. A real 工作要点 has tens; above this the document is refused
/// (its review page would run to hundreds of megabytes), never cut short.
pub const MAX_TASKS: usize = 500;
/// The most duties (the 具体要求 of a task) of all the tasks together.
pub const MAX_DUTIES: usize = 5_000;

fn check_size(tasks: &[Task]) -> Result<(), PlanError> {
    if tasks.len() > MAX_TASKS {
        return Err(PlanError::TooManyTasks {
            count: tasks.len(),
            max: MAX_TASKS,
        });
    }
    let duties = tasks.iter().map(|t| t.duties.len()).sum::<usize>();
    if duties > MAX_DUTIES {
        return Err(PlanError::TooManyDuties {
            count: duties,
            max: MAX_DUTIES,
        });
    }
    Ok(())
}

/// Parses a document given as bytes. `format` is usually [`InputFormat::from_file_name`].
pub fn parse_bytes(bytes: &[u8], format: InputFormat) -> Result<Plan, PlanError> {
    let text = input::extract_text(bytes, format)?;
    parse_text(&text)
}

/// Parses a document given as text.
pub fn parse_text(raw: &str) -> Result<Plan, PlanError> {
    if raw.trim().is_empty() {
        return Err(PlanError::Empty);
    }
    if raw.len() > input::MAX_TEXT_BYTES {
        return Err(PlanError::TooMuchText {
            max_kb: input::MAX_TEXT_BYTES / 1024,
        });
    }
    let lines = text::clean_lines(raw);
    let (meta, body) = meta::extract(&lines);
    let year = meta.year;
    let mut tasks = table::parse_tables(&body, year);
    let mut feedback_dates = Vec::new();
    if tasks.is_empty() {
        let (prose, closing) = segment::parse_prose(&body, year);
        tasks = prose;
        for d in closing.iter().flat_map(|t| dates::feedback_dates(t, year)) {
            if !feedback_dates.contains(&d) {
                feedback_dates.push(d);
            }
        }
    }
    if tasks.is_empty() {
        return Err(PlanError::NoTasks);
    }
    check_size(&tasks)?;
    let mut plan = Plan {
        title: meta.title,
        issuer: meta.issuer,
        issued_on: meta.issued_on,
        year,
        tasks,
        feedback_dates,
    };
    plan.typeset();
    Ok(plan)
}

impl Plan {
    /// Gives every text of the plan its official full-width punctuation back (the parser works on
    /// ASCII punctuation internally; see [`text`]).
    fn typeset(&mut self) {
        let t = |s: &mut String| *s = text::typeset(s);
        let ts = |v: &mut Vec<String>| v.iter_mut().for_each(|s| *s = text::typeset(s));
        self.title.as_mut().map(t);
        self.issuer.as_mut().map(t);
        for task in &mut self.tasks {
            t(&mut task.title);
            ts(&mut task.section_path);
            for d in &mut task.duties {
                t(&mut d.text);
                d.clause.as_mut().map(t);
                ts(&mut d.lead);
                ts(&mut d.co);
                ts(&mut d.responsible);
                d.deadlines.iter_mut().for_each(|x| t(&mut x.text));
                for c in &mut d.cadences {
                    t(&mut c.text);
                    ts(&mut c.units);
                }
            }
        }
    }

    /// The stable JSON form (pretty-printed, keys in the documented order).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Builds a duty from its text and clause: units and roles, dates, cadences.
pub(crate) fn build_duty(text: String, clause: Option<String>, year: Option<i32>) -> Duty {
    let mut duty = Duty {
        text,
        ..Duty::default()
    };
    if let Some(c) = &clause {
        let roles = units::parse_roles(c);
        duty.lead = roles.lead;
        duty.co = roles.co;
        duty.responsible = roles.responsible;
        duty.assessed = c.contains("考核") || c.contains("考评");
        duty.feedback_dates = dates::feedback_dates(c, year);
        for (label, value) in units::labelled_fields(c) {
            if units::label_kind(&label) == units::Label::Deadline {
                duty.deadlines.extend(dates::deadline_value(&value, year));
            }
        }
        for d in dates::deadlines(c, year) {
            if !duty.deadlines.iter().any(|x| x.text.contains(&d.text)) {
                duty.deadlines.push(d);
            }
        }
    }
    for d in dates::deadlines(&duty.text, year) {
        if !duty.deadlines.iter().any(|x| x.text == d.text) {
            duty.deadlines.push(d);
        }
    }
    duty.cadences = duty.own_cadences();
    duty.clause = clause;
    duty
}

impl Duty {
    /// The cadences the duty's text states, each with the units its sentence names, followed by
    /// its dated deadlines as one-off cadences.
    pub(crate) fn own_cadences(&self) -> Vec<Cadence> {
        let names = self.unit_names();
        let mut out = ownership::owned_cadences(&self.text, &names);
        for c in ownership::deadline_cadences(&self.text, &self.deadlines, &names) {
            if !out.iter().any(|x| x.norm == c.norm && x.units == c.units) {
                out.push(c);
            }
        }
        out
    }

    /// Every unit name of the duty, lead first, then co and responsible, without repeats.
    pub fn unit_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in self.lead.iter().chain(&self.co).chain(&self.responsible) {
            if !out.contains(n) {
                out.push(n.clone());
            }
        }
        out
    }
}
