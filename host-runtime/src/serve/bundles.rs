//! The active rule bundle, and switching it safely.
//!
//! A candidate is compiled (natively first, for file:line:col diagnostics),
//! loaded into the runtime that will serve it, and must pass its own test
//! cases there before it can become active. The switch is one pointer swap:
//! an evaluation holds the `Arc` it started with, so it finishes on that bundle.

use std::path::Path;
use std::sync::{Arc, RwLock};

use ordex_core::api::{Engine, ErrorInfo};
use ordex_core::testing::run_tests_with;
use serde::Serialize;
use serde_json::json;

use super::error::ApiError;
use crate::evaluator::{Evaluator, RuntimeKind};
use crate::wasm_host::{HostLimits, WasmRuntime, locate_module};

/// A bundle ready to evaluate.
pub struct ActiveBundle {
    /// Content id.
    pub id: String,
    /// The runtime holding it.
    pub evaluator: Evaluator,
}

/// What running a candidate's tests found.
#[derive(Debug, Clone, Serialize)]
pub struct TestSummary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases run.
    pub total: usize,
}

/// The service's bundles: the runtime they are loaded into and the active one.
pub struct Bundles {
    kind: RuntimeKind,
    module: Option<wasmtime::Module>,
    limits: HostLimits,
    active: RwLock<Option<Arc<ActiveBundle>>>,
}

impl Bundles {
    /// Prepares the runtime (compiling the host-ABI module once, for wasmtime).
    pub fn new(
        kind: RuntimeKind,
        module: Option<&Path>,
        limits: HostLimits,
    ) -> Result<Self, ApiError> {
        let module = match kind {
            RuntimeKind::Native => None,
            RuntimeKind::Wasmtime => {
                let path = locate_module(module).map_err(|e| ApiError::Internal(e.to_string()))?;
                Some(
                    WasmRuntime::load_module(&path)
                        .map_err(|e| ApiError::Internal(e.to_string()))?,
                )
            }
        };
        Ok(Self {
            kind,
            module,
            limits,
            active: RwLock::new(None),
        })
    }

    /// Compiles `bundle_json`, loads it into the serving runtime and runs its
    /// test cases there. A bundle that does not compile, or fails a case, is
    /// rejected with every diagnostic.
    pub fn prepare(&self, bundle_json: &str) -> Result<(ActiveBundle, TestSummary), ApiError> {
        let engine = Engine::from_bundle_json(bundle_json).map_err(|e| {
            ApiError::BundleRejected(json!({ "compile_errors": ErrorInfo::from_bundle(&e) }))
        })?;
        let id = engine.bundle_id().to_owned();
        let tests_dir = engine.pack().manifest().tests.clone();
        let bundle = engine.pack().bundle().clone();
        let evaluator = match &self.module {
            Some(module) => Evaluator::Wasm(
                WasmRuntime::with_module(module, bundle.to_json(), self.limits).map_err(|e| {
                    ApiError::BundleRejected(json!({ "load_error": e.to_string() }))
                })?,
            ),
            None => Evaluator::Native(Box::new(engine)),
        };
        let outcomes = run_tests_with(&bundle, &tests_dir, None, &|call| evaluator.evaluate(call))
            .map_err(|errors| {
                let files: Vec<_> = errors
                    .iter()
                    .map(|e| json!({ "file": e.file, "message": e.message }))
                    .collect();
                ApiError::BundleRejected(json!({ "test_file_errors": files }))
            })?;
        let failed: Vec<_> = outcomes
            .iter()
            .filter(|o| !o.passed)
            .map(|o| json!({ "file": o.file, "case": o.name, "mismatches": o.mismatches }))
            .collect();
        let summary = TestSummary {
            passed: outcomes.len() - failed.len(),
            total: outcomes.len(),
        };
        if !failed.is_empty() {
            return Err(ApiError::BundleRejected(json!({
                "tests": summary, "failed_cases": failed,
            })));
        }
        tracing::info!(bundle = %id, runtime = ?self.kind, passed = summary.passed, "bundle ready");
        Ok((ActiveBundle { id, evaluator }, summary))
    }

    /// The bundle evaluations start on now.
    pub fn current(&self) -> Result<Arc<ActiveBundle>, ApiError> {
        self.active
            .read()
            .map_err(|_| ApiError::Internal("bundle lock poisoned".into()))?
            .clone()
            .ok_or_else(|| ApiError::Unavailable("no rule bundle is active yet".into()))
    }

    /// Makes `bundle` the one new evaluations use.
    pub fn activate(&self, bundle: ActiveBundle) -> Result<(), ApiError> {
        let mut active = self
            .active
            .write()
            .map_err(|_| ApiError::Internal("bundle lock poisoned".into()))?;
        *active = Some(Arc::new(bundle));
        Ok(())
    }

    /// Whether a bundle is active.
    pub fn ready(&self) -> bool {
        self.active.read().map(|a| a.is_some()).unwrap_or(false)
    }
}
