//! Organisation directory and organisation pages.

use super::{Chrome, Crumb, Href, PER_PAGE, Section, hide, parse_id};
use crate::{AppError, AppState};
use axum::extract::{Path, RawQuery, State};
use axum::response::Html;
use gongkai_db::orgs::{self, Org};
use gongkai_db::{items, public_lists};
use minijinja::value::Serde as S;
use serde::Serialize;
use std::collections::HashMap;

/// An organisation in the directory tree.
#[derive(Debug, Serialize)]
pub(crate) struct OrgNode {
    id: i64,
    name: String,
    kind: String,
    kind_label: &'static str,
    /// Public items it published.
    count: i64,
    href: Href,
    children: Vec<OrgNode>,
}

/// Nests organisations by `parent_id`. Organisations whose parent is unknown become roots; depth
/// is bounded so that a cycle in bad data cannot loop.
pub(crate) fn org_tree(all: &[Org], counts: &HashMap<i64, i64>) -> Vec<OrgNode> {
    fn node(all: &[Org], o: &Org, counts: &HashMap<i64, i64>, depth: usize) -> OrgNode {
        OrgNode {
            id: o.id,
            name: o.name.clone(),
            kind: o.kind.clone(),
            kind_label: o.kind_label(),
            count: counts.get(&o.id).copied().unwrap_or(0),
            href: format!("/orgs/{}", o.id).into(),
            children: if depth < 8 {
                all.iter()
                    .filter(|c| c.parent_id == Some(o.id) && c.id != o.id)
                    .map(|c| node(all, c, counts, depth + 1))
                    .collect()
            } else {
                Vec::new()
            },
        }
    }
    all.iter()
        .filter(|o| match o.parent_id {
            None => true,
            Some(p) => p == o.id || !all.iter().any(|x| x.id == p),
        })
        .map(|o| node(all, o, counts, 0))
        .collect()
}

/// `portal/orgs.html`: `tree` (nested `id`, `name`, `kind`, `kind_label`, `count`, `href`,
/// `children`) and `org_count`.
pub async fn index(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let all = orgs::all(&mut conn).await?;
    let counts: HashMap<i64, i64> = items::public_counts_by_org(&mut conn)
        .await?
        .into_iter()
        .collect();
    let tree = org_tree(&all, &counts);
    state.templates.render(
        "portal/orgs.html",
        minijinja::context! {
            tree => S(tree),
            org_count => all.len(),
            breadcrumb => S(vec![Crumb { name: "政府机构".into(), href: Href::default() }]),
            ..chrome.ctx(Section::Orgs, "/orgs", "政府机构")
        },
    )
}

#[derive(Serialize)]
struct OrgLink {
    id: i64,
    name: String,
    href: Href,
}

impl OrgLink {
    fn of(o: &Org) -> Self {
        Self {
            id: o.id,
            name: o.name.clone(),
            href: format!("/orgs/{}", o.id).into(),
        }
    }
}

/// `portal/org.html`: `org` (`id`, `name`, `kind`, `kind_label`, `credit_code`, `description`),
/// `parent` and `children` (`id`, `name`, `href`), `aliases` (list of strings), `breadcrumb`,
/// `items` (this page of its public items) and `pager`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Html<String>, AppError> {
    let id = parse_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let org = orgs::get(&mut conn, id).await.map_err(hide)?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let all = orgs::all(&mut conn).await?;
    let aliases = orgs::aliases_of(&mut conn, id).await?;
    let cursor = super::keyset::cursor_from_query(query.as_deref());
    let page = public_lists::public_by_org(&mut conn, id, cursor, PER_PAGE).await?;
    let here = format!("/orgs/{id}");
    let pager = super::keyset::KeysetPager::of(&page, &here);
    // Ancestors for the breadcrumb, bounded against cycles in bad data.
    let mut ancestors = Vec::new();
    let mut cur = org.parent_id;
    while let Some(p) = cur {
        let Some(o) = all.iter().find(|o| o.id == p) else {
            break;
        };
        if ancestors.len() > 16 || o.id == id {
            break;
        }
        ancestors.push(o);
        cur = o.parent_id;
    }
    let parent = ancestors.first().map(|o| OrgLink::of(o));
    let mut breadcrumb = vec![Crumb {
        name: "政府机构".into(),
        href: "/orgs".into(),
    }];
    breadcrumb.extend(ancestors.iter().rev().map(|o| Crumb {
        name: o.name.clone(),
        href: format!("/orgs/{}", o.id).into(),
    }));
    breadcrumb.push(Crumb {
        name: org.name.clone(),
        href: Href::default(),
    });
    let children: Vec<OrgLink> = all
        .iter()
        .filter(|o| o.parent_id == Some(id) && o.id != id)
        .map(OrgLink::of)
        .collect();
    state.templates.render(
        "portal/org.html",
        minijinja::context! {
            org => minijinja::context! {
                id => org.id,
                name => &org.name,
                kind => &org.kind,
                kind_label => org.kind_label(),
                credit_code => &org.credit_code,
                description => &org.description,
            },
            parent => S(parent),
            children => S(children),
            aliases => S(aliases),
            breadcrumb => S(breadcrumb),
            items => S(page.rows),
            pager => S(pager),
            ..chrome.ctx(Section::Orgs, &here, &org.name)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(id: i64, parent_id: Option<i64>) -> Org {
        Org {
            id,
            parent_id,
            code: format!("O{id}"),
            name: format!("机构{id}"),
            kind: "department".into(),
            credit_code: None,
            description: String::new(),
            sort_order: 0,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn organisations_nest_and_orphans_become_roots() {
        let all = vec![
            org(1, None),
            org(2, Some(1)),
            org(3, Some(2)),
            org(4, Some(99)),
        ];
        let counts = HashMap::from([(3, 5)]);
        let tree = org_tree(&all, &counts);
        assert_eq!(tree.len(), 2);
        assert_eq!(tree[0].children[0].children[0].id, 3);
        assert_eq!(tree[0].children[0].children[0].count, 5);
        assert_eq!(tree[1].id, 4);
    }

    #[test]
    fn a_cycle_does_not_loop() {
        let all = vec![org(1, Some(2)), org(2, Some(1))];
        // Neither is a root; nothing is shown rather than looping.
        assert!(org_tree(&all, &HashMap::new()).is_empty());
    }
}
