//! Stripe: `payment_intent.payment_failed`, `charge.failed` and
//! `invoice.payment_failed` become `payment_declined` events;
//! `payment_intent.succeeded` is the outcome of a retry the service planned.
//!
//! The order is `metadata.order_id` (or `metadata.order`) of the object,
//! falling back to the PaymentIntent, Charge or Invoice id, so declines of
//! one payment group into one case either way.

use serde_json::{Map, Value, json};

use super::{Normalized, at, opt_text, text, unix};
use crate::serve::error::ApiError;

/// Event types this adapter takes.
pub const TYPES: [&str; 4] = [
    "payment_intent.payment_failed",
    "charge.failed",
    "invoice.payment_failed",
    "payment_intent.succeeded",
];

fn brand(b: Option<String>) -> Value {
    match b.as_deref() {
        Some(b @ ("visa" | "mastercard" | "amex" | "discover" | "jcb" | "unionpay" | "diners")) => {
            json!(b)
        }
        Some(_) => json!("other"),
        None => Value::Null,
    }
}

fn order_id(obj: &Value, fallback: &str) -> String {
    opt_text(obj, "metadata.order_id")
        .or_else(|| opt_text(obj, "metadata.order"))
        .or_else(|| opt_text(obj, "subscription_details.metadata.order_id"))
        .unwrap_or_else(|| fallback.to_owned())
}

fn amount(obj: &Value, path: &str) -> Result<i64, ApiError> {
    at(obj, path).and_then(Value::as_i64).ok_or_else(|| {
        super::missing(
            &format!("data.object.{path}"),
            "required: an integer amount in minor units",
        )
    })
}

/// Normalizes a Stripe event payload.
pub fn normalize(payload: &Value) -> Result<Normalized, ApiError> {
    let kind = text(payload, "type")?;
    if !TYPES.contains(&kind.as_str()) {
        return Err(ApiError::Unsupported(format!(
            "Stripe event type `{kind}` is not taken here; subscribe this endpoint to {}",
            TYPES.join(", ")
        )));
    }
    let id = text(payload, "id")?;
    let created = unix(payload, "created")?;
    let obj =
        at(payload, "data.object").ok_or_else(|| super::missing("data.object", "required"))?;
    let obj_id = text(payload, "data.object.id")?;
    if kind == "payment_intent.succeeded" {
        return Ok(Normalized::PaymentSucceeded {
            order_id: order_id(obj, &obj_id),
            at: created,
        });
    }
    let currency = text(payload, "data.object.currency")?.to_uppercase();

    let mut payment = Map::new();
    let (amount_minor, card_root, recurring) = match kind.as_str() {
        "payment_intent.payment_failed" => {
            let err = at(obj, "last_payment_error")
                .cloned()
                .unwrap_or(Value::Null);
            payment.insert(
                "id".into(),
                json!(
                    opt_text(&err, "charge")
                        .or_else(|| opt_text(obj, "latest_charge"))
                        .unwrap_or(obj_id.clone())
                ),
            );
            payment.insert(
                "decline_code".into(),
                json!(opt_text(&err, "decline_code").or_else(|| opt_text(&err, "code"))),
            );
            payment.insert(
                "advice_code".into(),
                json!(opt_text(&err, "network_advice_code")),
            );
            payment.insert(
                "network_code".into(),
                json!(opt_text(&err, "network_decline_code")),
            );
            let recurring = opt_text(obj, "setup_future_usage").as_deref() == Some("off_session")
                || opt_text(obj, "off_session").is_some();
            (
                amount(obj, "amount")?,
                err.get("payment_method")
                    .and_then(|p| p.get("card"))
                    .cloned(),
                recurring,
            )
        }
        "charge.failed" => {
            payment.insert("id".into(), json!(obj_id));
            payment.insert(
                "decline_code".into(),
                json!(opt_text(obj, "outcome.reason").or_else(|| opt_text(obj, "failure_code"))),
            );
            payment.insert(
                "advice_code".into(),
                json!(opt_text(obj, "outcome.network_advice_code")),
            );
            payment.insert(
                "network_code".into(),
                json!(opt_text(obj, "outcome.network_decline_code")),
            );
            (
                amount(obj, "amount")?,
                at(obj, "payment_method_details.card").cloned(),
                false,
            )
        }
        _ => {
            // invoice.payment_failed: a merchant-initiated (recurring) collection.
            payment.insert(
                "id".into(),
                json!(
                    opt_text(obj, "charge")
                        .or_else(|| opt_text(obj, "payment_intent"))
                        .unwrap_or(obj_id.clone())
                ),
            );
            payment.insert(
                "decline_code".into(),
                json!(opt_text(obj, "last_finalization_error.code")),
            );
            if let Some(n) = at(obj, "attempt_count").and_then(Value::as_u64) {
                payment.insert("attempt_number".into(), json!(n.max(1)));
            }
            payment.insert("initiator".into(), json!("merchant"));
            (amount(obj, "amount_due")?, None, true)
        }
    };
    if let Some(card) = &card_root {
        payment.insert("brand".into(), brand(opt_text(card, "brand")));
        payment.insert("bin_country".into(), json!(opt_text(card, "country")));
        payment.insert(
            "card_fingerprint".into(),
            json!(opt_text(card, "fingerprint")),
        );
    }
    payment.insert(
        "at".into(),
        json!(created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
    );
    payment.insert("gateway".into(), json!("stripe"));
    payment.insert("amount_minor".into(), json!(amount_minor));
    payment.insert("currency".into(), json!(currency));
    payment.retain(|_, v| !v.is_null());

    let mut event = json!({
        "schema_version": 1,
        "id": format!("stripe:{id}"),
        "occurred_at": created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "order": { "id": order_id(obj, &obj_id), "currency": currency, "total_minor": amount_minor },
        "exception": { "kind": "payment_declined", "payment": payment },
        "attributes": { "stripe_event_type": kind, "stripe_object": obj_id, "recurring": recurring },
    });
    if let Some(c) = opt_text(obj, "customer") {
        event["customer"] = json!({ "id": c });
    }
    Ok(Normalized::Event(event))
}
