//! Does a cut-down bundle answer like the pack it came from?

use std::collections::BTreeSet;

use serde_json::Value;

use super::case::TestFile;
use crate::api::{Answer, Engine, evaluate_json};
use crate::runtime::Bundle;

/// What comparing a subset with its pack found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubsetComparison {
    /// Test cases of the kept entries evaluated by both.
    pub compared: usize,
    /// `file::case: …` for each case whose answers differ (bundle ids aside).
    pub differences: Vec<String>,
}

/// Runs every test case of `entries` in `full`'s bundle through `full` and
/// through `subset` and compares the answers byte for byte, with the subset's
/// bundle id read as the full one's. A subset that drops something its
/// entries use shows up here as a difference (usually "function not found"
/// or a missing parameter).
pub fn compare_subset(full: &Engine, subset: &Engine, entries: &[&str]) -> SubsetComparison {
    compare_subset_with(
        full.pack().bundle(),
        subset.bundle_id(),
        entries,
        &|call| evaluate_json(full, call),
        &|call| evaluate_json(subset, call),
    )
}

/// [`compare_subset`] for any runtime: `full` is the pack's bundle (its test
/// cases are read from it), `eval_full` and `eval_subset` evaluate an
/// `evaluate_json` envelope with the pack and with the subset (whose id is
/// `subset_id`) — for example each in its own wasmtime instance.
pub fn compare_subset_with(
    full: &Bundle,
    subset_id: &str,
    entries: &[&str],
    eval_full: &dyn Fn(&Value) -> Answer<Value>,
    eval_subset: &dyn Fn(&Value) -> Answer<Value>,
) -> SubsetComparison {
    let keep: BTreeSet<&str> = entries.iter().copied().collect();
    let Ok(manifest) = full.parse_manifest() else {
        return SubsetComparison::default();
    };
    let mut out = SubsetComparison::default();
    for (path, text) in full.test_files(&manifest.tests) {
        let Ok(file) = serde_json::from_str::<TestFile>(text) else {
            continue;
        };
        if !keep.contains(file.entry.as_str()) {
            continue;
        }
        for case in &file.cases {
            let Ok(call) = case.call(&file) else {
                continue;
            };
            let render = |answer: Answer<Value>, id: &str| {
                serde_json::to_string(&answer)
                    .unwrap_or_default()
                    .replace(id, "<bundle>")
            };
            let a = render(eval_full(&call), &full.id);
            let b = render(eval_subset(&call), subset_id);
            out.compared += 1;
            if a != b {
                let a: Value = serde_json::from_str(&a).unwrap_or(Value::Null);
                let b: Value = serde_json::from_str(&b).unwrap_or(Value::Null);
                let mut detail = super::mismatches(&a, &b).join("; ");
                if detail.is_empty() {
                    detail = "the subset's answer has fields the pack's has not".to_owned();
                }
                out.differences
                    .push(format!("{path}::{}: {detail}", case.name));
            }
        }
    }
    out
}
