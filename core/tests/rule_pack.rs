//! The default rule pack passes its own test cases, and covers every kind.

mod common;

use ordex_core::model::ExceptionKind;
use ordex_core::testing::run_bundle_tests;

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
