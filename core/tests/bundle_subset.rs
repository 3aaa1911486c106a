//! `Bundle::subset`: a checkout page gets the checkout rules and nothing else.

mod common;

use std::collections::BTreeMap;

use ordex_core::api::Engine;
use ordex_core::runtime::{Bundle, SubsetError};
use ordex_core::testing::compare_subset;

#[test]
fn the_checkout_subset_of_the_default_pack_answers_every_checkout_case_identically() {
    let full_bundle = common::default_bundle();
    let subset = full_bundle.subset(&["checkout"]).expect("subset");
    assert_ne!(subset.id, full_bundle.id);
    let full = Engine::from_bundle(full_bundle.clone()).expect("full compiles");
    let cut = Engine::from_bundle(subset.clone()).expect("subset compiles");
    let cmp = compare_subset(&full, &cut, &["checkout"]);
    assert!(cmp.compared >= 20, "only {} cases compared", cmp.compared);
    assert!(cmp.differences.is_empty(), "{:#?}", cmp.differences);

    // What a shopper's browser must not receive.
    assert!(!subset.files.contains_key("triage.rhai"));
    assert!(!subset.files.contains_key("retry.rhai"));
    assert!(!subset.files.contains_key("models/intents.model"));
    assert!(!subset.files.contains_key("models/carrier_notes.model"));
    assert!(
        !subset
            .files
            .keys()
            .any(|f| f.starts_with("tests/") || f.ends_with(".test.json"))
    );
    let manifest = subset.parse_manifest().expect("manifest");
    assert_eq!(manifest.entries.keys().collect::<Vec<_>>(), ["checkout"]);
    for triage_only in [
        "max_declines_before_agent",
        "serial_returner_returns",
        "auto_credit_max_usd",
        "sla_minutes",
    ] {
        assert!(
            !manifest.params.contains_key(triage_only),
            "{triage_only} leaked"
        );
    }
    for checkout_param in [
        "unusual_line_quantity",
        "usd_rates",
        "cancellation_risk_confirm_score",
    ] {
        assert!(
            manifest.params.contains_key(checkout_param),
            "{checkout_param} missing"
        );
    }
    assert!(
        manifest.models.contains_key("risk"),
        "checkout scores cancellation risk"
    );
    assert!(subset.to_json().len() * 3 < full_bundle.to_json().len());
    // The same pack always cuts to the same bundle.
    assert_eq!(
        full_bundle.subset(&["checkout"]).expect("again").id,
        subset.id
    );
}

fn pack(files: &[(&str, &str)], manifest: &str) -> Bundle {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(p, t)| ((*p).to_owned(), (*t).to_owned()))
        .collect();
    Bundle::from_files(manifest.to_owned(), files)
}

const MANIFEST: &str = r#"
name = "t"
version = "1"
[entries.a]
file = "a.rhai"
[entries.b]
file = "b.rhai"
[params]
used_by_a = 1
used_by_b = 2
used_by_lib = 3
[params.nested]
x = 1
"#;

#[test]
fn library_functions_are_kept_only_when_reachable_and_lines_stay_put() {
    let lib = "/// Reachable from a.\nfn helper(x, p) { x + p.used_by_lib + deeper() }\n\nfn deeper() { 1 }\n\n/// Only b calls this.\nfn secret(x) { x * 1000 }\n";
    let a = "fn a(input, ctx) {\n  let s = util::helper(ctx.params.used_by_a, ctx.params);\n  #{ v: s, n: ctx.params.nested.x }\n}\n";
    let b = "fn b(input, ctx) { util::secret(ctx.params.used_by_b) }\n";
    let full = pack(
        &[("a.rhai", a), ("b.rhai", b), ("lib/util.rhai", lib)],
        MANIFEST,
    );
    let cut = full.subset(&["a"]).expect("subset");
    let util = &cut.files["lib/util.rhai"];
    assert!(util.contains("fn helper") && util.contains("fn deeper"));
    assert!(!util.contains("secret") && !util.contains("1000"));
    assert_eq!(
        util.lines().count(),
        lib.lines().count(),
        "line numbers kept"
    );
    assert!(!cut.files.contains_key("b.rhai"));
    let m = cut.parse_manifest().expect("manifest");
    assert!(m.params.contains_key("used_by_a") && m.params.contains_key("used_by_lib"));
    assert!(m.params.contains_key("nested"));
    assert!(!m.params.contains_key("used_by_b"));
    let engine = Engine::from_bundle(cut).expect("compiles");
    let answer = ordex_core::api::evaluate_json(
        &engine,
        &serde_json::json!({"entry": "a", "input": {}, "now": "2026-01-01T00:00:00Z"}),
    );
    let text = serde_json::to_string(&answer).expect("json");
    assert!(text.contains("\"v\":5"), "{text}");
}

#[test]
fn unknown_or_missing_entries_are_typed_errors() {
    let full = pack(
        &[
            ("a.rhai", "fn a(i, c) { 1 }"),
            ("b.rhai", "fn b(i, c) { 1 }"),
        ],
        MANIFEST,
    );
    match full.subset(&["nope"]) {
        Err(SubsetError::UnknownEntry { name, available }) => {
            assert_eq!(name, "nope");
            assert_eq!(available, "a, b");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(full.subset(&[]), Err(SubsetError::NoEntries)));
}
