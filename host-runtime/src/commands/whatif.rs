//! `ordex whatif`: the decisions `ordex serve` stored over a period,
//! evaluated again with a candidate bundle (or pack directory), and what
//! would change, before anyone activates it.

use std::path::Path;
use std::process::ExitCode;

use ordex_host::serve::store::{Store, decisions};
use ordex_host::serve::whatif::{self, parse_since};
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
    let report = whatif::run(
        &stored,
        |call| eval.evaluate_str(call).0,
        |done, total| {
            eprintln!("{done} of {total} decisions evaluated");
        },
    );
    let mut out = serde_json::to_value(&report)?;
    out["candidate"] = Value::String(candidate_id);
    out["since"] = Value::String(since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}
