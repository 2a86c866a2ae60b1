//! Policy interpretations (政策解读): who may interpret a policy document and whether the
//! interpretation came out in time.
//!
//! 谁起草、谁解读: the organisation that drafted (published) a policy document publishes its
//! interpretation; another organisation's interpretation needs an explicit override by the
//! supervising office. 文件公开3个工作日内 … 发布政策解读信息 (seed arrangement, task 23): the limit
//! counts working days after the policy's publication date on the working-day calendar.

use crate::Invalid;
use crate::obligation::WorkingDays;
use chrono::NaiveDate;
use serde::Serialize;

/// The default limit in working days between a policy and its interpretation.
pub const DEFAULT_LIMIT_WORKING_DAYS: u32 = 3;

/// Upper bound accepted for the configurable limit.
pub const MAX_LIMIT_WORKING_DAYS: u32 = 60;

/// Checks 谁起草、谁解读. `override_allowed` is true only when a supervisor or system
/// administrator ticked the explicit override.
pub fn check_drafter(
    policy_org: (i64, &str),
    interpretation_org: (i64, &str),
    override_allowed: bool,
) -> Result<(), Invalid> {
    if policy_org.0 == interpretation_org.0 || override_allowed {
        return Ok(());
    }
    Err(Invalid::one(
        "interprets_item_id",
        format!(
            "按照“谁起草、谁解读”的原则，该政策文件由{}起草，解读应由{}发布；{}不能发布其解读（确需跨机构解读的，须由政务公开办（监管）或系统管理员勾选“确认跨机构解读”）",
            policy_org.1, policy_org.1, interpretation_org.1
        ),
    ))
}

/// How long after its policy an interpretation was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Timeliness {
    /// Working days `d` with `policy_on < d <= interpreted_on` (0 on the same day or earlier).
    pub working_days: u32,
    pub late: bool,
}

/// Whether an interpretation published on `interpreted_on` meets the limit for a policy
/// published on `policy_on`. The policy's own day is not counted (《民法典》第二百零一条).
pub fn timeliness(
    policy_on: NaiveDate,
    interpreted_on: NaiveDate,
    limit: u32,
    cal: &impl WorkingDays,
) -> Timeliness {
    let working_days = cal.working_days_between(policy_on, interpreted_on);
    Timeliness {
        working_days,
        late: working_days > limit,
    }
}

/// Parses the limit setting; `None` (with the Chinese message) when it is not a whole number
/// from 0 to [`MAX_LIMIT_WORKING_DAYS`].
pub fn parse_limit(text: &str) -> Result<u32, Invalid> {
    match text.trim().parse::<u32>() {
        Ok(n) if n <= MAX_LIMIT_WORKING_DAYS => Ok(n),
        _ => Err(Invalid::one(
            "interpretation_limit",
            format!("政策解读发布时限须为0到{MAX_LIMIT_WORKING_DAYS}之间的整数（工作日）"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::obligation::MondayToFriday;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn the_drafter_interprets_unless_overridden() {
        assert!(check_drafter((1, "市财政局"), (1, "市财政局"), false).is_ok());
        let e = check_drafter((1, "市财政局"), (2, "市教育局"), false).unwrap_err();
        assert!(e.to_string().contains("谁起草、谁解读"), "{e}");
        assert!(check_drafter((1, "市财政局"), (2, "市教育局"), true).is_ok());
    }

    #[test]
    fn lateness_counts_working_days_after_the_policy() {
        // Friday 2017-06-09 → Wednesday 06-14 is 3 working days: on time.
        let t = timeliness(d("2017-06-09"), d("2017-06-14"), 3, &MondayToFriday);
        assert_eq!(
            t,
            Timeliness {
                working_days: 3,
                late: false
            }
        );
        // → Friday 06-16 is 5: late.
        let t = timeliness(d("2017-06-09"), d("2017-06-16"), 3, &MondayToFriday);
        assert_eq!(
            t,
            Timeliness {
                working_days: 5,
                late: true
            }
        );
        // Same day and earlier are on time.
        assert_eq!(
            timeliness(d("2017-06-09"), d("2017-06-09"), 3, &MondayToFriday).working_days,
            0
        );
        assert!(!timeliness(d("2017-06-09"), d("2017-06-01"), 0, &MondayToFriday).late);
    }

    #[test]
    fn the_limit_is_a_small_whole_number() {
        assert_eq!(parse_limit(" 3 ").unwrap(), 3);
        assert!(parse_limit("-1").is_err());
        assert!(parse_limit("三").is_err());
        assert!(parse_limit("61").is_err());
    }
}
