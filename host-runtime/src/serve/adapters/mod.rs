//! Provider webhooks turned into ordex exception events: Stripe failed
//! payments, EasyPost tracker updates and AfterShip tracking updates. The
//! provider's payload is kept beside the normalized event.

pub mod aftership;
pub mod easypost;
pub mod signature;
pub mod stripe;

use chrono::{DateTime, NaiveDateTime, Utc};
use ordex_core::api::ErrorInfo;
use ordex_core::knowledge::carrier::{Stage, shipment_status};
use ordex_core::model::Shipment;
use ordex_core::runtime::Location;
use serde_json::{Value, json};

use super::error::ApiError;

/// What a provider payload becomes.
#[derive(Debug, Clone)]
pub enum Normalized {
    /// An exception event (JSON of an `ExceptionEvent`).
    Event(Value),
    /// A carrier update, to attach to the order that owns the tracking number.
    Carrier(CarrierUpdate),
    /// Nothing to triage (e.g. a shipment moving normally); the reason is returned.
    Ignored(String),
    /// A payment went through: if the service had planned a retry for the
    /// order, this is that retry's outcome (for the retry learner).
    PaymentSucceeded {
        /// The order.
        order_id: String,
        /// When the provider reported it.
        at: DateTime<Utc>,
    },
}

/// A carrier tracking update that reports an exception.
#[derive(Debug, Clone)]
pub struct CarrierUpdate {
    /// Event id, prefixed with the provider.
    pub id: String,
    /// When the provider reported it.
    pub occurred_at: DateTime<Utc>,
    /// The order id, when the provider knows it (AfterShip `order_id`).
    pub order_id: Option<String>,
    /// Tracking number.
    pub tracking: String,
    /// The shipment as an ordex `Shipment`.
    pub shipment: Value,
}

/// The non-null member at `path` (dot-separated, `[i]` for arrays) of `payload`.
pub fn at<'a>(payload: &'a Value, path: &str) -> Option<&'a Value> {
    let mut v = payload;
    for part in path.split('.') {
        v = match part.split_once('[') {
            Some((key, idx)) => {
                let i: usize = idx.trim_end_matches(']').parse().ok()?;
                v.get(key)?.get(i)?
            }
            None => v.get(part)?,
        };
        if v.is_null() {
            return None;
        }
    }
    Some(v)
}

/// A payload error naming the provider JSON path.
pub fn missing(path: &str, what: &str) -> ApiError {
    ApiError::Input(vec![ErrorInfo {
        code: "input_invalid".into(),
        message: format!("{path}: {what}"),
        location: Some(Location::Input {
            path: path.to_owned(),
        }),
        hint: None,
        stack: Vec::new(),
    }])
}

/// A required string.
pub fn text(payload: &Value, path: &str) -> Result<String, ApiError> {
    at(payload, path)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| missing(path, "required: a string"))
}

/// An optional string.
pub fn opt_text(payload: &Value, path: &str) -> Option<String> {
    at(payload, path).and_then(Value::as_str).map(str::to_owned)
}

/// Unix seconds as a time.
pub fn unix(payload: &Value, path: &str) -> Result<DateTime<Utc>, ApiError> {
    at(payload, path)
        .and_then(Value::as_i64)
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or_else(|| missing(path, "required: Unix seconds"))
}

/// An RFC 3339 time, or a zone-less ISO 8601 time read as UTC (AfterShip checkpoints).
pub fn time(payload: &Value, path: &str) -> Option<DateTime<Utc>> {
    let v = at(payload, path)?;
    if let Some(n) = v.as_i64() {
        return DateTime::from_timestamp(n, 0);
    }
    let s = v.as_str()?;
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S")
                .ok()
                .map(|n| n.and_utc())
        })
}

impl CarrierUpdate {
    /// The update to triage when its shipment's latest event is an
    /// exception, else `Ignored(ignored)`; `root` names the payload member
    /// the shipment was read from, for errors.
    pub fn into_normalized(self, root: &str, ignored: String) -> Result<Normalized, ApiError> {
        match shipment_needs_triage(&self.shipment) {
            Ok(true) => Ok(Normalized::Carrier(self)),
            Ok(false) => Ok(Normalized::Ignored(ignored)),
            Err(e) => Err(missing(root, &e)),
        }
    }
}

/// Whether a shipment's latest event is an exception worth a case.
fn shipment_needs_triage(shipment: &Value) -> Result<bool, String> {
    let s: Shipment = serde_json::from_value(shipment.clone()).map_err(|e| e.to_string())?;
    let st = shipment_status(&s);
    Ok(st.exception.is_some()
        || matches!(
            st.stage,
            Stage::Exception | Stage::ReturnToSender | Stage::Cancelled
        ))
}

/// Builds a carrier-exception event for `update`, on the order `base` (an
/// earlier event of the same shipment) when known.
pub fn carrier_event(update: &CarrierUpdate, base: Option<&Value>, currency: &str) -> Value {
    let (order, customer, unknown) = match base {
        Some(b) => (b["order"].clone(), b.get("customer").cloned(), false),
        None => (
            json!({
                "id": update.order_id.clone().unwrap_or_else(|| format!("tracking:{}", update.tracking)),
                "currency": currency,
            }),
            None,
            update.order_id.is_none(),
        ),
    };
    let mut event = json!({
        "schema_version": 1,
        "id": update.id,
        "occurred_at": update.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "order": order,
        "exception": { "kind": "carrier_exception", "shipment": update.shipment },
        "attributes": { "order_known": !unknown },
    });
    if let Some(c) = customer.filter(|c| !c.is_null()) {
        event["customer"] = c;
    }
    event
}

#[cfg(test)]
mod robustness {
    //! Provider payloads are untrusted: whatever JSON arrives (after the
    //! signature check), the adapters answer an event, `ignored` or a typed
    //! error, and never panic.
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::{aftership, easypost, stripe};

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|n| json!(n)),
            "[a-z_.]{0,12}".prop_map(Value::String),
            prop_oneof![
                Just("payment_intent.payment_failed"),
                Just("charge.failed"),
                Just("invoice.payment_failed"),
                Just("tracker.updated"),
                Just("Exception"),
                Just("tracking_update"),
                Just("failure"),
            ]
            .prop_map(|s| Value::String(s.to_owned())),
        ];
        let keys = prop_oneof![
            Just("id"),
            Just("type"),
            Just("data"),
            Just("object"),
            Just("result"),
            Just("msg"),
            Just("last_payment_error"),
            Just("metadata"),
            Just("order_id"),
            Just("tracking_code"),
            Just("status"),
            Just("tag"),
            Just("event"),
            Just("amount"),
            Just("currency"),
            Just("created"),
            Just("tracking_details"),
            Just("checkpoints"),
            Just("slug"),
        ];
        leaf.prop_recursive(5, 64, 8, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(keys.clone().prop_map(str::to_owned), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn adapters_never_panic(payload in json_value()) {
            let _ = stripe::normalize(&payload);
            let _ = easypost::normalize(&payload);
            let _ = aftership::normalize(&payload);
        }
    }
}
