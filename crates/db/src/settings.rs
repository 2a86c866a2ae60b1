//! Site-wide settings stored as key/value text.

use crate::audit::{self, Entry};
use crate::{Actor, DbResult};
use gongkai_domain::guard::{DEFAULT_KNOWN_ERRORS, DEFAULT_SENSITIVE_WORDS, Lists};
use gongkai_domain::index_no::{DEFAULT_PATTERN, IndexPattern};
use sqlx::AnyConnection;

pub const INDEX_PATTERN: &str = "index_no_pattern";
pub const GUARD_SENSITIVE_WORDS: &str = "guard_sensitive_words";
pub const GUARD_KNOWN_ERRORS: &str = "guard_known_errors";
/// Working days within which a policy's interpretation must follow it (default 3).
pub const INTERPRETATION_LIMIT: &str = "interpretation_limit_working_days";

/// Working days a consulted third party or agency has to reply by default 15 under 条例第三十二条.
pub const CONSULTATION_LIMIT: &str = "applications_consultation_working_days";
/// Whether a 收费通知 stops the reply period until payment ("1", the default, or "0").
pub const FEE_PAUSES_CLOCK: &str = "applications_fee_pauses_clock";

/// The configurable rules of 依申请公开 cases, fixed into each event when it is recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CaseSettings {
    pub consultation_working_days: u32,
    pub fee_pauses_clock: bool,
}

/// The case rules as configured, or the statutory defaults.
pub async fn case_settings(conn: &mut AnyConnection) -> DbResult<CaseSettings> {
    use gongkai_domain::application::CONSULTATION_WORKING_DAYS;
    let consultation_working_days = get(conn, CONSULTATION_LIMIT)
        .await?
        .and_then(|v| v.trim().parse().ok())
        .filter(|d| (1..=60).contains(d))
        .unwrap_or(CONSULTATION_WORKING_DAYS);
    let fee_pauses_clock = get(conn, FEE_PAUSES_CLOCK).await?.as_deref() != Some("0");
    Ok(CaseSettings {
        consultation_working_days,
        fee_pauses_clock,
    })
}

pub async fn get(conn: &mut AnyConnection, key: &str) -> DbResult<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set(conn: &mut AnyConnection, actor: &Actor, key: &str, value: &str) -> DbResult<()> {
    let before = get(conn, key).await?;
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "setting.update",
            entity: "setting",
            entity_id: key.to_string(),
            summary: format!("修改设置 {key}"),
            before: before.map(serde_json::Value::String),
            after: Some(serde_json::Value::String(value.to_string())),
        },
    )
    .await?;
    Ok(())
}

/// The configured 索引号 pattern, or the default when unset or (somehow) unparsable.
pub async fn index_pattern(conn: &mut AnyConnection) -> DbResult<IndexPattern> {
    let stored = get(conn, INDEX_PATTERN).await?;
    let parsed = stored.as_deref().and_then(|s| IndexPattern::parse(s).ok());
    Ok(parsed.unwrap_or_else(default_pattern))
}

fn default_pattern() -> IndexPattern {
    #[allow(clippy::expect_used)]
    IndexPattern::parse(DEFAULT_PATTERN).expect("DEFAULT_PATTERN is valid (unit-tested in domain)")
}

/// The content guard's lists: the stored ones, each falling back to its default when unset; a
/// stored list that no longer parses falls back too (saving validates, so only by hand-editing).
pub async fn guard_lists(conn: &mut AnyConnection) -> DbResult<Lists> {
    let words = get(conn, GUARD_SENSITIVE_WORDS).await?;
    let errors = get(conn, GUARD_KNOWN_ERRORS).await?;
    Ok(Lists::parse(
        words.as_deref().unwrap_or(DEFAULT_SENSITIVE_WORDS),
        errors.as_deref().unwrap_or(DEFAULT_KNOWN_ERRORS),
    )
    .unwrap_or_default())
}

/// The interpretation limit in working days; the default when unset or (by hand-editing) invalid.
pub async fn interpretation_limit(conn: &mut AnyConnection) -> DbResult<u32> {
    let stored = get(conn, INTERPRETATION_LIMIT).await?;
    Ok(stored
        .as_deref()
        .and_then(|s| gongkai_domain::interpretation::parse_limit(s).ok())
        .unwrap_or(gongkai_domain::interpretation::DEFAULT_LIMIT_WORKING_DAYS))
}
