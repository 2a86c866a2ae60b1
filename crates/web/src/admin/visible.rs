//! The record a back-office route names by its `{id}`, loaded and authorised before the handler
//! body runs: a handler that takes `Visible<T>` never sees a record the signed-in user may not
//! see (another organisation's looks missing, 404). What the user may *do* with it is still the
//! use case's question (`gongkai_app`), asked again inside its transaction.

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::AppError;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use gongkai_app::{Caller, Outcome};
use sqlx::AnyConnection;
use std::future::Future;

/// The signed-in user and the record of the path's `{id}` they may see.
pub struct Visible<T> {
    pub user: CurrentUser,
    pub record: T,
}

/// A kind of record a route can name: how to load one for a caller, refusing what they may not
/// see. Each implementation is the use case's own `visible` function.
pub trait Record: Sized + Send {
    fn load<'a>(
        conn: &'a mut AnyConnection,
        caller: &'a Caller<'a>,
        id: i64,
    ) -> impl Future<Output = Outcome<Self>> + Send + 'a;
}

macro_rules! record {
    ($($ty:ty => $visible:path),* $(,)?) => {$(
        impl Record for $ty {
            fn load<'a>(
                conn: &'a mut AnyConnection,
                caller: &'a Caller<'a>,
                id: i64,
            ) -> impl Future<Output = Outcome<Self>> + Send + 'a {
                $visible(conn, caller, id)
            }
        }
    )*};
}

record! {
    gongkai_db::items::Item => gongkai_app::items::visible,
    gongkai_db::applications::ApplicationRow => gongkai_app::applications::visible,
    gongkai_db::messages::MessageRow => gongkai_app::messages::visible,
    gongkai_db::meetings::Meeting => gongkai_app::meetings::visible,
    gongkai_db::opinion::EventRow => gongkai_app::opinion::visible,
    gongkai_app::proposals::Case => gongkai_app::proposals::visible,
    gongkai_db::feedback::RoundRow => gongkai_app::feedback::visible_round,
}

/// The path's `{id}`; a route without one, or with a malformed one, names nothing (404).
fn path_id(params: &RawPathParams) -> Option<i64> {
    params
        .iter()
        .find(|(name, _)| *name == "id")
        .and_then(|(_, value)| value.parse().ok())
}

impl<T: Record> FromRequestParts<AppState> for Visible<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::not_found())?;
        let id = path_id(&params).ok_or_else(AppError::not_found)?;
        let mut conn = state.db.pool.acquire().await?;
        let caller = user.caller();
        let record = T::load(&mut conn, &caller, id).await?;
        drop(conn);
        Ok(Visible { user, record })
    }
}
