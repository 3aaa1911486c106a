//! The active rule bundle, and switching it safely.
//!
//! A candidate is loaded into the runtime that will serve it and must pass
//! its own test cases there before it can become active. In wasmtime (the
//! default) nothing of the candidate runs in the service's process: the guest
//! compiles it under the load budget (fuel, deadline, memory cap) and answers
//! with the same file:line:col diagnostics the CLI prints; its test cases run
//! under the production limits, and the whole check under a wall-time budget.
//! The switch is one pointer swap: an evaluation holds the `Arc` it started
//! with, so it finishes on that bundle.

use std::cell::Cell;
use std::path::Path;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use ordex_core::api::{Answer, Engine, ErrorInfo};
use ordex_core::runtime::{Bundle, BundleError};
use ordex_core::testing::{compare_subset_with, run_tests_with};
use serde::Serialize;
use serde_json::{Value, json};
use thiserror::Error;

use super::config::BundleCheckLimits;
use crate::evaluator::{Evaluator, RuntimeKind};
use crate::wasm_host::{HostLimits, WasmHostError, WasmRuntime, locate_module};

/// A bundle ready to evaluate.
pub struct ActiveBundle {
    /// Content id.
    pub id: String,
    /// The runtime holding it.
    pub evaluator: Evaluator,
    /// What storefront pages may fetch without a key: the `checkout` entry
    /// and only what it uses.
    pub public: PublicBundle,
}

/// The entry a public bundle holds.
pub const PUBLIC_ENTRY: &str = "checkout";

/// The public checkout bundle derived from the active one.
#[derive(Debug, Clone)]
pub enum PublicBundle {
    /// Cut down and proved against the pack's checkout cases.
    Ready {
        /// Its own content id (the ETag).
        id: String,
        /// The bundle document.
        json: Arc<str>,
        /// Checkout test cases that answered identically with it.
        cases_compared: usize,
    },
    /// The pack has no `checkout` entry.
    NoCheckout,
    /// It could not be cut down safely; why.
    Unavailable(String),
}

impl PublicBundle {
    /// What an upload's answer says about it.
    pub fn summary(&self) -> Value {
        match self {
            Self::Ready {
                id,
                json,
                cases_compared,
            } => json!({ "id": id, "bytes": json.len(), "cases_compared": cases_compared }),
            Self::NoCheckout => json!(null),
            Self::Unavailable(why) => json!({ "error": why }),
        }
    }
}

/// What running a candidate's tests found.
#[derive(Debug, Clone, Serialize)]
pub struct TestSummary {
    /// Cases that passed.
    pub passed: usize,
    /// Cases run.
    pub total: usize,
    /// Cases whose answer was `limit_exceeded`.
    pub hit_limits: usize,
}

/// Why a bundle cannot be activated; `detail` is what the client is shown.
#[derive(Debug, Error)]
pub enum BundleRejection {
    /// The file is not a bundle, or its manifest or rules do not compile.
    #[error("the bundle does not compile")]
    Compile(Vec<ErrorInfo>),
    /// Loading it ran past the load budget (fuel, deadline or memory).
    #[error("{0}")]
    LoadLimit(String),
    /// A test file could not be read.
    #[error("its test files are malformed")]
    TestFiles(Value),
    /// A test case failed.
    #[error("{failed} of {total} test cases failed", failed = .summary.total - .summary.passed, total = .summary.total)]
    TestsFailed {
        /// Counts.
        summary: TestSummary,
        /// The failing cases.
        failed: Vec<Value>,
    },
    /// Most cases ran into limits and the manifest does not allow it.
    #[error(
        "{hit} of {total} test cases ran into limits: rules that loop are refused (set `allow_limit_tests = true` in ordex.toml if the pack tests its own limits)",
        hit = .0.hit_limits,
        total = .0.total
    )]
    MostlyLimits(TestSummary),
    /// The check ran past its wall-time budget.
    #[error("checking the bundle took longer than {0:?}; it was stopped")]
    CheckTimeout(std::time::Duration),
}

impl BundleRejection {
    /// The detail a client sees: typed, with locations, never a backtrace.
    pub fn detail(&self) -> Value {
        match self {
            Self::Compile(errors) => json!({ "compile_errors": errors }),
            Self::LoadLimit(message) => {
                json!({ "load_error": { "code": "limit_exceeded", "message": message } })
            }
            Self::TestFiles(files) => json!({ "test_file_errors": files }),
            Self::TestsFailed { summary, failed } => {
                json!({ "tests": summary, "failed_cases": failed })
            }
            Self::MostlyLimits(summary) => json!({ "tests": summary, "reason": self.to_string() }),
            Self::CheckTimeout(_) => json!({ "reason": self.to_string() }),
        }
    }
}

/// Why the bundles could not be prepared or switched.
#[derive(Debug, Error)]
pub enum BundlesError {
    /// The candidate was refused.
    #[error("the bundle was rejected: {0}")]
    Rejected(#[from] BundleRejection),
    /// The runtime could not be set up (module missing, ABI mismatch).
    #[error("{0}")]
    Host(String),
    /// No bundle is active yet.
    #[error("no rule bundle is active yet")]
    NoneActive,
}

/// The service's bundles: the runtime they are loaded into and the active one.
pub struct Bundles {
    kind: RuntimeKind,
    module: Option<wasmtime::Module>,
    limits: HostLimits,
    check: BundleCheckLimits,
    active: RwLock<Option<Arc<ActiveBundle>>>,
}

fn compile_errors(e: &BundleError) -> BundleRejection {
    BundleRejection::Compile(ErrorInfo::from_bundle(e))
}

impl Bundles {
    /// Prepares the runtime (compiling the host-ABI module once, for wasmtime).
    pub fn new(
        kind: RuntimeKind,
        module: Option<&Path>,
        limits: HostLimits,
        check: BundleCheckLimits,
    ) -> Result<Self, BundlesError> {
        let module = match kind {
            RuntimeKind::Native => None,
            RuntimeKind::Wasmtime => {
                let path = locate_module(module).map_err(|e| BundlesError::Host(e.to_string()))?;
                Some(
                    WasmRuntime::load_module(&path)
                        .map_err(|e| BundlesError::Host(e.to_string()))?,
                )
            }
        };
        Ok(Self {
            kind,
            module,
            limits,
            check,
            active: RwLock::new(None),
        })
    }

    /// Loads `bundle_json` into the serving runtime and runs its test cases
    /// there. A bundle that does not compile, runs past a budget, or fails a
    /// case is rejected with every diagnostic.
    pub fn prepare(&self, bundle_json: &str) -> Result<(ActiveBundle, TestSummary), BundlesError> {
        // Reading the document and its manifest runs no rule code.
        let bundle = Bundle::from_json(bundle_json).map_err(|e| compile_errors(&e))?;
        self.prepare_bundle(bundle, bundle_json)
    }

    /// [`Self::prepare`] on a document already read (`bundle` is `bundle_json` parsed).
    fn prepare_bundle(
        &self,
        bundle: Bundle,
        bundle_json: &str,
    ) -> Result<(ActiveBundle, TestSummary), BundlesError> {
        let started = Instant::now();
        let manifest = bundle.parse_manifest().map_err(|e| compile_errors(&e))?;
        let evaluator = self.load(&bundle, bundle_json)?;
        let id = bundle.id.clone();
        let summary = self.run_tests(&bundle, &manifest.tests, &evaluator, started)?;
        let share = summary.hit_limits * 100;
        if !manifest.allow_limit_tests
            && summary.hit_limits > 0
            && share > summary.total * self.check.max_limit_share_percent as usize
        {
            return Err(BundleRejection::MostlyLimits(summary).into());
        }
        let public = if manifest.entries.contains_key(PUBLIC_ENTRY) {
            self.public_subset(&bundle, &evaluator, started)
        } else {
            PublicBundle::NoCheckout
        };
        if let PublicBundle::Unavailable(why) = &public {
            tracing::warn!(bundle = %id, reason = %why, "no public checkout bundle");
        }
        tracing::info!(bundle = %id, runtime = ?self.kind, passed = summary.passed, "bundle ready");
        Ok((
            ActiveBundle {
                id,
                evaluator,
                public,
            },
            summary,
        ))
    }

    /// Prepares an uploaded bundle: its source is checked statically first
    /// (calls and input fields; text only, no rule code runs in this process,
    /// see `ordex_core::runtime::static_check`), then as [`Self::prepare`].
    /// Stored bundles passed this when they were uploaded and resume with
    /// `prepare`.
    pub fn prepare_upload(
        &self,
        bundle_json: &str,
    ) -> Result<(ActiveBundle, TestSummary), BundlesError> {
        let bundle = Bundle::from_json(bundle_json).map_err(|e| compile_errors(&e))?;
        ordex_core::runtime::static_check(&bundle).map_err(|e| compile_errors(&e))?;
        self.prepare_bundle(bundle, bundle_json)
    }

    /// Cuts the checkout entry out of `bundle` (text only: no rule code runs
    /// in this process), loads it into the serving runtime and checks that it
    /// answers every checkout case exactly like the whole bundle.
    fn public_subset(
        &self,
        bundle: &Bundle,
        evaluator: &Evaluator,
        started: Instant,
    ) -> PublicBundle {
        let subset = match bundle.subset(&[PUBLIC_ENTRY]) {
            Ok(s) => s,
            Err(e) => return PublicBundle::Unavailable(e.to_string()),
        };
        let json = subset.to_json();
        let sub_eval = match self.load(&subset, &json) {
            Ok(e) => e,
            Err(e) => return PublicBundle::Unavailable(format!("the checkout subset: {e}")),
        };
        let budget = self.check.total;
        let over = Cell::new(false);
        let guard = |eval: &Evaluator, call: &Value| {
            if started.elapsed() > budget {
                over.set(true);
                return Answer::fail(ErrorInfo {
                    code: "check_timeout".into(),
                    message: "not run: the check's time budget is spent".into(),
                    location: None,
                    hint: None,
                    stack: Vec::new(),
                });
            }
            eval.evaluate(call)
        };
        let cmp = compare_subset_with(
            bundle,
            &subset.id,
            &[PUBLIC_ENTRY],
            &|c| guard(evaluator, c),
            &|c| guard(&sub_eval, c),
        );
        if over.get() {
            return PublicBundle::Unavailable(format!(
                "checking the checkout subset took longer than {budget:?}"
            ));
        }
        if let Some(first) = cmp.differences.first() {
            return PublicBundle::Unavailable(format!(
                "the checkout subset answers {} case(s) differently from the bundle (it drops something they use), first {first}",
                cmp.differences.len()
            ));
        }
        PublicBundle::Ready {
            id: subset.id,
            json: json.into(),
            cases_compared: cmp.compared,
        }
    }

    /// Loads a stored bundle into the serving runtime to evaluate with it
    /// (a replay of an old decision), without running its tests again: it
    /// passed them when it was uploaded.
    pub fn load_stored(&self, bundle_json: &str) -> Result<Evaluator, BundlesError> {
        let bundle = Bundle::from_json(bundle_json).map_err(|e| compile_errors(&e))?;
        self.load(&bundle, bundle_json)
    }

    /// Loads a bundle into the serving runtime.
    fn load(&self, bundle: &Bundle, bundle_json: &str) -> Result<Evaluator, BundlesError> {
        Ok(match &self.module {
            Some(module) => Evaluator::Wasm(
                WasmRuntime::with_module(module, bundle_json.to_owned(), self.limits).map_err(
                    |e| match e {
                        WasmHostError::Bundle(errors) => {
                            BundlesError::Rejected(BundleRejection::Compile(errors))
                        }
                        WasmHostError::LoadLimit(limit) => {
                            BundlesError::Rejected(BundleRejection::LoadLimit(limit))
                        }
                        other => BundlesError::Host(other.to_string()),
                    },
                )?,
            ),
            // `--runtime native` is for comparison: rules run in the process.
            None => Evaluator::Native(Box::new(
                Engine::from_bundle(bundle.clone()).map_err(|e| compile_errors(&e))?,
            )),
        })
    }

    /// Runs the bundle's cases with the production limits, within the check's
    /// wall-time budget.
    fn run_tests(
        &self,
        bundle: &Bundle,
        tests_dir: &str,
        evaluator: &Evaluator,
        started: Instant,
    ) -> Result<TestSummary, BundlesError> {
        let budget = self.check.total;
        let out_of_time = Cell::new(false);
        let hit_limits = Cell::new(0usize);
        let evaluate = |call: &Value| -> Answer<Value> {
            if out_of_time.get() || started.elapsed() > budget {
                out_of_time.set(true);
                return Answer::fail(ErrorInfo {
                    code: "check_timeout".into(),
                    message: "not run: the check's time budget is spent".into(),
                    location: None,
                    hint: None,
                    stack: Vec::new(),
                });
            }
            let answer = evaluator.evaluate(call);
            if let Answer::Failure { errors, .. } = &answer
                && errors.iter().any(|e| e.code == "limit_exceeded")
            {
                hit_limits.set(hit_limits.get() + 1);
            }
            answer
        };
        let outcomes = run_tests_with(bundle, tests_dir, None, &evaluate).map_err(|errors| {
            let files: Vec<_> = errors
                .iter()
                .map(|e| json!({ "file": e.file, "message": e.message }))
                .collect();
            BundleRejection::TestFiles(Value::Array(files))
        })?;
        if out_of_time.get() {
            return Err(BundleRejection::CheckTimeout(budget).into());
        }
        let failed: Vec<_> = outcomes
            .iter()
            .filter(|o| !o.passed)
            .map(|o| json!({ "file": o.file, "case": o.name, "mismatches": o.mismatches }))
            .collect();
        let summary = TestSummary {
            passed: outcomes.len() - failed.len(),
            total: outcomes.len(),
            hit_limits: hit_limits.get(),
        };
        if failed.is_empty() {
            Ok(summary)
        } else {
            Err(BundleRejection::TestsFailed { summary, failed }.into())
        }
    }

    /// The bundle evaluations start on now.
    pub fn current(&self) -> Result<Arc<ActiveBundle>, BundlesError> {
        self.active
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or(BundlesError::NoneActive)
    }

    /// Makes `bundle` the one new evaluations use.
    pub fn activate(&self, bundle: ActiveBundle) {
        let mut active = self
            .active
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *active = Some(Arc::new(bundle));
    }

    /// Whether a bundle is active.
    pub fn ready(&self) -> bool {
        self.active.read().map(|a| a.is_some()).unwrap_or(false)
    }
}
