//! Applications for disclosure (依申请公开, 《政府信息公开条例》2019年修订 第二十七条至第四十五条):
//! the vocabularies of the annual report (applicant types, outcome rows with their reasons, review
//! results), the receipt channels and the receipt-date rule (第三十一条), the processing fee of
//! 国办函〔2020〕109号, the tracking code, the applicant's form, and a case's state machine whose
//! due date comes from the statutory [`Clock`].
//!
//! A case is its receipt date plus [`CaseEvent`]s in order. [`Case::apply`] checks each event
//! against the state so far and the calendar (补正 only once and within 7 working days of receipt,
//! one extension of at most 20 working days with its approver, no consultation while waiting for
//! the supplement, …) and leaves the case unchanged when it refuses. The clock is rebuilt from the
//! events: 补正 requested = pause (等待申请人补正), supplement received = resume and restart
//! (第三十条: counted again from the supplement's arrival), consultation = pause (第三十二条/第三十四条),
//! extension = extend (第三十三条).
//!
//! Receipt on a day off: the 2019 条例 does not say; Gongkai counts from the next working day after
//! the receipt date (`ClockRule::NATIONAL`, `CountFrom::NextWorkingDay`), so an application received
//! on a holiday or weekend starts its first counted day on the next working day, and one received
//! on a 调休 make-up Saturday or Sunday (a working day) likewise starts counting the next working
//! day. The receipt date itself is the date of Art. 31, never moved.
//!
//! Pure: callers pass every date and the calendar.

mod basis;
pub mod correspondence;
pub mod letter;
pub mod report;

use crate::Invalid;
use crate::calendar::clock::{Clock, ClockError, ClockResult, ClockRule, PauseReason};
use crate::calendar::{Calendar, NaiveDate};
use serde::{Deserialize, Serialize};

/// 补正告知 must be sent within this many working days of receipt (第三十条).
pub const SUPPLEMENT_NOTICE_WORKING_DAYS: u32 = 7;
/// Consulted third parties and agencies have this many working days to reply (第三十二条、第三十四条).
pub const CONSULTATION_WORKING_DAYS: u32 = 15;
/// The applicant pays a 收费通知 within this many working days from the day after receiving it,
/// or the application is deemed abandoned （国办函〔2020〕109号）.
pub const FEE_PAYMENT_WORKING_DAYS: u32 = 20;
/// Whether an organisation of this kind can receive applications: an administrative agency
/// per 条例第二十七条 and not a collective name such as 各县区政府 or 市政府各部门.
pub fn receives_applications(kind: Option<crate::model::OrgKind>) -> bool {
    !matches!(kind, Some(crate::model::OrgKind::Collective))
}

/// Why an application may not go to a collective.
pub const NOT_AN_AGENCY: &str =
    "请选择具体的行政机关\u{FF1B}\u{201C}各县区政府\u{201D}等集合名称不能受理申请";

/// Due within this many working days: flagged 即将到期.
pub const DUE_SOON_WORKING_DAYS: i64 = 3;
/// Length of a tracking code.
pub const TRACKING_CODE_LEN: usize = 12;
/// Characters of a tracking code: no 0/O, 1/I/L, nothing to misread.
pub const TRACKING_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

use crate::model::coded_enum;

coded_enum! {
    /// The applicant columns of the annual report's table 三 (2021 format).
    ApplicantType {
        NaturalPerson = "natural_person": "自然人",
        Commercial = "commercial": "商业企业",
        Research = "research": "科研机构",
        PublicInterest = "public_interest": "社会公益组织",
        LegalService = "legal_service": "法律服务机构",
        OtherOrg = "other_org": "其他",
    }
}

impl ApplicantType {
    /// 自然人, or 法人或其他组织 for the five organisation columns.
    pub fn group_label(self) -> &'static str {
        match self {
            ApplicantType::NaturalPerson => "自然人",
            _ => "法人或其他组织",
        }
    }
    /// `法人或其他组织·商业企业`, `自然人`.
    pub fn full_label(self) -> String {
        match self {
            ApplicantType::NaturalPerson => "自然人".into(),
            t => format!("法人或其他组织·{}", t.label()),
        }
    }
}

coded_enum! {
    /// How the application reached the agency.
    Channel {
        Online = "online": "网上申请",
        InPerson = "in_person": "当面提交",
        Post = "post": "邮寄",
        Fax = "fax": "传真",
        Email = "email": "电子邮件",
    }
}

impl Channel {
    /// The receipt-date rule of 条例第三十一条 for this channel.
    pub fn receipt_rule(self) -> &'static str {
        match self {
            Channel::InPerson => "当面提交的，以提交之日为收到申请之日（第三十一条第一项）",
            Channel::Post => {
                "邮寄的，以行政机关签收之日为收到申请之日；平常信函等无需签收的，以与申请人确认之日为收到申请之日（第三十一条第二项）"
            }
            Channel::Online | Channel::Fax | Channel::Email => {
                "通过互联网渠道或者传真提交的，以双方确认之日为收到申请之日（第三十一条第三项）；未另行记录的，以提交之日为确认之日"
            }
        }
    }
}

/// The receipt date (收到申请之日) of 条例第三十一条: in person, the day handed in; by post, the day the
/// agency signed for it (or confirmed with the applicant: `confirmed_on`); online, fax and e-mail, the
/// day both sides confirmed, which is the submission day unless staff record another.
pub fn receipt_date(
    channel: Channel,
    submitted_on: NaiveDate,
    confirmed_on: Option<NaiveDate>,
) -> Result<NaiveDate, Invalid> {
    match (channel, confirmed_on) {
        (Channel::InPerson, _) => Ok(submitted_on),
        (Channel::Post, None) => Err(Invalid::one(
            "confirmed_on",
            "邮寄的申请须填写签收日期（平常信函填写与申请人确认之日）",
        )),
        (_, Some(c)) if c < submitted_on => Err(Invalid::one(
            "confirmed_on",
            format!("签收或确认日期 {c} 不能早于提交（寄出）日期 {submitted_on}"),
        )),
        (_, Some(c)) => Ok(c),
        (_, None) => Ok(submitted_on),
    }
}

/// The six groups of table 三 part 三 (2021 format).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeGroup {
    Disclosed,
    Partial,
    Withheld,
    Unavailable,
    NotHandled,
    Other,
}

impl OutcomeGroup {
    pub const ALL: [OutcomeGroup; 6] = [
        OutcomeGroup::Disclosed,
        OutcomeGroup::Partial,
        OutcomeGroup::Withheld,
        OutcomeGroup::Unavailable,
        OutcomeGroup::NotHandled,
        OutcomeGroup::Other,
    ];
    /// （一）予以公开 … （六）其他处理.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeGroup::Disclosed => "（一）予以公开",
            OutcomeGroup::Partial => "（二）部分公开",
            OutcomeGroup::Withheld => "（三）不予公开",
            OutcomeGroup::Unavailable => "（四）无法提供",
            OutcomeGroup::NotHandled => "（五）不予处理",
            OutcomeGroup::Other => "（六）其他处理",
        }
    }
    /// The group's name without its number: 予以公开, 不予公开, ….
    pub fn name(self) -> &'static str {
        &self.label()["（一）".len()..]
    }
}

coded_enum! {
    /// The outcome rows of table 三 (三、本年度办理结果, 2021 format, 国办公开办函〔2021〕30号): exactly
    /// one per answered application; 部分公开 counts only as itself.
    Outcome {
        Disclosed = "disclosed": "予以公开",
        Partial = "partial": "部分公开（区分处理的，只计这一情形，不计其他情形）",
        StateSecret = "withheld_state_secret": "属于国家秘密",
        ForbiddenByLaw = "withheld_law": "其他法律行政法规禁止公开",
        Security = "withheld_security": "危及“三安全一稳定”",
        ThirdParty = "withheld_third_party": "保护第三方合法权益",
        Internal = "withheld_internal": "属于三类内部事务信息",
        Process = "withheld_process": "属于四类过程性信息",
        EnforcementFile = "withheld_enforcement": "属于行政执法案卷",
        Inquiry = "withheld_inquiry": "属于行政查询事项",
        NotHeld = "unavailable_not_held": "本机关不掌握相关政府信息",
        NeedsCreation = "unavailable_needs_creation": "没有现成信息需要另行制作",
        StillUnclear = "unavailable_unclear": "补正后申请内容仍不明确",
        Petition = "not_handled_petition": "信访举报投诉类申请",
        Repeat = "not_handled_repeat": "重复申请",
        Publication = "not_handled_publication": "要求提供公开出版物",
        Excessive = "not_handled_excessive": "无正当理由大量反复申请",
        Confirm = "not_handled_confirm": "要求行政机关确认或重新出具已获取信息",
        NoSupplement = "other_no_supplement": "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        NoFee = "other_no_fee": "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        OtherOther = "other_other": "其他",
    }
}

impl Outcome {
    pub fn group(self) -> OutcomeGroup {
        use Outcome::*;
        match self {
            Disclosed => OutcomeGroup::Disclosed,
            Partial => OutcomeGroup::Partial,
            StateSecret | ForbiddenByLaw | Security | ThirdParty | Internal | Process
            | EnforcementFile | Inquiry => OutcomeGroup::Withheld,
            NotHeld | NeedsCreation | StillUnclear => OutcomeGroup::Unavailable,
            Petition | Repeat | Publication | Excessive | Confirm => OutcomeGroup::NotHandled,
            NoSupplement | NoFee | OtherOther => OutcomeGroup::Other,
        }
    }

    /// The reason's number within its group (1.属于国家秘密 …), `None` for 予以公开 and 部分公开.
    pub fn number(self) -> Option<usize> {
        let g = self.group();
        if matches!(g, OutcomeGroup::Disclosed | OutcomeGroup::Partial) {
            return None;
        }
        Outcome::ALL
            .iter()
            .filter(|o| o.group() == g)
            .position(|o| *o == self)
            .map(|i| i + 1)
    }

    /// `不予公开:1.属于国家秘密`, `予以公开`.
    pub fn full_label(self) -> String {
        match self.number() {
            None => OutcomeGroup::name(self.group()).to_string(),
            Some(n) => format!("{}：{n}.{}", self.group().name(), self.label()),
        }
    }
}

coded_enum! {
    /// 行政复议 / 行政诉讼 (table 四): which proceeding.
    ReviewKind {
        Reconsideration = "reconsideration": "行政复议",
        DirectSuit = "direct_suit": "行政诉讼（未经复议直接起诉）",
        SuitAfterReconsideration = "suit_after_reconsideration": "行政诉讼（复议后起诉）",
    }
}

coded_enum! {
    /// The result columns of table 四.
    ReviewResult {
        Upheld = "upheld": "结果维持",
        Corrected = "corrected": "结果纠正",
        Other = "other": "其他结果",
        Pending = "pending": "尚未审结",
    }
}

coded_enum! {
    /// 信息处理费 scale (国办函〔2020〕109号): one per application, never both.
    FeeScale {
        PerApplication = "per_application": "按件计收",
        PerPage = "per_page": "按量计收",
    }
}

/// 按件计收 (国办函〔2020〕109号): the fee in yuan of an applicant's `nth` application of a calendar
/// month: the 1st–10th free; 11th–30th 100 元 each; from the 31st, each further band of 10 adds 100 元
/// (31st–40th 200 元, 41st–50th 300 元, …).
pub fn fee_per_application(nth_in_month: u32) -> u64 {
    match nth_in_month {
        0..=10 => 0,
        11..=30 => 100,
        n => 100 + 100 * u64::from((n - 30).div_ceil(10)),
    }
}

/// 按量计收 (国办函〔2020〕109号), progressive over the pages of one application: up to 30 pages free;
/// pages 31–100 10 元/页; 101–200 20 元/页; 201 and above 40 元/页.
pub fn fee_per_page(pages: u32) -> u64 {
    let p = u64::from(pages);
    let band = |lo: u64, hi: u64| p.min(hi).saturating_sub(lo - 1);
    band(31, 100) * 10 + band(101, 200) * 20 + band(201, u64::MAX) * 40
}

/// The fee and its working: `第12件,按件计收:第11至30件每件100元,计100元`.
pub fn fee_explained(scale: FeeScale, quantity: u32) -> (u64, String) {
    match scale {
        FeeScale::PerApplication => {
            let fee = fee_per_application(quantity);
            let band = match quantity {
                0..=10 => "每月10件以内免费".to_string(),
                11..=30 => "第11至30件每件100元".to_string(),
                n => {
                    let k = (n - 30).div_ceil(10);
                    format!(
                        "第{}至{}件每件{}元",
                        30 + (k - 1) * 10 + 1,
                        30 + k * 10,
                        fee
                    )
                }
            };
            (
                fee,
                format!("本月第{quantity}件申请，按件计收：{band}，计{fee}元"),
            )
        }
        FeeScale::PerPage => {
            let fee = fee_per_page(quantity);
            (
                fee,
                format!(
                    "共{quantity}页，按量计收：30页以内免费，31至100页每页10元，101至200页每页20元，201页以上每页40元，计{fee}元"
                ),
            )
        }
    }
}

/// Makes a tracking code from random bytes (one character per byte; the caller passes
/// [`TRACKING_CODE_LEN`] bytes from a CSPRNG).
pub fn tracking_code_from(random: &[u8]) -> String {
    random
        .iter()
        .map(|b| TRACKING_ALPHABET[usize::from(*b) % TRACKING_ALPHABET.len()] as char)
        .collect()
}

/// A tracking code as typed: spaces and dashes dropped, upper-cased; `None` when it cannot be one.
pub fn normalize_tracking_code(s: &str) -> Option<String> {
    let c: String = s
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (c.len() == TRACKING_CODE_LEN && c.bytes().all(|b| TRACKING_ALPHABET.contains(&b))).then_some(c)
}

coded_enum! {
    /// The identity document of the applicant (条例第二十九条: 身份证明).
    IdType {
        ResidentId = "resident_id": "居民身份证",
        Passport = "passport": "护照",
        HkMacau = "hk_macau": "港澳居民来往内地通行证",
        Taiwan = "taiwan": "台湾居民来往大陆通行证",
        CreditCode = "credit_code": "统一社会信用代码",
        Other = "other": "其他证件",
    }
}

coded_enum! {
    /// How the applicant wants the information (条例第二十九条第三项).
    Delivery {
        Paper = "paper": "纸质文本（邮寄）",
        Pickup = "pickup": "纸质文本（当面领取）",
        Email = "email": "电子邮件",
        Online = "online": "网上查询（凭查询码查看答复）",
    }
}

/// Field length limits (characters).
pub const MAX_NAME: usize = 100;
pub const MAX_SHORT: usize = 100;
pub const MAX_DESCRIPTION: usize = 4000;
pub const MAX_PURPOSE: usize = 1000;

/// The application as typed (portal form or staff registration).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ApplicationFields {
    pub applicant_type: String,
    pub name: String,
    pub org_name: String,
    pub id_type: String,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub description: String,
    pub purpose: String,
    pub delivery: String,
    /// The consent checkbox of the disclosure log: any non-empty value is consent.
    pub publish_consent: String,
}

/// A validated application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApplicationInput {
    pub applicant_type: ApplicantType,
    /// The person's name, or the organisation's contact person.
    pub name: String,
    /// The organisation's name (empty for 自然人).
    pub org_name: String,
    pub id_type: IdType,
    pub id_number: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub description: String,
    pub purpose: String,
    pub delivery: Delivery,
    /// The applicant agreed that, once answered, the request and the answer may be published
    /// with personal data masked (the disclosure log; never by default).
    pub publish_consent: bool,
}

impl ApplicationInput {
    /// The last 4 digits of the phone: with the tracking code, what the applicant gives to see the case.
    pub fn phone_tail(&self) -> String {
        phone_tail(&self.phone)
    }
}

/// The last 4 digits of a phone number.
pub fn phone_tail(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].iter().collect()
}

fn clean(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .collect::<String>()
        .replace("\r\n", "\n")
}

fn check_len(inv: &mut Invalid, field: &'static str, label: &str, v: &str, max: usize) {
    let n = v.chars().count();
    if n > max {
        inv.push(field, format!("{label}不能超过{max}个字（现为{n}个字）"));
    }
}

impl ApplicationFields {
    /// Checks every field and reports every problem (Chinese messages).
    pub fn validate(&self) -> Result<ApplicationInput, Invalid> {
        let mut inv = Invalid::default();
        let applicant_type = ApplicantType::from_code(self.applicant_type.trim());
        if applicant_type.is_none() {
            inv.push("applicant_type", "请选择申请人类型");
        }
        let name = clean(&self.name);
        if name.is_empty() {
            inv.push("name", "请填写姓名（法人或其他组织填写联系人姓名）");
        }
        check_len(&mut inv, "name", "姓名", &name, MAX_NAME);
        let org_name = clean(&self.org_name);
        if applicant_type.is_some_and(|t| t != ApplicantType::NaturalPerson) && org_name.is_empty()
        {
            inv.push("org_name", "法人或其他组织须填写单位名称");
        }
        check_len(&mut inv, "org_name", "单位名称", &org_name, MAX_NAME);
        let id_type = IdType::from_code(self.id_type.trim());
        if id_type.is_none() {
            inv.push("id_type", "请选择身份证明类型");
        }
        let id_number: String = clean(&self.id_number).to_uppercase();
        if id_number.is_empty() {
            inv.push("id_number", "请填写证件号码");
        } else if id_type == Some(IdType::ResidentId) && !crate::guard::is_resident_id(&id_number) {
            inv.push("id_number", "居民身份证号码应为18位且校验位正确");
        } else if id_type == Some(IdType::CreditCode) && !crate::credit_code::is_valid(&id_number) {
            inv.push("id_number", "统一社会信用代码无效，请核对");
        }
        check_len(&mut inv, "id_number", "证件号码", &id_number, 40);
        let phone = clean(&self.phone);
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !(7..=20).contains(&digits)
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' ' | '(' | ')'))
        {
            inv.push("phone", "请填写有效的联系电话（7至20位数字）");
        }
        let email = clean(&self.email);
        if !email.is_empty() && (!email.contains('@') || email.contains(char::is_whitespace)) {
            inv.push("email", "电子邮箱格式不正确");
        }
        check_len(&mut inv, "email", "电子邮箱", &email, MAX_SHORT);
        let address = clean(&self.address);
        check_len(&mut inv, "address", "通信地址", &address, 200);
        let description = clean(&self.description);
        if description.chars().count() < 4 {
            inv.push(
                "description",
                "请描述所需政府信息（名称、文号或者便于查询的其他特征性描述）",
            );
        }
        check_len(
            &mut inv,
            "description",
            "所需信息描述",
            &description,
            MAX_DESCRIPTION,
        );
        let purpose = clean(&self.purpose);
        check_len(&mut inv, "purpose", "用途说明", &purpose, MAX_PURPOSE);
        let delivery = Delivery::from_code(self.delivery.trim());
        if delivery.is_none() {
            inv.push("delivery", "请选择获取信息的方式");
        }
        if delivery == Some(Delivery::Email) && email.is_empty() {
            inv.push("email", "选择电子邮件方式的，须填写电子邮箱");
        }
        if delivery == Some(Delivery::Paper) && address.is_empty() {
            inv.push("address", "选择邮寄纸质文本的，须填写通信地址");
        }
        match (applicant_type, id_type, delivery) {
            (Some(applicant_type), Some(id_type), Some(delivery)) if inv.is_empty() => {
                Ok(ApplicationInput {
                    applicant_type,
                    name,
                    org_name,
                    id_type,
                    id_number,
                    phone,
                    email,
                    address,
                    description,
                    purpose,
                    delivery,
                    publish_consent: !self.publish_consent.trim().is_empty(),
                })
            }
            _ => Err(inv),
        }
    }
}

coded_enum! {
    /// Whom a consultation asks.
    Consulted {
        ThirdParty = "third_party": "征求第三方意见",
        OtherAgency = "other_agency": "征求其他机关意见",
    }
}

/// One event of a case after its receipt (the receipt is the case itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseEvent {
    /// 补正告知: what to supplement, by when.
    SupplementRequested {
        on: NaiveDate,
        due_by: NaiveDate,
        note: String,
    },
    /// The supplemented application arrived: the clock restarts (第三十条).
    SupplementReceived {
        on: NaiveDate,
    },
    ConsultationStarted {
        on: NaiveDate,
        consulted: Consulted,
        note: String,
        /// Whom the 征求意见函 is addressed to （the third party's or the agency's name）.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        party: String,
        /// The consulted party's working days to reply, as configured when the consultation
        /// started (`None`: the statutory [`CONSULTATION_WORKING_DAYS`]).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_working_days: Option<u32>,
    },
    ConsultationEnded {
        on: NaiveDate,
    },
    /// 延期答复, approved by the head of the disclosure office (第三十三条第二款).
    Extended {
        on: NaiveDate,
        working_days: u32,
        approver: String,
        reason: String,
    },
    /// 收费通知 （国办函〔2020〕109号）： issued within the reply period; the applicant pays within
    /// [`FEE_PAYMENT_WORKING_DAYS`] working days of receiving it. With `pauses_clock` (the
    /// setting when it was issued) the reply period stops until payment.
    FeeNoticed {
        on: NaiveDate,
        scale: FeeScale,
        quantity: u32,
        amount_yuan: u64,
        #[serde(default = "yes")]
        pauses_clock: bool,
        note: String,
    },
    /// The fee was paid, with its receipt （财政票据） number; the clock runs again.
    FeePaid {
        on: NaiveDate,
        receipt_no: String,
    },
    /// The applicant withdrew the application （撤回）： the case is closed, reported under
    /// （六）其他处理 3.其他.
    Withdrawn {
        on: NaiveDate,
        note: String,
    },
    Answered {
        on: NaiveDate,
        outcome: Outcome,
        fee_yuan: u64,
        note: String,
    },
    /// 行政复议/行政诉讼 and its result (recorded after the answer; a later record of the same kind
    /// replaces the earlier result, e.g. 尚未审结 → 结果维持).
    Review {
        on: NaiveDate,
        review: ReviewKind,
        result: ReviewResult,
        note: String,
    },
}

impl CaseEvent {
    pub fn date(&self) -> NaiveDate {
        match self {
            CaseEvent::SupplementRequested { on, .. }
            | CaseEvent::SupplementReceived { on }
            | CaseEvent::ConsultationStarted { on, .. }
            | CaseEvent::ConsultationEnded { on }
            | CaseEvent::Extended { on, .. }
            | CaseEvent::FeeNoticed { on, .. }
            | CaseEvent::FeePaid { on, .. }
            | CaseEvent::Withdrawn { on, .. }
            | CaseEvent::Answered { on, .. }
            | CaseEvent::Review { on, .. } => *on,
        }
    }

    /// A code for storage and the timeline.
    pub fn code(&self) -> &'static str {
        match self {
            CaseEvent::SupplementRequested { .. } => "supplement_requested",
            CaseEvent::SupplementReceived { .. } => "supplement_received",
            CaseEvent::ConsultationStarted { .. } => "consultation_started",
            CaseEvent::ConsultationEnded { .. } => "consultation_ended",
            CaseEvent::Extended { .. } => "extended",
            CaseEvent::FeeNoticed { .. } => "fee_noticed",
            CaseEvent::FeePaid { .. } => "fee_paid",
            CaseEvent::Withdrawn { .. } => "withdrawn",
            CaseEvent::Answered { .. } => "answered",
            CaseEvent::Review { .. } => "review",
        }
    }

    /// The timeline line in Chinese.
    pub fn label(&self) -> String {
        match self {
            CaseEvent::SupplementRequested { due_by, note, .. } => {
                format!("发出补正告知（补正期限 {due_by}）：{note}")
            }
            CaseEvent::SupplementReceived { .. } => "收到补正材料，答复期限重新起算".into(),
            CaseEvent::ConsultationStarted {
                consulted,
                note,
                party,
                ..
            } if !party.trim().is_empty() => format!(
                "{}\u{FF08}{party}\u{FF0C}期间不计入答复期限\u{FF09}\u{FF1A}{note}",
                consulted.label()
            ),
            CaseEvent::ConsultationStarted {
                consulted, note, ..
            } => format!("{}（期间不计入答复期限）：{note}", consulted.label()),
            CaseEvent::ConsultationEnded { .. } => "征求意见结束，恢复计时".into(),
            CaseEvent::Extended {
                working_days,
                approver,
                reason,
                ..
            } => format!("延期答复{working_days}个工作日（批准人：{approver}）：{reason}"),
            CaseEvent::FeeNoticed {
                amount_yuan,
                scale,
                quantity,
                pauses_clock,
                ..
            } => {
                let unit = if *scale == FeeScale::PerPage {
                    "页"
                } else {
                    "件"
                };
                let pause = if *pauses_clock {
                    "\u{FF0C}缴费期间不计入答复期限"
                } else {
                    ""
                };
                format!(
                    "发出收费通知\u{FF1A}{}\u{FF08}{quantity}{unit}\u{FF09}\u{FF0C}信息处理费{amount_yuan}元{pause}",
                    scale.label()
                )
            }
            CaseEvent::FeePaid { receipt_no, .. } => {
                format!("收到信息处理费\u{FF08}票据号{receipt_no}\u{FF09}\u{FF0C}恢复计时")
            }
            CaseEvent::Withdrawn { note, .. } if note.trim().is_empty() => "申请人撤回申请".into(),
            CaseEvent::Withdrawn { note, .. } => format!("申请人撤回申请\u{FF1A}{note}"),
            CaseEvent::Answered {
                outcome, fee_yuan, ..
            } => {
                if *fee_yuan > 0 {
                    format!(
                        "作出答复：{}，收取信息处理费{fee_yuan}元",
                        outcome.full_label()
                    )
                } else {
                    format!("作出答复：{}", outcome.full_label())
                }
            }
            CaseEvent::Review { review, result, .. } => {
                format!("{}：{}", review.label(), result.label())
            }
        }
    }

    /// The timeline line the applicant sees (no internal notes or approver).
    pub fn public_label(&self) -> String {
        match self {
            CaseEvent::SupplementRequested { due_by, .. } => {
                format!("已发出补正告知，请于 {due_by} 前补正")
            }
            CaseEvent::ConsultationStarted { .. } => "征求意见中（所需时间不计入答复期限）".into(),
            CaseEvent::Extended { working_days, .. } => {
                format!("延期答复{working_days}个工作日")
            }
            CaseEvent::Answered { outcome, .. } => {
                format!("已答复：{}", outcome.group().name())
            }
            CaseEvent::FeeNoticed { amount_yuan, .. } => format!(
                "已发出收费通知\u{FF0C}信息处理费{amount_yuan}元\u{FF0C}请于收到通知次日起{FEE_PAYMENT_WORKING_DAYS}个工作日内缴纳"
            ),
            CaseEvent::FeePaid { .. } => "已收到信息处理费".into(),
            CaseEvent::Withdrawn { .. } => "申请人已撤回申请".into(),
            e => e.label(),
        }
    }
}

coded_enum! {
    /// Where a case stands.
    Status {
        InProgress = "in_progress": "办理中",
        AwaitingSupplement = "awaiting_supplement": "待补正",
        Consultation = "consultation": "征求意见中",
        AwaitingPayment = "awaiting_payment": "待缴费",
        Answered = "answered": "已答复",
        Withdrawn = "withdrawn": "已撤回",
    }
}

/// Why an event was refused. Chinese messages shown as they are.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("{0}")]
    Refused(String),
    #[error(transparent)]
    Clock(#[from] ClockError),
}

/// The last day of a consultation started `since` with `limit` working days to reply.
fn consultation_cap(since: NaiveDate, limit: u32, cal: &Calendar) -> Option<NaiveDate> {
    cal.add_workdays(since, limit).ok().map(|d| d.date)
}

fn yes() -> bool {
    true
}

/// The last day to pay a 收费通知 issued `on`: counted from the day after （国办函〔2020〕109号）.
pub fn fee_payment_deadline(on: NaiveDate, cal: &Calendar) -> Option<NaiveDate> {
    cal.add_workdays(on, FEE_PAYMENT_WORKING_DAYS)
        .ok()
        .map(|d| d.date)
}

/// A 收费通知 sent and not paid yet: its amount and the last day to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeeDue {
    pub amount_yuan: u64,
    pub noticed_on: NaiveDate,
    pub pay_by: NaiveDate,
}

fn refuse<T>(s: impl Into<String>) -> Result<T, CaseError> {
    Err(CaseError::Refused(s.into()))
}

/// A case: receipt date, counting rule and events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub received_on: NaiveDate,
    pub rule: ClockRule,
    events: Vec<CaseEvent>,
    clock: Clock,
    status: Status,
    supplement_requested: bool,
    /// The 补正 deadline of the notice sent, if any.
    supplement_due: Option<NaiveDate>,
    /// When the open consultation started and its working days to reply, if one is open.
    consultation_since: Option<(NaiveDate, u32)>,
    extended: bool,
    /// The 收费通知 waiting for payment.
    fee_due: Option<FeeDue>,
    /// Paid 信息处理费 as date and amount.
    fee_paid: Option<(NaiveDate, u64)>,
    fee_pauses_clock: bool,
}

/// Due-date flag of a handler's queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Normal,
    DueSoon,
    Overdue,
    Paused,
    Done,
}

impl Flag {
    pub fn label(self) -> &'static str {
        match self {
            Flag::Normal => "",
            Flag::DueSoon => "即将到期",
            Flag::Overdue => "已逾期",
            Flag::Paused => "暂停计时",
            Flag::Done => "已办结",
        }
    }
}

impl Case {
    pub fn new(received_on: NaiveDate, rule: ClockRule) -> Case {
        Case {
            received_on,
            rule,
            events: Vec::new(),
            clock: Clock::new(received_on, rule),
            status: Status::InProgress,
            supplement_requested: false,
            supplement_due: None,
            consultation_since: None,
            extended: false,
            fee_due: None,
            fee_paid: None,
            fee_pauses_clock: false,
        }
    }

    /// A case rebuilt from stored events, each checked again.
    pub fn from_events(
        received_on: NaiveDate,
        rule: ClockRule,
        events: impl IntoIterator<Item = CaseEvent>,
        cal: &Calendar,
    ) -> Result<Case, CaseError> {
        let mut c = Case::new(received_on, rule);
        for e in events {
            c.apply(e, cal)?;
        }
        Ok(c)
    }

    pub fn status(&self) -> Status {
        self.status
    }

    pub fn events(&self) -> &[CaseEvent] {
        &self.events
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn is_extended(&self) -> bool {
        self.extended
    }

    /// The last day a 补正告知 may be sent: 7 working days after receipt.
    pub fn supplement_notice_limit(&self, cal: &Calendar) -> Result<NaiveDate, CaseError> {
        cal.add_workdays(self.received_on, SUPPLEMENT_NOTICE_WORKING_DAYS)
            .map(|d| d.date)
            .map_err(|_| CaseError::Clock(ClockError::OutOfRange))
    }

    /// How the case ended, for the annual report: its answer, or a withdrawal, which closes
    /// the case under （六）其他处理 3.其他.
    pub fn answer(&self) -> Option<(NaiveDate, Outcome, u64)> {
        self.events.iter().find_map(|e| match e {
            CaseEvent::Answered {
                on,
                outcome,
                fee_yuan,
                ..
            } => Some((*on, *outcome, *fee_yuan)),
            CaseEvent::Withdrawn { on, .. } => Some((*on, Outcome::OtherOther, 0)),
            _ => None,
        })
    }

    /// Closed: answered or withdrawn.
    pub fn is_closed(&self) -> bool {
        matches!(self.status, Status::Answered | Status::Withdrawn)
    }

    /// The 补正 deadline while the case waits for the supplement.
    pub fn supplement_due(&self) -> Option<NaiveDate> {
        self.supplement_due
            .filter(|_| self.status == Status::AwaitingSupplement)
    }

    /// The 收费通知 waiting for payment, if any.
    pub fn fee_due(&self) -> Option<FeeDue> {
        self.fee_due
    }

    /// The fee paid: (date, amount in yuan).
    pub fn fee_paid(&self) -> Option<(NaiveDate, u64)> {
        self.fee_paid
    }

    /// The latest result per proceeding.
    pub fn reviews(&self) -> Vec<(ReviewKind, ReviewResult)> {
        let mut out: Vec<(ReviewKind, ReviewResult)> = Vec::new();
        for e in &self.events {
            if let CaseEvent::Review { review, result, .. } = e {
                match out.iter_mut().find(|(k, _)| k == review) {
                    Some(slot) => slot.1 = *result,
                    None => out.push((*review, *result)),
                }
            }
        }
        out
    }

    /// Unanswered at the end of `year` although received in or before it: 结转下年度继续办理.
    pub fn carried_over(&self, year: i32) -> bool {
        let end = NaiveDate::from_ymd_opt(year, 12, 31);
        end.is_some_and(|end| {
            self.received_on <= end && self.answer().is_none_or(|(on, _, _)| on > end)
        })
    }

    /// The due date and its working.
    pub fn deadline(&self, cal: &Calendar) -> Result<ClockResult, CaseError> {
        Ok(self.clock.deadline(cal)?)
    }

    /// The queue flag as of `today`: 已逾期 past the due date, 即将到期 within 3 working days.
    pub fn flag(&self, cal: &Calendar, today: NaiveDate) -> Flag {
        if self.is_closed() {
            return Flag::Done;
        }
        let Ok(r) = self.clock.deadline(cal) else {
            return Flag::Normal;
        };
        if r.due.is_none() {
            return Flag::Paused;
        }
        let p = r.as_of(cal, today);
        if p.overdue() {
            Flag::Overdue
        } else if p.remaining <= DUE_SOON_WORKING_DAYS {
            Flag::DueSoon
        } else {
            Flag::Normal
        }
    }

    /// The last day the open consultation's pause can last: a third party (or another agency)
    /// has [`CONSULTATION_WORKING_DAYS`] working days from the request to answer per 第三十二条 so a
    /// consultation ended later stops the clock only until that day.
    pub fn consultation_limit(&self, cal: &Calendar) -> Option<NaiveDate> {
        let (since, limit) = self.consultation_since?;
        consultation_cap(since, limit, cal)
    }

    /// Where the reply period stands, in words: for an open case as of `today`, for an answered
    /// one as of its answer （按期答复 or 逾期N个工作日答复） and never 已逾期 for an answer in time.
    pub fn progress_text(&self, cal: &Calendar, today: NaiveDate) -> Option<String> {
        if let Some(on) = self.events.iter().find_map(|e| match e {
            CaseEvent::Withdrawn { on, .. } => Some(*on),
            _ => None,
        }) {
            return Some(format!("申请人已于{on}撤回申请"));
        }
        if let Some(fee) = self.fee_due {
            return Some(format!(
                "等待缴纳信息处理费{}元\u{FF0C}缴费期限{}{}",
                fee.amount_yuan,
                fee.pay_by,
                if self.fee_pauses_clock {
                    "\u{FF08}缴费期间不计入答复期限\u{FF09}"
                } else {
                    ""
                }
            ));
        }
        let r = self.clock.deadline(cal).ok()?;
        r.due?;
        match self.answer() {
            Some((on, _, _)) => {
                let p = r.as_of(cal, on);
                Some(if p.overdue() {
                    format!("已于{on}答复\u{FF0C}逾期{}个工作日", -p.remaining)
                } else {
                    format!("已于{on}按期答复\u{FF0C}用时{}个工作日", p.counted)
                })
            }
            None => Some(r.as_of(cal, today).describe()),
        }
    }

    /// The case as it stood when the letter `kind` was issued: the figures a letter states (the
    /// due date above all) are those of its day and never change with later events, so the
    /// 受理回执 keeps the date it promised after an extension. `None` while the letter is not
    /// issued yet.
    pub fn as_issued(&self, kind: letter::LetterKind, cal: &Calendar) -> Option<Case> {
        use letter::LetterKind as L;
        let through = match kind {
            L::Receipt => 0,
            L::Supplement => {
                1 + self
                    .events
                    .iter()
                    .position(|e| matches!(e, CaseEvent::SupplementRequested { .. }))?
            }
            L::Extension => {
                1 + self
                    .events
                    .iter()
                    .position(|e| matches!(e, CaseEvent::Extended { .. }))?
            }
            L::Answer => {
                1 + self
                    .events
                    .iter()
                    .position(|e| matches!(e, CaseEvent::Answered { .. }))?
            }
            L::FeeNotice => {
                1 + self
                    .events
                    .iter()
                    .position(|e| matches!(e, CaseEvent::FeeNoticed { .. }))?
            }
            L::Consultation => {
                1 + self
                    .events
                    .iter()
                    .position(|e| matches!(e, CaseEvent::ConsultationStarted { .. }))?
            }
        };
        Case::from_events(
            self.received_on,
            self.rule,
            self.events[..through].iter().cloned(),
            cal,
        )
        .ok()
    }

    /// Applies a **new** event: the checks of [`Case::apply`] and those that only bind what is
    /// recorded from now on (a stored history is rebuilt as it was accepted):
    /// 逾期不补正 only once the 补正 deadline has passed （第三十条）.
    pub fn admit(&mut self, event: CaseEvent, cal: &Calendar) -> Result<(), CaseError> {
        if let CaseEvent::Answered {
            on,
            outcome: Outcome::NoSupplement,
            ..
        } = &event
            && let Some(due) = self.supplement_due
            && *on <= due
        {
            return refuse(format!(
                "补正期限{due}尚未届满\u{FF0C}不能以\u{201C}逾期不补正\u{201D}办结\u{FF08}条例第三十条\u{FF09}\u{FF1B}期限届满后\u{FF08}{due}之后\u{FF09}才能登记"
            ));
        }
        if let CaseEvent::Answered {
            on,
            outcome: Outcome::NoFee,
            ..
        } = &event
            && let Some(fee) = self.fee_due
            && *on <= fee.pay_by
        {
            return refuse(format!(
                "缴费期限{}尚未届满\u{FF0C}不能以\u{201C}逾期未缴费\u{201D}办结\u{FF1B}期限届满后才能登记",
                fee.pay_by
            ));
        }
        if let CaseEvent::Answered { fee_yuan, .. } = &event {
            let paid = self.fee_paid.map_or(0, |(_, amount)| amount);
            if *fee_yuan != paid {
                return refuse(format!(
                    "答复所载信息处理费须与已缴纳的费用一致\u{FF08}已缴纳{paid}元\u{FF09}\u{FF1B}收费须先发出收费通知并登记缴费"
                ));
            }
        }
        if let CaseEvent::FeeNoticed { on, .. } = &event {
            let due = self.clock.deadline(cal)?.due;
            if let Some(due) = due
                && *on > due
            {
                return refuse(format!(
                    "收费通知须在答复期限内发出\u{FF08}答复期限{due}\u{FF09}"
                ));
            }
        }
        if let CaseEvent::FeePaid { on, .. } = &event
            && let Some(fee) = self.fee_due
            && *on > fee.pay_by
        {
            return refuse(format!(
                "缴费期限{}已过\u{FF0C}视为放弃申请\u{FF1B}请以\u{201C}申请人逾期未按收费通知要求缴纳费用\u{201D}办结",
                fee.pay_by
            ));
        }
        self.apply(event, cal)
    }

    /// Applies one event after checking it; a refused event leaves the case unchanged.
    pub fn apply(&mut self, event: CaseEvent, cal: &Calendar) -> Result<(), CaseError> {
        let mut next = self.clone();
        next.apply_inner(event, cal)?;
        *self = next;
        Ok(())
    }

    fn apply_inner(&mut self, event: CaseEvent, cal: &Calendar) -> Result<(), CaseError> {
        let on = event.date();
        if on < self.received_on {
            return refuse(format!("{on} 早于收到申请之日 {}", self.received_on));
        }
        if let Some(prev) = self.events.last().map(CaseEvent::date)
            && on < prev
        {
            return refuse(format!(
                "办理记录须按日期先后录入：{on} 早于上一记录的日期 {prev}"
            ));
        }
        if self.status == Status::Withdrawn {
            return refuse("申请人已撤回申请\u{FF0C}不能再办理");
        }
        let answered = self.status == Status::Answered;
        if answered && !matches!(event, CaseEvent::Review { .. }) {
            return refuse("该申请已答复办结，不能再办理");
        }
        match &event {
            CaseEvent::SupplementRequested { due_by, note, .. } => {
                if self.supplement_requested {
                    return refuse("补正告知只能发出一次（条例第三十条：一次性告知）");
                }
                if self.status != Status::InProgress {
                    return refuse(format!(
                        "当前状态为“{}”，不能发出补正告知",
                        self.status.label()
                    ));
                }
                let limit = self.supplement_notice_limit(cal)?;
                if on > limit {
                    return refuse(format!(
                        "补正告知须在收到申请之日起7个工作日内发出（收到申请 {}，最迟 {limit}），{on} 已超过期限",
                        self.received_on
                    ));
                }
                if *due_by <= on {
                    return refuse("补正期限须晚于告知日期");
                }
                if note.trim().is_empty() {
                    return refuse("请写明需要补正的事项");
                }
                self.clock
                    .pause(on, PauseReason::Other("等待申请人补正".into()))?;
                self.supplement_requested = true;
                self.supplement_due = Some(*due_by);
                self.status = Status::AwaitingSupplement;
            }
            CaseEvent::SupplementReceived { .. } => {
                if self.status != Status::AwaitingSupplement {
                    return refuse("没有待补正的告知，不能登记收到补正");
                }
                self.clock.resume(on)?;
                self.clock.restart(on, "收到补正材料")?;
                self.status = Status::InProgress;
            }
            CaseEvent::ConsultationStarted {
                consulted,
                limit_working_days,
                ..
            } => {
                let limit = limit_working_days.unwrap_or(CONSULTATION_WORKING_DAYS);
                if !(1..=60).contains(&limit) {
                    return refuse("征求意见期限须为1至60个工作日");
                }
                if self.status != Status::InProgress {
                    return refuse(format!(
                        "当前状态为“{}”，不能开始征求意见",
                        self.status.label()
                    ));
                }
                let reason = match consulted {
                    Consulted::ThirdParty => PauseReason::ThirdParty,
                    Consulted::OtherAgency => PauseReason::OtherAgency,
                };
                self.clock.pause(on, reason)?;
                self.status = Status::Consultation;
                self.consultation_since = Some((on, limit));
            }
            CaseEvent::ConsultationEnded { .. } => {
                if self.status != Status::Consultation {
                    return refuse("没有进行中的征求意见");
                }
                // The pause lasts at most the consultation period （第三十二条） and a later end
                // does not push the due date further.
                let resume = self
                    .consultation_since
                    .and_then(|(since, limit)| consultation_cap(since, limit, cal))
                    .map_or(on, |cap| on.min(cap));
                self.clock.resume(resume)?;
                self.status = Status::InProgress;
                self.consultation_since = None;
            }
            CaseEvent::Extended {
                working_days,
                approver,
                reason,
                ..
            } => {
                if self.extended {
                    return refuse("已延期一次，不能再次延期（条例第三十三条）");
                }
                if approver.trim().is_empty() {
                    return refuse("延期须记录批准人（公开工作机构负责人）");
                }
                if *working_days == 0 || *working_days > self.rule.max_extension_working_days {
                    return refuse(format!(
                        "延长期限须为1至{}个工作日",
                        self.rule.max_extension_working_days
                    ));
                }
                if matches!(
                    self.status,
                    Status::AwaitingSupplement | Status::AwaitingPayment
                ) {
                    return refuse(format!("{}期间不能延期", self.status.label()));
                }
                self.clock.extend(on, *working_days, reason.trim())?;
                self.extended = true;
            }
            CaseEvent::FeeNoticed {
                scale,
                quantity,
                amount_yuan,
                pauses_clock,
                ..
            } => {
                if self.status != Status::InProgress {
                    return refuse(format!(
                        "当前状态为\u{201C}{}\u{201D}\u{FF0C}不能发出收费通知",
                        self.status.label()
                    ));
                }
                if self.fee_due.is_some() || self.fee_paid.is_some() {
                    return refuse("收费通知已发出\u{FF0C}一件申请只收费一次");
                }
                let (expected, _) = fee_explained(*scale, *quantity);
                if expected == 0 {
                    return refuse(format!(
                        "按{}\u{FF0C}{quantity}{}不收费\u{FF0C}无需发出收费通知",
                        scale.label(),
                        if *scale == FeeScale::PerPage {
                            "页"
                        } else {
                            "件"
                        }
                    ));
                }
                if *amount_yuan != expected {
                    return refuse(format!(
                        "收费金额应为{expected}元\u{FF08}国办函\u{3014}2020\u{3015}109号\u{FF09}"
                    ));
                }
                let pay_by = fee_payment_deadline(on, cal)
                    .ok_or(CaseError::Clock(ClockError::OutOfRange))?;
                if *pauses_clock {
                    self.clock.pause(on, PauseReason::FeePayment)?;
                }
                self.fee_pauses_clock = *pauses_clock;
                self.fee_due = Some(FeeDue {
                    amount_yuan: *amount_yuan,
                    noticed_on: on,
                    pay_by,
                });
                self.status = Status::AwaitingPayment;
            }
            CaseEvent::FeePaid { receipt_no, .. } => {
                let Some(fee) = self.fee_due else {
                    return refuse("没有待缴费的收费通知");
                };
                if receipt_no.trim().is_empty() {
                    return refuse("请填写缴费票据号");
                }
                if self.fee_pauses_clock {
                    self.clock.resume(on)?;
                }
                self.fee_due = None;
                self.fee_paid = Some((on, fee.amount_yuan));
                self.status = Status::InProgress;
            }
            CaseEvent::Withdrawn { .. } => self.status = Status::Withdrawn,
            CaseEvent::Answered { outcome, .. } => {
                match self.status {
                    Status::Consultation => {
                        return refuse("征求意见尚未结束，请先登记征求意见结束");
                    }
                    Status::AwaitingPayment if *outcome != Outcome::NoFee => {
                        return refuse(
                            "待缴费期间只能以\u{201C}申请人逾期未按收费通知要求缴纳费用\u{201D}办结\u{FF0C}或先登记缴费",
                        );
                    }
                    Status::AwaitingSupplement if *outcome != Outcome::NoSupplement => {
                        return refuse(
                            "待补正期间只能以“申请人无正当理由逾期不补正”办结，或先登记收到补正",
                        );
                    }
                    _ => {}
                }
                if *outcome == Outcome::StillUnclear && !self.supplement_requested {
                    return refuse("“补正后申请内容仍不明确”须先发出补正告知");
                }
                if *outcome == Outcome::NoSupplement && self.status != Status::AwaitingSupplement {
                    return refuse("“逾期不补正”仅适用于待补正的申请");
                }
                if *outcome == Outcome::NoFee && self.status != Status::AwaitingPayment {
                    return refuse(
                        "\u{201C}逾期未缴费\u{201D}仅适用于已发出收费通知且未缴费的申请",
                    );
                }
                self.status = Status::Answered;
            }
            CaseEvent::Review { .. } => {
                if !answered {
                    return refuse("答复后才能登记行政复议或行政诉讼");
                }
            }
        }
        // What needs the calendar (an extension or pause after the due date).
        self.clock.deadline(cal)?;
        self.events.push(event);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
