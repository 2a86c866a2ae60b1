//! **Refused operations in the audit log** ( 等保 2.0: 安全审计 covers refusals, not only sign-ins).
//! A signed-in user's request that ends in 403 (no permission, or a failed CSRF check) is recorded
//! as `auth.refused` with the method, the route and the reason, under the user's own name and
//! address. One middleware on the back office and the API does it, so no handler records anything.
//!
//! Who asked is noted by whatever authenticated the request ([`note`]: the `CurrentUser` and
//! `ApiUser` extractors, the CSRF check), so a refusal costs no second session lookup. Anonymous
//! requests are not recorded: they are sent to the login page or get 401, and recording them would
//! let anyone fill the log. A user's refusals are capped per minute ([`PER_USER_PER_MINUTE`]) for
//! the same reason; what is over the cap goes to the server log.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::http::Extensions;
use axum::middleware::Next;
use axum::response::Response;
use gongkai_db::Actor;
use gongkai_db::audit::{self, Entry};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// At most this many refusals of one user are recorded in one minute.
pub const PER_USER_PER_MINUTE: u32 = 30;

/// The audit action of a refused operation.
pub const ACTION: &str = "auth.refused";

/// The slot the authenticating code fills with the requesting user's id.
#[derive(Clone, Default)]
struct Requester(Arc<OnceLock<i64>>);

/// Why a response refused the request; set by the error responses of 403s.
#[derive(Clone, Debug)]
pub struct Refused(pub String);

/// Notes who is asking, for the audit of a refusal (a no-op outside the audited routers).
pub fn note(extensions: &Extensions, user_id: i64) {
    if let Some(r) = extensions.get::<Requester>() {
        let _ = r.0.set(user_id);
    }
}

/// The middleware: see the module documentation.
pub async fn audit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // A layer of the outer router: the URI is the whole path.
    let path = req.uri().path();
    if !(path.starts_with("/admin") || path.starts_with("/api/v1")) {
        return next.run(req).await;
    }
    let path = path.to_owned();
    let slot = Requester::default();
    req.extensions_mut().insert(slot.clone());
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned());
    let (parts, body) = req.into_parts();
    let ip = crate::util::client_ip(&parts, &state.config);
    let res = next.run(Request::from_parts(parts, body)).await;
    let (Some(refused), Some(&user_id)) = (res.extensions().get::<Refused>(), slot.0.get()) else {
        return res;
    };
    if !state.refusal_budget.spend(user_id, gongkai_db::now_ms()) {
        tracing::warn!(user_id, %method, %path, "拒绝记录已达每分钟上限，未写入审计日志");
        return res;
    }
    let entry = Entry {
        action: ACTION,
        entity: "route",
        entity_id: format!("{method} {}", route.as_deref().unwrap_or(&path)),
        summary: format!("拒绝 {method} {path}\u{FF1A}{}", refused.0),
        before: None,
        after: None,
    };
    if let Err(e) = record(&state, user_id, ip, entry).await {
        tracing::warn!(user_id, error = %e, "无法记录被拒绝的操作");
    }
    res
}

async fn record(
    state: &AppState,
    user_id: i64,
    ip: String,
    entry: Entry<'_>,
) -> Result<(), gongkai_db::DbError> {
    let mut conn = state.db.pool.acquire().await?;
    let user = gongkai_db::users::get(&mut conn, user_id).await?;
    let actor = Actor {
        user_id: Some(user.id),
        name: format!("{}\u{FF08}{}\u{FF09}", user.display_name, user.username),
        ip,
    };
    audit::record(&mut conn, &actor, entry).await
}

/// Each user's refusals recorded in the current minute (one per application state).
#[derive(Debug, Default)]
pub struct Budget(Mutex<(i64, HashMap<i64, u32>)>);

impl Budget {
    /// Counts one refusal of `user_id` in the current minute; false when over the cap. The map
    /// holds only the current minute's users.
    fn spend(&self, user_id: i64, now_ms: i64) -> bool {
        let minute = now_ms.div_euclid(60_000);
        let mut guard = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if guard.0 != minute {
            *guard = (minute, HashMap::new());
        }
        let n = guard.1.entry(user_id).or_insert(0);
        *n += 1;
        *n <= PER_USER_PER_MINUTE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_caps_one_user_per_minute_and_starts_again() {
        let budget = Budget::default();
        let t = 1_000 * 60_000;
        for _ in 0..PER_USER_PER_MINUTE {
            assert!(budget.spend(7, t));
        }
        assert!(!budget.spend(7, t + 1));
        assert!(
            budget.spend(8, t + 1),
            "another user has a budget of their own"
        );
        assert!(budget.spend(7, t + 60_000));
    }
}
