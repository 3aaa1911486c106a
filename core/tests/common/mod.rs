//! Helpers shared by the integration tests (test-only I/O lives here, not in the core).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ordex_core::api::Engine;
use ordex_core::runtime::Bundle;

/// The repository's default rule pack directory.
pub fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules")
}

fn collect(root: &Path, dir: &Path, files: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).expect("read rules dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "examples") {
                collect(root, &path, files);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "rhai" || e == "json" || e == "model")
            || (path.extension().is_some_and(|e| e == "csv")
                && path.parent().is_some_and(|p| p.ends_with("tables")))
        {
            let rel = path
                .strip_prefix(root)
                .expect("under root")
                .to_string_lossy()
                .replace('\\', "/");
            files.insert(rel, std::fs::read_to_string(&path).expect("read rule file"));
        }
    }
}

/// The default pack as a bundle.
pub fn default_bundle() -> Bundle {
    let root = rules_dir();
    let manifest = std::fs::read_to_string(root.join("ordex.toml")).expect("manifest");
    let mut files = BTreeMap::new();
    collect(&root, &root, &mut files);
    Bundle::from_files(manifest, files)
}

/// The default pack compiled.
pub fn default_engine() -> Engine {
    Engine::from_bundle(default_bundle()).expect("default pack compiles")
}

/// A one-file pack with a generic entry `main` and the given source.
pub fn generic_pack(source: &str, limits: &str) -> Bundle {
    let manifest =
        format!("name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n{limits}");
    Bundle::from_files(
        manifest,
        BTreeMap::from([("main.rhai".to_owned(), source.to_owned())]),
    )
}

/// A sample event from `rules/examples`.
pub fn example(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(rules_dir().join("examples").join(name)).expect("example");
    serde_json::from_str(&text).expect("example json")
}
