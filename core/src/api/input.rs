//! Reading inputs at the boundary: bounded, typed, and with the JSON path of
//! anything wrong.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;
use thiserror::Error;

use crate::knowledge::currency;
use crate::model::{
    Address, CheckoutRequest, ExceptionEvent, ExceptionKind, Order, RetryRequest, SCHEMA_VERSION,
};
use crate::runtime::Limits;

use super::strict_json::Strict;

/// Largest amount in minor units an input may carry (ten billion in a
/// two-decimal currency): with [`MAX_QUANTITY`], a line's quantity × unit
/// price stays far inside the 64-bit integers rules compute with.
pub const MAX_MINOR: i64 = 1_000_000_000_000;

/// Largest quantity an input may carry.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// Bounds every amount (`*_minor`) and quantity (`quantity`, `*_quantity`)
/// of a typed input document, naming the path of the first out of range:
/// amounts are never negative, and neither reaches overflow in rules.
pub fn check_amounts(value: &Value, root: &str) -> Result<(), InputError> {
    fn walk(v: &Value, path: &mut String) -> Result<(), InputError> {
        match v {
            Value::Object(map) => {
                for (k, item) in map {
                    let len = path.len();
                    path.push('.');
                    path.push_str(k);
                    let bound = if k.ends_with("_minor") {
                        Some((0, MAX_MINOR, "an amount in minor units"))
                    } else if k == "quantity" || k.ends_with("_quantity") {
                        Some((0, MAX_QUANTITY, "a quantity"))
                    } else {
                        None
                    };
                    if let (Some((lo, hi, what)), Value::Number(n)) = (bound, item) {
                        let within = n.as_i64().is_some_and(|x| (lo..=hi).contains(&x));
                        // Non-integers are left to the type check, which names them.
                        if !within && (n.is_i64() || n.is_u64()) {
                            return Err(InputError::Invalid {
                                path: path.clone(),
                                message: format!("{what} must be between {lo} and {hi}; got {n}"),
                            });
                        }
                    }
                    walk(item, path)?;
                    path.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    walk(item, path)?;
                    path.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
    walk(value, &mut root.to_owned())
}

/// Why an input was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputError {
    /// Not JSON.
    #[error("{path}: invalid JSON at line {line} column {col}: {message}")]
    Syntax {
        /// Document name.
        path: String,
        /// Line.
        line: usize,
        /// Column.
        col: usize,
        /// Parser message.
        message: String,
    },
    /// Over `limits.max_input_bytes`.
    #[error("{path}: the document is {bytes} bytes; the limit is {limit}")]
    TooLarge {
        /// Document name.
        path: String,
        /// Size.
        bytes: usize,
        /// Limit.
        limit: usize,
    },
    /// Nested deeper than `limits.max_input_depth`.
    #[error("{path}: nested deeper than {limit} levels")]
    TooDeep {
        /// Where the limit was crossed.
        path: String,
        /// Limit.
        limit: usize,
    },
    /// Wrong shape, type or value.
    #[error("{path}: {message}")]
    Invalid {
        /// JSON path of the offending value.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A `schema_version` this build does not read.
    #[error("{path}: schema_version {found} is not supported; this build reads {supported}")]
    SchemaVersion {
        /// Path of the field.
        path: String,
        /// Version found.
        found: String,
        /// Version supported.
        supported: u32,
    },
}

impl InputError {
    /// Machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "input_json_syntax",
            Self::TooLarge { .. } => "input_too_large",
            Self::TooDeep { .. } => "input_too_deep",
            Self::Invalid { .. } => "input_invalid",
            Self::SchemaVersion { .. } => "unsupported_schema_version",
        }
    }

    /// JSON path of the problem.
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Syntax { path, .. }
            | Self::TooLarge { path, .. }
            | Self::TooDeep { path, .. }
            | Self::Invalid { path, .. }
            | Self::SchemaVersion { path, .. } => Some(path),
        }
    }
}

fn join(root: &str, path: &str) -> String {
    match path {
        "" | "." => root.to_owned(),
        p if p.starts_with('[') => format!("{root}{p}"),
        p => format!("{root}.{p}"),
    }
}

/// Parses JSON text named `root`, enforcing the size and depth limits.
pub fn parse_json(text: &str, root: &str, limits: &Limits) -> Result<Value, InputError> {
    if text.len() > limits.max_input_bytes {
        return Err(InputError::TooLarge {
            path: root.to_owned(),
            bytes: text.len(),
            limit: limits.max_input_bytes,
        });
    }
    let value: Value = serde_json::from_str::<Strict>(text)
        .map(|s| s.0)
        .map_err(|e| InputError::Syntax {
            path: root.to_owned(),
            line: e.line(),
            col: e.column(),
            message: e
                .to_string()
                .split(" at line")
                .next()
                .unwrap_or_default()
                .to_owned(),
        })?;
    check_depth(&value, root, limits.max_input_depth)?;
    Ok(value)
}

/// Fails with the path of the first value nested deeper than `limit`.
pub(crate) fn check_depth(value: &Value, root: &str, limit: usize) -> Result<(), InputError> {
    fn walk(v: &Value, depth: usize, limit: usize, path: &mut String) -> bool {
        if depth > limit {
            return false;
        }
        match v {
            Value::Array(a) => a.iter().enumerate().all(|(i, x)| {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let ok = walk(x, depth + 1, limit, path);
                if ok {
                    path.truncate(len);
                }
                ok
            }),
            Value::Object(m) => m.iter().all(|(k, x)| {
                let len = path.len();
                path.push('.');
                path.push_str(k);
                let ok = walk(x, depth + 1, limit, path);
                if ok {
                    path.truncate(len);
                }
                ok
            }),
            _ => true,
        }
    }
    let mut path = root.to_owned();
    if walk(value, 0, limit, &mut path) {
        Ok(())
    } else {
        Err(InputError::TooDeep { path, limit })
    }
}

/// Deserialises `value` into `T`, naming the exact path of any mismatch.
pub fn typed<T: DeserializeOwned>(value: &Value, root: &str) -> Result<T, InputError> {
    serde_path_to_error::deserialize(value).map_err(|e| InputError::Invalid {
        path: join(root, &e.path().to_string()),
        message: e.inner().to_string(),
    })
}

/// Parses `now` (RFC 3339).
pub fn parse_now(value: Option<&Value>, path: &str) -> Result<DateTime<Utc>, InputError> {
    let text = value
        .and_then(Value::as_str)
        .ok_or_else(|| InputError::Invalid {
            path: path.to_owned(),
            message:
                "required: the evaluation time as an RFC 3339 string (e.g. 2026-11-27T10:00:00Z)"
                    .to_owned(),
        })?;
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| InputError::Invalid {
            path: path.to_owned(),
            message: format!("`{text}` is not an RFC 3339 time: {e}"),
        })
}

/// Checks `schema_version` before anything else so an old or new document
/// gets a precise error instead of a confusing field mismatch.
pub(crate) fn check_schema_version(value: &Value, root: &str) -> Result<(), InputError> {
    match value.get("schema_version") {
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(SCHEMA_VERSION)) => Ok(()),
        Some(other) => Err(InputError::SchemaVersion {
            path: join(root, "schema_version"),
            found: other.to_string(),
            supported: SCHEMA_VERSION,
        }),
        None if value.is_object() => Err(InputError::Invalid {
            path: join(root, "schema_version"),
            message: format!("missing field `schema_version` (use {SCHEMA_VERSION})"),
        }),
        None => Err(InputError::Invalid {
            path: root.to_owned(),
            message: "expected a JSON object".to_owned(),
        }),
    }
}

/// Reads an exception event. The `exception` member is an internally tagged
/// union, which serde reads through a buffer that loses paths; on failure
/// there, the variant is read again on its own to recover the exact path.
pub fn exception_event(value: &Value, root: &str) -> Result<ExceptionEvent, InputError> {
    check_schema_version(value, root)?;
    check_amounts(value, root)?;
    let event = typed::<ExceptionEvent>(value, root).map_err(|err| {
        let exception_root = join(root, "exception");
        match &err {
            InputError::Invalid { path, .. } if *path == exception_root => {
                refine_exception(value.get("exception"), &exception_root).unwrap_or(err)
            }
            _ => err,
        }
    })?;
    check_order(&event.order, &join(root, "order"))?;
    Ok(event)
}

fn refine_exception(value: Option<&Value>, root: &str) -> Option<InputError> {
    let object = value?.as_object()?;
    let kind_path = join(root, "kind");
    let Some(kind) = object.get("kind").and_then(Value::as_str) else {
        return Some(InputError::Invalid {
            path: kind_path,
            message: "missing field `kind` (the exception kind, e.g. payment_declined)".to_owned(),
        });
    };
    let Some(kind) = ExceptionKind::parse(kind) else {
        let known: Vec<&str> = ExceptionKind::ALL.iter().map(|k| k.as_str()).collect();
        return Some(InputError::Invalid {
            path: kind_path,
            message: format!(
                "unknown exception kind `{kind}`; expected one of {}",
                known.join(", ")
            ),
        });
    };
    let mut body = object.clone();
    body.remove("kind");
    let body = Value::Object(body);
    use crate::model as m;
    match kind {
        ExceptionKind::PaymentDeclined => typed::<m::PaymentDeclined>(&body, root).err(),
        ExceptionKind::AddressInvalid => typed::<m::AddressInvalid>(&body, root).err(),
        ExceptionKind::AddressChangeRequested => {
            typed::<m::AddressChangeRequested>(&body, root).err()
        }
        ExceptionKind::InventoryShortage => typed::<m::InventoryShortage>(&body, root).err(),
        ExceptionKind::CarrierException => typed::<m::CarrierException>(&body, root).err(),
        ExceptionKind::CancellationRequested => {
            typed::<m::CancellationRequested>(&body, root).err()
        }
        ExceptionKind::ReturnRequested => typed::<m::ReturnRequested>(&body, root).err(),
        ExceptionKind::SplitShipment => typed::<m::SplitShipment>(&body, root).err(),
        ExceptionKind::MarketplaceSellerLate => {
            typed::<m::MarketplaceSellerLate>(&body, root).err()
        }
        ExceptionKind::ContractPriceDispute => typed::<m::ContractPriceDispute>(&body, root).err(),
        ExceptionKind::CreditHold => typed::<m::CreditHold>(&body, root).err(),
        ExceptionKind::CustomerMessage => typed::<m::CustomerMessage>(&body, root).err(),
    }
}

/// Value checks the types cannot express.
pub(crate) fn check_order(order: &Order, root: &str) -> Result<(), InputError> {
    check_currency(&order.currency, &join(root, "currency"))?;
    for (i, line) in order.lines.iter().enumerate() {
        let path = format!("{root}.lines[{i}]");
        if line.quantity == 0 {
            return Err(InputError::Invalid {
                path: format!("{path}.quantity"),
                message: "must be at least 1".to_owned(),
            });
        }
        if !(0..=MAX_MINOR).contains(&line.unit_price_minor) {
            return Err(InputError::Invalid {
                path: format!("{path}.unit_price_minor"),
                message: format!("an amount in minor units must be between 0 and {MAX_MINOR}"),
            });
        }
        if i64::from(line.quantity) > MAX_QUANTITY {
            return Err(InputError::Invalid {
                path: format!("{path}.quantity"),
                message: format!("a quantity must be between 1 and {MAX_QUANTITY}"),
            });
        }
    }
    for (name, address) in [
        ("shipping_address", &order.shipping_address),
        ("billing_address", &order.billing_address),
    ] {
        if let Some(a) = address {
            check_address(a, &join(root, name))?;
        }
    }
    Ok(())
}

pub(crate) fn check_currency(code: &str, path: &str) -> Result<(), InputError> {
    match currency::minor_units(code) {
        Some(_) => Ok(()),
        None => Err(InputError::Invalid {
            path: path.to_owned(),
            message: format!("`{code}` is not an ISO 4217 currency code (upper case, e.g. USD)"),
        }),
    }
}

pub(crate) fn check_address(address: &Address, root: &str) -> Result<(), InputError> {
    let c = address.country.as_bytes();
    if c.len() != 2 || !c.iter().all(u8::is_ascii_uppercase) {
        return Err(InputError::Invalid {
            path: join(root, "country"),
            message: format!(
                "`{}` is not an ISO 3166-1 alpha-2 country code (two upper-case letters, e.g. US)",
                address.country
            ),
        });
    }
    Ok(())
}

/// Input checks shared with the JSON face.
pub(crate) fn check_checkout(cart: &CheckoutRequest, root: &str) -> Result<(), InputError> {
    check_order(&cart.order, &format!("{root}.order"))
}

/// Input checks shared with the JSON face.
pub(crate) fn check_retry(req: &RetryRequest, root: &str) -> Result<(), InputError> {
    check_currency(&req.failure.currency, &format!("{root}.failure.currency"))?;
    for (i, a) in req.history.iter().enumerate() {
        check_currency(&a.currency, &format!("{root}.history[{i}].currency"))?;
    }
    Ok(())
}
