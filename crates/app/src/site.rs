//! Use cases of the site's structure, which is site-wide and belongs to system administrators:
//! columns （栏目）， organisations （机构） and settings （索引号 pattern, the interpretation limit).

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::columns::{self, ColumnInput};
use gongkai_db::orgs::{self, OrgInput};
use gongkai_db::settings;
use gongkai_domain::index_no::IndexPattern;

fn site_admin(caller: &Caller<'_>) -> Outcome<()> {
    if caller.perms.can_manage_site() {
        Ok(())
    } else {
        Err(Refusal::forbidden())
    }
}

/// Creates a column in the default site (`id` `None`) or changes one.
pub async fn save_column(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: Option<i64>,
    input: &ColumnInput,
) -> Outcome<()> {
    site_admin(caller)?;
    match id {
        Some(id) => columns::update(tx, &caller.actor, id, input).await?,
        None => {
            let site = columns::default_site(tx).await?;
            columns::create(tx, &caller.actor, site.id, input).await?;
        }
    }
    Ok(())
}

/// Creates an organisation (`id` `None`) or changes one.
pub async fn save_org(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: Option<i64>,
    input: &OrgInput,
) -> Outcome<()> {
    site_admin(caller)?;
    match id {
        Some(id) => orgs::update(tx, &caller.actor, id, input).await?,
        None => {
            orgs::create(tx, &caller.actor, input).await?;
        }
    }
    Ok(())
}

/// Saves the 索引号 pattern and, when given, the interpretation limit in working days.
pub async fn save_settings(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    pattern: &IndexPattern,
    interpretation_limit: Option<u32>,
) -> Outcome<()> {
    site_admin(caller)?;
    settings::set(tx, &caller.actor, settings::INDEX_PATTERN, pattern.as_str()).await?;
    if let Some(limit) = interpretation_limit {
        settings::set(
            tx,
            &caller.actor,
            settings::INTERPRETATION_LIMIT,
            &limit.to_string(),
        )
        .await?;
    }
    Ok(())
}
