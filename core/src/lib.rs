//! # ordex-core
//!
//! The order-exception rules engine without I/O: the model, the Rhai rule
//! runtime, built-in domain knowledge and the JSON-level API every binding
//! (native CLI, wasmtime host, npm package) wraps.
//!
//! There is no file, network, clock, environment, thread or randomness in
//! this crate: time is an input (`now`), so the same bundle, input and `now`
//! give byte-identical output on every runtime.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod api;
pub mod decision;
pub mod knowledge;
pub mod learn;
pub mod model;
pub mod number;
pub mod runtime;
pub mod table;
pub mod testing;
