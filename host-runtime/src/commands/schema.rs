//! `ordex schema`.

use std::path::Path;
use std::process::ExitCode;

/// Writes one `<name>.schema.json` per document.
pub fn run(output: &Path) -> Result<ExitCode, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(output)?;
    for (name, schema) in ordex_core::model::json_schemas() {
        let path = output.join(format!("{name}.schema.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&schema)? + "\n")?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
