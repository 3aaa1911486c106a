//! A bundle cut down to some entries, proved against the pack's own tests
//! before anyone is given it (`ordex bundle --entries`, the service's public
//! checkout bundle).

use ordex_core::api::Engine;
use ordex_core::runtime::{Bundle, BundleError, SubsetError};
use ordex_core::testing::compare_subset;
use thiserror::Error;

/// Why a pack's subset cannot be handed out.
#[derive(Debug, Error)]
pub enum SubsetFailure {
    /// The entries asked for cannot be cut out.
    #[error(transparent)]
    Cut(#[from] SubsetError),
    /// The cut-down bundle does not compile (a file it needs was dropped).
    #[error("the subset does not compile: {0}")]
    Compile(#[from] BundleError),
    /// Some test case answers differently with the subset than with the pack.
    #[error(
        "the subset answers {} test case(s) differently from the pack (it drops something they use): {}",
        .0.len(),
        .0.first().map(String::as_str).unwrap_or("")
    )]
    Differs(Vec<String>),
}

/// A subset that answers every test case of its entries like the full pack.
#[derive(Debug, Clone)]
pub struct CheckedSubset {
    /// The cut-down bundle.
    pub bundle: Bundle,
    /// How many test cases were compared.
    pub cases_compared: usize,
}

/// Cuts `full`'s bundle down to `entries`, compiles the result and runs the
/// entries' test cases through both; only a subset that answers every case
/// byte for byte like the pack is returned.
pub fn checked_subset(full: &Engine, entries: &[&str]) -> Result<CheckedSubset, SubsetFailure> {
    let bundle = full.pack().bundle().subset(entries)?;
    let engine = Engine::from_bundle(bundle.clone())?;
    let cmp = compare_subset(full, &engine, entries);
    if !cmp.differences.is_empty() {
        return Err(SubsetFailure::Differs(cmp.differences));
    }
    Ok(CheckedSubset {
        bundle,
        cases_compared: cmp.compared,
    })
}
