//! What `ordex new kind` writes: a handler file for one exception kind in
//! the pack's handler directory, and beside it a test file whose base is a
//! sample event of that kind. Pure: the pack's manifest and existing paths in,
//! the files to write out; the command does the I/O.

use ordex_core::model::ExceptionKind;
use ordex_core::runtime::{EntryKind, Manifest, closest_name};
use thiserror::Error;

/// Why a handler cannot be scaffolded.
#[derive(Debug, Error, PartialEq)]
pub enum ScaffoldError {
    /// Not one of the exception kinds.
    #[error("`{kind}` is not an exception kind{}", suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownKind {
        /// What was asked for.
        kind: String,
        /// The nearest kind.
        suggestion: Option<String>,
    },
    /// The manifest does not parse.
    #[error("ordex.toml: {0}")]
    Manifest(String),
    /// No triage entry dispatches by kind.
    #[error(
        "no triage entry in ordex.toml declares `handlers`: add `handlers = \"triage\"` under its [entries.…] table, then move each kind's rules to triage/<kind>.rhai"
    )]
    NoHandlers,
    /// The handler exists already.
    #[error("{0} exists already")]
    Exists(String),
}

/// A file to write: path relative to the pack, and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    /// Where, relative to the pack directory.
    pub path: String,
    /// What.
    pub text: String,
}

/// A sample event of `kind`, from the repository's examples.
fn sample_event(kind: ExceptionKind) -> &'static str {
    match kind {
        ExceptionKind::PaymentDeclined => {
            include_str!("../../rules/examples/payment_declined.json")
        }
        ExceptionKind::AddressInvalid => include_str!("../../rules/examples/address_invalid.json"),
        ExceptionKind::AddressChangeRequested => {
            include_str!("../../rules/examples/address_change_requested.json")
        }
        ExceptionKind::InventoryShortage => {
            include_str!("../../rules/examples/inventory_shortage.json")
        }
        ExceptionKind::CarrierException => {
            include_str!("../../rules/examples/carrier_exception.json")
        }
        ExceptionKind::CancellationRequested => {
            include_str!("../../rules/examples/cancellation_requested.json")
        }
        ExceptionKind::ReturnRequested => {
            include_str!("../../rules/examples/return_requested.json")
        }
        ExceptionKind::SplitShipment => include_str!("../../rules/examples/split_shipment.json"),
        ExceptionKind::MarketplaceSellerLate => {
            include_str!("../../rules/examples/marketplace_seller_late.json")
        }
        ExceptionKind::ContractPriceDispute => {
            include_str!("../../rules/examples/contract_price_dispute.json")
        }
        ExceptionKind::CreditHold => include_str!("../../rules/examples/credit_hold.json"),
        ExceptionKind::CustomerMessage => {
            include_str!("../../rules/examples/customer_message.json")
        }
    }
}

/// The files that add a handler for `kind` to a pack whose manifest is
/// `manifest`; `exists` says whether a path is taken. A test file already
/// there is left alone (only the handler is written).
pub fn kind_handler(
    manifest: &str,
    kind: &str,
    exists: &dyn Fn(&str) -> bool,
) -> Result<Vec<NewFile>, ScaffoldError> {
    let Some(parsed) = ExceptionKind::parse(kind) else {
        let names: Vec<&str> = ExceptionKind::ALL.iter().map(|k| k.as_str()).collect();
        return Err(ScaffoldError::UnknownKind {
            kind: kind.to_owned(),
            suggestion: closest_name(kind, &names).map(str::to_owned),
        });
    };
    let m: Manifest =
        toml::from_str(manifest).map_err(|e| ScaffoldError::Manifest(e.to_string()))?;
    let (entry, dir) = m
        .entries
        .iter()
        .find_map(|(name, e)| {
            (m.entry_kind(name) == Some(EntryKind::Triage))
                .then(|| {
                    e.handlers
                        .as_deref()
                        .map(|d| (name.clone(), d.trim_matches('/').to_owned()))
                })
                .flatten()
        })
        .ok_or(ScaffoldError::NoHandlers)?;
    let handler = format!("{dir}/{kind}.rhai");
    if exists(&handler) {
        return Err(ScaffoldError::Exists(handler));
    }
    let f = ordex_core::runtime::HANDLER_FUNCTION;
    let mut files = vec![NewFile {
        path: handler,
        text: format!(
            "// Triage rules for `{kind}` events: `{f}` returns the decision `d` with\n\
             // this kind's rules applied. Called by `{dir}::{f}` (generated from\n\
             // ordex.toml's `handlers`); the rules for every kind stay in the entry.\n\
             // `facts` holds what the entry worked out first (see its call of `{dir}::{f}`).\n\
             \n\
             fn {f}(d, event, ctx, facts) {{\n    \
                 let ex = event.exception;\n    \
                 // d.category = \"{kind}\";\n    \
                 // d.route = \"agent\";   // agent, escalate, self_heal or auto_close\n    \
                 // d.urgency = \"P3\";    // P1 (most urgent) to P4\n    \
                 // d.fire(\"{kind}.example\", \"Why this rule decided\", #{{ }});\n    \
                 d\n\
             }}\n"
        ),
    }];
    // The handler's tests sit beside it.
    let tests = format!("{dir}/{kind}{}", ordex_core::runtime::TEST_FILE_SUFFIX);
    if !exists(&tests) {
        let base: serde_json::Value =
            serde_json::from_str(sample_event(parsed)).unwrap_or(serde_json::Value::Null);
        let doc = serde_json::json!({
            "entry": entry,
            "now": "2026-11-27T10:00:00Z",
            "base": base,
            "cases": [
                {"name": format!("{kind}: the sample event is triaged as its kind"), "expect": {"kind": kind}}
            ]
        });
        files.push(NewFile {
            path: tests,
            text: format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            ),
        });
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "name = \"p\"\nversion = \"1\"\n[entries.triage]\nfile = \"triage.rhai\"\nhandlers = \"triage\"\n";

    #[test]
    fn a_handler_and_a_test_with_a_sample_event_of_the_kind() {
        let files = kind_handler(MANIFEST, "credit_hold", &|_| false).expect("scaffold");
        assert_eq!(files[0].path, "triage/credit_hold.rhai");
        assert!(files[0].text.contains("fn handle(d, event, ctx, facts) {"));
        assert_eq!(files[1].path, "triage/credit_hold.test.json");
        let doc: serde_json::Value = serde_json::from_str(&files[1].text).expect("json");
        assert_eq!(doc["base"]["exception"]["kind"], "credit_hold");
        assert_eq!(doc["cases"][0]["expect"]["kind"], "credit_hold");
    }

    #[test]
    fn existing_files_unknown_kinds_and_packs_without_handlers_are_refused() {
        assert_eq!(
            kind_handler(MANIFEST, "credit_hld", &|_| false),
            Err(ScaffoldError::UnknownKind {
                kind: "credit_hld".into(),
                suggestion: Some("credit_hold".into())
            })
        );
        assert_eq!(
            kind_handler(MANIFEST, "credit_hold", &|p| p == "triage/credit_hold.rhai"),
            Err(ScaffoldError::Exists("triage/credit_hold.rhai".into()))
        );
        let tests_taken = kind_handler(MANIFEST, "credit_hold", &|p| p.ends_with(".test.json"))
            .expect("handler only");
        assert_eq!(tests_taken.len(), 1);
        let plain = "name = \"p\"\nversion = \"1\"\n[entries.triage]\nfile = \"triage.rhai\"\n";
        assert_eq!(
            kind_handler(plain, "credit_hold", &|_| false),
            Err(ScaffoldError::NoHandlers)
        );
    }
}
