//! Postal codes: whole-string matching against the country's pattern,
//! tolerant of case and spacing, and normalisation to the written form of
//! the country's examples (`k1a0b1` → `K1A 0B1`, `902101234` → `90210-1234`).

use std::sync::OnceLock;

use super::pattern::Pattern;
use super::{Country, Sub, countries::COUNTRIES, country};

/// One parsed pattern per country, built on first use. Patterns come from
/// the generated table and a test parses them all, so a failure here is a
/// generator bug; it is treated as "no pattern" rather than a panic.
fn pattern(c: &'static Country) -> Option<&'static Pattern> {
    static CACHE: OnceLock<Vec<OnceLock<Option<Pattern>>>> = OnceLock::new();
    if c.zip.is_empty() {
        return None;
    }
    let cache = CACHE.get_or_init(|| COUNTRIES.iter().map(|_| OnceLock::new()).collect());
    let index = COUNTRIES.iter().position(|x| std::ptr::eq(x, c))?;
    cache[index]
        .get_or_init(|| Pattern::parse(c.zip).ok())
        .as_ref()
}

/// Upper case, separators (space, hyphen, dot) removed.
fn compact(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '\t'))
        .flat_map(char::to_uppercase)
        .collect()
}

/// Letter, digit or other, for comparing a code's shape with an example's.
fn class(c: char) -> u8 {
    if c.is_ascii_digit() {
        b'9'
    } else if c.is_alphabetic() {
        b'A'
    } else {
        b'?'
    }
}

/// Puts the separators of `example` into `compact`, when both have the same
/// letters-and-digits shape.
fn shape_like(compact: &str, example: &str) -> Option<String> {
    let ex: Vec<char> = example.chars().collect();
    let body: Vec<char> = ex
        .iter()
        .copied()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    let code: Vec<char> = compact.chars().collect();
    if body.len() != code.len() || body.iter().zip(&code).any(|(a, b)| class(*a) != class(*b)) {
        return None;
    }
    let mut out = String::with_capacity(example.len());
    let mut i = 0;
    for c in ex {
        if matches!(c, ' ' | '-' | '.') {
            out.push(c);
        } else {
            out.push(code[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The canonical written form of `code` in `country_code`, or `None` when it
/// is not a valid postal code there (or the country has no postal codes).
///
/// Tries, in order: the separators of an example with the same shape; the
/// code without separators; one space or hyphen at each position. The first
/// form the country's pattern accepts wins, so the result depends only on the
/// code's letters and digits: normalising twice changes nothing.
pub fn normalize_postal(country_code: &str, code: &str) -> Option<String> {
    let c = country(country_code)?;
    let re = pattern(c)?;
    let compact = compact(code);
    if compact.is_empty() || compact.len() > 16 {
        return None;
    }
    for ex in c.zipex {
        if let Some(candidate) = shape_like(&compact, ex)
            && re.full_match(&candidate)
        {
            return Some(candidate);
        }
    }
    if re.full_match(&compact) {
        return Some(compact);
    }
    let chars: Vec<char> = compact.chars().collect();
    for sep in [' ', '-'] {
        for i in 1..chars.len() {
            let candidate: String = chars[..i]
                .iter()
                .chain(std::iter::once(&sep))
                .chain(&chars[i..])
                .collect();
            if re.full_match(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// Whether `code` is a valid postal code in the country (any case and spacing
/// the country's format allows). Countries without postal codes accept nothing.
pub fn postal_code_valid(country_code: &str, code: &str) -> bool {
    normalize_postal(country_code, code).is_some()
}

/// Whether `code` starts with one of the region's postal prefixes; `None`
/// when the data has no prefixes for that region (or the region is unknown).
pub fn region_accepts_postal(country_code: &str, region: &str, code: &str) -> Option<bool> {
    let c = country(country_code)?;
    let sub = c.sub(region)?;
    if sub.zip_prefix.is_empty() {
        return None;
    }
    let normalized = normalize_postal(country_code, code).unwrap_or_else(|| compact(code));
    sub_accepts(sub, &normalized)
}

/// Whether an already normalised postal code starts with one of the
/// sub-region's prefixes; `None` when the data has none for it.
pub(super) fn sub_accepts(sub: &Sub, normalized: &str) -> Option<bool> {
    if sub.zip_prefix.is_empty() {
        return None;
    }
    Some(
        Pattern::parse(sub.zip_prefix)
            .ok()?
            .prefix_match(normalized),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_the_examples_written_form() {
        assert_eq!(normalize_postal("CA", "k1a0b1").as_deref(), Some("K1A 0B1"));
        assert_eq!(
            normalize_postal("US", "902101234").as_deref(),
            Some("90210-1234")
        );
        assert_eq!(normalize_postal("US", " 90210 ").as_deref(), Some("90210"));
        assert_eq!(
            normalize_postal("JP", "1540023").as_deref(),
            Some("154-0023")
        );
        assert_eq!(
            normalize_postal("GB", "sw1a1aa").as_deref(),
            Some("SW1A 1AA")
        );
        assert_eq!(normalize_postal("GB", "m11ae").as_deref(), Some("M1 1AE"));
        assert_eq!(
            normalize_postal("NL", "1234ab").as_deref(),
            normalize_postal("NL", "1234 AB").as_deref()
        );
    }

    #[test]
    fn rejects_what_the_country_does_not_use() {
        assert_eq!(normalize_postal("US", "9021"), None);
        assert_eq!(normalize_postal("CA", "12345"), None);
        assert_eq!(normalize_postal("DE", "1011"), None);
        assert_eq!(
            normalize_postal("HK", "999077"),
            None,
            "Hong Kong has no postal codes"
        );
        assert_eq!(normalize_postal("XX", "12345"), None);
    }

    #[test]
    fn region_prefixes_catch_a_code_from_another_state() {
        assert_eq!(region_accepts_postal("US", "CA", "94105"), Some(true));
        assert_eq!(
            region_accepts_postal("US", "California", "94105"),
            Some(true)
        );
        assert_eq!(region_accepts_postal("US", "NY", "94105"), Some(false));
        assert_eq!(region_accepts_postal("US", "Atlantis", "94105"), None);
    }
}
