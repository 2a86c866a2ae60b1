//! Correspondence on a case of 依申请公开： what the applicant does through the tracking page
//! (online 补正， 撤回， messages; acting as [`Applicant`], bound to one application by the
//! channel's session), what the handler does (messages, the answer's attachments, the public
//! disclosure log) and 条例第四十四条 (an answered request's documents become a draft 主动公开
//! item through [`crate::items`], so the content guard and the configured review apply).

use crate::applications::{handles, record};
use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::Actor;
use gongkai_db::applications::{self as db_apps, ApplicationRow};
use gongkai_db::attachments::{self, ExtractedText};
use gongkai_db::correspondence::{self as db, FileRow, NewFile};
use gongkai_domain::Invalid;
use gongkai_domain::application::correspondence::{
    FilePurpose, MAX_APPLICANT_MESSAGES_PER_DAY, MessageKind, Sender, message_text, supplement_text,
};
use gongkai_domain::application::{CaseEvent, Status};
use gongkai_domain::item::ItemFields;

/// The applicant acting through the tracking page: the channel has bound them to `row` (a live
/// session opened by a look-up with the tracking code and phone tail).
pub struct Applicant<'a> {
    pub row: &'a ApplicationRow,
    pub ip: String,
}

impl Applicant<'_> {
    fn actor(&self) -> Actor {
        Actor {
            user_id: None,
            name: format!("申请人\u{FF08}查询码 {}\u{FF09}", self.row.tracking_code),
            ip: self.ip.clone(),
        }
    }
}

fn invalid(field: &'static str, msg: &str) -> Refusal {
    Refusal::Invalid(Invalid::one(field, msg))
}

/// The online 补正： text and files (already checked and stored by the channel). Only while the
/// case waits for a 补正； records 收到补正 on `today` (China time), so the reply period restarts.
pub async fn supplement(
    tx: &mut sqlx::AnyConnection,
    who: &Applicant<'_>,
    text: &str,
    files: &[NewFile],
    today: chrono::NaiveDate,
) -> Outcome<()> {
    let row = who.row;
    if Status::from_code(&row.status) != Some(Status::AwaitingSupplement) {
        return Err(invalid(
            "text",
            "该申请当前不处于待补正状态\u{FF0C}无需提交补正材料",
        ));
    }
    let text = supplement_text(text, files.len())?;
    let actor = who.actor();
    record(
        tx,
        &actor,
        row,
        CaseEvent::SupplementReceived { on: today },
        None,
    )
    .await?;
    let body = if text.is_empty() {
        "\u{FF08}未填写说明\u{FF09}".to_string()
    } else {
        text
    };
    let mid = db::add_message(
        tx,
        &actor,
        row,
        Sender::Applicant,
        MessageKind::Supplement,
        &body,
    )
    .await?;
    db::add_files(tx, &actor, row, FilePurpose::Supplement, Some(mid), files).await?;
    db::notify_handlers(
        tx,
        row,
        "application.supplement",
        "申请人已在线提交补正材料",
        &format!("application:{}:supplement:{mid}", row.id),
    )
    .await?;
    Ok(())
}

/// The applicant withdraws the application (the channel has asked for confirmation).
pub async fn withdraw(
    tx: &mut sqlx::AnyConnection,
    who: &Applicant<'_>,
    note: &str,
    today: chrono::NaiveDate,
) -> Outcome<()> {
    let row = who.row;
    let note: String = note.trim().chars().take(500).collect();
    if matches!(
        Status::from_code(&row.status),
        Some(Status::Answered | Status::Withdrawn)
    ) {
        return Err(invalid("note", "该申请已办结或已撤回\u{FF0C}不能再撤回"));
    }
    record(
        tx,
        &who.actor(),
        row,
        CaseEvent::Withdrawn { on: today, note },
        None,
    )
    .await?;
    db::notify_handlers(
        tx,
        row,
        "application.withdrawn",
        "申请人已在线撤回申请",
        &format!("application:{}:withdrawn", row.id),
    )
    .await?;
    Ok(())
}

/// A message from the applicant; the handlers are told.
pub async fn applicant_message(
    tx: &mut sqlx::AnyConnection,
    who: &Applicant<'_>,
    body: &str,
) -> Outcome<i64> {
    let body = message_text(body, "body")?;
    let row = who.row;
    let since = gongkai_db::now_ms() - 86_400_000;
    if db::applicant_messages_since(tx, row.id, since).await? >= MAX_APPLICANT_MESSAGES_PER_DAY {
        return Err(invalid(
            "body",
            "留言过于频繁\u{FF1A}同一申请24小时内最多留言20条\u{FF0C}请稍后再试",
        ));
    }
    let id = db::add_message(
        tx,
        &who.actor(),
        row,
        Sender::Applicant,
        MessageKind::Message,
        &body,
    )
    .await?;
    db::notify_handlers(
        tx,
        row,
        "application.message",
        "申请人发来留言",
        &format!("application:{}:message:{id}", row.id),
    )
    .await?;
    Ok(id)
}

/// A message from the handler to the applicant, who sees it on the tracking page and is told
/// by e-mail when the application gives an address.
pub async fn handler_message(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    body: &str,
) -> Outcome<i64> {
    handles(caller, row.org_id)?;
    let body = message_text(body, "body")?;
    let id = db::add_message(
        tx,
        &caller.actor,
        row,
        Sender::Handler,
        MessageKind::Message,
        &body,
    )
    .await?;
    db::email_applicant(
        tx,
        row,
        &format!("{}\u{FF1A}您的政府信息公开申请有新的消息", row.org_name),
        &format!("email:application:{}:message:{id}", row.id),
    )
    .await?;
    Ok(id)
}

/// The handler attaches disclosed documents (stored by the channel) to the case; not after a
/// withdrawal. The applicant downloads them through the tracking page only.
pub async fn attach_answer_files(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    files: &[NewFile],
) -> Outcome<Vec<i64>> {
    handles(caller, row.org_id)?;
    if Status::from_code(&row.status) == Some(Status::Withdrawn) {
        return Err(invalid(
            "attachments",
            "申请人已撤回申请\u{FF0C}不能再上传答复附件",
        ));
    }
    if files.is_empty() {
        return Err(invalid("attachments", "请选择要上传的答复附件"));
    }
    Ok(db::add_files(tx, &caller.actor, row, FilePurpose::Answer, None, files).await?)
}

/// Whether an answer file is shown on the disclosure log (the handler's decision).
pub async fn set_file_public(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    file_id: i64,
    public: bool,
) -> Outcome<()> {
    handles(caller, row.org_id)?;
    let f = db::file(tx, row.id, file_id).await?;
    if f.purpose != FilePurpose::Answer.code() {
        return Err(invalid("file", "只有答复附件可以在公开目录中公开"));
    }
    db::set_file_public(tx, &caller.actor, row, &f, public).await?;
    Ok(())
}

/// Publishes an answered case whose applicant consented to the disclosure log, or withdraws it.
pub async fn set_published(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    published: bool,
) -> Outcome<()> {
    handles(caller, row.org_id)?;
    if published {
        if Status::from_code(&row.status) != Some(Status::Answered) {
            return Err(invalid("publish", "只有已答复的申请可以公开到申请公开目录"));
        }
        if row.publish_consent != 1 {
            return Err(invalid(
                "publish",
                "申请人未同意公开申请内容和答复结果\u{FF0C}不能公开到申请公开目录",
            ));
        }
        if row.published_at.is_some() {
            return Err(invalid("publish", "该申请已在申请公开目录中"));
        }
    } else if row.published_at.is_none() {
        return Err(invalid("publish", "该申请不在申请公开目录中"));
    }
    db::set_published(tx, &caller.actor, row, published).await?;
    Ok(())
}

/// 条例第四十四条： the answer's documents become a draft item of `column_id` titled `title`
/// (the caller must edit for the organisation; nothing is published here, the item goes
/// through the configured review like any other). `files` are the answer files with the text
/// the channel extracted from them. Returns the new item's id.
pub async fn to_proactive(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    row: &ApplicationRow,
    column_id: i64,
    title: &str,
    files: &[(FileRow, ExtractedText)],
) -> Outcome<i64> {
    handles(caller, row.org_id)?;
    if Status::from_code(&row.status) != Some(Status::Answered) {
        return Err(invalid("column_id", "只有已答复的申请可以转为主动公开"));
    }
    if row.art44_item_id.is_some() {
        return Err(invalid("column_id", "该申请已转为主动公开"));
    }
    if files.is_empty() {
        return Err(invalid(
            "column_id",
            "请先上传答复附件\u{FF08}公开的政府信息\u{FF09}\u{FF0C}再转为主动公开",
        ));
    }
    let fields = ItemFields {
        title: title.trim().to_string(),
        body: "本信息经依申请公开后\u{FF0C}依据\u{300A}中华人民共和国政府信息公开条例\u{300B}第四十四条转为主动公开\u{3002}".into(),
        org_id: row.org_id.to_string(),
        column_ids: vec![column_id.to_string()],
        ..ItemFields::blank()
    };
    let input = fields.validate()?;
    let item_id = crate::items::create(tx, caller, &input).await?;
    for (f, text) in files {
        if f.purpose != FilePurpose::Answer.code() || f.application_id != row.id {
            return Err(invalid("column_id", "只能转换本申请的答复附件"));
        }
        attachments::add(
            tx,
            &caller.actor,
            &attachments::NewAttachment {
                item_id,
                file_name: &f.file_name,
                content_type: &f.content_type,
                size_bytes: f.size_bytes,
                sha256: &f.sha256,
                text,
            },
        )
        .await?;
    }
    db::set_art44_item(tx, &caller.actor, row, item_id).await?;
    Ok(item_id)
}

/// Reloads the row inside the transaction (the status may have moved since the page was read).
pub async fn reload(tx: &mut sqlx::AnyConnection, id: i64) -> Outcome<ApplicationRow> {
    Ok(db_apps::get(tx, id).await?)
}
