//! Each decision's call (input, context, `now`) is stored compressed: it is
//! the largest thing kept per event, and replay and what-if read it back.
//! Raw DEFLATE (flate2); reading is bounded, so a damaged or hostile row
//! cannot expand without limit.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;

use super::StoreError;

/// Largest call a stored row may expand to: calls are bounded at intake
/// far below this.
pub const MAX_CALL_BYTES: u64 = 8 << 20;

/// The call text, compressed for storage.
pub fn pack(call: &str) -> Vec<u8> {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(call.as_bytes());
    enc.finish().unwrap_or_default()
}

/// The call text back from storage.
pub fn unpack(bytes: &[u8]) -> Result<String, StoreError> {
    let mut out = String::new();
    DeflateDecoder::new(bytes)
        .take(MAX_CALL_BYTES + 1)
        .read_to_string(&mut out)
        .map_err(|e| StoreError::Corrupt(format!("a stored call does not inflate: {e}")))?;
    if out.len() as u64 > MAX_CALL_BYTES {
        return Err(StoreError::Corrupt(format!(
            "a stored call expands beyond {MAX_CALL_BYTES} bytes"
        )));
    }
    Ok(out)
}

/// The call of a decision row: the compressed column, else the text column
/// older rows have.
pub fn call_of(
    packed: Option<Vec<u8>>,
    text: Option<String>,
) -> Result<Option<String>, StoreError> {
    match packed {
        Some(bytes) => unpack(&bytes).map(Some),
        None => Ok(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_round_trip_smaller_and_bad_bytes_are_an_error() {
        let call = serde_json::json!({"entry": "triage", "now": "2026-11-27T10:00:00Z",
            "input": {"order": {"lines": vec![serde_json::json!({"sku": "SKU-1", "quantity": 1, "unit_price_minor": 2499}); 40]}}})
        .to_string();
        let packed = pack(&call);
        assert!(
            packed.len() * 5 < call.len(),
            "{} of {}",
            packed.len(),
            call.len()
        );
        assert_eq!(unpack(&packed).unwrap(), call);
        assert!(unpack(b"not deflate").is_err());
        assert_eq!(
            call_of(None, Some("x".into())).unwrap().as_deref(),
            Some("x")
        );
        assert_eq!(
            call_of(Some(pack("y")), Some("x".into()))
                .unwrap()
                .as_deref(),
            Some("y")
        );
    }

    #[test]
    fn a_row_that_expands_without_bound_is_refused() {
        let huge = "a".repeat((MAX_CALL_BYTES + 10) as usize);
        assert!(matches!(unpack(&pack(&huge)), Err(StoreError::Corrupt(_))));
    }
}
