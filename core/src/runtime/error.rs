use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Where a problem is: a place in a rule file or a path in an input document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Location {
    /// A position in a rule-pack file (1-based).
    Source {
        /// File relative to the pack root.
        file: String,
        /// Line.
        line: usize,
        /// Column.
        col: usize,
    },
    /// A JSON path in an input (`input.order.lines[2].quantity`).
    Input {
        /// The path.
        path: String,
    },
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Source { file, line, col } => write!(f, "{file}:{line}:{col}"),
            Self::Input { path } => f.write_str(path),
        }
    }
}

/// One problem found while compiling a rule pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Machine-readable code (`rule_syntax`, `entry_missing`, …).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// Where.
    pub location: Option<Location>,
    /// How to fix it, when we can tell.
    pub hint: Option<String>,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(loc) => write!(f, "{loc}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Why a bundle could not be loaded or compiled.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum BundleError {
    /// Not a bundle document.
    #[error("bundle is not valid JSON of the expected shape: {message}")]
    Malformed {
        /// Parser message.
        message: String,
    },
    /// A bundle of a format this build does not read.
    #[error("unsupported bundle format `{found}` (this build reads ordex-bundle/1)")]
    UnsupportedFormat {
        /// The declared format.
        found: String,
    },
    /// Content does not match the id: edited by hand or corrupted.
    #[error("bundle id {declared} does not match its content ({computed})")]
    IdMismatch {
        /// Id in the document.
        declared: String,
        /// Id of the content.
        computed: String,
    },
    /// `ordex.toml` does not parse.
    #[error("ordex.toml:{line}:{col}: {message}")]
    Manifest {
        /// Parser message.
        message: String,
        /// Line.
        line: usize,
        /// Column.
        col: usize,
    },
    /// Rules do not compile, or the manifest points at things that do not exist.
    #[error("{} problem(s) in the rule pack; first: {}", diagnostics.len(), diagnostics.first().map(ToString::to_string).unwrap_or_default())]
    Invalid {
        /// Every problem found.
        diagnostics: Vec<Diagnostic>,
    },
}

impl BundleError {
    /// Machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "bundle_malformed",
            Self::UnsupportedFormat { .. } => "bundle_unsupported_format",
            Self::IdMismatch { .. } => "bundle_id_mismatch",
            Self::Manifest { .. } => "manifest_invalid",
            Self::Invalid { .. } => "rules_invalid",
        }
    }

    /// The problems as diagnostics (one per compile error, else one).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        match self {
            Self::Invalid { diagnostics } => diagnostics.clone(),
            Self::Manifest { message, line, col } => vec![Diagnostic {
                code: self.code().to_owned(),
                message: message.clone(),
                location: Some(Location::Source {
                    file: "ordex.toml".to_owned(),
                    line: *line,
                    col: *col,
                }),
                hint: None,
            }],
            other => vec![Diagnostic {
                code: other.code().to_owned(),
                message: other.to_string(),
                location: None,
                hint: None,
            }],
        }
    }
}

/// Why one evaluation failed.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum EvalError {
    /// The pack has no entry point of that name (or not of that kind).
    #[error("no entry point `{entry}` of kind {expected} in the bundle")]
    UnknownEntry {
        /// Requested entry.
        entry: String,
        /// Kind required by the call.
        expected: &'static str,
    },
    /// A limit was hit (operations, call depth, sizes).
    #[error("{location}: limit exceeded: {limit}")]
    LimitExceeded {
        /// Which limit (`max_operations`, …).
        limit: String,
        /// Where the rule was when it hit the limit.
        location: Location,
        /// The rule functions that were running, innermost first.
        stack: Vec<StackFrame>,
    },
    /// The rule failed at run time (type error, unknown function, thrown error).
    #[error("{location}: {message}")]
    Runtime {
        /// What went wrong.
        message: String,
        /// Where.
        location: Location,
        /// The rule functions that were running, innermost first: the
        /// failing function, then each caller up to the entry point.
        stack: Vec<StackFrame>,
    },
    /// The rule returned something that is not a valid decision.
    #[error("{0}")]
    BadReturn(Box<BadReturn>),
}

/// One function that was running when a rule failed: its name as a rule
/// author writes it (`zen::div` for a library function) and where it was,
/// the failing line for the innermost frame and the call for the others.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackFrame {
    /// Function name, module-qualified for library functions.
    pub function: String,
    /// File, line and column in that function.
    pub location: Location,
}

impl std::fmt::Display for StackFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.function, self.location)
    }
}

/// Details of [`EvalError::BadReturn`] (boxed: errors travel in `Result`s on
/// the hot path and should stay small).
#[derive(Debug, Clone, PartialEq, Error)]
#[error(
    "{location}: the value returned by `{function}` is not a valid {contract}: at `{path}`: {message}"
)]
pub struct BadReturn {
    /// Function that returned it.
    pub function: String,
    /// Expected contract (`triage decision`).
    pub contract: &'static str,
    /// Path inside the returned value.
    pub path: String,
    /// What is wrong there.
    pub message: String,
    /// Where the function is defined.
    pub location: Location,
}

impl EvalError {
    /// Machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownEntry { .. } => "unknown_entry",
            Self::LimitExceeded { .. } => "limit_exceeded",
            Self::Runtime { .. } => "rule_runtime",
            Self::BadReturn { .. } => "rule_bad_return",
        }
    }

    /// Where, when known.
    pub fn location(&self) -> Option<&Location> {
        match self {
            Self::UnknownEntry { .. } => None,
            Self::LimitExceeded { location, .. } | Self::Runtime { location, .. } => Some(location),
            Self::BadReturn(b) => Some(&b.location),
        }
    }

    /// The functions that were running, innermost first (empty when the
    /// failure was not inside a rule).
    pub fn stack(&self) -> &[StackFrame] {
        match self {
            Self::LimitExceeded { stack, .. } | Self::Runtime { stack, .. } => stack,
            Self::UnknownEntry { .. } | Self::BadReturn(_) => &[],
        }
    }

    /// The error with its call stack, one frame per line, as the CLI and
    /// logs print it:
    ///
    /// ```text
    /// lib/zen.rhai:29:58: the rule threw: Compare: unsupported type
    ///   in zen::compare (lib/zen.rhai:29:58)
    ///   called from grade (rules.rhai:12:14)
    /// ```
    pub fn with_stack(&self) -> String {
        let stack = stack_text(self.stack(), "\n  ");
        if stack.is_empty() {
            self.to_string()
        } else {
            format!("{self}\n  {stack}")
        }
    }
}

/// A call stack as text, innermost first, frames joined by `separator`:
/// `in zen::compare (lib/zen.rhai:29:58)`, then `called from grade
/// (rules.rhai:12:14)` for each caller; empty for an empty stack. The one
/// format every printer of stacks uses (the CLI, `ordex test`, logs).
pub fn stack_text(stack: &[StackFrame], separator: &str) -> String {
    stack
        .iter()
        .enumerate()
        .map(|(i, frame)| format!("{}{frame}", if i == 0 { "in " } else { "called from " }))
        .collect::<Vec<_>>()
        .join(separator)
}
