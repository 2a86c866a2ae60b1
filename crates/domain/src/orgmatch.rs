//! Resolving unit names as written in a plan (市发改委, 各县区政府, 市国地税局) to organisations of the
//! registry. **A name is never silently dropped or guessed**: it is matched exactly (name or alias),
//! expanded as a collective, flagged as a likely typo with candidates, or reported unknown.

use crate::model::OrgKind;
use serde::Serialize;

/// An organisation as the matcher sees it.
#[derive(Debug, Clone)]
pub struct RegistryOrg {
    pub id: i64,
    pub name: String,
    pub aliases: Vec<String>,
    pub kind: OrgKind,
    pub parent_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Resolution {
    /// One organisation, by its name or an alias.
    Matched { org_id: i64, org_name: String },
    /// A collective name standing for a set of organisations.
    Collective { org_ids: Vec<i64>, note: String },
    /// Close to known names but not one of them: a person must choose.
    Suspect {
        candidates: Vec<(i64, String)>,
        note: String,
    },
    /// Nothing like it in the registry: a person must map it or create the organisation.
    Unknown,
}

/// Collective phrases that mean "the departments of the government at the root".
const ALL_DEPARTMENTS: &[&str] = &[
    "市政府各部门",
    "市政府有关部门",
    "市政府相关部门",
    "市直各部门",
    "市直有关部门",
    "各有关部门",
    "有关部门",
    "各部门",
    "各相关部门",
];

pub struct Registry {
    orgs: Vec<RegistryOrg>,
    /// The place name of the root government (盘锦 for 盘锦市人民政府), for 盘锦市财政局 = 市财政局.
    place: Option<String>,
}

impl Registry {
    pub fn new(orgs: Vec<RegistryOrg>) -> Self {
        let place = orgs
            .iter()
            .find(|o| o.kind == OrgKind::Government && o.parent_id.is_none())
            .and_then(|o| o.name.split_once('市').map(|(p, _)| p.to_string()))
            .filter(|p| !p.is_empty());
        Self { orgs, place }
    }

    fn normalise(&self, raw: &str) -> String {
        let mut s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        // Official names have full-width brackets; a name typed with ASCII ones still matches.
        s = s.replace('(', "\u{FF08}").replace(')', "\u{FF09}");
        if let Some(place) = &self.place {
            let long = format!("{place}市");
            if s.starts_with(&long) && s.chars().count() > long.chars().count() + 1 {
                s = format!("市{}", &s[long.len()..]);
            }
        }
        s
    }

    fn exact(&self, name: &str) -> Option<&RegistryOrg> {
        let place_form = |n: &str| self.normalise(n);
        self.orgs.iter().find(|o| {
            o.name == name
                || place_form(&o.name) == name
                || o.aliases.iter().any(|a| a == name || place_form(a) == name)
        })
    }

    fn departments(&self) -> Vec<i64> {
        let root = self
            .orgs
            .iter()
            .find(|o| o.kind == OrgKind::Government && o.parent_id.is_none());
        let Some(root) = root else { return Vec::new() };
        self.orgs
            .iter()
            .filter(|o| o.parent_id == Some(root.id))
            .filter(|o| {
                matches!(
                    o.kind,
                    OrgKind::Department | OrgKind::GeneralOffice | OrgKind::Vertical
                )
            })
            .map(|o| o.id)
            .collect()
    }

    pub fn resolve(&self, raw: &str) -> Resolution {
        let name = self.normalise(raw);
        if name.is_empty() {
            return Resolution::Unknown;
        }
        if let Some(o) = self.exact(&name) {
            if o.kind == OrgKind::Collective {
                let members: Vec<i64> = self
                    .orgs
                    .iter()
                    .filter(|c| c.parent_id == Some(o.id))
                    .map(|c| c.id)
                    .collect();
                return Resolution::Collective {
                    org_ids: members,
                    note: format!("“{raw}”指{}下属的全部单位", o.name),
                };
            }
            return Resolution::Matched {
                org_id: o.id,
                org_name: o.name.clone(),
            };
        }
        if ALL_DEPARTMENTS.contains(&name.as_str()) {
            return Resolution::Collective {
                org_ids: self.departments(),
                note: format!("“{raw}”指市政府各工作部门，请按实际职责核对"),
            };
        }
        let candidates = self.near(&name);
        if !candidates.is_empty() {
            let names: Vec<&str> = candidates.iter().map(|(_, n)| n.as_str()).collect();
            return Resolution::Suspect {
                note: format!(
                    "“{raw}”不是已登记的机构名称或别名，疑似笔误，可能是：{}",
                    names.join("、")
                ),
                candidates,
            };
        }
        Resolution::Unknown
    }

    /// Registry names and aliases one edit away (a character added, dropped or changed).
    fn near(&self, name: &str) -> Vec<(i64, String)> {
        if name.chars().count() < 4 {
            return Vec::new();
        }
        let mut out: Vec<(i64, String)> = Vec::new();
        for o in &self.orgs {
            let close = std::iter::once(&o.name)
                .chain(o.aliases.iter())
                .any(|n| edit_distance(&self.normalise(n), name) == 1);
            if close && !out.iter().any(|(id, _)| *id == o.id) {
                out.push((o.id, o.name.clone()));
            }
        }
        out
    }
}

/// Levenshtein distance over characters, stopping early above 2.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > 1 {
        return 2;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::ORGANISATIONS;

    fn registry() -> Registry {
        let mut orgs: Vec<RegistryOrg> = Vec::new();
        for (i, o) in ORGANISATIONS.iter().enumerate() {
            let parent_id = o
                .parent
                .and_then(|p| ORGANISATIONS.iter().position(|x| x.name == p))
                .map(|p| p as i64 + 1);
            orgs.push(RegistryOrg {
                id: i as i64 + 1,
                name: o.name.into(),
                aliases: o.aliases.iter().map(|a| a.to_string()).collect(),
                kind: o.kind,
                parent_id,
            });
        }
        Registry::new(orgs)
    }

    fn name_of(r: &Resolution) -> &str {
        match r {
            Resolution::Matched { org_name, .. } => org_name,
            other => panic!("not matched: {other:?}"),
        }
    }

    #[test]
    fn names_and_aliases_match() {
        let r = registry();
        assert_eq!(name_of(&r.resolve("市发改委")), "市发展改革委");
        assert_eq!(name_of(&r.resolve("市人社局")), "市人力资源社会保障局");
        assert_eq!(name_of(&r.resolve("市卫计委")), "市卫计委");
        assert_eq!(name_of(&r.resolve("市住建委")), "市住建委");
        assert_eq!(name_of(&r.resolve("盘锦市财政局")), "市财政局");
        assert_eq!(name_of(&r.resolve(" 市 财政局 ")), "市财政局");
        assert_eq!(name_of(&r.resolve("盘锦中心支行")), "人民银行盘锦中心支行");
    }

    #[test]
    fn collectives_expand_to_sets() {
        let r = registry();
        match r.resolve("各县区政府") {
            Resolution::Collective { org_ids, .. } => assert_eq!(org_ids.len(), 4),
            other => panic!("{other:?}"),
        }
        match r.resolve("市政府各部门") {
            Resolution::Collective { org_ids, .. } => {
                assert!(org_ids.len() > 30, "{}", org_ids.len());
                assert!(
                    !org_ids.contains(&1),
                    "the government itself is not one of its departments"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            r.resolve("市政府有关部门"),
            Resolution::Collective { .. }
        ));
    }

    #[test]
    fn typos_are_flagged_not_guessed() {
        let r = registry();
        match r.resolve("市国地税局") {
            Resolution::Suspect { candidates, note } => {
                let names: Vec<&str> = candidates.iter().map(|(_, n)| n.as_str()).collect();
                assert!(
                    names.contains(&"市国税局") && names.contains(&"市地税局"),
                    "{names:?}"
                );
                assert!(note.contains("疑似笔误"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(r.resolve("市航天局"), Resolution::Unknown);
        assert_eq!(r.resolve(""), Resolution::Unknown);
    }
}
