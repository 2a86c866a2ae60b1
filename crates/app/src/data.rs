//! Use cases of the data-resource catalogue （信息资源目录） and open datasets （数据开放） :
//! create and edit a resource for an organisation the caller writes for, publish or unpublish
//! it, and record a dataset file's upload (one dated update). Storage is `gongkai_db::data`; the
//! rules are `gongkai_domain::data`. Another organisation's resource does not exist for the
//! caller.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::data::{self, NewFile, ResourceRow};
use gongkai_domain::Invalid;
use gongkai_domain::data::{Format, Resource, file_format};

/// Loads a resource the caller may see in the back office.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<ResourceRow> {
    let row = data::get(conn, id)
        .await
        .map_err(|_| Refusal::NotFound("数据资源不存在".into()))?;
    if !caller.perms.can_view_data_of(row.org_id) {
        return Err(Refusal::NotFound("数据资源不存在".into()));
    }
    Ok(row)
}

fn require_editor(caller: &Caller<'_>, org_id: i64) -> Outcome<()> {
    if caller.perms.can_edit_data_of(org_id) {
        Ok(())
    } else {
        Err(Refusal::Forbidden(
            "无权编辑该机构的信息资源目录\u{FF1A}您的账号没有该机构的编辑权限".into(),
        ))
    }
}

/// Creates an unpublished resource for `org_id`.
pub async fn create(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    r: &Resource,
) -> Outcome<i64> {
    require_editor(caller, org_id)?;
    Ok(data::create(tx, &caller.actor, org_id, r).await?)
}

/// Saves an edit of the catalogue entry loaded at `version`.
pub async fn edit(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ResourceRow,
    version: i64,
    r: &Resource,
) -> Outcome<()> {
    require_editor(caller, row.org_id)?;
    data::update(tx, &caller.actor, row, version, r).await?;
    Ok(())
}

/// Publishes or unpublishes the resource.
pub async fn set_published(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ResourceRow,
    published: bool,
) -> Outcome<()> {
    if !caller.perms.can_publish_data_of(row.org_id) {
        return Err(Refusal::Forbidden(
            "无权发布该机构的数据资源\u{FF1A}您的账号没有该机构的发布权限".into(),
        ));
    }
    if row.is_published() == published {
        return Err(Refusal::Invalid(Invalid::one(
            "published",
            if published {
                "该数据资源已发布"
            } else {
                "该数据资源尚未发布"
            },
        )));
    }
    data::set_published(tx, &caller.actor, row, published).await?;
    Ok(())
}

/// An uploaded dataset file, checked and stored by the channel.
pub struct StoredFile {
    pub file_name: String,
    pub content_type: String,
    pub sha256: String,
    pub size: i64,
    pub note: String,
}

/// Records a file of the dataset: CSV, XLSX or JSON, to a resource not 不予开放.
pub async fn add_file(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ResourceRow,
    f: &StoredFile,
) -> Outcome<i64> {
    require_editor(caller, row.org_id)?;
    let format = file_format(&f.file_name).ok_or_else(|| {
        Refusal::Invalid(Invalid::one(
            "file",
            "数据文件只能是 CSV\u{3001}XLSX 或 JSON 格式",
        ))
    })?;
    if row.resource().is_some_and(|r| !r.is_open()) {
        return Err(Refusal::Invalid(Invalid::one(
            "file",
            "不予开放的资源不能上传开放数据文件",
        )));
    }
    let note: String = f.note.trim().chars().take(500).collect();
    Ok(data::add_file(
        tx,
        &caller.actor,
        row,
        &NewFile {
            file_name: &f.file_name,
            format: format.code(),
            content_type: &f.content_type,
            sha256: &f.sha256,
            size: f.size,
            note: &note,
        },
    )
    .await?)
}

/// The content type a dataset file is served with.
pub fn content_type(format: Format) -> &'static str {
    match format {
        Format::Csv => "text/csv; charset=utf-8",
        Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Format::Json => "application/json",
        Format::Xml => "application/xml",
        Format::Api => "application/octet-stream",
    }
}
