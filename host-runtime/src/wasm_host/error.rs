use thiserror::Error;

/// Why the wasmtime host could not answer.
#[derive(Debug, Error)]
pub enum WasmHostError {
    /// The host-ABI module was not found.
    #[error(
        "the ordex host-ABI module was not found (tried {tried}); build it with `cargo build -p ordex-abi --target wasm32-unknown-unknown --profile wasm`, or pass --module"
    )]
    ModuleNotFound {
        /// Paths tried.
        tried: String,
    },
    /// wasmtime could not be configured or the module not compiled.
    #[error("cannot prepare the Wasm module: {0}")]
    Setup(String),
    /// The module does not have the expected exports or ABI version.
    #[error("the Wasm module does not speak the ordex ABI: {0}")]
    Abi(String),
    /// The bundle did not compile in the guest: every diagnostic, with file:line:col.
    #[error("the bundle does not load: {}", .0.iter().map(|e| e.message.as_str()).collect::<Vec<_>>().join("; "))]
    Bundle(Vec<ordex_core::api::ErrorInfo>),
    /// Loading the bundle ran past a limit (fuel, deadline or memory).
    #[error("loading the bundle was stopped: {0}")]
    LoadLimit(String),
}
