//! Numbers with a fraction are exact decimals: Rhai's `decimal` type
//! (`rust_decimal`, 96-bit mantissa, up to 28 places), so `249.99 * 0.8` is
//! `199.992` and a sum of prices is the sum a person would write down. This
//! module holds the conversions at the edges: from JSON (which carries
//! binary doubles) into decimals, and from decimals back to JSON.
//!
//! Every conversion goes through the shortest decimal text of a double,
//! which Rust computes with integer arithmetic, so it is the same in every
//! runtime.

use std::str::FromStr;

pub use rust_decimal::Decimal;
use serde_json::Number;

/// The decimal a JSON double stands for: the shortest text that reads back
/// to the same double (`249.99`, not `249.990000000000009094947`). `None`
/// when it is not finite or beyond a decimal's range (about ±7.9 × 10²⁸).
pub fn from_f64(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    // rust_decimal rounds text with more than 28 places (`1e-30` is 0) and
    // refuses text beyond its range.
    Decimal::from_str(&f.to_string()).ok()
}

/// A JSON number as a rule sees it: whole numbers that fit are `i64`, every
/// other number a decimal. `None` for a number outside a decimal's range.
pub fn from_json(n: &Number) -> Option<Result<i64, Decimal>> {
    if let Some(i) = n.as_i64() {
        return Some(Ok(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(Err(Decimal::from(u)));
    }
    n.as_f64().and_then(from_f64).map(Err)
}

/// A number written in a table or a manifest (`4.99`, `-12`, `1e3`).
pub fn parse(text: &str) -> Option<Decimal> {
    let t = text.trim();
    Decimal::from_str(t)
        .ok()
        .or_else(|| Decimal::from_scientific(t).ok())
}

/// The JSON number for a decimal: a whole number as an integer (`5`, not
/// `5.0`), any other as the double whose shortest text is the decimal's own
/// text, which holds for every decimal of up to 15 significant digits (so
/// for every amount after rounding). Longer ones print as the nearest double.
pub fn to_json(d: Decimal) -> Number {
    let d = d.normalize();
    if d.scale() == 0
        && let Ok(i) = i64::try_from(d)
    {
        return Number::from(i);
    }
    let f: f64 = d.to_string().parse().unwrap_or(0.0);
    Number::from_f64(f).unwrap_or_else(|| Number::from(0))
}

/// A decimal as a double, for models that compute in doubles.
pub fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn doubles_read_as_the_decimal_they_were_written_as() {
        assert_eq!(from_f64(249.99), Some(dec("249.99")));
        assert_eq!(from_f64(0.1), Some(dec("0.1")));
        assert_eq!(from_f64(-1234.5678), Some(dec("-1234.5678")));
        assert_eq!(from_f64(1e20), Some(dec("100000000000000000000")));
        assert_eq!(from_f64(1e-30), Some(Decimal::ZERO), "below 28 places");
        assert_eq!(from_f64(1e29), None);
        assert_eq!(from_f64(f64::NAN), None);
    }

    #[test]
    fn decimals_print_what_was_computed() {
        let p = dec("249.99") * dec("0.8");
        assert_eq!(to_json(p).to_string(), "199.992");
        assert_eq!(to_json(dec("0.1") + dec("0.2")).to_string(), "0.3");
        assert_eq!(to_json(dec("5.000")).to_string(), "5");
        assert_eq!(to_json(dec("-0.50")).to_string(), "-0.5");
        assert_eq!(
            to_json(dec("12345678901234.5")).to_string(),
            "12345678901234.5"
        );
    }

    #[test]
    fn json_numbers_become_integers_or_decimals() {
        let n = |s: &str| serde_json::from_str::<Number>(s).unwrap();
        assert_eq!(from_json(&n("7")), Some(Ok(7)));
        assert_eq!(from_json(&n("7.25")), Some(Err(dec("7.25"))));
        assert_eq!(
            from_json(&n("18446744073709551615")),
            Some(Err(dec("18446744073709551615")))
        );
        assert_eq!(parse("1e3"), Some(dec("1000")));
        assert_eq!(parse("4.99"), Some(dec("4.99")));
        assert_eq!(parse("x"), None);
    }
}
