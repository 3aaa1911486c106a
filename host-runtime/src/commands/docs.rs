//! `ordex docs`: the rule-author reference, generated from the engine.

use std::path::Path;
use std::process::ExitCode;

/// Writes the reference to `output`, or prints it.
pub fn run(output: Option<&Path>) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let text = ordex_core::runtime::reference_markdown();
    match output {
        Some(path) => {
            std::fs::write(path, &text)?;
            println!("{}", path.display());
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}
