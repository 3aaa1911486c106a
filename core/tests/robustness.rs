//! Open-ended inputs: whatever arrives, the answer is a typed ok or error —
//! never a panic — and the same input always gives the same answer.

mod common;

use std::sync::OnceLock;

use ordex_core::api::{
    Engine, checkout_json_str, evaluate_json_str, retry_json_str, triage_json_str,
};
use proptest::prelude::*;
use serde_json::{Value, json};

fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(common::default_engine)
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e12f64..1e12).prop_map(Value::from),
        "[a-zA-Z0-9_ .@-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Paths into the sample event worth replacing with junk.
const PATHS: &[&str] = &[
    "/id",
    "/occurred_at",
    "/order",
    "/order/currency",
    "/order/lines",
    "/order/lines/0/quantity",
    "/order/total_minor",
    "/order/shipping_address",
    "/customer",
    "/customer/tier",
    "/customer/history",
    "/exception",
    "/exception/kind",
    "/exception/payment",
    "/exception/payment/decline_code",
    "/exception/payment/amount_minor",
    "/exception/payment/brand",
    "/exception/previous_attempts",
];

fn set(doc: &mut Value, pointer: &str, v: Value) {
    if let Some(slot) = doc.pointer_mut(pointer) {
        *slot = v;
    }
}

fn is_answer(text: &str) -> bool {
    let v: Value = serde_json::from_str(text).expect("answers are JSON");
    let ok = v.get("ok").is_some() && v.get("errors").is_none();
    let err = v
        .get("errors")
        .is_some_and(|e| e.as_array().is_some_and(|a| !a.is_empty()));
    (ok || err) && v["warnings"].is_array()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn junk_anywhere_in_an_event_gives_a_typed_answer(idx in 0..PATHS.len(), junk in arb_json()) {
        let mut event = common::example("payment_declined.json");
        set(&mut event, PATHS[idx], junk);
        let call = json!({"now": "2026-11-27T10:00:00Z", "input": event}).to_string();
        let first = triage_json_str(engine(), &call);
        prop_assert!(is_answer(&first), "{first}");
        prop_assert_eq!(first, triage_json_str(engine(), &call));
    }

    #[test]
    fn arbitrary_documents_on_every_entry_give_typed_answers(input in arb_json(), ctx in arb_json()) {
        let call = json!({"now": "2026-11-27T10:00:00Z", "input": input, "context": ctx}).to_string();
        prop_assert!(is_answer(&triage_json_str(engine(), &call)));
        let call = json!({"now": "2026-11-27T10:00:00Z", "input": input}).to_string();
        prop_assert!(is_answer(&checkout_json_str(engine(), &call)));
        prop_assert!(is_answer(&retry_json_str(engine(), &call)));
    }

    #[test]
    fn arbitrary_text_gives_a_typed_answer(text in ".{0,200}") {
        prop_assert!(is_answer(&evaluate_json_str(engine(), &text)));
    }
}
