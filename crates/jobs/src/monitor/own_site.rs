//! The portal's own site read from the database rather than guessed from a crawl: stale and empty
//! columns from the portal's columns and their items' `made_public_at`, a stale home page from
//! the newest public item, unanswered messages from the messages table. Dead links, personal
//! information, known errors and service guides still come from the crawl.

use chrono::{Months, NaiveDate};
use gongkai_db::DbResult;
use gongkai_db::monitor::OwnColumn;
use gongkai_domain::model::ColumnKind;
use gongkai_inspect::Finding;
use sqlx::AnyConnection;

/// The kinds the database answers for the own site (the crawl's are dropped).
pub const FROM_DATABASE: [&str; 4] = [
    "stale_homepage",
    "stale_column",
    "empty_column",
    "unanswered_message",
];

/// Days after which a column of this kind is stale; `None`: a column not updated by nature
/// (guides, rules, annual reports, topics, interaction, services, catalogues).
pub fn limit_days(kind: ColumnKind) -> Option<i64> {
    match kind {
        ColumnKind::News => Some(14),
        ColumnKind::Notice | ColumnKind::PolicyDocument => Some(183),
        ColumnKind::Interpretation
        | ColumnKind::Personnel
        | ColumnKind::Planning
        | ColumnKind::DataRelease => Some(365),
        _ => None,
    }
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

/// The column findings of the own site as of `as_of` (pure: rows in, findings out).
pub fn column_findings(base: &str, columns: &[OwnColumn], as_of: NaiveDate) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in columns {
        let Some(limit) = ColumnKind::from_code(&c.kind).and_then(limit_days) else {
            continue;
        };
        let page = join(base, &format!("/columns/{}", c.slug));
        let latest = c.latest_ms.and_then(gongkai_domain::china_time::date_of);
        match latest {
            None if c.items == 0 => out.push(Finding::EmptyColumn {
                page,
                column: c.name.clone(),
            }),
            Some(l) if gongkai_inspect::rules::stale(l, as_of, limit) => {
                out.push(Finding::StaleColumn {
                    page,
                    column: c.name.clone(),
                    latest: Some(l.to_string()),
                    limit_days: limit,
                })
            }
            _ => {}
        }
    }
    out
}

/// Every database-derived finding of the own site at `base`.
pub async fn findings(
    conn: &mut AnyConnection,
    base: &str,
    as_of: NaiveDate,
) -> DbResult<Vec<Finding>> {
    let columns = gongkai_db::monitor::own_columns(conn).await?;
    let mut out = column_findings(base, &columns, as_of);
    if let Some(latest) = gongkai_db::monitor::own_latest_public(conn)
        .await?
        .and_then(gongkai_domain::china_time::date_of)
        && gongkai_inspect::rules::stale(latest, as_of, 14)
    {
        out.push(Finding::StaleHomepage {
            page: join(base, "/"),
            latest: latest.to_string(),
        });
    }
    let limit = as_of
        .checked_sub_months(Months::new(3))
        .unwrap_or(as_of)
        .to_string();
    for (id, asked_on) in gongkai_db::monitor::own_unanswered_messages(conn, &limit).await? {
        // A message has no public page until answered: its page is where it is handled.
        out.push(Finding::UnansweredMessage {
            page: join(base, &format!("/admin/messages/{id}")),
            asked_on,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, kind: &str, items: i64, latest: Option<&str>) -> OwnColumn {
        OwnColumn {
            id: 1,
            name: name.into(),
            slug: name.into(),
            kind: kind.into(),
            items,
            latest_ms: latest.map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .unwrap()
                    .and_hms_opt(4, 0, 0)
                    .unwrap()
                    .and_utc()
                    .timestamp_millis()
            }),
        }
    }

    #[test]
    fn columns_are_judged_by_their_kind_from_the_database() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let cols = [
            col("工作动态", "news", 3, Some("2026-11-01")),
            col("通知公告", "notice", 1, Some("2026-11-01")),
            col("数据发布", "data_release", 0, None),
            col("公开指南", "guide", 0, None),
        ];
        let f = column_findings("http://gov/", &cols, as_of);
        assert_eq!(
            f,
            [
                Finding::StaleColumn {
                    page: "http://gov/columns/工作动态".into(),
                    column: "工作动态".into(),
                    latest: Some("2026-11-01".into()),
                    limit_days: 14,
                },
                Finding::EmptyColumn {
                    page: "http://gov/columns/数据发布".into(),
                    column: "数据发布".into(),
                },
            ]
        );
    }
}
