//! The address form a country expects, from the same metadata the address
//! checks use, so a checkout page and the rules never disagree: which
//! fields, in which order and rows, what each is called there ("ZIP code",
//! "Postcode"-style names, "Prefecture"), which are required, examples and
//! the regions to pick from.

use serde::Serialize;

use super::{Country, country};

/// One field of the form, named as the input schemas name it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FormField {
    /// `name`, `organization`, `lines`, `district`, `city`, `region`,
    /// `postal_code` or `sorting_code` (members of an address).
    pub field: &'static str,
    /// English label in the country's own terms (`ZIP code`, `Prefecture`).
    pub label: &'static str,
    /// The country's checks refuse an address without it.
    pub required: bool,
    /// Written in capitals there (the checks compare case-insensitively).
    pub upper: bool,
    /// Row of the printed address it sits on (0-based), for laying out the form.
    pub row: u8,
}

/// A region a shopper can pick.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RegionChoice {
    /// Key as addresses carry it (`CA`, `東京都`).
    pub key: &'static str,
    /// Name to show (the Latin-script name when there is one).
    pub name: &'static str,
}

/// The form for one country.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressForm {
    /// ISO 3166-1 alpha-2 code.
    pub country: &'static str,
    /// English name, upper case as in the metadata.
    pub name: &'static str,
    /// Fields in the order the country writes them.
    pub fields: Vec<FormField>,
    /// Example postal codes (empty when the country has none).
    pub postal_examples: Vec<&'static str>,
    /// Regions to choose from (empty: free text, when the form has a region).
    pub regions: Vec<RegionChoice>,
}

fn postal_label(kind: &str) -> &'static str {
    match kind {
        "zip" => "ZIP code",
        "pin" => "PIN code",
        "eircode" => "Eircode",
        _ => "Postal code",
    }
}

fn region_label(kind: &str) -> &'static str {
    match kind {
        "state" => "State",
        "prefecture" => "Prefecture",
        "county" => "County",
        "island" => "Island",
        "parish" => "Parish",
        "do_si" => "Do/Si",
        "emirate" => "Emirate",
        "oblast" => "Oblast",
        "area" => "Area",
        "department" => "Department",
        "district" => "District",
        _ => "Province",
    }
}

fn city_label(kind: &str) -> &'static str {
    match kind {
        "post_town" => "Post town",
        "district" => "District",
        "suburb" => "Suburb",
        _ => "City",
    }
}

fn district_label(kind: &str) -> &'static str {
    match kind {
        "district" => "District",
        "neighborhood" => "Neighborhood",
        "village_township" => "Village or township",
        "townland" => "Townland",
        _ => "Suburb",
    }
}

/// The form for `c`: fields in the order of its format string.
pub fn form_for(c: &'static Country) -> AddressForm {
    let mut fields = Vec::new();
    let mut row = 0u8;
    let mut chars = c.fmt.chars();
    while let Some(ch) = chars.next() {
        if ch != '%' {
            continue;
        }
        let Some(code) = chars.next() else { break };
        let (field, label) = match code {
            'n' => {
                row = row.saturating_add(1);
                continue;
            }
            'N' => ("name", "Full name"),
            'O' => ("organization", "Company"),
            'A' => ("lines", "Address"),
            'D' => ("district", district_label(c.sublocality_name)),
            'C' => ("city", city_label(c.locality_name)),
            'S' => ("region", region_label(c.state_name)),
            'Z' => ("postal_code", postal_label(c.zip_name)),
            'X' => ("sorting_code", "Sorting code"),
            _ => continue,
        };
        if fields.iter().any(|f: &FormField| f.field == field) {
            continue;
        }
        fields.push(FormField {
            field,
            label,
            required: c.requires(code),
            upper: c.upper.contains(code),
            row,
        });
    }
    AddressForm {
        country: c.code,
        name: c.name,
        fields,
        postal_examples: c.zipex.to_vec(),
        regions: c
            .subs
            .iter()
            .map(|s| RegionChoice {
                key: s.key,
                name: if s.latin_name.is_empty() {
                    s.name
                } else {
                    s.latin_name
                },
            })
            .collect(),
    }
}

/// The form for the country with ISO code `code`, if it is known.
pub fn address_form(code: &str) -> Option<AddressForm> {
    country(code).map(form_for)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(code: &str) -> Vec<(&'static str, &'static str, bool)> {
        address_form(code)
            .unwrap()
            .fields
            .iter()
            .map(|f| (f.field, f.label, f.required))
            .collect()
    }

    #[test]
    fn each_country_names_and_orders_its_own_fields() {
        let us = labels("us");
        assert!(us.contains(&("postal_code", "ZIP code", true)));
        assert!(us.contains(&("region", "State", true)));
        let jp = labels("JP");
        assert!(jp.contains(&("region", "Prefecture", true)));
        // Japan writes the postal code before the prefecture.
        let pos = |f: &str| jp.iter().position(|x| x.0 == f).unwrap();
        assert!(pos("postal_code") < pos("region"));
        let gb = labels("GB");
        assert!(gb.contains(&("city", "Post town", true)));
        assert!(
            !gb.iter().any(|x| x.0 == "region" && x.2),
            "no required region in the UK"
        );
        let ie = labels("IE");
        assert!(ie.iter().any(|x| x.1 == "Eircode"));
        // Hong Kong has no postal code at all.
        assert!(!labels("HK").iter().any(|x| x.0 == "postal_code"));
        let us_form = address_form("US").unwrap();
        assert!(us_form.regions.iter().any(|r| r.key == "CA"));
        assert!(!us_form.postal_examples.is_empty());
        assert!(address_form("XX").is_none());
    }

    #[test]
    fn every_country_has_a_form_with_an_address_line() {
        for c in super::super::all_countries() {
            let form = form_for(c);
            assert!(form.fields.iter().any(|f| f.field == "lines"), "{}", c.code);
        }
    }
}
