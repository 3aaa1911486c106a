//! `ordex check`.

use std::path::Path;
use std::process::ExitCode;

use super::engine;

/// Compiles the pack and prints a summary.
pub fn run(pack: &Path) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some(engine) = engine(pack)? else {
        return Ok(ExitCode::from(1));
    };
    let p = engine.pack();
    let m = p.manifest();
    println!("ok: {} {} ({})", m.name, m.version, p.bundle_id());
    println!("entry points:");
    for (name, e) in p.entries() {
        println!(
            "  {name:<10} {}:{} fn {}(input, ctx)  [{:?}]",
            e.file, e.line, e.function, e.kind
        );
    }
    for (name, entry) in &m.entries {
        if let Some(dir) = entry.handlers.as_deref() {
            let dir = dir.trim_matches('/');
            let n = p
                .bundle()
                .files
                .keys()
                .filter(|f| f.starts_with(&format!("{dir}/")) && f.ends_with(".rhai"))
                .count();
            println!(
                "  {name:<10} dispatches by kind to {n} handler(s) in {dir}/ (`{dir}::handle`)"
            );
        }
    }
    let rule_ids = rule_ids(p.bundle());
    println!("rules: {} rule ids fired by the pack", rule_ids.len());
    let files: Vec<&str> = p.bundle().test_files(&m.tests).map(|(_, t)| t).collect();
    let tests: usize = files
        .iter()
        .filter_map(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .map(|v| v["cases"].as_array().map_or(0, Vec::len))
        .sum();
    println!(
        "tests: {tests} case(s) in {} file(s) (under {}/ and *{})",
        files.len(),
        m.tests,
        ordex_core::runtime::TEST_FILE_SUFFIX
    );
    println!("limits: {:?}", m.limits);
    if !m.tables.is_empty() {
        println!("tables:");
        for (name, t) in &m.tables {
            println!("  {name:<20} {}  [{:?}]", t.file, t.hit);
        }
    }
    for w in p.warnings() {
        println!("warning[{}]: {w}", w.code);
    }
    Ok(ExitCode::SUCCESS)
}

/// Rule ids named in `fire("…"` calls across the pack's rule files.
fn rule_ids(bundle: &ordex_core::runtime::Bundle) -> std::collections::BTreeSet<String> {
    let mut ids = std::collections::BTreeSet::new();
    for (path, text) in &bundle.files {
        if !path.ends_with(".rhai") {
            continue;
        }
        for part in text.split("fire(\"").skip(1) {
            if let Some(id) = part.split('"').next() {
                ids.insert(id.to_owned());
            }
        }
    }
    ids
}
