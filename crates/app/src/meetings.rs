//! Use cases of 会议公开： the meetings a user may see (their organisations'), announcing a
//! meeting, recording that it was held (minutes and the live link made public), deciding on an
//! application to attend, and the public's application on the portal. Who may act is
//! `gongkai_domain::role::Permissions::can_record_events_of`; the rules are
//! `gongkai_domain::meeting`.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use chrono::NaiveDate;
use gongkai_db::Actor;
use gongkai_db::meetings::{self, Meeting};
use gongkai_domain::Invalid;
use gongkai_domain::meeting::{
    AttendInput, Decision, MeetingInput, check_held, open_for_applications, web_url,
};

/// Loads a meeting the caller may see; another organisation's looks missing.
pub async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    id: i64,
) -> Outcome<Meeting> {
    let m = meetings::get(conn, id).await?;
    if !caller.perms.can_see_org(m.org_id) {
        return Err(Refusal::NotFound("会议不存在".into()));
    }
    Ok(m)
}

/// The meeting of the application to attend `application_id`, when the caller may see it.
pub async fn meeting_of_application(
    conn: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    application_id: i64,
) -> Outcome<Meeting> {
    let gone = || Refusal::NotFound("列席申请不存在".into());
    let Some(meeting_id) = meetings::meeting_of_attendance(conn, application_id).await? else {
        return Err(gone());
    };
    let m = meetings::get(conn, meeting_id).await?;
    if !caller.perms.can_see_org(m.org_id) {
        return Err(gone());
    }
    Ok(m)
}

fn records_for(caller: &Caller<'_>, org_id: i64) -> Outcome<()> {
    if caller.perms.can_record_events_of(org_id) {
        Ok(())
    } else {
        Err(Refusal::forbidden())
    }
}

/// Announces a meeting （会议预告）； its id.
pub async fn create(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    input: &MeetingInput,
) -> Outcome<i64> {
    records_for(caller, input.org_id)?;
    Ok(meetings::create(tx, &caller.actor, input).await?)
}

/// Records that a meeting loaded with [`visible`] was held: the minutes and the live link (as
/// entered; empty for none) are made public.
pub async fn mark_held(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    m: &Meeting,
    minutes: &str,
    live_url: &str,
) -> Outcome<()> {
    records_for(caller, m.org_id)?;
    if let Some(day) = m.held_on() {
        check_held(day, gongkai_db::china_today())?;
    }
    let mut inv = Invalid::default();
    let url = web_url(&mut inv, "live_url", live_url);
    inv.into_result()?;
    meetings::mark_held(tx, &caller.actor, m.id, minutes, url).await?;
    Ok(())
}

/// Decides on the application to attend `application_id` of the meeting `m` (loaded with
/// [`meeting_of_application`]).
pub async fn decide(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    m: &Meeting,
    application_id: i64,
    decision: Decision,
    reason: &str,
) -> Outcome<()> {
    records_for(caller, m.org_id)?;
    meetings::decide(tx, &caller.actor, application_id, decision, reason).await?;
    Ok(())
}

/// Refuses unless the meeting takes applications to attend on `today`.
pub fn open_to_applications(m: &Meeting, today: NaiveDate) -> Outcome<()> {
    if m.held != 0 || !open_for_applications(m.seats(), m.apply_by_date(), today) {
        return Err(Invalid::one("name", "本次会议不接受列席报名或报名已截止").into());
    }
    Ok(())
}

/// The public's application to attend the meeting `m` (the channel has checked the form and
/// its abuse limits); its id.
pub async fn apply_to_attend(
    tx: &mut sqlx::AnyConnection,
    m: &Meeting,
    input: &AttendInput,
    ip: &str,
    today: NaiveDate,
) -> Outcome<i64> {
    open_to_applications(m, today)?;
    let actor = Actor {
        user_id: None,
        name: "公众（网上报名）".into(),
        ip: ip.to_string(),
    };
    Ok(meetings::apply(tx, &actor, m.id, input, ip).await?)
}
