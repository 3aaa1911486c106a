//! Rules through the host-ABI module in wasmtime: the module is compiled
//! once (and cached on disk by wasmtime), instances are pooled with the
//! bundle already loaded, and every call runs under a fuel limit, an epoch
//! deadline and a memory limit. A trap or an exhausted limit is a typed
//! answer and the instance is replaced; the host never crashes.

mod error;
mod instance;
mod locate;
mod runtime;

pub use error::WasmHostError;
pub use locate::locate_module;
pub use runtime::{CallStats, HostLimits, WasmRuntime};
