use std::path::{Path, PathBuf};

use super::WasmHostError;

/// File name of the host-ABI module.
pub const MODULE_FILE: &str = "ordex_abi.wasm";

/// Finds the module: an explicit path, `ORDEX_MODULE`, next to the `ordex`
/// executable, or where this workspace's build puts it.
pub fn locate_module(explicit: Option<&Path>) -> Result<PathBuf, WasmHostError> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(p) = explicit {
        candidates.push(p.to_owned());
    }
    if let Some(p) = std::env::var_os("ORDEX_MODULE") {
        candidates.push(PathBuf::from(p));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_owned))
    {
        candidates.push(dir.join(MODULE_FILE));
    }
    candidates.push(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../target/wasm32-unknown-unknown/wasm")
            .join(MODULE_FILE),
    );
    if let Some(found) = candidates.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let tried = candidates
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    Err(WasmHostError::ModuleNotFound { tried })
}
