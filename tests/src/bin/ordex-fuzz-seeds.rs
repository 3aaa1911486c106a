//! Writes the fuzzers' seed corpus: call envelopes from the parity corpus
//! generator (every exception kind, gateway and malformed variants) for
//! `json_entries`, and the default pack as a bundle file for `bundle_loader`.
//!
//! `ordex-fuzz-seeds --out DIR [--calls N] [--bundle FILE]`
#![forbid(unsafe_code)]

use std::path::PathBuf;

use clap::Parser;
use ordex_tests::corpus;

/// Seed corpus for the fuzz targets in `tests/fuzz`.
#[derive(Parser)]
struct Args {
    /// Directory that receives `json_entries/` and `bundle_loader/`.
    #[arg(long)]
    out: PathBuf,
    /// Call envelopes to write.
    #[arg(long, default_value_t = 300)]
    calls: usize,
    /// A bundle file (`ordex bundle` output) to seed the bundle loader with.
    #[arg(long)]
    bundle: Option<PathBuf>,
}

fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let calls = args.out.join("json_entries");
    std::fs::create_dir_all(&calls)?;
    for (i, call) in corpus(7, args.calls).calls.iter().enumerate() {
        std::fs::write(calls.join(format!("parity-{i:04}")), call)?;
    }
    let bundles = args.out.join("bundle_loader");
    std::fs::create_dir_all(&bundles)?;
    if let Some(bundle) = &args.bundle {
        std::fs::copy(bundle, bundles.join("default-pack"))?;
    }
    std::fs::write(bundles.join("empty-object"), "{}")?;
    println!("seeds written to {}", args.out.display());
    Ok(())
}
