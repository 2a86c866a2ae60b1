//! CSRF for the public's forms (no session): a double-submit token. The page sets an HttpOnly,
//! SameSite=Strict cookie and puts the same random value in the hidden field `csrf_token`; the
//! CSRF middleware (`crate::csrf`) refuses a post whose field does not match its cookie. Cross-site
//! posts are also refused by `auth::reject_cross_site` on the portal's post routes.

use crate::util::random_hex;
use crate::{AppError, AppState};
use axum::extract::{FromRequest, Request};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::de::DeserializeOwned;

/// The cookie holding a visitor's form token.
pub const COOKIE: &str = "gk_form";

/// The token for a form page: the visitor's existing one, or a new one set on `jar`.
pub fn issue(state: &AppState, jar: CookieJar) -> (CookieJar, String) {
    if let Some(c) = jar.get(COOKIE).filter(|c| c.value().len() == 64) {
        let v = c.value().to_string();
        return (jar, v);
    }
    let token = random_hex(32);
    let mut c = Cookie::new(COOKIE, token.clone());
    c.set_http_only(true);
    c.set_same_site(SameSite::Strict);
    c.set_path("/");
    c.set_secure(state.config.secure_cookies);
    (jar.add(c), token)
}

/// A urlencoded public form whose rejection (malformed body, bad UTF-8) is a Chinese 400.
pub struct PublicForm<T>(pub T);

impl<T: DeserializeOwned + Send, St: Send + Sync> FromRequest<St> for PublicForm<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &St) -> Result<Self, AppError> {
        axum::Form::<T>::from_request(req, state)
            .await
            .map(|f| PublicForm(f.0))
            .map_err(|e| {
                AppError::BadRequest(format!(
                    "提交的内容无法识别，请返回重新填写（{}）",
                    e.status()
                ))
            })
    }
}
