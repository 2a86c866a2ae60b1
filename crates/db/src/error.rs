use gongkai_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{0}")]
    NotFound(&'static str),
    /// The person may not do this (a workflow refusal), in Chinese.
    #[error("{0}")]
    Forbidden(String),
    /// Someone else changed the record since it was loaded.
    #[error("该记录已被他人修改，请刷新后重试")]
    Stale,
    #[error("{0}")]
    Config(String),
    /// A transaction opened for an audited write tried to commit without its audit entry.
    #[error("写操作没有审计记录，已撤销")]
    Unaudited,
}

pub type DbResult<T> = Result<T, DbError>;

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(d) => {
            matches!(d.kind(), sqlx::error::ErrorKind::UniqueViolation)
                || d.code().as_deref() == Some("23505")
                || d.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Maps a unique-constraint failure to a field error with a Chinese message.
pub(crate) trait OnUnique<T> {
    fn on_unique(self, field: &'static str, message: &str) -> DbResult<T>;
}

impl<T> OnUnique<T> for Result<T, sqlx::Error> {
    fn on_unique(self, field: &'static str, message: &str) -> DbResult<T> {
        self.map_err(|e| {
            if is_unique_violation(&e) {
                DbError::Invalid(Invalid::one(field, message))
            } else {
                DbError::Sqlx(e)
            }
        })
    }
}
