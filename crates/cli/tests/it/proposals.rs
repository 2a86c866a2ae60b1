//! 建议提案办理 end to end over HTTP: the supervising office assigns, the lead unit signs for it,
//! a co-handling unit sends its view, the lead unit replies, a dissatisfied deputy sends it back
//! once, the reply is published with contact details masked. Every step is confined to the
//! organisations concerned, refused in Chinese with nothing written on bad input, and audited.

use crate::support::users::{User, pairs};
use crate::support::{PASSWORD, TestApp};
use gongkai_domain::role::Role;
use reqwest::StatusCode;

async fn user(app: &TestApp, name: &str, role: Role, org: Option<i64>) -> User {
    app.create_user(name, role, org).await;
    app.user(name, PASSWORD).await
}

async fn stage(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT stage FROM proposals WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap()
}

const CONTACT: &str = "13812345678";

both_backends!(
    a_suggestion_is_assigned_answered_and_published,
    |app| async move {
        let lead = app.org_id("市财政局").await;
        let co = app.org_id("市统计局").await;
        let other = app.org_id("市审计局").await;
        let office = user(&app, "dcs", Role::Supervisor, None).await;
        let handler = user(&app, "cz_handler", Role::Handler, Some(lead)).await;
        let co_handler = user(&app, "tj_handler", Role::Handler, Some(co)).await;
        let outsider = user(&app, "sj_handler", Role::Handler, Some(other)).await;
        let lead_s = lead.to_string();
        let co_s = co.to_string();
        let assign = |number: &'static str, key_leader: &'static str| {
            let lead_s = lead_s.clone();
            let co_s = co_s.clone();
            vec![
                ("kind", "npc_suggestion".to_string()),
                ("year", "2024".into()),
                ("number", number.into()),
                (
                    "title",
                    "关于加强<script>alert(1)</script>农村饮水安全的建议".into(),
                ),
                ("proposer", "王某某等5名代表".into()),
                ("proposer_contact", CONTACT.into()),
                ("content", "建议加大农村饮水工程投入。".into()),
                ("assigned_on", "2024-07-01".into()),
                ("lead_org_id", lead_s),
                ("co_org_ids", co_s),
                ("key_item", "1".into()),
                ("key_leader", key_leader.into()),
            ]
        };

        // Units cannot assign; bad input is refused in Chinese with nothing written.
        let r = handler
            .post("/admin/proposals", &pairs(&assign("第0001号", "张市长")))
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = office
            .post("/admin/proposals", &pairs(&assign("第0001号", "")))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("主要负责同志领衔办理"));
        assert_eq!(app.count("proposals").await, 0);

        let r = office
            .post("/admin/proposals", &pairs(&assign("第0001号", "张市长")))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        let id: i64 = loc
            .trim_start_matches("/admin/proposals/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        // The same number twice: refused, still one case.
        let r = office
            .post("/admin/proposals", &pairs(&assign("第0001号", "张市长")))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("已登记"));
        assert_eq!(app.count("proposals").await, 1);

        // The lead unit sees the deadlines with their working: 3 months from 2024-07-01 is National
        // Day, so the reply is due on 2024-10-08. Markup in the title is escaped.
        let page = handler
            .get(&format!("/admin/proposals/{id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("2024-10-08"), "reply deadline");
        assert!(page.contains("顺延至2024年10月8日"));
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>alert"));
        let list = handler
            .get("/admin/proposals?year=2024")
            .await
            .text()
            .await
            .unwrap();
        assert!(list.contains(&format!("/admin/proposals/{id}")));
        // Another unit neither sees nor acts on it.
        let r = outsider.get(&format!("/admin/proposals/{id}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let list = outsider
            .get("/admin/proposals?year=2024")
            .await
            .text()
            .await
            .unwrap();
        assert!(!list.contains(&format!("/admin/proposals/{id}")));
        let r = outsider
            .post(&format!("/admin/proposals/{id}/sign"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // A co-handling unit may not sign for the lead.
        let r = co_handler
            .post(&format!("/admin/proposals/{id}/sign"), &[])
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(stage(&app, id).await, "assigned");

        // Reply before signing: refused by stage.
        let reply = |text: &'static str| {
            vec![
                ("contacted_on", "2024-08-01"),
                ("contact_note", "电话沟通"),
                ("replied_on", "2024-09-20"),
                ("grade", "b"),
                ("signed_by", "李局长"),
                ("reply_text", text),
            ]
        };
        let text =
            "王代表（电话13812345678，身份证11010519491231002X）：您提出的建议收悉，现答复如下……";
        let r = handler
            .post(&format!("/admin/proposals/{id}/reply"), &reply(text))
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("请先签收"));

        let r = handler
            .post(
                &format!("/admin/proposals/{id}/sign"),
                &[("on", "2024-07-02")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stage(&app, id).await, "handling");

        let r = co_handler
            .post(
                &format!("/admin/proposals/{id}/co_view"),
                &[
                    ("org_id", &co_s),
                    ("on", "2024-07-20"),
                    ("view_text", "同意主办单位意见。"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        // No contact with the deputy: refused.
        let mut bad = reply(text);
        bad[0] = ("contacted_on", "");
        let r = handler
            .post(&format!("/admin/proposals/{id}/reply"), &bad)
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("沟通"));
        assert_eq!(stage(&app, id).await, "handling");

        let r = handler
            .post(&format!("/admin/proposals/{id}/reply"), &reply(text))
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stage(&app, id).await, "replied");

        // Dissatisfied: re-handled once, then closed.
        let r = handler
            .post(
                &format!("/admin/proposals/{id}/feedback"),
                &[("satisfaction", "dissatisfied")],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "only the office records feedback"
        );
        let r = office
            .post(
                &format!("/admin/proposals/{id}/feedback"),
                &[("satisfaction", "dissatisfied"), ("on", "2024-09-25")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stage(&app, id).await, "rehandling");
        let mut again = reply(text);
        again[2] = ("replied_on", "2024-10-15");
        let r = handler
            .post(&format!("/admin/proposals/{id}/reply"), &again)
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = office
            .post(
                &format!("/admin/proposals/{id}/feedback"),
                &[("satisfaction", "basic"), ("on", "2024-10-20")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stage(&app, id).await, "closed");

        // Not public until published; then public with the contact details masked.
        assert_eq!(
            app.get(&format!("/jytabl/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert!(
            !app.get_ok("/jytabl")
                .await
                .contains(&format!("/jytabl/{id}"))
        );
        let r = handler
            .post(
                &format!("/admin/proposals/{id}/publish"),
                &[("on", "2024-10-21")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let r = handler
            .post(&format!("/admin/proposals/{id}/publish"), &[])
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "published once only"
        );
        let public = app.get_ok(&format!("/jytabl/{id}")).await;
        assert!(public.contains("您提出的建议收悉"));
        assert!(!public.contains(CONTACT) && !public.contains("11010519491231002X"));
        assert!(public.contains("&lt;script&gt;") && !public.contains("<script>alert"));
        assert!(
            app.get_ok("/jytabl")
                .await
                .contains(&format!("/jytabl/{id}"))
        );

        // The yearly statistics count it: replied on time (first reply 2024-09-20 ≤ 2024-10-08).
        let list = office
            .get("/admin/proposals?year=2024&kind=npc_suggestion")
            .await
            .text()
            .await
            .unwrap();
        assert!(list.contains("<th scope=\"row\">人大代表建议</th><td>1</td><td>1</td><td>0</td><td>1</td><td>1</td>"), "{}", crate::support::html::excerpt(&list));

        let steps: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'proposal' AND entity_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap();
        // assign, sign, co_view, reply, feedback, reply, feedback, publish
        assert_eq!(steps, 8);
    }
);

both_backends!(
    a_returned_case_is_reassigned_by_the_office_with_its_history,
    |app| async move {
        let first = app.org_id("市财政局").await;
        let second = app.org_id("市住建委").await;
        let office = user(&app, "dcs", Role::Supervisor, None).await;
        let cz = user(&app, "cz_handler", Role::Handler, Some(first)).await;
        let sw = user(&app, "sw_handler", Role::Handler, Some(second)).await;
        let r = office
            .post(
                "/admin/proposals",
                &pairs(&[
                    ("kind", "npc_suggestion".to_string()),
                    ("year", "2024".into()),
                    ("number", "第0101号".into()),
                    ("title", "关于改造老旧供水管网的建议".into()),
                    ("proposer", "李某某代表".into()),
                    ("proposer_contact", String::new()),
                    ("content", "建议改造老旧供水管网。".into()),
                    ("assigned_on", "2024-07-01".into()),
                    ("lead_org_id", first.to_string()),
                ]),
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let id: i64 = sqlx::query_scalar("SELECT id FROM proposals")
            .fetch_one(&mut *app.conn().await)
            .await
            .unwrap();
        let path = |step: &str| format!("/admin/proposals/{id}/{step}");
        // Not returned yet: nothing to re-assign.
        let early = office
            .post(
                &path("reassign"),
                &[
                    ("org_id", second.to_string().as_str()),
                    ("on", "2024-07-03"),
                ],
            )
            .await;
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            early
                .text()
                .await
                .unwrap()
                .contains("只有已退回的件可以重新交办")
        );
        let r = cz
            .post(
                &path("return"),
                &[("on", "2024-07-03"), ("reason", "供水管网属市住建委职责")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stage(&app, id).await, "returned");
        // The unit cannot re-assign; the office can, not before the return.
        let r = cz
            .post(
                &path("reassign"),
                &[
                    ("org_id", second.to_string().as_str()),
                    ("on", "2024-07-04"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let page = office
            .get(&format!("/admin/proposals/{id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("重新交办"), "the form is offered");
        let before = app.audit_count().await;
        let r = office
            .post(
                &path("reassign"),
                &[
                    ("org_id", second.to_string().as_str()),
                    ("on", "2024-07-02"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.audit_count().await, before, "nothing written");
        let r = office
            .post(
                &path("reassign"),
                &[
                    ("org_id", second.to_string().as_str()),
                    ("on", "2024-07-04"),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stage(&app, id).await, "assigned");
        // The new lead unit sees it, with deadlines from the new date, and signs for it.
        let page = sw
            .get(&format!("/admin/proposals/{id}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("2024-07-04"), "new assignment date");
        assert!(
            page.contains("供水管网属市住建委职责"),
            "the return stays in the history"
        );
        assert!(page.contains("由市财政局改交市住建委"));
        let r = sw.post(&path("sign"), &[("on", "2024-07-05")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        assert_eq!(stage(&app, id).await, "handling");
        // The old lead unit no longer sees it.
        assert_eq!(
            cz.get(&format!("/admin/proposals/{id}")).await.status(),
            StatusCode::NOT_FOUND
        );
    }
);
