//! `/images/{id}`: an image in an item body. The public gets it only while a public item shows
//! it; a signed-in back-office user who may see unpublished items gets it at once, so the editor,
//! the preview and the reviewers see uploads before publication (`gongkai_app::body_images`).

use super::parse_id;
use crate::auth::CurrentUser;
use crate::{AppError, AppState};
use axum::extract::{Path, State};
use axum::response::Response;

pub async fn show(
    State(state): State<AppState>,
    user: Result<CurrentUser, AppError>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = parse_id(&id)?;
    let user = user.ok();
    let image = {
        let mut conn = state.db.pool.acquire().await?;
        gongkai_app::body_images::readable(&mut conn, user.as_ref().map(|u| &u.perms), id)
            .await
            .map_err(|_| AppError::not_found())?
    };
    let bytes = state.storage.get(&image.sha256).await?;
    let ext = image.content_type.trim_start_matches("image/");
    // An image may stop being public when its item is withdrawn: caches must ask again; one
    // shown only to a signed-in user stays out of shared caches.
    let cache = if user.is_some() {
        "private, no-cache"
    } else {
        "no-cache"
    };
    Ok(crate::download::file(
        bytes,
        &image.content_type,
        &format!("image-{id}.{ext}"),
        None,
        Some(cache),
    ))
}
