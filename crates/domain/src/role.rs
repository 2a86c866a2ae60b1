//! Roles and what they allow. A role is held either globally or on one organisation; an
//! organisation-scoped role also covers that organisation's descendants.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    SystemAdmin,
    Supervisor,
    OrgAdmin,
    Editor,
    Reviewer,
    Handler,
    Assessor,
    /// 审计管理员 : reads and exports the audit log, nothing else (the audit third of 三员分立 ).
    AuditAdmin,
    /// 安全管理员 : grants and revokes roles (the security third of 三员分立 ); sees no content.
    SecurityAdmin,
}

impl Role {
    pub const ALL: &'static [Role] = &[
        Role::SystemAdmin,
        Role::Supervisor,
        Role::OrgAdmin,
        Role::Editor,
        Role::Reviewer,
        Role::Handler,
        Role::Assessor,
        Role::AuditAdmin,
        Role::SecurityAdmin,
    ];

    /// The three administrators of 三员分立 : with the separation on, nobody holds two of them.
    pub const THREE_ADMINS: &'static [Role] =
        &[Role::SystemAdmin, Role::SecurityAdmin, Role::AuditAdmin];

    pub fn code(self) -> &'static str {
        match self {
            Role::SystemAdmin => "system_admin",
            Role::Supervisor => "supervisor",
            Role::OrgAdmin => "org_admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Handler => "handler",
            Role::Assessor => "assessor",
            Role::AuditAdmin => "audit_admin",
            Role::SecurityAdmin => "security_admin",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::SystemAdmin => "系统管理员",
            Role::Supervisor => "政务公开办（监管）",
            Role::OrgAdmin => "单位管理员",
            Role::Editor => "编辑",
            Role::Reviewer => "审核人",
            Role::Handler => "办理人",
            Role::Assessor => "第三方评估（只读）",
            Role::AuditAdmin => "审计管理员（操作日志）",
            Role::SecurityAdmin => "安全管理员（授权）",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| r.code() == code)
    }

    /// Global roles have no organisation; all others must name one.
    pub fn is_global(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin
                | Role::Supervisor
                | Role::Assessor
                | Role::AuditAdmin
                | Role::SecurityAdmin
        )
    }
}

/// One grant held by a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    /// `None` for global roles.
    pub org_id: Option<i64>,
}

/// What a signed-in user may do, computed from the grants and the organisation tree.
/// `orgs_under(id)` must return `id` and all its descendants.
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    pub grants: Vec<Grant>,
    /// Organisations covered by each org-scoped grant, expanded to descendants.
    pub scoped: Vec<(Role, Vec<i64>)>,
    /// 三员分立 is on (`[security] separation_of_duties`): only the security administrator grants
    /// roles, only the audit administrator (and the supervising readers) opens the audit log,
    /// and nobody holds two of [`Role::THREE_ADMINS`].
    pub separated: bool,
}

impl Permissions {
    pub fn new(grants: Vec<Grant>, orgs_under: impl Fn(i64) -> Vec<i64>) -> Self {
        let scoped = grants
            .iter()
            .filter_map(|g| g.org_id.map(|o| (g.role, orgs_under(o))))
            .collect();
        Self {
            grants,
            scoped,
            separated: false,
        }
    }

    /// The same permissions with 三员分立 switched on or off.
    pub fn with_separation(mut self, on: bool) -> Self {
        self.separated = on;
        self
    }

    /// With 三员分立 on, a system administrator may name the first security administrator (the
    /// use case checks that nobody holds the role yet): otherwise nobody could grant any role.
    pub fn may_name_first_security_admin(&self, role: Role) -> bool {
        self.separated && self.is_system_admin() && role == Role::SecurityAdmin
    }

    /// The roles this user's grant forms offer: global ones they may grant, and the
    /// organisation-scoped ones when they grant on some organisation.
    pub fn grantable_roles(&self) -> Vec<Role> {
        let scoped = self.has_global(Role::SecurityAdmin)
            || (self.is_system_admin() && !self.separated)
            || self.scoped.iter().any(|(r, _)| *r == Role::OrgAdmin);
        Role::ALL
            .iter()
            .copied()
            .filter(|&r| {
                if r.is_global() {
                    self.can_grant(r, None) || self.may_name_first_security_admin(r)
                } else {
                    scoped
                }
            })
            .collect()
    }

    /// Why a user holding `held` may not be given `role` by this caller (`by_self`: the caller
    /// grants to themselves), beyond [`Self::can_grant`]; `None` when they may. Only a system
    /// administrator without 三员分立 grants to themselves: anyone else would raise their own
    /// rights. With 三员分立 on, nobody holds two of [`Role::THREE_ADMINS`].
    pub fn grant_refusal(&self, held: &[Role], role: Role, by_self: bool) -> Option<String> {
        if by_self && (self.separated || !self.is_system_admin()) {
            return Some("不能给自己授予角色\u{FF0C}请由其他管理员授权".into());
        }
        if !self.separated || !Role::THREE_ADMINS.contains(&role) {
            return None;
        }
        held.iter()
            .find(|h| **h != role && Role::THREE_ADMINS.contains(h))
            .map(|h| {
                format!(
                    "三员分立已启用\u{FF1A}该用户已是{}\u{FF0C}不能再兼任{}",
                    h.label(),
                    role.label()
                )
            })
    }

    pub fn has_global(&self, role: Role) -> bool {
        self.grants
            .iter()
            .any(|g| g.role == role && g.org_id.is_none())
    }

    pub fn is_system_admin(&self) -> bool {
        self.has_global(Role::SystemAdmin)
    }

    /// Whoever runs a `gongkai` command on the server: a system administrator, since the shell
    /// already owns the data directory and the database. Their writes are audited under the
    /// command's name.
    pub fn server_shell() -> Self {
        Self::new(
            vec![Grant {
                role: Role::SystemAdmin,
                org_id: None,
            }],
            |id| vec![id],
        )
    }

    fn has_on(&self, roles: &[Role], org_id: i64) -> bool {
        self.scoped
            .iter()
            .any(|(r, orgs)| roles.contains(r) && orgs.contains(&org_id))
    }

    /// May write items (create, edit, publish, unpublish) for this organisation.
    pub fn can_edit_items_of(&self, org_id: i64) -> bool {
        self.is_system_admin() || self.has_on(&[Role::OrgAdmin, Role::Editor], org_id)
    }

    /// May review items of this organisation (审核): reviewers and organisation admins of it, and
    /// system administrators.
    pub fn can_review_items_of(&self, org_id: i64) -> bool {
        self.is_system_admin() || self.has_on(&[Role::OrgAdmin, Role::Reviewer], org_id)
    }

    /// May release the content guard's hits （放行） in an item of this organisation: the
    /// supervising office, or a reviewer of the organisation who did not write the item (an
    /// author never releases their own hits).
    pub fn can_release_guard_hits_of(&self, org_id: i64, is_author: bool) -> bool {
        self.has_global(Role::Supervisor) || (!is_author && self.can_review_items_of(org_id))
    }

    /// May withdraw (撤回) published items of this organisation: its organisation admins and
    /// reviewers, the supervising office and system administrators.
    pub fn can_withdraw_items_of(&self, org_id: i64) -> bool {
        self.is_system_admin()
            || self.has_global(Role::Supervisor)
            || self.has_on(&[Role::OrgAdmin, Role::Reviewer], org_id)
    }

    /// Organisations whose items this user may review (`None` = all).
    pub fn reviewable_orgs(&self) -> Option<Vec<i64>> {
        if self.is_system_admin() {
            return None;
        }
        let mut ids: Vec<i64> = self
            .scoped
            .iter()
            .filter(|(r, _)| matches!(r, Role::OrgAdmin | Role::Reviewer))
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }

    /// May see unpublished items of this organisation in the back office.
    pub fn can_view_items_of(&self, org_id: i64) -> bool {
        self.is_system_admin()
            || self.has_global(Role::Supervisor)
            || self.has_global(Role::Assessor)
            || self.has_on(
                &[Role::OrgAdmin, Role::Editor, Role::Reviewer, Role::Handler],
                org_id,
            )
    }

    /// Organisations this user may write items for (system admins: `None` = all).
    pub fn editable_orgs(&self) -> Option<Vec<i64>> {
        if self.is_system_admin() {
            return None;
        }
        let mut ids: Vec<i64> = self
            .scoped
            .iter()
            .filter(|(r, _)| matches!(r, Role::OrgAdmin | Role::Editor))
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }

    /// May upload images into an item body from the editor: whoever may write items for some
    /// organisation. The image belongs to no organisation until an item shows it.
    pub fn can_upload_body_images(&self) -> bool {
        self.editable_orgs().is_none_or(|orgs| !orgs.is_empty())
    }

    /// May see body images no public item shows yet (an editor's upload, a draft under review):
    /// whoever may see some organisation's unpublished items.
    pub fn can_see_unpublished_body_images(&self) -> bool {
        self.viewable_orgs().is_none_or(|orgs| !orgs.is_empty())
    }

    /// Organisations whose back-office content this user may see (`None` = all).
    pub fn viewable_orgs(&self) -> Option<Vec<i64>> {
        if self.is_system_admin()
            || self.has_global(Role::Supervisor)
            || self.has_global(Role::Assessor)
        {
            return None;
        }
        let mut ids: Vec<i64> = self
            .scoped
            .iter()
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }

    /// May manage users (system admins everywhere; organisation admins for their organisations).
    pub fn can_manage_users_of(&self, org_id: i64) -> bool {
        self.is_system_admin() || self.has_on(&[Role::OrgAdmin], org_id)
    }

    /// May manage the user holding grants on `their_orgs` (`None`: a global grant): system
    /// administrators anyone, organisation admins those with a grant inside their organisations.
    pub fn can_manage_user(&self, their_orgs: &[Option<i64>]) -> bool {
        self.is_system_admin()
            || self.has_global(Role::SecurityAdmin)
            || their_orgs
                .iter()
                .any(|o| o.is_some_and(|o| self.can_manage_users_of(o)))
    }

    pub fn can_manage_users(&self) -> bool {
        self.is_system_admin()
            || self.has_global(Role::SecurityAdmin)
            || self.scoped.iter().any(|(r, _)| *r == Role::OrgAdmin)
    }

    /// Columns, organisations and settings are site-wide: system administrators only.
    pub fn can_manage_site(&self) -> bool {
        self.is_system_admin()
    }

    /// May write the service-item catalogue and guides of this organisation （事项、办事指南） —
    /// those who write its items.
    pub fn can_edit_services_of(&self, org_id: i64) -> bool {
        self.can_edit_items_of(org_id)
    }

    /// May review guides of this organisation: those who review its items.
    pub fn can_review_services_of(&self, org_id: i64) -> bool {
        self.can_review_items_of(org_id)
    }

    /// May withdraw a published guide of this organisation: those who withdraw its items.
    pub fn can_withdraw_services_of(&self, org_id: i64) -> bool {
        self.can_withdraw_items_of(org_id)
    }

    /// May see the catalogue's unpublished guides of this organisation in the back office.
    pub fn can_view_services_of(&self, org_id: i64) -> bool {
        self.can_view_items_of(org_id)
    }

    /// May write the data-resource catalogue and datasets of this organisation
    /// （信息资源目录、数据开放） : those who write its items.
    pub fn can_edit_data_of(&self, org_id: i64) -> bool {
        self.can_edit_items_of(org_id)
    }

    /// May publish or unpublish a resource of this organisation: those who write or withdraw its
    /// items (a catalogue entry is metadata; it does not pass the items' review levels).
    pub fn can_publish_data_of(&self, org_id: i64) -> bool {
        self.can_withdraw_items_of(org_id) || self.can_edit_items_of(org_id)
    }

    /// May see the organisation's unpublished resources in the back office.
    pub fn can_view_data_of(&self, org_id: i64) -> bool {
        self.can_view_items_of(org_id)
    }

    /// May set the guide completeness rule (a site-wide setting): system administrators.
    pub fn can_set_guide_rule(&self) -> bool {
        self.can_manage_site()
    }

    /// Work plans (import, review, confirm) belong to the supervising office and system administrators.
    pub fn can_manage_plans(&self) -> bool {
        self.is_system_admin() || self.has_global(Role::Supervisor)
    }

    /// May edit the reminder rules （提醒规则）: the supervising office and system administrators.
    pub fn can_edit_reminder_rules(&self) -> bool {
        self.can_manage_plans()
    }

    /// The organisations whose deadlines this user acts on （their 工作台's "my deadlines"）:
    /// where they administer, edit or handle cases, subtrees included. Global roles give none:
    /// the office follows every unit on its supervision pages and its weekly digest.
    pub fn deadline_orgs(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .scoped
            .iter()
            .filter(|(r, _)| matches!(r, Role::OrgAdmin | Role::Editor | Role::Handler))
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Plans are readable by everyone who supervises or assesses, and by units for their own duties.
    pub fn can_read_plans(&self) -> bool {
        self.can_manage_plans() || self.has_global(Role::Assessor) || !self.scoped.is_empty()
    }

    /// System administrators, the supervising office and assessors: they read the audit log and,
    /// with it, everything (messages, annual reports).
    pub fn can_read_audit(&self) -> bool {
        self.is_system_admin()
            || self.has_global(Role::Supervisor)
            || self.has_global(Role::Assessor)
    }

    /// May see and export the audit log screen: those who read everything, and the audit
    /// administrator （审计管理员） , who reads nothing else.
    pub fn can_view_audit_log(&self) -> bool {
        if self.separated {
            return self.has_global(Role::AuditAdmin)
                || self.has_global(Role::Supervisor)
                || self.has_global(Role::Assessor);
        }
        self.can_read_audit() || self.has_global(Role::AuditAdmin)
    }

    /// May handle the public's cases (建议提案, applications, messages) for this organisation:
    /// its handlers and administrators, and system administrators.
    pub fn can_handle_cases_of(&self, org_id: i64) -> bool {
        self.is_system_admin() || self.has_on(&[Role::OrgAdmin, Role::Handler], org_id)
    }

    /// May grant `role` on `org_id` (or globally when `None`).
    pub fn can_grant(&self, role: Role, org_id: Option<i64>) -> bool {
        if self.has_global(Role::SecurityAdmin) || (self.is_system_admin() && !self.separated) {
            return true;
        }
        match org_id {
            Some(o) if !role.is_global() => self.has_on(&[Role::OrgAdmin], o),
            _ => false,
        }
    }

    /// Sees the personal data of this organisation's cases (the applicant's ID number, phone and
    /// e-mail) in full: those who handle them and must reach the person. Everyone else who may open
    /// the case sees them masked (`domain::personal::mask_field`).
    pub fn can_see_personal_data_of(&self, org_id: i64) -> bool {
        self.can_handle_cases_of(org_id)
    }

    /// Organisations whose applications this user handles (`None` = all).
    pub fn handled_orgs(&self) -> Option<Vec<i64>> {
        if self.is_system_admin() {
            return None;
        }
        let mut ids: Vec<i64> = self
            .scoped
            .iter()
            .filter(|(r, _)| matches!(r, Role::OrgAdmin | Role::Handler))
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        Some(ids)
    }

    /// Organisations covered by any of `roles` held on an organisation (with descendants).
    fn orgs_with(&self, roles: &[Role]) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .scoped
            .iter()
            .filter(|(r, _)| roles.contains(r))
            .flat_map(|(_, o)| o.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The supervising office, system administrators and assessors read every organisation's
    /// supervision records (feedback rounds, assessments).
    fn reads_all_supervision(&self) -> bool {
        self.can_manage_plans() || self.has_global(Role::Assessor)
    }

    /// Organisations whose feedback rounds （反馈） this user sees and answers (`None` = all):
    /// the unit roles answer for their organisations.
    pub fn feedback_orgs(&self) -> Option<Vec<i64>> {
        if self.reads_all_supervision() {
            return None;
        }
        Some(self.orgs_with(&[Role::OrgAdmin, Role::Editor, Role::Handler]))
    }

    /// Answers this organisation's feedback rounds: its administrators, editors and handlers.
    pub fn can_answer_feedback_of(&self, org_id: i64) -> bool {
        self.has_on(&[Role::OrgAdmin, Role::Editor, Role::Handler], org_id)
    }

    pub fn can_see_feedback_of(&self, org_id: i64) -> bool {
        self.feedback_orgs().is_none_or(|o| o.contains(&org_id))
    }

    /// Whether the back office offers 反馈管理.
    pub fn can_open_feedback(&self) -> bool {
        self.feedback_orgs().is_none_or(|o| !o.is_empty())
    }

    /// Organisations whose assessment results this user sees (`None` = all).
    pub fn assessment_orgs(&self) -> Option<Vec<i64>> {
        if self.reads_all_supervision() {
            return None;
        }
        Some(self.viewable_orgs().unwrap_or_default())
    }

    /// Organisations whose messages （留言） this user may read (`None` = all).
    pub fn message_orgs(&self) -> Option<Vec<i64>> {
        if self.can_read_audit() {
            return None;
        }
        Some(self.orgs_with(&[Role::OrgAdmin, Role::Handler]))
    }

    pub fn can_read_messages_of(&self, org_id: i64) -> bool {
        self.message_orgs().is_none_or(|o| o.contains(&org_id))
    }

    /// Whether the back office offers 留言办理.
    pub fn can_open_messages(&self) -> bool {
        self.message_orgs().is_none_or(|o| !o.is_empty())
    }

    /// Reply time limits of messages are set by the supervising office.
    pub fn can_set_message_limits(&self) -> bool {
        self.can_manage_plans()
    }

    /// May see this organisation's back-office records (meetings, opinion events, …).
    pub fn can_see_org(&self, org_id: i64) -> bool {
        self.viewable_orgs().is_none_or(|o| o.contains(&org_id))
    }

    /// Whether the back office offers pages that list records of visible organisations.
    pub fn sees_any_org(&self) -> bool {
        self.viewable_orgs().is_none_or(|o| !o.is_empty())
    }

    /// May record events and meetings （政务开放日， 列席会议， …) for this organisation: its
    /// editors, and the supervising office.
    pub fn can_record_events_of(&self, org_id: i64) -> bool {
        self.can_manage_plans() || self.can_edit_items_of(org_id)
    }

    /// May register and handle opinion events （舆情） of this organisation.
    pub fn can_act_on_opinion_of(&self, org_id: i64) -> bool {
        self.can_record_events_of(org_id) || self.can_handle_cases_of(org_id)
    }

    /// Proposals （建议提案） are assigned to units by the supervising office.
    pub fn can_assign_proposals(&self) -> bool {
        self.can_manage_plans()
    }

    /// May see a proposal led by `lead` with co-handling organisations `co`.
    pub fn can_see_proposal(&self, lead: i64, co: &[i64]) -> bool {
        match self.viewable_orgs() {
            None => true,
            Some(orgs) => orgs.contains(&lead) || co.iter().any(|o| orgs.contains(o)),
        }
    }

    /// May keep the register of monitored sites, the scoring table and the spot-check reports
    /// （网站监测）： the supervising office and system administrators.
    pub fn can_manage_site_monitoring(&self) -> bool {
        self.can_manage_plans()
    }

    /// May read this organisation's monitored sites, findings and rectification tickets: the
    /// office, assessors, and the unit's own people.
    pub fn can_see_site_monitoring_of(&self, org_id: i64) -> bool {
        self.can_see_org(org_id)
    }

    /// May mark a rectification ticket （整改单） of this organisation fixed: its administrators and
    /// editors (who fix the site), and the office.
    pub fn can_fix_tickets_of(&self, org_id: i64) -> bool {
        self.can_manage_site_monitoring() || self.has_on(&[Role::OrgAdmin, Role::Editor], org_id)
    }

    /// May fill in this organisation's annual report （年度报告）： its handlers and editors.
    pub fn can_edit_annual_report_of(&self, org_id: i64) -> bool {
        self.can_handle_cases_of(org_id) || self.can_edit_items_of(org_id)
    }

    /// May read this organisation's annual report.
    pub fn can_read_annual_report_of(&self, org_id: i64) -> bool {
        self.can_edit_annual_report_of(org_id) || self.can_manage_plans() || self.can_read_audit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(id: i64) -> Vec<i64> {
        // 1 is the city government with 2 and 3 under it; 3 has 4 under it.
        match id {
            1 => vec![1, 2, 3, 4],
            3 => vec![3, 4],
            other => vec![other],
        }
    }

    #[test]
    fn the_server_shell_manages_plans_users_and_the_site() {
        let shell = Permissions::server_shell();
        assert!(shell.is_system_admin());
        assert!(shell.can_manage_plans());
        assert!(shell.can_manage_users());
        assert!(shell.can_manage_site());
        assert!(shell.can_manage_user(&[Some(3), None]));
    }

    #[test]
    fn body_images_are_uploaded_by_writers_and_seen_early_by_the_back_office() {
        let grant = |role, org_id| Grant { role, org_id };
        let editor = Permissions::new(vec![grant(Role::Editor, Some(3))], tree);
        assert!(editor.can_upload_body_images());
        assert!(editor.can_see_unpublished_body_images());
        let reviewer = Permissions::new(vec![grant(Role::Reviewer, Some(3))], tree);
        assert!(!reviewer.can_upload_body_images());
        assert!(reviewer.can_see_unpublished_body_images());
        let office = Permissions::new(vec![grant(Role::Supervisor, None)], tree);
        assert!(!office.can_upload_body_images());
        assert!(office.can_see_unpublished_body_images());
        let admin = Permissions::new(vec![grant(Role::SystemAdmin, None)], tree);
        assert!(admin.can_upload_body_images());
        let nobody = Permissions::new(vec![], tree);
        assert!(!nobody.can_upload_body_images());
        assert!(!nobody.can_see_unpublished_body_images());
    }

    #[test]
    fn site_monitoring_is_the_offices_and_tickets_are_fixed_by_their_unit() {
        let grant = |role, org_id| Grant { role, org_id };
        let office = Permissions::new(vec![grant(Role::Supervisor, None)], tree);
        assert!(office.can_manage_site_monitoring() && office.can_fix_tickets_of(2));
        let editor = Permissions::new(vec![grant(Role::Editor, Some(3))], tree);
        assert!(!editor.can_manage_site_monitoring());
        assert!(editor.can_fix_tickets_of(4) && !editor.can_fix_tickets_of(2));
        assert!(editor.can_see_site_monitoring_of(3) && !editor.can_see_site_monitoring_of(2));
        let reviewer = Permissions::new(vec![grant(Role::Reviewer, Some(3))], tree);
        assert!(!reviewer.can_fix_tickets_of(3));
        let assessor = Permissions::new(vec![grant(Role::Assessor, None)], tree);
        assert!(assessor.can_see_site_monitoring_of(2) && !assessor.can_fix_tickets_of(2));
    }

    #[test]
    fn an_author_never_releases_their_own_guard_hits() {
        let grant = |role, org_id| Grant { role, org_id };
        let reviewer = Permissions::new(vec![grant(Role::Reviewer, Some(3))], tree);
        assert!(reviewer.can_release_guard_hits_of(4, false));
        assert!(!reviewer.can_release_guard_hits_of(4, true));
        assert!(!reviewer.can_release_guard_hits_of(2, false));
        let editor = Permissions::new(vec![grant(Role::Editor, Some(3))], tree);
        assert!(!editor.can_release_guard_hits_of(3, false));
        assert!(!editor.can_release_guard_hits_of(3, true));
        let admin = Permissions::new(vec![grant(Role::SystemAdmin, None)], tree);
        assert!(admin.can_release_guard_hits_of(2, false));
        assert!(!admin.can_release_guard_hits_of(2, true));
        let office = Permissions::new(vec![grant(Role::Supervisor, None)], tree);
        assert!(office.can_release_guard_hits_of(2, false));
        assert!(office.can_release_guard_hits_of(2, true));
    }

    #[test]
    fn reminder_rules_belong_to_the_office_and_deadlines_to_the_units() {
        let sup = Permissions::new(
            vec![Grant {
                role: Role::Supervisor,
                org_id: None,
            }],
            tree,
        );
        assert!(sup.can_edit_reminder_rules());
        assert!(sup.deadline_orgs().is_empty());
        let unit = Permissions::new(
            vec![
                Grant {
                    role: Role::Handler,
                    org_id: Some(3),
                },
                Grant {
                    role: Role::Reviewer,
                    org_id: Some(2),
                },
            ],
            tree,
        );
        assert!(!unit.can_edit_reminder_rules());
        assert_eq!(unit.deadline_orgs(), vec![3, 4]);
    }

    #[test]
    fn handlers_handle_applications_of_their_subtree_only() {
        let p = Permissions::new(
            vec![Grant {
                role: Role::Handler,
                org_id: Some(3),
            }],
            tree,
        );
        assert!(p.can_handle_cases_of(4));
        assert!(!p.can_handle_cases_of(2));
        assert!(!p.can_edit_items_of(3));
        assert_eq!(p.handled_orgs(), Some(vec![3, 4]));
    }

    #[test]
    fn supervision_readers_see_everything_units_answer_for_their_own() {
        let supervisor_and_editor = Permissions::new(
            vec![
                Grant {
                    role: Role::Supervisor,
                    org_id: None,
                },
                Grant {
                    role: Role::Editor,
                    org_id: Some(3),
                },
            ],
            tree,
        );
        assert_eq!(supervisor_and_editor.feedback_orgs(), None);
        assert!(supervisor_and_editor.can_answer_feedback_of(4));
        assert!(!supervisor_and_editor.can_answer_feedback_of(2));
        assert_eq!(supervisor_and_editor.message_orgs(), None);
        assert!(supervisor_and_editor.can_assign_proposals());

        let handler = Permissions::new(
            vec![Grant {
                role: Role::Handler,
                org_id: Some(3),
            }],
            tree,
        );
        assert_eq!(handler.feedback_orgs(), Some(vec![3, 4]));
        assert_eq!(handler.message_orgs(), Some(vec![3, 4]));
        assert!(handler.can_read_messages_of(4) && !handler.can_read_messages_of(2));
        assert!(handler.can_act_on_opinion_of(3) && !handler.can_record_events_of(3));
        assert!(handler.can_see_proposal(2, &[4]) && !handler.can_see_proposal(2, &[1]));
        assert!(handler.can_edit_annual_report_of(3) && !handler.can_read_annual_report_of(2));
        assert!(handler.can_open_feedback() && handler.sees_any_org());
    }

    #[test]
    fn organisation_admins_manage_users_with_a_grant_in_their_subtree() {
        let admin = Permissions::new(
            vec![Grant {
                role: Role::OrgAdmin,
                org_id: Some(3),
            }],
            tree,
        );
        assert!(admin.can_manage_user(&[Some(4)]));
        assert!(admin.can_manage_user(&[Some(2), Some(3)]));
        assert!(!admin.can_manage_user(&[Some(2)]));
        assert!(
            !admin.can_manage_user(&[None]),
            "a global grant is beyond them"
        );
        assert!(!admin.can_manage_user(&[]));
    }

    #[test]
    fn editor_is_limited_to_own_subtree() {
        let p = Permissions::new(
            vec![Grant {
                role: Role::Editor,
                org_id: Some(3),
            }],
            tree,
        );
        assert!(p.can_edit_items_of(3));
        assert!(p.can_edit_items_of(4));
        assert!(!p.can_edit_items_of(2));
        assert!(!p.can_manage_site());
        assert_eq!(p.editable_orgs(), Some(vec![3, 4]));
    }

    #[test]
    fn reviewers_review_and_withdraw_in_their_subtree_only() {
        let p = Permissions::new(
            vec![Grant {
                role: Role::Reviewer,
                org_id: Some(3),
            }],
            tree,
        );
        assert!(p.can_review_items_of(4));
        assert!(!p.can_review_items_of(2));
        assert!(p.can_withdraw_items_of(3));
        assert!(!p.can_edit_items_of(3));
        assert_eq!(p.reviewable_orgs(), Some(vec![3, 4]));
        let editor = Permissions::new(
            vec![Grant {
                role: Role::Editor,
                org_id: Some(3),
            }],
            tree,
        );
        assert!(!editor.can_review_items_of(3));
        assert!(!editor.can_withdraw_items_of(3));
        let sup = Permissions::new(
            vec![Grant {
                role: Role::Supervisor,
                org_id: None,
            }],
            tree,
        );
        assert!(sup.can_withdraw_items_of(2));
        assert!(!sup.can_review_items_of(2));
    }

    #[test]
    fn assessor_reads_everything_writes_nothing() {
        let p = Permissions::new(
            vec![Grant {
                role: Role::Assessor,
                org_id: None,
            }],
            tree,
        );
        assert!(p.can_view_items_of(2));
        assert!(!p.can_edit_items_of(2));
        assert!(p.can_read_audit());
        let auditor = Permissions::new(
            vec![Grant {
                role: Role::AuditAdmin,
                org_id: None,
            }],
            |o| vec![o],
        );
        assert!(auditor.can_view_audit_log() && !auditor.can_read_audit());
        assert!(!auditor.can_view_items_of(2) && !auditor.can_manage_users());
        assert_eq!(auditor.message_orgs(), Some(Vec::new()));
        assert_eq!(p.editable_orgs(), Some(vec![]));
    }

    #[test]
    fn only_who_handles_a_case_sees_personal_data_in_full() {
        let grant = |role, org_id| Grant { role, org_id };
        let handler = Permissions::new(vec![grant(Role::Handler, Some(3))], tree);
        assert!(handler.can_see_personal_data_of(4) && !handler.can_see_personal_data_of(2));
        for role in [Role::Supervisor, Role::Assessor, Role::AuditAdmin] {
            let p = Permissions::new(vec![grant(role, None)], tree);
            assert!(!p.can_see_personal_data_of(3), "{role:?}");
        }
        let reviewer = Permissions::new(vec![grant(Role::Reviewer, Some(3))], tree);
        assert!(!reviewer.can_see_personal_data_of(3));
    }

    #[test]
    fn the_three_administrators_are_separated_when_configured() {
        let grant = |role| Grant { role, org_id: None };
        let sys = Permissions::new(vec![grant(Role::SystemAdmin)], tree);
        let sec = Permissions::new(vec![grant(Role::SecurityAdmin)], tree);
        // Without the separation: the system administrator grants and reads the audit log.
        assert!(sys.can_grant(Role::Editor, Some(3)) && sys.can_view_audit_log());
        assert_eq!(
            sys.grant_refusal(&[Role::SystemAdmin], Role::AuditAdmin, true),
            None
        );
        assert!(sec.can_grant(Role::Editor, Some(3)) && sec.can_manage_users());
        assert!(!sec.can_view_audit_log() && !sec.can_view_items_of(3));
        assert!(sec.grant_refusal(&[], Role::SystemAdmin, true).is_some());

        let sys = sys.with_separation(true);
        let sec = sec.with_separation(true);
        let auditor = Permissions::new(vec![grant(Role::AuditAdmin)], tree).with_separation(true);
        assert!(!sys.can_grant(Role::Editor, Some(3)) && !sys.can_grant(Role::SecurityAdmin, None));
        assert!(!sys.can_view_audit_log() && sys.can_manage_site());
        assert!(sec.can_grant(Role::SystemAdmin, None) && !sec.can_view_audit_log());
        assert!(auditor.can_view_audit_log() && !auditor.can_grant(Role::Editor, Some(3)));
        let refusal = sec
            .grant_refusal(&[Role::SystemAdmin], Role::AuditAdmin, false)
            .expect("a system administrator may not also audit");
        assert!(
            refusal.contains('\u{FF0C}') && refusal.contains("审计管理员"),
            "{refusal}"
        );
        assert_eq!(
            sec.grant_refusal(&[Role::SystemAdmin], Role::Editor, false),
            None
        );
        assert_eq!(
            sec.grant_refusal(&[Role::SystemAdmin], Role::SystemAdmin, false),
            None
        );
        assert!(sec.grant_refusal(&[], Role::Editor, true).is_some());

        // The forms offer what may be granted; the first security administrator is named by the
        // system administrator.
        assert!(sec.grantable_roles().contains(&Role::SystemAdmin));
        assert!(sec.grantable_roles().contains(&Role::Editor));
        assert_eq!(sys.grantable_roles(), vec![Role::SecurityAdmin]);
        assert!(sys.may_name_first_security_admin(Role::SecurityAdmin));
        assert!(!sys.may_name_first_security_admin(Role::AuditAdmin));
        assert!(!sec.may_name_first_security_admin(Role::SecurityAdmin));
    }

    #[test]
    fn org_admin_grants_only_scoped_roles_in_own_tree() {
        let p = Permissions::new(
            vec![Grant {
                role: Role::OrgAdmin,
                org_id: Some(3),
            }],
            tree,
        );
        assert!(p.can_grant(Role::Editor, Some(4)));
        assert!(!p.can_grant(Role::Editor, Some(2)));
        assert!(!p.can_grant(Role::SystemAdmin, None));
        assert!(!p.can_grant(Role::Supervisor, Some(3)));
    }
}
