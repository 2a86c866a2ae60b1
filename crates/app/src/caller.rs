//! Who is acting: the audit identity and what the permission table lets them do.

use gongkai_db::Actor;
use gongkai_domain::role::Permissions;

/// The person (or the program) a use case acts for.
pub struct Caller<'a> {
    pub actor: Actor,
    pub perms: &'a Permissions,
}
