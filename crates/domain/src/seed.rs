//! First-run data: the organisation tree named in the founding arrangement (《盘锦市2017年政务公开
//! 工作安排》) and the standard column structure of a 政府信息公开 platform (国办公开办函〔2019〕61号:
//! 指南 / 制度 / 法定主动公开内容 / 年报, the last split by the 15 categories of 条例 Art. 20).

use crate::model::{ColumnKind, OrgKind};

/// An organisation to create. `parent` names another seed organisation.
pub struct SeedOrg {
    pub name: &'static str,
    pub kind: OrgKind,
    pub parent: Option<&'static str>,
    pub aliases: &'static [&'static str],
}

const fn dept(name: &'static str, aliases: &'static [&'static str]) -> SeedOrg {
    SeedOrg {
        name,
        kind: OrgKind::Department,
        parent: Some(CITY),
        aliases,
    }
}

pub const CITY: &str = "盘锦市人民政府";
pub const COUNTIES: &str = "各县区政府";

/// In tree order: every parent comes before its children.
pub const ORGANISATIONS: &[SeedOrg] = &[
    SeedOrg {
        name: CITY,
        kind: OrgKind::Government,
        parent: None,
        aliases: &["盘锦市政府", "市政府"],
    },
    SeedOrg {
        name: "市政府办公室",
        kind: OrgKind::GeneralOffice,
        parent: Some(CITY),
        aliases: &["盘锦市政府办公室", "盘锦市人民政府办公室", "市政府办"],
    },
    dept("市发展改革委", &["市发改委", "盘锦市发展和改革委员会"]),
    dept("市经信委", &["市经济和信息化委员会"]),
    dept("市教育局", &[]),
    dept("市科技局", &[]),
    dept("市民政局", &[]),
    dept("市财政局", &["盘锦市财政局"]),
    dept(
        "市人力资源社会保障局",
        &["市人社局", "市人力资源和社会保障局"],
    ),
    dept("市国土资源局", &[]),
    dept("市环保局", &["市环境保护局"]),
    dept("市住建委", &["市住房和城乡建设委员会"]),
    dept("市交通局", &[]),
    dept("市水利局", &[]),
    dept("市农委", &["市农村经济委员会"]),
    dept("市商务局", &[]),
    dept("市文广局", &["市文化广播电视局"]),
    dept("市卫计委", &["市卫生计生委", "市卫生和计划生育委员会"]),
    dept("市审计局", &[]),
    dept("市国资委", &["市政府国资委"]),
    dept("市地税局", &["市地方税务局"]),
    dept("市工商局", &["市工商行政管理局"]),
    dept("市质监局", &["市质量技术监督局"]),
    dept("市安全生产监管局", &["市安监局", "市安全生产监督管理局"]),
    dept("市食药监局", &["市食品药品监管局", "市食品药品监督管理局"]),
    dept("市统计局", &[]),
    dept("市物价局", &[]),
    dept("市体育局", &[]),
    dept("市旅发委", &["市旅游发展委员会"]),
    dept("市扶贫办", &[]),
    dept("市港口口岸局", &[]),
    dept("市编办", &["市机构编制委员会办公室"]),
    dept("市行政审批服务局", &[]),
    dept("市营商环境建设监督局", &[]),
    dept("市公共采购交易管理办公室", &[]),
    SeedOrg {
        name: "市国税局",
        kind: OrgKind::Vertical,
        parent: Some(CITY),
        aliases: &["市国家税务局"],
    },
    SeedOrg {
        name: "市邮政管理局",
        kind: OrgKind::Vertical,
        parent: Some(CITY),
        aliases: &[],
    },
    SeedOrg {
        name: COUNTIES,
        kind: OrgKind::Collective,
        parent: Some(CITY),
        aliases: &["各县区人民政府", "县区政府"],
    },
    SeedOrg {
        name: "双台子区人民政府",
        kind: OrgKind::CountyGovernment,
        parent: Some(COUNTIES),
        aliases: &["双台子区政府"],
    },
    SeedOrg {
        name: "兴隆台区人民政府",
        kind: OrgKind::CountyGovernment,
        parent: Some(COUNTIES),
        aliases: &["兴隆台区政府"],
    },
    SeedOrg {
        name: "大洼区人民政府",
        kind: OrgKind::CountyGovernment,
        parent: Some(COUNTIES),
        aliases: &["大洼区政府"],
    },
    SeedOrg {
        name: "盘山县人民政府",
        kind: OrgKind::CountyGovernment,
        parent: Some(COUNTIES),
        aliases: &["盘山县政府"],
    },
    SeedOrg {
        name: "人民银行盘锦中心支行",
        kind: OrgKind::Vertical,
        parent: None,
        aliases: &["盘锦中心支行", "中国人民银行盘锦市中心支行"],
    },
    SeedOrg {
        name: "盘锦银监局",
        kind: OrgKind::Vertical,
        parent: None,
        aliases: &["盘锦银监分局"],
    },
];

/// A column to create. `parent` names another seed column's slug.
pub struct SeedColumn {
    pub name: &'static str,
    pub slug: &'static str,
    pub kind: ColumnKind,
    pub parent: Option<&'static str>,
    pub on_home: bool,
}

const fn col(
    name: &'static str,
    slug: &'static str,
    kind: ColumnKind,
    parent: Option<&'static str>,
    on_home: bool,
) -> SeedColumn {
    SeedColumn {
        name,
        slug,
        kind,
        parent,
        on_home,
    }
}

pub const OPEN_GOV_ROOT: &str = "xxgk";
pub const STATUTORY: &str = "fdzdgknr";

/// In tree order.
pub const COLUMNS: &[SeedColumn] = &[
    col("政务动态", "zwdt", ColumnKind::News, None, true),
    col("通知公告", "tzgg", ColumnKind::Notice, None, true),
    col("政策文件", "zcwj", ColumnKind::PolicyDocument, None, true),
    col("政策解读", "zcjd", ColumnKind::Interpretation, None, true),
    col(
        "政府信息公开",
        OPEN_GOV_ROOT,
        ColumnKind::Catalogue,
        None,
        false,
    ),
    col(
        "政府信息公开指南",
        "xxgkzn",
        ColumnKind::Guide,
        Some(OPEN_GOV_ROOT),
        false,
    ),
    col(
        "政府信息公开制度",
        "xxgkzd",
        ColumnKind::Rules,
        Some(OPEN_GOV_ROOT),
        false,
    ),
    col(
        "法定主动公开内容",
        STATUTORY,
        ColumnKind::Catalogue,
        Some(OPEN_GOV_ROOT),
        false,
    ),
    col(
        "政府信息公开年报",
        "xxgknb",
        ColumnKind::AnnualReport,
        Some(OPEN_GOV_ROOT),
        false,
    ),
    col(
        "法规文件",
        "fgwj",
        ColumnKind::PolicyDocument,
        Some(STATUTORY),
        false,
    ),
    col(
        "机构职能",
        "jgzn",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "规划信息",
        "ghxx",
        ColumnKind::Planning,
        Some(STATUTORY),
        false,
    ),
    col(
        "统计信息",
        "tjxx",
        ColumnKind::DataRelease,
        Some(STATUTORY),
        false,
    ),
    col(
        "行政许可",
        "xzxk",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "行政处罚与行政强制",
        "xzcf",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "财政预决算",
        "czyjs",
        ColumnKind::DataRelease,
        Some(STATUTORY),
        false,
    ),
    col(
        "行政事业性收费",
        "xzsyxsf",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "政府集中采购",
        "zfcg",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "重大建设项目",
        "zdjsxm",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "民生政策措施",
        "msbz",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "应急管理",
        "yjgl",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "监督检查",
        "jdjc",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col(
        "公务员招考",
        "gwyzk",
        ColumnKind::Personnel,
        Some(STATUTORY),
        false,
    ),
    col(
        "其他法定公开信息",
        "qtfdgk",
        ColumnKind::Catalogue,
        Some(STATUTORY),
        false,
    ),
    col("互动交流", "hdjl", ColumnKind::Interaction, None, false),
    col("专题专栏", "ztzl", ColumnKind::Topic, None, false),
];

/// The portal site created on first run.
pub const SITE_NAME: &str = "盘锦市人民政府";
pub const SITE_SLUG: &str = "portal";

/// `PJ0001`, `PJ0002`, … in seed order; deployers can change codes later.
pub fn org_code(position: usize) -> String {
    format!("PJ{:04}", position + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_come_first_and_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for o in ORGANISATIONS {
            if let Some(p) = o.parent {
                assert!(seen.contains(p), "{} before its parent {p}", o.name);
            }
            assert!(seen.insert(o.name), "duplicate {}", o.name);
        }
        let mut names: Vec<&str> = ORGANISATIONS
            .iter()
            .flat_map(|o| o.aliases.iter().copied())
            .collect();
        names.extend(ORGANISATIONS.iter().map(|o| o.name));
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(n, names.len(), "an alias repeats a name");
    }

    #[test]
    fn columns_parents_come_first() {
        let mut seen = std::collections::HashSet::new();
        for c in COLUMNS {
            if let Some(p) = c.parent {
                assert!(seen.contains(p), "{}", c.slug);
            }
            assert!(seen.insert(c.slug));
        }
        let statutory = COLUMNS
            .iter()
            .filter(|c| c.parent == Some(STATUTORY))
            .count();
        assert_eq!(statutory, 15, "条例 Art. 20 has 15 categories");
    }
}
