//! Text helpers for keyword rules.

use rhai::{Dynamic, Engine};

use crate::knowledge::text::entities::entities;
use crate::runtime::View;

use super::reg;

const S: &str = "Text";

/// Lower case with runs of white space collapsed, for keyword rules.
pub(super) fn normalize_text(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Whether any of `words` occurs in `text`. Codes — anything with a digit,
/// or three characters or fewer (`a03`, `dd`) — must be whole tokens, so
/// `dd` does not match inside "address"; longer words and phrases match
/// anywhere, so "delay" finds "delayed". Case-insensitive.
pub(super) fn mentions(text: &str, words: &[Dynamic]) -> bool {
    let text = text.to_lowercase();
    let tokens: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .collect();
    words
        .iter()
        .filter_map(|w| w.clone().into_immutable_string().ok())
        .any(|w| {
            let w = w.to_lowercase();
            let code = w.chars().count() <= 3 || w.chars().any(|c| c.is_ascii_digit());
            if code {
                tokens.contains(&w.as_str())
            } else {
                text.contains(&w)
            }
        })
}

/// A member of `ctx` (a map, or a read-only view) as JSON.
fn member(ctx: &Dynamic, key: &str) -> serde_json::Value {
    if let Some(view) = ctx.read_lock::<View>() {
        return view.value()[key].clone();
    }
    if let Some(map) = ctx.read_lock::<rhai::Map>()
        && let Some(v) = map.get(key)
    {
        if let Some(view) = v.read_lock::<View>() {
            return view.value().clone();
        }
        return crate::runtime::to_json(v).unwrap_or_default();
    }
    serde_json::Value::Null
}

/// `entities(text, ctx)`: what the text mentions, as maps for rules.
fn entities_of(text: &str, ctx: &Dynamic, country: Option<&str>) -> super::Res<rhai::Array> {
    let now = member(ctx, "now")
        .as_str()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or("entities(text, ctx) needs the ctx the entry received (its `now`)")?;
    let prefixes: Vec<String> = member(ctx, "params")["order_number_prefixes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str().map(str::to_owned))
        .collect();
    Ok(entities(text, now, &prefixes, country)
        .into_iter()
        .map(|e| {
            let mut m = rhai::Map::new();
            m.insert("kind".into(), e.kind.into());
            m.insert("text".into(), e.text.into());
            m.insert("value".into(), e.value.into());
            m.insert(
                "detail".into(),
                e.detail.map_or(Dynamic::UNIT, Dynamic::from),
            );
            m.into()
        })
        .collect())
}

pub(super) fn register(engine: &mut Engine) {
    reg(
        engine,
        S,
        "entities",
        &["text: &str", "ctx: Map", "Array"],
        "What a message mentions, in order: `[#{kind, text, value, detail}]`. Kinds: `tracking_number` (only when its check digit\nverifies: UPS 1Z, USPS IMpb, FedEx Express, DHL Express, UPU S10 such as Royal Mail; `detail` is the carrier),\n`order_number` (`#4471`, \"order 4471\", \"order no. 4471\", or `ctx.params.order_number_prefixes` such as `[\"ORD-\"]`),\n`email`, `phone` (`value` is the digits), `amount` (`value` in hundredths, `detail` the currency: `$12.50`, `12.50 EUR`),\n`date` (`YYYY-MM-DD` for today, tomorrow, yesterday, \"by Friday\" and ISO dates, relative to `ctx.now`; other dates are\nleft alone as ambiguous), and `street_line` (a house number with a street type in the orders streets are written:\n\"455 Lake Shore Dr Apt 4B\", \"12 rue de Rivoli\", \"Karl-Marx-Straße 5\", \"Calle Mayor 10\", \"PO Box 123\").\nReads the first 1,000 characters.",
        |text: &str, ctx: rhai::Map| entities_of(text, &Dynamic::from_map(ctx), None),
    );
    reg(
        engine,
        S,
        "entities",
        &["text: &str", "ctx: Map", "country: &str", "Array"],
        "As `entities(text, ctx)`, and `postal_code`s valid in `country` (ISO 3166 code; Google's address data), with the\ncountry's canonical spelling as `value` (\"sw1a 2aa\" → \"SW1A 2AA\").",
        |text: &str, ctx: rhai::Map, country: &str| {
            entities_of(text, &Dynamic::from_map(ctx), Some(country))
        },
    );
    // Generic entries receive ctx as a read-only view.
    engine.register_fn("entities", |text: &str, ctx: View| {
        entities_of(text, &Dynamic::from(ctx), None)
    });
    engine.register_fn("entities", |text: &str, ctx: View, country: &str| {
        entities_of(text, &Dynamic::from(ctx), Some(country))
    });
    reg(
        engine,
        S,
        "normalize_text",
        &["text: &str", "String"],
        "Lower case, runs of white space collapsed.",
        normalize_text,
    );
    reg(
        engine,
        S,
        "mentions",
        &["text: &str", "words: Array", "bool"],
        "Whether `text` mentions any of `words` (case-insensitive). Codes (with a digit, or ≤ 3 characters) must be whole tokens;\nlonger words and phrases match anywhere.",
        |text: &str, words: rhai::Array| mentions(text, &words),
    );
    reg(
        engine,
        S,
        "tokens",
        &["text: &str", "Array"],
        "Lower-case words of `text` (letters, digits and `_`).",
        |s: &str| {
            s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|t| !t.is_empty())
                .map(|t| Dynamic::from(t.to_lowercase()))
                .collect::<rhai::Array>()
        },
    );
    reg(
        engine,
        S,
        "squish",
        &["text: &str", "String"],
        "`text` with runs of white space collapsed and the ends trimmed.",
        |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" "),
    );
    reg(
        engine,
        S,
        "is_digits",
        &["text: &str", "bool"],
        "Whether `text` is one or more ASCII digits.",
        |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()),
    );
    reg(
        engine,
        S,
        "digits_only",
        &["text: &str", "String"],
        "The ASCII digits of `text`.",
        |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<Dynamic> {
        ws.iter().map(|w| Dynamic::from(w.to_string())).collect()
    }

    #[test]
    fn short_codes_match_whole_tokens_and_words_match_anywhere() {
        assert!(!mentions("incorrect address", &words(&["dd"])));
        assert!(mentions("status dd at hub", &words(&["dd"])));
        assert!(mentions(
            "Exception Exception_007",
            &words(&["exception_007"])
        ));
        assert!(!mentions(
            "Exception Exception_0070",
            &words(&["exception_007"])
        ));
        assert!(mentions("Shipment DELAYED by weather", &words(&["delay"])));
        assert!(mentions(
            "customer not available today",
            &words(&["not available"])
        ));
    }

    #[test]
    fn normalize_text_lowercases_and_collapses_space() {
        assert_eq!(
            normalize_text("  WHERE   is\tMy order "),
            "where is my order"
        );
    }
}
