//! `ordex replay`: evaluates a decision stored by `ordex serve` again, with
//! its stored call on the bundle that made it, and says whether the answer
//! is byte-identical. Exit status 0 when it is, 1 when it is not.

use std::path::Path;
use std::process::ExitCode;

use ordex_core::api::Engine;
use ordex_host::serve::replay;
use ordex_host::serve::store::{Store, bundles, decisions};
use serde_json::json;

use super::evaluator;
use crate::RuntimeArgs;

/// Replays the decision on event `decision` in the database at `database`.
pub fn run(
    database: &Path,
    decision: &str,
    runtime: &RuntimeArgs,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    if !database.exists() {
        return Err(format!("{}: no such database", database.display()).into());
    }
    let store = Store::open(database)?;
    let stored = store.read(|c| decisions::for_event(c, decision))?;
    let call = stored.call_json.clone().ok_or_else(|| {
        format!(
            "the decision on event `{decision}` was stored before ordex kept each decision's call"
        )
    })?;
    let bundle = store.read(|c| bundles::get(c, &stored.bundle_id))?;
    let engine = Engine::from_bundle_json(&bundle)?;
    let (text, _) = evaluator(engine, runtime)?.evaluate_str(&call);
    let outcome = replay::compare(&stored.answer_json, &text);
    println!(
        "{}",
        json!({
            "decision": stored.event_id,
            "bundle_id": stored.bundle_id,
            "identical": outcome.identical,
            "first_difference": outcome.first_difference,
        })
    );
    Ok(if outcome.identical {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
