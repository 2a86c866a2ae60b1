//! Use cases of work plans （工作安排）， all the supervising office's: import a parsed document
//! as a draft, correct it, confirm it with the reviewer's decisions (and, for blocking lint
//! findings, an audited override; the names mapped to one organisation are remembered as aliases),
//! discard it, and bind the column a confirmed duty publishes in (a revision of the plan). The
//! edits without JSON are in `plan_edit`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::plans::{self, LintOverride};
use gongkai_domain::Invalid;
use gongkai_domain::plan::Plan;
use gongkai_domain::planimport::ImportDecisions;

/// Plans are the supervising office's: refused for anyone else.
pub(crate) fn managed_by(caller: &Caller<'_>) -> Outcome<()> {
    if caller.perms.can_manage_plans() {
        Ok(())
    } else {
        Err(Refusal::forbidden())
    }
}

/// Stores a parsed document as an import under review; returns the import's id.
pub async fn import(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    source_name: &str,
    source_text: &str,
    parsed: &Plan,
) -> Outcome<i64> {
    managed_by(caller)?;
    Ok(plans::create_import(tx, &caller.actor, source_name, source_text, parsed).await?)
}

/// Replaces the parsed plan of a draft import with the reviewer's correction.
pub async fn correct(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    corrected: &Plan,
) -> Outcome<()> {
    managed_by(caller)?;
    if corrected.tasks.is_empty() {
        return Err(Refusal::Invalid(Invalid::one(
            "plan_json",
            "至少需要保留一项任务",
        )));
    }
    plans::update_import_plan(tx, &caller.actor, id, corrected).await?;
    Ok(())
}

/// Confirms a draft import into a plan; returns the plan's id.
pub async fn confirm(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
    decisions: &ImportDecisions,
    lint_override: Option<&LintOverride>,
) -> Outcome<i64> {
    managed_by(caller)?;
    let plan_id =
        plans::confirm_import_with(tx, &caller.actor, id, decisions, lint_override).await?;
    crate::plan_edit::remember_aliases(tx, caller, decisions).await?;
    Ok(plan_id)
}

/// Imports and confirms a built-in arrangement (the demo's) and makes it public on `/zdgz`; a
/// second call finds it there and imports nothing.
pub async fn import_builtin(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    key: &str,
) -> Outcome<plans::BuiltinImport> {
    managed_by(caller)?;
    let done = plans::import_builtin(tx, &caller.actor, key).await?;
    if done.import_id.is_some() {
        gongkai_db::public_plans::set_public(tx, &caller.actor, done.plan_id, true).await?;
    }
    Ok(done)
}

/// Discards a draft import.
pub async fn discard(tx: &mut sqlx::AnyConnection, caller: &Caller<'_>, id: i64) -> Outcome<()> {
    managed_by(caller)?;
    plans::discard_import(tx, &caller.actor, id).await?;
    Ok(())
}

/// Binds (or with `None` unbinds) the column in which a duty publishes its obligations of a
/// cadence; supervision follows at once.
pub async fn set_obligation_column(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    column_id: Option<i64>,
) -> Outcome<()> {
    managed_by(caller)?;
    let changed =
        plans::set_obligation_column(tx, &caller.actor, plan_id, duty_id, cadence, column_id)
            .await?;
    if changed > 0 {
        crate::plan_edit::column_revision(tx, caller, plan_id, duty_id, cadence, column_id).await?;
    }
    Ok(())
}

/// Sets where a duty's obligations of a cadence find their evidence: the items of a bound
/// column (`EvidenceSource::Items`) or the system's own records, such as the service-item
/// catalogue for task 19. Supervision follows at once; a change is a revision of the plan.
pub async fn set_obligation_source(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    source: gongkai_domain::compliance::EvidenceSource,
) -> Outcome<()> {
    managed_by(caller)?;
    let changed =
        plans::set_obligation_source(tx, &caller.actor, plan_id, duty_id, cadence, source).await?;
    if changed > 0 {
        crate::plan_edit::source_revision(tx, caller, plan_id, duty_id, cadence, source).await?;
    }
    Ok(())
}

/// Binds the list page on a department's own website (its URL; empty to unbind) whose items are
/// the evidence of a duty's obligations of a cadence, instead of a portal column. The URL must
/// be http or https; the scheduled crawl reads it (`gongkai_jobs::external`).
pub async fn set_obligation_external(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    duty_id: i64,
    cadence: &str,
    url: &str,
) -> Outcome<()> {
    managed_by(caller)?;
    let url = match url.trim() {
        "" => None,
        raw => Some(
            gongkai_domain::external_evidence::validate_list_url("url", raw)
                .map_err(Refusal::Invalid)?,
        ),
    };
    gongkai_db::external_lists::bind(tx, &caller.actor, plan_id, duty_id, cadence, url.as_deref())
        .await?;
    Ok(())
}

/// Makes a confirmed plan public on the accountability page (`/zdgz`) or withdraws it: the
/// supervising office's decision, audited. A newly confirmed plan is not public.
pub async fn set_public(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    plan_id: i64,
    public: bool,
) -> Outcome<()> {
    managed_by(caller)?;
    gongkai_db::public_plans::set_public(tx, &caller.actor, plan_id, public).await?;
    Ok(())
}
