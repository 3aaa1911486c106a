//! Shipments: one taxonomy for carrier tracking codes.

use rhai::{Dynamic, Engine, Map};

use super::values::{enum_name, opt, typed};
use super::{Res, reg};
use crate::knowledge::carrier;
use crate::model::{Shipment, TrackingEvent};

const S: &str = "Shipments";

fn tracking_map(t: &carrier::TrackingStatus) -> Map {
    let mut m = Map::new();
    m.insert("stage".into(), enum_name(&t.stage).into());
    m.insert("exception".into(), opt(t.exception.map(|e| enum_name(&e))));
    m.insert("customer_action".into(), t.customer_action.into());
    m.insert("next_step".into(), t.next_step.into());
    m.insert("source".into(), t.source.into());
    m.insert("code".into(), opt(t.code.clone()));
    m.insert("message".into(), opt(t.message.clone()));
    m
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        "tracking_status",
        &["event: Map", "Map"],
        "One tracking event normalised: `{stage, exception, customer_action, next_step, source, code, message}` from AfterShip tags/subtags,\nEasyPost status/status_detail, FedEx and UPS codes or X12 214 reason codes. Unknown codes give stage `unknown`.",
        |event: Dynamic| -> Res<Map> {
            let e: TrackingEvent = typed(&event, "tracking_status", "a tracking event")?;
            Ok(tracking_map(&carrier::normalize_tracking(&e)))
        },
    );
    reg(
        engine,
        S,
        "shipment_status",
        &["shipment: Map", "Map"],
        "The status of a shipment's latest event; `stale_tracking` when it has none.",
        |shipment: Dynamic| -> Res<Map> {
            let s: Shipment = typed(&shipment, "shipment_status", "a shipment")?;
            Ok(tracking_map(&carrier::shipment_status(&s)))
        },
    );
}
