//! E-mail over SMTP (lettre), for reminders. Configured by one URL: `smtp://host:25` (plain, for a
//! relay on the intranet), `smtp://user:password@host:587?tls=required` (STARTTLS) or
//! `smtps://user:password@host:465`, and a sender address. The URL may hold a password: it is
//! never logged or shown (`redacted_url`).

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// Where reminders are sent from, and how.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// Base of the links in messages, e.g. `https://www.panjin.gov.cn` (no trailing slash).
    public_url: String,
    url_for_logs: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("url", &self.url_for_logs)
            .field("from", &self.from.to_string())
            .finish()
    }
}

/// `smtp://user:***@host:587`: the URL without its password.
pub fn redacted_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Mailer {
    /// Checks the configuration; Chinese messages for a bad URL or sender.
    pub fn new(smtp_url: &str, from: &str, public_url: &str) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| {
                format!(
                    "SMTP 地址“{}”无效（{e}）：应为 smtp://<主机>:<端口>、smtp://<用户>:<密码>@<主机>:587?tls=required 或 smtps://…",
                    redacted_url(smtp_url)
                )
            })?
            .timeout(Some(std::time::Duration::from_secs(30)))
            .build();
        let from: Mailbox = from.parse().map_err(|_| {
            format!("发件人“{from}”无效，应为 地址 或 名称 <地址>，例如 盘锦市政务公开办 <gongkai@panjin.gov.cn>")
        })?;
        Ok(Mailer {
            transport,
            from,
            public_url: public_url.trim_end_matches('/').to_string(),
            url_for_logs: redacted_url(smtp_url),
        })
    }

    /// The server address without the password, for logs.
    pub fn describe(&self) -> &str {
        &self.url_for_logs
    }

    /// Sends one plain-text message. `key` gives a stable Message-ID, so a message sent twice
    /// after a crash can be recognised as one.
    pub async fn send(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        link: &str,
        key: &str,
    ) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|_| format!("收件人地址“{to}”无效"))?;
        let domain = self.from.email.domain().to_string();
        let id = hex_id(key);
        let mut text = body.to_string();
        if !link.is_empty() {
            text.push_str(&format!("\n\n查看详情：{}{link}", self.public_url));
        }
        text.push_str("\n\n（本邮件由政务公开平台自动发送，请勿直接回复。）");
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .message_id(Some(format!("<{id}@{domain}>")))
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| format!("邮件无法生成：{e}"))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| format!("邮件发送失败（{}）：{e}", self.url_for_logs))
    }
}

/// A Message-ID local part from the deduplication key (SHA-256, hex).
fn hex_id(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        assert_eq!(
            redacted_url("smtp://gk:s3cret@mail.panjin.gov.cn:587?tls=required"),
            "smtp://gk:***@mail.panjin.gov.cn:587?tls=required"
        );
        assert_eq!(redacted_url("smtp://127.0.0.1:25"), "smtp://127.0.0.1:25");
        let err = Mailer::new("smtp://gk:s3cret@", "a@b.cn", "").unwrap_err();
        assert!(!err.contains("s3cret"), "{err}");
        let err = Mailer::new("smtp://127.0.0.1:25", "不是地址", "").unwrap_err();
        assert!(err.contains("发件人"), "{err}");
        let m = Mailer::new(
            "smtp://gk:s3cret@127.0.0.1:25",
            "公开办 <gk@panjin.gov.cn>",
            "",
        )
        .unwrap();
        assert!(!format!("{m:?}").contains("s3cret"));
    }
}
