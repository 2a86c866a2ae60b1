//! Reading date columns as [`CivilDate`]: a `NOT NULL` column with
//! `#[sqlx(try_from = "String")]`, a nullable one with `#[sqlx(try_from = "NullableDate")]` on an
//! `Option<CivilDate>` field. Text that is not `YYYY-MM-DD` is a decode error, never a silent
//! default; in a nullable column an empty text is no date, as older rows may hold one.

use gongkai_domain::CivilDate;
use gongkai_domain::civil_date::BadDate;
use sqlx::any::{Any, AnyTypeInfo, AnyValueRef};
use sqlx::error::BoxDynError;

/// A nullable `YYYY-MM-DD` column as read, before it becomes an `Option<CivilDate>`.
pub struct NullableDate(Option<String>);

impl sqlx::Type<Any> for NullableDate {
    fn type_info() -> AnyTypeInfo {
        <String as sqlx::Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as sqlx::Type<Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, Any> for NullableDate {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        Ok(NullableDate(<Option<String> as sqlx::Decode<Any>>::decode(
            value,
        )?))
    }
}

impl TryFrom<NullableDate> for Option<CivilDate> {
    type Error = BadDate;
    fn try_from(v: NullableDate) -> Result<Self, BadDate> {
        v.0.filter(|s| !s.trim().is_empty())
            .map(CivilDate::try_from)
            .transpose()
    }
}
