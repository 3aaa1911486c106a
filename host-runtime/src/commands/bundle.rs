//! `ordex bundle`.

use std::path::Path;
use std::process::ExitCode;

use super::engine;

/// Compiles the pack (a bundle that does not compile is never written) and
/// writes it; with `entries`, writes only what those entries use, after
/// checking that it answers their test cases exactly like the whole pack.
pub fn run(
    pack: &Path,
    output: &Path,
    entries: &[String],
) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let Some(engine) = engine(pack)? else {
        return Ok(ExitCode::from(1));
    };
    let full = engine.pack().bundle();
    let (bundle, note) = if entries.is_empty() {
        (full.clone(), String::new())
    } else {
        let names: Vec<&str> = entries.iter().map(String::as_str).collect();
        match ordex_host::subset::checked_subset(&engine, &names) {
            Ok(s) => {
                let note = format!(
                    "; entries {} only: {} of the pack's {} bytes, {} test case(s) answer identically",
                    entries.join(", "),
                    s.bundle.to_json().len(),
                    full.to_json().len(),
                    s.cases_compared
                );
                (s.bundle, note)
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(1));
            }
        }
    };
    std::fs::write(output, bundle.to_json())?;
    println!(
        "{} -> {} ({} files, {}){note}",
        pack.display(),
        output.display(),
        bundle.files.len(),
        bundle.id
    );
    Ok(ExitCode::SUCCESS)
}
