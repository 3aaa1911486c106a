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
    /// The bundle did not load in the guest.
    #[error("the bundle does not load: {0}")]
    Bundle(String),
}
