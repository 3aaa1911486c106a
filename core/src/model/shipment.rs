use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A parcel on its way, with the carrier's tracking history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Shipment {
    /// Shipment id in the order system.
    #[serde(default)]
    pub id: Option<String>,
    /// Carrier code (`ups`, `fedex`, `usps`, `dhl`, …).
    pub carrier: String,
    /// Service level.
    #[serde(default)]
    pub service: Option<String>,
    /// Carrier tracking number.
    #[serde(default)]
    pub tracking_number: Option<String>,
    /// When the parcel was handed to the carrier.
    #[serde(default)]
    pub shipped_at: Option<DateTime<Utc>>,
    /// Delivery date promised to the customer.
    #[serde(default)]
    pub promised_by: Option<DateTime<Utc>>,
    /// Carrier's current estimate.
    #[serde(default)]
    pub estimated_delivery: Option<DateTime<Utc>>,
    /// Declared value in minor units of the order currency.
    #[serde(default)]
    pub value_minor: Option<i64>,
    /// Tracking events, oldest first.
    #[serde(default)]
    pub events: Vec<TrackingEvent>,
}

/// One tracking scan as the carrier (or aggregator) reported it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TrackingEvent {
    /// When the scan happened.
    pub at: DateTime<Utc>,
    /// Status as reported (AfterShip tag, EasyPost status, carrier code).
    pub status: String,
    /// Sub-status (AfterShip subtag, EasyPost status_detail).
    #[serde(default)]
    pub substatus: Option<String>,
    /// Carrier-specific code (FedEx/UPS code, X12 214 reason code).
    #[serde(default)]
    pub code: Option<String>,
    /// The carrier's free-text description.
    #[serde(default)]
    pub message: Option<String>,
    /// Where the scan happened.
    #[serde(default)]
    pub location: Option<String>,
}
