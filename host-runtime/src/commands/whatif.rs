//! `ordex whatif`: the decisions `ordex serve` stored over a period,
//! evaluated again with a candidate bundle (or pack directory), and what
//! would change, before anyone activates it.

use std::path::Path;
use std::process::ExitCode;

use ordex_host::serve::store::{Store, decisions};
use ordex_host::serve::whatif::{Report, parse_since};
use serde_json::Value;

use super::{engine, evaluator};
use crate::RuntimeArgs;

/// Most decisions one run evaluates.
const MAX_DECISIONS: usize = 200_000;

/// Runs the candidate `bundle` over the decisions since `since` in `database`.
pub fn run(
    database: &Path,
    bundle: &Path,
    since: &str,
    runtime: &RuntimeArgs,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if !database.exists() {
        return Err(format!("{}: no such database", database.display()).into());
    }
    let since = parse_since(since, ordex_host::serve::clock::now())?;
    let Some(candidate) = engine(bundle)? else {
        return Ok(ExitCode::FAILURE);
    };
    let candidate_id = candidate.bundle_id().to_owned();
    let eval = evaluator(candidate, runtime)?;
    let store = Store::open(database)?;
    let stored = store.read(|c| decisions::since(c, since, MAX_DECISIONS))?;
    let mut report = Report::default();
    for (i, d) in stored.iter().enumerate() {
        let Some(call_text) = &d.decision.call_json else {
            continue;
        };
        let call: Value = serde_json::from_str(call_text).unwrap_or(Value::Null);
        let old: Value = serde_json::from_str(&d.decision.answer_json).unwrap_or(Value::Null);
        let (text, _) = eval.evaluate_str(call_text);
        let new: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        report.add(&d.decision.event_id, &d.kind, &call, &old, &new);
        if (i + 1) % 1000 == 0 {
            eprintln!("{} of {} decisions evaluated", i + 1, stored.len());
        }
    }
    let mut out = serde_json::to_value(&report)?;
    out["candidate"] = Value::String(candidate_id);
    out["since"] = Value::String(since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}
