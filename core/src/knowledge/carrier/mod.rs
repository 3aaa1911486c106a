//! One taxonomy for carrier tracking data: AfterShip tags and subtags,
//! EasyPost `status` / `status_detail`, FedEx and UPS codes, and X12 214
//! status-reason codes all map to a stage, an exception kind, whether the
//! customer must act, and the usual next step (DOMAIN.md section 3).
//! Free text without a code is left to rules (keyword rules for now).

mod codes;

use serde::Serialize;

use crate::model::{Shipment, TrackingEvent};

/// Where the parcel is in its journey.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Label created, carrier not yet in possession.
    PreTransit,
    /// Moving through the network.
    InTransit,
    /// On the vehicle for delivery today.
    OutForDelivery,
    /// Waiting at a pickup point.
    AvailableForPickup,
    /// Delivered.
    Delivered,
    /// Something went wrong.
    Exception,
    /// Going back to the shipper.
    ReturnToSender,
    /// Shipment cancelled or destroyed.
    Cancelled,
    /// No usable tracking information.
    Unknown,
}

/// What went wrong, in one vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CarrierExceptionKind {
    /// Delivery attempted, nobody there or business closed.
    AttemptFailed,
    /// Incorrect or incomplete address, or the customer moved.
    AddressProblem,
    /// The recipient refused the parcel.
    Refused,
    /// Held in customs for documents or inspection.
    CustomsHold,
    /// Held until duties or taxes are paid.
    DutiesUnpaid,
    /// Late: weather, missort, network delay, late flight.
    Delay,
    /// Waiting at a pickup point and not collected.
    PickupNotCollected,
    /// The carrier rejected the parcel (prohibited, bad label).
    RejectedByCarrier,
    /// Damaged in transit.
    Damaged,
    /// Lost.
    Lost,
    /// Being returned, or already returned, to the shipper.
    ReturningToSender,
    /// Shipment cancelled.
    Cancelled,
    /// Destroyed or disposed of.
    Disposed,
    /// No tracking data for too long.
    StaleTracking,
    /// An exception without a more specific code.
    Other,
}

impl CarrierExceptionKind {
    /// Whether the customer has to do something.
    pub fn customer_action(self) -> bool {
        matches!(
            self,
            Self::AttemptFailed
                | Self::AddressProblem
                | Self::DutiesUnpaid
                | Self::PickupNotCollected
        )
    }

    /// The usual next step.
    pub fn next_step(self) -> &'static str {
        match self {
            Self::AttemptFailed => "offer_redelivery_or_pickup",
            Self::AddressProblem => "confirm_address_with_customer",
            Self::Refused => "refund_when_returned",
            Self::CustomsHold => "provide_customs_documents",
            Self::DutiesUnpaid => "ask_customer_to_pay_duties",
            Self::Delay => "notify_customer_of_delay",
            Self::PickupNotCollected => "remind_customer_to_collect",
            Self::RejectedByCarrier => "relabel_or_reship",
            Self::Damaged | Self::Lost => "reship_and_file_claim",
            Self::ReturningToSender => "agree_reship_or_refund",
            Self::Cancelled => "investigate_cancellation",
            Self::Disposed => "reship_or_refund",
            Self::StaleTracking => "open_carrier_trace",
            Self::Other => "review_tracking",
        }
    }
}

/// A tracking event understood.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrackingStatus {
    /// Journey stage.
    pub stage: Stage,
    /// The exception, if any.
    pub exception: Option<CarrierExceptionKind>,
    /// Whether the customer must act.
    pub customer_action: bool,
    /// Usual next step (`none` when all is well).
    pub next_step: &'static str,
    /// Vocabulary the deciding code came from (`aftership`, `easypost`, `fedex`, `ups`, `x12`), or `none`.
    pub source: &'static str,
    /// The code that decided, as given.
    pub code: Option<String>,
    /// The event's free text, for keyword rules when no code is specific.
    pub message: Option<String>,
}

fn status(
    stage: Stage,
    exception: Option<CarrierExceptionKind>,
    source: &'static str,
    code: &str,
) -> TrackingStatus {
    TrackingStatus {
        stage,
        exception,
        customer_action: exception.is_some_and(CarrierExceptionKind::customer_action),
        next_step: exception.map_or("none", CarrierExceptionKind::next_step),
        source,
        code: Some(code.to_owned()),
        message: None,
    }
}

/// Normalises one tracking event. Codes are tried most specific first:
/// X12/carrier reason `code`, then `substatus` (AfterShip subtag, EasyPost
/// status_detail), then `status`. An event whose codes are all unknown is
/// `Unknown` with no exception: its free text is for rules to read.
pub fn normalize_tracking(event: &TrackingEvent) -> TrackingStatus {
    let candidates = [
        event.code.as_deref(),
        event.substatus.as_deref(),
        Some(event.status.as_str()),
    ];
    for raw in candidates.into_iter().flatten() {
        let raw = raw.trim();
        if let Some((stage, exception, source)) = codes::lookup(raw) {
            return TrackingStatus {
                message: event.message.clone(),
                ..status(stage, exception, source, raw)
            };
        }
    }
    TrackingStatus {
        stage: Stage::Unknown,
        exception: None,
        customer_action: false,
        next_step: "none",
        source: "none",
        code: None,
        message: event.message.clone(),
    }
}

/// The status of a shipment: its latest event (by time; the later one wins
/// ties), or stale tracking when it has none.
pub fn shipment_status(shipment: &Shipment) -> TrackingStatus {
    match shipment
        .events
        .iter()
        .enumerate()
        .max_by_key(|(i, e)| (e.at, *i))
    {
        Some((_, e)) => normalize_tracking(e),
        None => TrackingStatus {
            stage: Stage::Unknown,
            exception: Some(CarrierExceptionKind::StaleTracking),
            customer_action: false,
            next_step: CarrierExceptionKind::StaleTracking.next_step(),
            source: "none",
            code: None,
            message: None,
        },
    }
}

/// Number of codes known per vocabulary.
pub fn coverage() -> Vec<(&'static str, usize)> {
    codes::coverage()
}
