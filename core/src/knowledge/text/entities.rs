//! Exact things a message mentions: tracking numbers (only those whose
//! check digit verifies, by the carriers' published algorithms), order
//! numbers, email addresses, phone numbers, amounts with their currency, and
//! dates relative to `now` where the words leave no doubt. No model here:
//! every entity is a rule that can be checked.

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};

/// One thing found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// `tracking_number`, `order_number`, `email`, `phone`, `amount`, `date`,
    /// `street_line` or `postal_code`.
    pub kind: &'static str,
    /// As written (trimmed).
    pub text: String,
    /// Normalised: digits without spaces, lower-case email, RFC 3339 date,
    /// amount in minor units.
    pub value: String,
    /// The carrier of a tracking number, the currency of an amount.
    pub detail: Option<String>,
}

/// Most entities reported for one text.
pub const MAX_ENTITIES: usize = 50;

fn digit(c: u8) -> u32 {
    u32::from(c - b'0')
}

/// UPS 1Z: 16 characters after "1Z"; letters count as (ASCII − 3) mod 10;
/// odd positions doubled; the check makes the sum a multiple of ten.
fn ups(s: &[u8]) -> bool {
    if s.len() != 18 || &s[..2] != b"1Z" || !s[2..].iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let body = &s[2..17];
    let mut total = 0;
    for (i, c) in body.iter().enumerate() {
        let x = if c.is_ascii_digit() {
            digit(*c)
        } else {
            u32::from(c.to_ascii_uppercase() - 3) % 10
        };
        total += if i % 2 == 1 { 2 * x } else { x };
    }
    s[17].is_ascii_digit() && (10 - total % 10) % 10 == digit(s[17])
}

/// USPS IMpb (20, 22 and 26 digits): weights 3 and 1 from the first digit.
fn usps(s: &[u8]) -> bool {
    if !matches!(s.len(), 20 | 22 | 26) || !s.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (body, check) = s.split_at(s.len() - 1);
    let total: u32 = body
        .iter()
        .enumerate()
        .map(|(i, c)| if i % 2 == 0 { 3 * digit(*c) } else { digit(*c) })
        .sum();
    (10 - total % 10) % 10 == digit(check[0])
}

/// FedEx Express (12 digits): weights 3, 1, 7 on the first eleven, mod 11, mod 10.
fn fedex(s: &[u8]) -> bool {
    if s.len() != 12 || !s.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let weights = [3, 1, 7];
    let total: u32 = s[..11]
        .iter()
        .enumerate()
        .map(|(i, c)| weights[i % 3] * digit(*c))
        .sum();
    total % 11 % 10 == digit(s[11])
}

/// DHL Express (10 digits): the first nine, as a number, mod 7.
fn dhl(s: &[u8]) -> bool {
    if s.len() != 10 || !s.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n: u64 = s[..9].iter().fold(0, |n, c| n * 10 + u64::from(digit(*c)));
    n % 7 == u64::from(digit(s[9]))
}

/// UPU S10 (Royal Mail and postal services: `RB123456785GB`): weights
/// 8 6 4 2 3 5 9 7, 11 − sum mod 11, with 10 → 0 and 11 → 5.
fn s10(s: &[u8]) -> bool {
    if s.len() != 13
        || !s[..2].iter().all(u8::is_ascii_uppercase)
        || !s[2..11].iter().all(u8::is_ascii_digit)
        || !s[11..].iter().all(u8::is_ascii_uppercase)
    {
        return false;
    }
    let weights = [8, 6, 4, 2, 3, 5, 9, 7];
    let total: u32 = s[2..10]
        .iter()
        .zip(weights)
        .map(|(c, w)| w * digit(*c))
        .sum();
    let check = match total % 11 {
        1 => 0,
        0 => 5,
        r => 11 - r,
    };
    check == digit(s[10])
}

/// The carrier whose check digit `candidate` satisfies, if any.
pub fn tracking_carrier(candidate: &str) -> Option<&'static str> {
    let s = candidate.as_bytes();
    if ups(s) {
        Some("ups")
    } else if s10(s) {
        Some(if candidate.ends_with("GB") {
            "royal_mail"
        } else {
            "postal_s10"
        })
    } else if usps(s) {
        Some("usps")
    } else if fedex(s) {
        Some("fedex")
    } else if dhl(s) {
        Some("dhl")
    } else {
        None
    }
}

/// Words of a text with their byte spans (letters, digits and the
/// characters that live inside emails, amounts and codes).
pub(super) fn words(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let inside = c.is_alphanumeric()
            || matches!(c, '@' | '.' | '-' | '_' | '+' | '#' | '$' | '€' | '£' | ',');
        match (inside, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &text[s..]));
    }
    out.into_iter()
        .map(|(s, w)| {
            let t = w.trim_end_matches(['.', ',', '-']);
            (s, t)
        })
        .filter(|(_, w)| !w.is_empty())
        .collect()
}

fn email(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && local
            .chars()
            .all(|c| c.is_alphanumeric() || "._+-".contains(c))
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || ".-".contains(c))
}

/// An amount: `$12.50`, `€9`, `12.50 EUR`, `1,299.00 USD` → minor units
/// (two decimals; the currency's own minor units are the caller's to apply).
fn amount(symbol_or_code: &str, number: &str) -> Option<(String, String)> {
    let currency = match symbol_or_code {
        "$" => "USD",
        "€" => "EUR",
        "£" => "GBP",
        code if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) => code,
        _ => return None,
    };
    let cleaned: String = number.chars().filter(|c| *c != ',').collect();
    let (units, cents) = cleaned.split_once('.').unwrap_or((&cleaned, "0"));
    if units.is_empty() || units.len() > 12 || !units.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if cents.len() > 2 || !cents.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let cents: i64 = format!("{cents:0<2}").parse().ok()?;
    Some(((units * 100 + cents).to_string(), currency.to_owned()))
}

fn weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" => Weekday::Mon,
        "tuesday" => Weekday::Tue,
        "wednesday" => Weekday::Wed,
        "thursday" => Weekday::Thu,
        "friday" => Weekday::Fri,
        "saturday" => Weekday::Sat,
        "sunday" => Weekday::Sun,
        _ => return None,
    })
}

/// Everything `text` mentions (its first 1,000 characters), in order.
/// `order_prefixes` are the merchant's order-number prefixes (`ORD-`), read
/// from `[params]`; numbers after "order", "order no." or "#" count too.
/// Postal codes are looked for only when `country` says whose format to
/// check them against (Google's address data): alone, a number is no
/// postal code.
pub fn entities(
    text: &str,
    now: DateTime<Utc>,
    order_prefixes: &[String],
    country: Option<&str>,
) -> Vec<Entity> {
    let text: String = text.chars().take(super::features::MAX_CHARS).collect();
    let ws = words(&text);
    let mut out: Vec<Entity> = Vec::new();
    let push = |out: &mut Vec<Entity>, e: Entity| {
        if out.len() < MAX_ENTITIES && !out.iter().any(|o| o.kind == e.kind && o.value == e.value) {
            out.push(e);
        }
    };
    let lower: Vec<String> = ws.iter().map(|(_, w)| w.to_lowercase()).collect();
    let mut i = 0;
    while i < ws.len() {
        let (start, w) = ws[i];
        // Tracking numbers: one word, or digit groups written with spaces.
        let mut joined = w.to_ascii_uppercase();
        let mut span_end = start + w.len();
        let mut used = 1;
        if w.bytes().all(|b| b.is_ascii_digit()) {
            while i + used < ws.len()
                && ws[i + used].1.bytes().all(|b| b.is_ascii_digit())
                && joined.len() < 34
            {
                let (s, next) = ws[i + used];
                if text[span_end..s].chars().any(|c| c != ' ') {
                    break;
                }
                joined.push_str(next);
                span_end = s + next.len();
                used += 1;
                if tracking_carrier(&joined).is_some() {
                    break;
                }
            }
        }
        if let Some(carrier) = tracking_carrier(&joined) {
            push(
                &mut out,
                Entity {
                    kind: "tracking_number",
                    text: text[start..span_end].to_owned(),
                    value: joined,
                    detail: Some(carrier.to_owned()),
                },
            );
            i += used;
            continue;
        }
        if let Some(carrier) = tracking_carrier(&w.to_ascii_uppercase()) {
            push(
                &mut out,
                Entity {
                    kind: "tracking_number",
                    text: w.to_owned(),
                    value: w.to_ascii_uppercase(),
                    detail: Some(carrier.to_owned()),
                },
            );
            i += 1;
            continue;
        }
        let l = lower[i].as_str();
        if email(w) {
            push(
                &mut out,
                Entity {
                    kind: "email",
                    text: w.to_owned(),
                    value: l.to_owned(),
                    detail: None,
                },
            );
        } else if let Some(rest) = w.strip_prefix(['$', '€', '£']) {
            let symbol = &w[..w.len() - rest.len()];
            if let Some((minor, currency)) = amount(symbol, rest) {
                push(
                    &mut out,
                    Entity {
                        kind: "amount",
                        text: w.to_owned(),
                        value: minor,
                        detail: Some(currency),
                    },
                );
            }
        } else if w.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && let Some((_, code)) = ws.get(i + 1)
            && let Some((minor, currency)) = amount(code, w)
        {
            push(
                &mut out,
                Entity {
                    kind: "amount",
                    text: format!("{w} {code}"),
                    value: minor,
                    detail: Some(currency),
                },
            );
            i += 2;
            continue;
        } else if let Some(number) = order_number(w, i, &lower, order_prefixes) {
            push(
                &mut out,
                Entity {
                    kind: "order_number",
                    text: w.to_owned(),
                    value: number,
                    detail: None,
                },
            );
        } else if let Some(date) = date(l, i, &lower, now) {
            push(
                &mut out,
                Entity {
                    kind: "date",
                    text: w.to_owned(),
                    value: date,
                    detail: None,
                },
            );
        } else if let Some(street) = super::street::street(&text, &ws, &lower, i) {
            push(
                &mut out,
                Entity {
                    kind: "street_line",
                    value: street.line.clone(),
                    text: street.line,
                    detail: None,
                },
            );
            i = street.next;
            continue;
        } else if let Some(cc) = country
            && let Some((written, code, words_used)) = postal(&text, &ws, i, cc)
        {
            push(
                &mut out,
                Entity {
                    kind: "postal_code",
                    text: written,
                    value: code,
                    detail: Some(cc.to_ascii_uppercase()),
                },
            );
            i += words_used;
            continue;
        } else if let Some((written, digits, end)) = phone(&text, start) {
            push(
                &mut out,
                Entity {
                    kind: "phone",
                    text: written,
                    value: digits,
                    detail: None,
                },
            );
            // The number's other groups are not entities of their own.
            while i + 1 < ws.len() && ws[i + 1].0 < end {
                i += 1;
            }
        }
        i += 1;
    }
    out
}

/// A postal code of `country` at word `i`: two words first (`SW1A 1AA`,
/// `K1A 0B1`), then one. Words must hold a digit, so city names never match.
fn postal(
    text: &str,
    ws: &[(usize, &str)],
    i: usize,
    country: &str,
) -> Option<(String, String, usize)> {
    let (start, w) = ws[i];
    if let Some(&(s2, w2)) = ws.get(i + 1)
        && &text[start + w.len()..s2] == " "
    {
        let pair = format!("{w} {w2}");
        if pair.bytes().any(|b| b.is_ascii_digit())
            && let Some(code) = crate::knowledge::address::normalize_postal(country, &pair)
        {
            return Some((pair, code, 2));
        }
    }
    if !w.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    crate::knowledge::address::normalize_postal(country, w).map(|code| (w.to_owned(), code, 1))
}

/// `#4471`, a number after "order"/"order no."/"order number", or a word
/// with one of the merchant's prefixes.
fn order_number(word: &str, i: usize, lower: &[String], prefixes: &[String]) -> Option<String> {
    let upper = word.to_ascii_uppercase();
    for p in prefixes {
        let p = p.to_ascii_uppercase();
        if !p.is_empty()
            && upper.starts_with(&p)
            && upper.len() > p.len()
            && upper[p.len()..].bytes().any(|b| b.is_ascii_digit())
        {
            return Some(upper);
        }
    }
    let bare = word.trim_start_matches('#');
    let numeric = bare.len() >= 3 && bare.len() <= 20 && bare.bytes().all(|b| b.is_ascii_digit());
    if !numeric {
        return None;
    }
    let after_order = |k: usize| lower.get(k).is_some_and(|w| w == "order" || w == "orders");
    let hash = word.starts_with('#');
    let follows = (i >= 1 && after_order(i - 1))
        || (i >= 2
            && after_order(i - 2)
            && matches!(
                lower[i - 1].as_str(),
                "no" | "no." | "number" | "nr" | "num" | "id"
            ));
    (hash || follows).then(|| bare.to_owned())
}

/// "today", "tomorrow", "yesterday", or a weekday after "by", "on", "this",
/// "next" or "until" (its next occurrence after today); ISO dates as written.
fn date(word: &str, i: usize, lower: &[String], now: DateTime<Utc>) -> Option<String> {
    let today = now.date_naive();
    let day = match word {
        "today" => today,
        "tomorrow" => today + Duration::days(1),
        "yesterday" => today - Duration::days(1),
        w => {
            if let Some(wd) = weekday(w) {
                let cue = i >= 1
                    && matches!(
                        lower[i - 1].as_str(),
                        "by" | "on" | "this" | "next" | "until" | "before"
                    );
                if !cue {
                    return None;
                }
                let ahead = (7 + wd.num_days_from_monday() as i64
                    - today.weekday().num_days_from_monday() as i64)
                    % 7;
                today + Duration::days(if ahead == 0 { 7 } else { ahead })
            } else if w.len() == 10 && w.as_bytes()[4] == b'-' && w.as_bytes()[7] == b'-' {
                chrono::NaiveDate::parse_from_str(w, "%Y-%m-%d").ok()?
            } else {
                return None;
            }
        }
    };
    Some(day.format("%Y-%m-%d").to_string())
}

/// A phone number: `+` or a digit or `(`, then digits, spaces, dashes, dots
/// or parentheses, 7–15 digits in all, written with at least one separator
/// or a `+` (a bare run of digits is an order or tracking number's business).
/// Returns what was written, the digits (with `+`) and where it ends.
fn phone(text: &str, start: usize) -> Option<(String, String, usize)> {
    let begin = if start > 0 && text[..start].ends_with('(') {
        start - 1
    } else {
        start
    };
    let first = text[begin..].chars().next()?;
    if !(first.is_ascii_digit() || first == '+' || first == '(') {
        return None;
    }
    let mut end = begin;
    let mut digits = String::new();
    for (k, c) in text[begin..].char_indices() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if k == 0 => {}
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => break,
        }
        end = begin + k + c.len_utf8();
    }
    let written = text[begin..end]
        .trim_end_matches([' ', '-', '.', '('])
        .to_owned();
    let plus = first == '+';
    let separated = written.chars().any(|c| !c.is_ascii_digit() && c != '+');
    ((7..=15).contains(&digits.len()) && (separated || plus)).then(|| {
        let value = if plus { format!("+{digits}") } else { digits };
        (written.clone(), value, begin + written.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z")
            .expect("t")
            .with_timezone(&Utc) // a Friday
    }

    #[test]
    fn tracking_numbers_need_their_check_digit() {
        for (n, carrier) in [
            ("1Z5R89390357567127", "ups"),
            ("1Z879E930346834440", "ups"),
            ("1Z410E7W0392751591", "ups"),
            ("1Z8V92A70367203024", "ups"),
            ("1Z999AA10123456784", "ups"),
            ("03071790000523483741", "usps"),
            ("9400111201080805483016", "usps"),
            ("9361289878700317633795", "usps"),
            ("9405803699300124287899", "usps"),
            ("986578788855", "fedex"),
            ("3318810036", "dhl"),
            ("3318810014", "dhl"),
            ("RB123456785US", "postal_s10"),
        ] {
            assert_eq!(tracking_carrier(n), Some(carrier), "{n}");
        }
        // One digit off: no longer a tracking number.
        for n in [
            "1Z5R89390357567128",
            "03071790000523483742",
            "986578788856",
            "3318810037",
            "RB123456786US",
        ] {
            assert_eq!(tracking_carrier(n), None, "{n}");
        }
    }

    #[test]
    fn a_message_yields_its_entities() {
        let text = "Hi, order #4471 (tracking 9400 1112 0108 0805 4830 16) was $129.99 — email me at Ana.B@Example.com or call +1 (555) 010-2030 by Friday. Also ORD-88231 for 12.50 EUR.";
        let found = entities(text, now(), &["ORD-".to_owned()], None);
        let get = |kind: &str| -> Vec<(String, Option<String>)> {
            found
                .iter()
                .filter(|e| e.kind == kind)
                .map(|e| (e.value.clone(), e.detail.clone()))
                .collect()
        };
        assert_eq!(
            get("order_number"),
            [("4471".to_owned(), None), ("ORD-88231".to_owned(), None)]
        );
        assert_eq!(
            get("tracking_number"),
            [("9400111201080805483016".to_owned(), Some("usps".to_owned()))]
        );
        assert_eq!(
            get("amount"),
            [
                ("12999".to_owned(), Some("USD".to_owned())),
                ("1250".to_owned(), Some("EUR".to_owned()))
            ]
        );
        assert_eq!(get("email"), [("ana.b@example.com".to_owned(), None)]);
        assert_eq!(get("phone"), [("+15550102030".to_owned(), None)]);
        // "by Friday" on a Friday is the next Friday.
        assert_eq!(get("date"), [("2026-12-04".to_owned(), None)]);
    }

    #[test]
    fn ambiguous_or_plain_numbers_are_not_entities() {
        let found = entities(
            "I have 3 items and friday was fun; 03/04 maybe; call 12",
            now(),
            &[],
            None,
        );
        assert!(found.is_empty(), "{found:?}");
        let found = entities("order 4471 tomorrow", now(), &[], None);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].value, "2026-11-28");
        assert!(entities(&"9".repeat(5000), now(), &[], None).len() <= MAX_ENTITIES);
    }

    #[test]
    fn postal_codes_are_checked_against_the_country_format() {
        let codes = |text: &str, country: Option<&str>| -> Vec<String> {
            entities(text, now(), &[], country)
                .into_iter()
                .filter(|e| e.kind == "postal_code")
                .map(|e| e.value)
                .collect()
        };
        assert_eq!(
            codes(
                "I moved to 10 Downing St, London sw1a 2aa last week",
                Some("GB")
            ),
            ["SW1A 2AA"]
        );
        assert!(
            codes(
                "new address: 455 Lake Shore Dr, Chicago IL 60611",
                Some("US")
            )
            .contains(&"60611".to_owned())
        );
        // Without a country, no number is taken for a postal code.
        assert!(codes("Chicago IL 60611", None).is_empty());
        // A German code is not a UK one.
        assert!(codes("10115 Berlin", Some("GB")).is_empty());
    }
}
