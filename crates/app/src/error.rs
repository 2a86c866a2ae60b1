//! The typed refusal every use case returns. Channels map it to their own answer: the back
//! office re-renders the form, the API returns its stable error code.

use gongkai_db::DbError;
use gongkai_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(Invalid),
    #[error("{0}")]
    BadRequest(String),
    /// Someone else changed the record since it was loaded.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Internal(String),
}

pub type Outcome<T> = Result<T, Refusal>;

impl Refusal {
    pub fn forbidden() -> Self {
        Refusal::Forbidden("无权执行此操作：您的账号没有该机构或功能的相应权限".into())
    }

    pub fn not_found() -> Self {
        Refusal::NotFound("您访问的页面不存在或尚未公开".into())
    }
}

impl From<DbError> for Refusal {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Invalid(inv) => Refusal::Invalid(inv),
            DbError::NotFound(m) => Refusal::NotFound(m.to_string()),
            DbError::Forbidden(m) => Refusal::Forbidden(m),
            DbError::Stale => Refusal::Conflict(DbError::Stale.to_string()),
            other => Refusal::Internal(other.to_string()),
        }
    }
}

impl From<Invalid> for Refusal {
    fn from(e: Invalid) -> Self {
        Refusal::Invalid(e)
    }
}

impl From<sqlx::Error> for Refusal {
    fn from(e: sqlx::Error) -> Self {
        Refusal::Internal(e.to_string())
    }
}
