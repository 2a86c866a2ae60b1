//! Importing an office's catalogue from a table (XLSX or CSV, read by `gongkai_extract`): the
//! upload is kept for its review screen, where the person checks the column mapping and every
//! row's result; applying writes every item in one transaction or, when any row is bad,
//! nothing — the refusal names each bad row.

use super::require_editor;
use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::services::{self, ImportRow};
use gongkai_domain::Invalid;
use gongkai_domain::service::table::{self, RowResult};

/// Rows of the table besides its header, most kept.
const MAX_ROWS: usize = table::MAX_ROWS;

/// Reads the uploaded table and keeps it for review; the file's problems are refused here.
pub async fn upload(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    org_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Outcome<i64> {
    require_editor(caller, org_id)?;
    let rows = gongkai_extract::table::rows(bytes).map_err(|e| {
        Refusal::Invalid(Invalid::one("file", format!("无法读取该表格\u{FF1A}{e}")))
    })?;
    if rows.len() < 2 {
        return Err(Refusal::Invalid(Invalid::one(
            "file",
            "表格中没有数据行\u{FF1A}第一行须为表头\u{FF0C}其下每行一个事项",
        )));
    }
    if rows.len() > MAX_ROWS + 1 {
        return Err(Refusal::Invalid(Invalid::one(
            "file",
            format!("一次最多导入 {MAX_ROWS} 个事项"),
        )));
    }
    Ok(services::create_import(tx, &caller.actor, org_id, file_name, &rows).await?)
}

/// The upload if it is the caller's own and they still edit its organisation.
pub async fn own(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<ImportRow> {
    let imp = services::get_import(conn, id)
        .await
        .map_err(|_| Refusal::NotFound("导入记录不存在".into()))?;
    if imp.created_by != caller.actor.user_id {
        return Err(Refusal::NotFound("导入记录不存在".into()));
    }
    require_editor(caller, imp.org_id)?;
    Ok(imp)
}

/// The review screen's content: headers, the mapping and each row's result.
pub struct Preview {
    pub headers: Vec<String>,
    pub mapping: Vec<Option<&'static str>>,
    pub rows: Vec<RowResult>,
}

/// Reads every row under `mapping` (`None`: guessed from the headers).
pub fn preview(imp: &ImportRow, mapping: Option<Vec<Option<&'static str>>>) -> Preview {
    let all = imp.rows();
    let headers = all.first().cloned().unwrap_or_default();
    let mapping = mapping.unwrap_or_else(|| table::guess_mapping(&headers));
    let rows = table::read_rows(all.get(1..).unwrap_or_default(), &mapping);
    Preview {
        headers,
        mapping,
        rows,
    }
}

/// Writes every row as a draft item of the upload's organisation, or nothing: the refusal lists
/// each bad row. The caller commits.
pub async fn apply(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    imp: &ImportRow,
    mapping: Vec<Option<&'static str>>,
) -> Outcome<usize> {
    let p = preview(imp, Some(mapping));
    let mut inv = Invalid::default();
    for r in &p.rows {
        if let Err(msgs) = &r.outcome {
            inv.push(
                "rows",
                format!("第 {} 行\u{FF1A}{}", r.row, msgs.join("\u{FF1B}")),
            );
        }
    }
    if p.rows.is_empty() {
        inv.push("rows", "没有可导入的事项");
    }
    if !inv.is_empty() {
        return Err(Refusal::Invalid(inv));
    }
    for r in &p.rows {
        if let Ok((level, guide)) = &r.outcome {
            services::create(tx, &caller.actor, imp.org_id, *level, guide)
                .await
                .map_err(|e| match Refusal::from(e) {
                    Refusal::Invalid(i) => Refusal::Invalid(Invalid::one(
                        "rows",
                        format!(
                            "第 {} 行\u{FF1A}{}",
                            r.row,
                            i.errors
                                .into_iter()
                                .map(|e| e.message)
                                .collect::<Vec<_>>()
                                .join("\u{FF1B}")
                        ),
                    )),
                    other => other,
                })?;
        }
    }
    services::finish_import(tx, imp.id).await?;
    Ok(p.rows.len())
}
