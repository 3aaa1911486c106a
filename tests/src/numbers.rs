//! The numbers corpus: calls of the `tests/parity/numbers` pack with prices
//! of zero to six decimal places, large and negative amounts, zero
//! divisors, every rounding mode and currencies of 0, 2 and 3 minor digits,
//! plus values the rules must refuse (a fraction of a minor unit to show, a
//! number beyond the decimal range, a wrong type), so answers and errors of
//! the decimal arithmetic and the tables are compared in every runtime.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

const MODES: &[&str] = &[
    "half_even",
    "half_up",
    "half_down",
    "up",
    "down",
    "ceiling",
    "floor",
];
const CURRENCIES: &[&str] = &["USD", "JPY", "KWD", "EUR", "XYZ"];
const COUNTRIES: &[&str] = &["US", "CA", "DE", "FR", "JP"];

/// A decimal with `places` digits after the point, written as JSON writes it.
fn decimal(rng: &mut ChaCha8Rng, max: i64, places: u32) -> Value {
    let scale = 10_i64.pow(places);
    let units = rng.random_range(-max * scale / 10..max * scale);
    let text = if places == 0 {
        units.to_string()
    } else {
        let sign = if units < 0 { "-" } else { "" };
        let a = units.unsigned_abs();
        format!(
            "{sign}{}.{:0w$}",
            a / scale as u64,
            a % scale as u64,
            w = places as usize
        )
    };
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

fn pick<'a>(rng: &mut ChaCha8Rng, xs: &[&'a str]) -> &'a str {
    xs[rng.random_range(0..xs.len())]
}

/// `n` call envelopes of the numbers pack's `main` entry.
pub fn numbers_corpus(seed: u64, n: usize) -> Vec<String> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            let places = rng.random_range(0..7);
            let price = match i % 20 {
                0 => json!(1e25),
                1 => json!("12.50"),
                2 => json!(1e30),
                _ => decimal(&mut rng, 100_000, places),
            };
            let rate_places = rng.random_range(0..5);
            let rate = decimal(&mut rng, 1, rate_places);
            let input = json!({
                "price": price,
                "qty": rng.random_range(-3..50),
                "rate": rate,
                "divisor": rng.random_range(0..9),
                "places": rng.random_range(0..7),
                "mode": pick(&mut rng, MODES),
                "currency": pick(&mut rng, CURRENCIES),
                "country": pick(&mut rng, COUNTRIES),
                "home": pick(&mut rng, COUNTRIES),
                "limit": decimal(&mut rng, 500, 2),
            });
            json!({"entry": "main", "now": "2026-11-27T10:00:00Z", "input": input}).to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corpus_is_seeded_and_reaches_fractions_and_refusals() {
        let a = numbers_corpus(3, 400);
        assert_eq!(a, numbers_corpus(3, 400));
        assert!(
            a.iter()
                .any(|c| c.contains("\"price\":1e30") || c.contains("1e+30"))
        );
        assert!(a.iter().filter(|c| c.contains("\"divisor\":0")).count() > 20);
        let six = a.iter().filter(|c| {
            let v: Value = serde_json::from_str(c).unwrap();
            v["input"]["price"]
                .as_f64()
                .is_some_and(|p| (p * 1e5).fract().abs() > 1e-6)
        });
        assert!(six.count() > 20, "prices with five or six places");
    }
}
