//! One module per subcommand.

pub mod bundle;
pub mod check;
pub mod docs;
pub mod eval;
pub mod knowledge;
pub mod schema;
pub mod test;

use std::path::Path;

use ordex_core::api::Engine;

use crate::pack_dir;

/// Loads and compiles a pack, printing diagnostics on failure.
pub fn engine(pack: &Path) -> Result<Option<Engine>, Box<dyn std::error::Error>> {
    let bundle = pack_dir::load(pack)?;
    match Engine::from_bundle(bundle.clone()) {
        Ok(e) => Ok(Some(e)),
        Err(err) => {
            for d in err.diagnostics() {
                eprint!("{}", crate::render::diagnostic(&bundle, &d));
            }
            eprintln!("{} error(s) in {}", err.diagnostics().len(), pack.display());
            Ok(None)
        }
    }
}
