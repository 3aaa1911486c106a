//! One interface over the two ways `ordex` can evaluate rules.

use std::path::Path;

use ordex_core::api::{Answer, Engine, ErrorInfo, evaluate_json_str};
use serde_json::Value;

use crate::wasm_host::{CallStats, HostLimits, WasmHostError, WasmRuntime, locate_module};

/// Where rules run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RuntimeKind {
    /// The host-ABI Wasm module in wasmtime (the default: the same code the browser and edge run).
    Wasmtime,
    /// The core compiled into `ordex` itself (for comparison).
    Native,
}

/// A compiled bundle ready to answer call envelopes.
pub enum Evaluator {
    /// Native core.
    Native(Box<Engine>),
    /// wasmtime host.
    Wasm(WasmRuntime),
}

impl Evaluator {
    /// Prepares `bundle` in the chosen runtime. The bundle has been compiled
    /// natively already (for diagnostics), so a failure here is the host's.
    pub fn new(
        kind: RuntimeKind,
        engine: Engine,
        module: Option<&Path>,
        limits: HostLimits,
    ) -> Result<Self, WasmHostError> {
        match kind {
            RuntimeKind::Native => Ok(Self::Native(Box::new(engine))),
            RuntimeKind::Wasmtime => {
                let path = locate_module(module)?;
                let runtime = WasmRuntime::new(&path, engine.pack().bundle().to_json(), limits)?;
                Ok(Self::Wasm(runtime))
            }
        }
    }

    /// Evaluates a call envelope; the answer JSON and, in wasmtime, its cost.
    pub fn evaluate_str(&self, call: &str) -> (String, Option<CallStats>) {
        match self {
            Self::Native(engine) => (evaluate_json_str(engine, call), None),
            Self::Wasm(runtime) => match runtime.evaluate(call) {
                Ok((answer, stats)) => (answer, Some(stats)),
                Err(e) => {
                    let a: Answer<()> = Answer::fail(ErrorInfo {
                        code: "host_error".into(),
                        message: e.to_string(),
                        location: None,
                        hint: None,
                        stack: Vec::new(),
                    });
                    (serde_json::to_string(&a).unwrap_or_default(), None)
                }
            },
        }
    }

    /// Evaluates a parsed envelope and parses the answer.
    pub fn evaluate(&self, call: &Value) -> Answer<Value> {
        let (text, _) = self.evaluate_str(&call.to_string());
        serde_json::from_str(&text).unwrap_or_else(|e| {
            Answer::fail(ErrorInfo {
                code: "host_error".into(),
                message: format!("unreadable answer: {e}"),
                location: None,
                hint: None,
                stack: Vec::new(),
            })
        })
    }
}
