//! The default rule pack passes its own test cases, and covers every kind.

mod common;

use ordex_core::model::ExceptionKind;
use ordex_core::testing::run_bundle_tests;

/// A one-file pack with `tests` as its test file, run.
fn run_with_tests(source: &str, tests: &str) -> Vec<ordex_core::testing::CaseOutcome> {
    let mut bundle = common::generic_pack(source, "");
    bundle
        .files
        .insert("tests/main.json".to_owned(), tests.to_owned());
    let bundle = ordex_core::runtime::Bundle::from_files(bundle.manifest, bundle.files);
    let engine = ordex_core::api::Engine::from_bundle(bundle).expect("compiles");
    run_bundle_tests(&engine, None).expect("test file parses")
}

#[test]
fn default_pack_passes_its_own_tests() {
    let engine = common::default_engine();
    let outcomes = run_bundle_tests(&engine, None).expect("test files parse");
    let failed: Vec<_> = outcomes.iter().filter(|o| !o.passed).collect();
    assert!(failed.is_empty(), "failing rule tests: {failed:#?}");
    assert!(outcomes.len() >= 80, "only {} cases", outcomes.len());
}

#[test]
fn every_exception_kind_has_at_least_three_triage_cases() {
    let engine = common::default_engine();
    let outcomes = run_bundle_tests(&engine, None).expect("test files parse");
    for kind in ExceptionKind::ALL {
        let n = outcomes
            .iter()
            .filter(|o| o.entry == "triage")
            .filter(|o| {
                o.answer.pointer("/ok/kind").and_then(|k| k.as_str()) == Some(kind.as_str())
            })
            .count();
        assert!(
            n >= 3,
            "{} has only {n} successful triage cases",
            kind.as_str()
        );
    }
}

/// A case's `set` writes values at paths after its patch, `null` included,
/// which a merge patch cannot (there `null` removes the member); a path that
/// cannot be followed fails the case with the step and the segment.
#[test]
fn test_cases_can_set_a_field_to_null() {
    let source = "fn main(input, ctx) {\n  #{ has_note: \"note\" in input.order, null_note: is_null(input.order.note) }\n}\n";
    let tests = r#"{"entry": "main", "now": "2026-11-27T10:00:00Z", "base": {"order": {"note": "ring twice"}},
      "cases": [
        {"name": "patch removes", "patch": {"order": {"note": null}}, "expect": {"has_note": false}},
        {"name": "set keeps null", "set": [{"path": "order.note", "value": null}], "expect": {"has_note": true, "null_note": true}},
        {"name": "bad path", "set": [{"path": "order.note.x", "value": 1}], "expect": {}}
      ]}"#;
    let outcomes = run_with_tests(source, tests);
    let by_name = |n: &str| outcomes.iter().find(|o| o.name == n).expect(n);
    assert!(
        by_name("patch removes").passed,
        "{:?}",
        by_name("patch removes")
    );
    assert!(
        by_name("set keeps null").passed,
        "{:?}",
        by_name("set keeps null")
    );
    let bad = by_name("bad path");
    assert!(!bad.passed);
    assert!(
        bad.mismatches
            .iter()
            .any(|m| m.contains("set[0]: `order.note` is text")),
        "{:?}",
        bad.mismatches
    );
}

/// A case whose rule fails says which rule functions were running, so the
/// author sees the caller's line too, not only the line that threw.
#[test]
fn a_failing_case_names_the_call_stack() {
    let source =
        "fn half(n) {\n  n / 0\n}\n\nfn main(input, ctx) {\n  #{ half: half(input.n) }\n}\n";
    let tests = r#"{"entry": "main", "now": "2026-11-27T10:00:00Z",
      "cases": [{"name": "divides", "input": {"n": 4}, "expect": {"half": 2}}]}"#;
    let outcomes = run_with_tests(source, tests);
    let [case] = outcomes.as_slice() else {
        panic!("{outcomes:?}");
    };
    assert!(!case.passed);
    let message = case.mismatches.join("\n");
    assert!(
        message.contains("in half (main.rhai:2:")
            && message.contains("called from main (main.rhai:6:"),
        "{message}"
    );
}
