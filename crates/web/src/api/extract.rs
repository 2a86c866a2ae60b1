//! Extractors whose rejections are API errors (JSON with a Chinese message), never axum's
//! plain-text defaults.

use crate::AppError;
use crate::error::ApiError;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// The largest JSON body the API reads.
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;

/// A JSON request body. Malformed JSON, a wrong `Content-Type` or a wrongly typed field is a
/// `bad_request`; a body over [`MAX_JSON_BYTES`] is `payload_too_large`.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(r) => Err(ApiError(json_rejection(&r))),
        }
    }
}

/// The detail axum puts after its English prefix (`…: line 1 column 5`, `org_id: …`).
fn detail(text: &str) -> &str {
    text.split_once(": ").map(|(_, d)| d).unwrap_or(text)
}

pub(crate) fn json_rejection(r: &JsonRejection) -> AppError {
    match r {
        JsonRejection::MissingJsonContentType(_) => AppError::BadRequest(
            "请求体须为 JSON，并带有请求头 Content-Type: application/json".into(),
        ),
        JsonRejection::JsonSyntaxError(e) => AppError::BadRequest(format!(
            "请求体不是合法的 JSON（{}）",
            detail(&e.body_text())
        )),
        JsonRejection::JsonDataError(e) => AppError::BadRequest(format!(
            "请求体的字段类型或结构有误（{}）",
            detail(&e.body_text())
        )),
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            AppError::PayloadTooLarge(format!(
                "请求体过大：接口请求体不能超过 {} MB",
                MAX_JSON_BYTES / 1024 / 1024
            ))
        }
        _ => AppError::BadRequest("无法读取请求体".into()),
    }
}

/// Query-string parameters.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError(query_rejection(&e))),
        }
    }
}

fn query_rejection(e: &QueryRejection) -> AppError {
    AppError::BadRequest(format!("查询参数有误（{}）", detail(&e.body_text())))
}

/// A positive integer id from the path. Anything else is the same `not_found` as an unknown id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(s)| s)
            .unwrap_or_default();
        parse_id(&raw).map(Id).ok_or_else(|| {
            ApiError(AppError::NotFound(
                "资源不存在或未公开（编号应为正整数）".into(),
            ))
        })
    }
}

pub(crate) fn parse_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_positive_integers() {
        assert_eq!(parse_id("12"), Some(12));
        for s in ["", "0", "-1", "1.5", "abc", "99999999999999999999"] {
            assert_eq!(parse_id(s), None, "{s}");
        }
    }

    #[test]
    fn details_drop_axums_english_prefix() {
        assert_eq!(
            detail("Failed to parse the request body as JSON: EOF at line 1 column 1"),
            "EOF at line 1 column 1"
        );
        assert_eq!(detail("plain"), "plain");
    }
}
