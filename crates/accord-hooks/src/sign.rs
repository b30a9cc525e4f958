//! `X-Accord-Signature`: HMAC-SHA256, keyed by the subscription's secret,
//! over the string `<t>.<body>` (`t` the sending time in unix seconds, as
//! decimal digits; the body's bytes exactly as sent). The header is
//! `t=<t>,v1=<64 lower-case hex digits>`. A receiver recomputes it, compares
//! in constant time, and rejects a `t` more than 5 minutes from its clock
//! (a replayed request).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a signature's time may be from the receiver's clock.
pub const TOLERANCE_SECS: i64 = 300;

fn mac(secret: &str, t: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `t`.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    let digest = mac(secret, t, body).finalize().into_bytes();
    format!("t={t},v1={}", hex(&digest))
}

/// Why a receiver refuses a request.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("the signature header is not `t=<unix seconds>,v1=<hex>`")]
    Malformed,
    #[error("signed at {t}, {by} s away from now: older than {TOLERANCE_SECS} s (a replay?) or from a wrong clock")]
    Stale { t: i64, by: i64 },
    #[error("the signature does not match the body under this secret")]
    Mismatch,
}

/// Checks a signature header against `body`, the secret and the receiver's
/// clock `now` (unix seconds).
pub fn verify(header: &str, secret: &str, body: &[u8], now: i64) -> Result<(), VerifyError> {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1.push(unhex(value).ok_or(VerifyError::Malformed)?),
            _ => {}
        }
    }
    let t = t.ok_or(VerifyError::Malformed)?;
    if v1.is_empty() {
        return Err(VerifyError::Malformed);
    }
    let by = (now - t).abs();
    if by > TOLERANCE_SECS {
        return Err(VerifyError::Stale { t, by });
    }
    // Any v1 may match (a secret being rotated signs with both).
    if v1
        .iter()
        .any(|sig| mac(secret, t, body).verify_slice(sig).is_ok())
    {
        Ok(())
    } else {
        Err(VerifyError::Mismatch)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 == 1 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A new secret: `whsec_` and 32 random bytes in hex.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("whsec_{}", hex(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Values computed independently with Python's hmac module:
    //   hmac.new(b'whsec_test', b'1767625800.' + b'{"type":"lead.mql"}',
    //            hashlib.sha256).hexdigest()
    const PINNED: &str = "17bdb78fd6a256b96c4f4f1f757951066cf8d948b7c1c3a67cf17ab5a37d92bf";

    #[test]
    fn the_signature_is_pinned_against_python() {
        let body = br#"{"type":"lead.mql"}"#;
        assert_eq!(
            signature("whsec_test", 1_767_625_800, body),
            format!("t=1767625800,v1={PINNED}")
        );
    }

    #[test]
    fn hmac_matches_the_classic_vector() {
        // hmac.new(b'key', b'The quick brown fox jumps over the lazy dog', sha256)
        let mut m = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        m.update(b"The quick brown fox jumps over the lazy dog");
        assert_eq!(
            hex(&m.finalize().into_bytes()),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
    }

    #[test]
    fn verify_accepts_within_five_minutes_and_refuses_the_rest() {
        let body = br#"{"type":"lead.mql"}"#;
        let header = format!("t=1767625800,v1={PINNED}");
        assert_eq!(
            verify(&header, "whsec_test", body, 1_767_625_800 + 300),
            Ok(())
        );
        assert_eq!(
            verify(&header, "whsec_test", body, 1_767_625_800 + 301),
            Err(VerifyError::Stale {
                t: 1_767_625_800,
                by: 301
            })
        );
        assert_eq!(
            verify(&header, "whsec_other", body, 1_767_625_800),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify(
                &header,
                "whsec_test",
                br#"{"type":"lead.sql"}"#,
                1_767_625_800
            ),
            Err(VerifyError::Mismatch)
        );
        assert_eq!(
            verify("v1=00", "whsec_test", body, 0),
            Err(VerifyError::Malformed)
        );
        assert_eq!(
            verify("t=1,v1=zz", "whsec_test", body, 1),
            Err(VerifyError::Malformed)
        );
    }

    proptest::proptest! {
        /// What is signed verifies within the window; any other body does not.
        #[test]
        fn a_signature_verifies_only_its_own_body(
            body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200),
            flip in 0usize..200,
            t in 0i64..4_000_000_000,
            skew in -300i64..=300,
        ) {
            let header = signature("whsec_k", t, &body);
            proptest::prop_assert_eq!(verify(&header, "whsec_k", &body, t + skew), Ok(()));
            if !body.is_empty() {
                let mut other = body.clone();
                other[flip % body.len()] ^= 1;
                proptest::prop_assert_eq!(
                    verify(&header, "whsec_k", &other, t),
                    Err(VerifyError::Mismatch)
                );
            }
        }
    }

    #[test]
    fn secrets_are_new_each_time() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 6 + 64);
        assert!(a.starts_with("whsec_"));
    }
}
