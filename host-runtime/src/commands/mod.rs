//! One module per subcommand.

pub mod bench;
pub mod bundle;
pub mod check;
pub mod docs;
pub mod eval;
pub mod knowledge;
pub mod nab;
pub mod new;
pub mod replay;
pub mod schema;
pub mod serve;
pub mod simulate;
pub mod test;
pub mod train;
pub mod train_risk;
pub mod whatif;

use std::path::Path;

use ordex_core::api::Engine;

use ordex_host::pack_dir;

/// Loads and compiles a pack, printing diagnostics on failure.
pub fn engine(pack: &Path) -> Result<Option<Engine>, Box<dyn std::error::Error>> {
    let bundle = pack_dir::load(pack)?;
    match Engine::from_bundle_checked(bundle.clone()) {
        Ok(e) => Ok(Some(e)),
        Err(err) => {
            for d in err.diagnostics() {
                eprint!("{}", ordex_host::render::diagnostic(&bundle, &d));
            }
            eprintln!("{} error(s) in {}", err.diagnostics().len(), pack.display());
            Ok(None)
        }
    }
}

/// The evaluator the runtime arguments ask for.
pub fn evaluator(
    engine: Engine,
    args: &crate::RuntimeArgs,
) -> Result<ordex_host::evaluator::Evaluator, Box<dyn std::error::Error>> {
    let limits = ordex_host::wasm_host::HostLimits {
        fuel: args.fuel,
        deadline: std::time::Duration::from_millis(args.deadline_ms),
        ..ordex_host::wasm_host::HostLimits::default()
    };
    Ok(ordex_host::evaluator::Evaluator::new(
        args.runtime,
        engine,
        args.module.as_deref(),
        limits,
    )?)
}
