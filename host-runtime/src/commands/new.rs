//! `ordex new kind <kind> <pack>`: scaffolds a kind handler and its tests
//! (what to write is [`ordex_host::scaffold`]'s; this writes it).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;

/// What `ordex new` makes.
#[derive(Subcommand)]
pub enum NewCommand {
    /// A handler for one exception kind (`triage/<kind>.rhai`) and a test
    /// file whose base is a sample event of that kind.
    Kind {
        /// The exception kind, e.g. `credit_hold`.
        kind: String,
        /// Pack directory (holding ordex.toml).
        pack: PathBuf,
    },
}

/// Runs `ordex new`.
pub fn run(command: &NewCommand) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match command {
        NewCommand::Kind { kind, pack } => kind_handler(kind, pack),
    }
}

fn kind_handler(kind: &str, pack: &Path) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let manifest_path = pack.join("ordex.toml");
    let manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("{}: {e}", manifest_path.display()))?;
    let files =
        match ordex_host::scaffold::kind_handler(&manifest, kind, &|p| pack.join(p).exists()) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: {e}");
                return Ok(ExitCode::from(1));
            }
        };
    for f in &files {
        let path = pack.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, &f.text).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    println!(
        "next: write the rules in the handler, then `ordex test {} -f {kind}`",
        pack.display()
    );
    Ok(ExitCode::SUCCESS)
}
