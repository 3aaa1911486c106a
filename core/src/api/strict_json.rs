//! JSON documents as the boundary reads them: like `serde_json::Value`, but
//! an object that repeats a key is an error instead of keeping the last one,
//! so two readers of one document (a proxy and ordex, say) cannot see two
//! different amounts.

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// A JSON value read with duplicate keys refused.
pub(crate) struct Strict(pub(crate) Value);

impl<'de> de::Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // Rules compute with exact decimals, whose range ends near 7.9e28:
        // a larger number would otherwise change on the way in.
        if v.is_finite() && crate::number::from_f64(v).is_none() {
            return Err(E::custom(format!(
                "the number {v:e} is beyond ±7.9e28, the range of the decimals rules compute with"
            )));
        }
        // As serde_json's own Value: a non-finite number cannot be JSON.
        Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(StrictVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate key `{key}` (an object must not repeat a key)"
                )));
            }
            let Strict(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::Strict;

    fn read(text: &str) -> Result<serde_json::Value, String> {
        serde_json::from_str::<Strict>(text)
            .map(|s| s.0)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            r#"{"a":1,"b":[true,null,-3,1.5,"x",{"c":{}}],"d":18446744073709551615}"#,
            "[]",
            "\"\\u00e9\"",
            "-9223372036854775808",
            "1e400",
        ] {
            let ours = read(text);
            let theirs: Result<serde_json::Value, _> = serde_json::from_str(text);
            match theirs {
                Ok(v) => assert_eq!(ours.ok(), Some(v), "{text}"),
                Err(_) => assert!(ours.is_err(), "{text}"),
            }
        }
    }

    #[test]
    fn a_repeated_key_is_an_error_at_any_depth() {
        let e = read(r#"{"amount_minor": 100, "amount_minor": 1}"#).expect_err("dup");
        assert!(e.contains("duplicate key `amount_minor`"), "{e}");
        let e = read(r#"{"a": [{"k": 1, "k": 2}]}"#).expect_err("dup");
        assert!(e.contains("duplicate key `k`"), "{e}");
        assert!(read(r#"{"a": {"k": 1}, "b": {"k": 2}}"#).is_ok());
    }
}
