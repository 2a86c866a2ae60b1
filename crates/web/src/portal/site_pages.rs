//! The pages a Chinese government website must have beside its content, from the site's
//! settings (`admin/site`): 联系我们 (`/lxwm`), the 网站地图 listing every column and portal
//! section (`/wzdt`), the uploaded logo (`/site/logo`) and the theme colour's stylesheet
//! (`/site/theme.css`, a file because the content security policy allows no inline style).

use super::{Chrome, Section, column_href};
use crate::{AppError, AppState};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use gongkai_db::site_profile;
use minijinja::value::Serde as S;
use serde::Serialize;

pub async fn logo(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let (ctype, bytes) = site_profile::logo(&mut conn)
        .await?
        .ok_or_else(AppError::not_found)?;
    let ctype = HeaderValue::from_str(&ctype).map_err(|_| AppError::not_found())?;
    Ok((
        [
            (header::CONTENT_TYPE, ctype),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // The address carries the logo's version, so a new logo is a new address.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub async fn theme_css(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let profile = site_profile::load(&mut conn).await?;
    let css = gongkai_domain::site_profile::theme_css(&profile.theme_color)
        .ok_or_else(AppError::not_found)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        css,
    )
        .into_response())
}

/// `portal/contact.html`: the footer's contact fields (`footer`), the owner and the ways to ask.
pub async fn contact(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    drop(conn);
    state.templates.render(
        "portal/contact.html",
        minijinja::context! {
            region => &chrome.profile.region,
            ..chrome.ctx(Section::Other, "/lxwm", "\u{8054}\u{7CFB}\u{6211}\u{4EEC}")
        },
    )
}

/// A column in the 网站地图 with its children.
#[derive(Serialize)]
struct MapNode {
    name: String,
    href: super::Href,
    children: Vec<MapNode>,
}

fn tree(chrome: &Chrome, parent: Option<i64>) -> Vec<MapNode> {
    chrome
        .columns
        .iter()
        .filter(|c| c.parent_id == parent)
        .map(|c| MapNode {
            name: c.name.clone(),
            href: column_href(&c.slug).into(),
            children: tree(chrome, Some(c.id)),
        })
        .collect()
}

/// `portal/site_map.html`: `columns` (the column tree) and the portal's other sections, fixed in
/// the template.
pub async fn site_map(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let mut conn = state.db.pool.acquire().await?;
    let chrome = Chrome::load(&state, &mut conn).await?;
    drop(conn);
    let columns = tree(&chrome, None);
    state.templates.render(
        "portal/site_map.html",
        minijinja::context! {
            columns => S(columns),
            ..chrome.ctx(Section::Other, "/wzdt", "\u{7F51}\u{7AD9}\u{5730}\u{56FE}")
        },
    )
}
