//! The opaque cursor of `GET /items`: the hex encoding of `"{published_at}:{id}"` of the last item
//! of a page. Lists are ordered by `(published_at DESC, id DESC)`, so the next page is everything
//! strictly after that pair (keyset pagination: stable while items are being published).

use crate::AppError;

/// Encodes the position after an item.
pub fn encode(published_at: i64, id: i64) -> String {
    hex::encode(format!("{published_at}:{id}"))
}

/// Decodes a cursor made by [`encode`]; anything else is a `bad_request`.
pub fn decode(cursor: &str) -> Result<(i64, i64), AppError> {
    let bad =
        || AppError::BadRequest("分页游标 cursor 无效：请原样使用上一页返回的 next_cursor".into());
    let bytes = hex::decode(cursor.trim()).map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (p, id) = text.split_once(':').ok_or_else(bad)?;
    let p = p.parse::<i64>().map_err(|_| bad())?;
    let id = id.parse::<i64>().map_err(|_| bad())?;
    if id <= 0 {
        return Err(bad());
    }
    Ok((p, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip() {
        for (p, id) in [(0, 1), (1_496_592_000_000, 42), (-5, i64::MAX)] {
            assert_eq!(decode(&encode(p, id)).unwrap(), (p, id));
        }
    }

    #[test]
    fn cursors_are_opaque_url_safe_text() {
        let c = encode(1_496_592_000_000, 7);
        assert!(c.chars().all(|c| c.is_ascii_hexdigit()), "{c}");
    }

    #[test]
    fn bad_cursors_are_bad_requests() {
        for c in [
            "",
            "zz",
            "abc",
            &hex::encode("12"),
            &hex::encode("x:1"),
            &hex::encode("1:y"),
            &hex::encode("1:0"),
            &hex::encode("1:-3"),
            &hex::encode([0xff, 0xfe, b':', b'1']),
        ] {
            let e = decode(c).unwrap_err();
            assert_eq!(e.code(), "bad_request", "{c}");
            assert!(e.to_string().contains("游标"));
        }
    }
}
