//! Rule results back to JSON.

use rhai::Dynamic;
use serde_json::{Map, Value};

use super::View;

/// Converts a value a rule produced into JSON. Views become the JSON they
/// point at. Fails, naming the path inside the value, on types JSON cannot
/// hold (functions, custom types, NaN).
pub fn to_json(value: &Dynamic) -> Result<Value, (String, String)> {
    let mut path = String::new();
    convert(value, &mut path).map_err(|m| {
        (
            if path.is_empty() {
                ".".to_owned()
            } else {
                path
            },
            m,
        )
    })
}

fn convert(value: &Dynamic, path: &mut String) -> Result<Value, String> {
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Value::Number(i.into()));
    }
    if let Ok(d) = value.as_decimal() {
        return Ok(Value::Number(crate::number::to_json(d)));
    }
    if let Ok(c) = value.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if value.is_string() {
        return Ok(Value::String(
            value.clone().into_string().unwrap_or_default(),
        ));
    }
    if value.is_array() {
        let array = value.read_lock::<rhai::Array>().ok_or("array is locked")?;
        let mut out = Vec::with_capacity(array.len());
        for (i, item) in array.iter().enumerate() {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            out.push(convert(item, path)?);
            path.truncate(len);
        }
        return Ok(Value::Array(out));
    }
    if value.is_map() {
        let map = value.read_lock::<rhai::Map>().ok_or("map is locked")?;
        let mut out = Map::with_capacity(map.len());
        for (k, item) in map.iter() {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
            out.insert(k.to_string(), convert(item, path)?);
            path.truncate(len);
        }
        return Ok(Value::Object(out));
    }
    if let Some(view) = value.read_lock::<View>() {
        return Ok(view.value().clone());
    }
    Err(format!(
        "a value of type `{}` cannot be part of a decision",
        value.type_name()
    ))
}
