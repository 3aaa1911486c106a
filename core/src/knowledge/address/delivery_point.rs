//! What kind of place an address delivers to, and which carriers refuse it.

use serde::Serialize;

use crate::model::Address;

/// The kind of delivery point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryPoint {
    /// An ordinary street address.
    Street,
    /// A post-office box (USPS: also CALLER, BIN, LOCKBOX, DRAWER), Postfach, apartado…
    PoBox,
    /// US military / diplomatic mail: APO, FPO, DPO with region AA, AE or AP.
    Military,
    /// A parcel locker or pick-up station (Packstation, InPost, Amazon Locker…).
    ParcelLocker,
}

/// Upper-case alphanumeric words of the street lines (dots dropped so `P.O.` is `PO`).
fn words(address: &Address) -> Vec<String> {
    address
        .lines
        .iter()
        .flat_map(|l| {
            l.split(|c: char| !(c.is_alphanumeric() || c == '.'))
                .map(|w| w.replace('.', "").to_uppercase())
                .collect::<Vec<_>>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

fn has_seq(words: &[String], seq: &[&str]) -> bool {
    words
        .windows(seq.len())
        .any(|w| w.iter().zip(seq).all(|(a, b)| a == b))
}

fn followed_by_number(words: &[String], word: &str) -> bool {
    words
        .windows(2)
        .any(|w| w[0] == word && w[1].chars().any(|c| c.is_ascii_digit()))
}

const PO_BOX_SEQUENCES: &[&[&str]] = &[
    &["PO", "BOX"],
    &["P", "O", "BOX"],
    &["POBOX"],
    &["POST", "OFFICE", "BOX"],
    &["POSTFACH"],
    &["APARTADO", "POSTAL"],
    &["APARTADO", "DE", "CORREOS"],
    &["CAIXA", "POSTAL"],
    &["CASILLA", "POSTAL"],
    &["BOITE", "POSTALE"],
    &["BOÎTE", "POSTALE"],
    &["CASELLA", "POSTALE"],
    &["POSTBUS"],
    &["POSTBOKS"],
    &["POSTBOX"],
    &["PRIVATE", "BAG"],
    &["GPO", "BOX"],
    &["LOCKED", "BAG"],
];

/// USPS Publication 28: these become PO BOX when followed by a number.
const USPS_BOX_WORDS: &[&str] = &["CALLER", "BIN", "LOCKBOX", "DRAWER"];

const LOCKER_WORDS: &[&[&str]] = &[
    &["PACKSTATION"],
    &["PAKETSTATION"],
    &["PARCEL", "LOCKER"],
    &["AMAZON", "LOCKER"],
    &["AMAZON", "HUB"],
    &["INPOST"],
    &["PACZKOMAT"],
    &["PARCELMOTEL"],
    &["POSTNORD", "BOX"],
    &["PICKUP", "STATION"],
    &["PACKETA", "BOX"],
    &["LOCKER"],
];

/// Classifies the address's delivery point.
pub fn delivery_point(address: &Address) -> DeliveryPoint {
    let city = address
        .city
        .as_deref()
        .map(|c| c.trim().to_uppercase())
        .unwrap_or_default();
    let region = address
        .region
        .as_deref()
        .map(|r| r.trim().to_uppercase())
        .unwrap_or_default();
    if address.country == "US"
        && (matches!(region.as_str(), "AA" | "AE" | "AP")
            || matches!(city.as_str(), "APO" | "FPO" | "DPO"))
    {
        return DeliveryPoint::Military;
    }
    let words = words(address);
    if PO_BOX_SEQUENCES.iter().any(|s| has_seq(&words, s))
        || USPS_BOX_WORDS.iter().any(|w| followed_by_number(&words, w))
    {
        return DeliveryPoint::PoBox;
    }
    if LOCKER_WORDS.iter().any(|s| has_seq(&words, s)) {
        return DeliveryPoint::ParcelLocker;
    }
    DeliveryPoint::Street
}

/// Whether `carrier` (and service, when known) refuses this kind of delivery
/// point. Only postal services deliver to PO boxes and military addresses;
/// UPS, FedEx, DHL and every express service refuse them; lockers take only
/// their own network's parcels, so only the postal operator is assumed to reach them.
pub fn carrier_refuses(carrier: &str, service: Option<&str>, point: DeliveryPoint) -> bool {
    let carrier = carrier.trim().to_lowercase();
    let express = service.is_some_and(|s| {
        let s = s.to_lowercase();
        [
            "express",
            "next_day",
            "overnight",
            "priority_overnight",
            "same_day",
        ]
        .iter()
        .any(|w| s.contains(w))
    });
    let courier = [
        "ups",
        "fedex",
        "dhl",
        "dhl_express",
        "tnt",
        "dpd",
        "gls",
        "aramex",
        "purolator",
        "ontrac",
        "lasership",
    ]
    .iter()
    .any(|c| carrier == *c || carrier.starts_with(&format!("{c}_")));
    match point {
        DeliveryPoint::Street => false,
        DeliveryPoint::PoBox | DeliveryPoint::Military => courier || express,
        DeliveryPoint::ParcelLocker => courier && express,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(lines: &[&str], city: &str, region: &str, country: &str) -> Address {
        Address {
            lines: lines.iter().map(|s| s.to_string()).collect(),
            city: Some(city.into()),
            region: Some(region.into()),
            country: country.into(),
            ..Address::default()
        }
    }

    #[test]
    fn recognises_po_boxes_in_many_spellings() {
        for line in [
            "PO Box 12",
            "P.O. Box 12",
            "p o box 12",
            "Post Office Box 9",
            "POBOX 7",
            "Postfach 1234",
            "Caller 55",
            "Apartado Postal 10",
        ] {
            assert_eq!(
                delivery_point(&addr(&[line], "X", "", "US")),
                DeliveryPoint::PoBox,
                "{line}"
            );
        }
        assert_eq!(
            delivery_point(&addr(&["12 Box Elder Rd"], "X", "", "US")),
            DeliveryPoint::Street
        );
        assert_eq!(
            delivery_point(&addr(&["1 Bin Street"], "X", "", "US")),
            DeliveryPoint::Street
        );
    }

    #[test]
    fn recognises_military_and_lockers() {
        assert_eq!(
            delivery_point(&addr(&["Unit 2050 Box 4190"], "APO", "AP", "US")),
            DeliveryPoint::Military
        );
        assert_eq!(
            delivery_point(&addr(&["Packstation 105"], "Berlin", "", "DE")),
            DeliveryPoint::ParcelLocker
        );
    }

    #[test]
    fn couriers_refuse_po_boxes_and_postal_services_do_not() {
        assert!(carrier_refuses("UPS", None, DeliveryPoint::PoBox));
        assert!(carrier_refuses(
            "fedex",
            Some("ground"),
            DeliveryPoint::Military
        ));
        assert!(carrier_refuses(
            "usps",
            Some("priority_mail_express"),
            DeliveryPoint::PoBox
        ));
        assert!(!carrier_refuses(
            "usps",
            Some("ground_advantage"),
            DeliveryPoint::PoBox
        ));
        assert!(!carrier_refuses("ups", None, DeliveryPoint::Street));
    }
}
