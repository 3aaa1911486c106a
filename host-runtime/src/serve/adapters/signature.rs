//! Provider webhook signatures, checked in constant time (`Mac::verify_slice`).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &str) -> HmacSha256 {
    // HMAC takes a key of any length, so this cannot fail.
    HmacSha256::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!())
}

/// Hex HMAC-SHA256 of `parts` joined, under `secret` (also used to sign outgoing deliveries).
pub fn hmac_hex(secret: &str, parts: &[&[u8]]) -> String {
    let mut m = mac(secret);
    for p in parts {
        m.update(p);
    }
    hex::encode(m.finalize().into_bytes())
}

fn verify(secret: &str, parts: &[&[u8]], expected: &[u8]) -> bool {
    let mut m = mac(secret);
    for p in parts {
        m.update(p);
    }
    m.verify_slice(expected).is_ok()
}

/// Verifies a `Stripe-Signature` header (`t=<unix>,v1=<hex>[,v1=…]`): HMAC of
/// `"{t}.{body}"`, with `t` within `tolerance` seconds of `now`.
pub fn verify_stripe(
    header: &str,
    body: &[u8],
    secret: &str,
    now_unix: i64,
    tolerance: i64,
) -> Result<(), String> {
    let mut t = None;
    let mut sigs = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v),
            Some(("v1", v)) => sigs.push(v),
            _ => {}
        }
    }
    let t = t.ok_or("Stripe-Signature has no timestamp (t=)")?;
    let ts: i64 = t
        .parse()
        .map_err(|_| "Stripe-Signature timestamp is not a number".to_owned())?;
    if sigs.is_empty() {
        return Err("Stripe-Signature has no v1 signature".into());
    }
    if (now_unix - ts).abs() > tolerance {
        return Err(format!(
            "Stripe-Signature timestamp is {}s from now; the tolerance is {tolerance}s",
            now_unix - ts
        ));
    }
    let ok = sigs
        .iter()
        .any(|s| hex::decode(s).is_ok_and(|sig| verify(secret, &[t.as_bytes(), b".", body], &sig)));
    if ok {
        Ok(())
    } else {
        Err("no Stripe-Signature v1 signature matches the body".into())
    }
}

/// Verifies EasyPost's `X-Hmac-Signature: hmac-sha256-hex=<hex>` over the body.
pub fn verify_easypost(header: &str, body: &[u8], secret: &str) -> Result<(), String> {
    let hexsig = header
        .trim()
        .strip_prefix("hmac-sha256-hex=")
        .ok_or("X-Hmac-Signature must start with hmac-sha256-hex=")?;
    let sig = hex::decode(hexsig).map_err(|_| "X-Hmac-Signature is not hex".to_owned())?;
    if verify(secret, &[body], &sig) {
        Ok(())
    } else {
        Err("X-Hmac-Signature does not match the body".into())
    }
}

/// Verifies AfterShip's `aftership-hmac-sha256: <base64>` over the body.
pub fn verify_aftership(header: &str, body: &[u8], secret: &str) -> Result<(), String> {
    let sig = base64::engine::general_purpose::STANDARD
        .decode(header.trim())
        .map_err(|_| "aftership-hmac-sha256 is not base64".to_owned())?;
    if verify(secret, &[body], &sig) {
        Ok(())
    } else {
        Err("aftership-hmac-sha256 does not match the body".into())
    }
}

/// Base64 HMAC-SHA256 of `body` (how AfterShip signs; for tests and tools).
pub fn hmac_base64(secret: &str, body: &[u8]) -> String {
    let mut m = mac(secret);
    m.update(body);
    base64::engine::general_purpose::STANDARD.encode(m.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripe_signatures_verify_only_with_the_right_secret_body_and_time() {
        let body = br#"{"id":"evt_1"}"#;
        let sig = hmac_hex("whsec_x", &[b"1700000000", b".", body]);
        let header = format!("t=1700000000,v1={sig}");
        assert!(verify_stripe(&header, body, "whsec_x", 1_700_000_100, 300).is_ok());
        assert!(verify_stripe(&header, body, "whsec_y", 1_700_000_100, 300).is_err());
        assert!(verify_stripe(&header, b"{}", "whsec_x", 1_700_000_100, 300).is_err());
        assert!(verify_stripe(&header, body, "whsec_x", 1_700_001_000, 300).is_err());
        assert!(verify_stripe("v1=00", body, "whsec_x", 1_700_000_000, 300).is_err());
        // A rotated secret: Stripe sends one v1 per secret.
        let both = format!("t=1700000000,v1=deadbeef,v1={sig}");
        assert!(verify_stripe(&both, body, "whsec_x", 1_700_000_000, 300).is_ok());
    }

    #[test]
    fn easypost_and_aftership_signatures_verify() {
        let body = br#"{"a":1}"#;
        let hex = hmac_hex("s3cret", &[body]);
        assert!(verify_easypost(&format!("hmac-sha256-hex={hex}"), body, "s3cret").is_ok());
        assert!(verify_easypost(&format!("hmac-sha256-hex={hex}"), b"{}", "s3cret").is_err());
        assert!(verify_easypost(&hex, body, "s3cret").is_err());
        let b64 = hmac_base64("s3cret", body);
        assert!(verify_aftership(&b64, body, "s3cret").is_ok());
        assert!(verify_aftership(&b64, body, "other").is_err());
    }
}
