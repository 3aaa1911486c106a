//! The street line of an address a message gives ("455 Lake Shore Dr",
//! "12 rue de Rivoli", "Karl-Marx-Straße 5", "Via Roma 10, int. 3",
//! "PO Box 123"). A street line needs both a house number and a word that
//! names a street type in one of the written orders streets take; anything
//! else is left alone, because a wrong street is worse than none (the agent
//! still reads the message).

/// Street types written after the name, with the number first
/// ("455 Lake Shore Dr"): English usage (USPS Publication 28 suffixes and
/// the UK/Commonwealth ones), lower case, abbreviations without their dot.
const SUFFIXES: &[&str] = &[
    "street",
    "st",
    "road",
    "rd",
    "avenue",
    "ave",
    "av",
    "drive",
    "dr",
    "lane",
    "ln",
    "boulevard",
    "blvd",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "terrace",
    "ter",
    "close",
    "crescent",
    "cres",
    "parkway",
    "pkwy",
    "highway",
    "hwy",
    "circle",
    "cir",
    "square",
    "sq",
    "trail",
    "trl",
    "row",
    "walk",
    "gardens",
    "grove",
    "mews",
    "loop",
    "pike",
    "alley",
    "plaza",
    "cove",
    "crossing",
    "expressway",
    "freeway",
    "turnpike",
    "path",
    "pass",
    "point",
    "run",
];

/// Street types written before the name (French, Spanish, Italian,
/// Portuguese, and "Avenue of the Americas"): the number comes first in
/// French ("12 rue de Rivoli") and last elsewhere ("Calle Mayor 10").
const PREFIXES: &[&str] = &[
    "rue",
    "avenue",
    "boulevard",
    "bd",
    "chemin",
    "allée",
    "allee",
    "impasse",
    "quai",
    "route",
    "place",
    "cours",
    "via",
    "viale",
    "piazza",
    "corso",
    "vicolo",
    "calle",
    "avenida",
    "avda",
    "paseo",
    "plaza",
    "carrer",
    "camino",
    "rua",
    "travessa",
    "largo",
    "praça",
];

/// Endings of one-word street names in German, Dutch and Nordic usage
/// ("Hauptstraße", "Keizersgracht", "Drottninggatan"), the number after.
const COMPOUND_ENDINGS: &[&str] = &[
    "straße", "strasse", "str", "weg", "gasse", "platz", "allee", "ring", "damm", "ufer",
    "chaussee", "straat", "laan", "gracht", "plein", "gatan", "vägen", "vagen", "vej", "veien",
    "gade", "katu",
];

/// Words that mark a unit after the street line ("Apt 4B", "Suite 200").
const UNITS: &[&str] = &[
    "apt",
    "apartment",
    "suite",
    "ste",
    "unit",
    "flat",
    "floor",
    "fl",
    "room",
    "rm",
    "int",
    "piso",
    "étage",
    "etage",
    "whg",
    "#",
];

/// Words a street name does not hold: a number then these is a quantity
/// ("2 items by the way"), not an address.
const NOT_NAMES: &[&str] = &[
    "the", "a", "an", "by", "to", "in", "on", "at", "of", "for", "and", "or", "my", "your", "is",
    "was", "be", "it", "this", "that", "with", "from", "day", "days", "item", "items", "hour",
    "hours", "week", "weeks", "month", "months", "times", "pieces", "pcs", "x", "i", "we", "you",
    "me", "but", "so", "all",
];

/// Most words a street name holds between the number and the type.
const MAX_NAME_WORDS: usize = 5;

/// A street line found at word `i`: the index of the first word after it
/// and the line as written (white space collapsed).
pub(super) struct Street {
    /// First word after the line.
    pub next: usize,
    /// The line, words joined by single spaces, commas kept.
    pub line: String,
}

fn house_number(w: &str) -> bool {
    let b = w.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 5 {
        return false;
    }
    let rest = &w[digits..];
    // "4", "4b", "12-14", "12/3", "7a-9"
    match rest.len() {
        0 => true,
        1 => rest.as_bytes()[0].is_ascii_alphabetic(),
        _ => {
            let rest = rest
                .strip_prefix(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(rest);
            rest.strip_prefix(['-', '/']).is_some_and(|r| {
                let d = r.bytes().take_while(u8::is_ascii_digit).count();
                (1..=4).contains(&d) && r.len() - d <= 1
            })
        }
    }
}

fn name_word(w: &str) -> bool {
    let alphabetic = w.chars().next().is_some_and(char::is_alphabetic)
        && w.chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '.' | '\''));
    // Ordinals: "5th Ave", "42nd Street".
    let ordinal = w.len() >= 3
        && w.as_bytes()[0].is_ascii_digit()
        && ["st", "nd", "rd", "th"].iter().any(|s| w.ends_with(s))
        && w[..w.len() - 2].bytes().all(|b| b.is_ascii_digit());
    (alphabetic || ordinal) && !NOT_NAMES.contains(&w)
}

/// Whether the text between two words breaks a street line: a comma, a
/// line break, a bracket, a colon. A dot does not: it ends abbreviations
/// ("Hauptstr. 12", "St. Johns Rd").
fn breaks(text: &str, ws: &[(usize, &str)], k: usize) -> bool {
    let end = ws[k].0 + ws[k].1.len();
    ws.get(k + 1).is_none_or(|(s, _)| {
        text[end..*s]
            .chars()
            .any(|c| !matches!(c, ' ' | '\t' | '.'))
    })
}

/// The street line starting at word `i`, if one does.
pub(super) fn street(
    text: &str,
    ws: &[(usize, &str)],
    lower: &[String],
    i: usize,
) -> Option<Street> {
    let is = |k: usize, list: &[&str]| lower.get(k).is_some_and(|w| list.contains(&w.as_str()));
    let last = if house_number(ws[i].1) {
        if is(i + 1, PREFIXES) && !breaks(text, ws, i) {
            // "12 rue de Rivoli": the name runs to the next break.
            let mut k = i + 1;
            while k - i <= MAX_NAME_WORDS
                && !breaks(text, ws, k)
                && lower.get(k + 1).is_some_and(|w| {
                    name_word(w)
                        || w == "de"
                        || w == "la"
                        || w == "du"
                        || w == "des"
                        || w == "of"
                        || w == "the"
                })
            {
                k += 1;
            }
            (k > i + 1).then_some(k)?
        } else {
            // "455 Lake Shore Dr": name words, then a street type.
            let mut k = i;
            loop {
                if breaks(text, ws, k) || k - i > MAX_NAME_WORDS {
                    return None;
                }
                k += 1;
                if k >= i + 2 && is(k, SUFFIXES) {
                    break k;
                }
                if !name_word(&lower[k]) {
                    return None;
                }
            }
        }
    } else if lower[i] == "po" || lower[i] == "p.o" {
        let boxed = lower.get(i + 1).is_some_and(|w| w == "box")
            && ws
                .get(i + 2)
                .is_some_and(|(_, w)| w.bytes().all(|b| b.is_ascii_digit()));
        boxed.then_some(i + 2)?
    } else if is(i, PREFIXES) && lower.get(i + 1).is_some_and(|w| name_word(w)) {
        // "Calle Mayor 10", "Via Roma 10": name words, then the number.
        let mut k = i;
        loop {
            if breaks(text, ws, k) || k - i > MAX_NAME_WORDS {
                return None;
            }
            k += 1;
            if k >= i + 2 && house_number(ws[k].1) {
                break k;
            }
            if !(name_word(&lower[k])
                || matches!(lower[k].as_str(), "de" | "del" | "di" | "da" | "do"))
            {
                return None;
            }
        }
    } else if COMPOUND_ENDINGS
        .iter()
        .any(|e| lower[i].len() > e.len() + 2 && lower[i].ends_with(e))
        // Street names are proper nouns: "offering 3" is not a street.
        && ws[i].1.chars().next().is_some_and(char::is_uppercase)
        && name_word(&lower[i])
        && !breaks(text, ws, i)
        && ws.get(i + 1).is_some_and(|(_, w)| house_number(w))
    {
        // "Hauptstraße 5", "Keizersgracht 123".
        i + 1
    } else {
        return None;
    };
    // A unit right after the line: "Apt 4B", "Suite 200", "#12".
    let mut last = last;
    let unit_start = if breaks(text, ws, last) {
        // "Via Roma 10, int. 3": a comma before the unit is usual.
        let end = ws[last].0 + ws[last].1.len();
        let gap_is_comma = ws
            .get(last + 1)
            .is_some_and(|(s, _)| text[end..*s].trim() == ",");
        gap_is_comma.then_some(last + 1)
    } else {
        Some(last + 1)
    };
    if let Some(u) = unit_start {
        let hash_unit = ws.get(u).is_some_and(|(_, w)| {
            w.strip_prefix('#')
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric()))
        });
        if hash_unit {
            last = u;
        } else if is(u, UNITS)
            && !breaks(text, ws, u)
            && ws
                .get(u + 1)
                .is_some_and(|(_, w)| w.bytes().any(|b| b.is_ascii_digit()) && w.len() <= 6)
        {
            last = u + 1;
        }
    }
    let mut line = String::new();
    for k in i..=last {
        if k > i {
            let end = ws[k - 1].0 + ws[k - 1].1.len();
            line.push_str(if text[end..ws[k].0].contains(',') {
                ", "
            } else {
                " "
            });
        }
        line.push_str(ws[k].1);
    }
    Some(Street {
        next: last + 1,
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::super::entities::words;
    use super::*;

    fn line(text: &str) -> Option<String> {
        let ws = words(text);
        let lower: Vec<String> = ws.iter().map(|(_, w)| w.to_lowercase()).collect();
        (0..ws.len()).find_map(|i| street(text, &ws, &lower, i).map(|s| s.line))
    }

    #[test]
    fn street_lines_in_the_orders_streets_are_written() {
        for (text, want) in [
            (
                "new address: 455 Lake Shore Dr, Chicago IL 60611",
                "455 Lake Shore Dr",
            ),
            (
                "please send it to 12 St Johns Road instead",
                "12 St Johns Road",
            ),
            (
                "ship to 221B Baker Street, London NW1 6XE",
                "221B Baker Street",
            ),
            (
                "we moved to 350 5th Ave Apt 4B New York",
                "350 5th Ave Apt 4B",
            ),
            (
                "deliver to 1600 Amphitheatre Pkwy Suite 200",
                "1600 Amphitheatre Pkwy Suite 200",
            ),
            (
                "nouvelle adresse : 12 rue de Rivoli, 75001 Paris",
                "12 rue de Rivoli",
            ),
            (
                "Neue Adresse: Karl-Marx-Straße 5, 10115 Berlin",
                "Karl-Marx-Straße 5",
            ),
            ("bitte an Hauptstr. 12a liefern", "Hauptstr 12a"),
            (
                "nueva dirección: Calle Mayor 10, 28013 Madrid",
                "Calle Mayor 10",
            ),
            ("spedire a Via Roma 10, int 3, Milano", "Via Roma 10, int 3"),
            ("send it to my PO Box 1234 please", "PO Box 1234"),
            ("the flat is 10 Downing St #2", "10 Downing St #2"),
            (
                "1271 Avenue of the Americas, NY",
                "1271 Avenue of the Americas",
            ),
        ] {
            assert_eq!(line(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn quantities_and_street_words_alone_are_not_street_lines() {
        for text in [
            "I ordered 2 items by the way",
            "3 day delivery was promised",
            "it took 4 weeks, which is way too long",
            "I will take you to court",
            "Main Street, no number",
            "order 4471 road trip gear",
            "123456 Long Road",
            "we are offering 3 options",
            "",
        ] {
            assert_eq!(line(text), None, "{text}");
        }
    }
}
