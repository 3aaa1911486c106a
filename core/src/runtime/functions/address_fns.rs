//! Addresses: Google's per-country rules, postal codes, delivery points.

use rhai::{Dynamic, Engine, Map};

use super::values::{enum_name, opt, typed};
use super::{Res, reg};
use crate::knowledge::address;
use crate::model::Address;

const S: &str = "Addresses";

fn finding_map(f: &address::AddressFinding) -> Map {
    let mut m = Map::new();
    m.insert("code".into(), f.code.into());
    m.insert("field".into(), f.field.into());
    m.insert("severity".into(), enum_name(&f.severity).into());
    m.insert("message".into(), f.message.clone().into());
    m.insert("suggestion".into(), opt(f.suggestion.clone()));
    m
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        "validate_address",
        &["address: Map", "Array"],
        "Findings `{code, field, severity, message, suggestion}` for an address, from its country's rules: `country_unknown`,\n`street_missing`/`city_missing`/`region_missing`/`postal_code_missing`/… (what the country requires), `postal_code_malformed`,\n`postal_code_format` (suggestion: the normalised code), `postal_code_region_mismatch`, `region_unknown`, `po_box`,\n`military_address`, `parcel_locker`, `unit_number_missing` (USPS designators such as APT without a number).",
        |addr: Dynamic| -> Res<rhai::Array> {
            let a: Address = typed(&addr, "validate_address", "an address")?;
            Ok(address::validate_address(&a)
                .iter()
                .map(|f| finding_map(f).into())
                .collect())
        },
    );
    reg(
        engine,
        S,
        "normalize_postal",
        &["country: &str", "code: &str", "Dynamic"],
        "The written form of a postal code in a country (`k1a0b1` → `K1A 0B1`, `902101234` → `90210-1234`), or `()` when invalid.",
        |country: &str, code: &str| opt(address::normalize_postal(country, code)),
    );
    reg(
        engine,
        S,
        "postal_code_valid",
        &["country: &str", "code: &str", "bool"],
        "Whether `code` is a postal code of `country` (any case and spacing).",
        address::postal_code_valid,
    );
    reg(
        engine,
        S,
        "delivery_point",
        &["address: Map", "String"],
        "`street`, `po_box`, `military` (APO/FPO/DPO) or `parcel_locker`.",
        |addr: Dynamic| -> Res<String> {
            let a: Address = typed(&addr, "delivery_point", "an address")?;
            Ok(enum_name(&address::delivery_point(&a)))
        },
    );
    reg(
        engine,
        S,
        "carrier_refuses",
        &["carrier: &str", "service: Dynamic", "address: Map", "bool"],
        "Whether the carrier (and service) refuses this address's delivery point: couriers (UPS, FedEx, DHL, …) and express\nservices refuse PO boxes and military addresses.",
        |carrier: &str, service: Dynamic, addr: Dynamic| -> Res<bool> {
            let a: Address = typed(&addr, "carrier_refuses", "an address")?;
            let service = service.into_immutable_string().ok();
            Ok(address::carrier_refuses(
                carrier,
                service.as_deref(),
                address::delivery_point(&a),
            ))
        },
    );
    reg(
        engine,
        S,
        "country_name",
        &["code: &str", "Dynamic"],
        "The country's English name (upper case), or `()`.",
        |code: &str| opt(address::country(code).map(|c| c.name.to_owned())),
    );
}
