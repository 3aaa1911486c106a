//! The JSON face: call envelopes in, answers out. This is what the Wasm
//! bindings and the CLI call.
//!
//! Envelopes:
//! - `checkout`: `{"now": "…", "input": <CheckoutRequest>}`
//! - `triage`: `{"now": "…", "input": <ExceptionEvent>, "context": <TriageContext>?}`
//! - `retry`: `{"now": "…", "input": <RetryRequest>}`
//! - `evaluate`: `{"entry": "…", "now": "…", "input": <any>, "context": <any>?}`
//!
//! Error locations in inputs are paths from the envelope (`input.order.lines[0].quantity`).
//!
//! Any envelope may add `"trace": true`: the answer is the same, with a
//! `trace` member beside it recording what the rules did (each function
//! called with its arguments and return value, each table row matched, each
//! rule fired), for a failed call too. See [`crate::runtime::Trace`].

use serde::Serialize;
use serde_json::Value;

use super::input::{
    check_amounts, check_checkout, check_retry, check_schema_version, exception_event, parse_json,
    parse_now, typed,
};
use super::{Answer, Engine, ErrorInfo, InputError};
use crate::decision::{CheckoutDecision, RetryPlan, TriageDecision};
use crate::model::{CheckoutRequest, RetryRequest, TriageContext};
use crate::runtime::{EntryKind, EvalError, Trace};

const ENVELOPE_KEYS: [&str; 5] = ["entry", "now", "input", "context", "trace"];

fn envelope(call: &Value) -> Result<&serde_json::Map<String, Value>, InputError> {
    let object = call.as_object().ok_or_else(|| InputError::Invalid {
        path: "$".to_owned(),
        message: "expected a call object {\"now\", \"input\", \"context\"?}".to_owned(),
    })?;
    if let Some(extra) = object.keys().find(|k| !ENVELOPE_KEYS.contains(&k.as_str())) {
        return Err(InputError::Invalid {
            path: extra.clone(),
            message: format!(
                "unknown member `{extra}`; a call has `now`, `input` and optionally `context` and `trace` (and `entry` for evaluate)"
            ),
        });
    }
    Ok(object)
}

fn input_of(env: &serde_json::Map<String, Value>) -> Result<&Value, InputError> {
    env.get("input").ok_or_else(|| InputError::Invalid {
        path: "input".to_owned(),
        message: "required".to_owned(),
    })
}

fn finish<T>(result: Result<super::Evaluated<T>, EvalError>) -> Answer<T> {
    match result {
        Ok(e) => Answer::Success {
            ok: e.value,
            warnings: e.warnings,
        },
        Err(e) => Answer::fail(ErrorInfo::from(e)),
    }
}

macro_rules! try_input {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(err) => return Answer::fail(ErrorInfo::from(err)),
        }
    };
}

/// `checkout` on a parsed call envelope.
pub fn checkout_json(engine: &Engine, call: &Value) -> Answer<CheckoutDecision> {
    checkout_at(engine, "checkout", call)
}

fn checkout_at(engine: &Engine, entry: &str, call: &Value) -> Answer<CheckoutDecision> {
    let env = try_input!(envelope(call));
    let now = try_input!(parse_now(env.get("now"), "now"));
    let input = try_input!(input_of(env));
    try_input!(check_schema_version(input, "input"));
    try_input!(check_amounts(input, "input"));
    let cart: CheckoutRequest = try_input!(typed(input, "input"));
    try_input!(check_checkout(&cart, "input"));
    finish(engine.checkout_entry(entry, &cart, now))
}

/// `triage` on a parsed call envelope.
pub fn triage_json(engine: &Engine, call: &Value) -> Answer<TriageDecision> {
    triage_at(engine, "triage", call)
}

fn triage_at(engine: &Engine, entry: &str, call: &Value) -> Answer<TriageDecision> {
    let env = try_input!(envelope(call));
    let now = try_input!(parse_now(env.get("now"), "now"));
    let event = try_input!(exception_event(try_input!(input_of(env)), "input"));
    let context: TriageContext = match env.get("context") {
        None | Some(Value::Null) => TriageContext::default(),
        Some(c) => try_input!(typed(c, "context")),
    };
    finish(engine.triage_entry(entry, &event, &context, now))
}

/// `retry` on a parsed call envelope.
pub fn retry_json(engine: &Engine, call: &Value) -> Answer<RetryPlan> {
    retry_at(engine, "retry", call)
}

fn retry_at(engine: &Engine, entry: &str, call: &Value) -> Answer<RetryPlan> {
    let env = try_input!(envelope(call));
    let now = try_input!(parse_now(env.get("now"), "now"));
    let input = try_input!(input_of(env));
    try_input!(check_schema_version(input, "input"));
    try_input!(check_amounts(input, "input"));
    let request: RetryRequest = try_input!(typed(input, "input"));
    try_input!(check_retry(&request, "input"));
    finish(engine.retry_entry(entry, &request, now))
}

fn to_value<T: Serialize>(answer: Answer<T>) -> Answer<Value> {
    match answer {
        Answer::Success { ok, warnings } => Answer::Success {
            ok: serde_json::to_value(ok).unwrap_or(Value::Null),
            warnings,
        },
        Answer::Failure { errors, warnings } => Answer::Failure { errors, warnings },
    }
}

/// Any entry point by name (`{"entry": "triage", …}`): typed entries are
/// validated as their typed function would; generic ones take any JSON.
pub fn evaluate_json(engine: &Engine, call: &Value) -> Answer<Value> {
    let env = try_input!(envelope(call));
    let Some(entry) = env.get("entry").and_then(Value::as_str) else {
        return Answer::fail(ErrorInfo::from(InputError::Invalid {
            path: "entry".to_owned(),
            message: "required: the entry point name".to_owned(),
        }));
    };
    if entry == super::learn_json::DETECT_ENTRY {
        let input = try_input!(input_of(env));
        return to_value(super::learn_json::detect(input, "input"));
    }
    if entry == super::learn_json::LEARNED_RETRY_ENTRY {
        let now = try_input!(parse_now(env.get("now"), "now"));
        let input = try_input!(input_of(env));
        return to_value(super::learn_json::learned_retry(input, "input", now));
    }
    match engine.pack().manifest().entry_kind(entry) {
        // Typed entries are dispatched by their declared kind, whatever their name.
        Some(EntryKind::Checkout) => to_value(checkout_at(engine, entry, &strip_entry(env))),
        Some(EntryKind::Triage) => to_value(triage_at(engine, entry, &strip_entry(env))),
        Some(EntryKind::Retry) => to_value(retry_at(engine, entry, &strip_entry(env))),
        Some(EntryKind::Generic) => {
            let now = try_input!(parse_now(env.get("now"), "now"));
            let input = try_input!(input_of(env)).clone();
            finish(engine.evaluate(entry, input, env.get("context").cloned(), now))
        }
        None => Answer::fail(ErrorInfo::from(EvalError::UnknownEntry {
            entry: entry.to_owned(),
            expected: "any",
        })),
    }
}

fn strip_entry(env: &serde_json::Map<String, Value>) -> Value {
    let mut env = env.clone();
    env.remove("entry");
    Value::Object(env)
}

fn answer_string<T: Serialize>(answer: &Answer<T>) -> String {
    serde_json::to_string(answer).unwrap_or_else(|e| {
        format!("{{\"errors\":[{{\"code\":\"internal\",\"message\":\"cannot serialise answer: {e}\"}}],\"warnings\":[]}}")
    })
}

fn parse_call(engine: &Engine, text: &str) -> Result<Value, InputError> {
    parse_json(text, "$", &engine.pack().manifest().limits)
}

/// Whether the envelope asks for a trace (`"trace": true`); anything but a
/// boolean there is an input error.
fn trace_requested(call: &Value) -> Result<bool, InputError> {
    match call.get("trace") {
        None | Some(Value::Bool(false)) => Ok(false),
        Some(Value::Bool(true)) => Ok(true),
        Some(_) => Err(InputError::Invalid {
            path: "trace".to_owned(),
            message: "expected true or false".to_owned(),
        }),
    }
}

/// The answer as JSON text with the trace beside it.
fn traced_string<T: Serialize>(answer: &Answer<T>, trace: Trace) -> String {
    let mut value = match serde_json::to_value(answer) {
        Ok(v) => v,
        Err(_) => return answer_string(answer),
    };
    if let Value::Object(map) = &mut value {
        map.insert(
            "trace".to_owned(),
            serde_json::to_value(trace).unwrap_or(Value::Null),
        );
    }
    value.to_string()
}

/// Runs `inner` on the parsed call, traced when the call asks for it.
fn answer_call<T: Serialize>(
    engine: &Engine,
    call: &str,
    inner: impl Fn(&Engine, &Value) -> Answer<T>,
) -> String {
    let parsed = parse_call(engine, call).and_then(|v| Ok((trace_requested(&v)?, v)));
    match parsed {
        Ok((false, v)) => answer_string(&inner(engine, &v)),
        Ok((true, v)) => {
            let (traced, slot) = engine.traced();
            let answer = inner(&traced, &v);
            traced_string(&answer, slot.take().unwrap_or_default())
        }
        Err(e) => answer_string(&Answer::<()>::fail(ErrorInfo::from(e))),
    }
}

macro_rules! json_str {
    ($(#[$doc:meta])* $name:ident, $inner:ident) => {
        $(#[$doc])*
        pub fn $name(engine: &Engine, call: &str) -> String {
            answer_call(engine, call, $inner)
        }
    };
}

json_str!(
    /// [`checkout_json`] on JSON text; the answer as JSON text.
    checkout_json_str, checkout_json);
json_str!(
    /// [`triage_json`] on JSON text; the answer as JSON text.
    triage_json_str, triage_json);
json_str!(
    /// [`retry_json`] on JSON text; the answer as JSON text.
    retry_json_str, retry_json);
json_str!(
    /// [`evaluate_json`] on JSON text; the answer as JSON text.
    evaluate_json_str, evaluate_json);
