//! The rule-author reference is generated from the engine and committed.

#[test]
fn the_committed_reference_matches_the_engine() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules-reference.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(
        committed,
        ordex_core::runtime::reference_markdown(),
        "docs/rules-reference.md is stale: run `cargo run -p ordex-host -- docs -o docs/rules-reference.md`"
    );
}

#[test]
fn every_function_rules_can_call_is_documented() {
    let reference = ordex_core::runtime::reference_markdown();
    for name in [
        "decline",
        "network_retry",
        "minor_units",
        "money",
        "risk_signals",
        "validate_address",
        "normalize_postal",
        "postal_code_valid",
        "delivery_point",
        "carrier_refuses",
        "country_name",
        "tracking_status",
        "shipment_status",
        "add_minutes",
        "add_hours",
        "add_days",
        "minutes_between",
        "hours_between",
        "days_between",
        "days_since",
        "is_before",
        "is_time",
        "sla_due",
        "is_business_time",
        "local_time",
        "fire",
        "action",
        "finding",
        "warn",
        "clamp",
        "normalize_text",
        "mentions",
        "tokens",
        "squish",
        "is_digits",
        "digits_only",
        "len",
        "keys",
        "copy",
        "contains",
        "is_empty",
    ] {
        assert!(
            reference.contains(&format!("| `{name}(")),
            "{name} is not in the reference"
        );
    }
    assert!(
        !reference.contains("|  |"),
        "a function has no documentation"
    );
}
