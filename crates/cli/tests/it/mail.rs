//! Reminder e-mails through a real SMTP server (Debian's `python3-aiosmtpd`, writing a Maildir;
//! `scripts/test` installs it): one message per recipient with an address, sent once however
//! often the reminder is scanned and delivered, nothing when SMTP is not configured, and the
//! address setting on 我的账号.

use crate::support::{PASSWORD, TestApp};
use gongkai_db::notifications::{self, EMAIL_JOB};
use gongkai_domain::calendar::NaiveDate;
use gongkai_domain::role::Role;
use gongkai_infra::mail::Mailer;
use gongkai_jobs::worker::{self, WorkerConfig};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const SERVER_PYTHON: &str = "/usr/bin/python3";

/// An aiosmtpd server on a free local port, delivering into a Maildir; stopped on drop.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    async fn start() -> SmtpServer {
        let ok = Command::new(SERVER_PYTHON)
            .args(["-c", "import aiosmtpd"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            ok,
            "Debian's python3-aiosmtpd is missing: run `bash scripts/test`, which installs it"
        );
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let maildir = tempfile::tempdir().expect("maildir");
        let mbox = maildir.path().join("mail");
        let child = Command::new(SERVER_PYTHON)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&mbox)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        // Owned at once, so the process is stopped (Drop) on every path, panics included.
        let server = SmtpServer {
            child,
            port,
            maildir,
        };
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every delivered message as (To, Subject, Message-ID, decoded body), parsed by Python's
    /// `email` package so encoded headers and bodies are read as a mail client would.
    fn messages(&self) -> Vec<(String, String, String, String)> {
        let dir: PathBuf = self.maildir.path().join("mail").join("new");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files.iter().map(|f| parse(f)).collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn parse(file: &Path) -> (String, String, String, String) {
    let script = "import email, email.policy, sys, json\n\
m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\n\
print(json.dumps([str(m['To']), str(m['Subject']), str(m['Message-ID']), m.get_body().get_content()]))";
    let out = Command::new(SERVER_PYTHON)
        .args(["-c", script])
        .arg(file)
        .output()
        .expect("python");
    let v: (String, String, String, String) =
        serde_json::from_slice(&out.stdout).expect("parsed message");
    v
}

/// Runs one worker with `mailer` until the queue has nothing due.
async fn drain_with(app: &TestApp, mailer: Option<Mailer>) {
    let cfg = WorkerConfig {
        node_id: "node-mail".into(),
        schedule_scans: false,
        mailer,
        ..WorkerConfig::default()
    };
    let mut idle = 0;
    while idle < 2 {
        let s = worker::run_once(app.db(), &cfg).await.unwrap();
        assert_eq!(s.failed, 0, "no job fails");
        if s.claimed == 0 {
            idle += 1;
        } else {
            idle = 0;
        }
    }
}

/// The seed plan and an editor of an organisation with a round due 2017-06-30, with `email`.
async fn fixture(app: &TestApp, email: Option<&str>) -> i64 {
    let mut tx = app.db().begin().await.unwrap();
    gongkai_db::plans::import_builtin(&mut tx, &app.actor(), "panjin-2017")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let org = app.org_id("市审计局").await;
    let user = app.create_user("sj_editor", Role::Editor, Some(org)).await;
    let mut tx = app.db().begin().await.unwrap();
    gongkai_db::users::set_email(&mut tx, &app.actor(), user, email)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    user
}

async fn email_jobs(app: &TestApp, status: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE kind = $1 AND status LIKE $2")
        .bind(EMAIL_JOB)
        .bind(status)
        .fetch_one(&mut *app.conn().await)
        .await
        .unwrap()
}

async fn scan(app: &TestApp) {
    notifications::scan_feedback_reminders(
        &mut *app.conn().await,
        NaiveDate::from_ymd_opt(2017, 6, 27).unwrap(),
    )
    .await
    .unwrap();
}

both_backends!(reminders_are_mailed_once, |app| async move {
    let smtp = SmtpServer::start().await;
    let mailer = Mailer::new(
        &smtp.url(),
        "盘锦市政务公开办 <gongkai@panjin.gov.cn>",
        "http://gongkai.test",
    )
    .unwrap();
    fixture(&app, Some("shenji@sjj.panjin.gov.cn")).await;
    scan(&app).await;
    drain_with(&app, Some(mailer.clone())).await;
    // Scanned again, delivered again (a notify job re-run after a crash): no second message.
    scan(&app).await;
    let notify: Vec<String> =
        sqlx::query_scalar("SELECT payload FROM jobs WHERE kind = 'notify' ORDER BY id LIMIT 1")
            .fetch_all(&mut *app.conn().await)
            .await
            .unwrap();
    let p: notifications::NotifyPayload = serde_json::from_str(&notify[0]).unwrap();
    notifications::deliver(&mut *app.conn().await, &p, true)
        .await
        .unwrap();
    drain_with(&app, Some(mailer)).await;

    let mails = smtp.messages();
    let rounds: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM feedback_rounds f JOIN organisations o ON o.id = f.org_id \
         WHERE o.name = '市审计局' AND f.due_date = '2017-06-30'",
    )
    .fetch_one(&mut *app.conn().await)
    .await
    .unwrap();
    assert!(rounds >= 1);
    assert_eq!(
        mails.len() as i64,
        rounds,
        "one message per reminder: {mails:?}"
    );
    let (to, subject, message_id, body) = &mails[0];
    assert_eq!(to, "shenji@sjj.panjin.gov.cn");
    assert!(subject.contains("将于 2017-06-30 到期"), "{subject}");
    assert!(message_id.ends_with("@panjin.gov.cn>"), "{message_id}");
    assert!(body.contains("应于2017年6月30日前报送"), "{body}");
    assert!(body.contains("http://gongkai.test/admin/plans/"), "{body}");
    assert_eq!(email_jobs(&app, "done").await, rounds);
});

both_backends!(without_smtp_no_mail_is_queued, |app| async move {
    fixture(&app, Some("shenji@sjj.panjin.gov.cn")).await;
    scan(&app).await;
    drain_with(&app, None).await;
    assert!(
        app.count("notifications").await >= 1,
        "in-app notifications still arrive"
    );
    assert_eq!(email_jobs(&app, "%").await, 0);
});

both_backends!(users_set_their_notification_address, |app| async move {
    let user = fixture(&app, None).await;
    let client = app.user("sj_editor", PASSWORD).await;
    let bad = client
        .post("/admin/account/email", &[("email", "不是邮箱")])
        .await;
    assert_eq!(bad.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("不是有效的电子邮箱地址"));
    let stored = gongkai_db::users::get(&mut *app.conn().await, user)
        .await
        .unwrap();
    assert_eq!(stored.email, None, "nothing saved on error");
    let ok = client
        .post(
            "/admin/account/email",
            &[("email", " shenji@sjj.panjin.gov.cn ")],
        )
        .await;
    assert_eq!(ok.status(), reqwest::StatusCode::SEE_OTHER);
    let page = client.get("/admin/account?notice=email").await;
    assert!(page.text().await.unwrap().contains("通知邮箱已保存"));
    let stored = gongkai_db::users::get(&mut *app.conn().await, user)
        .await
        .unwrap();
    assert_eq!(stored.email.as_deref(), Some("shenji@sjj.panjin.gov.cn"));
    // Without the form's token (deliberately a wrong one) nothing changes.
    let forged = client
        .post_without_csrf(
            "/admin/account/email",
            &[("csrf_token", "x"), ("email", "evil@example.com")],
        )
        .await;
    assert!(!forged.status().is_success());
    let stored = gongkai_db::users::get(&mut *app.conn().await, user)
        .await
        .unwrap();
    assert_eq!(stored.email.as_deref(), Some("shenji@sjj.panjin.gov.cn"));
});
