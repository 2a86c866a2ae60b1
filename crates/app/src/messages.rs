//! Use cases of citizen messages （留言）： what the back office may see and do with a message
//! (assign a responder, reply — scanned by the content guard —, publish, close), the reply-limit
//! setting, and the public's part on the portal (write a message, rate the reply). The rules of
//! a message's life are `gongkai_domain::message`; who may do what is
//! `gongkai_domain::role::Permissions`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::messages::{self, MessageRow, Receipt};
use gongkai_db::{Actor, DbError, DbResult, settings};
use gongkai_domain::Invalid;
use gongkai_domain::guard;
use gongkai_domain::message::{self, MessageInput, Satisfaction};

fn gone() -> Refusal {
    Refusal::NotFound("留言不存在".into())
}

/// Loads a message the caller may read; a message of an organisation they may not see does not
/// exist for them.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<MessageRow> {
    let m = messages::get(conn, id).await.map_err(|_| gone())?;
    if !caller.perms.can_read_messages_of(m.org_id) {
        return Err(gone());
    }
    Ok(m)
}

/// Sets the reply limit (working days) for messages received from now on.
pub async fn set_reply_limit(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    working_days: &str,
) -> Outcome<u32> {
    if !caller.perms.can_set_message_limits() {
        return Err(Refusal::forbidden());
    }
    let n = message::parse_reply_days(working_days)?;
    settings::set(
        tx,
        &caller.actor,
        messages::REPLY_DAYS_SETTING,
        &n.to_string(),
    )
    .await?;
    Ok(n)
}

fn handles(caller: &Caller<'_>, m: &MessageRow) -> Outcome<()> {
    if caller.perms.can_handle_cases_of(m.org_id) {
        Ok(())
    } else {
        Err(Refusal::forbidden())
    }
}

/// A write on a message: someone else's change in between is told as a form error.
fn settled(r: DbResult<()>) -> Outcome<()> {
    match r {
        Err(DbError::Stale) => Err(Refusal::Invalid(Invalid::one(
            "status",
            "该留言已被他人处理，请查看最新状态",
        ))),
        other => Ok(other?),
    }
}

/// Assigns the responder `responder_id` (`None`: none was chosen) to a message loaded with
/// [`visible`].
pub async fn assign(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    m: &MessageRow,
    responder_id: Option<i64>,
) -> Outcome<()> {
    handles(caller, m)?;
    let Some(rid) = responder_id else {
        return Err(Invalid::one("responder_id", "请选择办理人").into());
    };
    settled(messages::assign(tx, &caller.actor, m.id, rid).await)
}

/// Saves the reply; refused when the content guard finds personal information or a known error
/// in it.
pub async fn reply(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    m: &MessageRow,
    reply: &str,
) -> Outcome<()> {
    handles(caller, m)?;
    let text = message::validate_reply(reply)?;
    let lists = settings::guard_lists(tx).await?;
    let hits = guard::scan(&text, &lists);
    if !hits.is_empty() {
        let lines: Vec<String> = hits
            .iter()
            .map(|h| format!("{}“{}”", h.kind_label, h.masked))
            .collect();
        return Err(Invalid::one(
            "reply",
            format!(
                "内容安全检查发现答复中有个人信息或错误，未保存：{}。请删除或改正后重新提交。",
                lines.join("、")
            ),
        )
        .into());
    }
    settled(messages::reply(tx, &caller.actor, m.id, &text).await)
}

/// Publishes the message and its reply (the question masked).
pub async fn publish(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    m: &MessageRow,
) -> Outcome<()> {
    handles(caller, m)?;
    settled(messages::publish(tx, &caller.actor, m.id).await)
}

/// Closes the message without publishing it, with the reason.
pub async fn close(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    m: &MessageRow,
    reason: &str,
) -> Outcome<()> {
    handles(caller, m)?;
    settled(messages::close(tx, &caller.actor, m.id, reason).await)
}

/// The audit identity of the public on the portal's message forms.
pub fn public_actor(ip: &str) -> Actor {
    Actor {
        user_id: None,
        name: "公众（留言）".into(),
        ip: ip.to_string(),
    }
}

/// A message from the public as received.
pub struct Submission<'a> {
    pub input: &'a MessageInput,
    /// The query code given to the writer if the message is stored.
    pub query_code: &'a str,
    pub received_on: chrono::NaiveDate,
    pub ip: &'a str,
    /// Identifies the same message sent again.
    pub dedupe_hash: &'a str,
    pub now_ms: i64,
}

/// What became of a message from the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// Stored under the submission's query code.
    Stored,
    /// The same message again within the window (a double click, a reload): nothing new, the
    /// first one's query code.
    Duplicate(String),
    /// Too many messages from the address this hour: nothing stored.
    TooFrequent,
}

/// Receives a message from the public.
pub async fn submit(tx: &mut sqlx::AnyConnection, s: &Submission<'_>) -> Outcome<Submitted> {
    if let Some(code) =
        messages::duplicate_of(tx, s.dedupe_hash, s.now_ms - messages::DUPLICATE_WINDOW_MS).await?
    {
        return Ok(Submitted::Duplicate(code));
    }
    if messages::recent_from_ip(tx, s.ip, s.now_ms - 3_600_000).await?
        >= messages::MAX_PER_IP_PER_HOUR
    {
        return Ok(Submitted::TooFrequent);
    }
    let receipt = Receipt {
        query_code: s.query_code,
        received_on: s.received_on,
        ip: s.ip,
        dedupe_hash: s.dedupe_hash,
    };
    messages::submit(tx, &public_actor(s.ip), s.input, &receipt).await?;
    Ok(Submitted::Stored)
}

/// The writer's satisfaction rating of the reply to the message with query code `code`
/// (normalised); `NotFound` when there is none.
pub async fn rate(
    tx: &mut sqlx::AnyConnection,
    ip: &str,
    code: &str,
    satisfaction: Satisfaction,
) -> Outcome<()> {
    let Some(m) = messages::by_code(tx, code).await? else {
        return Err(gone());
    };
    messages::rate(tx, &public_actor(ip), m.id, satisfaction).await?;
    Ok(())
}
