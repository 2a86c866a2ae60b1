//! First-run seeding and the optional demo.
//!
//! A first run without `--demo` ([`ensure_seeded`]) creates a neutral site: the standard column
//! structure, no organisation, no government's name, and `site.setup_pending` so the system
//! administrator is sent to `/admin/setup`. The demo ([`ensure_demo_site`]) is Panjin's: the
//! organisation tree of 《盘锦市2017年政务公开工作安排》 with the site named after it and plausible
//! footer identifiers; [`demo_content`] adds its items. The demo never runs on a database set up
//! as another government: [`ensure_demo_site`] refuses it.

use crate::{Actor, Db, DbError, DbResult, columns, items, now_ms, settings, site_profile};
use gongkai_domain::item::ItemFields;
use gongkai_domain::seed::{COLUMNS, ORGANISATIONS, SITE_NAME, SITE_SLUG, org_code};
use gongkai_domain::site_profile::{NEUTRAL_SITE_NAME, SiteProfile};
use sqlx::AnyConnection;
use std::collections::HashMap;

async fn site_count(tx: &mut AnyConnection) -> DbResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM sites")
        .fetch_one(&mut *tx)
        .await?)
}

/// Creates the portal site and the standard columns; returns the site's id.
async fn create_site(tx: &mut AnyConnection, name: &str, owner: Option<i64>) -> DbResult<i64> {
    let now = now_ms();
    let site_id: i64 = sqlx::query_scalar(
        "INSERT INTO sites (name, slug, owner_org_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(name)
    .bind(SITE_SLUG)
    .bind(owner)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let mut col_ids: HashMap<&str, i64> = HashMap::new();
    for (pos, c) in COLUMNS.iter().enumerate() {
        let parent = c.parent.and_then(|p| col_ids.get(p).copied());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO columns (site_id, parent_id, name, slug, kind, description, sort_order, on_home, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, '', $6, $7, $8, $8) RETURNING id",
        )
        .bind(site_id)
        .bind(parent)
        .bind(c.name)
        .bind(c.slug)
        .bind(c.kind.code())
        .bind(pos as i64)
        .bind(i64::from(c.on_home))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        col_ids.insert(c.slug, id);
    }
    Ok(site_id)
}

async fn record_seed(tx: &mut AnyConnection, site_id: i64, summary: String) -> DbResult<()> {
    crate::audit::record(
        tx,
        &Actor::system(),
        crate::audit::Entry {
            action: "system.seed",
            entity: "site",
            entity_id: site_id.to_string(),
            summary,
            before: None,
            after: None,
        },
    )
    .await
}

/// A first run without `--demo`: the neutral site and its columns, waiting for setup. Returns
/// whether anything was created (nothing when a site exists). One transaction: all or nothing.
pub async fn ensure_seeded(db: &Db) -> DbResult<bool> {
    let mut tx = db.begin().await?;
    if site_count(&mut tx).await? > 0 {
        return Ok(false);
    }
    let site_id = create_site(&mut tx, NEUTRAL_SITE_NAME, None).await?;
    site_profile::mark_setup_pending(&mut tx).await?;
    record_seed(
        &mut tx,
        site_id,
        format!(
            "初始化站点\u{FF1A}{} 个栏目\u{FF0C}待系统管理员完成初始设置",
            COLUMNS.len()
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The demo site's profile: Panjin's name with plausible (not real) footer identifiers.
pub fn demo_profile() -> SiteProfile {
    SiteProfile {
        name: SITE_NAME.into(),
        region: "辽宁省盘锦市".into(),
        level: "city".into(),
        theme_color: String::new(),
        site_code: "2111000001".into(),
        icp: "辽ICP备05001234号-1".into(),
        police: "辽公网安备 21110302000001号".into(),
        conac_url: "https://bszs.conac.cn/sitename?method=show&id=2111000001".into(),
        sponsor: "盘锦市人民政府办公室".into(),
        organizer: "盘锦市政务服务中心".into(),
        address: "辽宁省盘锦市兴隆台区市府大街1号".into(),
        phone: "0427-2822000".into(),
        email: "zwgk@example.gov.cn".into(),
        postcode: "124010".into(),
    }
}

/// The demo's site: Panjin's organisation tree (44 organisations), the site named after it and
/// its columns, with the demo's profile. Returns whether anything was created: nothing when the
/// database already is the demo. A neutral site nobody has touched (no organisation, no item)
/// becomes the demo. Refused ([`DbError::Config`]) on a database that holds another government's
/// site: the demo is only ever Panjin's, on its own database.
pub async fn ensure_demo_site(db: &Db) -> DbResult<bool> {
    let mut tx = db.begin().await?;
    if site_count(&mut tx).await? > 0 {
        if site_profile::is_demo(&mut tx).await? || legacy_demo(&mut tx).await? {
            return Ok(false);
        }
        let site = columns::default_site(&mut tx).await?;
        if untouched(&mut tx).await? {
            // A neutral site nobody has set up yet (`gongkai migrate` ran first) becomes the demo.
            let id = add_demo_orgs(&mut tx).await?;
            sqlx::query("UPDATE sites SET name = $1, owner_org_id = $2 WHERE id = $3")
                .bind(SITE_NAME)
                .bind(id)
                .bind(site.id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM settings WHERE key = $1")
                .bind(site_profile::SETUP_PENDING)
                .execute(&mut *tx)
                .await?;
            site_profile::mark_demo(&mut tx, &demo_profile()).await?;
            record_seed(&mut tx, site.id, demo_summary()).await?;
            tx.commit().await?;
            return Ok(true);
        }
        return Err(DbError::Config(format!(
            "此数据库的站点是\u{201C}{}\u{201D}\u{FF0C}不是演示站点\u{FF1A}--demo 只能用于新的数据库\u{FF08}演示数据是盘锦市的\u{FF09}\u{3002}\
             请换一个数据目录\u{FF08}--data-dir\u{FF09}或数据库再使用 --demo\u{FF0C}或去掉 --demo 启动本站点",
            site.name
        )));
    }
    let city = add_demo_orgs(&mut tx).await?;
    let site_id = create_site(&mut tx, SITE_NAME, city).await?;
    site_profile::mark_demo(&mut tx, &demo_profile()).await?;
    record_seed(&mut tx, site_id, demo_summary()).await?;
    tx.commit().await?;
    Ok(true)
}

fn demo_summary() -> String {
    format!(
        "初始化演示站点\u{FF1A}{} 个机构\u{FF0C}{} 个栏目",
        ORGANISATIONS.len(),
        COLUMNS.len()
    )
}

/// A site waiting for setup with no organisation and no item yet.
async fn untouched(tx: &mut AnyConnection) -> DbResult<bool> {
    if !site_profile::setup_pending(tx).await? {
        return Ok(false);
    }
    let orgs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations")
        .fetch_one(&mut *tx)
        .await?;
    let items: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items")
        .fetch_one(&mut *tx)
        .await?;
    Ok(orgs == 0 && items == 0)
}

/// Panjin's organisation tree; returns the id of 盘锦市人民政府.
async fn add_demo_orgs(tx: &mut AnyConnection) -> DbResult<Option<i64>> {
    let now = now_ms();
    let mut org_ids: HashMap<&str, i64> = HashMap::new();
    for (pos, o) in ORGANISATIONS.iter().enumerate() {
        let parent = o.parent.and_then(|p| org_ids.get(p).copied());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (parent_id, code, name, kind, credit_code, description, sort_order, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, NULL, '', $5, $6, $6) RETURNING id",
        )
        .bind(parent)
        .bind(org_code(pos))
        .bind(o.name)
        .bind(o.kind.code())
        .bind(pos as i64)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        for a in o.aliases {
            sqlx::query(
                "INSERT INTO organisation_aliases (alias, organisation_id) VALUES ($1, $2)",
            )
            .bind(*a)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        org_ids.insert(o.name, id);
    }
    Ok(org_ids.get(gongkai_domain::seed::CITY).copied())
}

/// A database seeded before sites had a profile was always Panjin's: no setup pending and the
/// demo's top organisation present.
async fn legacy_demo(tx: &mut AnyConnection) -> DbResult<bool> {
    if site_profile::setup_pending(tx).await? {
        return Ok(false);
    }
    let site = columns::default_site(tx).await?;
    Ok(site.name == SITE_NAME
        && crate::orgs::find_by_name(tx, gongkai_domain::seed::CITY)
            .await?
            .is_some())
}

struct DemoItem {
    title: &'static str,
    column: &'static str,
    org: &'static str,
    date: &'static str,
    doc_number: &'static str,
    disclosure: &'static str,
    reason: &'static str,
    publish: bool,
    body: &'static str,
}

const fn demo(
    title: &'static str,
    column: &'static str,
    org: &'static str,
    date: &'static str,
    body: &'static str,
) -> DemoItem {
    DemoItem {
        title,
        column,
        org,
        date,
        doc_number: "",
        disclosure: "proactive",
        reason: "",
        publish: true,
        body,
    }
}

const DEMO: &[DemoItem] = &[
    DemoItem {
        title: "盘锦市2017年政务公开工作安排",
        column: "xxgkzd",
        org: "市政府办公室",
        date: "2017-06-05",
        doc_number: "盘政办发〔2017〕40号",
        disclosure: "proactive",
        reason: "",
        publish: true,
        body: "为贯彻落实《国务院办公厅关于印发2017年政务公开工作要点》（国办发〔2017〕24号）精神，经市政府同意，现提出2017年政务公开工作安排，请认真组织落实。\n\n## 一、重点公开工作任务\n\n市财政局网站按月公开财政收支情况，解读财政收支增减变化情况及原因。（市财政局牵头落实。6月30日反馈落实情况，11月30日反馈全年情况，纳入年底绩效考核）\n\n市统计局网站按季度公布全市经济运行情况，及时发布重要指标数据。（市统计局牵头落实。6月30日反馈落实情况，11月30日反馈全年情况，纳入年底绩效考核）",
    },
    DemoItem {
        title: "盘锦市人民政府关于印发盘锦市优化营商环境若干措施的通知",
        column: "zcwj",
        org: "盘锦市人民政府",
        date: "2017-05-18",
        doc_number: "盘政发〔2017〕12号",
        disclosure: "proactive",
        reason: "",
        publish: true,
        body: "各县区人民政府，市政府各部门：\n\n现将《盘锦市优化营商环境若干措施》印发给你们，请结合实际，认真贯彻执行。\n\n1. 全面推行“一网通办”，行政审批事项办理时限压缩50%以上。\n2. 清理规范涉企收费，公开收费目录清单。\n3. 建立营商环境投诉快速处理机制。",
    },
    demo(
        "《盘锦市优化营商环境若干措施》政策解读",
        "zcjd",
        "市营商环境建设监督局",
        "2017-05-20",
        "## 一、制定背景\n\n为深入贯彻落实国家和省关于优化营商环境的部署要求，我市制定了若干措施。\n\n## 二、主要内容\n\n措施共三个方面，涵盖审批提速、收费清理和投诉处理。",
    ),
    demo(
        "2017年5月全市财政收支情况",
        "czyjs",
        "市财政局",
        "2017-06-12",
        "1—5月，全市一般公共预算收入完成情况如下表所示。\n\n| 项目 | 金额（亿元） | 同比 |\n|---|---|---|\n| 一般公共预算收入 | 42.6 | +5.1% |\n| 其中：税收收入 | 31.2 | +6.3% |\n| 一般公共预算支出 | 58.9 | +3.8% |\n\n收入增长主要得益于工业企业效益回升。",
    ),
    demo(
        "2017年一季度全市经济运行情况",
        "tjxx",
        "市统计局",
        "2017-04-25",
        "一季度，全市地区生产总值同比增长3.2%，规模以上工业增加值增长4.1%，社会消费品零售总额增长6.0%。",
    ),
    demo(
        "市政府召开2017年政务公开工作推进会",
        "zwdt",
        "市政府办公室",
        "2017-06-20",
        "6月20日，市政府召开2017年政务公开工作推进会，部署落实全年政务公开重点任务。会议要求各部门对照工作安排，按时反馈落实情况。",
    ),
    demo(
        "市人力资源社会保障局举办2017年高校毕业生就业招聘会",
        "zwdt",
        "市人力资源社会保障局",
        "2017-06-16",
        "本次招聘会共有156家用人单位参会，提供就业岗位3200余个，现场达成就业意向860人。",
    ),
    demo(
        "关于2017年端午节放假安排的通知",
        "tzgg",
        "市政府办公室",
        "2017-05-22",
        "根据国务院办公厅通知精神，现将2017年端午节放假安排通知如下：5月28日至30日放假调休，共3天。5月27日（星期六）上班。",
    ),
    demo(
        "盘锦市2016年政府信息公开工作年度报告",
        "xxgknb",
        "市政府办公室",
        "2017-03-28",
        "本报告根据《中华人民共和国政府信息公开条例》要求编制，包括总体情况、主动公开政府信息情况、依申请公开情况等内容。",
    ),
    demo(
        "盘锦市人民政府政府信息公开指南",
        "xxgkzn",
        "市政府办公室",
        "2017-01-10",
        "为了更好地为公民、法人和其他组织获取政府信息提供服务，根据《中华人民共和国政府信息公开条例》，编制本指南。",
    ),
    demo(
        "市财政局召开2017年预算执行分析会",
        "zwdt",
        "市财政局",
        "2017-06-08",
        "会议通报了1—5月全市预算执行情况，要求各部门加快支出进度，提高财政资金使用效益。",
    ),
    demo(
        "市统计局发布2017年5月全市主要经济指标",
        "zwdt",
        "市统计局",
        "2017-06-15",
        "5月份，全市规模以上工业增加值同比增长4.5%，固定资产投资增长2.8%。",
    ),
    demo(
        "关于开展2017年“双随机一公开”监管工作的通知",
        "tzgg",
        "市工商局",
        "2017-04-12",
        "各有关单位：为推进“双随机一公开”监管全覆盖，现将2017年抽查工作有关事项通知如下。抽查结果将在市政府门户网站公开。",
    ),
    demo(
        "盘锦市2017年政府集中采购目录及限额标准",
        "zfcg",
        "市财政局",
        "2017-02-20",
        "根据《中华人民共和国政府采购法》，现公布我市2017年政府集中采购目录及采购限额标准。",
    ),
    demo(
        "盘锦市2017年公开招录公务员公告",
        "gwyzk",
        "市人力资源社会保障局",
        "2017-03-15",
        "根据公务员法和公务员录用有关规定，现将我市2017年考试录用公务员有关事项公告如下。",
    ),
    demo(
        "盘锦市行政事业性收费目录清单（2017年版）",
        "xzsyxsf",
        "市物价局",
        "2017-03-01",
        "| 收费项目 | 执收单位 | 依据 |\n|---|---|---|\n| 不动产登记费 | 市国土资源局 | 发改价格规〔2016〕2559号 |\n| 土地复垦费 | 市国土资源局 | 土地复垦条例 |",
    ),
    DemoItem {
        title: "盘锦市人民政府办公室关于印发2017年政务公开工作安排的通知",
        column: "zcwj",
        org: "市政府办公室",
        date: "2017-06-05",
        doc_number: "盘政办发〔2017〕41号",
        disclosure: "proactive",
        reason: "",
        publish: true,
        body: "各县区人民政府，市政府各部门：\n\n经市政府同意，现将《盘锦市2017年政务公开工作安排》印发给你们，请认真贯彻落实。",
    },
    DemoItem {
        title: "关于某信访事项处理意见的函",
        column: "tzgg",
        org: "市民政局",
        date: "2017-05-02",
        doc_number: "",
        disclosure: "not_disclosed",
        reason: "涉及个人隐私，依法不予公开",
        publish: true,
        body: "本件不予公开。",
    },
    DemoItem {
        title: "关于某企业环境违法案件调查情况的内部报告",
        column: "jdjc",
        org: "市环保局",
        date: "2017-06-01",
        doc_number: "",
        disclosure: "on_request",
        reason: "涉及第三方商业秘密，依申请公开",
        publish: true,
        body: "本件依申请公开，不在门户网站公开发布。",
    },
    DemoItem {
        title: "2017年6月全市财政收支情况（草稿）",
        column: "czyjs",
        org: "市财政局",
        date: "",
        doc_number: "",
        disclosure: "proactive",
        reason: "",
        publish: false,
        body: "数据整理中。",
    },
    demo(
        "盘锦市人民政府关于印发盘锦市城市供热管理办法的通知",
        "fgwj",
        "市政府办公室",
        "2017-03-15",
        "为加强城市供热管理，保障热用户和供热单位的合法权益，市政府制定了《盘锦市城市供热管理办法》，现印发给你们，请认真贯彻执行。本办法自2017年4月1日起施行。",
    ),
    demo(
        "盘锦市财政局主要职责、内设机构和人员编制规定",
        "jgzn",
        "市财政局",
        "2017-02-10",
        "根据市委、市政府机构改革方案，设立市财政局，为市政府工作部门。市财政局负责全市财政收支管理、预算编制与执行、政府债务管理等工作，内设办公室、预算科、国库科等12个科室。",
    ),
    demo(
        "盘锦市国民经济和社会发展第十三个五年规划纲要",
        "ghxx",
        "市发展改革委",
        "2017-03-01",
        "本纲要根据《中共盘锦市委关于制定盘锦市国民经济和社会发展第十三个五年规划的建议》编制，主要阐明“十三五”时期全市经济社会发展的指导思想、主要目标和重点任务。",
    ),
    demo(
        "2017年9月行政许可事项办理结果公示",
        "xzxk",
        "市行政审批服务局",
        "2017-10-09",
        "2017年9月，市行政审批服务局共受理行政许可事项1286件，办结1279件，按时办结率100%。现将办理结果予以公示，公示期为7个工作日。",
    ),
    demo(
        "市环保局2017年第三季度行政处罚案件信息公开",
        "xzcf",
        "市环保局",
        "2017-10-12",
        "2017年第三季度，市环保局共作出行政处罚决定18件，罚款金额合计126.5万元。现将案件名称、违法事实、处罚依据和处罚结果予以公开。",
    ),
    demo(
        "辽滨沿海经济区公共管廊工程项目审批信息公开",
        "zdjsxm",
        "市发展改革委",
        "2017-07-20",
        "辽滨沿海经济区公共管廊工程已经市发展改革委核准，项目总投资4.2亿元，建设内容包括综合管廊12公里及附属设施，计划2019年建成。",
    ),
    demo(
        "关于调整盘锦市城乡居民最低生活保障标准的通知",
        "msbz",
        "市民政局",
        "2017-06-28",
        "经市政府同意，自2017年7月1日起，城市居民最低生活保障标准由每人每月580元提高到620元，农村居民最低生活保障标准由每人每年4200元提高到4500元。",
    ),
    demo(
        "关于做好汛期安全生产工作的通知",
        "yjgl",
        "市安全生产监管局",
        "2017-06-15",
        "主汛期即将到来，为切实做好汛期安全生产工作，防范和遏制各类生产安全事故，现就有关事项通知如下：一、强化隐患排查治理；二、加强应急值守；三、及时发布预警信息。",
    ),
    demo(
        "2017年第三季度政府网站抽查情况的通报",
        "jdjc",
        "市政府办公室",
        "2017-10-20",
        "按照国务院办公厅关于政府网站抽查工作的要求，市政府办公室对全市42家政府网站进行了第三季度抽查，合格率100%。现将抽查情况通报如下。",
    ),
    demo(
        "2017年9月第4周农产品批发市场价格信息",
        "qtfdgk",
        "市农委",
        "2017-09-25",
        "本周全市农产品批发市场蔬菜均价每公斤3.12元，环比下降2.1%；粳稻收购价格每公斤2.76元，与上周持平。",
    ),
    demo(
        "“网络回应人”在线访谈：优化营商环境政策解读",
        "hdjl",
        "市营商环境建设监督局",
        "2017-08-10",
        "8月10日，市营商环境建设监督局负责人做客“网络回应人”在线访谈，就《盘锦市优化营商环境若干措施》回答网民提问32个。",
    ),
    demo(
        "盘锦市政府门户网站开设“2017年政务公开重点工作”专栏",
        "ztzl",
        "市政府办公室",
        "2017-05-20",
        "按照《盘锦市2017年政务公开工作安排》要求，市政府门户网站开设“2017年政务公开重点工作”专栏，集中公开各重点领域信息。",
    ),
];

/// Adds realistic sample content (published items, one 依申请公开 item, one draft) so a newcomer sees
/// a living site. Does nothing when items already exist.
pub async fn demo_content(db: &Db) -> DbResult<usize> {
    let mut tx = db.begin().await?;
    let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM items")
        .fetch_one(&mut *tx)
        .await?;
    if existing > 0 {
        return Ok(0);
    }
    let site = columns::default_site(&mut tx).await?;
    let pattern = settings::index_pattern(&mut tx).await?;
    let actor = Actor {
        user_id: None,
        name: "演示数据".into(),
        ip: String::new(),
    };
    for d in DEMO {
        let column = columns::by_slug(&mut tx, site.id, d.column).await?;
        let org = crate::orgs::find_by_name(&mut tx, d.org)
            .await?
            .ok_or(crate::DbError::NotFound("演示数据的机构不存在"))?;
        let fields = ItemFields {
            title: d.title.into(),
            body: d.body.into(),
            org_id: org.id.to_string(),
            column_ids: vec![column.id.to_string()],
            disclosure: d.disclosure.into(),
            disclosure_reason: d.reason.into(),
            issuing_authority: org.name.clone(),
            written_on: d.date.into(),
            doc_number: d.doc_number.into(),
            publish_date: d.date.into(),
            topic_category: "综合政务\\政务公开".into(),
            // The 政策文件 with a 文号 are 行政规范性文件 (counted in the annual report's table 二).
            legal_form: if d.column == "zcwj" && !d.doc_number.is_empty() {
                "normative".into()
            } else {
                String::new()
            },
            ..Default::default()
        };
        let input = fields.validate()?;
        let id = items::create(&mut tx, &actor, site.id, &input).await?;
        if d.publish {
            items::publish(&mut tx, &actor, id, &pattern).await?;
            // Demo content replays the past: each item became public on its date.
            items::replay_made_public_at_stated_date(&mut tx, id).await?;
        }
    }
    tx.commit().await?;
    Ok(DEMO.len())
}
