//! 办事服务 on the portal: the public service guides by department, by theme （个人 / 法人 and
//! their life events) and by search, each guide on a page that prints well, with its sample
//! forms to download and its 变更记录. Only live versions of public items are shown
//! (`gongkai_db::services::public_*`); a missing and a withdrawn guide give the same 404.
//! Each element is shown under its standard label only when it is filled in, so an inspector
//! reading the page finds exactly what the completeness rule finds; a label shares its table
//! row with the element's value (or a summary of it), so the row is never the same on every
//! guide page and an inspector does not set it aside as the site's boilerplate.

use super::{Chrome, Crumb, Href, Section, parse_id};
use crate::{AppError, AppState};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use gongkai_db::services::{self, ServiceRow};
use gongkai_domain::service::{Audience, Element, Guide, Theme, flowchart};
use minijinja::value::Serde as S;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

const TITLE: &str = "办事服务";
/// Results listed at most on one page (the catalogue is read whole: it is a few thousand rows).
const MAX_RESULTS: usize = 200;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Filter {
    q: String,
    theme: String,
    audience: String,
    org: String,
}

/// A link with its text (and a count or a note).
#[derive(Serialize)]
struct Link {
    href: Href,
    name: String,
    note: String,
}

/// One guide in a list.
fn summary(r: &ServiceRow, g: &Guide) -> Link {
    let mut note = format!("{} \u{00B7} {}", r.org_name, r.level().label());
    if let Some(v) = g.visits {
        note.push_str(&format!(" \u{00B7} {}", v.label()));
    }
    Link {
        href: Href(format!("/bsfw/{}", r.id)),
        name: g.name.clone(),
        note,
    }
}

fn theme_links(audience: Audience) -> Vec<Link> {
    Theme::ALL
        .iter()
        .filter(|t| t.audience() == audience)
        .map(|t| Link {
            href: Href(format!("/bsfw?theme={}", t.code())),
            name: t.label().into(),
            note: String::new(),
        })
        .collect()
}

/// GET /bsfw: themes, departments and the search box; with a filter, the guides it finds.
pub async fn index(
    State(state): State<AppState>,
    Query(f): Query<Filter>,
) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    let rows = services::public_list(&mut conn).await?;
    drop(conn);
    let live: Vec<(&ServiceRow, Guide)> = rows
        .iter()
        .filter_map(|r| r.live_guide().map(|g| (r, g)))
        .collect();
    let mut departments: Vec<(i64, String, usize)> = Vec::new();
    for (r, _) in &live {
        match departments.iter_mut().find(|d| d.0 == r.org_id) {
            Some(d) => d.2 += 1,
            None => departments.push((r.org_id, r.org_name.clone(), 1)),
        }
    }
    let q: String = f.q.trim().chars().take(50).collect();
    let theme = Theme::from_code(f.theme.trim());
    let audience = Audience::from_code(f.audience.trim());
    let org = f.org.trim().parse::<i64>().ok();
    let filtered = !q.is_empty() || theme.is_some() || audience.is_some() || org.is_some();
    let found: Vec<Link> = live
        .iter()
        .filter(|(r, g)| {
            (q.is_empty() || g.matches(&q))
                && theme.is_none_or(|t| g.themes.contains(&t))
                && audience.is_none_or(|a| {
                    g.audience == Some(a)
                        || g.audience == Some(Audience::Both)
                        || g.themes.iter().any(|t| t.audience() == a)
                })
                && org.is_none_or(|o| r.org_id == o)
        })
        .take(MAX_RESULTS)
        .map(|(r, g)| summary(r, g))
        .collect();
    let heading = match (theme, audience, org) {
        (Some(t), _, _) => format!("{}\u{FF1A}{}", t.audience().label(), t.label()),
        (None, Some(a), _) => format!("{}办事", a.label()),
        (None, None, Some(o)) => departments
            .iter()
            .find(|d| d.0 == o)
            .map(|d| d.1.clone())
            .unwrap_or_default(),
        _ if !q.is_empty() => format!("\u{201C}{q}\u{201D}的搜索结果"),
        _ => String::new(),
    };
    let departments: Vec<Link> = departments
        .iter()
        .map(|(id, name, n)| Link {
            href: Href(format!("/bsfw?org={id}")),
            name: name.clone(),
            note: n.to_string(),
        })
        .collect();
    let html = state.templates.render(
        "portal/bsfw.html",
        minijinja::context! {
            q => q, filtered => filtered, heading => heading, found => S(found),
            total => live.len(),
            person_themes => S(theme_links(Audience::Person)),
            legal_themes => S(theme_links(Audience::Legal)),
            departments => S(departments),
            breadcrumb => S(vec![Crumb { name: TITLE.into(), href: Href::default() }]),
            ..chrome.ctx(Section::Other, "/bsfw", TITLE)
        },
    )?;
    Ok(html.into_response())
}

/// A guide as templates show it (`portal/bsfw_elements.html`).
#[derive(Serialize)]
pub(crate) struct GuideView {
    name: String,
    themes: Vec<&'static str>,
    elements: Vec<ElementView>,
}

/// One filled element under its standard label: `text` for plain ones; `summary` and the rows
/// of its kind (`materials`, `steps`, `faq`) for the others.
#[derive(Serialize, Default)]
struct ElementView {
    label: &'static str,
    kind: &'static str,
    text: String,
    summary: String,
    materials: Vec<MaterialView>,
    steps: Vec<(String, String)>,
    faq: Vec<(String, String)>,
    /// The flowchart, built by `flowchart::svg`, which escapes every text (shown `|safe`).
    svg: Option<String>,
}

#[derive(Serialize)]
struct MaterialView {
    name: String,
    form: &'static str,
    copies: u32,
    source: String,
    file: Option<(String, Href)>,
}

/// A guide as templates show it: each filled element under its standard label, in the
/// standard order; `base` is where its forms are downloaded (`{base}/{id}/forms/{n}`).
pub(crate) fn guide_view(g: &Guide, id: i64, base: &str) -> GuideView {
    let mut elements = Vec::new();
    for e in Element::ALL.iter().copied().filter(|e| e.present_in(g)) {
        let mut v = ElementView {
            label: e.label(),
            kind: "text",
            ..Default::default()
        };
        let join = |parts: Vec<&str>, sep: &str| parts.join(sep);
        v.text = match e {
            Element::Name => g.name.clone(),
            Element::Code => g.code.clone(),
            Element::ItemType => g.item_type.map(|t| t.label()).unwrap_or_default().into(),
            Element::CompetentDept => g.competent_dept.clone(),
            Element::ImplementingOrg => g.implementing_org.clone(),
            Element::Basis => g.basis.clone(),
            Element::ServiceObject => g.service_object.clone(),
            Element::Conditions => g.conditions.clone(),
            Element::Channels => g.channels.clone(),
            Element::Place => g.place.clone(),
            Element::Hours => g.hours.clone(),
            Element::TimeLimit => {
                let mut parts = Vec::new();
                if let Some(d) = g.legal_days {
                    parts.push(format!("法定办结时限\u{FF1A}{d}个工作日"));
                }
                if let Some(d) = g.promised_days {
                    parts.push(format!("承诺办结时限\u{FF1A}{d}个工作日"));
                }
                parts.join("\u{FF1B}")
            }
            Element::Fee => g.fee.as_ref().map(|f| f.text()).unwrap_or_default(),
            Element::Result => g.result.clone(),
            Element::Delivery => g.delivery.clone(),
            Element::Phone => g.phone.clone(),
            Element::ComplaintPhone => g.complaint_phone.clone(),
            Element::Visits => g.visits.map(|v| v.label()).unwrap_or_default().into(),
            Element::Materials => {
                v.kind = "materials";
                v.summary = format!(
                    "{}\u{FF08}共 {} 项\u{FF09}",
                    join(
                        g.materials.iter().map(|m| m.name.as_str()).collect(),
                        "\u{3001}"
                    ),
                    g.materials.len()
                );
                v.materials =
                    g.materials
                        .iter()
                        .enumerate()
                        .map(|(n, m)| MaterialView {
                            name: m.name.clone(),
                            form: m.form.label(),
                            copies: m.copies,
                            source: m.source.clone(),
                            file: m.file.as_ref().map(|f| {
                                (f.file_name.clone(), Href(format!("{base}/{id}/forms/{n}")))
                            }),
                        })
                        .collect();
                String::new()
            }
            Element::Steps => {
                v.kind = "steps";
                v.summary = join(
                    g.steps.iter().map(|s| s.name.as_str()).collect(),
                    " \u{2192} ",
                );
                v.steps = g
                    .steps
                    .iter()
                    .map(|s| (s.name.clone(), s.detail.clone()))
                    .collect();
                v.svg = flowchart::svg(&format!("{}\u{FF1A}办理流程图", g.name), &g.steps);
                String::new()
            }
            Element::Faq => {
                v.kind = "faq";
                v.summary = join(
                    g.faq.iter().map(|f| f.question.as_str()).collect(),
                    "\u{FF1B}",
                );
                v.faq = g
                    .faq
                    .iter()
                    .map(|f| (f.question.clone(), f.answer.clone()))
                    .collect();
                String::new()
            }
        };
        elements.push(v);
    }
    GuideView {
        name: g.name.clone(),
        themes: g.themes.iter().map(|t| t.label()).collect(),
        elements,
    }
}

/// GET /bsfw/{id}: the live version of a public guide, with its 变更记录.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let row = services::public_get(&mut conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let versions = services::versions(&mut conn, id).await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    drop(conn);
    let guide = row.live_guide().ok_or_else(AppError::not_found)?;
    let versions: Vec<Value> = versions
        .iter()
        .map(|v| {
            let at = gongkai_db::workflow::china_time(v.published_at);
            json!({"number": v.number, "note": v.change_note, "date": at.get(..10).unwrap_or_default()})
        })
        .collect();
    let title = format!("{}办事指南", guide.name);
    let html = state.templates.render(
        "portal/bsfw_guide.html",
        minijinja::context! {
            g => S(guide_view(&guide, id, "/bsfw")), org => &row.org_name, level => row.level().label(),
            versions => S(versions),
            breadcrumb => S(vec![
                Crumb { name: TITLE.into(), href: "/bsfw".into() },
                Crumb { name: guide.name.clone(), href: Href::default() },
            ]),
            ..chrome.ctx(Section::Other, &format!("/bsfw/{id}"), &title)
        },
    )?;
    Ok(html.into_response())
}

/// GET /bsfw/{id}/forms/{n}: the sample or blank form of material `n` of the live version.
pub async fn form_file(
    State(state): State<AppState>,
    Path((id, n)): Path<(String, usize)>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let row = services::public_get(&mut conn, id)
        .await?
        .ok_or_else(AppError::not_found)?;
    drop(conn);
    let file = row
        .live_guide()
        .and_then(|g| g.materials.get(n).and_then(|m| m.file.clone()))
        .ok_or_else(AppError::not_found)?;
    let bytes = state.storage.get(&file.sha256).await?;
    Ok(crate::download::file(
        bytes,
        &file.content_type,
        &file.file_name,
        None,
        Some("public, max-age=300"),
    ))
}
