//! # ordex-abi
//!
//! The ordex core as a WebAssembly module that any runtime can drive —
//! wasmtime in `ordex`, wazero, Chicory, a browser — with plain exports, JSON
//! in and out, and zero imports. The contract is in `wasm/ABI.md`.
//!
//! Everything here is safe Rust; the few lines that turn guest addresses into
//! slices are in [`exports`], compiled only for wasm32.
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(target_arch = "wasm32")]
mod exports;

use std::sync::Mutex;

use ordex_core::api::{Answer, Engine, ErrorInfo, evaluate_json_str};
use serde_json::json;

/// Version of the export contract. Additive changes keep the number;
/// anything that changes an existing export's meaning increments it.
pub const ABI_VERSION: u32 = 1;

/// The loaded bundle. One module instance holds one bundle: hosts pool
/// instances, so there is no sharing and the lock is never contended.
static ENGINE: Mutex<Option<Engine>> = Mutex::new(None);

fn answer(value: &Answer<serde_json::Value>) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{\"errors\":[{\"code\":\"internal\",\"message\":\"answer not serialisable\"}],\"warnings\":[]}".to_owned())
}

fn failure(code: &str, message: String) -> String {
    answer(&Answer::fail(ErrorInfo {
        code: code.to_owned(),
        message,
        location: None,
        hint: None,
        stack: Vec::new(),
    }))
}

/// Loads (compiles) a bundle, replacing any earlier one. Answers
/// `{"ok": {"bundle_id", "entries"}, "warnings": []}` or the bundle's errors.
pub fn load_bundle(bytes: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return failure("bundle_malformed", "the bundle is not UTF-8".to_owned());
    };
    match Engine::from_bundle_json(text) {
        Ok(engine) => {
            let ok = json!({"bundle_id": engine.bundle_id(), "entries": engine.pack().entries().keys().collect::<Vec<_>>()});
            if let Ok(mut slot) = ENGINE.lock() {
                *slot = Some(engine);
            }
            answer(&Answer::Success {
                ok,
                warnings: Vec::new(),
            })
        }
        Err(e) => answer(&Answer::Failure {
            errors: ErrorInfo::from_bundle(&e),
            warnings: Vec::new(),
        }),
    }
}

/// Evaluates a call envelope `{"entry", "now", "input", "context"?}` against
/// the loaded bundle and answers as `evaluate_json_str` does.
pub fn evaluate(bytes: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return failure("input_json_syntax", "the call is not UTF-8".to_owned());
    };
    let engine = ENGINE.lock().ok().and_then(|slot| slot.clone());
    match engine {
        Some(engine) => evaluate_json_str(&engine, text),
        None => failure(
            "no_bundle",
            "no bundle is loaded: call ordex_load_bundle first".to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evaluate_before_load_is_an_error_not_a_trap() {
        let a: serde_json::Value = serde_json::from_str(&evaluate(b"{}")).expect("json");
        assert_eq!(a["errors"][0]["code"], "no_bundle");
        let a: serde_json::Value = serde_json::from_str(&load_bundle(b"\xff")).expect("json");
        assert_eq!(a["errors"][0]["code"], "bundle_malformed");
    }
}
