//! `ordex test`.

use std::path::Path;
use std::process::ExitCode;

use ordex_core::testing::run_tests_with;

use super::{engine, evaluator};
use crate::RuntimeArgs;

/// Runs the cases in the chosen runtime; prints failures with their
/// differences and a closing count.
pub fn run(
    pack: &Path,
    filter: Option<&str>,
    verbose: bool,
    runtime: &RuntimeArgs,
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some(engine) = engine(pack)? else {
        return Ok(ExitCode::from(1));
    };
    let bundle = engine.pack().bundle().clone();
    let tests_dir = engine.pack().manifest().tests.clone();
    let eval = evaluator(engine, runtime)?;
    let outcomes = match run_tests_with(&bundle, &tests_dir, filter, &|call| eval.evaluate(call)) {
        Ok(o) => o,
        Err(errors) => {
            for e in errors {
                eprintln!("error: {e}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let mut failed = 0;
    for o in &outcomes {
        if o.passed {
            if verbose {
                println!("PASS {}::{}", o.file, o.name);
            }
            continue;
        }
        failed += 1;
        println!("FAIL {}::{}", o.file, o.name);
        for m in &o.mismatches {
            println!("     {m}");
        }
        println!("     answer: {}", o.answer);
    }
    if outcomes.is_empty() {
        println!(
            "no test case matched{}",
            filter.map(|f| format!(" `{f}`")).unwrap_or_default()
        );
        return Ok(ExitCode::from(1));
    }
    println!("{} passed, {} failed", outcomes.len() - failed, failed);
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
