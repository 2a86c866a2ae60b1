//! `gongkai plan parse FILE [--format json|table]`: reads an arrangement document and prints the
//! plan found in it. The parsing is `gongkai_domain::plan` (pure); this module only reads the file.
//!
//! ```text
//! $ gongkai plan parse 盘锦市2017年政务公开工作安排.txt --format table
//! 标题:盘锦市2017年政务公开工作安排
//! …
//!   1. 公开预期引导信息  〔一、重点公开工作任务 › (一)以政务公开助力稳增长〕
//! ```

use std::io::{Read, Write};
use std::path::PathBuf;

use anyhow::Context;
use gongkai_app::Caller;
use gongkai_app::plans as app_plans;
use gongkai_domain::plan::{self, InputFormat, MAX_INPUT_BYTES};
use gongkai_domain::role::Permissions;

#[derive(Debug, clap::Subcommand)]
pub enum PlanCommand {
    /// Parse a 工作要点 / 工作安排 / 实施方案 / 任务分工 document (.txt, .html, .docx, .xlsx/.xls task
    /// table, .pdf with text; UTF-8 or GB18030)
    Parse {
        file: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Json)]
        format: Format,
    },
    /// Import a document as a plan awaiting review (/admin/plans/imports/ID), or a built-in
    /// arrangement with its shipped decisions, confirmed
    Import {
        #[arg(required_unless_present = "builtin", conflicts_with = "builtin")]
        file: Option<PathBuf>,
        /// A shipped arrangement: panjin-2017
        #[arg(long)]
        builtin: Option<String>,
        /// Confirm at once when every unit resolves to an organisation and the checks find no
        /// blocking problem (else the draft is kept, the problems are printed, exit status 1)
        #[arg(long)]
        confirm: bool,
        /// With --confirm: confirm even with blocking problems, for this reason (audited)
        #[arg(long, requires = "confirm", value_name = "REASON")]
        override_reason: Option<String>,
        #[command(flatten)]
        db: crate::config::DbArgs,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Table,
}

/// Reads at most one byte more than the limit, so an oversized file is refused without reading it
/// all.
fn read_limited(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let f =
        std::fs::File::open(path).with_context(|| format!("无法打开文件 {}", path.display()))?;
    let mut bytes = Vec::new();
    f.take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("无法读取文件 {}", path.display()))?;
    Ok(bytes)
}

/// Parses the file and returns what `plan parse` prints.
pub fn parse_file(path: &PathBuf, format: Format) -> anyhow::Result<String> {
    let bytes = read_limited(path)?;
    if bytes.len() > MAX_INPUT_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len(), |m| m.len() as usize);
        let e = plan::PlanError::TooLarge { size };
        return Err(anyhow::anyhow!("{}：{e}", path.display()));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let plan = plan::parse_bytes(&bytes, InputFormat::from_file_name(&name))
        .map_err(|e| anyhow::anyhow!("{}：{e}", path.display()))?;
    Ok(match format {
        Format::Json => plan.to_json() + "\n",
        Format::Table => plan::render::table(&plan),
    })
}

pub fn run(command: PlanCommand) -> anyhow::Result<()> {
    match command {
        PlanCommand::Parse { file, format } => {
            let out = parse_file(&file, format)?;
            match std::io::stdout().lock().write_all(out.as_bytes()) {
                // `gongkai plan parse … | head` is not an error
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => Ok(r?),
            }
        }
        PlanCommand::Import { .. } => {
            anyhow::bail!("plan import 需要数据库\u{FF0C}请使用 run_async")
        }
    }
}

// ---- `gongkai plan import` (plan import; see gongkai_db::plans) ----

/// Runs any plan command; `import` needs the database and the configuration file.
pub async fn run_async(
    command: PlanCommand,
    file: &crate::config::FileConfig,
) -> anyhow::Result<()> {
    let PlanCommand::Import {
        file: path,
        builtin,
        confirm,
        override_reason,
        db,
    } = command
    else {
        return run(command);
    };
    let settings = crate::config::Settings::resolve(&db, None, file)?;
    let db = {
        use tracing::instrument::WithSubscriber;
        crate::serve::open_database(&settings)
            .with_subscriber(tracing::subscriber::NoSubscriber::default())
            .await?
    };
    // A fresh data directory gets the organisations and columns the import resolves against: a
    // built-in arrangement is the demo's, so its site is the demo's.
    if builtin.is_some() {
        gongkai_db::seed::ensure_demo_site(&db).await?;
    } else {
        gongkai_db::seed::ensure_seeded(&db).await?;
    }
    let out = match builtin {
        Some(key) => import_builtin(&db, &key).await?,
        None => {
            import_file(
                &db,
                &path.unwrap_or_default(),
                confirm,
                override_reason.as_deref(),
            )
            .await?
        }
    };
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(())
}

fn cli_actor() -> gongkai_db::Actor {
    gongkai_db::Actor {
        user_id: None,
        name: "命令行".into(),
        ip: String::new(),
    }
}

/// Imports and confirms a built-in arrangement; says so when it is already there.
pub async fn import_builtin(db: &gongkai_db::Db, key: &str) -> anyhow::Result<String> {
    let perms = Permissions::server_shell();
    let caller = Caller {
        actor: cli_actor(),
        perms: &perms,
    };
    let mut tx = db.begin_audited().await?;
    let done = app_plans::import_builtin(&mut tx, &caller, key).await?;
    let counts = gongkai_db::plans::counts(&mut tx, done.plan_id).await?;
    let plan = gongkai_db::plans::get_plan(&mut tx, done.plan_id).await?;
    if done.import_id.is_some() {
        tx.commit().await?;
    }
    Ok(match done.import_id {
        None => format!(
            "工作安排“{}”已存在\u{FF08}编号 {}\u{FF09}\u{FF0C}未重复导入\n",
            plan.title, plan.id
        ),
        Some(_) => {
            format!(
                "已导入并确认工作安排“{}”\u{FF08}编号 {}\u{FF09}\u{FF1A}{} 项任务\u{FF0C}{} 条职责\u{FF0C}{} 个单位对应\u{FF0C}{} 个期限\u{FF0C}{} 项公开义务\u{FF0C}{} 次反馈\n",
                plan.title,
                plan.id,
                counts.tasks,
                counts.duties,
                counts.units,
                counts.deadlines,
                counts.obligations,
                counts.feedback_rounds
            ) + &if done.overridden > 0 {
                format!(
                    "其中 {} 个阻止确认的问题已按内置的核对理由仍然确认\u{FF0C}已记入操作日志\n",
                    done.overridden
                )
            } else {
                String::new()
            }
        }
    })
}

/// The lint findings as the command prints them: a count line, then one line per finding.
pub fn lint_report(findings: &[gongkai_domain::plan::lint::Finding]) -> String {
    if findings.is_empty() {
        return "识别结果检查\u{FF1A}未发现问题\n".to_string();
    }
    let blocking = findings.iter().filter(|f| f.is_blocking()).count();
    let mut out = format!(
        "识别结果检查\u{FF1A}{blocking} 个阻止确认的问题\u{FF0C}{} 个提醒\n",
        findings.len() - blocking
    );
    for f in findings {
        out.push_str(&format!(
            "  \u{3010}{}\u{3011}{}\n",
            f.severity.label(),
            f.message
        ));
    }
    out
}

/// Parses the file and stores it as a draft import (nothing is stored when it cannot be parsed)
/// and prints the lint findings. With `confirm`, confirms it when nothing stops that: unresolved
/// units always do; blocking lint findings do unless `override_reason` is given (the override is
/// audited with the confirmation). A refusal is an error (exit status 1) and keeps the draft.
pub async fn import_file(
    db: &gongkai_db::Db,
    path: &PathBuf,
    confirm: bool,
    override_reason: Option<&str>,
) -> anyhow::Result<String> {
    let bytes = read_limited(path)?;
    if bytes.len() > MAX_INPUT_BYTES {
        let size = std::fs::metadata(path).map_or(bytes.len(), |m| m.len() as usize);
        let e = plan::PlanError::TooLarge { size };
        return Err(anyhow::anyhow!("{}：{e}", path.display()));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let fail = |e: plan::PlanError| anyhow::anyhow!("{}：{e}", path.display());
    let text =
        plan::input::extract_text(&bytes, InputFormat::from_file_name(&name)).map_err(fail)?;
    let parsed = plan::parse_text(&text).map_err(fail)?;
    let perms = Permissions::server_shell();
    let caller = Caller {
        actor: cli_actor(),
        perms: &perms,
    };
    let mut tx = db.begin_audited().await?;
    let id = app_plans::import(&mut tx, &caller, &name, &text, &parsed).await?;
    let registry = gongkai_db::orgs::registry(&mut tx).await?;
    tx.commit().await?;
    let summary = gongkai_domain::planimport::summary(&parsed, &registry);
    let mut out = format!(
        "已保存待审核的导入\u{FF08}编号 {id}\u{FF09}\u{FF1A}{} 项任务\u{FF0C}{} 条职责\n审核页面\u{FF1A}/admin/plans/imports/{id}\n",
        summary.tasks, summary.duties
    );
    for u in summary.units.iter().filter(|u| u.needs_decision()) {
        out.push_str(&format!("  待对应单位\u{FF1A}{}\n", u.name));
    }
    let findings = gongkai_domain::plan::lint::lint(&parsed, &text);
    out.push_str(&lint_report(&findings));
    if confirm {
        let mut tx = db.begin_audited().await?;
        let decisions = gongkai_domain::planimport::ImportDecisions::default();
        let over = override_reason.map(|r| gongkai_db::plans::LintOverride {
            reason: r.to_string(),
            seen: None,
        });
        match app_plans::confirm(&mut tx, &caller, id, &decisions, over.as_ref()).await {
            Ok(plan_id) => {
                tx.commit().await?;
                db.refresh_statistics().await?;
                out.push_str(&format!(
                    "已确认\u{FF0C}生成工作安排\u{FF08}编号 {plan_id}\u{FF09}\n"
                ));
                if over.is_some() && findings.iter().any(|f| f.is_blocking()) {
                    out.push_str(
                        "阻止确认的问题已按 --override-reason 仍然确认\u{FF0C}理由已记入操作日志\n",
                    );
                }
            }
            Err(gongkai_app::Refusal::Invalid(inv)) => {
                drop(tx);
                let mut why = String::new();
                for e in inv.errors.iter().filter(|e| e.field != "lint") {
                    why.push_str(&format!("  {}\n", e.message));
                }
                let blocking = findings.iter().filter(|f| f.is_blocking()).count();
                if inv.errors.iter().any(|e| e.field == "lint") {
                    why.push_str(&format!(
                        "  识别结果有 {blocking} 个阻止确认的问题\u{FF08}见上方清单\u{FF09}\u{FF0C}未给出 --override-reason\n"
                    ));
                }
                anyhow::bail!(
                    "{out}未能确认\u{FF1A}\n{why}导入记录 {id} 已保存为待审核\u{FF0C}请在审核页面 /admin/plans/imports/{id} 处理\u{FF1B}逐项核对后如仍要确认\u{FF0C}可在审核页面勾选\u{201C}我已核对以上问题\u{FF0C}仍然确认\u{201D}并填写理由\u{FF0C}或重新运行本命令并加上 --override-reason \u{201C}理由\u{201D}"
                )
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../domain/testdata/plan/seed_panjin_2017.txt"
        ))
    }

    #[test]
    fn plan_parse_prints_json_and_table() {
        let json = parse_file(&seed(), Format::Json).unwrap();
        assert!(json.starts_with("{\n  \"title\": \"盘锦市2017年政务公开工作安排\""));
        let table = parse_file(&seed(), Format::Table).unwrap();
        assert!(table.contains("任务 28 项\u{FF0C}职责 44 条"), "{table}");
        assert!(table.contains("牵头\u{FF1A}市财政局  配合\u{FF1A}市物价局"));
    }

    #[test]
    fn plan_parse_reports_bad_files_in_chinese() {
        let dir = std::env::temp_dir().join(format!("gongkai-plan-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.txt");
        std::fs::write(&empty, b"").unwrap();
        let e = parse_file(&empty, Format::Json).unwrap_err().to_string();
        assert!(e.contains("文件为空"), "{e}");
        let big = dir.join("big.txt");
        std::fs::write(&big, vec![b'a'; MAX_INPUT_BYTES + 10]).unwrap();
        let e = parse_file(&big, Format::Json).unwrap_err().to_string();
        assert!(e.contains("20 MB"), "{e}");
        let missing = dir.join("missing.txt");
        let e = parse_file(&missing, Format::Json).unwrap_err().to_string();
        assert!(e.contains("无法打开文件"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
