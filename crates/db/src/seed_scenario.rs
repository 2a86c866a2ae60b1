//! The `--demo` supervision scenario, on top of the built-in 2017 arrangement: what 市财政局 and
//! 市统计局 published against their periodic duties, so the compliance report has something to
//! show. 市财政局 publishes its monthly 财政收支 report for April to November, on time except
//! August's figures, which come out on 2017-10-16 (due 2017-09-28 under the statutory 20 working
//! days: 8 working days late); 市统计局 publishes the half-year report on time and nothing for the
//! third quarter (the general demo content's first-quarter report predates the plan and counts
//! for no period).
//! As of 2017-12-31 the report shows met, one met late, one missed quarter, and December and the
//! fourth quarter not yet due.
//!
//! Feedback on the 6月30日 rounds of task 1 (`FEEDBACK`): 市财政局 reports on 2017-06-29, on
//! time; 市统计局 on 2017-07-06, 4 working days late; both accepted the next day. 市审计局 never
//! reports, so its round is missing.
//!
//! Idempotent: an item whose title already exists for its organisation is skipped, and so is a
//! feedback round that already has a submission.

use crate::{Actor, Db, DbResult, columns, feedback, items, settings};
use gongkai_domain::feedback::SubmissionInput;
use gongkai_domain::item::ItemFields;

/// The built-in plan's title (`plans::import_builtin("panjin-2017")`).
const PLAN_TITLE: &str = "盘锦市2017年政务公开工作安排";

/// A unit's answer to one of task 1's feedback rounds of the built-in plan.
pub struct ScenarioFeedback {
    pub org: &'static str,
    pub due: &'static str,
    pub submitted_on: &'static str,
    pub text: &'static str,
}

pub const FEEDBACK: &[ScenarioFeedback] = &[
    ScenarioFeedback {
        org: "市财政局",
        due: "2017-06-30",
        submitted_on: "2017-06-29",
        text: "已按月在“财政预决算”栏目公开全市财政收支情况，4月、5月数据均在法定期限内发布。",
    },
    ScenarioFeedback {
        org: "市统计局",
        due: "2017-06-30",
        submitted_on: "2017-07-06",
        text: "已在“统计信息”栏目公开一季度经济运行情况，上半年数据将于7月下旬发布。",
    },
];

pub struct ScenarioItem {
    pub org: &'static str,
    pub column: &'static str,
    pub title: &'static str,
    pub date: &'static str,
    pub body: &'static str,
}

const FISCAL_BODY: &str = "一、一般公共预算收支情况\n\n本月全市一般公共预算收入完成情况、主要税种增减变化及原因。\n\n二、支出情况\n\n民生支出保障情况及重点支出进度。\n\n三、下阶段财政收入走势研判及需要说明的问题。";
const STATS_BODY: &str = "一、地区生产总值\n\n二、农业、工业、固定资产投资、消费品市场\n\n三、居民收入与物价\n\n四、新经济发展与供给侧结构性改革进展\n\n（初步核算数，如有出入以最终公布数为准。）";

pub const SCENARIO: &[ScenarioItem] = &[
    fin("2017年4月全市财政收支情况", "2017-05-16"),
    // The same as the general demo content's, so the two agree (skipped when present).
    fin("2017年5月全市财政收支情况", "2017-06-12"),
    fin("2017年6月全市财政收支情况", "2017-07-14"),
    fin("2017年7月全市财政收支情况", "2017-08-15"),
    // Late: 20 working days after 31 August is 28 September; published after the National Day
    // holiday, 8 working days late (30 September was a make-up working day).
    fin("2017年8月全市财政收支情况", "2017-10-16"),
    fin("2017年9月全市财政收支情况", "2017-10-20"),
    fin("2017年10月全市财政收支情况", "2017-11-15"),
    fin("2017年11月全市财政收支情况", "2017-12-14"),
    ScenarioItem {
        org: "市统计局",
        column: "tjxx",
        title: "2017年上半年全市经济运行情况",
        date: "2017-07-21",
        body: STATS_BODY,
    },
    // No third-quarter report: the quarter is missed.
];

const fn fin(title: &'static str, date: &'static str) -> ScenarioItem {
    ScenarioItem {
        org: "市财政局",
        column: "czyjs",
        title,
        date,
        body: FISCAL_BODY,
    }
}

/// Adds the scenario's items (published, 主动公开, dated as above). Returns how many were added.
pub async fn load(db: &Db) -> DbResult<usize> {
    let mut tx = db.begin().await?;
    let site = columns::default_site(&mut tx).await?;
    let pattern = settings::index_pattern(&mut tx).await?;
    let actor = Actor {
        user_id: None,
        name: "演示数据".into(),
        ip: String::new(),
    };
    let mut added = 0;
    for d in SCENARIO {
        let org = crate::orgs::find_by_name(&mut tx, d.org)
            .await?
            .ok_or(crate::DbError::NotFound("演示数据的机构不存在"))?;
        let exists: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM items WHERE title = $1 AND org_id = $2")
                .bind(d.title)
                .bind(org.id)
                .fetch_one(&mut *tx)
                .await?;
        if exists > 0 {
            continue;
        }
        let column = columns::by_slug(&mut tx, site.id, d.column).await?;
        let fields = ItemFields {
            title: d.title.into(),
            body: d.body.into(),
            org_id: org.id.to_string(),
            column_ids: vec![column.id.to_string()],
            disclosure: "proactive".into(),
            issuing_authority: org.name.clone(),
            written_on: d.date.into(),
            publish_date: d.date.into(),
            topic_category: if d.column == "tjxx" {
                "综合政务\\统计信息"
            } else {
                "财政金融、审计\\财政"
            }
            .into(),
            ..Default::default()
        };
        let input = fields.validate()?;
        let id = items::create(&mut tx, &actor, site.id, &input).await?;
        items::publish(&mut tx, &actor, id, &pattern).await?;
        // The demo replays 2017: each item became public on its date.
        items::replay_made_public_at_stated_date(&mut tx, id).await?;
        added += 1;
    }
    load_feedback(&mut tx, &actor).await?;
    load_proposals(&mut tx, &actor).await?;
    load_meeting(&mut tx, &actor).await?;
    tx.commit().await?;
    Ok(added)
}

/// Submits and accepts `FEEDBACK` on task 1's rounds of the built-in plan, if it is there.
async fn load_feedback(conn: &mut sqlx::AnyConnection, actor: &Actor) -> DbResult<()> {
    for f in FEEDBACK {
        let round: Option<(i64, i64)> = sqlx::query_as(
            "SELECT f.id, (SELECT COUNT(*) FROM feedback_submissions s WHERE s.round_id = f.id) \
             FROM feedback_rounds f JOIN organisations o ON o.id = f.org_id \
             JOIN plan_duties d ON d.id = f.duty_id JOIN plan_tasks t ON t.id = d.task_id \
             JOIN plans p ON p.id = t.plan_id \
             WHERE p.title = $1 AND t.number = 1 AND o.name = $2 AND f.due_date = $3 \
             ORDER BY d.sort_order, f.id LIMIT 1",
        )
        .bind(PLAN_TITLE)
        .bind(f.org)
        .bind(f.due)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((round_id, 0)) = round else {
            continue;
        };
        let on = chrono::NaiveDate::parse_from_str(f.submitted_on, "%Y-%m-%d")
            .map_err(|_| crate::DbError::Config(format!("演示反馈日期无效：{}", f.submitted_on)))?;
        // 10:00 in China that day; reviewed at 10:00 the next day.
        let at = items::china_date_start_ms(on) + 10 * 3_600_000;
        let input = SubmissionInput {
            text: f.text.into(),
            ..Default::default()
        };
        feedback::submit(conn, actor, round_id, &input, &[], at).await?;
        feedback::review(conn, actor, round_id, "accept", "", at + 86_400_000).await?;
    }
    Ok(())
}

/// Two 2017 NPC suggestions for 市财政局: one answered, published and closed; one still open
/// (its reply is overdue), so `/admin/proposals?year=2017` and `/jytabl` have something to show.
async fn load_proposals(conn: &mut sqlx::AnyConnection, actor: &Actor) -> DbResult<()> {
    use gongkai_domain::proposal::{AssignInput, Grade, ProposalKind, ReplyInput, Satisfaction};
    let Some(org) = crate::orgs::find_by_name(conn, "市财政局").await? else {
        return Ok(());
    };
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM proposals WHERE year = 2017")
        .fetch_one(&mut *conn)
        .await?;
    if exists > 0 {
        return Ok(());
    }
    let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
    let case = |number: &str, title: &str| AssignInput {
        kind: ProposalKind::NpcSuggestion,
        year: 2017,
        number: number.into(),
        title: title.into(),
        proposer: "刘某某等6名代表".into(),
        proposer_contact: Some("13900000000".into()),
        content: "建议进一步细化预决算公开内容，按经济分类公开基本支出。".into(),
        assigned_on: day("2017-03-20"),
        lead_org_id: org.id,
        co_org_ids: vec![],
        complex: false,
        key_item: false,
        key_leader: None,
    };
    let done = crate::proposals::assign(conn, actor, &case("第0017号", "关于深化预决算公开的建议"))
        .await?;
    crate::proposals::sign_for(conn, actor, done, day("2017-03-22")).await?;
    crate::proposals::reply(
        conn,
        actor,
        done,
        &ReplyInput {
            contacted_on: day("2017-05-15"),
            contact_note: Some("登门走访".into()),
            replied_on: day("2017-06-10"),
            grade: Grade::A,
            signed_by: "市财政局局长".into(),
            reply_text: "刘某某等代表：你们提出的《关于深化预决算公开的建议》收悉。经认真研究，现答复如下：\n一、2017年起，市本级部门预决算全部按经济分类公开基本支出……\n感谢你们对财政工作的关心和支持。（联系电话：13900000000）".into(),
        },
    )
    .await?;
    crate::proposals::record_feedback(
        conn,
        actor,
        done,
        day("2017-06-20"),
        Satisfaction::Satisfied,
    )
    .await?;
    crate::proposals::publish(conn, actor, done, day("2017-06-25")).await?;
    let open = crate::proposals::assign(
        conn,
        actor,
        &case("第0042号", "关于规范政府性债务信息公开的建议"),
    )
    .await?;
    crate::proposals::sign_for(conn, actor, open, day("2017-03-23")).await?;
    Ok(())
}

/// One 2017 executive meeting of 盘锦市人民政府 opened to the public, held and with its minutes,
/// so `/hygk` and `/admin/meetings` have something to show.
async fn load_meeting(conn: &mut sqlx::AnyConnection, actor: &Actor) -> DbResult<()> {
    use gongkai_domain::meeting::MeetingFields;
    let Some(org) = crate::orgs::find_by_name(conn, "盘锦市人民政府").await? else {
        return Ok(());
    };
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM meetings")
        .fetch_one(&mut *conn)
        .await?;
    if exists > 0 {
        return Ok(());
    }
    let input = MeetingFields {
        org_id: org.id.to_string(),
        kind: "executive".into(),
        title: "市政府第12次常务会议".into(),
        held_at: "2017-07-14 09:00".into(),
        place: "市政府第一会议室".into(),
        agenda: "一、研究《盘锦市优化营商环境若干措施》落实情况；\n二、审议《盘锦市2017年政务公开工作安排》分工方案。".into(),
        seats: "6".into(),
        apply_by: "2017-07-10".into(),
        live_url: String::new(),
        obligation_id: String::new(),
    }
    .validate()?;
    let id = crate::meetings::create(conn, actor, &input).await?;
    crate::meetings::mark_held(
        conn,
        actor,
        id,
        "会议听取了市营商局关于优化营商环境若干措施落实情况的汇报，原则通过政务公开工作安排分工方案。列席的公众代表就政务服务“一网通办”提出意见，会议要求有关部门认真研究吸纳。",
        None,
    )
    .await?;
    Ok(())
}
