//! Google's address data, checked as a whole: every example is accepted,
//! mutations are rejected, normalisation is stable.

use ordex_core::knowledge::address::pattern::Pattern;
use ordex_core::knowledge::address::{all_countries, normalize_postal, postal_code_valid};
use proptest::prelude::*;

#[test]
fn the_table_covers_every_country_in_the_source() {
    let countries = all_countries();
    assert_eq!(countries.len(), 252);
    assert_eq!(countries.iter().filter(|c| !c.zip.is_empty()).count(), 181);
    assert!(
        countries.windows(2).all(|w| w[0].code < w[1].code),
        "sorted for binary search"
    );
}

#[test]
fn every_example_postal_code_in_the_data_is_accepted() {
    let mut checked = 0;
    for c in all_countries().iter().filter(|c| !c.zip.is_empty()) {
        for ex in c.zipex {
            assert!(
                postal_code_valid(c.code, ex),
                "{} rejects its own example {ex:?} (pattern {})",
                c.code,
                c.zip
            );
            assert!(
                postal_code_valid(c.code, &ex.to_lowercase()),
                "{}: lower case {ex:?}",
                c.code
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked}");
}

fn flip(ch: char) -> char {
    if ch.is_ascii_digit() {
        'Q'
    } else if ch.is_alphabetic() {
        '7'
    } else {
        ch
    }
}

#[test]
fn mutated_postal_codes_are_rejected_in_every_country_with_a_pattern() {
    for c in all_countries().iter().filter(|c| !c.zip.is_empty()) {
        for ex in c.zipex {
            let too_long = format!("{ex}12345");
            assert!(
                !postal_code_valid(c.code, &too_long),
                "{}: accepts {too_long:?}",
                c.code
            );
            let first: String = ex.chars().take(1).collect();
            assert!(
                !postal_code_valid(c.code, &first),
                "{}: accepts {first:?}",
                c.code
            );
            let stray = format!("{ex}@");
            assert!(
                !postal_code_valid(c.code, &stray),
                "{}: accepts {stray:?}",
                c.code
            );
            // Swapping letters and digits breaks every pattern that fixes
            // the class of its characters (all but a handful of alphanumeric ones).
            let flipped: String = ex.chars().map(flip).collect();
            let alnum_anywhere = c.zip.contains(r"[\dA-Z]")
                || c.zip.contains(r"[A-Z\d]")
                || c.zip.contains(r"[A-Z0-9]");
            if !alnum_anywhere {
                assert!(
                    !postal_code_valid(c.code, &flipped),
                    "{}: accepts {flipped:?} (from {ex})",
                    c.code
                );
            }
        }
    }
}

#[test]
fn countries_without_postal_codes_accept_none() {
    for c in all_countries().iter().filter(|c| c.zip.is_empty()) {
        assert!(!postal_code_valid(c.code, "12345"), "{}", c.code);
    }
}

fn country_with_pattern() -> impl Strategy<Value = &'static str> {
    let codes: Vec<&'static str> = all_countries()
        .iter()
        .filter(|c| !c.zip.is_empty())
        .map(|c| c.code)
        .collect();
    prop::sample::select(codes)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn normalize_postal_is_idempotent(country in country_with_pattern(), code in "[0-9A-Za-z -]{1,12}") {
        if let Some(once) = normalize_postal(country, &code) {
            prop_assert_eq!(normalize_postal(country, &once), Some(once.clone()), "{} {:?}", country, code);
        }
    }

    #[test]
    fn case_and_spacing_do_not_change_the_result(idx in 0usize..181, spaces in prop::collection::vec(0usize..8, 0..3)) {
        let with_zip: Vec<_> = all_countries().iter().filter(|c| !c.zip.is_empty()).collect();
        let c = with_zip[idx % with_zip.len()];
        let ex = c.zipex[0];
        let mut messy: String = ex.to_lowercase().chars().filter(|ch| *ch != ' ' && *ch != '-').collect();
        for s in spaces {
            let at = s.min(messy.len());
            if messy.is_char_boundary(at) {
                messy.insert(at, ' ');
            }
        }
        prop_assert_eq!(normalize_postal(c.code, &messy), normalize_postal(c.code, ex), "{} {:?} vs {:?}", c.code, messy, ex);
    }
}

/// Every postal pattern and sub-region prefix in the data.
fn all_patterns() -> Vec<(&'static str, &'static str)> {
    let mut out = Vec::new();
    for c in all_countries() {
        if !c.zip.is_empty() {
            out.push((c.code, c.zip));
        }
        for s in c.subs.iter().filter(|s| !s.zip_prefix.is_empty()) {
            out.push((c.code, s.zip_prefix));
        }
    }
    out
}

#[test]
fn every_pattern_in_the_data_is_within_the_supported_subset() {
    let patterns = all_patterns();
    assert!(patterns.len() > 1000, "{}", patterns.len());
    for (code, p) in patterns {
        assert!(Pattern::parse(p).is_ok(), "{code}: {p}");
    }
}

#[test]
fn the_matcher_agrees_with_regex_lite_on_every_example() {
    for (code, p) in all_patterns() {
        let ours = Pattern::parse(p).expect("parses");
        let full = regex_lite::Regex::new(&format!("^(?:{p})$")).expect("regex-lite parses");
        let prefix = regex_lite::Regex::new(&format!("^(?:{p})")).expect("regex-lite parses");
        let c = ordex_core::knowledge::address::country(code).expect("country");
        for ex in c.zipex.iter().flat_map(|e| {
            [
                e.to_string(),
                format!("{e}9"),
                e.replace(' ', ""),
                e.chars().skip(1).collect(),
            ]
        }) {
            assert_eq!(
                ours.full_match(&ex),
                full.is_match(&ex),
                "{code} {p} full {ex:?}"
            );
            assert_eq!(
                ours.prefix_match(&ex),
                prefix.is_match(&ex),
                "{code} {p} prefix {ex:?}"
            );
        }
    }
}

fn any_pattern() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(all_patterns())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5_000, ..ProptestConfig::default() })]

    #[test]
    fn the_matcher_agrees_with_regex_lite_on_random_codes(pat in any_pattern(), text in "[0-9A-Z -]{0,9}") {
        let (code, p) = pat;
        let ours = Pattern::parse(p).expect("parses");
        let full = regex_lite::Regex::new(&format!("^(?:{p})$")).expect("regex-lite parses");
        let prefix = regex_lite::Regex::new(&format!("^(?:{p})")).expect("regex-lite parses");
        prop_assert_eq!(ours.full_match(&text), full.is_match(&text), "{} {} full {:?}", code, p, text);
        prop_assert_eq!(ours.prefix_match(&text), prefix.is_match(&text), "{} {} prefix {:?}", code, p, text);
    }
}
