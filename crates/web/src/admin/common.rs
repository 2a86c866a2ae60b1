//! Shared pieces of back-office handlers: page context, form extraction, notices.

use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{FromRequest, Request};
use axum::response::{Html, IntoResponse, Redirect, Response};
use gongkai_app::{Outcome, Refusal};
use gongkai_db::audited::AuditedTx;
use gongkai_domain::Invalid;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A urlencoded form whose rejection is a Chinese error page rather than axum's plain text.
pub struct AdminForm<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequest<S> for AdminForm<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| AdminForm(f.0))
            .map_err(|e| {
                AppError::BadRequest(format!(
                    "表单内容无法识别，请刷新页面后重新提交（{}）",
                    e.status()
                ))
            })
    }
}

/// Commits `tx` when the use case went through. A refusal of the input comes back as
/// `Ok(Err(..))` for the form to show again, with nothing written (the transaction is dropped);
/// any other refusal fails the request.
pub async fn commit_unless_invalid<T>(
    tx: AuditedTx,
    outcome: Outcome<T>,
) -> Result<Result<T, Invalid>, AppError> {
    match outcome {
        Ok(done) => {
            tx.commit().await?;
            Ok(Ok(done))
        }
        Err(Refusal::Invalid(e)) => Ok(Err(e)),
        Err(e) => Err(e.into()),
    }
}

/// Back to `list` after a form saved a new record (`id` none: notice "created") or an existing one.
pub fn redirect_saved(list: &str, id: Option<i64>) -> Response {
    let notice = if id.is_some() { "saved" } else { "created" };
    Redirect::to(&format!("{list}?notice={notice}")).into_response()
}

/// Notices shown after a redirect, addressed by a fixed code so no text is reflected from the URL.
pub fn notice_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "已创建。",
        "saved" => "已保存。",
        "published_not_public" => {
            "已发布，记为依申请公开（或不予公开）：不在门户展示，公众看不到这条信息。"
        }
        "published" => "已发布，公众现在可以看到这条信息。",
        "unpublished" => "已撤回：信息已从栏目列表、搜索、订阅和接口中移除。",
        "deleted" => "已删除。",
        "setup_done" => {
            "初始设置已完成\u{FF0C}门户已使用本级政府的名称\u{3002}请核对下面的机构\u{FF0C}再在\u{201C}站点设置\u{201D}中填写页脚标识和联系方式\u{3002}"
        }
        "orgs_imported" => "机构名单已导入\u{3002}",
        "imported" => "已按通知录入该年节假日安排\u{3002}",
        "granted" => "已授予角色。",
        "revoked" => "已撤销。",
        "enabled" => "已启用该用户。",
        "disabled" => "已停用该用户，其登录会话已全部失效。",
        "password" => "密码已修改。",
        "email" => "通知邮箱已保存。",
        "session" => "已结束该会话\u{3002}",
        "plan_public" => {
            "已在公开页面发布\u{FF0C}公众可在\u{201C}政务公开重点工作\u{201D}页面查看该工作安排的落实情况\u{3002}"
        }
        "plan_private" => "已取消公开\u{FF0C}该工作安排不再出现在公开页面\u{3002}",
        "filings_opened" => "已开启报送事项，各单位可在“反馈管理”中报送。",
        "filings_unchanged" => "这些报送事项均已开启，没有新建。",
        "guard_blocked" => {
            "已保存草稿，但内容安全检查发现个人信息或错误，没有发布。请按下方“内容安全检查”处理后再发布。"
        }
        "guard_released" => "已放行所选内容（记入操作日志）；其余内容仍须处理。",
        "masked" => "已一键脱敏并保存为新版本，请核对后发布。",
        "guard_clean" => "内容安全检查没有发现问题，无需脱敏。",
        "guard_attachments_only" => {
            "标题、摘要和正文没有需要脱敏的内容；附件中发现的问题无法在线脱敏，请删除附件或上传脱敏后的文件替换。"
        }
        "wf_submitted" => "已提交审核。",
        "wf_saved_submitted" => "已保存并提交审核。",
        "wf_approved" => "已审核通过。",
        "wf_returned" => "已退回修改，起草人可修改后重新提交。",
        "wf_published_now" => "已直接发布（先发后审），等待审核人补审。",
        "wf_scheduled" => "已安排定时发布，到时由后台任务发布。",
        "wf_unscheduled" => "已取消定时发布，信息回到“已审核，待发布”。",
        "wf_post_reviewed" => "已补审通过。",
        "wf_revision" => "实质性修改已提交审核；审核通过前，公众看到的仍是原来的版本。",
        "wf_revision_next" => "已审核通过本级，实质性修改转下一级审核；各级都通过后才公开新版本。",
        "wf_revision_approved" => "已审核通过实质性修改，新版本已公开，修改说明列入“更新记录”。",
        "wf_revision_returned" => "已退回实质性修改，公开的仍是原来的版本。",
        _ => return None,
    })
}

#[derive(Serialize)]
struct Nav {
    items: bool,
    columns: bool,
    orgs: bool,
    users: bool,
    audit: bool,
    settings: bool,
    plans: bool,
    /// Unread notifications of the user.
    unread: i64,
    feedback: bool,
    guard: bool,
    proposals: bool,
    messages: bool,
    opinion: bool,
    /// 依申请公开: handlers and organisation administrators.
    applications: bool,
    /// 政府信息公开工作年度报告: handlers, editors and administrators of an organisation, the
    /// supervising office, assessors.
    annual_report: bool,
    /// Reviews items of some organisation (待我审核).
    reviews: bool,
    /// Edits the reminder rules （提醒规则）: the office.
    reminders: bool,
    /// 网站监测 and 整改单： whoever sees some organisation's records.
    monitor: bool,
}

/// Renders a back-office page: `extra` is merged over the common context (user, CSRF token, navigation).
pub fn render(
    state: &AppState,
    user: &CurrentUser,
    template: &str,
    active: &str,
    extra: serde_json::Value,
) -> Result<Html<String>, AppError> {
    let p = &user.perms;
    let nav = Nav {
        items: p.viewable_orgs().is_none_or(|o| !o.is_empty()),
        columns: p.can_manage_site(),
        orgs: p.can_manage_site(),
        users: p.can_manage_users(),
        audit: p.can_view_audit_log(),
        settings: p.can_manage_site(),
        plans: p.can_read_plans(),
        unread: user.unread_notifications,
        feedback: p.can_open_feedback(),
        guard: p.can_manage_plans() || p.is_system_admin(),
        proposals: p.can_read_plans(),
        messages: p.can_open_messages(),
        opinion: p.sees_any_org(),
        applications: p.handled_orgs().is_none_or(|o| !o.is_empty()),
        annual_report: p.handled_orgs().is_none_or(|o| !o.is_empty())
            || p.editable_orgs().is_none_or(|o| !o.is_empty())
            || p.can_manage_plans()
            || p.can_read_audit(),
        reviews: p.reviewable_orgs().is_none_or(|o| !o.is_empty()),
        reminders: p.can_edit_reminder_rules(),
        monitor: p.sees_any_org(),
    };
    let roles: Vec<&str> = user.grants.iter().map(|g| g.role.label()).collect();
    let mut ctx = serde_json::json!({
        "me": {"id": user.id, "username": user.username, "display_name": user.display_name, "roles": roles},
        "csrf_token": user.csrf_token,
        "nav": nav,
        "active": active,
    });
    if let (Some(base), serde_json::Value::Object(extra)) = (ctx.as_object_mut(), extra) {
        base.extend(extra);
    }
    state.templates.render(
        template,
        minijinja::Value::from(minijinja::value::Serde(ctx)),
    )
}

/// Options for organisation pickers: `(id, indented name)` in tree order, limited to `allowed`.
pub fn org_options(
    all: &[gongkai_db::orgs::Org],
    allowed: Option<&[i64]>,
) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    fn walk(
        all: &[gongkai_db::orgs::Org],
        parent: Option<i64>,
        depth: usize,
        allowed: Option<&[i64]>,
        out: &mut Vec<serde_json::Value>,
    ) {
        for o in all.iter().filter(|o| o.parent_id == parent) {
            if allowed.is_none_or(|a| a.contains(&o.id)) {
                out.push(serde_json::json!({"id": o.id, "name": o.name, "label": format!("{}{}", " ".repeat(depth * 2), o.name), "depth": depth}));
            }
            walk(all, Some(o.id), depth + 1, allowed, out);
        }
    }
    walk(all, None, 0, allowed, &mut out);
    out
}

/// Column tree rows in display order with depth, for pickers and lists.
pub fn column_rows(all: &[gongkai_db::columns::Column]) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    fn walk(
        all: &[gongkai_db::columns::Column],
        parent: Option<i64>,
        depth: usize,
        out: &mut Vec<serde_json::Value>,
    ) {
        for c in all.iter().filter(|c| c.parent_id == parent) {
            out.push(serde_json::json!({
                "id": c.id, "name": c.name, "slug": c.slug, "kind": c.kind, "kind_label": c.kind_label(),
                "depth": depth, "on_home": c.on_home == 1, "sort_order": c.sort_order, "parent_id": c.parent_id,
                "description": c.description,
            }));
            walk(all, Some(c.id), depth + 1, out);
        }
    }
    walk(all, None, 0, &mut out);
    out
}

pub use crate::error::error_map;

/// Where a report （督查通报， 季度抽查情况通报） may be published: the portal's columns in tree order,
/// `default_slug` selected, and the organisations, the one named `office` selected.
pub async fn publish_targets(
    conn: &mut sqlx::AnyConnection,
    default_slug: &str,
    office: &str,
) -> Result<(Vec<serde_json::Value>, Vec<serde_json::Value>), AppError> {
    use gongkai_db::{columns, orgs};
    let site = columns::default_site(conn).await?;
    let cols = columns::all(conn, site.id).await?;
    let default_col = cols.iter().find(|c| c.slug == default_slug).map(|c| c.id);
    let col_opts: Vec<_> = column_rows(&cols)
        .into_iter()
        .map(|mut c| {
            let selected = c["id"].as_i64() == default_col;
            let depth = c["depth"].as_u64().unwrap_or(0) as usize;
            let label = format!(
                "{}{}",
                "\u{3000}".repeat(depth),
                c["name"].as_str().unwrap_or("")
            );
            c["selected"] = serde_json::json!(selected);
            c["label"] = serde_json::json!(label);
            c
        })
        .collect();
    let office = orgs::find_by_name(conn, office).await?.map(|o| o.id);
    let all_orgs = orgs::all(conn).await?;
    let org_opts: Vec<_> = org_options(&all_orgs, None)
        .into_iter()
        .map(|mut o| {
            let selected = o["id"].as_i64() == office;
            o["selected"] = serde_json::json!(selected);
            o
        })
        .collect();
    Ok((col_opts, org_opts))
}

/// A `/admin…` path to return to after login; anything else falls back to `/admin`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/admin")
                && !n.starts_with("//")
                && !n.contains("://")
                && !n.contains('\\') =>
        {
            n.to_string()
        }
        _ => "/admin".into(),
    }
}

/// The plan a plan-scoped page shows: the one asked for by id when it exists (archived plans stay
/// readable), else the latest not archived, else the latest (`plans` come newest first from
/// `plans::list_plans`); `None` when there is no plan at all.
pub fn chosen_plan(plans: &[gongkai_db::plans::PlanRow], raw: &str) -> Option<i64> {
    let latest = plans
        .iter()
        .find(|p| p.status != gongkai_db::plan_edits::ARCHIVED)
        .or(plans.first())?;
    Some(
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|id| plans.iter().any(|p| p.id == *id))
            .unwrap_or(latest.id),
    )
}

/// The options of a plan picker with `selected` marked.
pub fn plan_options(plans: &[gongkai_db::plans::PlanRow], selected: i64) -> Vec<serde_json::Value> {
    plans
        .iter()
        .map(|p| serde_json::json!({"id": p.id, "title": p.title, "selected": p.id == selected}))
        .collect()
}

/// The as-of date of a query: empty means today in China; a malformed one also means today, with
/// a Chinese warning naming the field (`核查日期`, `考核日期`).
pub fn as_of_or_today(raw: &str, field: &str) -> (chrono::NaiveDate, Option<String>) {
    let today = gongkai_db::china_today();
    match raw.trim() {
        "" => (today, None),
        s => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => (d, None),
            Err(_) => (
                today,
                Some(format!("{field}格式应为 年-月-日，已按今天计算")),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn next_cannot_leave_the_site() {
        assert_eq!(super::safe_next(Some("/admin/items")), "/admin/items");
        assert_eq!(super::safe_next(Some("//evil.example")), "/admin");
        assert_eq!(
            super::safe_next(Some("https://evil.example/admin")),
            "/admin"
        );
        assert_eq!(super::safe_next(Some("/admin\\@evil")), "/admin");
        assert_eq!(super::safe_next(None), "/admin");
    }
}
