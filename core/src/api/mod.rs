//! The API every binding wraps, in the Cedar style: one typed function per
//! entry point on [`Engine`], plus `_json` / `_json_str` variants that take a
//! call envelope and answer `{ok, warnings}` or `{errors, warnings}`.

mod answer;
mod engine;
mod input;
mod json;
pub mod learn_json;
mod strict_json;

pub use answer::{Answer, ErrorInfo};
pub use engine::{Engine, Evaluated};
pub use input::{
    InputError, MAX_MINOR, MAX_QUANTITY, check_amounts, exception_event, parse_json, parse_now,
    typed,
};
pub use json::{
    checkout_json, checkout_json_str, evaluate_json, evaluate_json_str, retry_json, retry_json_str,
    triage_json, triage_json_str,
};
