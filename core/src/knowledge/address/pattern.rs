//! A matcher for the regular-expression subset Google's postal patterns use:
//! literals, `[...]` classes with ranges, `\d`, `\s`, `\w`, groups `(...)` /
//! `(?:...)`, `|`, `?`, `*`, `+`, `{n}`, `{n,m}`, and `^`, `$`, `\b`.
//!
//! A general regex crate adds ~90 KB to the Wasm module (regex-lite,
//! measured); this adds a few KB. It is checked against `regex-lite` on every
//! pattern in the data by a differential property test
//! (`core/tests/address_data.rs`). Inputs are postal codes (a few
//! characters), so plain backtracking is fast enough.

/// Why a pattern is outside the supported subset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError(pub String);

#[derive(Debug, Clone)]
enum Node {
    Empty,
    Char(char),
    Class {
        ranges: Vec<(char, char)>,
        negated: bool,
    },
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat {
        node: Box<Node>,
        min: u32,
        max: u32,
    },
    Start,
    End,
    WordBoundary,
}

/// A parsed pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    root: Node,
}

struct Parser<'a> {
    chars: Vec<char>,
    pos: usize,
    source: &'a str,
}

const DIGIT: (char, char) = ('0', '9');

impl Parser<'_> {
    fn err<T>(&self, what: &str) -> Result<T, PatternError> {
        Err(PatternError(format!(
            "{what} at {} in {:?}",
            self.pos, self.source
        )))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn alt(&mut self) -> Result<Node, PatternError> {
        let mut branches = vec![self.concat()?];
        while self.eat('|') {
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 {
            branches.pop().unwrap_or(Node::Empty)
        } else {
            Node::Alt(branches)
        })
    }

    fn concat(&mut self) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            items.push(self.quantified(atom)?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.pop().unwrap_or(Node::Empty),
            _ => Node::Concat(items),
        })
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.chars[start..self.pos]
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }

    fn quantified(&mut self, atom: Node) -> Result<Node, PatternError> {
        let (min, max) = match self.peek() {
            Some('?') => (0, 1),
            Some('*') => (0, u32::MAX),
            Some('+') => (1, u32::MAX),
            Some('{') => {
                self.pos += 1;
                let Some(min) = self.number() else {
                    return self.err("expected a count");
                };
                let max = if self.eat(',') {
                    self.number().unwrap_or(u32::MAX)
                } else {
                    min
                };
                if !self.eat('}') {
                    return self.err("expected }");
                }
                return Ok(Node::Repeat {
                    node: Box::new(atom),
                    min,
                    max,
                });
            }
            _ => return Ok(atom),
        };
        self.pos += 1;
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    fn escape(&mut self) -> Result<Node, PatternError> {
        let Some(c) = self.peek() else {
            return self.err("dangling backslash");
        };
        self.pos += 1;
        Ok(match c {
            'd' => Node::Class {
                ranges: vec![DIGIT],
                negated: false,
            },
            'D' => Node::Class {
                ranges: vec![DIGIT],
                negated: true,
            },
            's' => Node::Class {
                ranges: vec![(' ', ' '), ('\t', '\r')],
                negated: false,
            },
            'w' => Node::Class {
                ranges: vec![DIGIT, ('A', 'Z'), ('a', 'z'), ('_', '_')],
                negated: false,
            },
            'b' => Node::WordBoundary,
            c if c.is_ascii_alphanumeric() => return self.err("unsupported escape"),
            c => Node::Char(c),
        })
    }

    fn class(&mut self) -> Result<Node, PatternError> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let mut first = true;
        loop {
            let Some(c) = self.peek() else {
                return self.err("unclosed [");
            };
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            self.pos += 1;
            let lo = if c == '\\' {
                let Some(e) = self.peek() else {
                    return self.err("dangling backslash");
                };
                self.pos += 1;
                match e {
                    'd' => {
                        ranges.push(DIGIT);
                        continue;
                    }
                    's' => {
                        ranges.push((' ', ' '));
                        ranges.push(('\t', '\r'));
                        continue;
                    }
                    e if e.is_ascii_alphanumeric() => {
                        return self.err("unsupported escape in class");
                    }
                    e => e,
                }
            } else {
                c
            };
            if self.peek() == Some('-') && self.chars.get(self.pos + 1).is_some_and(|n| *n != ']') {
                self.pos += 1;
                let Some(mut hi) = self.peek() else {
                    return self.err("unclosed range");
                };
                self.pos += 1;
                if hi == '\\' {
                    let Some(e) = self.peek() else {
                        return self.err("dangling backslash");
                    };
                    self.pos += 1;
                    hi = e;
                }
                if hi < lo {
                    return self.err("inverted range");
                }
                ranges.push((lo, hi));
            } else {
                ranges.push((lo, lo));
            }
        }
        Ok(Node::Class { ranges, negated })
    }

    fn atom(&mut self) -> Result<Node, PatternError> {
        let Some(c) = self.peek() else {
            return self.err("unexpected end");
        };
        self.pos += 1;
        match c {
            '(' => {
                if self.eat('?') && !self.eat(':') {
                    return self.err("unsupported group flag");
                }
                let inner = self.alt()?;
                if !self.eat(')') {
                    return self.err("unclosed (");
                }
                Ok(inner)
            }
            '[' => self.class(),
            '\\' => self.escape(),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '.' => Ok(Node::Class {
                ranges: vec![('\n', '\n')],
                negated: true,
            }),
            '?' | '*' | '+' | '{' | ')' => self.err("nothing to repeat"),
            c => Ok(Node::Char(c)),
        }
    }
}

fn is_word(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

fn matches(node: &Node, s: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match node {
        Node::Empty => k(i),
        Node::Char(c) => s.get(i) == Some(c) && k(i + 1),
        Node::Class { ranges, negated } => {
            s.get(i)
                .is_some_and(|c| ranges.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated)
                && k(i + 1)
        }
        Node::Concat(items) => concat(items, s, i, k),
        Node::Alt(branches) => branches.iter().any(|b| matches(b, s, i, k)),
        Node::Repeat { node, min, max } => repeat(node, *min, *max, 0, s, i, k),
        Node::Start => i == 0 && k(i),
        Node::End => i == s.len() && k(i),
        Node::WordBoundary => {
            let before = i.checked_sub(1).and_then(|p| s.get(p));
            is_word(before) != is_word(s.get(i)) && k(i)
        }
    }
}

fn concat(items: &[Node], s: &[char], i: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
    match items.split_first() {
        None => k(i),
        Some((first, rest)) => matches(first, s, i, &mut |j| concat(rest, s, j, k)),
    }
}

/// Greedy repetition with backtracking; an iteration that consumes nothing
/// only counts towards `min`, so `(a?)*` cannot loop forever.
fn repeat(
    node: &Node,
    min: u32,
    max: u32,
    count: u32,
    s: &[char],
    i: usize,
    k: &mut dyn FnMut(usize) -> bool,
) -> bool {
    if count < max
        && matches(node, s, i, &mut |j| {
            (j != i || count < min) && repeat(node, min, max, count + 1, s, j, k)
        })
    {
        return true;
    }
    count >= min && k(i)
}

impl Pattern {
    /// Parses a pattern, refusing syntax outside the supported subset.
    pub fn parse(source: &str) -> Result<Self, PatternError> {
        let mut p = Parser {
            chars: source.chars().collect(),
            pos: 0,
            source,
        };
        let root = p.alt()?;
        if p.pos != p.chars.len() {
            return p.err("unexpected )");
        }
        Ok(Self { root })
    }

    /// Whether the whole of `text` matches.
    pub fn full_match(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().collect();
        matches(&self.root, &s, 0, &mut |j| j == s.len())
    }

    /// Whether some prefix of `text` (possibly empty) matches.
    pub fn prefix_match(&self, text: &str) -> bool {
        let s: Vec<char> = text.chars().collect();
        matches(&self.root, &s, 0, &mut |_| true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_subset() {
        let us = Pattern::parse(r"(\d{5})(?:[ \-](\d{4}))?").expect("parses");
        assert!(
            us.full_match("90210") && us.full_match("90210-1234") && us.full_match("90210 1234")
        );
        assert!(
            !us.full_match("9021") && !us.full_match("90210-123") && !us.full_match("90210-12345")
        );
        let ca =
            Pattern::parse(r"[ABCEGHJKLMNPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d")
                .expect("parses");
        assert!(ca.full_match("K1A 0B1") && ca.full_match("K1A0B1") && !ca.full_match("K1A 0D1"));
        let prefix = Pattern::parse("9[0-5]|96[01]").expect("parses");
        assert!(
            prefix.prefix_match("94105")
                && prefix.prefix_match("96100")
                && !prefix.prefix_match("97201")
        );
        let anchored = Pattern::parse(r"(?:^|\b)(?:1[0-2]|[1-9])\d{2}(?:$|\b)").expect("parses");
        assert!(
            anchored.full_match("123")
                && anchored.full_match("1200")
                && !anchored.full_match("0123")
        );
    }

    #[test]
    fn refuses_what_it_does_not_support() {
        for bad in [r"(?i)abc", r"\p{L}", "a{", "[a", "(a", "*a", r"\1"] {
            assert!(Pattern::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn nested_optional_repeats_terminate() {
        let p = Pattern::parse("(a?)*b").expect("parses");
        assert!(p.full_match("aaab") && p.full_match("b") && !p.full_match("aaa"));
    }
}
