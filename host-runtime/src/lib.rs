//! The `ordex` host: reading rule packs from disk, evaluating them natively
//! or through the host-ABI module in wasmtime, rendering diagnostics, and
//! the triage service (`ordex serve`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod evaluator;
pub mod nab;
pub mod pack_dir;
pub mod render;
pub mod scaffold;
pub mod serve;
pub mod simulate;
pub mod subset;
pub mod trace_tree;
pub mod train;
pub mod wasm_host;
