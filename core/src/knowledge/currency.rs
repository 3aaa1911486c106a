//! ISO 4217 minor units.

/// Currencies whose minor unit is not 2 (ISO 4217 list, 2024 edition).
const NON_TWO: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Active ISO 4217 alphabetic codes with two minor digits.
const TWO: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL \
BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR \
FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT \
LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK \
NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP \
STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR \
ZMW ZWG ZWL";

/// Number of minor-unit digits of an ISO 4217 currency, or `None` when the
/// code is not a known currency.
pub fn minor_units(code: &str) -> Option<u32> {
    if let Some((_, d)) = NON_TWO.iter().find(|(c, _)| *c == code) {
        return Some(*d);
    }
    TWO.split_ascii_whitespace().any(|c| c == code).then_some(2)
}

/// Formats an amount in minor units for people: `format_money(123456, "USD")`
/// is `USD 1,234.56`; `JPY 1,235` has no decimals.
pub fn format_money(minor: i64, currency: &str) -> String {
    let digits = minor_units(currency).unwrap_or(2);
    let scale = 10_i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let whole = abs / scale as u64;
    let frac = abs % scale as u64;
    let whole = group_thousands(whole);
    if digits == 0 {
        format!("{currency} {sign}{whole}")
    } else {
        format!(
            "{currency} {sign}{whole}.{frac:0width$}",
            width = digits as usize
        )
    }
}

fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_follow_iso_4217() {
        assert_eq!(minor_units("USD"), Some(2));
        assert_eq!(minor_units("JPY"), Some(0));
        assert_eq!(minor_units("KWD"), Some(3));
        assert_eq!(minor_units("CLF"), Some(4));
        assert_eq!(minor_units("XXX"), None);
        assert_eq!(minor_units("usd"), None);
    }

    #[test]
    fn money_is_formatted_with_the_currency_exponent() {
        assert_eq!(format_money(123_456, "USD"), "USD 1,234.56");
        assert_eq!(format_money(1235, "JPY"), "JPY 1,235");
        assert_eq!(format_money(-5, "KWD"), "KWD -0.005");
        assert_eq!(format_money(0, "EUR"), "EUR 0.00");
    }
}
