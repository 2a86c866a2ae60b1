//! One error type for handlers, and **the table of stable API error codes** (code, HTTP status,
//! Chinese message). HTML handlers render an error page; API handlers return
//! `{"code": …, "message": …, "errors": [...]}`.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use gongkai_db::DbError;
use gongkai_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    NotFound(String),
    #[error("请先登录或提供有效的接口令牌")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(Invalid),
    #[error("{0}")]
    BadRequest(String),
    #[error("页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试")]
    Csrf,
    #[error("{0}")]
    Locked(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("服务器内部错误，请稍后重试；如问题持续，请联系系统管理员")]
    Internal(String),
    /// The signed-in user must change the password first (a redirect in the back office).
    #[error("请先修改密码")]
    PasswordChangeRequired,
    /// A system administrator must set up the second factor first (when configured).
    #[error("请先设置两步验证")]
    SecondFactorRequired,
}

/// The stable error codes of the API. Never renumber or rename a code: clients depend on it.
pub const ERROR_CODES: &[(&str, u16, &str)] = &[
    ("not_found", 404, "资源不存在或未公开"),
    ("unauthenticated", 401, "请先登录或提供有效的接口令牌"),
    ("forbidden", 403, "无权执行此操作"),
    ("invalid_input", 422, "提交的内容有误"),
    ("bad_request", 400, "请求格式有误"),
    ("csrf_failed", 403, "CSRF 校验失败"),
    ("locked", 429, "尝试次数过多，请稍后再试"),
    ("conflict", 409, "记录已被他人修改"),
    ("payload_too_large", 413, "上传内容过大"),
    ("method_not_allowed", 405, "该接口不支持此请求方法"),
    ("internal", 500, "服务器内部错误"),
];

impl AppError {
    pub fn code(&self) -> &'static str {
        match self {
            AppError::NotFound(_) => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::PasswordChangeRequired | AppError::SecondFactorRequired => "forbidden",
            AppError::Forbidden(_) => "forbidden",
            AppError::Invalid(_) => "invalid_input",
            AppError::BadRequest(_) => "bad_request",
            AppError::Csrf => "csrf_failed",
            AppError::Locked(_) => "locked",
            AppError::Conflict(_) => "conflict",
            AppError::PayloadTooLarge(_) => "payload_too_large",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn status(&self) -> StatusCode {
        let code = self.code();
        let n = ERROR_CODES
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(_, s, _)| *s)
            .unwrap_or(500);
        StatusCode::from_u16(n).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn forbidden() -> Self {
        AppError::Forbidden("无权执行此操作：您的账号没有该机构或功能的相应权限".into())
    }

    pub fn not_found() -> Self {
        AppError::NotFound("您访问的页面不存在或尚未公开".into())
    }

    /// The JSON body of an API error.
    pub fn to_json(&self) -> serde_json::Value {
        let errors = match self {
            AppError::Invalid(inv) => serde_json::to_value(&inv.errors).unwrap_or_default(),
            _ => serde_json::json!([]),
        };
        serde_json::json!({"code": self.code(), "message": self.to_string(), "errors": errors})
    }

    /// Marks a 403 (no permission, failed CSRF check) for the audit of refusals
    /// (`crate::refusals`).
    fn mark_refusal(&self, resp: &mut Response) {
        if matches!(self, AppError::Forbidden(_) | AppError::Csrf) {
            resp.extensions_mut()
                .insert(crate::refusals::Refused(self.to_string()));
        }
    }

    fn log(&self) {
        if let AppError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        // One mapping of database refusals, the use-case layer's.
        gongkai_app::Refusal::from(e).into()
    }
}

impl From<gongkai_app::Refusal> for AppError {
    fn from(e: gongkai_app::Refusal) -> Self {
        use gongkai_app::Refusal;
        match e {
            Refusal::NotFound(m) => AppError::NotFound(m),
            Refusal::Forbidden(m) => AppError::Forbidden(m),
            Refusal::Invalid(inv) => AppError::Invalid(inv),
            Refusal::BadRequest(m) => AppError::BadRequest(m),
            Refusal::Conflict(m) => AppError::Conflict(m),
            Refusal::Internal(m) => AppError::Internal(m),
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        gongkai_app::Refusal::from(e).into()
    }
}

impl From<minijinja::Error> for AppError {
    fn from(e: minijinja::Error) -> Self {
        AppError::Internal(format!("template: {e:#}"))
    }
}

impl From<gongkai_search::SearchError> for AppError {
    fn from(e: gongkai_search::SearchError) -> Self {
        AppError::Internal(e.to_string())
    }
}

impl From<gongkai_infra::storage::StorageError> for AppError {
    fn from(e: gongkai_infra::storage::StorageError) -> Self {
        use gongkai_infra::storage::StorageError;
        match e {
            StorageError::NotFound(m) => AppError::NotFound(m),
            StorageError::Io(e) => AppError::from(e),
            StorageError::Shared(e) => AppError::Internal(format!("blobs: {e}")),
        }
    }
}

impl From<std::io::Error> for AppError {
    fn from(e: std::io::Error) -> Self {
        AppError::Internal(format!("io: {e}"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        if matches!(self, AppError::Unauthenticated) {
            return axum::response::Redirect::to("/admin/login").into_response();
        }
        if matches!(self, AppError::PasswordChangeRequired) {
            return axum::response::Redirect::to(crate::auth::CHANGE_PASSWORD_PATH).into_response();
        }
        if matches!(self, AppError::SecondFactorRequired) {
            return axum::response::Redirect::to(crate::auth::TOTP_PATH).into_response();
        }
        let status = self.status();
        let detail = match &self {
            AppError::Invalid(inv) => {
                let items: String = inv
                    .errors
                    .iter()
                    .map(|e| format!("<li>{}</li>", escape(&e.message)))
                    .collect();
                format!("<ul>{items}</ul>")
            }
            other => format!("<p>{}</p>", escape(&other.to_string())),
        };
        let title = match status.as_u16() {
            404 => "页面不存在",
            401 => "请先登录",
            403 => "无权访问",
            422 | 400 => "提交的内容有误",
            429 => "请稍后再试",
            409 => "内容已被修改",
            413 => "上传内容过大",
            _ => "出错了",
        };
        let body = format!(
            r#"<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><link rel="stylesheet" href="/static/site.css"></head><body><main id="main" class="container error-page"><h1>{title}</h1>{detail}<p><a href="/">返回网站首页</a></p></main></body></html>"#
        );
        let mut resp = (status, Html(body)).into_response();
        if status == StatusCode::NOT_FOUND {
            resp.extensions_mut().insert(PlainNotFound);
        }
        self.mark_refusal(&mut resp);
        resp
    }
}

/// Marks the plain 404 page, which the portal dresses in its layout
/// (`portal::not_found_in_layout`); a handler's own 404 page (a lookup form with its message) is
/// left alone.
#[derive(Debug, Clone, Copy)]
pub struct PlainNotFound;

/// Wraps an [`AppError`] so that it renders as JSON.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let mut res = (self.0.status(), axum::Json(self.0.to_json())).into_response();
        self.0.mark_refusal(&mut res);
        if matches!(self.0, AppError::Unauthenticated) {
            res.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// `&`, `<`, `>`, `"` and `'` escaped for text and attribute values (one copy, in gongkai-extract).
pub use gongkai_extract::html::escape;

/// Field errors as a map for templates: `errors.title` etc.
pub fn error_map(inv: &gongkai_domain::Invalid) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    for e in &inv.errors {
        m.entry(e.field.to_string())
            .or_insert_with(|| serde_json::Value::String(e.message.clone()));
    }
    serde_json::Value::Object(m)
}
