//! # ordex-js
//!
//! The ordex core for JavaScript. This crate is the thin wasm-bindgen layer:
//! every method answers the engine's own `{ok, warnings}` or
//! `{errors, warnings}` object, and the package's JS entry (`wasm/js/lib/`)
//! turns failures into `Error` subclasses and adds the TypeScript types.
//! Answers are the exact JSON text every other runtime produces, parsed by
//! `JSON.parse`, so decisions are byte-identical across runtimes.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

use ordex_core::api::{
    Answer, ErrorInfo, checkout_json_str, evaluate_json_str, retry_json_str, triage_json_str,
};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;

fn parse(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::NULL)
}

fn failure(code: &str, message: String) -> JsValue {
    let a: Answer<()> = Answer::fail(ErrorInfo {
        code: code.to_owned(),
        message,
        location: None,
        hint: None,
        stack: Vec::new(),
    });
    parse(&serde_json::to_string(&a).unwrap_or_default())
}

/// A JS argument as JSON: a string is JSON text, anything else a value.
fn to_json(value: &JsValue, what: &str) -> Result<Value, JsValue> {
    if let Some(text) = value.as_string() {
        return serde_json::from_str(&text).map_err(|e| {
            failure(
                "input_json_syntax",
                format!(
                    "{what}: invalid JSON at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            )
        });
    }
    if value.is_undefined() || value.is_null() {
        return Ok(Value::Null);
    }
    // JSON.stringify first, so that a Date, a Map or a class instance is read
    // exactly as JSON text would be on any other runtime.
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            failure(
                "input_invalid",
                format!("{what}: not representable as JSON"),
            )
        })?;
    serde_json::from_str(&text).map_err(|e| failure("input_invalid", format!("{what}: {e}")))
}

/// `now` as RFC 3339 text: a `Date` or a string.
fn now_text(now: &JsValue) -> Result<Value, JsValue> {
    if let Some(date) = now.dyn_ref::<js_sys::Date>() {
        if date.get_time().is_nan() {
            return Err(failure("input_invalid", "now: an invalid Date".into()));
        }
        return Ok(Value::String(String::from(date.to_iso_string())));
    }
    match now.as_string() {
        Some(s) => Ok(Value::String(s)),
        None => Err(failure(
            "input_invalid",
            "now: required, a Date or an RFC 3339 string (time is an input; there is no default clock)".into(),
        )),
    }
}

/// A compiled rule bundle.
#[wasm_bindgen]
pub struct Engine {
    inner: ordex_core::api::Engine,
}

fn call(
    f: fn(&ordex_core::api::Engine, &str) -> String,
    engine: &ordex_core::api::Engine,
    envelope: Result<Value, JsValue>,
) -> JsValue {
    match envelope {
        Ok(v) => parse(&f(engine, &v.to_string())),
        Err(answer) => answer,
    }
}

#[wasm_bindgen]
impl Engine {
    /// Compiles a bundle (the `ordex bundle` file, as text or parsed).
    /// Answers `{ok: Engine}` or `{errors}` with file:line:col diagnostics.
    #[wasm_bindgen(js_name = compile)]
    pub fn compile(bundle: &JsValue) -> Result<Engine, JsValue> {
        let text = match bundle.as_string() {
            Some(t) => t,
            None => to_json(bundle, "bundle")?.to_string(),
        };
        ordex_core::api::Engine::from_bundle_json(&text)
            .map(|inner| Engine { inner })
            .map_err(|e| {
                let a: Answer<()> = Answer::Failure {
                    errors: ErrorInfo::from_bundle(&e),
                    warnings: Vec::new(),
                };
                parse(&serde_json::to_string(&a).unwrap_or_default())
            })
    }

    /// The bundle's content id (`sha256:…`).
    #[wasm_bindgen(getter, js_name = bundleId)]
    pub fn bundle_id(&self) -> String {
        self.inner.bundle_id().to_owned()
    }

    /// What compiling the bundle warned about (a table row that can never
    /// answer, an unused library function): `[{code, message, location, hint}]`.
    #[wasm_bindgen(getter)]
    pub fn warnings(&self) -> JsValue {
        parse(&serde_json::to_string(self.inner.pack().warnings()).unwrap_or_else(|_| "[]".into()))
    }

    /// The entry points the bundle defines.
    #[wasm_bindgen(getter)]
    pub fn entries(&self) -> Vec<String> {
        self.inner.pack().entries().keys().cloned().collect()
    }

    /// Runs the bundle's own test cases with the core's runner, as `ordex
    /// test` does: `{cases: [{file, name, entry, passed, mismatches,
    /// answer}], file_errors: [{file, message}]}`.
    #[wasm_bindgen(js_name = runTests)]
    pub fn run_tests(&self) -> JsValue {
        let out = match ordex_core::testing::run_bundle_tests(&self.inner, None) {
            Ok(cases) => json!({ "cases": cases, "file_errors": [] }),
            Err(errors) => json!({
                "cases": [],
                "file_errors": errors
                    .iter()
                    .map(|e| json!({ "file": e.file, "message": e.message }))
                    .collect::<Vec<_>>(),
            }),
        };
        parse(&out.to_string())
    }

    /// `checkout(cart)`: findings for a cart before the order is placed.
    pub fn checkout(&self, cart: &JsValue, now: &JsValue) -> JsValue {
        let env = to_json(cart, "input")
            .and_then(|input| Ok(json!({ "now": now_text(now)?, "input": input })));
        call(checkout_json_str, &self.inner, env)
    }

    /// `triage(event, context)`: what the exception is and what to do.
    pub fn triage(&self, event: &JsValue, context: &JsValue, now: &JsValue) -> JsValue {
        let env = to_json(event, "input").and_then(|input| {
            let mut env = json!({ "now": now_text(now)?, "input": input });
            let ctx = to_json(context, "context")?;
            if !ctx.is_null() {
                env["context"] = ctx;
            }
            Ok(env)
        });
        call(triage_json_str, &self.inner, env)
    }

    /// `retry(failure, history)`: a retry plan within card-network rules.
    /// `options` may add `recurring` and `collect_by`.
    pub fn retry(
        &self,
        failure: &JsValue,
        history: &JsValue,
        now: &JsValue,
        options: &JsValue,
    ) -> JsValue {
        let env = (|| {
            let mut input = json!({
                "schema_version": ordex_core::model::SCHEMA_VERSION,
                "failure": to_json(failure, "input.failure")?,
            });
            let history = to_json(history, "input.history")?;
            if !history.is_null() {
                input["history"] = history;
            }
            if let Value::Object(opts) = to_json(options, "options")? {
                for (k, v) in opts {
                    input[k] = v;
                }
            }
            Ok(json!({ "now": now_text(now)?, "input": input }))
        })();
        call(retry_json_str, &self.inner, env)
    }

    /// `evaluate(entry, input, context?)`: any entry point by name.
    pub fn evaluate(
        &self,
        entry: &str,
        input: &JsValue,
        now: &JsValue,
        context: &JsValue,
    ) -> JsValue {
        let env = to_json(input, "input").and_then(|input| {
            let mut env = json!({ "entry": entry, "now": now_text(now)?, "input": input });
            let ctx = to_json(context, "context")?;
            if !ctx.is_null() {
                env["context"] = ctx;
            }
            Ok(env)
        });
        call(evaluate_json_str, &self.inner, env)
    }

    /// The call envelope API on JSON text, answering JSON text: the same
    /// contract as the host ABI's `ordex_evaluate` (for hosts and parity tests).
    #[wasm_bindgen(js_name = evaluateJson)]
    pub fn evaluate_json(&self, call: &str) -> String {
        evaluate_json_str(&self.inner, call)
    }
}

/// The address form a country expects (fields in its order, its labels,
/// required fields, postal-code examples, regions), from the metadata the
/// address checks use; `null` for an unknown country code.
#[wasm_bindgen(js_name = addressFormat)]
pub fn address_format(country: &str) -> JsValue {
    match ordex_core::knowledge::address::address_form(country) {
        Some(form) => parse(&serde_json::to_string(&form).unwrap_or_else(|_| "null".into())),
        None => JsValue::NULL,
    }
}

/// Every country the address metadata knows: `[{code, name}]` by code.
#[wasm_bindgen]
pub fn countries() -> JsValue {
    let list: Vec<serde_json::Value> = ordex_core::knowledge::address::all_countries()
        .iter()
        .map(|c| serde_json::json!({"code": c.code, "name": c.name}))
        .collect();
    parse(&serde_json::Value::Array(list).to_string())
}

/// The version of this build.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
