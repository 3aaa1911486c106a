//! The code tables. Sources: AfterShip delivery statuses and sub-statuses
//! (subtags 016–021 added 27 Mar 2026), EasyPost tracker statuses, FedEx
//! TrackService status codes, UPS status types, X12 214 element 641 reason
//! codes (see DOMAIN.md / DOMAIN-NOTES.md).

use super::CarrierExceptionKind::{self, *};
use super::Stage::{self, *};

type Row = (&'static str, Stage, Option<CarrierExceptionKind>);

const AFTERSHIP: &[Row] = &[
    ("Pending", Unknown, None),
    ("Pending_001", Unknown, Some(StaleTracking)),
    ("Pending_002", PreTransit, None),
    ("Pending_003", PreTransit, None),
    ("Pending_004", PreTransit, None),
    ("Pending_005", Unknown, None),
    ("Pending_006", Unknown, None),
    ("InfoReceived", PreTransit, None),
    ("InfoReceived_001", PreTransit, None),
    ("InTransit", InTransit, None),
    ("InTransit_001", InTransit, None),
    ("InTransit_002", InTransit, None),
    ("InTransit_003", InTransit, None),
    ("InTransit_004", InTransit, None),
    ("InTransit_005", InTransit, None),
    ("InTransit_006", InTransit, None),
    ("InTransit_007", InTransit, None),
    ("InTransit_008", InTransit, None),
    ("InTransit_009", InTransit, None),
    ("OutForDelivery", OutForDelivery, None),
    ("OutForDelivery_001", OutForDelivery, None),
    ("OutForDelivery_003", OutForDelivery, None),
    ("OutForDelivery_004", OutForDelivery, None),
    ("AvailableForPickup", AvailableForPickup, None),
    ("AvailableForPickup_001", AvailableForPickup, None),
    ("Delivered", Delivered, None),
    ("Delivered_001", Delivered, None),
    ("Delivered_002", Delivered, None),
    ("Delivered_003", Delivered, None),
    ("Delivered_004", Delivered, None),
    ("Delivered_005", Delivered, None),
    ("AttemptFail", Exception, Some(AttemptFailed)),
    ("AttemptFail_001", Exception, Some(AttemptFailed)),
    ("AttemptFail_002", Exception, Some(AttemptFailed)),
    ("AttemptFail_003", Exception, Some(AttemptFailed)),
    ("Exception", Exception, Some(Other)),
    ("Exception_001", Exception, Some(Other)),
    ("Exception_002", Exception, Some(AddressProblem)),
    ("Exception_003", Exception, Some(Refused)),
    ("Exception_004", Exception, Some(CustomsHold)),
    ("Exception_005", Exception, Some(Delay)),
    ("Exception_006", Exception, Some(DutiesUnpaid)),
    ("Exception_007", Exception, Some(AddressProblem)),
    ("Exception_008", Exception, Some(PickupNotCollected)),
    ("Exception_009", Exception, Some(RejectedByCarrier)),
    ("Exception_010", ReturnToSender, Some(ReturningToSender)),
    ("Exception_011", ReturnToSender, Some(ReturningToSender)),
    ("Exception_012", Exception, Some(Damaged)),
    ("Exception_013", Exception, Some(Lost)),
    ("Exception_016", Exception, Some(Delay)),
    ("Exception_017", Exception, Some(Delay)),
    ("Exception_018", Exception, Some(CustomsHold)),
    ("Exception_019", Exception, Some(Delay)),
    (
        "Exception_020",
        Stage::Cancelled,
        Some(CarrierExceptionKind::Cancelled),
    ),
    ("Exception_021", Stage::Cancelled, Some(Disposed)),
    ("Expired", Unknown, Some(StaleTracking)),
    ("Expired_001", Unknown, Some(StaleTracking)),
];

const EASYPOST: &[Row] = &[
    // status
    ("unknown", Unknown, Some(StaleTracking)),
    ("pre_transit", PreTransit, None),
    ("in_transit", InTransit, None),
    ("out_for_delivery", OutForDelivery, None),
    ("delivered", Delivered, None),
    ("available_for_pickup", AvailableForPickup, None),
    ("return_to_sender", ReturnToSender, Some(ReturningToSender)),
    ("failure", Exception, Some(RejectedByCarrier)),
    (
        "cancelled",
        Stage::Cancelled,
        Some(CarrierExceptionKind::Cancelled),
    ),
    ("error", Unknown, Some(Other)),
    // status_detail
    ("address_correction", Exception, Some(AddressProblem)),
    ("arrived_at_destination", InTransit, None),
    ("arrived_at_facility", InTransit, None),
    ("arrived_at_pickup_location", AvailableForPickup, None),
    ("awaiting_information", Exception, Some(CustomsHold)),
    ("damaged", Exception, Some(Damaged)),
    ("delayed", Exception, Some(Delay)),
    ("delivery_exception", Exception, Some(Other)),
    ("departed_facility", InTransit, None),
    ("departed_origin_facility", InTransit, None),
    ("expired", Unknown, Some(StaleTracking)),
    ("held", Exception, Some(CustomsHold)),
    ("label_created", PreTransit, None),
    ("lost", Exception, Some(Lost)),
    ("missorted", Exception, Some(Delay)),
    ("received_at_destination_facility", InTransit, None),
    ("received_at_origin_facility", InTransit, None),
    ("refused", Exception, Some(Refused)),
    ("return", ReturnToSender, Some(ReturningToSender)),
    ("status_update", InTransit, None),
    ("transferred_to_destination_carrier", InTransit, None),
    ("transit_exception", Exception, Some(Delay)),
    ("weather_delay", Exception, Some(Delay)),
];

const FEDEX: &[Row] = &[
    ("OC", PreTransit, None),
    ("PU", InTransit, None),
    ("IT", InTransit, None),
    ("AR", InTransit, None),
    ("DP", InTransit, None),
    ("OD", OutForDelivery, None),
    ("DL", Delivered, None),
    (
        "CA",
        Stage::Cancelled,
        Some(CarrierExceptionKind::Cancelled),
    ),
    ("CD", Exception, Some(CustomsHold)),
    ("DD", Exception, Some(Delay)),
    ("DY", Exception, Some(Delay)),
    ("DE", Exception, Some(Other)),
    ("HL", AvailableForPickup, Some(PickupNotCollected)),
    ("RS", ReturnToSender, Some(ReturningToSender)),
    ("SE", Exception, Some(RejectedByCarrier)),
];

/// UPS status types (single letters) as UPS's tracking API reports them.
const UPS: &[Row] = &[
    ("M", PreTransit, None),
    ("P", InTransit, None),
    ("I", InTransit, None),
    ("O", OutForDelivery, None),
    ("D", Delivered, None),
    ("X", Exception, Some(Other)),
    ("RS", ReturnToSender, Some(ReturningToSender)),
    (
        "MV",
        Stage::Cancelled,
        Some(CarrierExceptionKind::Cancelled),
    ),
];

/// X12 214 status-reason codes (element 641).
const X12: &[Row] = &[
    ("A01", Exception, Some(AttemptFailed)),
    ("A03", Exception, Some(AddressProblem)),
    ("A05", Exception, Some(AddressProblem)),
    ("A06", Exception, Some(AddressProblem)),
    ("A07", Exception, Some(Refused)),
    ("A09", Exception, Some(Damaged)),
    ("A10", Exception, Some(Damaged)),
    ("A11", Exception, Some(AttemptFailed)),
    ("A13", Exception, Some(Other)),
    ("A14", ReturnToSender, Some(ReturningToSender)),
    ("A17", Exception, Some(Delay)),
    ("A18", Exception, Some(Delay)),
    ("A19", Exception, Some(RejectedByCarrier)),
    ("A20", Exception, Some(RejectedByCarrier)),
    ("A42", Exception, Some(Delay)),
    ("A43", Exception, Some(Delay)),
    ("A50", Exception, Some(CustomsHold)),
    ("A55", Exception, Some(CustomsHold)),
    ("A59", AvailableForPickup, Some(PickupNotCollected)),
];

/// Looks a code up in every vocabulary. AfterShip and EasyPost codes are
/// case-sensitive in their APIs but matched case-insensitively here; FedEx,
/// UPS and X12 codes are short upper-case codes and only match exactly
/// (case-insensitively) so that a word like "de" in text does not match.
pub(super) fn lookup(raw: &str) -> Option<(Stage, Option<CarrierExceptionKind>, &'static str)> {
    let tables: [(&'static str, &[Row]); 5] = [
        ("aftership", AFTERSHIP),
        ("easypost", EASYPOST),
        ("x12", X12),
        ("fedex", FEDEX),
        ("ups", UPS),
    ];
    for (source, table) in tables {
        if let Some((_, stage, exception)) =
            table.iter().find(|(c, _, _)| c.eq_ignore_ascii_case(raw))
        {
            return Some((*stage, *exception, source));
        }
    }
    None
}

pub(super) fn coverage() -> Vec<(&'static str, usize)> {
    vec![
        ("aftership", AFTERSHIP.len()),
        ("easypost", EASYPOST.len()),
        ("fedex", FEDEX.len()),
        ("ups", UPS.len()),
        ("x12", X12.len()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_in_domain_md_table_maps_as_documented() {
        let expect: &[(&str, CarrierExceptionKind)] = &[
            ("AttemptFail_002", AttemptFailed),
            ("Exception_007", AddressProblem),
            ("address_correction", AddressProblem),
            ("A03", AddressProblem),
            ("Exception_003", Refused),
            ("refused", Refused),
            ("A07", Refused),
            ("Exception_004", CustomsHold),
            ("held", CustomsHold),
            ("A55", CustomsHold),
            ("CD", CustomsHold),
            ("Exception_017", Delay),
            ("weather_delay", Delay),
            ("A43", Delay),
            ("DY", Delay),
            ("Exception_008", PickupNotCollected),
            ("A59", PickupNotCollected),
            ("HL", PickupNotCollected),
            ("Exception_009", RejectedByCarrier),
            ("failure", RejectedByCarrier),
            ("SE", RejectedByCarrier),
            ("Exception_012", Damaged),
            ("damaged", Damaged),
            ("A10", Damaged),
            ("Exception_013", Lost),
            ("lost", Lost),
            ("Exception_011", ReturningToSender),
            ("return", ReturningToSender),
            ("A14", ReturningToSender),
            ("RS", ReturningToSender),
            ("Exception_021", Disposed),
            ("Pending_001", StaleTracking),
            ("expired", StaleTracking),
            ("Exception_001", Other),
            ("A13", Other),
            ("DE", Other),
            ("X", Other),
            ("Exception_006", DutiesUnpaid),
        ];
        for (code, kind) in expect {
            assert_eq!(lookup(code).and_then(|(_, e, _)| e), Some(*kind), "{code}");
        }
    }

    #[test]
    fn no_code_appears_twice_with_different_meanings() {
        let all: Vec<&Row> = AFTERSHIP
            .iter()
            .chain(EASYPOST)
            .chain(X12)
            .chain(FEDEX)
            .chain(UPS)
            .collect();
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                if a.0.eq_ignore_ascii_case(b.0) {
                    assert_eq!((a.1, a.2), (b.1, b.2), "{} is ambiguous", a.0);
                }
            }
        }
    }
}
