use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use super::{merge_patch, mismatches};
use crate::api::{Answer, Engine, evaluate_json};
use crate::runtime::Bundle;

/// One test file: defaults for its cases and the cases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestFile {
    /// Entry point the cases call.
    pub entry: String,
    /// Default evaluation time.
    pub now: String,
    /// Base input each case's `patch` applies to.
    #[serde(default)]
    pub base: Option<Value>,
    /// Default context.
    #[serde(default)]
    pub context: Option<Value>,
    /// The cases.
    pub cases: Vec<TestCase>,
}

/// One case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCase {
    /// Unique name within the file.
    pub name: String,
    /// Full input (instead of base + patch).
    #[serde(default)]
    pub input: Option<Value>,
    /// RFC 7386 merge patch applied to the file's base.
    #[serde(default)]
    pub patch: Option<Value>,
    /// Values written at paths after the patch, `null` included:
    /// `[{"path": "order.note", "value": null}]`.
    #[serde(default)]
    pub set: Vec<super::patch::SetStep>,
    /// Context patch applied to the file's context.
    #[serde(default)]
    pub context: Option<Value>,
    /// Overrides the file's `now`.
    #[serde(default)]
    pub now: Option<String>,
    /// Fields the decision must have.
    #[serde(default)]
    pub expect: Option<Value>,
    /// The call must fail with an error matching this (e.g. `{"code": "input_invalid"}`).
    #[serde(default)]
    pub expect_error: Option<Value>,
    /// Warnings that must be present (matched like `expect`, against the warning list).
    #[serde(default)]
    pub expect_warnings: Option<Value>,
}

/// A test file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}: {message}")]
pub struct TestFileError {
    /// File.
    pub file: String,
    /// What is wrong.
    pub message: String,
}

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseOutcome {
    /// File the case is in.
    pub file: String,
    /// Case name.
    pub name: String,
    /// Entry point called.
    pub entry: String,
    /// Whether it passed.
    pub passed: bool,
    /// Every difference from the expectation.
    pub mismatches: Vec<String>,
    /// The full answer, for diagnosis.
    pub answer: Value,
}

impl TestCase {
    pub(crate) fn call(&self, file: &TestFile) -> Result<Value, String> {
        let input = match (&self.input, &file.base, &self.patch) {
            (Some(input), _, _) => input.clone(),
            (None, Some(base), patch) => {
                let mut doc = base.clone();
                if let Some(p) = patch {
                    merge_patch(&mut doc, p);
                }
                doc
            }
            (None, None, _) => {
                return Err("the case has no `input` and the file no `base`".to_owned());
            }
        };
        let mut input = input;
        for (i, step) in self.set.iter().enumerate() {
            super::patch::set_path(&mut input, step).map_err(|e| format!("set[{i}]: {e}"))?;
        }
        let mut context = file.context.clone().unwrap_or(Value::Null);
        if let Some(p) = &self.context {
            merge_patch(&mut context, p);
        }
        let mut call = serde_json::json!({
            "entry": file.entry,
            "now": self.now.as_deref().unwrap_or(&file.now),
            "input": input,
        });
        if !context.is_null() {
            call["context"] = context;
        }
        Ok(call)
    }

    fn check(&self, answer: &Answer<Value>) -> Vec<String> {
        let mut out = Vec::new();
        match (answer, &self.expect_error) {
            (Answer::Success { ok, warnings }, None) => {
                if let Some(expect) = &self.expect {
                    out.extend(mismatches(expect, ok));
                }
                if let Some(expect) = &self.expect_warnings {
                    let w = serde_json::to_value(warnings).unwrap_or(Value::Null);
                    out.extend(
                        mismatches(expect, &w)
                            .into_iter()
                            .map(|m| format!("warnings {m}")),
                    );
                }
            }
            (Answer::Success { .. }, Some(_)) => {
                out.push("expected an error, but the call succeeded".to_owned())
            }
            (Answer::Failure { errors, .. }, None) => {
                out.extend(errors.iter().map(|e| {
                    format!(
                        "unexpected error {}: {}{}",
                        e.code,
                        e.message,
                        stack_text(e)
                    )
                }));
            }
            (Answer::Failure { errors, .. }, Some(expect)) => {
                let first = errors
                    .first()
                    .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
                    .unwrap_or(Value::Null);
                out.extend(
                    mismatches(expect, &first)
                        .into_iter()
                        .map(|m| format!("error {m}")),
                );
            }
        }
        if self.expect.is_none() && self.expect_error.is_none() {
            out.push("the case expects nothing: add `expect` or `expect_error`".to_owned());
        }
        out
    }
}

/// A failed rule's call stack on one line (` — in f (file:line:col), called
/// from g (…)`), empty when the error has none.
fn stack_text(error: &crate::api::ErrorInfo) -> String {
    if error.stack.is_empty() {
        return String::new();
    }
    format!(" — {}", crate::runtime::stack_text(&error.stack, ", "))
}

/// Reads and runs every test file of the engine's bundle natively. `filter`
/// keeps cases whose `file::name` contains it.
pub fn run_bundle_tests(
    engine: &Engine,
    filter: Option<&str>,
) -> Result<Vec<CaseOutcome>, Vec<TestFileError>> {
    let tests_dir = engine.pack().manifest().tests.clone();
    run_tests_with(engine.pack().bundle(), &tests_dir, filter, &|call| {
        evaluate_json(engine, call)
    })
}

/// Reads the test files of `bundle` (under `tests_dir`) and runs each case
/// through `evaluate`, which takes an `evaluate_json` envelope: any runtime
/// that can evaluate a bundle can run its tests.
pub fn run_tests_with(
    bundle: &Bundle,
    tests_dir: &str,
    filter: Option<&str>,
    evaluate: &dyn Fn(&Value) -> Answer<Value>,
) -> Result<Vec<CaseOutcome>, Vec<TestFileError>> {
    let mut errors = Vec::new();
    let mut outcomes = Vec::new();
    for (path, text) in bundle.test_files(tests_dir) {
        let file: TestFile =
            match serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(text)) {
                Ok(f) => f,
                Err(e) => {
                    errors.push(TestFileError {
                        file: path.to_owned(),
                        message: format!("at {}: {}", e.path(), e.inner()),
                    });
                    continue;
                }
            };
        let mut seen = std::collections::BTreeSet::new();
        for case in &file.cases {
            if !seen.insert(case.name.as_str()) {
                errors.push(TestFileError {
                    file: path.to_owned(),
                    message: format!("duplicate case name `{}`", case.name),
                });
            }
            if filter.is_some_and(|f| !format!("{path}::{}", case.name).contains(f)) {
                continue;
            }
            let (answer, problems) = match case.call(&file) {
                Ok(call) => {
                    let answer = evaluate(&call);
                    let problems = case.check(&answer);
                    (
                        serde_json::to_value(&answer).unwrap_or(Value::Null),
                        problems,
                    )
                }
                Err(message) => (Value::Null, vec![message]),
            };
            outcomes.push(CaseOutcome {
                file: path.to_owned(),
                name: case.name.clone(),
                entry: file.entry.clone(),
                passed: problems.is_empty(),
                mismatches: problems,
                answer,
            });
        }
    }
    if errors.is_empty() {
        Ok(outcomes)
    } else {
        Err(errors)
    }
}
