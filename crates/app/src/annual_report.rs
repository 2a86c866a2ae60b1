//! Use cases of the annual report （政府信息公开工作年度报告）： its handlers and editors fill in
//! their organisation's sections and table 二； the tables of applications are computed, not typed.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::annual_reports::{self, AnnualReport, ReportInput};
use gongkai_domain::annual_report::{Format, Sections, Table2Values, table2_layout};

/// What the report's form carries.
pub struct Typed {
    pub org_id: i64,
    pub year: i32,
    /// The version the editor loaded (optimistic locking).
    pub expected_version: i64,
    pub format: Format,
    pub sections: Sections,
    /// The cells of table 二 shown in `format`.
    pub table2: Table2Values,
}

/// Saves an organisation's report for a year; returns its new version.
pub async fn save(tx: &mut sqlx::AnyConnection, caller: &Caller<'_>, typed: Typed) -> Outcome<i64> {
    if !caller.perms.can_edit_annual_report_of(typed.org_id) {
        return Err(Refusal::forbidden());
    }
    let stored = annual_reports::get(tx, typed.org_id, typed.year).await?;
    let table2 = merged_cells(stored.as_ref(), typed.format, typed.table2);
    let input = ReportInput {
        format: typed.format,
        sections: typed.sections,
        table2,
    };
    Ok(annual_reports::save(
        tx,
        &caller.actor,
        typed.org_id,
        typed.year,
        typed.expected_version,
        &input,
    )
    .await?)
}

/// The form carries only the cells of its format: the other format's stored cells are kept.
fn merged_cells(
    stored: Option<&AnnualReport>,
    format: Format,
    typed: Table2Values,
) -> Table2Values {
    let shown: Vec<&str> = table2_layout(format)
        .into_iter()
        .flat_map(|g| g.rows)
        .flat_map(|r| r.cells)
        .map(|c| c.key)
        .collect();
    let mut out: Table2Values = stored
        .map(AnnualReport::table2_values)
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !shown.contains(&k.as_str()))
        .collect();
    out.extend(typed);
    out
}
