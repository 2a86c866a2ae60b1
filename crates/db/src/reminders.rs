//! Notices for everyone who must act (issue 13, item 6), beside the reminder scans of
//! `notifications`: the statutory clocks of applications and proposals, the office's weekly
//! overdue digest, the notices the use cases raise (an item waiting for a review level, a
//! feedback report returned or waiting for review) and "my deadlines" for a unit's 工作台.
//!
//! Due dates are never computed here: applications carry the one their case engine wrote
//! (`domain::application::Case::deadline`), proposals ask `domain::proposal::deadlines`, periods
//! come from the compliance report and rounds from their rows. Every notice is keyed by
//! (subject, occasion) and every notification by (that key, user): exactly once however often
//! the scan runs (see `notifications`).

use crate::DbResult;
use crate::notifications::{
    self, Audience, NotifyPayload, ScanOutcome, due_clause, enqueue, plan_task, short,
};
use chrono::NaiveDate;
use gongkai_domain::calendar::Calendar;
use gongkai_domain::feedback::late_working_days;
use gongkai_domain::proposal::{ProposalRules, deadlines};
use gongkai_domain::reminder::{
    self, ReminderKind, ReminderRules, Standing, SubjectKind, chinese_date,
};
use gongkai_domain::workflow::level_label;
use serde::Serialize;
use sqlx::AnyConnection;
use std::collections::BTreeMap;

fn parse(d: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

/// Reminders of open applications （依申请公开） to the handlers of their organisation, due soon
/// and overdue under the office's rules for applications. A paused clock has no due date and
/// is not reminded. Keyed `reminder:application:<id>:<due>:<reminder>`.
pub async fn scan_applications(
    conn: &mut AnyConnection,
    today: NaiveDate,
) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let rules = notifications::kind_rules(conn, SubjectKind::Application).await?;
    let rows: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT a.id, a.org_id, o.name, a.tracking_code, a.due_on FROM applications a \
         JOIN organisations o ON o.id = a.org_id \
         WHERE a.status = 'in_progress' AND a.due_on IS NOT NULL ORDER BY a.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = ScanOutcome::default();
    for (id, org_id, org_name, code, due) in rows {
        let Some(due) = parse(&due) else { continue };
        let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
            continue;
        };
        out.due += 1;
        let what = format!("政府信息公开申请\u{FF08}查询码 {code}\u{FF09}");
        let p = NotifyPayload {
            org_id,
            audience: Audience::Handler.code().into(),
            kind: format!("application.{}", rem.kind.code()),
            title: reminder::title(&cal, &rem, &what, due, today),
            body: format!(
                "{}\u{FF1A}{org_name}收到的{what}{}",
                rem.kind.label(),
                due_clause(&cal, rem.kind, "答复", due, today)
            ),
            link: format!("/admin/applications/{id}"),
            key: format!("reminder:application:{id}:{due}:{}", rem.key()),
            ..Default::default()
        };
        if enqueue(conn, &p).await? {
            out.enqueued += 1;
        }
        if rem.kind == ReminderKind::Overdue
            && notifications::tell_office_once(conn, &p, &format!("application:{id}:{due}")).await?
        {
            out.enqueued += 1;
        }
    }
    out.add(scan_applicant_deadlines(conn, today, &cal).await?);
    Ok(out)
}

/// Cases waiting for the applicant whose time ran out: the 补正 deadline or the 20 working days
/// to pay a 收费通知 （国办函〔2020〕109号） passed, so the handlers may now close the case as
/// 逾期不补正 or 逾期未缴费. Told once per deadline, keyed `reminder:application:<id>:lapsed:<date>`.
async fn scan_applicant_deadlines(
    conn: &mut AnyConnection,
    today: NaiveDate,
    cal: &Calendar,
) -> DbResult<ScanOutcome> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM applications WHERE status IN ('awaiting_supplement', 'awaiting_payment') ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut out = ScanOutcome::default();
    for id in ids {
        let row = crate::applications::get(conn, id).await?;
        let events = crate::applications::events(conn, id).await?;
        let Ok(case) = crate::applications::case_of(&row, &events, cal) else {
            continue;
        };
        let lapsed = match (case.fee_due(), case.supplement_due()) {
            (Some(fee), _) if today > fee.pay_by => {
                Some((fee.pay_by, "缴费期限", "申请人逾期未按收费通知要求缴纳费用"))
            }
            (None, Some(due)) if today > due => {
                Some((due, "补正期限", "申请人无正当理由逾期不补正"))
            }
            _ => None,
        };
        let Some((date, what, outcome)) = lapsed else {
            continue;
        };
        out.due += 1;
        let subject = format!(
            "政府信息公开申请\u{FF08}查询码 {}\u{FF09}",
            row.tracking_code
        );
        let p = NotifyPayload {
            org_id: row.org_id,
            audience: Audience::Handler.code().into(),
            kind: "application.lapsed".into(),
            title: format!("{subject}{what}{}已届满", chinese_date(date)),
            body: format!(
                "{}{subject}的{what}{}已届满\u{FF0C}可以\u{201C}{outcome}\u{201D}办结\u{3002}",
                row.org_name,
                chinese_date(date)
            ),
            link: format!("/admin/applications/{id}"),
            key: format!("reminder:application:{id}:lapsed:{date}"),
            ..Default::default()
        };
        if enqueue(conn, &p).await? {
            out.enqueued += 1;
        }
    }
    Ok(out)
}

/// Open proposals （建议提案）: the next step the lead unit owes and its deadline, from
/// `domain::proposal::deadlines` (default rules, as the back office shows them).
async fn open_proposals(
    conn: &mut AnyConnection,
    cal: &Calendar,
) -> DbResult<Vec<(crate::proposals::Proposal, &'static str, NaiveDate)>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM proposals WHERE stage <> 'returned' AND published_on IS NULL ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let rules = ProposalRules::default();
    let mut out = Vec::new();
    for id in ids {
        let p = crate::proposals::get(conn, id).await?;
        let d = deadlines(cal, &rules, p.assigned(), p.case_dates());
        if let Some((step, due)) = d.next(p.stage(), p.published_on.is_some()) {
            out.push((p, step, due));
        }
    }
    Ok(out)
}

/// Reminders of proposals to the handlers of the lead unit, keyed
/// `reminder:proposal:<id>:<step due>:<reminder>` (each step is its own subject).
pub async fn scan_proposals(conn: &mut AnyConnection, today: NaiveDate) -> DbResult<ScanOutcome> {
    let cal: Calendar = crate::calendar::load(conn).await?;
    let rules = notifications::kind_rules(conn, SubjectKind::Proposal).await?;
    let mut out = ScanOutcome::default();
    for (p, step, due) in open_proposals(conn, &cal).await? {
        let Some(rem) = reminder::due_on(&rules, &cal, due, today) else {
            continue;
        };
        out.due += 1;
        let what = format!(
            "{}\u{201C}{}\u{201D}\u{FF08}{}\u{FF09}{step}",
            p.kind().label(),
            short(&p.title, 40),
            p.number
        );
        let n = NotifyPayload {
            org_id: p.lead_org_id,
            audience: Audience::Handler.code().into(),
            kind: format!("proposal.{}", rem.kind.code()),
            title: reminder::title(&cal, &rem, &what, due, today),
            body: format!(
                "{}\u{FF1A}{}\u{FF08}主办\u{FF09}{}{}",
                rem.kind.label(),
                p.lead_org_name,
                what,
                due_clause(&cal, rem.kind, "完成", due, today)
            ),
            link: format!("/admin/proposals/{}", p.id),
            key: format!("reminder:proposal:{}:{due}:{}", p.id, rem.key()),
            ..Default::default()
        };
        if enqueue(conn, &n).await? {
            out.enqueued += 1;
        }
        if rem.kind == ReminderKind::Overdue
            && notifications::tell_office_once(conn, &n, &format!("proposal:{}:{due}", p.id))
                .await?
        {
            out.enqueued += 1;
        }
    }
    Ok(out)
}

/// The office's weekly overdue digest: one notice per ISO week (`digest:overdue:2017-W26`)
/// listing, by unit, the overdue publication periods and feedback rounds of the active plans.
/// Nothing is sent in a week with nothing overdue. Returns whether a digest was queued.
pub async fn weekly_digest(conn: &mut AnyConnection, today: NaiveDate) -> DbResult<bool> {
    let key = format!("digest:overdue:{}", reminder::iso_week(today));
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE dedupe_key = $1")
        .bind(&key)
        .fetch_one(&mut *conn)
        .await?;
    if exists > 0 {
        return Ok(false);
    }
    let cal: Calendar = crate::calendar::load(conn).await?;
    let mut by_unit: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (plan_id, _) in active_plans(conn, today).await? {
        let report = crate::compliance::report(conn, plan_id, today).await?;
        for p in report.periods.iter().filter(|p| p.status == "missed") {
            let column = p.column_name.as_deref().unwrap_or("指定栏目");
            let due = chinese_date(p.due.naive());
            by_unit.entry(p.org_name.clone()).or_default().push(format!(
                "\u{201C}{column}\u{201D}{}期\u{FF08}应于{due}前公开\u{FF09}",
                p.label
            ));
        }
    }
    let rounds: Vec<(String, i64, String, String)> = sqlx::query_as(
        "SELECT o.name, pt.number, fr.label, fr.due_date FROM feedback_rounds fr \
         JOIN organisations o ON o.id = fr.org_id JOIN plan_duties pd ON pd.id = fr.duty_id \
         JOIN plan_tasks pt ON pt.id = pd.task_id JOIN plans p ON p.id = pt.plan_id \
         WHERE fr.status IN ('open', 'returned') AND p.status = 'active' AND fr.due_date < $1 \
         ORDER BY o.name, fr.due_date",
    )
    .bind(today.to_string())
    .fetch_all(&mut *conn)
    .await?;
    for (org, number, label, due) in rounds {
        let Some(due) = parse(&due) else { continue };
        if late_working_days(&cal, due, today) <= 0 {
            continue;
        }
        by_unit.entry(org).or_default().push(format!(
            "第{number}项任务反馈\u{201C}{label}\u{201D}\u{FF08}应于{}前报送\u{FF09}",
            chinese_date(due)
        ));
    }
    if by_unit.is_empty() {
        return Ok(false);
    }
    let total: usize = by_unit.values().map(Vec::len).sum();
    let mut body = format!(
        "截至{}\u{FF0C}{} 个单位共 {total} 项逾期未完成\u{FF1A}\n",
        chinese_date(today),
        by_unit.len()
    );
    for (unit, items) in &by_unit {
        let shown: Vec<&str> = items.iter().take(10).map(String::as_str).collect();
        let more = if items.len() > shown.len() {
            format!("等 {} 项", items.len())
        } else {
            String::new()
        };
        body.push_str(&format!(
            "{unit}\u{FF1A}{}{more}\u{3002}\n",
            shown.join("\u{FF1B}")
        ));
    }
    let p = NotifyPayload {
        org_id: 0,
        audience: Audience::Office.code().into(),
        kind: "digest.overdue".into(),
        title: format!(
            "每周逾期汇总\u{FF08}{}\u{FF09}\u{FF1A}{} 个单位 {total} 项逾期",
            reminder::iso_week(today),
            by_unit.len()
        ),
        body,
        link: "/admin/supervision".into(),
        key,
        ..Default::default()
    };
    enqueue(conn, &p).await
}

async fn active_plans(conn: &mut AnyConnection, today: NaiveDate) -> DbResult<Vec<(i64, String)>> {
    let year = i64::from(chrono::Datelike::year(&today));
    Ok(sqlx::query_as(
        "SELECT id, title FROM plans WHERE status = 'active' AND year >= $1 AND year <= $2 ORDER BY id",
    )
    .bind(year - 1)
    .bind(year)
    .fetch_all(conn)
    .await?)
}

/// Everything the reminder scan does for `today`, in order; the kept notices that found a
/// recipient since are queued again at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FullScan {
    pub feedback: ScanOutcome,
    pub periods: ScanOutcome,
    pub messages: ScanOutcome,
    pub applications: ScanOutcome,
    pub proposals: ScanOutcome,
    pub tickets: ScanOutcome,
    /// Open datasets' stated cadences (`data_cadence`).
    pub datasets: ScanOutcome,
    pub digest: bool,
    pub redelivered: usize,
}

impl FullScan {
    /// `notify` jobs newly queued by this scan.
    pub fn enqueued(&self) -> usize {
        self.feedback.enqueued
            + self.periods.enqueued
            + self.messages.enqueued
            + self.applications.enqueued
            + self.proposals.enqueued
            + self.tickets.enqueued
            + self.datasets.enqueued
            + usize::from(self.digest)
            + self.redelivered
    }
}

/// The reminder scan for `today` (the `reminders.scan` job).
pub async fn scan_all(conn: &mut AnyConnection, today: NaiveDate) -> DbResult<FullScan> {
    Ok(FullScan {
        feedback: notifications::scan_feedback_reminders(conn, today).await?,
        periods: notifications::scan_period_reminders(conn, today).await?,
        messages: crate::messages::scan_reminders(conn, today).await?,
        applications: scan_applications(conn, today).await?,
        proposals: scan_proposals(conn, today).await?,
        tickets: crate::monitor::tickets::scan_reminders(conn, today).await?,
        datasets: crate::data_cadence::scan_reminders(conn, today).await?,
        digest: weekly_digest(conn, today).await?,
        redelivered: notifications::redeliver_pending(conn).await?,
    })
}

// --- notices raised by use cases ----------------------------------------------------------------

/// An item entered review level `level` (submitted, or approved at the level before): its
/// reviewers are told, except its authors and whoever approved an earlier level of this round
/// (the workflow would refuse them). Keyed `item:<id>:round:<n>:level:<level>`.
pub async fn item_waiting_for_review(conn: &mut AnyConnection, item_id: i64) -> DbResult<bool> {
    let item = crate::items::get(conn, item_id).await?;
    if item.status != "submitted" {
        return Ok(false);
    }
    let approved: Vec<i64> = sqlx::query_scalar(
        "SELECT reviewer_id FROM item_reviews WHERE item_id = $1 AND round = $2 \
           AND decision = 'approve' AND reviewer_id IS NOT NULL",
    )
    .bind(item_id)
    .bind(item.review_round)
    .fetch_all(&mut *conn)
    .await?;
    let title = short(&item.title, 60);
    let notice = ReviewNotice {
        level: item.review_level,
        title: format!("待审核\u{FF08}{{label}}\u{FF09}\u{FF1A}{title}"),
        body: format!(
            "信息\u{201C}{title}\u{201D}已提交\u{FF0C}等待{{label}}\u{3002}请在审核队列中审核\u{3002}"
        ),
        key: format!("item:{item_id}:round:{}", item.review_round),
    };
    tell_reviewers(conn, &item, approved, None, notice).await
}

/// A 实质性修改 of a published item entered review level `level` (proposed, or approved at the
/// level before): its reviewers are told, except its authors and whoever approved an earlier
/// level of this revision. Keyed `item:<id>:revision:<rev>:level:<level>`.
pub async fn revision_waiting_for_review(conn: &mut AnyConnection, item_id: i64) -> DbResult<bool> {
    let Some(rev) = crate::workflow::pending_revision(conn, item_id).await? else {
        return Ok(false);
    };
    let item = crate::items::get(conn, item_id).await?;
    let approved: Vec<i64> = sqlx::query_scalar(
        "SELECT reviewer_id FROM item_reviews WHERE revision_id = $1 \
           AND decision = 'revision_approve' AND reviewer_id IS NOT NULL",
    )
    .bind(rev.id)
    .fetch_all(&mut *conn)
    .await?;
    let title = short(&item.title, 60);
    let notice = ReviewNotice {
        level: rev.review_level,
        title: format!("待审核修改\u{FF08}{{label}}\u{FF09}\u{FF1A}{title}"),
        body: format!(
            "已发布的信息\u{201C}{title}\u{201D}提交了实质性修改\u{FF0C}等待{{label}}\u{3002}修改说明\u{FF1A}{}",
            short(&rev.change_note, 120)
        ),
        key: format!("item:{item_id}:revision:{}", rev.id),
    };
    tell_reviewers(conn, &item, approved, rev.author_id, notice).await
}

/// A notice to an item's reviewers at one level; `{label}` in the texts is the level's name and
/// `:level:<n>` is added to the key.
struct ReviewNotice {
    level: i64,
    title: String,
    body: String,
    key: String,
}

/// Queues `notice` for the reviewers of `item`'s organisation, leaving out its authors, the
/// reviewers who approved an earlier level (`approved`) and `also` (a revision's author).
async fn tell_reviewers(
    conn: &mut AnyConnection,
    item: &crate::items::Item,
    approved: Vec<i64>,
    also: Option<i64>,
    notice: ReviewNotice,
) -> DbResult<bool> {
    let mut exclude: Vec<i64> =
        sqlx::query_scalar("SELECT user_id FROM item_authors WHERE item_id = $1")
            .bind(item.id)
            .fetch_all(&mut *conn)
            .await?;
    exclude.extend(approved);
    exclude.extend(item.created_by);
    exclude.extend(also);
    exclude.sort_unstable();
    exclude.dedup();
    let level = notice.level.clamp(1, 3);
    let label = level_label(u8::try_from(level).unwrap_or(1));
    let p = NotifyPayload {
        org_id: item.org_id,
        audience: Audience::Reviewer.code().into(),
        exclude,
        kind: "item.review".into(),
        title: notice.title.replace("{label}", label),
        body: notice.body.replace("{label}", label),
        link: "/admin/reviews".into(),
        key: format!("{}:level:{level}", notice.key),
    };
    enqueue(conn, &p).await
}

/// A feedback report was returned: the unit is told, with the reason. Keyed by the returned
/// submission (`feedback_round:<id>:returned:<submission>`), so each return is told once.
pub async fn feedback_returned(
    conn: &mut AnyConnection,
    round_id: i64,
    reason: &str,
) -> DbResult<bool> {
    let r = crate::feedback::get_round(conn, round_id).await?;
    let submission: Option<i64> =
        sqlx::query_scalar("SELECT MAX(id) FROM feedback_submissions WHERE round_id = $1")
            .bind(round_id)
            .fetch_one(&mut *conn)
            .await?;
    let due = chinese_date(r.due_date.naive());
    let p = NotifyPayload {
        org_id: r.org_id,
        kind: "feedback.returned".into(),
        title: format!(
            "反馈被退回\u{FF1A}第{}项任务反馈\u{201C}{}\u{201D}",
            r.task_number, r.label
        ),
        body: format!(
            "{}\u{FF1A}{}反馈\u{201C}{}\u{201D}被政务公开办退回\u{3002}退回理由\u{FF1A}{}\u{3002}请修改后重新报送\u{FF08}报送期限{due}\u{FF09}\u{3002}",
            plan_task(&r.plan_title, r.task_number, &r.task_title),
            r.org_name,
            r.label,
            reason.trim().trim_end_matches('\u{3002}'),
        ),
        link: format!("/admin/feedback/{round_id}"),
        key: format!(
            "feedback_round:{round_id}:returned:{}",
            submission.unwrap_or_default()
        ),
        ..Default::default()
    };
    enqueue(conn, &p).await
}

/// A unit submitted a feedback report: the office is told it waits for review. Keyed by the
/// submission (`feedback_submission:<id>:review`).
pub async fn feedback_submitted(
    conn: &mut AnyConnection,
    round_id: i64,
    submission_id: i64,
) -> DbResult<bool> {
    let r = crate::feedback::get_round(conn, round_id).await?;
    let p = NotifyPayload {
        org_id: r.org_id,
        audience: Audience::Office.code().into(),
        kind: "feedback.submitted".into(),
        title: format!(
            "待审核的反馈\u{FF1A}{}第{}项任务反馈\u{201C}{}\u{201D}",
            r.org_name, r.task_number, r.label
        ),
        body: format!(
            "{}\u{FF1A}{}已报送反馈\u{201C}{}\u{201D}\u{FF0C}请审核\u{3002}",
            plan_task(&r.plan_title, r.task_number, &r.task_title),
            r.org_name,
            r.label
        ),
        link: format!("/admin/feedback/{round_id}"),
        key: format!("feedback_submission:{submission_id}:review"),
        ..Default::default()
    };
    enqueue(conn, &p).await
}

// --- my deadlines -------------------------------------------------------------------------------

/// One open deadline of a unit, for its 工作台.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Deadline {
    pub subject: SubjectKind,
    pub subject_label: &'static str,
    pub org_name: String,
    pub what: String,
    pub due: NaiveDate,
    pub standing: Standing,
    pub standing_label: &'static str,
    pub link: String,
}

fn deadline(
    subject: SubjectKind,
    org_name: &str,
    what: String,
    due: NaiveDate,
    standing: Standing,
    link: String,
) -> Deadline {
    Deadline {
        subject,
        subject_label: subject.label(),
        org_name: org_name.to_string(),
        what,
        due,
        standing,
        standing_label: standing.label(),
        link,
    }
}

/// The deadlines of `orgs` that are due soon or overdue on `today` (obligation periods,
/// feedback rounds, applications, messages and proposals), soonest first; at most `limit`.
pub async fn my_deadlines(
    conn: &mut AnyConnection,
    orgs: &[i64],
    today: NaiveDate,
    limit: usize,
) -> DbResult<Vec<Deadline>> {
    if orgs.is_empty() {
        return Ok(Vec::new());
    }
    let cal: Calendar = crate::calendar::load(conn).await?;
    let mine = |id: i64| orgs.contains(&id);
    let mut out = Vec::new();
    // Publication periods, from the compliance engine.
    for (plan_id, _) in active_plans(conn, today).await? {
        let rules = notifications::rules(conn, plan_id).await?;
        let report = crate::compliance::report(conn, plan_id, today).await?;
        for p in &report.periods {
            if !mine(p.org_id) || !gongkai_domain::obligation::Status::still_owed(&p.status) {
                continue;
            }
            let due = p.due.naive();
            if let Some(s) = reminder::standing(&rules, &cal, due, today) {
                let column = p.column_name.as_deref().unwrap_or("指定栏目");
                out.push(deadline(
                    SubjectKind::Obligation,
                    &p.org_name,
                    format!("\u{201C}{column}\u{201D}{}期", p.label),
                    due,
                    s,
                    format!(
                        "/admin/supervision/periods?plan={plan_id}&as_of={today}&org={}",
                        p.org_id
                    ),
                ));
            }
        }
    }
    // Feedback rounds: overdue as the feedback engine counts lateness.
    let rules = notifications::kind_rules(conn, SubjectKind::FeedbackRound).await?;
    let rounds: Vec<(i64, i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT fr.id, fr.org_id, o.name, pt.number, fr.label, fr.due_date FROM feedback_rounds fr \
         JOIN organisations o ON o.id = fr.org_id JOIN plan_duties pd ON pd.id = fr.duty_id \
         JOIN plan_tasks pt ON pt.id = pd.task_id JOIN plans p ON p.id = pt.plan_id \
         WHERE fr.status IN ('open', 'returned') AND p.status = 'active' ORDER BY fr.due_date",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (id, org, org_name, number, label, due) in rounds {
        let Some(due) = parse(&due) else { continue };
        if !mine(org) {
            continue;
        }
        let s = if late_working_days(&cal, due, today) > 0 {
            Some(Standing::Overdue)
        } else {
            reminder::standing(&rules, &cal, due, today).filter(|s| *s == Standing::DueSoon)
        };
        if let Some(s) = s {
            out.push(deadline(
                SubjectKind::FeedbackRound,
                &org_name,
                format!("第{number}项任务反馈\u{201C}{label}\u{201D}"),
                due,
                s,
                format!("/admin/feedback/{id}"),
            ));
        }
    }
    // Applications and messages carry the due date their engines computed.
    let rules = notifications::kind_rules(conn, SubjectKind::Application).await?;
    let apps: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT a.id, a.org_id, o.name, a.tracking_code, a.due_on FROM applications a \
         JOIN organisations o ON o.id = a.org_id \
         WHERE a.status = 'in_progress' AND a.due_on IS NOT NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (id, org, org_name, code, due) in apps {
        let Some(due) = parse(&due) else { continue };
        if let (true, Some(s)) = (mine(org), reminder::standing(&rules, &cal, due, today)) {
            out.push(deadline(
                SubjectKind::Application,
                &org_name,
                format!("政府信息公开申请\u{FF08}查询码 {code}\u{FF09}答复"),
                due,
                s,
                format!("/admin/applications/{id}"),
            ));
        }
    }
    let rules = notifications::kind_rules(conn, SubjectKind::Message).await?;
    let msgs: Vec<(i64, i64, String, String, String)> = sqlx::query_as(
        "SELECT m.id, m.org_id, o.name, m.title, m.due_on FROM messages m \
         JOIN organisations o ON o.id = m.org_id WHERE m.status IN ('received', 'assigned')",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (id, org, org_name, title, due) in msgs {
        let Some(due) = parse(&due) else { continue };
        if let (true, Some(s)) = (mine(org), reminder::standing(&rules, &cal, due, today)) {
            out.push(deadline(
                SubjectKind::Message,
                &org_name,
                format!("留言\u{201C}{}\u{201D}答复", short(&title, 40)),
                due,
                s,
                format!("/admin/messages/{id}"),
            ));
        }
    }
    let rules: ReminderRules = notifications::kind_rules(conn, SubjectKind::Proposal).await?;
    for (p, step, due) in open_proposals(conn, &cal).await? {
        if let (true, Some(s)) = (
            mine(p.lead_org_id),
            reminder::standing(&rules, &cal, due, today),
        ) {
            out.push(deadline(
                SubjectKind::Proposal,
                &p.lead_org_name,
                format!(
                    "{}\u{201C}{}\u{201D}{step}",
                    p.kind().label(),
                    short(&p.title, 40)
                ),
                due,
                s,
                format!("/admin/proposals/{}", p.id),
            ));
        }
    }
    let rules = notifications::kind_rules(conn, SubjectKind::RectificationTicket).await?;
    for (id, org_name, what, due) in crate::monitor::tickets::open_due(conn, orgs).await? {
        if let Some(s) = reminder::standing(&rules, &cal, due, today) {
            out.push(deadline(
                SubjectKind::RectificationTicket,
                &org_name,
                what,
                due,
                s,
                format!("/admin/tickets/{id}"),
            ));
        }
    }
    out.sort_by(|a, b| (a.due, a.standing, &a.what).cmp(&(b.due, b.standing, &b.what)));
    out.truncate(limit);
    Ok(out)
}
