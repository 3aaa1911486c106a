//! A read-only, zero-copy window onto a JSON document for rules.
//!
//! Converting a whole input into Rhai maps costs an allocation per field on
//! every call, although a rule reads a handful of them. A [`View`] shares the
//! parsed document and converts only what is read: scalars become Rhai
//! values, objects and arrays become further views. Property access
//! (`event.order.total_minor`) works through Rhai's indexer fallback, so
//! rules read a view exactly as they would read a map. Rules cannot modify a
//! view: there is no setter.

use std::sync::Arc;

use rhai::{Array, Dynamic, EvalAltResult, INT, Map, Position};
use serde_json::Value;

#[derive(Debug, Clone)]
enum Step {
    Key(Arc<str>),
    Index(usize),
}

/// A shared, immutable JSON document and a path into it.
#[derive(Debug, Clone)]
pub struct View {
    root: Arc<Value>,
    path: Arc<[Step]>,
}

impl View {
    /// A view of the whole document.
    pub fn new(root: Arc<Value>) -> Self {
        Self {
            root,
            path: Arc::from(Vec::new()),
        }
    }

    /// The JSON value the view points at.
    pub fn value(&self) -> &Value {
        let mut v = self.root.as_ref();
        for step in self.path.iter() {
            v = match (step, v) {
                (Step::Key(k), Value::Object(m)) => m.get(k.as_ref()).unwrap_or(&Value::Null),
                (Step::Index(i), Value::Array(a)) => a.get(*i).unwrap_or(&Value::Null),
                _ => &Value::Null,
            };
        }
        v
    }

    fn child(&self, step: Step) -> Self {
        let mut path = Vec::with_capacity(self.path.len() + 1);
        path.extend(self.path.iter().cloned());
        path.push(step);
        Self {
            root: self.root.clone(),
            path: Arc::from(path),
        }
    }

    /// Converts the value at `step` below this view: scalars to Rhai values,
    /// containers to views.
    fn wrap(&self, value: &Value, step: Step) -> Dynamic {
        match value {
            Value::Object(_) | Value::Array(_) => Dynamic::from(self.child(step)),
            scalar => scalar_to_dynamic(scalar),
        }
    }

    /// `view[key]`: the member, or `()` when absent or not an object.
    pub fn get_key(&mut self, key: &str) -> Dynamic {
        match self.value() {
            Value::Object(m) => match m.get(key) {
                Some(v) => self.wrap(v, Step::Key(Arc::from(key))),
                None => Dynamic::UNIT,
            },
            _ => Dynamic::UNIT,
        }
    }

    /// `view[i]`: array element; negative counts from the end like Rhai arrays.
    pub fn get_index(&mut self, index: INT) -> Result<Dynamic, Box<EvalAltResult>> {
        match self.value() {
            Value::Array(a) => {
                let len = a.len() as INT;
                let i = if index < 0 { len + index } else { index };
                if i < 0 || i >= len {
                    return Err(
                        EvalAltResult::ErrorArrayBounds(a.len(), index, Position::NONE).into(),
                    );
                }
                Ok(self.wrap(&a[i as usize], Step::Index(i as usize)))
            }
            _ => {
                Err(format!("cannot index a non-array input value with the number {index}").into())
            }
        }
    }

    /// Number of members (object) or elements (array); 0 for scalars.
    pub fn len(&mut self) -> INT {
        match self.value() {
            Value::Object(m) => m.len() as INT,
            Value::Array(a) => a.len() as INT,
            _ => 0,
        }
    }

    /// Whether the object or array has no members; true for scalars.
    pub fn is_empty(&mut self) -> bool {
        self.len() == 0
    }

    /// Whether `key` is a member (object) or an equal element (array).
    pub fn contains(&mut self, needle: Dynamic) -> bool {
        match self.value() {
            Value::Object(m) => needle
                .into_immutable_string()
                .map(|k| m.contains_key(k.as_str()))
                .unwrap_or(false),
            Value::Array(a) => {
                let needle = super::convert::to_json(&needle).ok();
                needle.is_some_and(|n| a.contains(&n))
            }
            _ => false,
        }
    }

    /// Member names of an object, in document order.
    pub fn keys(&mut self) -> Array {
        match self.value() {
            Value::Object(m) => m.keys().map(|k| Dynamic::from(k.clone())).collect(),
            _ => Array::new(),
        }
    }

    /// Materialises the view as plain Rhai values (a deep copy), for rules
    /// that want array methods such as `filter` or `map`.
    pub fn materialize(&mut self) -> Dynamic {
        json_to_dynamic(self.value())
    }

    /// Array elements (views or scalars); nothing for objects and scalars.
    pub fn items(&self) -> Vec<Dynamic> {
        match self.value() {
            Value::Array(a) => a
                .iter()
                .enumerate()
                .map(|(i, v)| self.wrap(v, Step::Index(i)))
                .collect(),
            _ => Vec::new(),
        }
    }
}

impl IntoIterator for View {
    type Item = Dynamic;
    type IntoIter = std::vec::IntoIter<Dynamic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items().into_iter()
    }
}

/// A JSON scalar as a Rhai value (`null` → `()`; integers that fit → INT).
pub fn scalar_to_dynamic(value: &Value) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match crate::number::from_json(n) {
            Some(Ok(i)) => Dynamic::from_int(i),
            Some(Err(d)) => Dynamic::from_decimal(d),
            // Refused at the boundary (`strict_json`); only a host-built
            // value can get here, and it saturates rather than vanish.
            None => Dynamic::from_decimal(if n.as_f64().is_some_and(|f| f < 0.0) {
                crate::number::Decimal::MIN
            } else {
                crate::number::Decimal::MAX
            }),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(_) | Value::Object(_) => json_to_dynamic(value),
    }
}

/// Deep conversion of JSON into Rhai maps and arrays (the copy a view avoids).
pub fn json_to_dynamic(value: &Value) -> Dynamic {
    match value {
        Value::Array(a) => Dynamic::from_array(a.iter().map(json_to_dynamic).collect()),
        Value::Object(m) => {
            let map: Map = m
                .iter()
                .map(|(k, v)| (k.as_str().into(), json_to_dynamic(v)))
                .collect();
            Dynamic::from_map(map)
        }
        scalar => scalar_to_dynamic(scalar),
    }
}
