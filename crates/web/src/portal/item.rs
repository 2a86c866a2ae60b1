//! The item page and attachment downloads.

use super::{Chrome, ColumnView, Crumb, Href, Section, hide, parse_id, percent_encode};
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use gongkai_db::{attachments, item_page, orgs, workflow};
use gongkai_domain::model::Validity;
use minijinja::value::Serde as S;
use serde::Serialize;

/// An attachment as the item page shows it.
#[derive(Serialize)]
struct AttachmentView {
    id: i64,
    file_name: String,
    content_type: String,
    size_bytes: i64,
    /// Upper-case file extension (`PDF`, `DOCX`), or empty.
    ext: String,
    href: Href,
}

/// The address of an attachment download.
pub(crate) fn attachment_href(id: i64, file_name: &str) -> String {
    format!("/attachments/{id}/{}", percent_encode(file_name))
}

fn extension(file_name: &str) -> String {
    match file_name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.len() <= 5 => ext.to_ascii_uppercase(),
        _ => String::new(),
    }
}

/// What a reader must be told about a document that is no longer fully in force (after the
/// headline).
fn validity_notice(v: Validity) -> &'static str {
    match v {
        Validity::Valid => "",
        Validity::Amended => "部分内容不再适用，请以修改后的规定为准。",
        Validity::Repealed => "不再执行，仅供查阅参考。",
        Validity::Expired => "不再执行，仅供查阅参考。",
    }
}

/// The banner line: since when and what happened (“本文件已于2018-03-01废止”); empty when 有效.
fn validity_headline(v: Validity, changed_on: Option<gongkai_domain::CivilDate>) -> String {
    let verb = match v {
        Validity::Valid => return String::new(),
        Validity::Amended => "修改",
        Validity::Repealed => "废止",
        Validity::Expired => "失效",
    };
    match changed_on {
        Some(d) => format!("本文件已于{d}{verb}"),
        _ => format!("本文件已{verb}"),
    }
}

/// A linked document as the item page shows it.
#[derive(Serialize)]
struct LinkView {
    href: Href,
    title: String,
    org_name: String,
}

/// `portal/item.html`: `item` (every column of the `items` row; `body_html` is sanitized and
/// rendered with `|safe`), `validity` (code), `validity_label`, `validity_notice` (empty when
/// 有效), `validity_headline` (“本文件已于…废止”), `replaced_by` (`href`, `title`; only when that
/// document is public; `replaced_label` 修改后文件 or 替代文件), `interprets` (the public policy
/// this item interprets), `interpretations` (its public interpretations), `org` (`id`, `name`), `attachments` (`id`, `file_name`, `content_type`, `size_bytes`,
/// `ext`, `href`), `columns` (the columns it belongs to) and `breadcrumb`.
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let mut conn = state.db.pool.acquire().await?;
    let item_page::PublicItem {
        item,
        org_name: item_org,
    } = match item_page::get_public(&mut conn, id).await {
        Ok(i) => i,
        Err(gongkai_db::DbError::NotFound(_)) => {
            return match workflow::withdrawn(&mut conn, id).await? {
                Some(w) => withdrawn_page(&state, &mut conn, w).await,
                None => Err(AppError::not_found()),
            };
        }
        Err(e) => return Err(hide(e)),
    };
    let chrome = Chrome::load(&state, &mut conn).await?;
    let related = item_page::related(&mut conn, item.id).await?;
    let attachments: Vec<AttachmentView> = related
        .attachments
        .into_iter()
        .map(|a| AttachmentView {
            href: attachment_href(a.id, &a.file_name).into(),
            ext: extension(&a.file_name),
            id: a.id,
            file_name: a.file_name,
            content_type: a.content_type,
            size_bytes: a.size_bytes,
        })
        .collect();
    let columns: Vec<ColumnView> = chrome
        .columns
        .iter()
        .filter(|c| related.column_ids.contains(&c.id))
        .map(ColumnView::of)
        .collect();
    let mut breadcrumb = Vec::new();
    let mut section = Section::Other;
    if let Some(first) = columns.first() {
        breadcrumb = chrome.breadcrumb(first.id);
        if let Some(top) = chrome.top_of(first.id) {
            section = Section::Column(top);
        }
    }
    breadcrumb.push(Crumb {
        name: "正文".into(),
        href: Href::default(),
    });
    let validity = Validity::from_code(&item.validity).unwrap_or(Validity::Valid);
    let link = |l: item_page::Link| LinkView {
        href: format!("/items/{}", l.id).into(),
        title: l.title,
        org_name: l.org_name,
    };
    // Links are shown only to documents that are public themselves (the query's rule).
    let replaced_by = match related.replaced_by {
        Some(r) if validity != Validity::Valid => Some(link(r)),
        _ => None,
    };
    let interprets = related.interprets.map(link);
    let interpretations: Vec<LinkView> = related.interpretations.into_iter().map(link).collect();
    let changes: Vec<_> = related
        .changes
        .into_iter()
        .map(|(at, note)| minijinja::context! { at => at, note => note })
        .collect();
    let here = format!("/items/{}", item.id);
    Ok(state.templates.render(
        "portal/item.html",
        minijinja::context! {
            validity => validity.code(),
            validity_label => validity.label(),
            validity_notice => validity_notice(validity),
            validity_headline => validity_headline(validity, item.validity_changed_on),
            replaced_label => if validity == Validity::Amended { "修改后文件" } else { "替代文件" },
            replaced_by => S(replaced_by),
            interprets => S(interprets),
            interpretations => S(interpretations),
            org => minijinja::context! { id => item.org_id, name => &item_org },
            attachments => S(attachments),
            columns => S(columns),
            breadcrumb => S(breadcrumb),
            item => S(&item),
            changes => changes,
            ..chrome.ctx(section, &here, &item.title)
        },
    )?
    .into_response())
}

/// The page of an item withdrawn through the workflow: `notice` answers 200 with the title,
/// the date and reason of the withdrawal and 「此信息已撤回」 (never the body or attachments);
/// `gone` answers 410 Gone.
async fn withdrawn_page(
    state: &AppState,
    conn: &mut sqlx::AnyConnection,
    w: workflow::WithdrawnRow,
) -> Result<Response, AppError> {
    let chrome = Chrome::load(state, conn).await?;
    let gone = w.withdraw_mode == "gone";
    let org = orgs::get(conn, w.org_id).await?;
    let here = format!("/items/{}", w.id);
    let title = if gone {
        "信息已删除".to_string()
    } else {
        w.title.clone()
    };
    let html = state.templates.render(
        "portal/withdrawn.html",
        minijinja::context! {
            gone => gone,
            title => if gone { String::new() } else { w.title.clone() },
            index_no => if gone { None } else { w.index_no.clone() },
            reason => if gone { None } else { w.withdraw_reason.clone() },
            withdrawn_at => w.withdrawn_at,
            org => minijinja::context! { id => org.id, name => &org.name },
            ..chrome.ctx(Section::Other, &here, &title)
        },
    )?;
    let status = if gone {
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    Ok((status, html).into_response())
}

/// Serves an attachment of a public item as a download.
pub async fn attachment(
    State(state): State<AppState>,
    Path((id, _name)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let a = {
        let mut conn = state.db.pool.acquire().await?;
        attachments::get_public(&mut conn, id).await.map_err(hide)?
    };
    let bytes = state.storage.get(&a.sha256).await?;
    // The item may be withdrawn later: caches must ask again.
    Ok(crate::download::file(
        bytes,
        &a.content_type,
        &a.file_name,
        None,
        Some("no-cache"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachment_links_encode_the_name() {
        assert_eq!(
            attachment_href(7, "附件 1.pdf"),
            "/attachments/7/%E9%99%84%E4%BB%B6%201.pdf"
        );
    }

    #[test]
    fn extensions() {
        assert_eq!(extension("通知.docx"), "DOCX");
        assert_eq!(extension("README"), "");
        assert_eq!(extension(".hidden"), "");
    }

    #[test]
    fn the_headline_says_since_when() {
        assert_eq!(
            validity_headline(
                Validity::Repealed,
                gongkai_domain::CivilDate::parse("2018-03-01")
            ),
            "本文件已于2018-03-01废止"
        );
        assert_eq!(validity_headline(Validity::Amended, None), "本文件已修改");
        assert_eq!(
            validity_headline(
                Validity::Valid,
                gongkai_domain::CivilDate::parse("2018-03-01")
            ),
            ""
        );
    }

    #[test]
    fn only_valid_documents_have_no_notice() {
        for v in Validity::ALL {
            assert_eq!(validity_notice(*v).is_empty(), *v == Validity::Valid);
        }
    }
}
