//! The annual report's stored parts (`annual_reports`, migration 0017; rules in
//! `domain::annual_report`): sections 一、五、六, the typed cells of table 二, the format and the
//! item it was published as; and the published 规章 / 行政规范性文件 that table 二 counts. Tables 三
//! and 四 come from `crate::applications::report_cases` and are never stored, only their audited
//! adjustments (`report_adjustments`, migration 0028). Saves are audited and guarded by a version
//! number.

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::annual_report::{FormalDocument, Format, Sections, Table2Values};
use gongkai_domain::application::report::{AdjustedTable, Adjustment};
use gongkai_domain::model::{LegalForm, Validity};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AnnualReport {
    pub id: i64,
    pub org_id: i64,
    pub year: i64,
    pub format: String,
    pub overview: String,
    pub problems: String,
    pub other: String,
    /// JSON object: table-二 key → validated text.
    pub table2: String,
    pub item_id: Option<i64>,
    pub version: i64,
    pub updated_by: Option<i64>,
    pub updated_at: i64,
}

impl AnnualReport {
    pub fn sections(&self) -> Sections {
        Sections {
            overview: self.overview.clone(),
            problems: self.problems.clone(),
            other: self.other.clone(),
        }
    }

    pub fn table2_values(&self) -> Table2Values {
        serde_json::from_str(&self.table2).unwrap_or_default()
    }

    pub fn format(&self) -> Format {
        Format::from_param(&self.format)
    }
}

pub async fn get(
    conn: &mut AnyConnection,
    org_id: i64,
    year: i32,
) -> DbResult<Option<AnnualReport>> {
    Ok(
        sqlx::query_as("SELECT * FROM annual_reports WHERE org_id = $1 AND year = $2")
            .bind(org_id)
            .bind(i64::from(year))
            .fetch_optional(conn)
            .await?,
    )
}

/// What one save carries.
#[derive(Debug, Clone)]
pub struct ReportInput {
    pub format: Format,
    pub sections: Sections,
    pub table2: Table2Values,
}

/// Creates or replaces the report of `org_id` and `year`. `expected_version` is the version the
/// form was loaded with (0 when there was no report yet); someone else's save in between gives
/// [`DbError::Stale`].
pub async fn save(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    year: i32,
    expected_version: i64,
    input: &ReportInput,
) -> DbResult<i64> {
    let before = get(conn, org_id, year).await?;
    let table2 = serde_json::to_string(&input.table2).unwrap_or_else(|_| "{}".into());
    let now = now_ms();
    let s = &input.sections;
    let version = match &before {
        None if expected_version == 0 => {
            sqlx::query(
                "INSERT INTO annual_reports (org_id, year, format, overview, problems, other, table2, version, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9)",
            )
            .bind(org_id)
            .bind(i64::from(year))
            .bind(input.format.code())
            .bind(&s.overview)
            .bind(&s.problems)
            .bind(&s.other)
            .bind(&table2)
            .bind(actor.user_id)
            .bind(now)
            .execute(&mut *conn)
            .await
            .map_err(|e| {
                if crate::error::is_unique_violation(&e) {
                    DbError::Stale
                } else {
                    e.into()
                }
            })?;
            1
        }
        None => return Err(DbError::Stale),
        Some(r) => {
            let n = sqlx::query(
                "UPDATE annual_reports SET format = $1, overview = $2, problems = $3, other = $4, table2 = $5, \
                 updated_by = $6, updated_at = $7, version = version + 1 WHERE id = $8 AND version = $9",
            )
            .bind(input.format.code())
            .bind(&s.overview)
            .bind(&s.problems)
            .bind(&s.other)
            .bind(&table2)
            .bind(actor.user_id)
            .bind(now)
            .bind(r.id)
            .bind(expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(DbError::Stale);
            }
            r.version + 1
        }
    };
    let after = get(conn, org_id, year).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "annual_report.save",
            entity: "annual_report",
            entity_id: format!("{org_id}/{year}"),
            summary: format!("保存{year}年度政府信息公开工作年度报告（第{version}版）"),
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: after.and_then(|a| serde_json::to_value(a).ok()),
        },
    )
    .await?;
    Ok(version)
}

/// Records the item the report was published as. `previous` is the item the caller saw (None for
/// a first publication): two publications racing each other create one item, not two — the
/// second finds the link changed and gets [`DbError::Stale`], rolling its item back.
pub async fn link_item(
    conn: &mut AnyConnection,
    actor: &Actor,
    report_id: i64,
    previous: Option<i64>,
    item_id: i64,
    summary: String,
) -> DbResult<()> {
    let n = sqlx::query(
        "UPDATE annual_reports SET item_id = $1 WHERE id = $2 AND COALESCE(item_id, 0) = $3",
    )
    .bind(item_id)
    .bind(report_id)
    .bind(previous.unwrap_or(0))
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(DbError::Stale);
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "annual_report.publish",
            entity: "annual_report",
            entity_id: report_id.to_string(),
            summary,
            before: None,
            after: Some(serde_json::json!({"item_id": item_id})),
        },
    )
    .await
}

#[derive(sqlx::FromRow)]
struct FormalRow {
    legal_form: String,
    written_on: Option<String>,
    published_at: i64,
    validity: String,
    validity_changed_on: Option<String>,
}

/// The organisation's published 规章 and 行政规范性文件 (withdrawn and unpublished items are not
/// counted: they are not 公开).
pub async fn formal_documents(
    conn: &mut AnyConnection,
    org_id: i64,
) -> DbResult<Vec<FormalDocument>> {
    let rows: Vec<FormalRow> = sqlx::query_as(
        "SELECT legal_form, written_on, published_at, validity, validity_changed_on FROM items \
         WHERE org_id = $1 AND legal_form IS NOT NULL AND status = 'published' AND published_at IS NOT NULL",
    )
    .bind(org_id)
    .fetch_all(conn)
    .await?;
    let date = |s: &Option<String>| s.as_deref().and_then(|d| d.parse().ok());
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(FormalDocument {
                legal_form: LegalForm::from_code(&r.legal_form)?,
                written_on: date(&r.written_on),
                published_on: crate::feedback::china_date(r.published_at)?,
                validity: Validity::from_code(&r.validity).unwrap_or(Validity::Valid),
                validity_changed_on: date(&r.validity_changed_on),
            })
        })
        .collect())
}

/// The column annual reports are published in: the site's first column of kind
/// `annual_report`, the standard 政府信息公开年报 (`xxgknb`) preferred.
pub async fn report_column(conn: &mut AnyConnection, site_id: i64) -> DbResult<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM columns WHERE site_id = $1 AND kind = 'annual_report' \
         ORDER BY CASE WHEN slug = 'xxgknb' THEN 0 ELSE 1 END, sort_order, id LIMIT 1",
    )
    .bind(site_id)
    .fetch_optional(conn)
    .await?)
}

/// An organisation's report of one year as the supervision board needs it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PublicationRow {
    pub org_id: i64,
    pub org_name: String,
    pub org_kind: String,
    /// The report's item status, if it was sent for publication.
    pub item_status: Option<String>,
    pub published_at: Option<i64>,
}

/// Every organisation that publishes its own report (not 单位集合) with its report of `year`,
/// in the organisation tree's order.
pub async fn publication_rows(
    conn: &mut AnyConnection,
    year: i32,
) -> DbResult<Vec<PublicationRow>> {
    Ok(sqlx::query_as(
        "SELECT o.id AS org_id, o.name AS org_name, o.kind AS org_kind, i.status AS item_status, \
         CASE WHEN i.status = 'published' THEN i.published_at END AS published_at \
         FROM organisations o \
         LEFT JOIN annual_reports r ON r.org_id = o.id AND r.year = $1 \
         LEFT JOIN items i ON i.id = r.item_id \
         WHERE o.kind <> 'collective' ORDER BY o.sort_order, o.id",
    )
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?)
}

/// A stored adjustment of table 三 or 四 with who made it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AdjustmentRow {
    pub id: i64,
    pub org_id: i64,
    pub year: i64,
    pub table_no: String,
    pub row_key: String,
    pub col_key: String,
    pub delta: i64,
    pub reason: String,
    pub created_by_name: Option<String>,
    pub created_at: i64,
}

impl AdjustmentRow {
    pub fn adjustment(&self) -> Option<Adjustment> {
        Some(Adjustment {
            table: AdjustedTable::from_code(&self.table_no)?,
            row: self.row_key.clone(),
            column: self.col_key.clone(),
            delta: self.delta,
            reason: self.reason.clone(),
        })
    }
}

/// The adjustments of an organisation's year, oldest first.
pub async fn adjustments(
    conn: &mut AnyConnection,
    org_id: i64,
    year: i32,
) -> DbResult<Vec<AdjustmentRow>> {
    Ok(sqlx::query_as(
        "SELECT a.id, a.org_id, a.year, a.table_no, a.row_key, a.col_key, a.delta, a.reason, \
         u.display_name AS created_by_name, a.created_at \
         FROM report_adjustments a LEFT JOIN users u ON u.id = a.created_by \
         WHERE a.org_id = $1 AND a.year = $2 ORDER BY a.id",
    )
    .bind(org_id)
    .bind(i64::from(year))
    .fetch_all(conn)
    .await?)
}

/// Adds a validated adjustment; audited. Its id.
pub async fn add_adjustment(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    year: i32,
    a: &Adjustment,
) -> DbResult<i64> {
    a.validate()?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO report_adjustments (org_id, year, table_no, row_key, col_key, delta, reason, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(org_id)
    .bind(i64::from(year))
    .bind(a.table.code())
    .bind(&a.row)
    .bind(&a.column)
    .bind(a.delta)
    .bind(a.reason.trim())
    .bind(actor.user_id)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "annual_report.adjust",
            entity: "report_adjustment",
            entity_id: id.to_string(),
            summary: format!(
                "{year}\u{5E74}\u{5EA6}\u{62A5}\u{544A}\u{8C03}\u{6574} {} {:+}\u{FF1A}{}",
                a.cell_label(),
                a.delta,
                a.reason.trim()
            ),
            before: None,
            after: Some(serde_json::json!({"org_id": org_id, "year": year, "adjustment": a})),
        },
    )
    .await?;
    Ok(id)
}

/// Deletes an adjustment of `org_id`; audited. `NotFound` when it is not that organisation's.
pub async fn remove_adjustment(
    conn: &mut AnyConnection,
    actor: &Actor,
    org_id: i64,
    id: i64,
) -> DbResult<AdjustmentRow> {
    let row: AdjustmentRow = sqlx::query_as(
        "SELECT a.id, a.org_id, a.year, a.table_no, a.row_key, a.col_key, a.delta, a.reason, \
         u.display_name AS created_by_name, a.created_at \
         FROM report_adjustments a LEFT JOIN users u ON u.id = a.created_by \
         WHERE a.id = $1 AND a.org_id = $2",
    )
    .bind(id)
    .bind(org_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(DbError::NotFound("调整记录"))?;
    sqlx::query("DELETE FROM report_adjustments WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "annual_report.adjust_remove",
            entity: "report_adjustment",
            entity_id: id.to_string(),
            summary: format!(
                "\u{5220}\u{9664}\u{5E74}\u{5EA6}\u{62A5}\u{544A}\u{8C03}\u{6574} {}",
                row.adjustment().map(|a| a.cell_label()).unwrap_or_default()
            ),
            before: Some(serde_json::json!({"row": row.row_key, "column": row.col_key, "delta": row.delta, "reason": row.reason})),
            after: None,
        },
    )
    .await?;
    Ok(row)
}
