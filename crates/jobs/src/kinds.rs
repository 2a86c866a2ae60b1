//! The kinds of background job. Kind codes and payloads are those of the rows already queued
//! (several are enqueued by `gongkai_db` itself, inside the transaction that causes them).

use crate::{Context, Job, JobError, Outcome};
use chrono::NaiveDate;
use gongkai_db::notifications::{
    self, EMAIL_JOB, EmailPayload, NOTIFY_JOB, NotifyPayload, SCAN_JOB,
};
use gongkai_db::{Db, DbError};
use serde::{Deserialize, Serialize};

/// The hourly reminder scan (`reminders.scan`): feedback, period, message, application and
/// proposal deadlines, the office's weekly digest, and kept notices that found a recipient.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReminderScan {
    /// The civil date the scan is for; the current date in China when absent.
    #[serde(default)]
    pub date: Option<String>,
}

impl Job for ReminderScan {
    const KIND: &'static str = SCAN_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let today = match self.date.as_deref() {
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| JobError(format!("日期\u{201C}{d}\u{201D}无法识别")))?,
            None => gongkai_db::china_today(),
        };
        let mut conn = ctx.db.pool.acquire().await?;
        let s = gongkai_db::reminders::scan_all(&mut conn, today).await?;
        Ok(format!(
            "{today}: {} notices enqueued (feedback {}/{}, periods {}/{}, messages {}/{}, applications {}/{}, proposals {}/{}, tickets {}/{}, datasets {}/{} due/enqueued; digest {}; redelivered {})",
            s.enqueued(),
            s.feedback.due,
            s.feedback.enqueued,
            s.periods.due,
            s.periods.enqueued,
            s.messages.due,
            s.messages.enqueued,
            s.applications.due,
            s.applications.enqueued,
            s.proposals.due,
            s.proposals.enqueued,
            s.tickets.due,
            s.tickets.enqueued,
            s.datasets.due,
            s.datasets.enqueued,
            s.digest,
            s.redelivered
        ))
    }
}

/// Creates the notifications of one message for every recipient on an organisation (`notify`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Notify(pub NotifyPayload);

impl Job for Notify {
    const KIND: &'static str = NOTIFY_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let mut conn = ctx.db.pool.acquire().await?;
        let n = notifications::deliver(&mut conn, &self.0, ctx.mailer.is_some()).await?;
        Ok(format!("{n} notifications"))
    }
}

/// Sends one e-mail (`email`). A node without SMTP fails it, to be retried by one that has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(pub EmailPayload);

impl Job for Email {
    const KIND: &'static str = EMAIL_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let p = &self.0;
        let mailer = ctx
            .mailer
            .ok_or_else(|| JobError("本节点未配置 SMTP\u{FF0C}稍后重试".into()))?;
        mailer
            .send(&p.to, &p.subject, &p.body, &p.link, &p.key)
            .await?;
        Ok("sent".into())
    }
}

/// Job kind of the public-opinion clock scan, queued every [`OPINION_SCAN_EVERY_MS`] (the shortest
/// clock is 5 hours, so the hourly reminder scan would be too coarse).
pub const OPINION_SCAN_JOB: &str = "opinion.scan";
pub const OPINION_SCAN_EVERY_MS: i64 = 5 * 60_000;

/// The public-opinion clock scan (`opinion.scan`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpinionScan {
    /// The instant the scan is for (tests inject it); now when absent.
    #[serde(default)]
    pub now_ms: Option<i64>,
}

impl Job for OpinionScan {
    const KIND: &'static str = OPINION_SCAN_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        let now = self.now_ms.unwrap_or_else(gongkai_db::now_ms);
        let mut conn = ctx.db.pool.acquire().await?;
        let out = gongkai_db::opinion::scan_clocks(&mut conn, now).await?;
        Ok(format!(
            "opinion clocks {} due, {} enqueued",
            out.due, out.enqueued
        ))
    }
}

/// Publishes a scheduled item at its time (`item.publish_scheduled`, enqueued by
/// `gongkai_db::workflow` when an item is scheduled).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishScheduled {
    pub item_id: i64,
    pub publish_at: i64,
}

impl Job for PublishScheduled {
    const KIND: &'static str = gongkai_db::workflow::PUBLISH_JOB;

    async fn run(&self, ctx: &Context<'_>) -> Outcome {
        publish_due_item(ctx.db, self.item_id, self.publish_at, false).await
    }
}

/// Publishes a scheduled item that is due, in one transaction: nothing happens when it is no
/// longer scheduled for `publish_at` (unscheduled, edited, already published by another node).
/// **The content guard runs first**: with hits the item is not published but stays scheduled
/// with the message (`schedule_error`) and an audit entry. `late`: caught up at start.
pub async fn publish_due_item(db: &Db, item_id: i64, publish_at: i64, late: bool) -> Outcome {
    let mut tx = db.begin().await?;
    if !gongkai_db::workflow::claim_scheduled(&mut tx, item_id, publish_at).await? {
        return Ok(format!(
            "item {item_id}: no longer scheduled for {publish_at}"
        ));
    }
    let hits = gongkai_app::guard::blocking_hits_of(&mut tx, item_id).await?;
    if !hits.is_empty() {
        let message = gongkai_app::guard::refusal(&hits).summary();
        gongkai_db::workflow::schedule_failed(&mut tx, item_id, &message).await?;
        tx.commit().await?;
        tracing::warn!(item = item_id, %message, "定时发布未执行\u{FF1A}内容安全检查发现问题");
        return Ok(format!("item {item_id}: refused by the content guard"));
    }
    let pattern = gongkai_db::settings::index_pattern(&mut tx).await?;
    gongkai_db::workflow::publish_scheduled(&mut tx, item_id, &pattern, late).await?;
    tx.commit().await?;
    if late {
        tracing::info!(
            item = item_id,
            "定时发布\u{FF08}服务停机期间到期\u{FF0C}启动时补发\u{FF09}"
        );
    } else {
        tracing::info!(item = item_id, "定时发布");
    }
    Ok(format!("item {item_id}: published"))
}

/// At start: publishes every scheduled item whose time passed while no node was running (its
/// job may be missing, failed or still queued; the job finds nothing left to do). Returns how
/// many were published.
pub async fn publish_overdue(db: &Db, now_ms: i64) -> Result<usize, DbError> {
    let due = {
        let mut conn = db.pool.acquire().await?;
        gongkai_db::workflow::due_scheduled(&mut conn, now_ms).await?
    };
    let mut published = 0;
    for (id, at) in due {
        match publish_due_item(db, id, at, true).await {
            Ok(what) if what.ends_with("published") => published += 1,
            Ok(_) => {}
            Err(e) => tracing::warn!(item = id, error = %e, "启动时补发定时发布失败"),
        }
    }
    Ok(published)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_keep_the_shape_of_queued_rows() {
        let scan = ReminderScan {
            date: Some("2026-12-01".into()),
        };
        assert_eq!(scan.payload(), serde_json::json!({"date": "2026-12-01"}));
        assert_eq!(
            ReminderScan::from_payload("{}").unwrap(),
            ReminderScan::default()
        );
        let o = OpinionScan { now_ms: Some(5) };
        assert_eq!(o.payload(), serde_json::json!({"now_ms": 5}));
        let p = PublishScheduled::from_payload(r#"{"item_id": 3, "publish_at": 9}"#).unwrap();
        assert_eq!((p.item_id, p.publish_at), (3, 9));
        let e = PublishScheduled::from_payload("{}").unwrap_err();
        assert!(e.0.starts_with("任务参数无法识别\u{FF1A}"), "{e}");
    }

    #[test]
    fn the_standard_registry_knows_every_kind() {
        let kinds: Vec<_> = crate::Registry::standard().kinds().collect();
        for k in [
            SCAN_JOB,
            NOTIFY_JOB,
            EMAIL_JOB,
            OPINION_SCAN_JOB,
            gongkai_db::workflow::PUBLISH_JOB,
            "attachment.text_check",
        ] {
            assert!(kinds.contains(&k), "{k}");
        }
    }
}
