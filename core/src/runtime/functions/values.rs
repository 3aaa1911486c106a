//! Converting between Rhai values and the typed model at the function boundary.

use rhai::{Dynamic, Map, NativeCallContext};
use serde::de::DeserializeOwned;

use super::Res;
use crate::runtime::{View, Warning, WarningSink, to_json};

/// A typed value from a map or a view, or a rule error naming the function.
pub(super) fn typed<T: DeserializeOwned>(value: &Dynamic, function: &str, what: &str) -> Res<T> {
    let json =
        to_json(value).map_err(|(path, msg)| format!("{function}: argument at {path}: {msg}"))?;
    serde_json::from_value(json)
        .map_err(|e| format!("{function}: the argument is not {what}: {e}").into())
}

/// The serde name of a unit enum value (`po_box`).
pub(super) fn enum_name<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Member `key` of a map or an input view.
pub(super) fn member(value: &Dynamic, key: &str) -> Option<Dynamic> {
    if let Some(map) = value.read_lock::<Map>() {
        return map.get(key).cloned();
    }
    value
        .read_lock::<View>()
        .map(|v| v.clone().get_key(key))
        .filter(|d| !d.is_unit())
}

/// Adds a warning to the current evaluation's answer.
pub(crate) fn warn_from(ctx: &NativeCallContext, code: &str, message: String) {
    if let Some(sink) = ctx.tag().and_then(|t| t.read_lock::<WarningSink>()) {
        sink.push(Warning {
            code: code.to_owned(),
            message,
            location: None,
        });
    }
}

/// Runs `f` on the call's trace recorder when the call is traced.
pub(crate) fn trace_from(
    ctx: &NativeCallContext,
    f: impl FnOnce(&mut crate::runtime::trace::TraceRecorder),
) {
    if let Some(sink) = ctx.tag().and_then(|t| t.read_lock::<WarningSink>()) {
        sink.trace(f);
    }
}

/// `Some(x)` as a Rhai value, `None` as `()`.
pub(super) fn opt<T: Into<Dynamic>>(v: Option<T>) -> Dynamic {
    v.map_or(Dynamic::UNIT, Into::into)
}
