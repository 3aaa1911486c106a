//! One file per exception kind: a triage entry with `handlers = "triage"`
//! has `triage::handle` call `triage/<kind>.rhai`'s `handle` for the
//! event's typed kind; a kind without a file does not compile; stacks and
//! traces name the handler's file and the entry's call, never the
//! generated dispatch.

mod common;

use std::collections::BTreeMap;

use ordex_core::api::{Engine, triage_json_str};
use ordex_core::model::ExceptionKind;
use ordex_core::runtime::{Bundle, BundleError, Location};
use serde_json::{Value, json};

const MANIFEST: &str = "name = \"t\"\nversion = \"1\"\n[entries.triage]\nfile = \"triage.rhai\"\nhandlers = \"triage\"\n";

const ENTRY: &str = "\
fn triage(event, ctx) {
  let d = #{ category: \"unclassified\", urgency: \"P3\", priority_score: 0, customer_value_tier: \"low\",
             route: \"agent\", workflow: \"general_review\", actions: [], reasons: [], rules_fired: [], sla_minutes: 60 };
  d = triage::handle(d, event, ctx, #{ note: \"from the entry\" });
  d
}
";

fn files(except: &[&str]) -> BTreeMap<String, String> {
    let mut files = BTreeMap::from([("triage.rhai".to_owned(), ENTRY.to_owned())]);
    for kind in ExceptionKind::ALL {
        let k = kind.as_str();
        if except.contains(&k) {
            continue;
        }
        let body = if k == "payment_declined" {
            "fn handle(d, event, ctx, facts) {\n  if event.exception.payment.amount_minor > 1000000 { throw \"too much\"; }\n  d.category = `paid_${facts.note}`;\n  d.fire(\"pay.rule\", \"a payment rule\", #{});\n  d\n}\n".to_owned()
        } else {
            format!(
                "fn handle(d, event, ctx, facts) {{\n  d.category = \"{k}_handled\";\n  d\n}}\n"
            )
        };
        files.insert(format!("triage/{k}.rhai"), body);
    }
    files
}

fn engine() -> Engine {
    Engine::from_bundle(Bundle::from_files(MANIFEST.to_owned(), files(&[]))).expect("compiles")
}

fn triage(engine: &Engine, event: &Value, trace: bool) -> Value {
    let call = json!({"now": "2026-11-27T10:00:00Z", "input": event, "trace": trace});
    serde_json::from_str(&triage_json_str(engine, &call.to_string())).expect("json")
}

#[test]
fn each_kind_runs_its_own_file() {
    let e = engine();
    for name in [
        "payment_declined",
        "credit_hold",
        "carrier_exception",
        "customer_message",
    ] {
        let event = common::example(&format!("{name}.json"));
        let answer = triage(&e, &event, false);
        let expected = if name == "payment_declined" {
            "paid_from the entry".to_owned()
        } else {
            format!("{name}_handled")
        };
        assert_eq!(
            answer["ok"]["category"],
            json!(expected),
            "{name}: {answer}"
        );
    }
}

#[test]
fn a_kind_without_a_handler_does_not_compile() {
    let err = Engine::from_bundle(Bundle::from_files(
        MANIFEST.to_owned(),
        files(&["credit_hold", "split_shipment"]),
    ))
    .expect_err("two kinds have no handler");
    let BundleError::Invalid { diagnostics } = err else {
        panic!("{err}");
    };
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["missing_kind_handler"], "{diagnostics:?}");
    assert!(
        diagnostics[0]
            .message
            .contains("`split_shipment`, `credit_hold`")
    );
}

#[test]
fn a_failing_handler_names_its_file_and_the_entry_not_the_dispatch() {
    let mut event = common::example("payment_declined.json");
    event["exception"]["payment"]["amount_minor"] = json!(5_000_000);
    let answer = triage(&engine(), &event, true);
    let error = &answer["errors"][0];
    assert_eq!(
        error["location"]["file"], "triage/payment_declined.rhai",
        "{answer}"
    );
    let stack: Vec<(&str, &str)> = error["stack"]
        .as_array()
        .expect("stack")
        .iter()
        .map(|f| {
            (
                f["function"].as_str().unwrap_or_default(),
                f["location"]["file"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        stack,
        [
            (
                "triage::payment_declined::handle",
                "triage/payment_declined.rhai"
            ),
            ("triage", "triage.rhai")
        ]
    );
    // The trace: the entry, then the handler, called from the entry's line.
    let entry = &answer["trace"]["steps"][0];
    let handler = &entry["steps"][0];
    assert_eq!(handler["function"], "triage::payment_declined::handle");
    assert_eq!(handler["called_at"]["file"], "triage.rhai");
    assert_eq!(handler["called_at"]["line"], 4);
    assert!(
        handler["error"]
            .as_str()
            .is_some_and(|e| e.contains("too much"))
    );
}

#[test]
fn the_handler_directory_is_checked_with_the_rest_of_the_pack() {
    let mut f = files(&[]);
    f.insert(
        "triage/credit_hld.rhai".to_owned(),
        "fn handle(d, event, ctx, facts) { d }\n".to_owned(),
    );
    let err = Engine::from_bundle_checked(Bundle::from_files(MANIFEST.to_owned(), f))
        .expect_err("a misspelt handler file");
    let BundleError::Invalid { diagnostics } = err else {
        panic!("{err}");
    };
    assert_eq!(diagnostics[0].code, "unknown_kind_handler");
    assert!(
        matches!(&diagnostics[0].location, Some(Location::Source { file, .. }) if file == "triage/credit_hld.rhai")
    );
    // With the file named right, the static checks see the handlers used
    // (by the dispatch) and nothing else to report.
    let ok = Engine::from_bundle_checked(Bundle::from_files(MANIFEST.to_owned(), files(&[])))
        .expect("compiles");
    let unused: Vec<_> = ok
        .pack()
        .warnings()
        .iter()
        .filter(|w| w.code == "unused_function")
        .collect();
    assert!(unused.is_empty(), "{unused:?}");
}

#[test]
fn a_handler_reading_a_field_no_event_has_fails_the_check() {
    let mut f = files(&[]);
    f.insert(
        "triage/credit_hold.rhai".to_owned(),
        "fn handle(d, event, ctx, facts) {\n  if event.order.shiping_address != () { d.category = \"x\"; }\n  d\n}\n".to_owned(),
    );
    let err = Engine::from_bundle_checked(Bundle::from_files(MANIFEST.to_owned(), f))
        .expect_err("a misspelt field");
    let BundleError::Invalid { diagnostics } = err else {
        panic!("{err}");
    };
    assert_eq!(diagnostics[0].code, "unknown_field", "{diagnostics:?}");
    assert!(
        matches!(&diagnostics[0].location, Some(Location::Source { file, line: 2, .. }) if file == "triage/credit_hold.rhai")
    );
    assert!(
        diagnostics[0]
            .hint
            .as_deref()
            .is_some_and(|h| h.contains("shipping_address"))
    );
}
