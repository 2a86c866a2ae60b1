//! 发布年度报告: the report becomes an item in the site's 政府信息公开年报 column (kind
//! `annual_report`), written as the whole report in HTML, and is submitted to the organisation's
//! review levels like any item: it is public only once approved and published. Sending it again
//! before publication rewrites the same item (and resubmits it); a published report is corrected
//! on its item page, where the change is versioned with a public note.

use super::export::{sections, signature, title};
use super::{Figures, figures};
use crate::admin::common::AdminForm;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_db::{annual_reports, columns, items};
use gongkai_domain::item::ItemFields;
use gongkai_domain::model::ItemStatus;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    org: String,
    year: String,
    format: String,
}

/// Why the report cannot be sent for publication yet, in Chinese.
fn refusal(f: &Figures) -> Option<String> {
    let Some(stored) = &f.stored else {
        return Some("请先填写并保存年度报告的正文部分（一、五、六）".into());
    };
    let missing = stored.sections().missing();
    if !missing.is_empty() {
        return Some(format!("请先填写：{}", missing.join("、")));
    }
    if let Err(breaks) = f.table3.check() {
        return Some(format!(
            "表格三勾稽关系不成立（{}），请核对依申请公开办理数据后再发布",
            breaks.join("；")
        ));
    }
    if let Some(i) = &f.item
        && i.status == ItemStatus::Published
    {
        return Some(format!(
            "年度报告已发布（信息编号 {}）；如需更正，请在信息编辑页修改并填写修改说明",
            i.id
        ));
    }
    None
}

pub async fn publish(
    State(state): State<AppState>,
    user: CurrentUser,
    AdminForm(form): AdminForm<PublishForm>,
) -> Result<Response, AppError> {
    let Some(f) = figures(&state, &user, &form.org, &form.year, &form.format).await? else {
        return Err(AppError::BadRequest("请选择机构".into()));
    };
    if !user.perms.can_edit_items_of(f.org_id) {
        return Err(AppError::Forbidden(
            "只有本机关的信息编辑或机构管理员可以发布年度报告".into(),
        ));
    }
    if let Some(why) = refusal(&f) {
        return Err(AppError::Conflict(why));
    }
    let today = gongkai_db::china_today();
    let body = gongkai_reports::html::sections_fragment(&sections(&f), 2, &signature(&f, today));
    let actor = user.actor();
    let caller = user.caller();
    let mut tx = state.db.begin_audited().await?;
    let site = columns::default_site(&mut tx).await?;
    let Some(column) = annual_reports::report_column(&mut tx, site.id).await? else {
        return Err(AppError::Conflict(
            "网站没有“公开年报”类型的栏目，请先在栏目管理中建立“政府信息公开年报”栏目".into(),
        ));
    };
    let fields = ItemFields {
        title: title(&f),
        body,
        body_format: "html".into(),
        org_id: f.org_id.to_string(),
        column_ids: vec![column.to_string()],
        disclosure: "proactive".into(),
        issuing_authority: f.org_name.clone(),
        written_on: today.to_string(),
        keywords: "政府信息公开 年度报告".into(),
        ..ItemFields::blank()
    };
    let input = fields.validate()?;
    // Through the item use cases: permissions, link checks, and the reviewers told.
    let item_id = match &f.item {
        Some(existing) => {
            let current = gongkai_app::items::editable(&mut tx, &caller, existing.id).await?;
            let edit = gongkai_app::items::Edit {
                version: current.version,
                fields: &fields,
                input: &input,
                change: items::ChangeNote {
                    major: false,
                    note: String::new(),
                },
                adds_attachments: false,
            };
            gongkai_app::items::edit(&mut tx, &caller, &current, edit).await?;
            existing.id
        }
        None => gongkai_app::items::create(&mut tx, &caller, &input).await?,
    };
    // A new item is a draft and an edited one is back to draft (or still withdrawn): both submit.
    let item = items::get(&mut tx, item_id).await?;
    gongkai_app::items::transition(
        &mut tx,
        &caller,
        &item,
        gongkai_app::items::Transition::Submit,
    )
    .await?;
    let report_id = f.stored.as_ref().map_or(0, |r| r.id);
    annual_reports::link_item(
        &mut tx,
        &actor,
        report_id,
        f.item.as_ref().map(|i| i.id),
        item_id,
        format!("{}提交发布（信息编号 {item_id}）", title(&f)),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/annual-report?org={}&year={}&format={}&notice=submitted",
        f.org_id,
        f.year,
        f.format.code()
    ))
    .into_response())
}
