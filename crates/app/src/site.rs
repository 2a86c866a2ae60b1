//! Use cases of the site's structure, which is site-wide and belongs to system administrators:
//! columns （栏目）， organisations （机构）， settings （索引号 pattern, the interpretation limit),
//! the site's profile and logo, and first-run setup.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::columns::{self, ColumnInput};
use gongkai_db::orgs::{self, OrgInput};
use gongkai_db::{settings, site_profile};
use gongkai_domain::index_no::IndexPattern;
use gongkai_domain::orgimport::OrgRow;
use gongkai_domain::site_profile::SiteProfile;

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

/// Completes first-run setup: the government's identity and its organisation list (checked by
/// `gongkai_domain::orgimport::parse`; empty when the organisations were added one by one).
/// Refused once setup is done.
pub async fn complete_setup(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    identity: &SiteProfile,
    rows: &[OrgRow],
) -> Outcome<usize> {
    site_admin(caller)?;
    if !site_profile::setup_pending(tx).await? {
        return Err(Refusal::Conflict(
            "初始设置已经完成\u{FF0C}请在“站点设置”中修改".into(),
        ));
    }
    let identity = identity.validate_identity()?;
    Ok(site_profile::complete_setup(tx, &caller.actor, &identity, rows).await?)
}

/// Adds the organisations of a checked list.
pub async fn import_orgs(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    rows: &[OrgRow],
) -> Outcome<usize> {
    site_admin(caller)?;
    Ok(orgs::import(tx, &caller.actor, rows).await?.len())
}

/// Saves the site's profile (name, region, level, colours, footer identifiers, contact).
pub async fn save_profile(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    profile: &SiteProfile,
) -> Outcome<()> {
    site_admin(caller)?;
    let profile = profile.validate()?;
    site_profile::save(tx, &caller.actor, &profile).await?;
    Ok(())
}

/// Replaces the logo with an uploaded image (checked by `site_profile::logo_type`), or removes
/// it (`None`).
pub async fn set_logo(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    bytes: Option<&[u8]>,
) -> Outcome<()> {
    site_admin(caller)?;
    match bytes {
        Some(b) => {
            let ctype = gongkai_domain::site_profile::logo_type(b)?;
            site_profile::set_logo(tx, &caller.actor, Some((ctype, b))).await?;
        }
        None => site_profile::set_logo(tx, &caller.actor, None).await?,
    }
    Ok(())
}
