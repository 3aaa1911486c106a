//! Any text as a rule file (the entry and a library): compiling and calling
//! it ends in a decision or typed errors with a location, never a panic.
#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use ordex_core::api::{Engine, evaluate_json_str};
use ordex_core::runtime::Bundle;

const MANIFEST: &str = "name = \"fuzz\"\nversion = \"0\"\n[entries.decide]\nfile = \"decide.rhai\"\n[limits]\nmax_operations = 20000\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (entry, library) = text.split_once("\n---\n").unwrap_or((text, ""));
    let mut files = BTreeMap::new();
    files.insert("decide.rhai".to_owned(), entry.to_owned());
    files.insert("lib/helpers.rhai".to_owned(), library.to_owned());
    match Engine::from_bundle(Bundle::from_files(MANIFEST.to_owned(), files)) {
        Ok(engine) => {
            let answer = evaluate_json_str(
                &engine,
                r#"{"entry":"decide","now":"2026-11-27T10:00:00Z","input":{"a":[1,2,{"b":"c"}]}}"#,
            );
            assert!(answer.starts_with('{'), "{answer}");
        }
        Err(e) => assert!(!ordex_core::api::ErrorInfo::from_bundle(&e).is_empty()),
    }
});
