//! Organisations (机构) with hierarchy and aliases.

use crate::audit::{self, Entry};
use crate::error::OnUnique;
use crate::{Actor, DbError, DbResult, now_ms};
use gongkai_domain::model::OrgKind;
use gongkai_domain::{Invalid, credit_code, validate};
use serde::Serialize;
use sqlx::AnyConnection;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Org {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub credit_code: Option<String>,
    pub description: String,
    pub sort_order: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Org {
    pub fn kind_label(&self) -> &'static str {
        OrgKind::from_code(&self.kind)
            .map(|k| k.label())
            .unwrap_or("未知")
    }
}

/// Input for creating or editing an organisation, as text.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct OrgFields {
    pub name: String,
    pub code: String,
    pub kind: String,
    pub parent_id: String,
    pub credit_code: String,
    pub description: String,
    pub aliases: String,
    pub sort_order: String,
}

pub struct OrgInput {
    pub name: String,
    pub code: String,
    pub kind: OrgKind,
    pub parent_id: Option<i64>,
    pub credit_code: Option<String>,
    pub description: String,
    pub aliases: Vec<String>,
    pub sort_order: i64,
}

impl OrgFields {
    pub fn validate(&self) -> Result<OrgInput, Invalid> {
        let mut inv = Invalid::default();
        let name = validate::required_text(&mut inv, "name", "机构名称", &self.name, 60);
        let code = self.code.trim().to_string();
        if code.is_empty()
            || code.len() > 32
            || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            inv.push("code", "机构代码须为1至32位英文字母、数字或连字符");
        }
        let kind = OrgKind::from_code(self.kind.trim()).unwrap_or_else(|| {
            inv.push("kind", "请选择机构类型");
            OrgKind::Other
        });
        let parent_id = match self.parent_id.trim() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    inv.push("parent_id", "上级机构无效");
                    None
                }
            },
        };
        let credit = self.credit_code.trim().to_ascii_uppercase();
        let credit_code = if credit.is_empty() {
            None
        } else {
            if !credit_code::is_valid(&credit) {
                inv.push("credit_code", "统一社会信用代码应为18位且校验位正确");
            }
            Some(credit)
        };
        let aliases: Vec<String> = self
            .aliases
            .split(['、', ',', ',', '\n', ';', ';'])
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        if aliases.iter().any(|a| validate::char_len(a) > 60) {
            inv.push("aliases", "每个别名不能超过60个字");
        }
        if aliases.contains(&name) {
            inv.push("aliases", "别名不能与机构名称相同");
        }
        let sort_order = match self.sort_order.trim() {
            "" => 0,
            s => s.parse::<i64>().unwrap_or_else(|_| {
                inv.push("sort_order", "排序号须为整数");
                0
            }),
        };
        let description =
            validate::optional_text(&mut inv, "description", "机构简介", &self.description, 2000)
                .unwrap_or_default();
        inv.into_result()?;
        Ok(OrgInput {
            name,
            code,
            kind,
            parent_id,
            credit_code,
            description,
            aliases,
            sort_order,
        })
    }
}

pub async fn all(conn: &mut AnyConnection) -> DbResult<Vec<Org>> {
    Ok(
        sqlx::query_as("SELECT * FROM organisations ORDER BY sort_order, id")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> DbResult<Org> {
    sqlx::query_as("SELECT * FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::NotFound("机构不存在"))
}

pub async fn aliases_of(conn: &mut AnyConnection, id: i64) -> DbResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT alias FROM organisation_aliases WHERE organisation_id = $1 ORDER BY alias",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

/// The organisation and all organisations below it, from an already loaded list.
pub fn subtree(all: &[Org], root: i64) -> Vec<i64> {
    crate::tree::subtree(all, root)
}

impl crate::tree::Node for Org {
    fn id(&self) -> i64 {
        self.id
    }
    fn parent_id(&self) -> Option<i64> {
        self.parent_id
    }
}

/// Looks an organisation up by its name or one of its aliases.
pub async fn find_by_name(conn: &mut AnyConnection, name: &str) -> DbResult<Option<Org>> {
    Ok(sqlx::query_as(
        "SELECT * FROM organisations WHERE name = $1 \
         OR id IN (SELECT organisation_id FROM organisation_aliases WHERE alias = $1)",
    )
    .bind(name)
    .fetch_optional(conn)
    .await?)
}

async fn check_parent(
    conn: &mut AnyConnection,
    id: Option<i64>,
    parent: Option<i64>,
) -> DbResult<()> {
    let all = all(conn).await?;
    Ok(crate::tree::check_parent(&all, id, parent, "机构")?)
}

async fn write_aliases(conn: &mut AnyConnection, id: i64, aliases: &[String]) -> DbResult<()> {
    sqlx::query("DELETE FROM organisation_aliases WHERE organisation_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for a in aliases {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE name = $1")
            .bind(a)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Err(Invalid::one("aliases", format!("别名“{a}”与已有机构名称重复")).into());
        }
        sqlx::query("INSERT INTO organisation_aliases (alias, organisation_id) VALUES ($1, $2)")
            .bind(a)
            .bind(id)
            .execute(&mut *conn)
            .await
            .on_unique("aliases", &format!("别名“{a}”已被其他机构使用"))?;
    }
    Ok(())
}

pub async fn create(conn: &mut AnyConnection, actor: &Actor, input: &OrgInput) -> DbResult<i64> {
    check_parent(conn, None, input.parent_id).await?;
    let now = now_ms();
    let alias_taken: Option<i64> =
        sqlx::query_scalar("SELECT organisation_id FROM organisation_aliases WHERE alias = $1")
            .bind(&input.name)
            .fetch_optional(&mut *conn)
            .await?;
    if alias_taken.is_some() {
        return Err(Invalid::one("name", "机构名称已作为其他机构的别名登记").into());
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organisations (parent_id, code, name, kind, credit_code, description, sort_order, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
    )
    .bind(input.parent_id)
    .bind(&input.code)
    .bind(&input.name)
    .bind(input.kind.code())
    .bind(&input.credit_code)
    .bind(&input.description)
    .bind(input.sort_order)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .on_unique("name", "机构名称、机构代码或统一社会信用代码与已有机构重复")?;
    write_aliases(conn, id, &input.aliases).await?;
    crate::search_outbox::record_kind(conn, gongkai_domain::model::SearchKind::Org, id).await?;
    let after = serde_json::to_value(get(conn, id).await?).ok();
    let summary = format!("新建机构“{}”", input.name);
    audit::record(
        conn,
        actor,
        Entry::created("org.create", "organisation", id, summary, after),
    )
    .await?;
    Ok(id)
}

pub async fn update(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    input: &OrgInput,
) -> DbResult<()> {
    let before = get(conn, id).await?;
    check_parent(conn, Some(id), input.parent_id).await?;
    sqlx::query(
        "UPDATE organisations SET parent_id = $1, code = $2, name = $3, kind = $4, credit_code = $5, \
         description = $6, sort_order = $7, updated_at = $8 WHERE id = $9",
    )
    .bind(input.parent_id)
    .bind(&input.code)
    .bind(&input.name)
    .bind(input.kind.code())
    .bind(&input.credit_code)
    .bind(&input.description)
    .bind(input.sort_order)
    .bind(now_ms())
    .bind(id)
    .execute(&mut *conn)
    .await
    .on_unique("name", "机构名称、机构代码或统一社会信用代码与已有机构重复")?;
    write_aliases(conn, id, &input.aliases).await?;
    crate::search_outbox::record_kind(conn, gongkai_domain::model::SearchKind::Org, id).await?;
    let after = get(conn, id).await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "org.update",
            entity: "organisation",
            entity_id: id.to_string(),
            summary: format!("修改机构“{}”", after.name),
            before: serde_json::to_value(before).ok(),
            after: serde_json::to_value(after).ok(),
        },
    )
    .await?;
    Ok(())
}

/// Organisations whose name or an alias contains `q` (the unit picker's search), in tree order.
pub async fn search(conn: &mut AnyConnection, q: &str) -> DbResult<Vec<Org>> {
    let q = q.trim();
    let pattern = format!(
        "%{}%",
        q.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(sqlx::query_as(
        "SELECT * FROM organisations WHERE name LIKE $1 ESCAPE '\\' \
         OR id IN (SELECT organisation_id FROM organisation_aliases WHERE alias LIKE $1 ESCAPE '\\') \
         ORDER BY sort_order, id",
    )
    .bind(pattern)
    .fetch_all(conn)
    .await?)
}

/// Remembers `alias` as another name of organisation `org_id` (a reviewer mapped a plan's unit
/// name to it, so the next import matches it), audited. Nothing is written, and `Ok(false)`
/// returned, when the name is empty or already an organisation's name or alias.
pub async fn remember_alias(
    conn: &mut AnyConnection,
    actor: &Actor,
    alias: &str,
    org_id: i64,
) -> DbResult<bool> {
    let alias = alias.trim();
    if alias.is_empty() || find_by_name(conn, alias).await?.is_some() {
        return Ok(false);
    }
    let org = get(conn, org_id).await?;
    sqlx::query("INSERT INTO organisation_aliases (alias, organisation_id) VALUES ($1, $2)")
        .bind(alias)
        .bind(org_id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        actor,
        Entry {
            action: "org.alias",
            entity: "organisation",
            entity_id: org_id.to_string(),
            summary: format!(
                "记住“{alias}”为机构“{}”的别名（导入工作安排时核对确认）",
                org.name
            ),
            before: None,
            after: Some(serde_json::json!({"alias": alias, "organisation_id": org_id})),
        },
    )
    .await?;
    Ok(true)
}

/// The organisation registry with aliases, for matching unit names written in a plan.
pub async fn registry(conn: &mut AnyConnection) -> DbResult<gongkai_domain::orgmatch::Registry> {
    let orgs = all(conn).await?;
    let aliases: Vec<(String, i64)> =
        sqlx::query_as("SELECT alias, organisation_id FROM organisation_aliases")
            .fetch_all(&mut *conn)
            .await?;
    let entries = orgs
        .into_iter()
        .map(|o| gongkai_domain::orgmatch::RegistryOrg {
            aliases: aliases
                .iter()
                .filter(|(_, id)| *id == o.id)
                .map(|(a, _)| a.clone())
                .collect(),
            kind: OrgKind::from_code(&o.kind).unwrap_or(OrgKind::Other),
            id: o.id,
            name: o.name,
            parent_id: o.parent_id,
        })
        .collect();
    Ok(gongkai_domain::orgmatch::Registry::new(entries))
}

/// What an imported list must not repeat: every name and alias, code and credit code.
pub async fn existing(conn: &mut AnyConnection) -> DbResult<gongkai_domain::orgimport::Existing> {
    let all = all(conn).await?;
    let aliases: Vec<String> = sqlx::query_scalar("SELECT alias FROM organisation_aliases")
        .fetch_all(&mut *conn)
        .await?;
    Ok(gongkai_domain::orgimport::Existing {
        names: all.iter().map(|o| o.name.clone()).chain(aliases).collect(),
        codes: all.iter().map(|o| o.code.clone()).collect(),
        credit_codes: all.iter().filter_map(|o| o.credit_code.clone()).collect(),
    })
}

/// Creates the organisations of a checked list (`gongkai_domain::orgimport::parse`, parents
/// first), each with the audit entry `create` writes, plus one entry for the import. An
/// organisation without a code gets the next free `JG0001`, `JG0002`, …
pub async fn import(
    conn: &mut AnyConnection,
    actor: &Actor,
    rows: &[gongkai_domain::orgimport::OrgRow],
) -> DbResult<Vec<i64>> {
    let mut codes: std::collections::HashSet<String> =
        all(conn).await?.into_iter().map(|o| o.code).collect();
    let mut next = 1usize;
    let mut ids: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for (pos, row) in rows.iter().enumerate() {
        let parent_id = match &row.parent {
            None => None,
            Some(p) => match ids.get(p.as_str()) {
                Some(id) => Some(*id),
                None => Some(
                    find_by_name(conn, p)
                        .await?
                        .ok_or_else(|| {
                            Invalid::one(
                                "file",
                                format!("第{}行\u{FF1A}上级机构“{p}”不存在", row.line),
                            )
                        })?
                        .id,
                ),
            },
        };
        let code = match &row.code {
            Some(c) => c.clone(),
            None => loop {
                let c = format!("JG{next:04}");
                next += 1;
                if !codes.contains(&c) {
                    break c;
                }
            },
        };
        codes.insert(code.clone());
        let input = OrgInput {
            name: row.name.clone(),
            code,
            kind: row.kind,
            parent_id,
            credit_code: row.credit_code.clone(),
            description: String::new(),
            aliases: row.aliases.clone(),
            sort_order: pos as i64,
        };
        let id = create(conn, actor, &input).await.map_err(|e| match e {
            DbError::Invalid(inv) => {
                Invalid::one("file", format!("第{}行\u{FF1A}{}", row.line, inv.summary())).into()
            }
            other => other,
        })?;
        ids.insert(row.name.as_str(), id);
        out.push(id);
    }
    audit::record(
        conn,
        actor,
        Entry {
            action: "org.import",
            entity: "organisation",
            entity_id: String::new(),
            summary: format!("导入机构名单\u{FF1A}{} 个机构", rows.len()),
            before: None,
            after: Some(serde_json::json!(
                rows.iter().map(|r| r.name.as_str()).collect::<Vec<_>>()
            )),
        },
    )
    .await?;
    Ok(out)
}
