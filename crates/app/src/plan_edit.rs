//! Editing plans without JSON, all the supervising office's:
//!
//! - a draft import: one [`Edit`] at a time (tasks, units and roles, cadences, deadlines, feedback
//!   dates, the not-checked mark), validated by `domain::planimport::edit` and audited;
//! - a confirmed plan: its rows edited in place (an obligation's cadence, due rule, column and
//!   organisation; an obligation added or removed; a task's title), each save a numbered revision
//!   (a row of the plan's revision list) and an audit entry; archiving and restoring;
//! - on confirmation, the reviewer's mappings of unknown or suspect unit names to exactly one
//!   organisation are remembered as aliases for the next import.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::plan_edits::{self, ARCHIVED, ObligationValues};
use gongkai_db::{orgs, plans};
use gongkai_domain::Invalid;
use gongkai_domain::obligation::Cadence as Norm;
use gongkai_domain::orgmatch::Resolution;
use gongkai_domain::planimport::edit::{self, CadenceForm, Edit};
use gongkai_domain::planimport::{ImportDecisions, due_rule_code};

use crate::plans::managed_by;

/// Applies one reviewer's edit to a draft import. A refused edit changes nothing.
pub async fn edit_import(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    edit: Edit,
) -> Outcome<()> {
    managed_by(caller)?;
    let import = plans::get_import(tx, id).await?;
    if !import.is_draft() {
        // 该导入已确认或已放弃，不能再修改
        return Err(Refusal::Invalid(Invalid::one(
            "status",
            "\u{8BE5}\u{5BFC}\u{5165}\u{5DF2}\u{786E}\u{8BA4}\u{6216}\u{5DF2}\u{653E}\u{5F03}\u{FF0C}\u{4E0D}\u{80FD}\u{518D}\u{4FEE}\u{6539}",
        )));
    }
    let summary = edit::describe(&import.plan, &edit);
    let mut plan = import.plan.clone();
    edit::apply(&mut plan, edit).map_err(Refusal::Invalid)?;
    let title = import.plan.title.as_deref().unwrap_or(&import.source_name);
    plan_edits::save_import_edit(
        tx,
        &caller.actor,
        id,
        &import.plan,
        &plan,
        // 修改待审核的工作安排“X”：…
        &format!(
            "\u{4FEE}\u{6539}\u{5F85}\u{5BA1}\u{6838}\u{7684}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}\u{201C}{title}\u{201D}\u{FF1A}{summary}"
        ),
    )
    .await?;
    Ok(())
}

/// Sets (or with `cadence: None` adds) a cadence of a duty of a draft import from its form,
/// validated against the duty's units and the plan year.
pub async fn edit_cadence(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    task: usize,
    duty: usize,
    cadence: Option<usize>,
    form: &CadenceForm,
) -> Outcome<()> {
    managed_by(caller)?;
    let import = plans::get_import(tx, id).await?;
    let d = import
        .plan
        .tasks
        .get(task)
        .and_then(|t| t.duties.get(duty))
        // 要修改的职责已不存在，请刷新页面后重试
        .ok_or_else(|| {
            Refusal::Invalid(Invalid::one(
                "duty",
                "\u{8981}\u{4FEE}\u{6539}\u{7684}\u{804C}\u{8D23}\u{5DF2}\u{4E0D}\u{5B58}\u{5728}\u{FF0C}\u{8BF7}\u{5237}\u{65B0}\u{9875}\u{9762}\u{540E}\u{91CD}\u{8BD5}",
            ))
        })?;
    let units: Vec<String> = d
        .lead
        .iter()
        .chain(&d.responsible)
        .chain(&d.co)
        .cloned()
        .collect();
    let value =
        edit::cadence_from_form(form, &units, import.plan.year).map_err(Refusal::Invalid)?;
    edit_import(
        tx,
        caller,
        id,
        Edit::SetCadence {
            task,
            duty,
            cadence,
            value,
        },
    )
    .await
}

/// After a confirmation: each reviewer's mapping of a name the registry did not know or only
/// suspected to exactly one organisation becomes an alias of that organisation (audited).
/// Collectives and names mapped to several organisations are not remembered. Returns the names
/// saved.
pub async fn remember_aliases(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    decisions: &ImportDecisions,
) -> Outcome<Vec<String>> {
    managed_by(caller)?;
    let registry = orgs::registry(tx).await?;
    let mut saved = Vec::new();
    for d in &decisions.unit_map {
        let [org_id] = d.org_ids[..] else { continue };
        if !matches!(
            registry.resolve(&d.name),
            Resolution::Suspect { .. } | Resolution::Unknown
        ) {
            continue;
        }
        if orgs::remember_alias(tx, &caller.actor, &d.name, org_id).await? {
            saved.push(d.name.trim().to_string());
        }
    }
    Ok(saved)
}

/// An obligation of a confirmed plan as its form gives it.
#[derive(Debug, Clone, Default)]
pub struct ObligationForm {
    pub cadence: CadenceForm,
    pub org_id: String,
    pub column_id: String,
}

async fn editable_plan(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
) -> Outcome<plans::PlanRow> {
    managed_by(caller)?;
    let plan = plans::get_plan(tx, plan_id).await?;
    if plan.status == ARCHIVED {
        // 该工作安排已归档，不能修改；如需修改请先恢复
        return Err(Refusal::Invalid(Invalid::one(
            "status",
            "\u{8BE5}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}\u{5DF2}\u{5F52}\u{6863}\u{FF0C}\u{4E0D}\u{80FD}\u{4FEE}\u{6539}\u{FF1B}\u{5982}\u{9700}\u{4FEE}\u{6539}\u{8BF7}\u{5148}\u{6062}\u{590D}",
        )));
    }
    Ok(plan)
}

/// Validates an obligation form against the plan year: cadence, due rule (the default: the
/// statutory rule for periodic cadences, none otherwise), organisation and column.
fn obligation_values(form: &ObligationForm, year: i32) -> Outcome<ObligationValues> {
    let mut inv = Invalid::default();
    let cadence = match edit::cadence_from_form(&form.cadence, &[], Some(year)) {
        Ok(c) => Some(c),
        Err(e) => {
            inv.errors.extend(e.errors);
            None
        }
    };
    let org_id = form.org_id.trim().parse::<i64>().ok();
    if org_id.is_none() {
        // 请选择单位
        inv.push("org_id", "\u{8BF7}\u{9009}\u{62E9}\u{5355}\u{4F4D}");
    }
    let column_id = match form.column_id.trim() {
        "" => None,
        s => match s.parse::<i64>() {
            Ok(c) => Some(c),
            Err(_) => {
                // 所选栏目无效，请刷新页面后重新选择
                inv.push(
                    "column_id",
                    "\u{6240}\u{9009}\u{680F}\u{76EE}\u{65E0}\u{6548}\u{FF0C}\u{8BF7}\u{5237}\u{65B0}\u{9875}\u{9762}\u{540E}\u{91CD}\u{65B0}\u{9009}\u{62E9}",
                );
                None
            }
        },
    };
    inv.into_result().map_err(Refusal::Invalid)?;
    let (Some(c), Some(org_id)) = (cadence, org_id) else {
        return Err(Refusal::Internal("obligation form".into()));
    };
    let due_rule = c.due.clone().or_else(|| {
        c.norm
            .parse::<Norm>()
            .ok()
            .and_then(gongkai_domain::planimport::default_due_rule)
            .map(due_rule_code)
    });
    Ok(ObligationValues {
        org_id,
        column_id,
        cadence: c.norm,
        cadence_text: c.text,
        due_rule,
        keywords: c.keywords,
    })
}

fn cadence_label(norm: &str) -> String {
    norm.parse::<Norm>()
        .map(|c| c.label())
        .unwrap_or_else(|_| norm.to_string())
}

fn due_label(due: Option<&str>) -> String {
    // 默认
    due.and_then(gongkai_domain::planimport::parse_due_rule)
        .map_or_else(|| "\u{65E0}".to_string(), |d| d.label())
}

async fn org_name(tx: &mut sqlx::AnyConnection, id: i64) -> Outcome<String> {
    Ok(orgs::get(tx, id).await.map(|o| o.name)?)
}

async fn column_name(tx: &mut sqlx::AnyConnection, id: Option<i64>) -> Outcome<String> {
    // 未指定
    let none = "\u{672A}\u{6307}\u{5B9A}".to_string();
    Ok(match id {
        None => none,
        Some(id) => gongkai_db::columns::get(tx, id)
            .await
            .map(|c| c.name)
            .unwrap_or(none),
    })
}

/// Changes one obligation of a confirmed plan; returns whether anything changed (a revision).
pub async fn revise_obligation(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    obligation_id: i64,
    form: &ObligationForm,
) -> Outcome<bool> {
    let plan = editable_plan(tx, caller, plan_id).await?;
    let before = plan_edits::obligation(tx, plan_id, obligation_id).await?;
    let v = obligation_values(form, plan.year as i32)?;
    let mut changes: Vec<String> = Vec::new();
    if before.org_id != v.org_id {
        // 单位由“A”改为“B”
        changes.push(format!(
            "\u{5355}\u{4F4D}\u{7531}\u{201C}{}\u{201D}\u{6539}\u{4E3A}\u{201C}{}\u{201D}",
            before.org_name,
            org_name(tx, v.org_id).await?
        ));
    }
    if before.cadence != v.cadence {
        // 频次由“A”改为“B”
        changes.push(format!(
            "\u{9891}\u{6B21}\u{7531}\u{201C}{}\u{201D}\u{6539}\u{4E3A}\u{201C}{}\u{201D}",
            cadence_label(&before.cadence),
            cadence_label(&v.cadence)
        ));
    }
    if before.cadence_text != v.cadence_text && before.cadence == v.cadence {
        // 原文写法改为“B”
        changes.push(format!(
            "\u{539F}\u{6587}\u{5199}\u{6CD5}\u{6539}\u{4E3A}\u{201C}{}\u{201D}",
            v.cadence_text
        ));
    }
    if before.due_rule != v.due_rule {
        // 期限由“A”改为“B”
        changes.push(format!(
            "\u{671F}\u{9650}\u{7531}\u{201C}{}\u{201D}\u{6539}\u{4E3A}\u{201C}{}\u{201D}",
            due_label(before.due_rule.as_deref()),
            due_label(v.due_rule.as_deref())
        ));
    }
    if before.column_id != v.column_id {
        // 栏目由“A”改为“B”
        changes.push(format!(
            "\u{680F}\u{76EE}\u{7531}\u{201C}{}\u{201D}\u{6539}\u{4E3A}\u{201C}{}\u{201D}",
            before
                .column_name
                .clone()
                .unwrap_or_else(|| "\u{672A}\u{6307}\u{5B9A}".into()),
            column_name(tx, v.column_id).await?
        ));
    }
    if changes.is_empty() {
        return Ok(false);
    }
    // 任务N中“单位”的“频次”公开义务：…；…
    let summary = format!(
        "\u{4EFB}\u{52A1}{}\u{4E2D}{}\u{7684}\u{201C}{}\u{201D}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{FF1A}{}",
        before.task_number,
        before.org_name,
        cadence_label(&before.cadence),
        changes.join("\u{FF1B}")
    );
    Ok(
        plan_edits::update_obligation(tx, &caller.actor, plan_id, obligation_id, &v, &summary)
            .await?,
    )
}

/// Adds an obligation to a duty of a confirmed plan; returns its id.
pub async fn add_obligation(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    duty_id: i64,
    form: &ObligationForm,
) -> Outcome<i64> {
    let plan = editable_plan(tx, caller, plan_id).await?;
    let task = plan_edits::duty_task_number(tx, plan_id, duty_id).await?;
    let v = obligation_values(form, plan.year as i32)?;
    // 任务N新增“单位”的“频次”公开义务（栏目X）
    let summary = format!(
        "\u{4EFB}\u{52A1}{task}\u{65B0}\u{589E}{}\u{7684}\u{201C}{}\u{201D}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{FF08}\u{680F}\u{76EE}{}\u{FF09}",
        org_name(tx, v.org_id).await?,
        cadence_label(&v.cadence),
        column_name(tx, v.column_id).await?
    );
    Ok(plan_edits::add_obligation(tx, &caller.actor, plan_id, duty_id, &v, &summary).await?)
}

/// Removes an obligation of a confirmed plan (refused while events are recorded against it).
pub async fn remove_obligation(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    obligation_id: i64,
) -> Outcome<()> {
    editable_plan(tx, caller, plan_id).await?;
    let before = plan_edits::obligation(tx, plan_id, obligation_id).await?;
    // 删除任务N中“单位”的“频次”公开义务
    let summary = format!(
        "\u{5220}\u{9664}\u{4EFB}\u{52A1}{}\u{4E2D}{}\u{7684}\u{201C}{}\u{201D}\u{516C}\u{5F00}\u{4E49}\u{52A1}",
        before.task_number,
        before.org_name,
        cadence_label(&before.cadence)
    );
    plan_edits::remove_obligation(tx, &caller.actor, plan_id, obligation_id, &summary).await?;
    Ok(())
}

/// Renames a task of a confirmed plan; returns whether it changed.
pub async fn retitle_task(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    task_id: i64,
    title: &str,
) -> Outcome<bool> {
    editable_plan(tx, caller, plan_id).await?;
    let title = title.trim();
    let mut inv = Invalid::default();
    // 任务名称
    gongkai_domain::validate::required_text(
        &mut inv,
        "title",
        "\u{4EFB}\u{52A1}\u{540D}\u{79F0}",
        title,
        edit::MAX_TITLE,
    );
    inv.into_result().map_err(Refusal::Invalid)?;
    let (number, before) = plan_edits::task(tx, plan_id, task_id).await?;
    // 任务N名称由“A”改为“B”
    let summary = format!(
        "\u{4EFB}\u{52A1}{number}\u{540D}\u{79F0}\u{7531}\u{201C}{before}\u{201D}\u{6539}\u{4E3A}\u{201C}{title}\u{201D}"
    );
    Ok(plan_edits::set_task_title(tx, &caller.actor, plan_id, task_id, title, &summary).await?)
}

/// Archives (or with `false` restores) a confirmed plan: archived plans leave the active lists and
/// the reminders and stay readable. Returns whether the status changed.
pub async fn archive(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    archived: bool,
) -> Outcome<bool> {
    managed_by(caller)?;
    let plan = plans::get_plan(tx, plan_id).await?;
    let (status, summary) = if archived {
        // 归档工作安排“X”
        (
            ARCHIVED,
            format!(
                "\u{5F52}\u{6863}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}\u{201C}{}\u{201D}",
                plan.title
            ),
        )
    } else {
        // 恢复工作安排“X”
        (
            plan_edits::ACTIVE,
            format!(
                "\u{6062}\u{590D}\u{5DE5}\u{4F5C}\u{5B89}\u{6392}\u{201C}{}\u{201D}",
                plan.title
            ),
        )
    };
    Ok(plan_edits::set_status(tx, &caller.actor, plan_id, status, &summary).await?)
}

pub(crate) async fn source_revision(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    source: gongkai_domain::compliance::EvidenceSource,
) -> Outcome<()> {
    let task = plan_edits::duty_task_number(tx, plan_id, duty_id).await?;
    // 任务N“频次”公开义务改为依据“X”核查
    let summary = format!(
        "\u{4EFB}\u{52A1}{task}\u{201C}{}\u{201D}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{6539}\u{4E3A}\u{4F9D}\u{636E}\u{201C}{}\u{201D}\u{6838}\u{67E5}",
        cadence_label(cadence),
        source.label()
    );
    plan_edits::record_revision(
        tx,
        &caller.actor,
        plan_id,
        &summary,
        serde_json::json!({"duty_id": duty_id, "cadence": cadence, "source": source.code()}),
    )
    .await?;
    Ok(())
}

/// Records the revision of a column bound on a confirmed plan (`plans::set_obligation_column`).
pub(crate) async fn column_revision(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    column_id: Option<i64>,
) -> Outcome<()> {
    let task = plan_edits::duty_task_number(tx, plan_id, duty_id).await?;
    let column = column_name(tx, column_id).await?;
    // 任务N“频次”公开义务的发布栏目改为“X”
    let summary = format!(
        "\u{4EFB}\u{52A1}{task}\u{201C}{}\u{201D}\u{516C}\u{5F00}\u{4E49}\u{52A1}\u{7684}\u{53D1}\u{5E03}\u{680F}\u{76EE}\u{6539}\u{4E3A}\u{201C}{column}\u{201D}",
        cadence_label(cadence)
    );
    plan_edits::record_revision(
        tx,
        &caller.actor,
        plan_id,
        &summary,
        serde_json::json!({"duty_id": duty_id, "cadence": cadence, "column_id": column_id}),
    )
    .await?;
    Ok(())
}
