//! The JSON face: answers, determinism, bundle identity.

mod common;

use ordex_core::api::{Engine, triage_json_str};
use ordex_core::runtime::{Bundle, BundleError};
use serde_json::{Value, json};

fn call(event: &Value) -> String {
    json!({"now": "2026-11-27T10:00:00Z", "input": event}).to_string()
}

#[test]
fn the_same_bundle_input_and_now_give_byte_identical_answers() {
    let a = common::default_engine();
    let b = Engine::from_bundle(common::default_bundle()).expect("compiles");
    let event = common::example("payment_declined.json");
    let first = triage_json_str(&a, &call(&event));
    for _ in 0..5 {
        assert_eq!(first, triage_json_str(&a, &call(&event)));
        assert_eq!(first, triage_json_str(&b, &call(&event)));
    }
}

#[test]
fn every_decision_records_the_bundle_id() {
    let e = common::default_engine();
    let answer: Value = serde_json::from_str(&triage_json_str(
        &e,
        &call(&common::example("payment_declined.json")),
    ))
    .expect("json");
    assert_eq!(answer["ok"]["bundle_id"], e.bundle_id());
    assert!(e.bundle_id().starts_with("sha256:") && e.bundle_id().len() == 71);
}

#[test]
fn a_bundle_round_trips_and_a_tampered_one_is_refused() {
    let bundle = common::default_bundle();
    let text = bundle.to_json();
    let back = Bundle::from_json(&text).expect("round trip");
    assert_eq!(back, bundle);
    let tampered = text.replacen("P1", "P2", 1);
    assert!(matches!(
        Bundle::from_json(&tampered),
        Err(BundleError::IdMismatch { .. })
    ));
    let renamed = text.replacen("ordex-bundle/1", "ordex-bundle/9", 1);
    assert!(matches!(
        Bundle::from_json(&renamed),
        Err(BundleError::UnsupportedFormat { .. })
    ));
}

#[test]
fn an_unknown_envelope_member_is_an_error_not_ignored() {
    let e = common::default_engine();
    let text = json!({"now": "2026-11-27T10:00:00Z", "input": common::example("payment_declined.json"), "contxt": {}}).to_string();
    let answer: Value = serde_json::from_str(&triage_json_str(&e, &text)).expect("json");
    assert_eq!(answer["errors"][0]["location"]["path"], "contxt");
}

#[test]
fn a_missing_now_is_an_error_because_the_core_has_no_clock() {
    let e = common::default_engine();
    let text = json!({"input": common::example("payment_declined.json")}).to_string();
    let answer: Value = serde_json::from_str(&triage_json_str(&e, &text)).expect("json");
    assert_eq!(answer["errors"][0]["location"]["path"], "now");
}

#[test]
fn a_wrong_type_deep_inside_a_variant_is_located_exactly() {
    let e = common::default_engine();
    let mut event = common::example("payment_declined.json");
    event["exception"]["previous_attempts"] = json!([{"at": "2026-11-27T09:00:00Z", "gateway": "stripe", "amount_minor": 1, "currency": "USD", "attempt_number": -1}]);
    let answer: Value = serde_json::from_str(&triage_json_str(&e, &call(&event))).expect("json");
    assert_eq!(
        answer["errors"][0]["location"]["path"],
        "input.exception.previous_attempts[0].attempt_number",
        "{answer}"
    );
}

#[test]
fn json_schemas_are_generated_for_every_document_and_committed() {
    for (name, schema) in ordex_core::model::json_schemas() {
        assert!(
            schema["properties"].is_object() || schema["oneOf"].is_array(),
            "{name}"
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schema")
            .join(format!("{name}.schema.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            committed,
            serde_json::to_string_pretty(&schema).expect("schema json") + "\n",
            "{} is stale: run `cargo run -p ordex-host -- schema -o core/schema`",
            path.display()
        );
    }
}

#[test]
fn a_typed_entry_with_its_own_name_is_callable_and_validated_as_its_kind() {
    let manifest = "name = \"t\"\nversion = \"1\"\n[entries.eu_checkout]\nfile = \"eu.rhai\"\nfunction = \"check\"\nkind = \"checkout\"\n";
    let src = "fn check(cart, ctx) {\n  let out = #{ findings: [] };\n  if cart.order.currency != \"EUR\" { out.findings.push(finding(\"currency_not_eur\", \"order.currency\", \"block\", \"Please pay in euros.\")); }\n  out\n}\n";
    let files = std::collections::BTreeMap::from([("eu.rhai".to_owned(), src.to_owned())]);
    let e = Engine::from_bundle(Bundle::from_files(manifest.into(), files)).expect("compiles");
    let cart = json!({"schema_version": 1, "order": {"id": "c1", "currency": "USD", "lines": [{"sku": "A", "quantity": 1, "unit_price_minor": 100}]}});
    let call =
        json!({"entry": "eu_checkout", "now": "2026-11-27T10:00:00Z", "input": cart}).to_string();
    let answer: Value =
        serde_json::from_str(&ordex_core::api::evaluate_json_str(&e, &call)).expect("json");
    assert_eq!(answer["ok"]["blocked"], true, "{answer}");
    assert_eq!(answer["ok"]["findings"][0]["code"], "currency_not_eur");
    assert_eq!(answer["ok"]["bundle_id"], e.bundle_id());
    let bad = json!({"entry": "eu_checkout", "now": "2026-11-27T10:00:00Z", "input": {"schema_version": 1, "order": {"id": "c1", "currency": "usd"}}}).to_string();
    let answer: Value =
        serde_json::from_str(&ordex_core::api::evaluate_json_str(&e, &bad)).expect("json");
    assert_eq!(
        answer["errors"][0]["location"]["path"], "input.order.currency",
        "typed input checks apply"
    );
}
