//! Images in item bodies (the editor's 正文图片 uploads). Who may upload and who
//! sees an image before it is public is `Permissions`'; the ownership rule （an image is public
//! only while a public item shows it） is `gongkai_db::body_images`'.

use crate::caller::Caller;
use crate::error::{Outcome, Refusal};
use gongkai_db::body_images::{self, BodyImage};
use gongkai_domain::role::Permissions;

/// Records an image whose bytes are already in the attachment storage; returns its id.
pub async fn upload(
    tx: &mut sqlx::AnyConnection,
    caller: &Caller<'_>,
    sha256: &str,
    content_type: &str,
    size_bytes: i64,
) -> Outcome<i64> {
    if !caller.perms.can_upload_body_images() {
        return Err(Refusal::Forbidden(
            "无权上传正文图片：您的账号没有任何机构的信息编辑权限".into(),
        ));
    }
    Ok(body_images::add(tx, &caller.actor, sha256, content_type, size_bytes).await?)
}

/// An image as the requester may see it: any image for a back-office user who may see
/// unpublished items, otherwise only one that a public item shows.
pub async fn readable(
    conn: &mut sqlx::AnyConnection,
    perms: Option<&Permissions>,
    id: i64,
) -> Outcome<BodyImage> {
    let found = if perms.is_some_and(Permissions::can_see_unpublished_body_images) {
        body_images::get(conn, id).await
    } else {
        body_images::get_public(conn, id).await
    };
    found.map_err(|_| Refusal::not_found())
}
