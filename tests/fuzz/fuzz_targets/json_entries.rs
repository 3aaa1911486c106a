//! Any bytes as a call envelope to every entry point of the default pack:
//! the answer is always a JSON document (`ok` or typed `errors`), never a panic.
#![no_main]

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ordex_core::api::{Engine, evaluate_json_str};
use ordex_core::runtime::Bundle;

/// The default pack, read once from `rules/`.
fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
        let mut files = BTreeMap::new();
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).expect("rules dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rhai" || e == "json" || e == "model")
                    || (path.extension().is_some_and(|e| e == "csv") && path.parent().is_some_and(|p| p.ends_with("tables")))
                {
                    let rel = path.strip_prefix(&root).expect("inside").to_string_lossy().replace('\\', "/");
                    if !rel.starts_with("examples/") {
                        files.insert(rel, std::fs::read_to_string(&path).expect("read"));
                    }
                }
            }
        }
        let manifest = std::fs::read_to_string(root.join("ordex.toml")).expect("manifest");
        Engine::from_bundle(Bundle::from_files(manifest, files)).expect("default pack compiles")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let engine = engine();
    let answer = evaluate_json_str(engine, text);
    let parsed: serde_json::Value = serde_json::from_str(&answer).expect("answers are JSON");
    assert!(parsed.get("ok").is_some() || parsed.get("errors").is_some());
    // Also as the envelope of each typed entry.
    for entry in ["checkout", "triage", "retry"] {
        let call = format!("{{\"entry\":\"{entry}\",\"now\":\"2026-11-27T10:00:00Z\",\"input\":{text}}}");
        let answer = evaluate_json_str(engine, &call);
        assert!(answer.starts_with('{'), "{answer}");
    }
});
