//! 会议公开: a unit announces a meeting, citizens apply to attend on the portal (CSRF, honeypot,
//! duplicate phone, throttled flood, escaped input), the unit decides within the seats, and a held
//! meeting recorded against an obligation counts as its evidence in the compliance report.

use crate::support::PASSWORD;
use crate::support::users::pairs;
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::role::Role;
use reqwest::StatusCode;

fn id_from(resp: &reqwest::Response) -> i64 {
    resp.headers()["location"]
        .to_str()
        .unwrap()
        .trim_start_matches("/admin/meetings/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

both_backends!(
    citizens_apply_to_attend_and_a_held_meeting_counts,
    |app| async move {
        let mut tx = app.db().begin().await.unwrap();
        let plan = gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
            .await
            .unwrap()
            .plan_id;
        tx.commit().await.unwrap();
        let report = |as_of: &'static str| {
            let app = &app;
            async move {
                gongkai_db::compliance::report(
                    &mut *app.conn().await,
                    plan,
                    NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
                )
                .await
                .unwrap()
            }
        };
        let before = report("2018-03-01").await;
        let ob = before
            .obligations
            .iter()
            .find(|o| o.org_name == "市人力资源社会保障局" && o.cadence == "at_least_1_per_year")
            .unwrap()
            .id;
        let status = |r: &gongkai_db::compliance::ComplianceReport| {
            r.periods
                .iter()
                .find(|p| p.obligation_id == ob)
                .unwrap()
                .status
                .clone()
        };
        assert_eq!(status(&before), "missed");

        let org = app.org_id("市人力资源社会保障局").await;
        app.create_user("rs_editor", Role::Editor, Some(org)).await;
        let editor = app.user("rs_editor", PASSWORD).await;
        let today = gongkai_db::china_today();
        let future = |days: i64| (today + chrono::Duration::days(days)).to_string();

        // Bad input: refused in Chinese, nothing written.
        let bad = editor
            .post(
                "/admin/meetings",
                &pairs(&[
                    ("org_id", org.to_string()),
                    ("kind", "executive".into()),
                    ("title", "".into()),
                    ("held_at", format!("{}T09:30", future(30))),
                    ("place", "市政府第一会议室".into()),
                    ("agenda", "研究就业创业政策".into()),
                    ("seats", "1".into()),
                    ("apply_by", future(31)),
                ]),
            )
            .await;
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = bad.text().await.unwrap();
        assert!(body.contains("请填写会议名称") && body.contains("早于会议召开日期"));
        assert_eq!(app.count("meetings").await, 0);

        let ok = editor
            .post(
                "/admin/meetings",
                &pairs(&[
                    ("org_id", org.to_string()),
                    ("kind", "executive".into()),
                    ("title", "市政府常务会议（就业创业专题）".into()),
                    ("held_at", format!("{}T09:30", future(30))),
                    ("place", "市政府第一会议室".into()),
                    ("agenda", "研究就业创业政策".into()),
                    ("seats", "1".into()),
                    ("apply_by", future(20)),
                    ("live_url", "https://live.example.gov.cn/1".into()),
                ]),
            )
            .await;
        assert_eq!(ok.status(), StatusCode::SEE_OTHER);
        let upcoming = id_from(&ok);

        // The public applies: the form carries a token matching its cookie.
        let citizen = app.visitor();
        let page = citizen
            .get(&format!("/hygk/{upcoming}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("报名列席"));
        let apply_path = format!("/hygk/{upcoming}/apply");
        let apply_form = |phone: &'static str, website: &'static str| {
            [
                ("website", website),
                ("name", "王小明"),
                ("kind", "citizen"),
                ("phone", phone),
                ("reason", "关心<b>就业</b>政策"),
            ]
        };
        // Deliberately a forged token.
        let forged_token = "0".repeat(64);
        let mut forged_form = vec![("csrf_token", forged_token.as_str())];
        forged_form.extend(apply_form("13800000001", ""));
        let forged = citizen.post_without_csrf(&apply_path, &forged_form).await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        let first = citizen
            .post(&apply_path, &apply_form("13800000001", ""))
            .await;
        assert_eq!(first.status(), StatusCode::SEE_OTHER);
        let dup = citizen
            .post(&apply_path, &apply_form("13800000001", ""))
            .await;
        assert_eq!(dup.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup.text().await.unwrap().contains("请勿重复提交"));
        let robot = citizen
            .post(
                &apply_path,
                &apply_form("13800000009", "http://spam.example"),
            )
            .await;
        assert_eq!(robot.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            app.count("meeting_attendance").await,
            1,
            "honeypot stores nothing"
        );
        for phone in ["13800000002", "13800000003", "13800000004", "13800000005"] {
            assert_eq!(
                citizen
                    .post(&apply_path, &apply_form(phone, ""))
                    .await
                    .status(),
                StatusCode::SEE_OTHER
            );
        }
        let flood = citizen
            .post(&apply_path, &apply_form("13800000006", ""))
            .await;
        assert_eq!(flood.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(flood.text().await.unwrap().contains("过于频繁"));
        assert_eq!(app.count("meeting_attendance").await, 5);
        // The public page never shows the applicants.
        let public = app.get_ok(&format!("/hygk/{upcoming}")).await;
        assert!(!public.contains("王小明") && !public.contains("13800000001"));

        // The unit sees them, escaped, and decides within the seats.
        let admin_page = editor
            .get(&format!("/admin/meetings/{upcoming}"))
            .await
            .text()
            .await
            .unwrap();
        assert!(admin_page.contains("关心&lt;b&gt;就业&lt;/b&gt;政策"));
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM meeting_attendance ORDER BY id")
            .fetch_all(&mut *app.conn().await)
            .await
            .unwrap();
        let decide = |id: i64| format!("/admin/meetings/applications/{id}/decide");
        assert_eq!(
            editor
                .post(&decide(ids[0]), &[("decision", "approved"), ("reason", "")])
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        let full = editor
            .post(&decide(ids[1]), &[("decision", "approved"), ("reason", "")])
            .await;
        assert_eq!(full.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(full.text().await.unwrap().contains("名额"));
        let no_reason = editor
            .post(&decide(ids[1]), &[("decision", "rejected"), ("reason", "")])
            .await;
        assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            editor
                .post(
                    &decide(ids[1]),
                    &[("decision", "rejected"), ("reason", "名额已满")]
                )
                .await
                .status(),
            StatusCode::SEE_OTHER
        );
        assert!(
            app.get_ok(&format!("/hygk/{upcoming}"))
                .await
                .contains("已同意 1 名")
        );

        // A meeting 30 days ahead cannot be recorded as held yet.
        let early = editor
            .post(
                &format!("/admin/meetings/{upcoming}/held"),
                &[("minutes", "会议已召开。")],
            )
            .await;
        assert_eq!(early.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early.text().await.unwrap().contains("尚未到召开日期"));

        // A closed meeting (no seats, no broadcast) is not evidence of 会议公开.
        let closed = editor
            .post(
                "/admin/meetings",
                &pairs(&[
                    ("org_id", org.to_string()),
                    ("kind", "topical".into()),
                    ("title", "就业工作内部调度会".into()),
                    ("held_at", "2017-11-10T09:30".into()),
                    ("place", "市人社局会议室".into()),
                    ("agenda", "内部调度".into()),
                    ("seats", "0".into()),
                    ("obligation_id", ob.to_string()),
                ]),
            )
            .await;
        let closed = id_from(&closed);
        let done = editor
            .post(
                &format!("/admin/meetings/{closed}/held"),
                &[("minutes", "会议调度了就业工作。"), ("live_url", "")],
            )
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("recorded_events").await, 0, "not evidence");
        assert_eq!(status(&report("2018-03-01").await), "missed");

        // A meeting of 2017 recorded against the obligation and broadcast live: once held, it is
        // the evidence.
        let held = editor
            .post(
                "/admin/meetings",
                &pairs(&[
                    ("org_id", org.to_string()),
                    ("kind", "topical".into()),
                    ("title", "就业创业政策解读会".into()),
                    ("held_at", "2017-11-20T09:30".into()),
                    ("place", "市人社局会议室".into()),
                    ("agenda", "解读就业创业扶持政策".into()),
                    ("seats", "0".into()),
                    ("obligation_id", ob.to_string()),
                ]),
            )
            .await;
        assert_eq!(held.status(), StatusCode::SEE_OTHER);
        let past = id_from(&held);
        assert_eq!(
            status(&report("2018-03-01").await),
            "missed",
            "announced is not held"
        );
        let other = app.org_id("市财政局").await;
        app.create_user("cz_editor", Role::Editor, Some(other))
            .await;
        let outsider = app.user("cz_editor", PASSWORD).await;
        let r = outsider.get(&format!("/admin/meetings/{past}")).await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        let empty = editor
            .post(&format!("/admin/meetings/{past}/held"), &[("minutes", " ")])
            .await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(app.count("recorded_events").await, 0);
        let done = editor
            .post(
                &format!("/admin/meetings/{past}/held"),
                &[
                    ("minutes", "会议解读了3项扶持政策，20名市民代表列席。"),
                    ("live_url", "https://live.example.gov.cn/2017-11-20"),
                ],
            )
            .await;
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        assert_eq!(app.count("recorded_events").await, 1);
        let after = report("2018-03-01").await;
        assert_eq!(status(&after), "met");
        assert!(
            app.get_ok(&format!("/hygk/{past}"))
                .await
                .contains("20名市民代表列席")
        );
        assert!(app.get_ok("/hygk").await.contains(&format!("/hygk/{past}")));
    }
);
