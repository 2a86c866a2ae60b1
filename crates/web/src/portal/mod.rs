//! The public portal: server-rendered pages in Simplified Chinese that work without JavaScript.
//!
//! **Only published 主动公开 items are ever shown here**: every item, list, count and attachment
//! comes from a `gongkai_db` query that includes `items::PUBLIC_SQL` (`get_public`,
//! `public_in_columns`, `public_by_org`, `attachments::get_public`, …). A missing id and a
//! non-public id give the same 404.
//!
//! Every page extends `layout_portal.html`, which expects the variables of [`Chrome::ctx`]:
//! `site` (`id`, `name`, `slug`, `logo`, `theme`), `footer` (the identifiers of `admin/site`),
//! `owner_name` (the owner organisation as 主办单位 or empty), `nav` (list of `name`,
//! `href`, `current`) and `page_title`.

pub(crate) mod bsfw;
pub(crate) mod care;
mod catalogue;
pub(crate) mod ckan;
mod data;
mod feeds;
mod form_token;
pub(crate) use form_token::COOKIE as FORM_COOKIE;
pub(crate) use ysqgk_my::COOKIE as APPLICANT_COOKIE;
mod images;
mod item;
mod keyset;
mod keywork;
mod meetings;
mod messages;
mod orgs;
mod pages;
mod proposals;
pub(crate) mod search;
mod site_pages;
pub(crate) mod sitemap;
mod ysqgk;
mod ysqgk_gk;
mod ysqgk_my;

use crate::{AppError, AppState};
use axum::Router;
use gongkai_db::columns::{self, Column, Site};
use gongkai_db::{DbError, Page, orgs as db_orgs, site_profile};
use gongkai_domain::seed::OPEN_GOV_ROOT;
use gongkai_domain::site_profile::SiteProfile;
use minijinja::Value;
use serde::Serialize;
use sqlx::AnyConnection;

/// Items per page on column and organisation lists.
pub(crate) const PER_PAGE: i64 = 20;

route_table! {
    pub(crate) fn build, ROUTES;
    "/" => get(pages::home);
    "/xxgk" => get(pages::xxgk);
    "/columns/{slug}" => get(pages::column);
    "/columns/{slug}/rss.xml" => get(feeds::column_rss);
    "/columns/{slug}/atom.xml" => get(feeds::column_atom);
    "/orgs/{id}/rss.xml" => get(feeds::org_rss);
    "/orgs/{id}/atom.xml" => get(feeds::org_atom);
    "/sitemap.xml" => get(sitemap::sitemap);
    "/xxgk/catalogue.csv" => get(catalogue::csv);
    "/xxgk/catalogue.xlsx" => get(catalogue::xlsx);
    "/items/{id}" => get(item::show);
    "/attachments/{id}/{name}" => get(item::attachment);
    "/images/{id}" => get(images::show);
    "/zdgz" => get(keywork::index);
    "/zdgz/{id}" => get(keywork::show);
    "/orgs" => get(orgs::index);
    "/orgs/{id}" => get(orgs::show);
    "/search" => get(search::search);
    "/jytabl" => get(proposals::list);
    "/jytabl/{id}" => get(proposals::show);
    "/bsfw" => get(bsfw::index);
    "/sjkf" => get(data::index);
    "/sjkf.json" => get(data::catalogue_json);
    "/sjkf/{id}" => get(data::show);
    "/sjkf/{id}/rss.xml" => get(data::feed);
    "/sjkf/{id}/files/{file_id}" => get(data::file);
    "/bsfw/{id}" => get(bsfw::show);
    "/bsfw/{id}/forms/{n}" => get(bsfw::form_file);
    "/hygk" => get(meetings::list);
    "/hygk/{id}" => get(meetings::show);
    "/hygk/{id}/apply" => post(meetings::apply);
    "/messages" => get(messages::list);
    "/messages/new" => get(messages::new_form), post(messages::submit);
    "/messages/query" => get(messages::query);
    "/messages/rate" => post(messages::rate);
    "/messages/{id}" => get(messages::show);
    "/care" => get(care::switch);
    "/site/logo" => get(site_pages::logo);
    "/site/theme.css" => get(site_pages::theme_css);
    "/lxwm" => get(site_pages::contact);
    "/wzdt" => get(site_pages::site_map);
    "/ysqgk" => get(ysqgk::guide), post(ysqgk::submit);
    "/ysqgk/cx" => get(ysqgk::lookup_form), post(ysqgk::lookup);
    "/ysqgk/my" => get(ysqgk_my::show);
    "/ysqgk/my/letters/{kind}" => get(ysqgk_my::letter);
    "/ysqgk/my/files/{id}" => get(ysqgk_my::file);
    "/ysqgk/my/supplement" => post(ysqgk_my::supplement);
    "/ysqgk/my/withdraw" => get(ysqgk_my::withdraw_form), post(ysqgk_my::withdraw);
    "/ysqgk/my/messages" => post(ysqgk_my::message);
    "/ysqgk/my/logout" => post(ysqgk_my::logout);
    "/ysqgk/gk" => get(ysqgk_gk::list);
    "/ysqgk/gk/{id}" => get(ysqgk_gk::show);
    "/ysqgk/gk/{id}/files/{file_id}" => get(ysqgk_gk::file);
    "/{file}" => get(sitemap::part), fallback(sitemap::not_found);
}

pub fn router() -> Router<AppState> {
    build()
        // The public's forms: cross-site posts are refused before any handler runs.
        .layer(axum::middleware::from_fn(crate::auth::reject_cross_site))
}

/// What every portal page shows around its content: site name, navigation, footer.
pub(crate) struct Chrome {
    pub site: Site,
    pub owner_name: String,
    /// Every column of the site, in tree order (`sort_order`, `id`).
    pub columns: Vec<Column>,
    /// The footer identifiers, contact and theme (`admin/site`).
    pub profile: SiteProfile,
    /// The logo's version when one was uploaded (its address is `/site/logo?v=…`).
    pub logo: Option<String>,
}

/// The footer as templates see it: the identifiers that are set, with their links.
#[derive(Serialize)]
struct Footer<'a> {
    sponsor: &'a str,
    organizer: &'a str,
    site_code: &'a str,
    icp: &'a str,
    icp_url: Href,
    police: &'a str,
    police_url: Href,
    conac_url: Href,
    has_contact: bool,
    phone: &'a str,
    email: &'a str,
    address: &'a str,
    postcode: &'a str,
}

#[derive(Serialize)]
struct NavLink {
    name: String,
    href: Href,
    /// The value of `aria-current`: `page` on that very page, `true` inside its section, else empty.
    current: &'static str,
}

/// A URL the portal built from validated parts (slugs, ids, percent-encoded names). It renders
/// without HTML escaping, so links read `/columns/zwdt` rather than `&#x2f;columns&#x2f;zwdt`;
/// should it ever hold a character that matters in HTML, it is escaped as usual.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Href(pub String);

impl From<String> for Href {
    fn from(s: String) -> Self {
        Href(s)
    }
}

impl From<&str> for Href {
    fn from(s: &str) -> Self {
        Href(s.to_string())
    }
}

impl Serialize for Href {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.contains(['&', '<', '>', '"', '\'', '`']) {
            self.0.serialize(s)
        } else {
            Value::from_safe_string(self.0.clone()).serialize(s)
        }
    }
}

/// A column as templates see it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ColumnView {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub kind: String,
    pub kind_label: &'static str,
    pub description: String,
    pub href: Href,
}

impl ColumnView {
    pub fn of(c: &Column) -> Self {
        Self {
            id: c.id,
            name: c.name.clone(),
            slug: c.slug.clone(),
            kind: c.kind.clone(),
            kind_label: c.kind_label(),
            description: c.description.clone(),
            href: column_href(&c.slug).into(),
        }
    }
}

/// The public address of a column: the 政府信息公开 root has its own platform page.
pub(crate) fn column_href(slug: &str) -> String {
    if slug == OPEN_GOV_ROOT {
        "/xxgk".into()
    } else {
        format!("/columns/{slug}")
    }
}

/// Which navigation entry is current.
#[derive(Clone, Copy)]
pub(crate) enum Section {
    Home,
    /// A top-level column, by id.
    Column(i64),
    Orgs,
    Other,
}

impl Chrome {
    /// The layout's data: held in memory per public-content generation when the page cache
    /// follows the generation (`page_cache`), else read from the database.
    pub async fn load(
        state: &AppState,
        conn: &mut AnyConnection,
    ) -> Result<std::sync::Arc<Self>, AppError> {
        let cache = &state.page_cache;
        let generation = cache.enabled().then(|| cache.generation()).flatten();
        if let Some(g) = generation
            && let Some(chrome) = cache.layout(g)
        {
            return Ok(chrome);
        }
        let chrome = std::sync::Arc::new(Self::read(conn).await?);
        if let Some(g) = generation {
            cache.keep_layout(g, chrome.clone());
        }
        Ok(chrome)
    }

    async fn read(conn: &mut AnyConnection) -> Result<Self, AppError> {
        let site = columns::default_site(conn).await?;
        let owner_name = match site.owner_org_id {
            Some(id) => db_orgs::get(conn, id)
                .await
                .map(|o| o.name)
                .unwrap_or_default(),
            None => String::new(),
        };
        let columns = columns::all(conn, site.id).await?;
        let profile = site_profile::load(conn).await?;
        let logo = site_profile::logo_version(conn).await?;
        Ok(Self {
            site,
            owner_name,
            columns,
            profile,
            logo,
        })
    }

    /// The top-level ancestor of a column (for highlighting the navigation).
    pub fn top_of(&self, id: i64) -> Option<i64> {
        columns::path(&self.columns, id).first().map(|c| c.id)
    }

    /// The variables the layout needs; merge page variables with `context! { …, ..chrome.ctx(…) }`.
    /// `here` is the path of the page being rendered.
    pub fn ctx(&self, section: Section, here: &str, page_title: &str) -> Value {
        let current = |href: &str, in_section: bool| {
            if href == here {
                "page"
            } else if in_section {
                "true"
            } else {
                ""
            }
        };
        let mut nav = vec![NavLink {
            name: "首页".into(),
            href: "/".into(),
            current: current("/", matches!(section, Section::Home)),
        }];
        nav.extend(
            self.columns
                .iter()
                .filter(|c| c.parent_id.is_none())
                .map(|c| {
                    let href = column_href(&c.slug);
                    NavLink {
                        name: c.name.clone(),
                        current: current(
                            &href,
                            matches!(section, Section::Column(id) if id == c.id),
                        ),
                        href: href.into(),
                    }
                }),
        );
        nav.push(NavLink {
            name: "政府机构".into(),
            href: "/orgs".into(),
            current: current("/orgs", matches!(section, Section::Orgs)),
        });
        nav.push(NavLink {
            name: "办事服务".into(),
            href: "/bsfw".into(),
            current: current("/bsfw", here.starts_with("/bsfw")),
        });
        nav.push(NavLink {
            name: "数据开放".into(),
            href: "/sjkf".into(),
            current: current("/sjkf", here.starts_with("/sjkf")),
        });
        nav.push(NavLink {
            name: "政民互动".into(),
            href: "/messages".into(),
            current: current("/messages", here.starts_with("/messages")),
        });
        let full_title = if page_title.is_empty() {
            self.site.name.clone()
        } else {
            format!("{page_title} - {}", self.site.name)
        };
        let p = &self.profile;
        let footer = Footer {
            sponsor: &p.sponsor,
            organizer: &p.organizer,
            site_code: &p.site_code,
            icp: &p.icp,
            icp_url: Href::from(gongkai_domain::site_profile::ICP_URL),
            police: &p.police,
            police_url: Href(format!(
                "{}{}",
                gongkai_domain::site_profile::POLICE_URL,
                p.police_code()
            )),
            conac_url: Href(p.conac_url.clone()),
            has_contact: p.has_contact(),
            phone: &p.phone,
            email: &p.email,
            address: &p.address,
            postcode: &p.postcode,
        };
        minijinja::context! {
            site => minijinja::context! {
                id => self.site.id,
                name => &self.site.name,
                slug => &self.site.slug,
                logo => &self.logo,
                theme => p.theme_color.trim_start_matches('#'),
            },
            footer => minijinja::value::Serde(footer),
            owner_name => &self.owner_name,
            nav => minijinja::value::Serde(nav),
            page_title => full_title,
        }
    }

    /// Breadcrumb entries (`name`, `href`) for a column, from the top-level column down.
    pub fn breadcrumb(&self, column_id: i64) -> Vec<Crumb> {
        columns::path(&self.columns, column_id)
            .iter()
            .map(|c| Crumb {
                name: c.name.clone(),
                href: column_href(&c.slug).into(),
            })
            .collect()
    }
}

/// The menu of a column's top-level section (shown beside column pages): `title`, `href`,
/// `links` (`name`, `href`, `current` as in the navigation).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Sidebar {
    pub title: String,
    pub href: Href,
    pub links: Vec<SideLink>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct SideLink {
    pub name: String,
    pub href: Href,
    pub current: &'static str,
}

impl Chrome {
    /// The section menu for a column: the children of its top-level ancestor; none when that
    /// ancestor has no children.
    pub fn sidebar(&self, column_id: i64) -> Option<Sidebar> {
        let path = columns::path(&self.columns, column_id);
        let top = path.first()?;
        let links: Vec<SideLink> = self
            .columns
            .iter()
            .filter(|c| c.parent_id == Some(top.id))
            .map(|c| SideLink {
                name: c.name.clone(),
                href: column_href(&c.slug).into(),
                current: if c.id == column_id {
                    "page"
                } else if path.iter().any(|p| p.id == c.id) {
                    "true"
                } else {
                    ""
                },
            })
            .collect();
        if links.is_empty() {
            return None;
        }
        Some(Sidebar {
            title: top.name.clone(),
            href: column_href(&top.slug).into(),
            links,
        })
    }
}

/// Gives every 404 outside the back office, the API and the static files the portal's layout, a
/// search box and the ways on ( 首页 , 政府信息公开 , 依申请公开 , 留言 ), whatever produced it: an unknown
/// path, a missing record or a non-public one (all look the same). Falls back to the plain page
/// when the layout cannot be loaded.
pub(crate) async fn not_found_in_layout(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let path = req.uri().path().to_string();
    let head = req.method() == axum::http::Method::HEAD;
    let resp = next.run(req).await;
    let portal =
        !(path.starts_with("/admin") || path.starts_with("/api/") || path.starts_with("/static/"));
    let plain = resp
        .extensions()
        .get::<crate::error::PlainNotFound>()
        .is_some();
    if resp.status() != axum::http::StatusCode::NOT_FOUND || !plain || !portal || head {
        return resp;
    }
    let page = async {
        let mut conn = state.db.pool.acquire().await?;
        let chrome = Chrome::load(&state, &mut conn).await?;
        drop(conn);
        state.templates.render(
            "portal/not_found.html",
            chrome.ctx(
                Section::Other,
                &path,
                "\u{9875}\u{9762}\u{4E0D}\u{5B58}\u{5728}",
            ),
        )
    }
    .await;
    match page {
        Ok(html) => (axum::http::StatusCode::NOT_FOUND, html).into_response(),
        Err(_) => resp,
    }
}

/// Maps "not found" to the portal's one 404 (a missing and a non-public record look the same).
pub(crate) fn hide(e: DbError) -> AppError {
    match e {
        DbError::NotFound(_) => AppError::not_found(),
        other => other.into(),
    }
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Crumb {
    pub name: String,
    /// Empty for the current page.
    pub href: Href,
}

/// Pagination as templates see it: `page`, `pages`, `total`, `base` (the list's URL without
/// `page=`; use `page_url(pager.base, n)`), `prev`/`next` (page numbers or none) and `window`
/// (page numbers, with none marking an ellipsis).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Pager {
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub base: String,
    pub prev: Option<i64>,
    pub next: Option<i64>,
    pub window: Vec<Option<i64>>,
}

impl Pager {
    pub fn of<T>(p: &Page<T>, base: &str) -> Self {
        let pages = p.pages();
        Self {
            page: p.page,
            pages,
            total: p.total,
            base: base.to_string(),
            prev: (p.page > 1).then(|| p.page - 1),
            next: (p.page < pages).then(|| p.page + 1),
            window: page_window(p.page, pages),
        }
    }
}

/// The page numbers to link: the first, the last and two either side of the current one, with
/// `None` where numbers are left out.
pub(crate) fn page_window(current: i64, pages: i64) -> Vec<Option<i64>> {
    let mut out = Vec::new();
    let mut last = 0;
    for n in 1..=pages.max(1) {
        if n == 1 || n == pages || (n - current).abs() <= 2 {
            if n - last > 1 {
                out.push(None);
            }
            out.push(Some(n));
            last = n;
        }
    }
    out
}

/// The `page` parameter of a raw query string. Anything that is not a sensible page number is 1;
/// numbers past the end are handled by the handlers (they show page 1).
pub(crate) fn page_from_query(query: Option<&str>) -> i64 {
    let value = query.and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "page")
            .map(|(_, v)| v)
    });
    match crate::util::page_param(value) {
        // Far beyond any real list; also keeps the offset arithmetic away from overflow.
        n if n > 1_000_000 => 1,
        n => n,
    }
}

/// The absolute address of the site without a trailing slash, for feeds and the sitemap: the
/// configured public URL, else the request's `Host` (only host-name characters are accepted, so
/// a forged header cannot inject markup or a path).
pub(crate) fn base_url(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    if let Some(u) = state.config.public_url.as_deref() {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                })
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}")
}

/// An id from a path segment; anything else is the same 404 as an unknown id.
pub(crate) fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(AppError::not_found)
}

/// Percent-encodes everything but RFC 3986 unreserved characters: safe in a URL path segment and
/// as the value of an RFC 5987 `filename*=UTF-8''…` parameter.
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_window_elides_far_pages() {
        assert_eq!(page_window(1, 1), vec![Some(1)]);
        assert_eq!(page_window(1, 0), vec![Some(1)]);
        assert_eq!(
            page_window(1, 10),
            vec![Some(1), Some(2), Some(3), None, Some(10)]
        );
        assert_eq!(
            page_window(6, 12),
            vec![
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(12)
            ]
        );
        // No ellipsis for a single left-out page.
        assert_eq!(
            page_window(4, 6),
            vec![Some(1), Some(2), Some(3), Some(4), Some(5), Some(6)]
        );
    }

    #[test]
    fn bad_page_numbers_are_page_one() {
        assert_eq!(page_from_query(None), 1);
        assert_eq!(page_from_query(Some("page=3")), 3);
        assert_eq!(page_from_query(Some("x=1&page=2")), 2);
        for q in [
            "page=0",
            "page=-4",
            "page=abc",
            "page=",
            "page=99999999999999999999",
            "page=9223372036854775807",
        ] {
            assert_eq!(page_from_query(Some(q)), 1, "{q}");
        }
    }

    #[test]
    fn names_are_percent_encoded() {
        assert_eq!(percent_encode("a b.pdf"), "a%20b.pdf");
        assert_eq!(
            percent_encode("通知/附件1.docx"),
            "%E9%80%9A%E7%9F%A5%2F%E9%99%84%E4%BB%B61.docx"
        );
        assert_eq!(percent_encode("x'\";"), "x%27%22%3B");
    }

    #[test]
    fn ids_must_be_positive_integers() {
        assert_eq!(parse_id("12").ok(), Some(12));
        assert!(parse_id("0").is_err());
        assert!(parse_id("1x").is_err());
        assert!(parse_id("-3").is_err());
    }

    #[test]
    fn hrefs_render_unescaped_unless_dangerous() {
        let env = minijinja::Environment::new();
        let t = env
            .template_from_named_str("t.html", "{{ a }}|{{ b }}")
            .unwrap();
        let out = t
            .render(minijinja::context! {
                a => minijinja::value::Serde(Href("/columns/zwdt?page=2".into())),
                b => minijinja::value::Serde(Href("/x\"><script>".into())),
            })
            .unwrap();
        assert_eq!(out, "/columns/zwdt?page=2|&#x2f;x&quot;&gt;&lt;script&gt;");
    }

    #[test]
    fn open_gov_root_has_its_own_page() {
        assert_eq!(column_href("xxgk"), "/xxgk");
        assert_eq!(column_href("zwdt"), "/columns/zwdt");
    }
}
