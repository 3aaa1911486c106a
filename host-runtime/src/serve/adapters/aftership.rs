//! AfterShip `tracking_update` webhooks: a tracking whose latest checkpoint
//! is an exception becomes a `carrier_exception` on its `order_id`.

use serde_json::{Value, json};

use super::{CarrierUpdate, Normalized, at, opt_text, text, time};
use crate::serve::error::ApiError;

/// Normalizes an AfterShip webhook payload.
pub fn normalize(payload: &Value) -> Result<Normalized, ApiError> {
    let kind = text(payload, "event")?;
    if kind != "tracking_update" {
        return Err(ApiError::Unsupported(format!(
            "AfterShip event `{kind}` is not taken here; send tracking_update"
        )));
    }
    let msg = at(payload, "msg").ok_or_else(|| super::missing("msg", "required: the tracking"))?;
    let tracking = text(payload, "msg.tracking_number")?;
    let slug = text(payload, "msg.slug")?;
    let occurred_at = time(payload, "ts")
        .or_else(|| time(payload, "msg.updated_at"))
        .ok_or_else(|| super::missing("ts", "required: Unix seconds"))?;
    let id = opt_text(payload, "event_id").unwrap_or_else(|| {
        format!(
            "{}:{}",
            opt_text(payload, "msg.id").unwrap_or_else(|| tracking.clone()),
            occurred_at.timestamp()
        )
    });
    let mut events: Vec<Value> = Vec::new();
    for (i, c) in at(msg, "checkpoints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let t = time(c, "checkpoint_time").ok_or_else(|| {
            super::missing(
                &format!("msg.checkpoints[{i}].checkpoint_time"),
                "required: a time",
            )
        })?;
        let place = opt_text(c, "location").or_else(|| {
            let parts: Vec<String> = ["city", "state", "country_iso3"]
                .iter()
                .filter_map(|k| opt_text(c, k))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        });
        events.push(json!({
            "at": t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "status": opt_text(c, "tag").unwrap_or_else(|| "Pending".into()),
            "substatus": opt_text(c, "subtag"),
            "message": opt_text(c, "message"),
            "location": place,
        }));
    }
    if events.is_empty() {
        events.push(json!({
            "at": occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "status": text(payload, "msg.tag")?,
            "substatus": opt_text(payload, "msg.subtag"),
            "message": opt_text(payload, "msg.subtag_message"),
        }));
    }
    let shipment = json!({
        "id": opt_text(payload, "msg.id"),
        "carrier": slug,
        "tracking_number": tracking,
        "estimated_delivery": time(payload, "msg.expected_delivery")
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "events": events,
    });
    let ignored = format!(
        "tracking {tracking} is `{}`: not an exception",
        opt_text(payload, "msg.tag").unwrap_or_default()
    );
    CarrierUpdate {
        id: format!("aftership:{id}"),
        occurred_at,
        order_id: opt_text(payload, "msg.order_id")
            .or_else(|| opt_text(payload, "msg.order_number")),
        tracking,
        shipment,
    }
    .into_normalized("msg", ignored)
}
