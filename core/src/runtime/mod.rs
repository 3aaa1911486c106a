//! The rule runtime: compiles a rule pack once and evaluates its entry
//! points many times, under limits, on read-only inputs.
//!
//! A pack is a manifest (`ordex.toml`) plus `.rhai` files. Files named as an
//! entry point's `file` hold entry functions; every other `.rhai` file is a
//! library available to all rules as a module named after the file stem
//! (`lib/common.rhai` → `common::value_tier(customer)`).

mod bundle;
mod call_check;
pub(crate) mod compile;
mod convert;
mod error;
mod field_check;
mod functions;
pub(crate) mod kind_handlers;
mod limits;
mod manifest;
mod rhai_calls;
mod rhai_error;
mod rhai_scan;
mod static_check;
mod subset;
pub(crate) mod trace;
mod view;
mod warning;

pub use bundle::{BUNDLE_FORMAT, Bundle, TEST_FILE_SUFFIX};
pub use call_check::closest_name;
pub use compile::{CompiledEntry, CompiledPack};
pub use convert::to_json;
pub use error::{BadReturn, BundleError, Diagnostic, EvalError, Location, StackFrame, stack_text};
pub use functions::{format_time, reference_markdown};
pub use kind_handlers::HANDLER_FUNCTION;
pub use limits::Limits;
pub use manifest::{EntryKind, EntryPoint, Manifest, TableDecl};
pub use static_check::static_check;
pub use subset::SubsetError;
pub use trace::{MAX_TRACE_NODES, MAX_TRACE_VALUE_BYTES, Trace, TraceCall, TraceSlot, TraceStep};
pub use view::{View, json_to_dynamic};
pub use warning::Warning;
pub(crate) use warning::WarningSink;
