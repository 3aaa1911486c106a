//! Country-aware address checks that produce findings rules can pass on.

use serde::Serialize;

use super::postal::sub_accepts;
use super::{DeliveryPoint, country, delivery_point, normalize_postal};
use crate::decision::Severity;
use crate::model::Address;

/// One problem with an address. `field` is the member of [`Address`] concerned.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressFinding {
    /// Machine-readable code (`postal_code_malformed`, `city_missing`, …).
    pub code: &'static str,
    /// Address member (`postal_code`, `lines`, `city`, `region`, …).
    pub field: &'static str,
    /// How serious.
    pub severity: Severity,
    /// Shopper-facing message.
    pub message: String,
    /// A corrected value, when there is one.
    pub suggestion: Option<String>,
}

fn finding(
    code: &'static str,
    field: &'static str,
    severity: Severity,
    message: String,
) -> AddressFinding {
    AddressFinding {
        code,
        field,
        severity,
        message,
        suggestion: None,
    }
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn title(name: &str) -> String {
    name.split(' ')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| format!("{f}{}", c.as_str().to_lowercase()))
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// USPS Publication 28, appendix C2: designators that need a number after them.
const UNIT_DESIGNATORS: &[&str] = &[
    "APT",
    "APARTMENT",
    "BLDG",
    "BUILDING",
    "DEPT",
    "FL",
    "FLOOR",
    "HNGR",
    "KEY",
    "LOT",
    "PIER",
    "RM",
    "ROOM",
    "SLIP",
    "SPC",
    "STOP",
    "STE",
    "SUITE",
    "TRLR",
    "UNIT",
    "#",
];

fn unit_without_number(address: &Address) -> Option<String> {
    address.lines.iter().find_map(|line| {
        let words: Vec<String> = line
            .split_whitespace()
            .map(|w| w.trim_matches(',').to_uppercase())
            .collect();
        let last = words.last()?;
        UNIT_DESIGNATORS
            .contains(&last.as_str())
            .then(|| last.clone())
    })
}

/// Checks an address against its country's rules.
pub fn validate_address(address: &Address) -> Vec<AddressFinding> {
    let mut out = Vec::new();
    let Some(c) = country(&address.country) else {
        out.push(finding(
            "country_unknown",
            "country",
            Severity::Block,
            format!("We do not recognise the country code {}.", address.country),
        ));
        return out;
    };
    let name = title(c.name);
    let street_blank = address.lines.iter().all(|l| l.trim().is_empty());
    let required: [(char, &'static str, &'static str, bool); 7] = [
        ('A', "lines", "street_missing", street_blank),
        ('C', "city", "city_missing", blank(&address.city)),
        ('S', "region", "region_missing", blank(&address.region)),
        (
            'Z',
            "postal_code",
            "postal_code_missing",
            blank(&address.postal_code),
        ),
        (
            'D',
            "district",
            "district_missing",
            blank(&address.district),
        ),
        (
            'X',
            "sorting_code",
            "sorting_code_missing",
            blank(&address.sorting_code),
        ),
        (
            'O',
            "organization",
            "organization_missing",
            blank(&address.organization),
        ),
    ];
    for (letter, field, code, missing) in required {
        if missing && c.requires(letter) {
            let what = match field {
                "lines" => "a street address",
                "city" => "a city",
                "region" => "a state, province or region",
                "postal_code" => "a postal code",
                "district" => "a district",
                "sorting_code" => "a sorting code",
                _ => "an organisation",
            };
            out.push(finding(
                code,
                field,
                Severity::Block,
                format!("Please enter {what} for an address in {name}."),
            ));
        }
    }
    let postal = address
        .postal_code
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    // The normalised code, when valid: the region check reuses it.
    let mut valid_postal: Option<String> = None;
    if let (Some(code), false) = (postal, c.zip.is_empty()) {
        match normalize_postal(c.code, code) {
            Some(normalized) => {
                valid_postal = Some(normalized.clone());
                if normalized != code {
                    let mut f = finding(
                        "postal_code_format",
                        "postal_code",
                        Severity::Info,
                        format!("We wrote your postal code as {normalized}."),
                    );
                    f.suggestion = Some(normalized);
                    out.push(f);
                }
            }
            None => {
                let example = c
                    .zipex
                    .first()
                    .map(|e| format!(" looks like {e}"))
                    .unwrap_or_else(|| " has a different format".to_owned());
                out.push(finding(
                    "postal_code_malformed",
                    "postal_code",
                    Severity::Block,
                    format!("A postal code in {name}{example}."),
                ));
            }
        }
    }
    if let Some(region) = address
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())
    {
        let sub = c.sub(region);
        if !c.subs.is_empty() && sub.is_none() {
            out.push(finding(
                "region_unknown",
                "region",
                Severity::Warn,
                format!("We do not recognise the region “{region}” in {name}."),
            ));
        } else if let (Some(sub), Some(code)) = (sub, valid_postal.as_deref())
            && sub_accepts(sub, code) == Some(false)
        {
            out.push(finding(
                "postal_code_region_mismatch",
                "postal_code",
                Severity::Warn,
                format!("This postal code is not in {region}. Please check both."),
            ));
        }
    }
    match delivery_point(address) {
        DeliveryPoint::PoBox => out.push(finding(
            "po_box",
            "lines",
            Severity::Info,
            "PO box: only the postal service delivers here.".to_owned(),
        )),
        DeliveryPoint::Military => out.push(finding(
            "military_address",
            "lines",
            Severity::Info,
            "APO/FPO/DPO address: ships by the postal service only.".to_owned(),
        )),
        DeliveryPoint::ParcelLocker => out.push(finding(
            "parcel_locker",
            "lines",
            Severity::Info,
            "Parcel locker: only its own network delivers here.".to_owned(),
        )),
        DeliveryPoint::Street => {}
    }
    if let Some(designator) = unit_without_number(address) {
        out.push(finding(
            "unit_number_missing",
            "lines",
            Severity::Warn,
            format!("Your address ends with “{designator}” but no number. Please add it."),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us() -> Address {
        Address {
            name: Some("Ada".into()),
            lines: vec!["12 Main St".into()],
            city: Some("Springfield".into()),
            region: Some("IL".into()),
            postal_code: Some("62701".into()),
            country: "US".into(),
            ..Address::default()
        }
    }

    fn codes(a: &Address) -> Vec<&'static str> {
        validate_address(a).into_iter().map(|f| f.code).collect()
    }

    #[test]
    fn a_good_address_has_no_findings() {
        assert!(codes(&us()).is_empty());
    }

    #[test]
    fn required_fields_follow_the_country() {
        let mut a = us();
        a.region = None;
        assert_eq!(codes(&a), ["region_missing"]);
        let de = Address {
            lines: vec!["Unter den Linden 1".into()],
            city: Some("Berlin".into()),
            postal_code: Some("10117".into()),
            country: "DE".into(),
            ..Address::default()
        };
        assert!(codes(&de).is_empty(), "Germany requires no region");
    }

    #[test]
    fn postal_problems_are_found_and_explained() {
        let mut a = us();
        a.postal_code = Some("6270".into());
        let f = validate_address(&a);
        assert_eq!(f[0].code, "postal_code_malformed");
        assert_eq!(
            f[0].message,
            "A postal code in United States looks like 95014."
        );
        a.postal_code = Some("94105".into());
        assert_eq!(codes(&a), ["postal_code_region_mismatch"]);
        a.postal_code = Some("627011234".into());
        let f = validate_address(&a);
        assert_eq!(
            (f[0].code, f[0].suggestion.as_deref()),
            ("postal_code_format", Some("62701-1234"))
        );
    }

    #[test]
    fn unknown_regions_and_units_without_numbers_warn() {
        let mut a = us();
        a.region = Some("Narnia".into());
        assert_eq!(codes(&a), ["region_unknown"]);
        let mut a = us();
        a.lines = vec!["12 Main St Apt".into()];
        assert_eq!(codes(&a), ["unit_number_missing"]);
    }
}
