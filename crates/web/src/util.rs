//! Small helpers shared by handlers.

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, header, request::Parts};
use axum::middleware::Next;
use axum::response::Response;
use sha2::{Digest, Sha256};
use std::net::{IpAddr, SocketAddr};

pub use gongkai_infra::random_hex;

/// How a case's personal data (ID numbers, phones, e-mail, addresses) is shown to this user: in
/// full to who handles the case, masked to everyone else (`Permissions::can_see_personal_data_of`).
#[derive(Debug, Clone, Copy)]
pub struct PersonalData {
    full: bool,
}

impl PersonalData {
    pub fn for_case(user: &crate::auth::CurrentUser, org_id: i64) -> Self {
        Self::full_if(user.perms.can_see_personal_data_of(org_id))
    }

    /// In full when `allowed` (those who act on the record and must reach the person).
    pub fn full_if(allowed: bool) -> Self {
        Self { full: allowed }
    }

    /// The value as this user may see it.
    pub fn field(self, value: &str) -> String {
        if self.full {
            value.to_owned()
        } else {
            gongkai_domain::personal::mask_field(value)
        }
    }

    pub fn masked(self) -> bool {
        !self.full
    }
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// The client's address: the socket peer or, behind a trusted reverse proxy, the right-most
/// `X-Forwarded-For` entry that is not a trusted proxy (see [`forwarded_client`]).
pub fn client_ip(parts: &Parts, config: &crate::WebConfig) -> String {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let forwarded = config
        .trust_proxy
        .then(|| {
            parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|f| !f.trim().is_empty());
    match (peer, forwarded) {
        (Some(peer), Some(fwd)) => {
            forwarded_client(peer, &fwd, &config.trusted_proxies).to_string()
        }
        (Some(peer), None) => peer.to_string(),
        (None, _) => "unknown".into(),
    }
}

/// The client behind the proxies. Each proxy appends the address it received the request from,
/// so only the right end of the header can be believed: entries are read from the right, trusted
/// proxies skipped, and the first other address is the client. Whatever a client writes into the
/// header itself stays on the left and is never reached. With no list, the socket peer is taken
/// to be the one proxy; with a list, a peer outside it is a client that bypassed the proxy and the
/// header is ignored. An unreadable entry ends the walk at the last address known good.
pub fn forwarded_client(peer: IpAddr, header: &str, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !trusted.is_empty() && !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    for hop in header.rsplit(',').map(str::trim).filter(|h| !h.is_empty()) {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            return client;
        };
        client = ip;
        if !is_trusted(&ip) {
            return ip;
        }
    }
    client
}

/// Conservative security headers on every response. No inline scripts are used, so the CSP forbids
/// them, and style sheets come only from this site. Inline `style` attributes are allowed
/// (`style-src-attr`) because item bodies keep alignment and first-line indentation as `style`,
/// which the sanitizer reduces to `text-align` and `text-indent` with checked values
/// (`domain::content::clean_style`); no other channel writes a `style` attribute.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; style-src-attr 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    res
}

/// What a response may keep where: back-office pages and exports (everything under `/admin`) and
/// answers to requests carrying credentials (the API's bearer token) are `no-store`, so no
/// browser or proxy cache keeps personal data; with an https `public_url`, every response
/// carries HSTS.
pub async fn cache_and_transport(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let private =
        req.uri().path().starts_with("/admin") || req.headers().contains_key(header::AUTHORIZATION);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    if private {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    let https = state
        .config
        .public_url
        .as_deref()
        .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    res
}

/// Page number from a query string value, defaulting to 1 (the one parser, in gongkai-db).
pub use gongkai_db::page_number as page_param;

/// The client's address as an extractor (see [`client_ip`]).
pub struct ClientIp(pub String);

impl axum::extract::FromRequestParts<crate::AppState> for ClientIp {
    type Rejection = crate::AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::AppState,
    ) -> Result<Self, crate::AppError> {
        Ok(ClientIp(client_ip(parts, &state.config)))
    }
}

#[cfg(test)]
mod tests {
    use super::forwarded_client;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_client_cannot_choose_its_address_by_writing_the_header() {
        let proxy = ip("10.0.0.2");
        // The client wrote 1.2.3.4 itself; the proxy appended the address it saw.
        assert_eq!(
            forwarded_client(proxy, "1.2.3.4, 203.0.113.9", &[]),
            ip("203.0.113.9")
        );
        assert_eq!(
            forwarded_client(proxy, "203.0.113.9", &[]),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn trusted_proxies_are_skipped_from_the_right() {
        let nets = [
            "10.0.0.0/8".parse().unwrap(),
            "192.168.1.1/32".parse().unwrap(),
        ];
        let peer = ip("10.0.0.2");
        assert_eq!(
            forwarded_client(peer, "6.6.6.6, 203.0.113.9, 192.168.1.1, 10.1.2.3", &nets),
            ip("203.0.113.9")
        );
        // A peer outside the list did not come through the proxies: the header is ignored.
        assert_eq!(
            forwarded_client(ip("198.51.100.7"), "1.2.3.4", &nets),
            ip("198.51.100.7")
        );
        // Only proxies in the header: the left-most of them.
        assert_eq!(
            forwarded_client(peer, "10.9.9.9, 10.1.1.1", &nets),
            ip("10.9.9.9")
        );
        // An unreadable entry stops the walk at the last good address.
        assert_eq!(
            forwarded_client(peer, "203.0.113.9, unknown, 10.1.1.1", &nets),
            ip("10.1.1.1")
        );
        assert_eq!(
            forwarded_client(peer, "2001:db8::1", &nets),
            ip("2001:db8::1")
        );
    }
}
