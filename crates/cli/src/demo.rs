//! The demo's service guides, open datasets and monitored site (`serve --demo`), so that 办事服务
//! (`/bsfw`) and 数据开放 (`/sjkf`) are not empty. Everything goes through the use cases the back
//! office calls (`gongkai_app::services`, `::data`, `::monitor`) as the server shell, audited as
//! 演示数据 ; each guide passes the completeness rule, every review level of its organisation and
//! the content guard; one guide gets a second version with its 变更说明. The texts are the data
//! files `demo/services.json` and `demo/datasets.json` (their full-width punctuation checked by
//! `it/typography.rs`); blank forms are XLSX written here, dataset files from the rows given.
//!
//! Runs once: nothing is added to the catalogue, the data catalogue or the site register when it
//! already has an entry. The portal is registered as a monitored site **with monitoring off**
//! （继续监测 left unticked） so the demo starts no probe and no crawl by itself.

use anyhow::{Context, anyhow, bail};
use gongkai_app::Caller;
use gongkai_app::services::Step;
use gongkai_db::{Actor, Db};
use gongkai_domain::data::{Format, ResourceFields, file_format};
use gongkai_domain::role::Permissions;
use gongkai_domain::service::{FormFile, GuideFields};
use gongkai_domain::workflow::State;
use gongkai_infra::storage::Storage;
use serde::Deserialize;

const SERVICES: &str = include_str!("../demo/services.json");
const DATASETS: &str = include_str!("../demo/datasets.json");
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A guide of the demo: its organisation, its fields as the form would post them, its blank
/// forms and, for one, a second version.
#[derive(Deserialize)]
struct DemoGuide {
    org: String,
    fields: GuideFields,
    #[serde(default)]
    forms: Vec<DemoForm>,
    #[serde(default)]
    revision: Option<Revision>,
}

/// A blank form （空白表格） of material `material`: a title and the lines to fill in.
#[derive(Deserialize)]
struct DemoForm {
    material: usize,
    file_name: String,
    title: String,
    rows: Vec<String>,
}

/// A change published as the guide's second version.
#[derive(Deserialize)]
struct Revision {
    change_note: String,
    /// Fields of `GuideFields` replaced.
    #[serde(default)]
    set: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    material_form: Option<MaterialFormChange>,
}

#[derive(Deserialize)]
struct MaterialFormChange {
    index: usize,
    form: String,
}

#[derive(Deserialize)]
struct DemoDataset {
    org: String,
    fields: ResourceFields,
    file: DemoFile,
}

/// A dataset file: a table (`rows`, written as CSV or XLSX by the name's extension) or `json`.
#[derive(Deserialize)]
struct DemoFile {
    name: String,
    #[serde(default)]
    rows: Vec<Vec<String>>,
    #[serde(default)]
    json: serde_json::Value,
    #[serde(default)]
    note: String,
}

/// What the demo added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Added {
    pub guides: usize,
    pub datasets: usize,
    pub sites: usize,
}

/// Adds the demo's guides, datasets and monitored site (each only to an empty register).
/// `portal_url` is the address the portal is served at.
pub async fn load(db: &Db, storage: &Storage, portal_url: &str) -> anyhow::Result<Added> {
    let perms = Permissions::server_shell();
    let caller = Caller {
        actor: Actor {
            user_id: None,
            name: "演示数据".into(),
            ip: String::new(),
        },
        perms: &perms,
    };
    let mut added = Added::default();
    let mut conn = db.pool.acquire().await?;
    let no_guides = gongkai_db::services::list(&mut conn, None)
        .await?
        .is_empty();
    let no_data = gongkai_db::data::list(&mut conn, None).await?.is_empty();
    let no_sites = gongkai_db::monitor::list(&mut conn, None).await?.is_empty();
    drop(conn);
    if no_guides {
        let guides: Vec<DemoGuide> =
            serde_json::from_str(SERVICES).context("demo/services.json")?;
        for g in &guides {
            guide(db, storage, &caller, g)
                .await
                .with_context(|| format!("演示办事指南\u{300A}{}\u{300B}", g.fields.name))?;
            added.guides += 1;
        }
    }
    if no_data {
        let sets: Vec<DemoDataset> =
            serde_json::from_str(DATASETS).context("demo/datasets.json")?;
        for d in &sets {
            dataset(db, storage, &caller, d)
                .await
                .with_context(|| format!("演示开放数据\u{300A}{}\u{300B}", d.fields.name))?;
            added.datasets += 1;
        }
    }
    if no_sites {
        site(db, &caller, portal_url)
            .await
            .context("演示监测网站")?;
        added.sites += 1;
    }
    Ok(added)
}

fn refused(e: gongkai_app::Refusal) -> anyhow::Error {
    anyhow!("{e}")
}

async fn org_id(conn: &mut sqlx::AnyConnection, name: &str) -> anyhow::Result<i64> {
    Ok(gongkai_db::orgs::find_by_name(conn, name)
        .await?
        .ok_or_else(|| anyhow!("演示数据的机构\u{201C}{name}\u{201D}不存在"))?
        .id)
}

/// A blank form: the title, then one line per entry with an empty cell to fill in.
fn blank_form(title: &str, rows: &[String]) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{Format as Cell, FormatBorder, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Cell::new().set_bold().set_font_size(14);
    let boxed = Cell::new().set_border(FormatBorder::Thin);
    ws.set_column_width(0, 24)?;
    ws.set_column_width(1, 40)?;
    ws.merge_range(0, 0, 0, 1, title, &bold)?;
    for (i, label) in rows.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, label, &boxed)?;
        ws.write_blank(r, 1, &boxed)?;
    }
    Ok(wb.save_to_buffer()?)
}

/// Creates a guide with its forms, passes it through review and publishes it; then its second
/// version when it has one.
async fn guide(
    db: &Db,
    storage: &Storage,
    caller: &Caller<'_>,
    g: &DemoGuide,
) -> anyhow::Result<()> {
    let (level, mut guide) = g.fields.validate().map_err(|e| anyhow!("{e}"))?;
    for f in &g.forms {
        let bytes = blank_form(&f.title, &f.rows)?;
        let sha256 = storage.put(&bytes).await?;
        let m = guide
            .materials
            .get_mut(f.material)
            .ok_or_else(|| anyhow!("没有第 {} 项材料", f.material + 1))?;
        m.file = Some(FormFile {
            sha256,
            file_name: f.file_name.clone(),
            content_type: XLSX.into(),
            size: bytes.len() as i64,
        });
    }
    let mut tx = db.begin_audited().await?;
    let org = org_id(&mut tx, &g.org).await?;
    let id = gongkai_app::services::create(&mut tx, caller, org, level, &guide)
        .await
        .map_err(refused)?;
    review_and_publish(&mut tx, caller, id).await?;
    tx.commit().await?;
    let Some(rev) = &g.revision else {
        return Ok(());
    };
    let mut tx = db.begin_audited().await?;
    let row = gongkai_db::services::get(&mut tx, id).await?;
    let before = row.guide();
    let mut fields = serde_json::to_value(GuideFields::of(row.level(), &before))?;
    for (k, v) in &rev.set {
        fields[k] = v.clone();
    }
    let mut fields: GuideFields = serde_json::from_value(fields)?;
    if let Some(c) = &rev.material_form
        && let Some(m) = fields.materials.get_mut(c.index)
    {
        m.form = c.form.clone();
    }
    let (level, mut next) = fields.validate().map_err(|e| anyhow!("{e}"))?;
    // The form keeps each row's file, as the back office's form does.
    for (m, old) in next.materials.iter_mut().zip(&before.materials) {
        m.file = old.file.clone();
    }
    gongkai_app::services::edit(
        &mut tx,
        caller,
        &row,
        row.version,
        level,
        &next,
        &rev.change_note,
    )
    .await
    .map_err(refused)?;
    review_and_publish(&mut tx, caller, id).await?;
    tx.commit().await?;
    Ok(())
}

/// 提交审核 , every review level approved, then 发布 — the back office's steps.
async fn review_and_publish(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> anyhow::Result<()> {
    let row = gongkai_db::services::get(tx, id).await?;
    let mut state = gongkai_app::services::transition(tx, caller, &row, Step::Submit)
        .await
        .map_err(refused)?;
    while let State::Submitted { .. } = state {
        let row = gongkai_db::services::get(tx, id).await?;
        let approve = Step::Review {
            approve: true,
            comment: "材料齐全\u{FF0C}要素完整\u{FF0C}同意发布".into(),
        };
        state = gongkai_app::services::transition(tx, caller, &row, approve)
            .await
            .map_err(refused)?;
    }
    if state != State::Approved {
        bail!("审核后的状态是{}\u{FF0C}不能发布", state.label());
    }
    let row = gongkai_db::services::get(tx, id).await?;
    gongkai_app::services::transition(tx, caller, &row, Step::Publish)
        .await
        .map_err(refused)?;
    Ok(())
}

/// The bytes of a dataset file by its format.
fn file_bytes(f: &DemoFile) -> anyhow::Result<(Format, Vec<u8>)> {
    let format = file_format(&f.name).ok_or_else(|| anyhow!("{}\u{FF1A}不是数据文件", f.name))?;
    let bytes = match format {
        Format::Csv => {
            let quote = |c: &String| {
                if c.contains([',', '"', '\n']) {
                    format!("\"{}\"", c.replace('"', "\"\""))
                } else {
                    c.clone()
                }
            };
            let mut out = String::new();
            for r in &f.rows {
                out.push_str(&r.iter().map(quote).collect::<Vec<_>>().join(","));
                out.push_str("\r\n");
            }
            out.into_bytes()
        }
        Format::Xlsx => {
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            for (r, row) in f.rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    ws.write_string(r as u32, c as u16, cell)?;
                }
            }
            wb.save_to_buffer()?
        }
        _ => serde_json::to_vec_pretty(&f.json)?,
    };
    Ok((format, bytes))
}

/// Creates a resource, records its file (one dated update) and publishes it.
async fn dataset(
    db: &Db,
    storage: &Storage,
    caller: &Caller<'_>,
    d: &DemoDataset,
) -> anyhow::Result<()> {
    let resource = d.fields.validate().map_err(|e| anyhow!("{e}"))?;
    let (format, bytes) = file_bytes(&d.file)?;
    let sha256 = storage.put(&bytes).await?;
    let mut tx = db.begin_audited().await?;
    let org = org_id(&mut tx, &d.org).await?;
    let id = gongkai_app::data::create(&mut tx, caller, org, &resource)
        .await
        .map_err(refused)?;
    let row = gongkai_db::data::get(&mut tx, id).await?;
    let file = gongkai_app::data::StoredFile {
        file_name: d.file.name.clone(),
        content_type: gongkai_app::data::content_type(format).into(),
        sha256,
        size: bytes.len() as i64,
        note: d.file.note.clone(),
    };
    gongkai_app::data::add_file(&mut tx, caller, &row, &file)
        .await
        .map_err(refused)?;
    let row = gongkai_db::data::get(&mut tx, id).await?;
    gongkai_app::data::set_published(&mut tx, caller, &row, true)
        .await
        .map_err(refused)?;
    tx.commit().await?;
    Ok(())
}

/// Registers the portal as a monitored site of 市政府办公室 and then unticks 继续监测 in the same
/// transaction: the worker never sees it active until someone ticks it.
async fn site(db: &Db, caller: &Caller<'_>, portal_url: &str) -> anyhow::Result<()> {
    let mut tx = db.begin_audited().await?;
    let org = org_id(&mut tx, "市政府办公室").await?;
    let mut f = gongkai_app::monitor::SiteFields {
        name: "盘锦市人民政府门户网站".into(),
        url: portal_url.into(),
        org_id: org.to_string(),
        kind: "own".into(),
        bonus: String::new(),
        active: None,
        version: String::new(),
    };
    let id = gongkai_app::monitor::save_site(&mut tx, caller, None, &f)
        .await
        .map_err(refused)?;
    f.version = gongkai_db::monitor::get(&mut tx, id)
        .await?
        .version
        .to_string();
    gongkai_app::monitor::save_site(&mut tx, caller, Some(id), &f)
        .await
        .map_err(refused)?;
    tx.commit().await?;
    Ok(())
}
