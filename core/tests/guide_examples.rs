//! The rule-author guide's examples run: every fenced block in
//! `docs/rule-guide.md` whose info string names a file (```` ```rhai
//! file=fees/lib/money.rhai ````) is part of the pack named by the path's
//! first segment; each pack must compile with the static checks and pass
//! its own test cases, so the guide cannot drift from what the engine does.

use std::collections::BTreeMap;

use ordex_core::api::Engine;
use ordex_core::runtime::Bundle;
use ordex_core::testing::run_bundle_tests;

/// pack name -> (path in the pack -> text)
fn packs(guide: &str) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut lines = guide.lines();
    while let Some(line) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let file = info
            .split_whitespace()
            .find_map(|w| w.strip_prefix("file="))
            .map(str::to_owned);
        let mut body = String::new();
        for l in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push_str(l);
            body.push('\n');
        }
        if let Some(file) = file {
            let (pack, path) = file.split_once('/').expect("file=<pack>/<path>");
            let previous = out
                .entry(pack.to_owned())
                .or_default()
                .insert(path.to_owned(), body);
            assert!(previous.is_none(), "{file} appears twice in the guide");
        }
    }
    out
}

#[test]
fn every_example_pack_in_the_guide_compiles_and_passes_its_tests() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rule-guide.md");
    let guide = std::fs::read_to_string(path).expect("docs/rule-guide.md");
    let packs = packs(&guide);
    assert!(packs.len() >= 3, "example packs found: {:?}", packs.keys());
    let mut cases = 0;
    for (name, mut files) in packs {
        let manifest = files
            .remove("ordex.toml")
            .unwrap_or_else(|| panic!("pack `{name}` has no ordex.toml block"));
        let engine = Engine::from_bundle_checked(Bundle::from_files(manifest, files))
            .unwrap_or_else(|e| panic!("pack `{name}` does not compile: {e}"));
        let outcomes = run_bundle_tests(&engine, None)
            .unwrap_or_else(|e| panic!("pack `{name}`'s tests do not parse: {e:?}"));
        assert!(!outcomes.is_empty(), "pack `{name}` has no test cases");
        for o in &outcomes {
            assert!(
                o.passed,
                "guide pack `{name}`, case `{}`: {:?}\nanswer: {}",
                o.name, o.mismatches, o.answer
            );
        }
        cases += outcomes.len();
    }
    assert!(cases >= 8, "{cases} cases");
}
