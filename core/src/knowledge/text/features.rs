//! From text to hashed features, the same way in training (the host) and in
//! inference (every runtime): case-folded, fullwidth forms folded to ASCII,
//! tokens as runs of letters and digits, then word unigrams, word bigrams
//! and character 3–5-grams of each word, each hashed with 32-bit FNV-1a.
//! Integer hashing only, so every runtime computes the same features.

/// Characters of a text that are read; the rest is ignored, so the cost of
/// a call is bounded whatever the length of the message.
pub const MAX_CHARS: usize = 1000;

/// Tokens read from one text (a bound that [`MAX_CHARS`] already implies).
pub const MAX_TOKENS: usize = 400;

const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

fn fnv(mut h: u32, bytes: &[u8]) -> u32 {
    for b in bytes {
        h ^= u32::from(*b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

/// Folds one character: lower case (full Unicode mapping, first char of a
/// multi-char lowering kept whole below), fullwidth ASCII to ASCII.
fn fold(c: char, out: &mut String) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    let c = match u32::from(c) {
        // Fullwidth forms (U+FF01–U+FF5E) are ASCII typed on CJK keyboards.
        cp @ 0xFF01..=0xFF5E => char::from_u32(cp - 0xFEE0).unwrap_or(c),
        _ => c,
    };
    out.extend(c.to_lowercase());
}

/// The tokens of `text`: lower-case runs of letters and digits (apostrophes
/// inside a word are dropped: "didn't" → "didnt"), at most [`MAX_TOKENS`]
/// from the first [`MAX_CHARS`] characters.
pub fn tokens(text: &str) -> Vec<String> {
    let mut buf = String::new();
    let mut ends = Vec::new();
    token_spans(text, &mut buf, &mut ends);
    spans(&buf, &ends).map(str::to_owned).collect()
}

/// The tokens of `text` written one after another into `buf`, with the end
/// offset of each in `ends`: one buffer instead of a string per token, for
/// inference, where allocation is most of the cost of short texts.
pub fn token_spans(text: &str, buf: &mut String, ends: &mut Vec<usize>) {
    buf.clear();
    ends.clear();
    let mut start = 0;
    for c in text.chars().take(MAX_CHARS) {
        if c.is_ascii_alphanumeric() || (!c.is_ascii() && c.is_alphanumeric()) {
            fold(c, buf);
        } else if matches!(c, '\'' | '’') && buf.len() > start {
            continue;
        } else if buf.len() > start {
            ends.push(buf.len());
            start = buf.len();
            if ends.len() == MAX_TOKENS {
                return;
            }
        }
    }
    if buf.len() > start && ends.len() < MAX_TOKENS {
        ends.push(buf.len());
    }
}

/// The tokens [`token_spans`] wrote, as slices of `buf`.
pub fn spans<'a>(buf: &'a str, ends: &'a [usize]) -> impl Iterator<Item = &'a str> + 'a {
    let starts = std::iter::once(0).chain(ends.iter().copied());
    starts.zip(ends).map(move |(a, b)| &buf[a..*b])
}

/// Hash of a word unigram, used both as a feature and for vocabulary coverage.
pub fn word_hash(token: &str) -> u32 {
    fnv(fnv(FNV_OFFSET, b"w\x1f"), token.as_bytes())
}

/// Every feature hash of `tokens`, in a fixed order: per token its unigram,
/// its bigram with the next token, then its character n-grams by start
/// (3-, 4-, 5-gram). Scores are sums, so only the multiset matters.
pub fn feature_hashes<S: AsRef<str>>(tokens: &[S]) -> Vec<u32> {
    let word_seed = fnv(FNV_OFFSET, b"b\x1f");
    let char_seed = fnv(FNV_OFFSET, b"c\x1f");
    let mut out = Vec::with_capacity(tokens.len() * 24);
    // Each character of "<token>" as its UTF-8 bytes, so n-grams hash slices.
    let mut padded: Vec<u8> = Vec::with_capacity(128);
    let mut starts: Vec<usize> = Vec::with_capacity(40);
    for (i, t) in tokens.iter().enumerate() {
        let t = t.as_ref();
        out.push(word_hash(t));
        if let Some(next) = tokens.get(i + 1) {
            let h = fnv(fnv(word_seed, t.as_bytes()), b" ");
            out.push(fnv(h, next.as_ref().as_bytes()));
        }
        padded.clear();
        starts.clear();
        starts.push(0);
        padded.push(b'<');
        for c in t.chars().take(30) {
            starts.push(padded.len());
            let mut buf = [0u8; 4];
            padded.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        starts.push(padded.len());
        padded.push(b'>');
        starts.push(padded.len());
        // starts[k] is where character k begins; the last entry is the end.
        let chars = starts.len() - 1;
        // The 3-, 4- and 5-gram starting at each character, the longer ones
        // continuing the shorter one's hash (FNV is a running hash): each
        // byte is hashed once per start, not once per n-gram.
        for k in 0..chars.saturating_sub(2) {
            let mut h = fnv(char_seed, &padded[starts[k]..starts[k + 3]]);
            out.push(h);
            for n in 4..=5 {
                if k + n > chars {
                    break;
                }
                h = fnv(h, &padded[starts[k + n - 1]..starts[k + n]]);
                out.push(h);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_fold_case_fullwidth_and_apostrophes() {
        assert_eq!(
            tokens("Where's my ORDER #4471?!! 🙏"),
            ["wheres", "my", "order", "4471"]
        );
        assert_eq!(tokens("ＣＡＮＣＥＬ order"), ["cancel", "order"]);
        assert_eq!(tokens("注文はどこですか"), ["注文はどこですか"]);
        assert!(tokens("").is_empty() && tokens("?!… 🙂").is_empty());
    }

    #[test]
    fn cost_is_bounded_by_the_first_characters() {
        let long = "cancel ".repeat(10_000);
        let t = tokens(&long);
        assert!(t.len() <= MAX_TOKENS);
        assert!(feature_hashes(&t).len() < MAX_TOKENS * 20);
    }

    #[test]
    fn features_are_stable_values() {
        // Fixed numbers: a change here changes every trained model.
        assert_eq!(word_hash("cancel"), word_hash("cancel"));
        let f = feature_hashes(&tokens("cancel it"));
        // unigram, bigram, 3+2+1 char n-grams of "<cancel>" (8 chars: 6+5+4), unigram, 3-grams of "<it>" (2) + 4-gram (1)
        assert_eq!(f.len(), 1 + 1 + 15 + 1 + 3);
        assert_eq!(f[0], word_hash("cancel"));
    }

    #[test]
    fn ngrams_are_the_hashes_of_their_bytes() {
        // Continuing a running hash gives each n-gram's own hash.
        let seed = fnv(FNV_OFFSET, b"c\x1f");
        let mut expected: Vec<u32> = Vec::new();
        let padded = "<wäre>".as_bytes().to_vec();
        let chars: Vec<usize> = "<wäre>"
            .char_indices()
            .map(|(i, _)| i)
            .chain([padded.len()])
            .collect();
        for n in 3..=5 {
            for k in 0..chars.len() - n {
                expected.push(fnv(seed, &padded[chars[k]..chars[k + n]]));
            }
        }
        let mut got = feature_hashes(&tokens("wäre"))[1..].to_vec();
        got.sort_unstable();
        expected.sort_unstable();
        assert_eq!(got, expected);
    }
}
