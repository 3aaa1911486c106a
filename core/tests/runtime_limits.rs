//! Untrusted rules are bounded and their failures are typed, located errors.

mod common;

use chrono::{DateTime, Utc};
use ordex_core::api::{Answer, Engine, evaluate_json_str};
use ordex_core::runtime::{BundleError, EvalError, Location};
use serde_json::json;

fn now() -> DateTime<Utc> {
    "2026-11-27T10:00:00Z".parse().expect("time")
}

fn engine(source: &str) -> Engine {
    Engine::from_bundle(common::generic_pack(source, "")).expect("compiles")
}

#[test]
fn an_endless_loop_stops_with_limit_exceeded() {
    let e =
        engine("// a runaway rule\nfn main(input, ctx) {\n  let x = 0;\n  loop { x += 1; }\n}\n");
    let err = e
        .evaluate("main", json!({}), None, now())
        .expect_err("must stop");
    match err {
        EvalError::LimitExceeded {
            limit, location, ..
        } => {
            assert_eq!(limit, "max_operations");
            // Rhai gives no position for this limit: the entry function is named instead.
            assert!(
                matches!(location, Location::Source { ref file, line: 2, .. } if file == "main.rhai"),
                "{location:?}"
            );
        }
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
}

#[test]
fn deep_recursion_stops_with_limit_exceeded() {
    let e = engine("fn main(input, ctx) { down(0) }\nfn down(n) { down(n + 1) }\n");
    let err = e
        .evaluate("main", json!({}), None, now())
        .expect_err("must stop");
    assert!(
        matches!(err, EvalError::LimitExceeded { ref limit, .. } if limit == "max_call_levels"),
        "{err:?}"
    );
}

#[test]
fn a_huge_string_stops_with_limit_exceeded() {
    let e = engine("fn main(input, ctx) { let s = \"xxxxxxxxxx\"; loop { s += s; } }\n");
    let err = e
        .evaluate("main", json!({}), None, now())
        .expect_err("must stop");
    assert!(
        matches!(err, EvalError::LimitExceeded { ref limit, .. } if limit == "max_string_size"),
        "{err:?}"
    );
}

#[test]
fn manifest_limits_apply_and_cannot_be_raised_past_the_ceiling() {
    let tight = common::generic_pack(
        "fn main(input, ctx) { let n = 0; for i in 0..1000 { n += i; } n }\n",
        "[limits]\nmax_operations = 100\n",
    );
    let e = Engine::from_bundle(tight).expect("compiles");
    assert!(matches!(
        e.evaluate("main", json!({}), None, now()),
        Err(EvalError::LimitExceeded { .. })
    ));
    let greedy = common::generic_pack(
        "fn main(input, ctx) { 1 }\n",
        "[limits]\nmax_operations = 18446744073709551615\n",
    );
    let err = Engine::from_bundle(greedy).expect_err("over the ceiling");
    assert!(
        err.diagnostics()[0].message.contains("max_operations"),
        "{err}"
    );
}

#[test]
fn a_syntax_error_names_file_line_and_column() {
    let bundle = common::generic_pack("fn main(input, ctx) {\n  let x = 1\n  x\n}\n", "");
    let err = Engine::from_bundle(bundle).expect_err("syntax error");
    let d = &err.diagnostics()[0];
    assert_eq!(d.code, "rule_syntax");
    assert!(
        matches!(d.location, Some(Location::Source { ref file, line: 3, .. }) if file == "main.rhai"),
        "{d:?}"
    );
}

#[test]
fn an_undeclared_variable_is_a_compile_error_with_a_hint() {
    let bundle = common::generic_pack("fn main(input, ctx) {\n  total + 1\n}\n", "");
    let err = Engine::from_bundle(bundle).expect_err("undeclared");
    let d = &err.diagnostics()[0];
    assert!(
        matches!(
            d.location,
            Some(Location::Source {
                line: 2,
                col: 3,
                ..
            })
        ),
        "{d:?}"
    );
    assert!(
        d.hint
            .as_deref()
            .is_some_and(|h| h.contains("Functions cannot see variables")),
        "{d:?}"
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let manifest = "name = \"t\"\nversion = \"1\"\n[entries.a]\nfile = \"a.rhai\"\n[entries.b]\nfile = \"missing.rhai\"\n[entries.c]\nfile = \"a.rhai\"\nfunction = \"nope\"\n";
    let files =
        std::collections::BTreeMap::from([("a.rhai".to_owned(), "fn a(x, y) { 1 }\n".to_owned())]);
    let err = Engine::from_bundle(ordex_core::runtime::Bundle::from_files(
        manifest.into(),
        files,
    ))
    .expect_err("invalid");
    let codes: Vec<String> = err.diagnostics().into_iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["entry_file_missing", "entry_function_missing"],
        "{err}"
    );
    assert!(matches!(
        err.diagnostics()[0].location,
        Some(Location::Source { line: 5, .. })
    ));
}

#[test]
fn a_runtime_error_in_a_library_points_into_the_library() {
    let manifest = "name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n";
    let files = std::collections::BTreeMap::from([
        (
            "main.rhai".to_owned(),
            "fn main(input, ctx) {\n  helpers::boom(input)\n}\n".to_owned(),
        ),
        (
            "lib/helpers.rhai".to_owned(),
            "fn boom(x) {\n  x.nothing.deeper\n}\n".to_owned(),
        ),
    ]);
    let e = Engine::from_bundle(ordex_core::runtime::Bundle::from_files(
        manifest.into(),
        files,
    ))
    .expect("compiles");
    let err = e
        .evaluate("main", json!({}), None, now())
        .expect_err("runtime error");
    assert_eq!(err.code(), "rule_runtime");
    assert!(
        matches!(err.location(), Some(Location::Source { file, line: 2, .. }) if file == "lib/helpers.rhai"),
        "{err:?}"
    );
}

#[test]
fn a_malformed_decision_names_the_rule_file_line_and_field() {
    let manifest = "name = \"t\"\nversion = \"1\"\n[entries.triage]\nfile = \"t.rhai\"\n";
    let src = "// triage\n\nfn triage(event, ctx) {\n  #{ category: \"x\", urgency: \"P9\", priority_score: 1, customer_value_tier: \"low\", route: \"agent\", workflow: \"w\", sla_minutes: 60 }\n}\n";
    let files = std::collections::BTreeMap::from([("t.rhai".to_owned(), src.to_owned())]);
    let e = Engine::from_bundle(ordex_core::runtime::Bundle::from_files(
        manifest.into(),
        files,
    ))
    .expect("compiles");
    let call =
        json!({"now": "2026-11-27T10:00:00Z", "input": common::example("payment_declined.json")});
    let Answer::Failure { errors, .. } = ordex_core::api::triage_json(&e, &call) else {
        panic!("must fail")
    };
    assert_eq!(errors[0].code, "rule_bad_return");
    assert!(
        errors[0].message.contains("urgency"),
        "{}",
        errors[0].message
    );
    assert_eq!(
        errors[0].location,
        Some(Location::Source {
            file: "t.rhai".into(),
            line: 3,
            col: 1
        })
    );
}

#[test]
fn rules_cannot_modify_their_input() {
    let e = engine("fn main(input, ctx) { input.order = 5; input }\n");
    let err = e
        .evaluate("main", json!({"order": 1}), None, now())
        .expect_err("read-only");
    assert_eq!(err.code(), "rule_runtime");
}

#[test]
fn eval_is_disabled() {
    let err = Engine::from_bundle(common::generic_pack(
        "fn main(input, ctx) { eval(\"1\") }\n",
        "",
    ))
    .expect_err("eval disabled");
    assert!(matches!(err, BundleError::Invalid { .. }));
}

#[test]
fn oversized_and_overdeep_inputs_are_refused_with_a_path() {
    let e = engine("fn main(input, ctx) { 1 }\n");
    let mut deep = String::new();
    for _ in 0..40 {
        deep.push_str("{\"a\":");
    }
    deep.push('1');
    deep.push_str(&"}".repeat(40));
    let answer = evaluate_json_str(
        &e,
        &format!("{{\"entry\":\"main\",\"now\":\"2026-11-27T10:00:00Z\",\"input\":{deep}}}"),
    );
    assert!(answer.contains("input_too_deep"), "{answer}");
    let big = format!(
        "{{\"entry\":\"main\",\"now\":\"2026-11-27T10:00:00Z\",\"input\":\"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    assert!(evaluate_json_str(&e, &big).contains("input_too_large"));
}

#[test]
fn invalid_json_text_reports_line_and_column() {
    let e = engine("fn main(input, ctx) { 1 }\n");
    let answer: serde_json::Value = serde_json::from_str(&evaluate_json_str(
        &e,
        "{\n  \"entry\": \"main\",\n  oops\n}",
    ))
    .expect("json answer");
    assert_eq!(answer["errors"][0]["code"], "input_json_syntax");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("line 3")),
        "{answer}"
    );
}

#[test]
fn network_rules_are_data_a_manifest_can_override() {
    let manifest = "name = \"t\"\nversion = \"1\"\n[entries.main]\nfile = \"main.rhai\"\n[params.network]\nvisa_reattempts_30d = [{ from = \"2020-01-01\", value = 3 }]\n";
    let files = std::collections::BTreeMap::from([(
        "main.rhai".to_owned(),
        "fn main(input, ctx) { network_retry(input, ctx) }\n".to_owned(),
    )]);
    let e = Engine::from_bundle(ordex_core::runtime::Bundle::from_files(
        manifest.into(),
        files,
    ))
    .expect("compiles");
    let attempt = |at: &str| json!({"at": at, "brand": "visa", "gateway": "iso8583", "decline_code": "51", "amount_minor": 100, "currency": "USD", "initiator": "merchant"});
    let request = json!({"schema_version": 1, "failure": attempt("2026-11-27T09:00:00Z"),
        "history": [attempt("2026-11-20T09:00:00Z"), attempt("2026-11-21T09:00:00Z"), attempt("2026-11-22T09:00:00Z")]});
    let verdict = e
        .evaluate("main", request, None, now())
        .expect("evaluates")
        .value;
    assert_eq!(verdict["limit"], 3, "{verdict}");
    assert_eq!(verdict["used"], 3);
    assert_eq!(verdict["rule"], "visa.reattempt_limit");
    assert_eq!(
        verdict["earliest"], "2026-12-20T09:00:00Z",
        "the oldest decline must leave the 30-day window first"
    );
}
