//! The site's profile (`gongkai_domain::site_profile`): the name lives on the `sites` row, every
//! other field in `settings` under `site.<field>`; the logo in `settings` too (hex, a few hundred
//! KB at most), so every node serves it from the shared database. Also the first-run state: a
//! fresh install is `site.setup_pending` until the system administrator completes setup.

use crate::audit::{self, Entry};
use crate::{Actor, DbError, DbResult, columns, orgs, settings};
use gongkai_domain::orgimport::OrgRow;
use gongkai_domain::site_profile::SiteProfile;
use sqlx::AnyConnection;

/// Set on a fresh install without `--demo`; removed when setup is completed.
pub const SETUP_PENDING: &str = "site.setup_pending";
/// Set on the demo site: `panjin`.
pub const DEMO: &str = "site.demo";
const LOGO: &str = "site_logo";
const LOGO_VERSION: &str = "site_logo_version";

fn key(field: &str) -> String {
    format!("site.{field}")
}

async fn put(conn: &mut AnyConnection, key: &str, value: &str) -> DbResult<()> {
    sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
        .bind(key)
        .bind(value)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn remove(conn: &mut AnyConnection, key: &str) -> DbResult<()> {
    sqlx::query("DELETE FROM settings WHERE key = $1")
        .bind(key)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The profile: the default site's name and the stored fields (empty when unset).
pub async fn load(conn: &mut AnyConnection) -> DbResult<SiteProfile> {
    let site = columns::default_site(conn).await?;
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, value FROM settings WHERE key LIKE 'site.%'")
            .fetch_all(&mut *conn)
            .await?;
    let mut p = SiteProfile {
        name: site.name,
        ..Default::default()
    };
    for (k, v) in rows {
        if let Some(field) = k.strip_prefix("site.") {
            p.set_field(field, v);
        }
    }
    Ok(p)
}

/// Writes a validated profile: the site's name and every field; one audit entry.
pub async fn save(conn: &mut AnyConnection, actor: &Actor, p: &SiteProfile) -> DbResult<()> {
    let before = load(conn).await?;
    write(conn, p).await?;
    let site_id = columns::default_site(conn).await?.id;
    audit::record(
        conn,
        actor,
        Entry {
            action: "site.profile",
            entity: "site",
            entity_id: site_id.to_string(),
            summary: format!("修改站点设置\u{FF08}{}\u{FF09}", p.name),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(p).ok(),
        },
    )
    .await?;
    Ok(())
}

async fn write(conn: &mut AnyConnection, p: &SiteProfile) -> DbResult<()> {
    let site = columns::default_site(conn).await?;
    sqlx::query("UPDATE sites SET name = $1 WHERE id = $2")
        .bind(&p.name)
        .bind(site.id)
        .execute(&mut *conn)
        .await?;
    for field in SiteProfile::KEYS {
        let value = p.field(field);
        if value.is_empty() {
            remove(conn, &key(field)).await?;
        } else {
            put(conn, &key(field), value).await?;
        }
    }
    Ok(())
}

/// Whether the first-run setup is still to be done.
pub async fn setup_pending(conn: &mut AnyConnection) -> DbResult<bool> {
    Ok(settings::get(conn, SETUP_PENDING).await?.is_some())
}

/// Marks a fresh install as waiting for setup (no audit entry: part of the seed's transaction).
pub(crate) async fn mark_setup_pending(conn: &mut AnyConnection) -> DbResult<()> {
    put(conn, SETUP_PENDING, "1").await
}

/// Whether this is the demo site.
pub async fn is_demo(conn: &mut AnyConnection) -> DbResult<bool> {
    Ok(settings::get(conn, DEMO).await?.is_some())
}

pub(crate) async fn mark_demo(conn: &mut AnyConnection, p: &SiteProfile) -> DbResult<()> {
    put(conn, DEMO, "panjin").await?;
    write(conn, p).await
}

/// Completes first-run setup: the government's name, region and level, the organisations of
/// the list (may be empty when they were added one by one), the site's owner (the organisation
/// named like the government, else the first top-level one). Refused when no organisation exists
/// afterwards. The caller's transaction makes it all or nothing.
pub async fn complete_setup(
    conn: &mut AnyConnection,
    actor: &Actor,
    identity: &SiteProfile,
    rows: &[OrgRow],
) -> DbResult<usize> {
    let mut p = load(conn).await?;
    p.name.clone_from(&identity.name);
    p.region.clone_from(&identity.region);
    p.level.clone_from(&identity.level);
    write(conn, &p).await?;
    let imported = if rows.is_empty() {
        0
    } else {
        orgs::import(conn, actor, rows).await?.len()
    };
    let all = orgs::all(conn).await?;
    if all.is_empty() {
        return Err(gongkai_domain::Invalid::one(
            "file",
            "请上传机构名单\u{FF0C}或先在“机构管理”中逐个添加机构",
        )
        .into());
    }
    let owner = all
        .iter()
        .find(|o| o.name == p.name)
        .or_else(|| all.iter().find(|o| o.parent_id.is_none()))
        .map(|o| o.id);
    let site = columns::default_site(conn).await?;
    sqlx::query("UPDATE sites SET owner_org_id = $1 WHERE id = $2")
        .bind(owner)
        .bind(site.id)
        .execute(&mut *conn)
        .await?;
    remove(conn, SETUP_PENDING).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "site.setup",
            entity: "site",
            entity_id: site.id.to_string(),
            summary: format!(
                "完成站点初始设置\u{FF1A}{}\u{FF08}{}\u{FF0C}{}\u{FF09}\u{FF0C}导入机构 {imported} 个",
                p.name,
                p.region,
                p.level_label()
            ),
            before: None,
            after: serde_json::to_value(&p).ok(),
        },
    )
    .await?;
    Ok(imported)
}

/// The logo's content type and bytes, if one was uploaded.
pub async fn logo(conn: &mut AnyConnection) -> DbResult<Option<(String, Vec<u8>)>> {
    let Some(stored) = settings::get(conn, LOGO).await? else {
        return Ok(None);
    };
    let Some((ctype, hex)) = stored.split_once(';') else {
        return Ok(None);
    };
    Ok(hex::decode(hex).ok().map(|b| (ctype.to_string(), b)))
}

/// A token that changes with the logo (for the image's address), if there is one.
pub async fn logo_version(conn: &mut AnyConnection) -> DbResult<Option<String>> {
    settings::get(conn, LOGO_VERSION).await
}

/// Stores (`Some`) or removes (`None`) the logo; the content type was checked by
/// `site_profile::logo_type`. Audited.
pub async fn set_logo(
    conn: &mut AnyConnection,
    actor: &Actor,
    logo: Option<(&str, &[u8])>,
) -> DbResult<()> {
    let summary = match logo {
        Some((ctype, bytes)) => {
            if !ctype.starts_with("image/") || ctype.contains(';') {
                return Err(DbError::Config(format!("站点标志类型无效\u{FF1A}{ctype}")));
            }
            put(conn, LOGO, &format!("{ctype};{}", hex::encode(bytes))).await?;
            put(conn, LOGO_VERSION, &crate::now_ms().to_string()).await?;
            format!(
                "上传站点标志\u{FF08}{ctype}\u{FF0C}{} 字节\u{FF09}",
                bytes.len()
            )
        }
        None => {
            remove(conn, LOGO).await?;
            remove(conn, LOGO_VERSION).await?;
            "删除站点标志".to_string()
        }
    };
    let site = columns::default_site(conn).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "site.logo",
            entity: "site",
            entity_id: site.id.to_string(),
            summary,
            before: None,
            after: None,
        },
    )
    .await?;
    Ok(())
}
