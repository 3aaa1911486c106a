use serde::{Deserialize, Serialize};

use super::InputError;
use crate::runtime::{BundleError, EvalError, Location, StackFrame, Warning};

/// One error in an answer: a stable code, a message, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// Machine-readable code (`input_invalid`, `limit_exceeded`, …).
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// Rule file:line:col or input JSON path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// How to fix it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// For a rule that failed: the functions that were running, innermost
    /// first, each with the line it was on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stack: Vec<StackFrame>,
}

/// The answer of a `_json` call: success with the value, or failure with
/// every error; warnings either way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer<T> {
    /// The call succeeded.
    Success {
        /// The decision.
        ok: T,
        /// Non-fatal findings.
        warnings: Vec<Warning>,
    },
    /// The call failed.
    Failure {
        /// What went wrong.
        errors: Vec<ErrorInfo>,
        /// Non-fatal findings gathered before the failure.
        warnings: Vec<Warning>,
    },
}

impl<T> Answer<T> {
    /// A failure with one error.
    pub fn fail(error: ErrorInfo) -> Self {
        Self::Failure {
            errors: vec![error],
            warnings: Vec::new(),
        }
    }
}

impl From<InputError> for ErrorInfo {
    fn from(e: InputError) -> Self {
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            location: e.path().map(|p| Location::Input { path: p.to_owned() }),
            hint: None,
            stack: Vec::new(),
        }
    }
}

impl From<EvalError> for ErrorInfo {
    fn from(e: EvalError) -> Self {
        let hint = match &e {
            EvalError::LimitExceeded { limit, .. } => Some(format!(
                "the rule ran past `limits.{limit}`: look for a loop that does not end, or raise the limit in ordex.toml"
            )),
            _ => None,
        };
        Self {
            code: e.code().to_owned(),
            message: e.to_string(),
            location: e.location().cloned(),
            hint,
            stack: e.stack().to_vec(),
        }
    }
}

impl ErrorInfo {
    /// Every diagnostic of a bundle error.
    pub fn from_bundle(e: &BundleError) -> Vec<Self> {
        e.diagnostics()
            .into_iter()
            .map(|d| Self {
                code: d.code,
                message: d.message,
                location: d.location,
                hint: d.hint,
                stack: Vec::new(),
            })
            .collect()
    }
}
