//! The working-day calendar's day overrides (`calendar_days`): statutory holidays and 调休
//! make-up workdays.
//!
//! The shipped 2017–2026 arrangements (`gongkai_domain::calendar::shipped_overrides`) are inserted
//! by migration `0002_calendar`, once: later edits and deletions by administrators are never
//! overwritten. A later release that ships another year adds a migration with
//! `INSERT … ON CONFLICT (date) DO NOTHING` for that year's days. The tests below check that the
//! migrations carry exactly the shipped table.

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, now_ms};
use chrono::{Datelike, NaiveDate};
use gongkai_domain::CivilDate;
use gongkai_domain::calendar::{Calendar, DayKind, DayOverride, weekday_zh};
use gongkai_domain::{Invalid, validate};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// The years an administrator may enter (dates are stored as four-digit `YYYY-MM-DD` text).
pub const YEARS: (i32, i32) = (1949, 2199);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CalendarDay {
    #[sqlx(try_from = "String")]
    pub date: CivilDate,
    /// `holiday` or `workday`.
    pub kind: String,
    pub name: String,
    /// The notice or other basis, e.g. 国办发明电〔2016〕17号; empty if none was given.
    pub source: String,
    pub updated_at: i64,
}

impl CalendarDay {
    pub fn kind_label(&self) -> &'static str {
        DayKind::from_code(&self.kind)
            .map(|k| k.label())
            .unwrap_or("未知")
    }

    /// 星期一 … 星期日, or empty for an unreadable date.
    pub fn weekday_label(&self) -> &'static str {
        weekday_zh(self.date.naive())
    }

    /// The domain form; `None` for a row that does not parse (never written by this module).
    pub fn to_override(&self) -> Option<DayOverride> {
        Some(DayOverride {
            date: self.date.naive(),
            kind: DayKind::from_code(&self.kind)?,
            name: self.name.clone(),
            source: self.source.clone(),
        })
    }
}

/// The form of one override, as submitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DayFields {
    pub date: String,
    pub kind: String,
    pub name: String,
    pub source: String,
}

/// A validated override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayInput {
    pub date: NaiveDate,
    pub kind: DayKind,
    pub name: String,
    pub source: String,
}

impl DayFields {
    pub fn validate(&self) -> Result<DayInput, Invalid> {
        let mut inv = Invalid::default();
        let raw = self.date.trim();
        let date = if raw.is_empty() {
            inv.push("date", "请填写日期");
            None
        } else {
            match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(d) if (YEARS.0..=YEARS.1).contains(&d.year()) => Some(d),
                Ok(_) => {
                    inv.push("date", format!("日期须在{}年至{}年之间", YEARS.0, YEARS.1));
                    None
                }
                Err(_) => {
                    inv.push("date", "日期格式应为 年-月-日，例如 2027-10-01");
                    None
                }
            }
        };
        let kind = DayKind::from_code(self.kind.trim());
        if kind.is_none() {
            inv.push("kind", "请选择类型：放假或调休上班");
        }
        let name = validate::required_text(&mut inv, "name", "节日名称", &self.name, 40);
        let source = validate::optional_text(&mut inv, "source", "依据", &self.source, 200)
            .unwrap_or_default();
        if let (Some(d), Some(DayKind::Workday)) = (date, kind)
            && !matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun)
        {
            inv.push(
                "kind",
                format!(
                    "{d}是{}，本来就是工作日；调休上班只用于周六或周日",
                    weekday_zh(d)
                ),
            );
        }
        inv.into_result()?;
        match (date, kind) {
            (Some(date), Some(kind)) => Ok(DayInput {
                date,
                kind,
                name,
                source,
            }),
            // Unreachable: a missing date or kind pushed an error above.
            _ => Err(Invalid::one("date", "请填写日期")),
        }
    }
}

impl From<&CalendarDay> for DayFields {
    fn from(d: &CalendarDay) -> Self {
        DayFields {
            date: d.date.to_string(),
            kind: d.kind.clone(),
            name: d.name.clone(),
            source: d.source.clone(),
        }
    }
}

pub async fn get(conn: &mut AnyConnection, date: NaiveDate) -> DbResult<Option<CalendarDay>> {
    Ok(
        sqlx::query_as("SELECT * FROM calendar_days WHERE date = $1")
            .bind(date.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// The overrides dated in `year`, in date order.
pub async fn list_year(conn: &mut AnyConnection, year: i32) -> DbResult<Vec<CalendarDay>> {
    Ok(
        sqlx::query_as("SELECT * FROM calendar_days WHERE date >= $1 AND date <= $2 ORDER BY date")
            .bind(format!("{year:04}-01-01"))
            .bind(format!("{year:04}-12-31"))
            .fetch_all(conn)
            .await?,
    )
}

/// The years that have at least one override, ascending.
pub async fn years(conn: &mut AnyConnection) -> DbResult<Vec<i32>> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT substr(date, 1, 4) AS y FROM calendar_days ORDER BY y")
            .fetch_all(conn)
            .await?;
    Ok(rows.iter().filter_map(|y| y.parse().ok()).collect())
}

/// Every override, in date order.
pub async fn all(conn: &mut AnyConnection) -> DbResult<Vec<CalendarDay>> {
    Ok(sqlx::query_as("SELECT * FROM calendar_days ORDER BY date")
        .fetch_all(conn)
        .await?)
}

/// The working-day calendar as stored (shipped days plus administrators' edits), counting from
/// the next working day.
pub async fn load(conn: &mut AnyConnection) -> DbResult<Calendar> {
    let rows = all(conn).await?;
    Ok(Calendar::new(rows.iter().filter_map(|r| r.to_override())))
}

/// Adds the override for `input.date` or replaces it. Returns `true` when it was new.
pub async fn upsert(conn: &mut AnyConnection, actor: &Actor, input: &DayInput) -> DbResult<bool> {
    let before = get(conn, input.date).await?;
    sqlx::query(
        "INSERT INTO calendar_days (date, kind, name, source, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (date) DO UPDATE SET kind = excluded.kind, name = excluded.name, \
         source = excluded.source, updated_at = excluded.updated_at",
    )
    .bind(input.date.to_string())
    .bind(input.kind.code())
    .bind(&input.name)
    .bind(&input.source)
    .bind(now_ms())
    .execute(&mut *conn)
    .await?;
    let after = get(conn, input.date).await?;
    let created = before.is_none();
    audit::record(
        conn,
        actor,
        Entry {
            action: if created {
                "calendar.create"
            } else {
                "calendar.update"
            },
            entity: "calendar_day",
            entity_id: input.date.to_string(),
            summary: format!(
                "{}工作日历 {} {}：{}",
                if created { "新增" } else { "修改" },
                input.date,
                input.kind.label(),
                input.name
            ),
            before: before.and_then(|b| serde_json::to_value(b).ok()),
            after: after.and_then(|a| serde_json::to_value(a).ok()),
        },
    )
    .await?;
    Ok(created)
}

/// Adds an override; a date that already has one is a field error.
pub async fn create(conn: &mut AnyConnection, actor: &Actor, input: &DayInput) -> DbResult<()> {
    if get(conn, input.date).await?.is_some() {
        return Err(DbError::Invalid(Invalid::one(
            "date",
            format!("{}已有安排，请在列表中编辑该日期", input.date),
        )));
    }
    upsert(conn, actor, input).await.map(|_| ())
}

/// Replaces the existing override of `input.date`.
pub async fn update(conn: &mut AnyConnection, actor: &Actor, input: &DayInput) -> DbResult<()> {
    if get(conn, input.date).await?.is_none() {
        return Err(DbError::NotFound("该日期没有节假日安排"));
    }
    upsert(conn, actor, input).await.map(|_| ())
}

/// Removes the override of `date`: the day follows the Monday–Friday rule again.
pub async fn delete(conn: &mut AnyConnection, actor: &Actor, date: NaiveDate) -> DbResult<()> {
    let before = get(conn, date)
        .await?
        .ok_or(DbError::NotFound("该日期没有节假日安排"))?;
    sqlx::query("DELETE FROM calendar_days WHERE date = $1")
        .bind(date.to_string())
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "calendar.delete",
            entity: "calendar_day",
            entity_id: date.to_string(),
            summary: format!(
                "删除工作日历 {date} {}：{}",
                before.kind_label(),
                before.name
            ),
            before: serde_json::to_value(&before).ok(),
            after: None,
        },
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_domain::calendar::shipped_overrides;

    /// The `VALUES` rows the migrations must carry: one line per shipped override.
    fn shipped_values() -> String {
        shipped_overrides()
            .iter()
            .map(|o| {
                format!(
                    "    ('{}', '{}', '{}', '{}')",
                    o.date,
                    o.kind.code(),
                    o.name,
                    o.source
                )
            })
            .collect::<Vec<_>>()
            .join(",\n")
    }

    #[test]
    fn migrations_carry_exactly_the_shipped_table() {
        let expected = format!("FROM (VALUES\n{}\n) AS shipped", shipped_values());
        for (dialect, sql) in [
            (
                "sqlite",
                include_str!("../migrations/sqlite/0002_calendar.sql"),
            ),
            (
                "postgres",
                include_str!("../migrations/postgres/0002_calendar.sql"),
            ),
        ] {
            assert!(
                sql.contains(&expected),
                "migrations/{dialect}/0002_calendar.sql differs from the shipped table; it should contain:\n{expected}"
            );
        }
    }

    #[test]
    fn validation_messages_are_chinese_and_complete() {
        let f = DayFields {
            date: "2027-13-01".into(),
            kind: "weekend".into(),
            name: " ".into(),
            source: String::new(),
        };
        let e = f.validate().unwrap_err();
        assert_eq!(
            e.message_for("date"),
            Some("日期格式应为 年-月-日，例如 2027-10-01")
        );
        assert_eq!(e.message_for("kind"), Some("请选择类型：放假或调休上班"));
        assert_eq!(e.message_for("name"), Some("请填写节日名称"));
        let ok = DayFields {
            date: " 2027-10-01 ".into(),
            kind: "holiday".into(),
            name: "国庆节".into(),
            source: "".into(),
        }
        .validate()
        .unwrap();
        assert_eq!(ok.date, NaiveDate::from_ymd_opt(2027, 10, 1).unwrap());
        let weekday_worked = DayFields {
            date: "2027-10-06".into(),
            kind: "workday".into(),
            name: "国庆节".into(),
            source: "".into(),
        }
        .validate()
        .unwrap_err();
        assert!(
            weekday_worked
                .message_for("kind")
                .unwrap()
                .contains("星期三")
        );
        let far = DayFields {
            date: "99999-01-01".into(),
            kind: "holiday".into(),
            name: "x".into(),
            source: "".into(),
        };
        assert!(far.validate().is_err());
        let far = DayFields {
            date: "2300-01-01".into(),
            ..far
        };
        assert_eq!(
            far.validate().unwrap_err().message_for("date"),
            Some("日期须在1949年至2199年之间")
        );
    }

    /// Prints the migration body; run with `--ignored --nocapture` after changing the table.
    #[test]
    #[ignore]
    fn print_shipped_values() {
        #[allow(clippy::print_stdout)]
        {
            println!("{}", shipped_values());
        }
    }
}
