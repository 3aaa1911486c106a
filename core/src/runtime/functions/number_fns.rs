//! Numbers: rounding with a named mode, and division said out loud.
//!
//! Every number with a fraction is an exact decimal (`249.99 * 0.8` is
//! `199.992`). Dividing two integers gives the exact quotient (`7 / 2` is
//! `3.5`, `6 / 2` is `3`); `div(7, 2)` is the whole-number quotient.

use rhai::{Dynamic, Engine, INT, LexError, Token};
use rust_decimal::{Decimal, RoundingStrategy};

use super::{Res, reg};

const S: &str = "Numbers";

/// Most decimal places a decimal holds.
const MAX_PLACES: INT = 28;

/// The rounding modes `round(x, places, mode)` accepts, as rule text names them.
const MODES: [(&str, RoundingStrategy); 7] = [
    ("half_even", RoundingStrategy::MidpointNearestEven),
    ("half_up", RoundingStrategy::MidpointAwayFromZero),
    ("half_down", RoundingStrategy::MidpointTowardZero),
    ("up", RoundingStrategy::AwayFromZero),
    ("down", RoundingStrategy::ToZero),
    ("ceiling", RoundingStrategy::ToPositiveInfinity),
    ("floor", RoundingStrategy::ToNegativeInfinity),
];

fn mode(name: &str) -> Res<RoundingStrategy> {
    MODES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, m)| *m)
        .ok_or_else(|| {
            let names: Vec<&str> = MODES.iter().map(|(n, _)| *n).collect();
            format!(
                "round: unknown mode `{name}`; use one of {}",
                names.join(", ")
            )
            .into()
        })
}

fn places(p: INT) -> Res<u32> {
    if (0..=MAX_PLACES).contains(&p) {
        Ok(p as u32)
    } else {
        Err(format!("round: {p} places; a decimal has 0 to {MAX_PLACES}").into())
    }
}

/// `x` rounded to `places` decimal places with the named mode.
pub(crate) fn round(x: Decimal, p: INT, name: &str) -> Res<Decimal> {
    Ok(x.round_dp_with_strategy(places(p)?, mode(name)?))
}

/// The exact quotient of two integers: an integer when it divides evenly.
pub(crate) fn int_quotient(a: INT, b: INT) -> Res<Dynamic> {
    if b == 0 {
        return Err("division by zero".into());
    }
    // `i64::MIN / -1` is the one quotient that does not fit: checked, it
    // falls through to the decimal.
    if a.checked_rem(b) == Some(0)
        && let Some(q) = a.checked_div(b)
    {
        return Ok(Dynamic::from_int(q));
    }
    Ok(Dynamic::from_decimal(
        (Decimal::from(a) / Decimal::from(b)).normalize(),
    ))
}

fn digits(currency: &str) -> Res<u32> {
    crate::knowledge::currency::minor_units(currency)
        .ok_or_else(|| format!("`{currency}` is not an ISO 4217 currency").into())
}

/// Minor units as the exact amount in major units (`2499` USD → `24.99`).
fn to_major(minor: INT, currency: &str) -> Res<Decimal> {
    Ok(Decimal::new(minor, digits(currency)?).normalize())
}

/// An amount in major units as whole minor units, rounded with `mode`.
fn to_minor(amount: Decimal, currency: &str, name: &str) -> Res<INT> {
    let d = digits(currency)?;
    let scaled = amount
        .checked_mul(Decimal::from(10_i64.pow(d)))
        .ok_or("to_minor: the amount is beyond a decimal's range")?;
    INT::try_from(scaled.round_dp_with_strategy(0, mode(name)?))
        .map_err(|_| "to_minor: the amount does not fit 64-bit minor units".into())
}

/// A decimal count of minor units, which must be whole (round it first).
fn whole_minor(minor: Decimal) -> Res<INT> {
    if !minor.fract().is_zero() {
        return Err(format!(
            "money: {minor} is not a whole number of minor units; round it first, e.g. `round(x, 0, \"half_up\")`"
        )
        .into());
    }
    INT::try_from(minor).map_err(|_| "money: the amount does not fit 64-bit minor units".into())
}

/// The whole-number quotient, rounded toward zero.
fn div(a: Decimal, b: Decimal) -> Res<INT> {
    if b.is_zero() {
        return Err("div: division by zero".into());
    }
    let q = a
        .checked_div(b)
        .ok_or("div: the quotient is beyond a decimal's range")?;
    INT::try_from(q.trunc()).map_err(|_| "div: the quotient does not fit an integer".into())
}

/// The operator `/` becomes when rules are parsed: Rhai's own `/` on two
/// integers truncates, and overriding a built-in operator costs every
/// operator a lookup (about 11% of a triage's instructions), while a custom
/// operator costs only the divisions. No rule can spell it.
const DIVIDE: &str = "÷";

/// Rhai's `/` divides two integers as integers (`7 / 2` is `3`), silently.
/// Rules parse `/` as [`DIVIDE`], which is exact on integers and decimals
/// alike; `/=` is refused with a hint, since it cannot change its
/// variable's type from integer to decimal.
pub(crate) fn exact_division(engine: &mut Engine) {
    // Same precedence as `/` (Rhai: `*`, `/`, `%` are 180).
    let registered = engine.register_custom_operator(DIVIDE, 180).is_ok();
    debug_assert!(registered, "`{DIVIDE}` is not a Rhai symbol");
    #[allow(deprecated)] // volatile, not deprecated: it is Rhai's token hook
    engine.on_parse_token(|token, _, _| match token {
        Token::Divide => Token::Custom(Box::new(DIVIDE.into())),
        Token::DivideAssign => Token::LexError(Box::new(LexError::ImproperSymbol(
            "/=".into(),
            "`/=` is not available: write `x = x / y` (exact) or `x = div(x, y)` (whole number)"
                .into(),
        ))),
        other => other,
    });
}

fn dec_quotient(a: Decimal, b: Decimal) -> Res<Decimal> {
    if b.is_zero() {
        return Err("division by zero".into());
    }
    a.checked_div(b)
        .map(|q| q.normalize())
        .ok_or_else(|| "the quotient is beyond a decimal's range (about ±7.9e28)".into())
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        DIVIDE,
        &["a: INT", "b: INT", "Dynamic"],
        "`a / b`: exact division. Two integers give an integer when it divides evenly (`6 / 2` is `3`) and a\ndecimal otherwise (`7 / 2` is `3.5`); `div(a, b)` is the whole-number quotient.",
        int_quotient,
    );
    reg(
        engine,
        S,
        DIVIDE,
        &["a: Decimal", "b: Decimal", "Decimal"],
        "`a / b` on decimals, exact to 28 significant digits (`1 / 3` is `0.3333333333333333333333333333`).",
        dec_quotient,
    );
    reg(
        engine,
        S,
        DIVIDE,
        &["a: Decimal", "b: INT", "Decimal"],
        "`a / b`, a decimal by an integer.",
        |a: Decimal, b: INT| dec_quotient(a, Decimal::from(b)),
    );
    reg(
        engine,
        S,
        DIVIDE,
        &["a: INT", "b: Decimal", "Decimal"],
        "`a / b`, an integer by a decimal.",
        |a: INT, b: Decimal| dec_quotient(Decimal::from(a), b),
    );
    reg(
        engine,
        S,
        "round",
        &["x: Decimal", "places: INT", "mode: &str", "Decimal"],
        "`x` rounded to `places` decimal places (0–28). `mode`: `half_even` (banker's rounding: `2.345` → `2.34`),\n`half_up` (`2.345` → `2.35`), `half_down`, `up` (away from zero), `down` (toward zero), `ceiling`, `floor`.",
        round,
    );
    reg(
        engine,
        S,
        "round",
        &["x: INT", "places: INT", "mode: &str", "INT"],
        "An integer rounded to `places` places is itself (the mode is still checked).",
        |x: INT, p: INT, name: &str| -> Res<INT> {
            places(p)?;
            mode(name)?;
            Ok(x)
        },
    );
    reg(
        engine,
        S,
        "to_major",
        &["minor: INT", "currency: &str", "Decimal"],
        "Minor units as the exact amount in major units: `to_major(2499, \"USD\")` is `24.99`, `to_major(500, \"JPY\")` is `500`.",
        to_major,
    );
    reg(
        engine,
        S,
        "to_minor",
        &["amount: Decimal", "currency: &str", "mode: &str", "INT"],
        "An amount in major units as whole minor units, rounded with `mode` (as `round`): `to_minor(19.9992, \"USD\", \"half_even\")`\nis `2000`; `to_minor(1.2345, \"KWD\", \"down\")` is `1234`.",
        to_minor,
    );
    reg(
        engine,
        S,
        "to_minor",
        &["amount: INT", "currency: &str", "mode: &str", "INT"],
        "A whole amount in major units as minor units: `to_minor(25, \"USD\", \"half_up\")` is `2500`.",
        |a: INT, c: &str, m: &str| to_minor(Decimal::from(a), c, m),
    );
    reg(
        engine,
        S,
        "money",
        &["minor: Decimal", "currency: &str", "String"],
        "As `money(minor, currency)` for a decimal that is a whole number of minor units (`money(1999.0, \"USD\")`);\na fraction of a minor unit is an error that says to round first.",
        |minor: Decimal, c: &str| -> Res<String> {
            Ok(crate::knowledge::currency::format_money(
                whole_minor(minor)?,
                c,
            ))
        },
    );
    reg(
        engine,
        S,
        "div",
        &["a: INT", "b: INT", "INT"],
        "The whole-number quotient, rounded toward zero: `div(7, 2)` is `3`, `div(-7, 2)` is `-3`.",
        |a: INT, b: INT| -> Res<INT> {
            if b == 0 {
                return Err("div: division by zero".into());
            }
            a.checked_div(b)
                .ok_or_else(|| "div: the quotient does not fit an integer".into())
        },
    );
    reg(
        engine,
        S,
        "div",
        &["a: Decimal", "b: Decimal", "INT"],
        "The whole-number quotient of two decimals, rounded toward zero: `div(7.5, 2)` is `3`.",
        div,
    );
    reg(
        engine,
        S,
        "div",
        &["a: Decimal", "b: INT", "INT"],
        "As `div(a, b)` for a decimal and an integer.",
        |a: Decimal, b: INT| div(a, Decimal::from(b)),
    );
    reg(
        engine,
        S,
        "div",
        &["a: INT", "b: Decimal", "INT"],
        "As `div(a, b)` for an integer and a decimal.",
        |a: INT, b: Decimal| div(Decimal::from(a), b),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn rounding_modes_round_the_midpoint_their_own_way() {
        let r = |x: &str, m: &str| round(d(x), 2, m).unwrap().to_string();
        assert_eq!(r("2.345", "half_even"), "2.34");
        assert_eq!(r("2.355", "half_even"), "2.36");
        assert_eq!(r("2.345", "half_up"), "2.35");
        assert_eq!(r("-2.345", "half_up"), "-2.35");
        assert_eq!(r("2.345", "half_down"), "2.34");
        assert_eq!(r("2.341", "up"), "2.35");
        assert_eq!(r("2.349", "down"), "2.34");
        assert_eq!(r("-2.341", "ceiling"), "-2.34");
        assert_eq!(r("-2.341", "floor"), "-2.35");
        assert!(round(d("1"), 2, "nearest").is_err());
        assert!(round(d("1"), 29, "half_up").is_err());
        assert!(round(d("1"), -1, "half_up").is_err());
    }

    #[test]
    fn money_converts_between_minor_and_major_units_exactly() {
        assert_eq!(to_major(2499, "USD").unwrap(), d("24.99"));
        assert_eq!(to_major(500, "JPY").unwrap(), d("500"));
        assert_eq!(to_major(1234, "KWD").unwrap(), d("1.234"));
        assert_eq!(to_minor(d("19.9992"), "USD", "half_even").unwrap(), 2000);
        assert_eq!(to_minor(d("0.125"), "USD", "half_even").unwrap(), 12);
        assert_eq!(to_minor(d("0.125"), "USD", "half_up").unwrap(), 13);
        assert_eq!(to_minor(d("1.2345"), "KWD", "down").unwrap(), 1234);
        assert!(to_minor(d("1"), "XYZ", "down").is_err());
        assert_eq!(whole_minor(d("1999.000")).unwrap(), 1999);
        assert!(whole_minor(d("1999.5")).is_err());
    }

    #[test]
    fn integer_division_is_exact_and_div_truncates() {
        assert_eq!(int_quotient(6, 2).unwrap().as_int(), Ok(3));
        assert_eq!(int_quotient(7, 2).unwrap().as_decimal(), Ok(d("3.5")));
        assert_eq!(
            int_quotient(1, 3).unwrap().as_decimal(),
            Ok(d("0.3333333333333333333333333333"))
        );
        assert!(int_quotient(1, 0).is_err());
        assert!(int_quotient(INT::MIN, -1).unwrap().is_decimal());
        assert_eq!(div(d("7.5"), d("2")).unwrap(), 3);
        assert_eq!(div(d("-7.5"), d("2")).unwrap(), -3);
        assert!(div(d("1"), Decimal::ZERO).is_err());
    }
}
