//! The one outbound HTTP client of Gongkai (the website inspector and anything else that fetches
//! from other servers goes through here). Every fetch is bounded: a whole-request and a connect
//! timeout, a cap on the body read (checked against `Content-Length` first, then while
//! streaming), a limit on redirects, `http`/`https` only, and an honest `User-Agent`.
//! HTTPS through rustls with the operating system's certificate store.

use std::time::Duration;

/// Limits of a [`Client`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The longest a whole request may take, body included.
    pub timeout: Duration,
    /// The longest connecting (TCP and TLS) may take.
    pub connect_timeout: Duration,
    /// The most body bytes read; a longer body is refused.
    pub max_body_bytes: usize,
    /// The most redirects followed.
    pub max_redirects: usize,
    pub user_agent: String,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_body_bytes: 20 * 1024 * 1024,
            max_redirects: 5,
            user_agent: format!(
                "Gongkai/{} (government openness platform)",
                env!("CARGO_PKG_VERSION")
            ),
        }
    }
}

/// Why a fetch gave nothing. Messages are Chinese, for logs and the people reading reports.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("网址\u{201C}{0}\u{201D}无效\u{FF08}只支持 http 和 https\u{FF09}")]
    BadUrl(String),
    #[error("请求超时\u{FF08}{0}\u{FF09}")]
    Timeout(String),
    #[error("重定向次数过多\u{FF08}{0}\u{FF09}")]
    TooManyRedirects(String),
    #[error("响应内容超过 {limit} 字节\u{FF08}{url}\u{FF09}")]
    TooLarge { url: String, limit: usize },
    #[error("无法连接\u{FF08}{0}\u{FF09}")]
    Connect(String),
    #[error("请求失败\u{FF08}{0}\u{FF09}")]
    Other(String),
}

impl HttpError {
    fn from_reqwest(e: reqwest::Error, url: &str) -> Self {
        let mut what = format!("{url}\u{FF1A}{e}");
        // The cause (e.g. "Connection refused") is in the source chain, not in the message.
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            what.push_str(&format!(" ({s})"));
            source = s.source();
        }
        if e.is_timeout() {
            HttpError::Timeout(what)
        } else if e.is_redirect() {
            HttpError::TooManyRedirects(what)
        } else if e.is_connect() {
            HttpError::Connect(what)
        } else {
            HttpError::Other(what)
        }
    }
}

/// A fetched response (any status: a 404 is an answer, not an error).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The URL after redirects.
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// One hop of a request made by [`Client::hop`]: redirects are not followed, so the caller
/// decides whether the next hop may be requested (robots.txt, loops).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hop {
    pub status: u16,
    pub content_type: Option<String>,
    /// The `Location` header of a redirect, as sent.
    pub location: Option<String>,
    /// The `Retry-After` header in seconds, when given as a number.
    pub retry_after: Option<u64>,
    /// The body, when asked for and the status is below 300; empty otherwise.
    pub body: Vec<u8>,
}

/// A bounded HTTP client; cheap to clone (connections are pooled and shared).
#[derive(Debug, Clone)]
pub struct Client {
    inner: reqwest::Client,
    max_body_bytes: usize,
}

impl Client {
    /// A client following up to `limits.max_redirects` redirects; with 0 it follows none (a
    /// redirect is then an answer: see [`Client::hop`]).
    pub fn new(limits: &Limits) -> Result<Client, HttpError> {
        let policy = match limits.max_redirects {
            0 => reqwest::redirect::Policy::none(),
            n => reqwest::redirect::Policy::limited(n),
        };
        let inner = reqwest::Client::builder()
            .timeout(limits.timeout)
            .connect_timeout(limits.connect_timeout)
            .redirect(policy)
            .user_agent(limits.user_agent.clone())
            .build()
            .map_err(|e| HttpError::Other(e.to_string()))?;
        Ok(Client {
            inner,
            max_body_bytes: limits.max_body_bytes,
        })
    }

    /// One request (`HEAD` when `head`, else `GET`). The body is read (within the limits) only
    /// when `want_body` says yes to the content type and the status is below 300.
    pub async fn hop(
        &self,
        url: &str,
        head: bool,
        want_body: impl FnOnce(Option<&str>) -> bool,
    ) -> Result<Hop, HttpError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| HttpError::BadUrl(url.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(HttpError::BadUrl(url.to_string()));
        }
        let method = if head {
            reqwest::Method::HEAD
        } else {
            reqwest::Method::GET
        };
        let mut res = self
            .inner
            .request(method, parsed)
            .send()
            .await
            .map_err(|e| HttpError::from_reqwest(e, url))?;
        let header = |name| {
            res.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(reqwest::header::CONTENT_TYPE);
        let location = header(reqwest::header::LOCATION);
        let retry_after = header(reqwest::header::RETRY_AFTER).and_then(|v| v.trim().parse().ok());
        let status = res.status().as_u16();
        let mut body = Vec::new();
        if !head && status < 300 && want_body(content_type.as_deref()) {
            let too_large = || HttpError::TooLarge {
                url: url.to_string(),
                limit: self.max_body_bytes,
            };
            if res
                .content_length()
                .is_some_and(|n| n > self.max_body_bytes as u64)
            {
                return Err(too_large());
            }
            while let Some(chunk) = res
                .chunk()
                .await
                .map_err(|e| HttpError::from_reqwest(e, url))?
            {
                if body.len() + chunk.len() > self.max_body_bytes {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
        }
        Ok(Hop {
            status,
            content_type,
            location,
            retry_after,
            body,
        })
    }

    /// GETs `url` and reads its body, within the limits.
    pub async fn get(&self, url: &str) -> Result<Response, HttpError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| HttpError::BadUrl(url.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(HttpError::BadUrl(url.to_string()));
        }
        let res = self
            .inner
            .get(parsed)
            .send()
            .await
            .map_err(|e| HttpError::from_reqwest(e, url))?;
        self.read_body(res, url).await
    }

    /// Reads a response's body within the cap (declared length first, then while streaming).
    async fn read_body(
        &self,
        mut res: reqwest::Response,
        url: &str,
    ) -> Result<Response, HttpError> {
        let final_url = res.url().to_string();
        let too_large = || HttpError::TooLarge {
            url: final_url.clone(),
            limit: self.max_body_bytes,
        };
        if res
            .content_length()
            .is_some_and(|n| n > self.max_body_bytes as u64)
        {
            return Err(too_large());
        }
        let status = res.status().as_u16();
        let content_type = res
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let mut body = Vec::new();
        while let Some(chunk) = res
            .chunk()
            .await
            .map_err(|e| HttpError::from_reqwest(e, url))?
        {
            if body.len() + chunk.len() > self.max_body_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response {
            url: final_url,
            status,
            content_type,
            body,
        })
    }
}

/// The validators of a response, sent back on the next request for the same URL so an unchanged
/// page costs a 304 and no body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// `ETag`, sent back as `If-None-Match`.
    pub etag: Option<String>,
    /// `Last-Modified`, sent back as `If-Modified-Since`.
    pub last_modified: Option<String>,
}

/// The answer to a conditional GET.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conditional {
    /// 304: the page is as it was.
    NotModified,
    /// Any other status, with its body and the new validators.
    Fetched(Response, Validators),
}

impl Client {
    /// GETs `url` with `If-None-Match` / `If-Modified-Since` from `known` (within the limits).
    pub async fn get_conditional(
        &self,
        url: &str,
        known: &Validators,
    ) -> Result<Conditional, HttpError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| HttpError::BadUrl(url.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(HttpError::BadUrl(url.to_string()));
        }
        let mut req = self.inner.get(parsed);
        if let Some(e) = &known.etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e.as_str());
        }
        if let Some(m) = &known.last_modified {
            req = req.header(reqwest::header::IF_MODIFIED_SINCE, m.as_str());
        }
        let res = req
            .send()
            .await
            .map_err(|e| HttpError::from_reqwest(e, url))?;
        if res.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Conditional::NotModified);
        }
        let header = |name| {
            res.headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let validators = Validators {
            etag: header(reqwest::header::ETAG),
            last_modified: header(reqwest::header::LAST_MODIFIED),
        };
        let response = self.read_body(res, url).await?;
        Ok(Conditional::Fetched(response, validators))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// A server on 127.0.0.1 answering every request by `answer(path)` (raw HTTP/1.1 response
    /// head, body, and a delay before answering); returns its base URL.
    async fn serve(
        answer: impl Fn(&str, &str) -> (String, Vec<u8>, Duration) + Send + Sync + 'static,
    ) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let answer = std::sync::Arc::new(answer);
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let answer = answer.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut got = Vec::new();
                    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                        let n = sock.read(&mut buf).await.unwrap_or(0);
                        if n == 0 {
                            return;
                        }
                        got.extend_from_slice(&buf[..n]);
                    }
                    let request = String::from_utf8_lossy(&got).to_string();
                    let path = request.split(' ').nth(1).unwrap_or("/").to_string();
                    let (head, body, delay) = answer(&path, &request);
                    tokio::time::sleep(delay).await;
                    let _ = sock.write_all(head.as_bytes()).await;
                    let _ = sock.write_all(&body).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        base
    }

    fn ok(body: &[u8], ctype: &str) -> String {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
    }

    #[tokio::test]
    async fn fetches_a_page_with_its_type_and_our_user_agent() {
        let body = "<html><body>盘锦市政务公开</body></html>"
            .as_bytes()
            .to_vec();
        let base = serve(move |path, request| {
            let ua_ok = request
                .to_ascii_lowercase()
                .contains("user-agent: gongkai/");
            let b = if path == "/index.html" && ua_ok {
                body.clone()
            } else {
                b"wrong".to_vec()
            };
            (ok(&b, "text/html; charset=utf-8"), b, Duration::ZERO)
        })
        .await;
        let client = Client::new(&Limits::default()).unwrap();
        let r = client.get(&format!("{base}/index.html")).await.unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type.as_deref(), Some("text/html; charset=utf-8"));
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "<html><body>盘锦市政务公开</body></html>"
        );
        assert_eq!(r.url, format!("{base}/index.html"));
    }

    #[tokio::test]
    async fn follows_redirects_up_to_the_limit() {
        let base = serve(|path, _| {
            let n: u32 = path.trim_start_matches('/').parse().unwrap_or(0);
            if n == 0 {
                (ok(b"end", "text/plain"), b"end".to_vec(), Duration::ZERO)
            } else {
                let head = format!(
                    "HTTP/1.1 302 Found\r\nLocation: /{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    n - 1
                );
                (head, Vec::new(), Duration::ZERO)
            }
        })
        .await;
        let limits = Limits {
            max_redirects: 2,
            ..Limits::default()
        };
        let client = Client::new(&limits).unwrap();
        let r = client.get(&format!("{base}/2")).await.unwrap();
        assert_eq!((r.status, r.body.as_slice()), (200, &b"end"[..]));
        assert_eq!(r.url, format!("{base}/0"));
        let e = client.get(&format!("{base}/3")).await.unwrap_err();
        assert!(matches!(e, HttpError::TooManyRedirects(_)), "{e:?}");
    }

    #[tokio::test]
    async fn a_hop_reports_a_redirect_and_retry_after_without_following() {
        let base = serve(|path, _| match path {
            "/moved" => (
                "HTTP/1.1 301 Moved\r\nLocation: /there\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
                Vec::new(),
                Duration::ZERO,
            ),
            "/busy" => (
                "HTTP/1.1 503 Busy\r\nRetry-After: 7\r\nContent-Length: 4\r\nConnection: close\r\n\r\n".into(),
                b"busy".to_vec(),
                Duration::ZERO,
            ),
            _ => (ok(b"<p>x</p>", "text/html"), b"<p>x</p>".to_vec(), Duration::ZERO),
        })
        .await;
        let client = Client::new(&Limits {
            max_redirects: 0,
            ..Limits::default()
        })
        .unwrap();
        let h = client
            .hop(&format!("{base}/moved"), false, |_| true)
            .await
            .unwrap();
        assert_eq!((h.status, h.location.as_deref()), (301, Some("/there")));
        let h = client
            .hop(&format!("{base}/busy"), false, |_| true)
            .await
            .unwrap();
        assert_eq!((h.status, h.retry_after, h.body.len()), (503, Some(7), 0));
        let h = client
            .hop(&format!("{base}/page"), false, |_| false)
            .await
            .unwrap();
        assert_eq!((h.status, h.body.len()), (200, 0));
        let h = client
            .hop(&format!("{base}/page"), false, |ct| ct == Some("text/html"))
            .await
            .unwrap();
        assert_eq!(h.body, b"<p>x</p>");
        let h = client
            .hop(&format!("{base}/page"), true, |_| true)
            .await
            .unwrap();
        assert_eq!((h.status, h.body.len()), (200, 0));
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_declared_or_not() {
        let base = serve(|path, _| {
            let body = vec![b'x'; 4096];
            let head = if path == "/declared" {
                ok(&body, "text/plain")
            } else {
                // No Content-Length: the body ends when the connection closes.
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n".into()
            };
            (head, body, Duration::ZERO)
        })
        .await;
        let limits = Limits {
            max_body_bytes: 1000,
            ..Limits::default()
        };
        let client = Client::new(&limits).unwrap();
        for path in ["/declared", "/streamed"] {
            let e = client.get(&format!("{base}{path}")).await.unwrap_err();
            assert!(
                matches!(e, HttpError::TooLarge { limit: 1000, .. }),
                "{e:?}"
            );
        }
        let client = Client::new(&Limits::default()).unwrap();
        let r = client.get(&format!("{base}/streamed")).await.unwrap();
        assert_eq!(r.body.len(), 4096);
    }

    #[tokio::test]
    async fn a_slow_server_times_out_and_bad_urls_are_refused() {
        let base = serve(|_, _| {
            (
                ok(b"late", "text/plain"),
                b"late".to_vec(),
                Duration::from_secs(5),
            )
        })
        .await;
        let limits = Limits {
            timeout: Duration::from_millis(300),
            ..Limits::default()
        };
        let client = Client::new(&limits).unwrap();
        let e = client.get(&format!("{base}/")).await.unwrap_err();
        assert!(matches!(e, HttpError::Timeout(_)), "{e:?}");
        for bad in ["file:///etc/passwd", "ftp://example.com/", "不是网址"] {
            let e = client.get(bad).await.unwrap_err();
            assert!(matches!(e, HttpError::BadUrl(_)), "{bad}: {e:?}");
        }
    }

    #[tokio::test]
    async fn a_conditional_get_sends_the_validators_and_reads_a_304() {
        let body = b"<html>list</html>".to_vec();
        let base = serve(move |_, request| {
            let r = request.to_ascii_lowercase();
            if r.contains("if-none-match: \"v1\"")
                && r.contains("if-modified-since: mon, 07 dec 2026 08:00:00 gmt")
            {
                return (
                    "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n".to_string(),
                    Vec::new(),
                    Duration::ZERO,
                );
            }
            let head = ok(&body, "text/html").replace(
                "\r\n\r\n",
                "\r\nETag: \"v1\"\r\nLast-Modified: Mon, 07 Dec 2026 08:00:00 GMT\r\n\r\n",
            );
            (head, body.clone(), Duration::ZERO)
        })
        .await;
        let client = Client::new(&Limits::default()).unwrap();
        let url = format!("{base}/list");
        let Conditional::Fetched(res, v) = client
            .get_conditional(&url, &Validators::default())
            .await
            .unwrap()
        else {
            panic!("a first request is answered in full");
        };
        assert_eq!(res.status, 200);
        assert_eq!(res.body, b"<html>list</html>");
        assert_eq!(v.etag.as_deref(), Some("\"v1\""));
        assert_eq!(
            v.last_modified.as_deref(),
            Some("Mon, 07 Dec 2026 08:00:00 GMT")
        );
        assert_eq!(
            client.get_conditional(&url, &v).await.unwrap(),
            Conditional::NotModified
        );
    }
}
