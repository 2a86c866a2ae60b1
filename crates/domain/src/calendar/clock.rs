//! The statutory clock (法定答复期限): a reply deadline in working days that can be paused,
//! extended and restarted, and that explains itself day by day.
//!
//! A [`Clock`] is the receipt date (受理日), a [`ClockRule`] and the events of a case in date order:
//!
//! - [`Clock::pause`] / [`Clock::resume`] (暂停 / 恢复计时): working days from the pause's first day
//!   up to, not including, the resume day are not counted — consultation of a third party (条例
//!   第三十二条) or of another agency (第三十四条), payment of a processing fee, …. A pause never
//!   resumed stays open and the due date is unknown until it is.
//! - [`Clock::extend`] (延期): adds working days to the limit, at most the rule's maximum in total
//!   (条例第三十三条: 20), and only on or before the current due date.
//! - [`Clock::restart`] (补正后重新起算): the supplemented application arrives and the clock starts
//!   again from that date as from a new receipt (条例第三十条); days counted, pauses and extensions
//!   before it no longer count.
//!
//! [`Clock::deadline`] walks the calendar from the receipt date and gives a [`ClockResult`]: the due
//! date, the working of every day (counted as the k-th working day, or not counted and why: 周末,
//! the festival, 暂停:征求第三方意见, 补正前, 受理日当日), the warnings for years without holiday data
//! and, for a given date, the days counted and remaining ([`ClockResult::as_of`]).
//!
//! Pure: no I/O and no clock reads; callers pass every date. Nothing panics: arithmetic is checked,
//! dates at chrono's limits give [`ClockError::OutOfRange`], and a walk longer than
//! [`MAX_CLOCK_DAYS`] is refused.

use super::{Calendar, CountFrom, Reason, weekday_zh};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The most calendar days one clock may walk (about 100 years); more is refused, not looped.
pub const MAX_CLOCK_DAYS: usize = 36_600;

/// The counting rule of a reply deadline. Configurable per locality; [`ClockRule::NATIONAL`] is the
/// 2019 条例.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockRule {
    /// The reply period in working days (答复期限).
    pub limit_working_days: u32,
    /// Whether the receipt day itself may count (default: counting starts the next day).
    #[serde(with = "count_from_code")]
    pub count_from: CountFrom,
    /// The most working days all extensions together may add (延期上限).
    pub max_extension_working_days: u32,
}

impl ClockRule {
    /// 《中华人民共和国政府信息公开条例》(2019年修订)第三十三条: reply within 20 working days of
    /// receipt; with the approval of the head of the disclosure office the period may be extended
    /// by at most 20 working days. Counting starts on the next working day after receipt.
    pub const NATIONAL: ClockRule = ClockRule {
        limit_working_days: 20,
        count_from: CountFrom::NextWorkingDay,
        max_extension_working_days: 20,
    };

    /// The 2008 条例 (第二十四条, in force until 2019-05-15): 15 working days, extension at most 15.
    pub const NATIONAL_2008: ClockRule = ClockRule {
        limit_working_days: 15,
        count_from: CountFrom::NextWorkingDay,
        max_extension_working_days: 15,
    };

    fn check(&self) -> Result<(), ClockError> {
        if self.limit_working_days == 0 {
            return Err(ClockError::InvalidRule(
                "法定期限至少为1个工作日".to_string(),
            ));
        }
        Ok(())
    }
}

/// `CountFrom` as `next_working_day` / `same_day`, both ways (the calendar's type only serializes).
mod count_from_code {
    use super::CountFrom;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(c: &CountFrom, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match c {
            CountFrom::NextWorkingDay => "next_working_day",
            CountFrom::SameDay => "same_day",
        })
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<CountFrom, D::Error> {
        match String::deserialize(d)?.as_str() {
            "next_working_day" => Ok(CountFrom::NextWorkingDay),
            "same_day" => Ok(CountFrom::SameDay),
            other => Err(serde::de::Error::unknown_variant(
                other,
                &["next_working_day", "same_day"],
            )),
        }
    }
}

impl Default for ClockRule {
    fn default() -> ClockRule {
        ClockRule::NATIONAL
    }
}

/// Why the clock is paused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum PauseReason {
    /// 征求第三方意见 (条例第三十二条, 15 working days to reply).
    ThirdParty,
    /// 征求其他机关意见 (条例第三十四条, 15 working days to reply).
    OtherAgency,
    /// 缴纳信息处理费 (国办函〔2020〕109号).
    FeePayment,
    /// Any other reason, as written.
    Other(String),
}

impl PauseReason {
    /// 征求第三方意见, 征求其他机关意见, 缴纳信息处理费, or the text as written.
    pub fn label(&self) -> &str {
        match self {
            PauseReason::ThirdParty => "征求第三方意见",
            PauseReason::OtherAgency => "征求其他机关意见",
            PauseReason::FeePayment => "缴纳信息处理费",
            PauseReason::Other(s) => s,
        }
    }
}

/// One event of a case, in the order of [`Clock::events`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ClockEvent {
    /// Stop counting from `from` (this day included).
    Pause {
        from: NaiveDate,
        reason: PauseReason,
    },
    /// Count again from `on` (this day included).
    Resume { on: NaiveDate },
    /// Add `working_days` to the limit.
    Extend {
        on: NaiveDate,
        working_days: u32,
        reason: String,
    },
    /// The supplemented application arrived on `on`: count again from it as from a receipt.
    Restart { on: NaiveDate, reason: String },
}

impl ClockEvent {
    pub fn date(&self) -> NaiveDate {
        match self {
            ClockEvent::Pause { from, .. } => *from,
            ClockEvent::Resume { on }
            | ClockEvent::Extend { on, .. }
            | ClockEvent::Restart { on, .. } => *on,
        }
    }

    /// 暂停计时:征求第三方意见, 恢复计时, 延期20个工作日:…, 补正后重新起算:….
    pub fn label(&self) -> String {
        match self {
            ClockEvent::Pause { reason, .. } => format!("暂停计时：{}", reason.label()),
            ClockEvent::Resume { .. } => "恢复计时".to_string(),
            ClockEvent::Extend {
                working_days,
                reason,
                ..
            } => with_reason(format!("延期{working_days}个工作日"), reason),
            ClockEvent::Restart { reason, .. } => with_reason("补正后重新起算".to_string(), reason),
        }
    }
}

fn with_reason(s: String, reason: &str) -> String {
    if reason.trim().is_empty() {
        s
    } else {
        format!("{s}：{}", reason.trim())
    }
}

/// Why a clock cannot be built or computed. The messages are shown to handlers as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
pub enum ClockError {
    #[error("日期超出可计算范围")]
    OutOfRange,
    #[error("计时跨度超过{MAX_CLOCK_DAYS}天，无法计算")]
    TooLong,
    #[error("计时规则无效：{0}")]
    InvalidRule(String),
    #[error("{on}早于受理日{received_on}，不能作为计时事件")]
    BeforeReceipt {
        on: NaiveDate,
        received_on: NaiveDate,
    },
    #[error("计时事件须按日期先后录入：{on}早于上一事件的日期{previous}")]
    OutOfOrder { on: NaiveDate, previous: NaiveDate },
    #[error("计时已于{since}暂停（{reason}），尚未恢复，不能再次暂停（暂停时段不能重叠）")]
    AlreadyPaused { since: NaiveDate, reason: String },
    #[error("{on}恢复计时，但计时并未暂停")]
    NotPaused { on: NaiveDate },
    #[error("计时自{since}起暂停（{reason}），须先恢复计时才能在{on}补正后重新起算")]
    RestartWhilePaused {
        on: NaiveDate,
        since: NaiveDate,
        reason: String,
    },
    #[error("延期的工作日数须大于0")]
    EmptyExtension,
    #[error("延期{requested}个工作日超出上限：已延期{used}个工作日，合计最多延期{max}个工作日")]
    ExtensionTooLong { requested: u32, used: u32, max: u32 },
    #[error("答复期限{due}已过，不能在{on}延期")]
    ExtensionAfterDeadline { on: NaiveDate, due: NaiveDate },
    #[error("答复期限{due}已过，不能在{on}暂停计时")]
    PauseAfterDeadline { on: NaiveDate, due: NaiveDate },
}

/// A reply deadline under construction: receipt date, rule and events in date order.
///
/// The event methods check what needs no calendar (order, overlapping pauses, the extension
/// maximum); [`Clock::deadline`] checks the rest (an extension or pause after the due date has
/// passed). So a caller recording an event applies it and computes the deadline before storing it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Clock {
    received_on: NaiveDate,
    rule: ClockRule,
    events: Vec<ClockEvent>,
    #[serde(skip)]
    open_pause: Option<(NaiveDate, PauseReason)>,
    #[serde(skip)]
    extension_used: u32,
}

impl Clock {
    pub fn new(received_on: NaiveDate, rule: ClockRule) -> Clock {
        Clock {
            received_on,
            rule,
            events: Vec::new(),
            open_pause: None,
            extension_used: 0,
        }
    }

    /// A clock with stored events applied in order (each checked as by the event methods).
    pub fn from_events(
        received_on: NaiveDate,
        rule: ClockRule,
        events: impl IntoIterator<Item = ClockEvent>,
    ) -> Result<Clock, ClockError> {
        let mut c = Clock::new(received_on, rule);
        for e in events {
            c.apply(e)?;
        }
        Ok(c)
    }

    pub fn received_on(&self) -> NaiveDate {
        self.received_on
    }

    pub fn rule(&self) -> &ClockRule {
        &self.rule
    }

    pub fn events(&self) -> &[ClockEvent] {
        &self.events
    }

    /// The pause not yet resumed, if any: its first day and reason.
    pub fn open_pause(&self) -> Option<(NaiveDate, &PauseReason)> {
        self.open_pause.as_ref().map(|(d, r)| (*d, r))
    }

    /// Working days of extension granted since the receipt (or the last restart).
    pub fn extension_used(&self) -> u32 {
        self.extension_used
    }

    /// Stops counting from `from` (that day is not counted).
    pub fn pause(
        &mut self,
        from: NaiveDate,
        reason: PauseReason,
    ) -> Result<&mut Clock, ClockError> {
        self.apply(ClockEvent::Pause { from, reason })
    }

    /// Counts again from `on` (that day counts when it is a working day).
    pub fn resume(&mut self, on: NaiveDate) -> Result<&mut Clock, ClockError> {
        self.apply(ClockEvent::Resume { on })
    }

    /// Adds `working_days` to the limit; refused beyond the rule's maximum in total (and, by
    /// [`Clock::deadline`], after the due date has passed).
    pub fn extend(
        &mut self,
        on: NaiveDate,
        working_days: u32,
        reason: impl Into<String>,
    ) -> Result<&mut Clock, ClockError> {
        self.apply(ClockEvent::Extend {
            on,
            working_days,
            reason: reason.into(),
        })
    }

    /// 补正: the supplemented application arrived on `on`; the clock starts again from it.
    pub fn restart(
        &mut self,
        on: NaiveDate,
        reason: impl Into<String>,
    ) -> Result<&mut Clock, ClockError> {
        self.apply(ClockEvent::Restart {
            on,
            reason: reason.into(),
        })
    }

    /// Applies one event after checking it against the events so far. A refused event leaves
    /// the clock unchanged.
    pub fn apply(&mut self, event: ClockEvent) -> Result<&mut Clock, ClockError> {
        let on = event.date();
        if on < self.received_on {
            return Err(ClockError::BeforeReceipt {
                on,
                received_on: self.received_on,
            });
        }
        if let Some(previous) = self.events.last().map(ClockEvent::date)
            && on < previous
        {
            return Err(ClockError::OutOfOrder { on, previous });
        }
        match &event {
            ClockEvent::Pause { reason, .. } => {
                if let Some((since, r)) = &self.open_pause {
                    return Err(ClockError::AlreadyPaused {
                        since: *since,
                        reason: r.label().to_string(),
                    });
                }
                self.open_pause = Some((on, reason.clone()));
            }
            ClockEvent::Resume { .. } => {
                if self.open_pause.take().is_none() {
                    return Err(ClockError::NotPaused { on });
                }
            }
            ClockEvent::Extend { working_days, .. } => {
                let requested = *working_days;
                if requested == 0 {
                    return Err(ClockError::EmptyExtension);
                }
                let max = self.rule.max_extension_working_days;
                let total = self
                    .extension_used
                    .checked_add(requested)
                    .filter(|t| *t <= max)
                    .ok_or(ClockError::ExtensionTooLong {
                        requested,
                        used: self.extension_used,
                        max,
                    })?;
                self.extension_used = total;
            }
            ClockEvent::Restart { .. } => {
                if let Some((since, r)) = &self.open_pause {
                    return Err(ClockError::RestartWhilePaused {
                        on,
                        since: *since,
                        reason: r.label().to_string(),
                    });
                }
                self.extension_used = 0;
            }
        }
        self.events.push(event);
        Ok(self)
    }

    /// The due date with its working. `Ok` with `due: None` while a pause is open.
    pub fn deadline(&self, cal: &Calendar) -> Result<ClockResult, ClockError> {
        self.rule.check()?;
        let rule = self.rule;
        let mut steps: Vec<ClockStep> = Vec::new();
        let mut started_on = self.received_on;
        let mut restarts = 0u32;
        let mut limit = rule.limit_working_days;
        let mut extension = 0u32;
        let mut counted = 0u32;
        let mut paused_days = 0u32;
        let mut paused_in_open = 0u32;
        let mut pause: Option<(NaiveDate, PauseReason)> = None;
        let mut due: Option<NaiveDate> = None;
        let mut events = self.events.iter().peekable();
        let mut date = self.received_on;
        loop {
            if steps.len() >= MAX_CLOCK_DAYS {
                return Err(ClockError::TooLong);
            }
            let mut notes = Vec::new();
            let mut start_day = date == self.received_on;
            while let Some(e) = events.next_if(|e| e.date() == date) {
                match e {
                    ClockEvent::Pause { reason, .. } => {
                        if let Some(due) = due {
                            return Err(ClockError::PauseAfterDeadline { on: date, due });
                        }
                        pause = Some((date, reason.clone()));
                        paused_in_open = 0;
                    }
                    ClockEvent::Resume { .. } => pause = None,
                    ClockEvent::Extend { working_days, .. } => {
                        if let Some(due) = due {
                            return Err(ClockError::ExtensionAfterDeadline { on: date, due });
                        }
                        extension = extension
                            .checked_add(*working_days)
                            .ok_or(ClockError::OutOfRange)?;
                        limit = limit
                            .checked_add(*working_days)
                            .ok_or(ClockError::OutOfRange)?;
                    }
                    ClockEvent::Restart { .. } => {
                        for s in &mut steps {
                            if s.date == self.received_on && s.skip != Some(Skip::BeforeRestart) {
                                s.events.insert(0, "受理".to_string());
                            }
                            s.counted = None;
                            s.skip = Some(Skip::BeforeRestart);
                            s.due = false;
                        }
                        started_on = date;
                        restarts = restarts.checked_add(1).ok_or(ClockError::OutOfRange)?;
                        limit = rule.limit_working_days;
                        extension = 0;
                        counted = 0;
                        paused_days = 0;
                        due = None;
                        start_day = true;
                    }
                }
                notes.push(e.label());
            }
            let info = cal.day(date);
            let is_start = start_day && rule.count_from == CountFrom::NextWorkingDay;
            let (step_counted, skip) = if due.is_some() {
                // Past the due date, walking on only to reach a later restart.
                (None, Some(Skip::BeforeRestart))
            } else if is_start {
                (
                    None,
                    Some(if restarts == 0 {
                        Skip::ReceiptDay
                    } else {
                        Skip::RestartDay
                    }),
                )
            } else if !info.is_workday() {
                (None, Some(Skip::DayOff))
            } else if let Some((_, reason)) = &pause {
                paused_days = paused_days.checked_add(1).ok_or(ClockError::OutOfRange)?;
                paused_in_open = paused_in_open.saturating_add(1);
                (None, Some(Skip::Paused(reason.clone())))
            } else {
                counted = counted.checked_add(1).ok_or(ClockError::OutOfRange)?;
                if counted == limit {
                    due = Some(date);
                }
                (Some(counted), None)
            };
            steps.push(ClockStep {
                date,
                reason: info.reason,
                counted: step_counted,
                skip,
                due: step_counted.is_some() && due == Some(date),
                estimated: info.estimated,
                events: notes,
            });
            if events.peek().is_none() && (due.is_some() || pause.is_some()) {
                if pause.is_some() {
                    // The open pause is reported on its own (`open_pause`): not in the total.
                    paused_days = paused_days.saturating_sub(paused_in_open);
                }
                break;
            }
            date = date.succ_opt().ok_or(ClockError::OutOfRange)?;
        }
        let estimated: Vec<NaiveDate> = steps
            .iter()
            .filter(|s| s.estimated)
            .map(|s| s.date)
            .collect();
        let warnings = match (estimated.first(), estimated.last()) {
            (Some(a), Some(b)) => cal.warnings(*a, *b),
            _ => Vec::new(),
        };
        Ok(ClockResult {
            received_on: self.received_on,
            started_on,
            restarts,
            rule,
            extension_working_days: extension,
            paused_working_days: paused_days,
            counted_working_days: counted,
            due,
            open_pause: pause,
            steps,
            warnings,
        })
    }
}

/// Why a day did not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "reason", rename_all = "snake_case")]
pub enum Skip {
    /// The receipt day under [`CountFrom::NextWorkingDay`] (受理日当日不计).
    ReceiptDay,
    /// The day the supplemented application arrived, under [`CountFrom::NextWorkingDay`].
    RestartDay,
    /// A weekend day or a day off: see the step's calendar `reason`.
    DayOff,
    /// A working day while the clock was paused.
    Paused(PauseReason),
    /// Before the last restart (补正前), or past a due date the restart superseded.
    BeforeRestart,
}

/// One calendar day of a clock's working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockStep {
    pub date: NaiveDate,
    /// The day as the calendar sees it (工作日, 周末, the festival, 调休上班:…).
    pub reason: Reason,
    /// `Some(k)`: the k-th working day counted; `None`: not counted, see `skip`.
    pub counted: Option<u32>,
    pub skip: Option<Skip>,
    /// This day is the due date.
    pub due: bool,
    /// The day's year has no holiday data.
    pub estimated: bool,
    /// The events of this day, as labels (暂停计时:征求第三方意见, 恢复计时, …).
    pub events: Vec<String>,
}

impl ClockStep {
    /// `2017-10-09 星期一 第2个工作日`, `2017-10-12 星期四 不计(暂停:征求第三方意见)`,
    /// `2017-09-29 星期五 不计(受理日,次日起算)`, followed by the day's events in 【】.
    pub fn line(&self) -> String {
        let wd = weekday_zh(self.date);
        let mut s = match (self.counted, &self.skip) {
            (Some(k), _) => match &self.reason {
                Reason::Weekday => format!("{} {wd} 第{k}个工作日", self.date),
                r => format!("{} {wd} 第{k}个工作日（{}）", self.date, r.label()),
            },
            (None, skip) => {
                let why = match skip {
                    Some(Skip::ReceiptDay) => "受理日，次日起算".to_string(),
                    Some(Skip::RestartDay) => "收到补正材料，次日重新起算".to_string(),
                    Some(Skip::Paused(r)) => format!("暂停：{}", r.label()),
                    Some(Skip::BeforeRestart) => "补正前".to_string(),
                    Some(Skip::DayOff) | None => self.reason.label(),
                };
                format!("{} {wd} 不计（{why}）", self.date)
            }
        };
        if self.due {
            s.push_str(" =答复期限");
        }
        for e in &self.events {
            s.push_str(&format!(" 【{e}】"));
        }
        if self.estimated {
            s.push_str(" [节假日安排未录入，系推算]");
        }
        s
    }
}

/// A computed reply deadline with its working.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockResult {
    pub received_on: NaiveDate,
    /// The receipt date, or the day of the last restart (补正材料收到日).
    pub started_on: NaiveDate,
    /// How many times the clock was restarted (补正).
    pub restarts: u32,
    pub rule: ClockRule,
    /// Extensions granted since `started_on`.
    pub extension_working_days: u32,
    /// Working days not counted because the clock was paused (since `started_on`; pauses that
    /// were resumed only, the open one is `open_pause`).
    pub paused_working_days: u32,
    /// Working days counted since `started_on` up to the last step.
    pub counted_working_days: u32,
    /// `None` while a pause is open.
    pub due: Option<NaiveDate>,
    /// The pause not yet resumed: its first day and reason.
    pub open_pause: Option<(NaiveDate, PauseReason)>,
    /// Every calendar day from the receipt date to the due date (or the open pause's start).
    pub steps: Vec<ClockStep>,
    /// Years without holiday data that the walk touched.
    pub warnings: Vec<String>,
}

impl ClockResult {
    /// The limit plus the extensions: the working days the due date is counted to.
    pub fn total_working_days(&self) -> u32 {
        self.rule
            .limit_working_days
            .saturating_add(self.extension_working_days)
    }

    /// Days counted and remaining as of `date` (meant to be today, on or after the last event).
    /// Past the due date counting goes on, so the remaining days are negative.
    pub fn as_of(&self, cal: &Calendar, date: NaiveDate) -> Progress {
        let total = i64::from(self.total_working_days());
        let last = self.steps.last().map(|s| s.date);
        let counted = match (self.due, last) {
            (Some(due), _) if date > due => total + cal.workdays_between(due, date),
            (None, Some(last)) if date > last => i64::from(self.counted_working_days),
            _ => {
                let upto = self.steps.partition_point(|s| s.date <= date);
                self.steps[..upto]
                    .iter()
                    .rev()
                    .find_map(|s| s.counted)
                    .map_or(0, i64::from)
            }
        };
        let paused = matches!(&self.open_pause, Some((from, _)) if date >= *from);
        Progress {
            date,
            counted,
            remaining: total - counted,
            paused,
        }
    }

    /// `受理日 2017-09-29;法定期限 20 个工作日;暂停 3 个工作日;延期 20 个工作日;答复期限 2017-12-05`.
    pub fn summary(&self) -> String {
        let mut parts = vec![format!("受理日 {}", self.received_on)];
        if self.rule.count_from == CountFrom::SameDay {
            parts[0].push_str(&format!("（{}）", CountFrom::SameDay.label()));
        }
        if self.restarts > 0 {
            parts.push(format!("补正后重新起算 {}", self.started_on));
        }
        parts.push(format!(
            "法定期限 {} 个工作日",
            self.rule.limit_working_days
        ));
        if self.paused_working_days > 0 {
            parts.push(format!("暂停 {} 个工作日", self.paused_working_days));
        }
        if self.extension_working_days > 0 {
            parts.push(format!("延期 {} 个工作日", self.extension_working_days));
        }
        match (&self.due, &self.open_pause) {
            (Some(due), _) => parts.push(format!("答复期限 {due}")),
            (None, Some((from, reason))) => parts.push(format!(
                "答复期限 待定（自 {from} 起暂停计时：{}，已计 {} 个工作日，恢复计时后确定）",
                reason.label(),
                self.counted_working_days
            )),
            (None, None) => parts.push("答复期限 待定".to_string()),
        }
        parts.join("；")
    }

    /// The summary, the warnings (注意:…) and one line per day.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![self.summary()];
        out.extend(self.warnings.iter().map(|w| format!("注意：{w}")));
        out.extend(self.steps.iter().map(|s| format!("  {}", s.line())));
        out
    }
}

impl fmt::Display for ClockResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for l in self.lines() {
            writeln!(f, "{l}")?;
        }
        Ok(())
    }
}

/// Where a clock stands on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub date: NaiveDate,
    /// Working days counted through `date` (beyond the limit once overdue).
    pub counted: i64,
    /// Working days left after `date`; negative when overdue.
    pub remaining: i64,
    /// A pause is open on `date`.
    pub paused: bool,
}

impl Progress {
    pub fn overdue(&self) -> bool {
        self.remaining < 0
    }

    /// `截至2017-10-20已计10个工作日,剩余10个工作日`, `…已逾期3个工作日`, `…(暂停计时中)`.
    pub fn describe(&self) -> String {
        let mut s = format!("截至{}已计{}个工作日，", self.date, self.counted);
        if self.remaining < 0 {
            s.push_str(&format!("已逾期{}个工作日", -self.remaining));
        } else {
            s.push_str(&format!("剩余{}个工作日", self.remaining));
        }
        if self.paused {
            s.push_str("（暂停计时中）");
        }
        s
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
