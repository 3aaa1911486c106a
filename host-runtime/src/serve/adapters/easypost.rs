//! EasyPost `tracker.updated` events: a tracker whose latest status is an
//! exception becomes a `carrier_exception` on the order that shipped it.

use serde_json::{Value, json};

use super::{CarrierUpdate, Normalized, at, opt_text, text, time};
use crate::serve::error::ApiError;

/// Normalizes an EasyPost event payload.
pub fn normalize(payload: &Value) -> Result<Normalized, ApiError> {
    let description = text(payload, "description")?;
    if description != "tracker.updated" && description != "tracker.created" {
        return Err(ApiError::Unsupported(format!(
            "EasyPost event `{description}` is not taken here; send tracker.updated"
        )));
    }
    let id = text(payload, "id")?;
    let tracker =
        at(payload, "result").ok_or_else(|| super::missing("result", "required: the Tracker"))?;
    let tracking = text(payload, "result.tracking_code")?;
    let carrier = text(payload, "result.carrier")?;
    let occurred_at = time(payload, "result.updated_at")
        .or_else(|| time(payload, "updated_at"))
        .or_else(|| time(payload, "created_at"))
        .ok_or_else(|| super::missing("created_at", "required: an RFC 3339 time"))?;
    let mut events: Vec<Value> = Vec::new();
    for (i, d) in at(tracker, "tracking_details")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let at_time = time(d, "datetime").ok_or_else(|| {
            super::missing(
                &format!("result.tracking_details[{i}].datetime"),
                "required: a time",
            )
        })?;
        let place: Vec<String> = ["city", "state", "country"]
            .iter()
            .filter_map(|k| opt_text(d, &format!("tracking_location.{k}")))
            .collect();
        events.push(json!({
            "at": at_time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "status": opt_text(d, "status").unwrap_or_else(|| "unknown".into()),
            "substatus": opt_text(d, "status_detail"),
            "message": opt_text(d, "message"),
            "location": if place.is_empty() { Value::Null } else { json!(place.join(", ")) },
        }));
    }
    // The tracker's own status is the newest word when details lag behind.
    let status = text(payload, "result.status")?;
    let newest_matches = events
        .last()
        .is_some_and(|e| e["status"] == status.as_str());
    if !newest_matches {
        events.push(json!({
            "at": occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "status": status,
            "substatus": opt_text(payload, "result.status_detail"),
        }));
    }
    let shipment = json!({
        "id": opt_text(payload, "result.shipment_id").or_else(|| opt_text(payload, "result.id")),
        "carrier": carrier,
        "tracking_number": tracking,
        "estimated_delivery": time(payload, "result.est_delivery_date")
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "events": events,
    });
    let ignored = format!("tracker {tracking} is `{status}`: not an exception");
    CarrierUpdate {
        id: format!("easypost:{id}"),
        occurred_at,
        order_id: None,
        tracking,
        shipment,
    }
    .into_normalized("result", ignored)
}
