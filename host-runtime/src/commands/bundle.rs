//! `ordex bundle`.

use std::path::Path;
use std::process::ExitCode;

use super::engine;

/// Compiles the pack (a bundle that does not compile is never written) and writes it.
pub fn run(pack: &Path, output: &Path) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some(engine) = engine(pack)? else {
        return Ok(ExitCode::from(1));
    };
    let bundle = engine.pack().bundle();
    std::fs::write(output, bundle.to_json())?;
    println!(
        "{} -> {} ({} files, {})",
        pack.display(),
        output.display(),
        bundle.files.len(),
        bundle.id
    );
    Ok(ExitCode::SUCCESS)
}
