//! Text helpers for keyword rules.

use rhai::{Dynamic, Engine};

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

pub(super) fn register(engine: &mut Engine) {
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
