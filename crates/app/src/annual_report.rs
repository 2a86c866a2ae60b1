//! Use cases of the annual report （政府信息公开工作年度报告）： its handlers and editors fill in
//! their organisation's sections and table 二； the tables of applications are computed, not typed,
//! with audited adjustments for cases handled outside the system.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::annual_reports::{self, AdjustmentRow, AnnualReport, ReportInput};
use gongkai_domain::annual_report::{Format, Sections, Table2Values, table2_layout};
use gongkai_domain::application::report::{Adjustment, ReportCase, Table3, Table4, fees_in_year};

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

/// Tables 三 and 四 of an organisation's year: computed from the cases, then adjusted.
pub struct ApplicationTables {
    pub table3: Table3,
    pub table4: Table4,
    pub fees: u64,
    pub adjustments: Vec<AdjustmentRow>,
}

/// Computes tables 三 and 四 with their stored adjustments. Adjustments that would make a cell
/// negative (the cases changed since) are listed but the sum refuses them: the error says which.
pub async fn application_tables(
    conn: &mut sqlx::AnyConnection,
    org_id: i64,
    year: i32,
) -> Outcome<(ApplicationTables, Option<String>)> {
    let cal = gongkai_db::calendar::load(conn).await?;
    let cases = gongkai_db::applications::report_cases(conn, org_id, year, &cal).await?;
    let adjustments = annual_reports::adjustments(conn, org_id, year).await?;
    let inputs: Vec<ReportCase<'_>> = cases
        .iter()
        .map(|(t, c)| ReportCase {
            applicant_type: *t,
            case: c,
        })
        .collect();
    let plain: Vec<_> = cases.iter().map(|(_, c)| c).collect();
    let computed3 = Table3::compute(year, &inputs);
    let computed4 = Table4::compute(year, &plain);
    let adj: Vec<Adjustment> = adjustments
        .iter()
        .filter_map(AdjustmentRow::adjustment)
        .collect();
    let (table3, table4, problem) = match (computed3.adjusted(&adj), computed4.adjusted(&adj)) {
        (Ok(t3), Ok(t4)) => (t3, t4, None),
        (Err(e), _) | (_, Err(e)) => (computed3, computed4, Some(e)),
    };
    Ok((
        ApplicationTables {
            table3,
            table4,
            fees: fees_in_year(year, &plain),
            adjustments,
        },
        problem,
    ))
}

/// Adds an adjustment to tables 三/四 of an organisation's year (its report editors); refused
/// when it would make a cell negative.
pub async fn adjust(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    year: i32,
    adjustment: &Adjustment,
) -> Outcome<i64> {
    if !caller.perms.can_edit_annual_report_of(org_id) {
        return Err(Refusal::forbidden());
    }
    adjustment.validate()?;
    let (current, _) = application_tables(tx, org_id, year).await?;
    let refused = |msg: String| Refusal::Invalid(gongkai_domain::Invalid::one("delta", msg));
    current
        .table3
        .adjusted(std::slice::from_ref(adjustment))
        .map_err(refused)?;
    current
        .table4
        .adjusted(std::slice::from_ref(adjustment))
        .map_err(refused)?;
    Ok(annual_reports::add_adjustment(tx, &caller.actor, org_id, year, adjustment).await?)
}

/// Deletes an adjustment of the organisation (its report editors).
pub async fn remove_adjustment(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    id: i64,
) -> Outcome<()> {
    if !caller.perms.can_edit_annual_report_of(org_id) {
        return Err(Refusal::forbidden());
    }
    annual_reports::remove_adjustment(tx, &caller.actor, org_id, id).await?;
    Ok(())
}
