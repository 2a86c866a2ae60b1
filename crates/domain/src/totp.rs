//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 6 digits, 30-second
//! steps): the optional second factor of back-office accounts. Pure: the caller passes the time
//! and the random secret. Secrets are shown as RFC 4648 base32 and as an `otpauth://` URI.

use hmac::{Hmac, KeyInit, Mac};

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps either side of now that are accepted (clock drift).
pub const WINDOW: i64 = 1;

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// RFC 4648 base32 (case, spaces and padding ignored); `None` on any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let c = c.to_ascii_uppercase();
        let v = ALPHABET.iter().position(|&a| char::from(a) == c)?;
        buffer = (buffer << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xFF) as u8);
        }
    }
    Some(out)
}

/// The HOTP value of `counter` (RFC 4226), `digits` long.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> Option<u32> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).ok()?;
    mac.update(&counter.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash.last()? & 0x0F);
    let part = hash.get(offset..offset + 4)?;
    let value = u32::from_be_bytes([part[0] & 0x7F, part[1], part[2], part[3]]);
    Some(value % 10u32.pow(digits))
}

/// The step of a Unix time.
pub fn step_of(unix_secs: i64) -> i64 {
    unix_secs.div_euclid(STEP_SECS)
}

/// The 6-digit code of a step, zero-padded.
pub fn code_at(secret: &[u8], step: i64) -> Option<String> {
    let n = hotp(secret, u64::try_from(step).ok()?, DIGITS)?;
    Some(format!("{n:06}"))
}

/// The step whose code `code` is, within [`WINDOW`] steps of `unix_secs` and after
/// `last_used_step` (a code works once); `None` when it is not valid.
pub fn verify(secret: &[u8], code: &str, unix_secs: i64, last_used_step: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_of(unix_secs);
    (now - WINDOW..=now + WINDOW)
        .filter(|s| *s > last_used_step)
        .find(|s| {
            code_at(secret, *s).is_some_and(|c| {
                c.as_bytes()
                    .iter()
                    .zip(code.as_bytes())
                    .fold(0u8, |a, (x, y)| a | (x ^ y))
                    == 0
            })
        })
}

/// The `otpauth://` URI authenticator apps read (as text or as a QR code).
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        enc(issuer),
        enc(account),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 (8 digits).
    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        for (t, code) in [
            (59_i64, 94287082_u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let step = u64::try_from(step_of(t)).unwrap();
            assert_eq!(hotp(secret, step, 8), Some(code), "T = {t}");
        }
    }

    /// RFC 4226 appendix D.
    #[test]
    fn rfc4226_vectors() {
        let secret = b"12345678901234567890";
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (i, code) in expected.iter().enumerate() {
            assert_eq!(hotp(secret, i as u64, 6), Some(*code));
        }
    }

    #[test]
    fn base32_round_trips() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            base32_decode("mzxw 6ytb oi======"),
            Some(b"foobar".to_vec())
        );
        assert_eq!(base32_decode("MZ1"), None);
        let secret = b"12345678901234567890";
        assert_eq!(
            base32_decode(&base32_encode(secret)).as_deref(),
            Some(&secret[..])
        );
    }

    #[test]
    fn codes_work_once_within_the_window() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let code = code_at(secret, step_of(t)).unwrap();
        assert_eq!(verify(secret, &code, t, 0), Some(step_of(t)));
        assert_eq!(
            verify(secret, &code, t + 30, 0),
            Some(step_of(t)),
            "one step late"
        );
        assert_eq!(verify(secret, &code, t + 90, 0), None, "too late");
        assert_eq!(verify(secret, &code, t, step_of(t)), None, "used already");
        assert_eq!(verify(secret, "12345", t, 0), None);
        assert_eq!(verify(secret, "abcdef", t, 0), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let uri = otpauth_uri("政务公开", "admin", "MZXW6YTBOI");
        assert!(uri.starts_with("otpauth://totp/%E6%94%BF"));
        assert!(uri.contains(":admin?secret=MZXW6YTBOI&issuer=%E6"));
    }
}
