//! Any bytes as a bundle file: loading answers a bundle or typed errors.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ordex_core::api::{Engine, ErrorInfo};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = Engine::from_bundle_json(text) {
        let errors = ErrorInfo::from_bundle(&e);
        assert!(!errors.is_empty());
    }
});
