//! Cells of a decision table: the tests an input cell holds (`'a','b'`,
//! `<= 30`, `[1..10)`, `null`, `not('x')`, `-`) and the literal an output
//! cell holds, parsed once when the pack is compiled.

use std::cmp::Ordering;

use crate::number::Decimal;

/// A value as a table reads it from an input, or writes it to an output.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    /// Absent or `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction, exact (`4.99` is four ninety-nine).
    Decimal(Decimal),
    /// Text.
    Str(String),
    /// An object or an array: matches only `-` and `not null`.
    Other,
}

impl Scalar {
    fn number(&self) -> Option<Decimal> {
        match self {
            Self::Int(i) => Some(Decimal::from(*i)),
            Self::Decimal(d) => Some(*d),
            _ => None,
        }
    }

    /// Order of two values of the same kind (numbers with numbers, text with
    /// text); `None` across kinds, so a comparison with the wrong kind fails.
    fn compare(&self, other: &Self) -> Option<Ordering> {
        match (self, other) {
            (Self::Int(a), Self::Int(b)) => Some(a.cmp(b)),
            (Self::Str(a), Self::Str(b)) => Some(a.as_str().cmp(b.as_str())),
            (Self::Bool(a), Self::Bool(b)) => Some(a.cmp(b)),
            _ => self.number()?.partial_cmp(&other.number()?),
        }
    }

    /// The kind name used in messages and column types.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Int(_) | Self::Decimal(_) => "number",
            Self::Str(_) => "string",
            Self::Other => "object or array",
        }
    }
}

/// One alternative of an input cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    /// Equal to the literal (`'a'`, `12`, `true`, `= 12`).
    Eq(Scalar),
    /// Not equal (`!= 'a'`): also true for a missing value.
    Ne(Scalar),
    /// `<`, `<=`, `>`, `>=` against a literal of the same kind.
    Cmp(Ordering, bool, Scalar),
    /// A number range: `[a..b]`, `(a..b)`, `[a..b)`, `(a..b]`.
    Range {
        /// Lower bound.
        low: Decimal,
        /// Whether the lower bound is included (`[`).
        low_closed: bool,
        /// Upper bound.
        high: Decimal,
        /// Whether the upper bound is included (`]`).
        high_closed: bool,
    },
    /// A comparison with another input of the same call:
    /// `> userProfile.averageTransactionAmount * 3`, `!= userProfile.homeCountry`.
    Ref {
        /// How the cell's value relates to the operand.
        rel: Rel,
        /// The other input, and the arithmetic on it.
        operand: Operand,
    },
    /// `null`: the value is missing or null.
    IsNull,
    /// `not null`: the value is present.
    NotNull,
}

/// How a cell's value relates to an [`Operand`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rel {
    /// `=`
    Eq,
    /// `!=` (also true when either side is missing)
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// Arithmetic on an operand: `path * 3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

/// Another input a cell compares with, read once per call like the columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Operand {
    /// Index into the table's [`crate::table::DecisionTable::refs`].
    pub slot: usize,
    /// The dotted path, as written.
    pub path: Vec<String>,
    /// `* 3`, `+ 0.5`: exact decimal arithmetic; a missing or non-number
    /// input makes the operand null, which fails every comparison but `!=`.
    pub arith: Option<(Arith, Decimal)>,
}

impl Operand {
    fn value(&self, refs: &[Scalar]) -> Scalar {
        let base = refs.get(self.slot).cloned().unwrap_or(Scalar::Null);
        let Some((op, k)) = self.arith else {
            return base;
        };
        let Some(x) = base.number() else {
            return Scalar::Null;
        };
        let r = match op {
            Arith::Add => x.checked_add(k),
            Arith::Sub => x.checked_sub(k),
            Arith::Mul => x.checked_mul(k),
            Arith::Div => x.checked_div(k),
        };
        r.map_or(Scalar::Null, |d| Scalar::Decimal(d.normalize()))
    }
}

/// Where a table's cells register the other inputs they read.
#[derive(Debug, Default)]
pub struct RefSlots {
    /// Paths, in the order cells first name them.
    pub paths: Vec<Vec<String>>,
    /// Whether the column being parsed holds numbers: a bare name (`> limit`)
    /// is then an input, not text.
    pub numeric: bool,
}

/// Most distinct other inputs a table's cells may read.
pub const MAX_REFS: usize = 64;

impl RefSlots {
    fn slot(&mut self, path: Vec<String>) -> Result<usize, String> {
        if let Some(i) = self.paths.iter().position(|p| *p == path) {
            return Ok(i);
        }
        if self.paths.len() == MAX_REFS {
            return Err(format!("cells read more than {MAX_REFS} other inputs"));
        }
        self.paths.push(path);
        Ok(self.paths.len() - 1)
    }
}

/// `a.b.c` as path segments, when `s` is one (identifiers joined by dots).
fn path_of(s: &str) -> Option<Vec<String>> {
    let segs: Vec<&str> = s.split('.').collect();
    let ident = |w: &str| {
        w.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    (segs.len() <= super::MAX_PATH_DEPTH && segs.iter().all(|w| ident(w)))
        .then(|| segs.iter().map(|w| (*w).to_owned()).collect())
}

/// An operand that names another input: `a.b`, `a.b * 3` (a bare `limit`
/// only in a number column; `true`, `false`, `null` are never names).
fn operand(s: &str, refs: &mut RefSlots) -> Result<Option<Operand>, String> {
    let words: Vec<&str> = s.split_whitespace().collect();
    let (name, arith) = match words.as_slice() {
        [name] => (*name, None),
        [name, op, k] => {
            let op = match *op {
                "+" => Arith::Add,
                "-" => Arith::Sub,
                "*" => Arith::Mul,
                "/" => Arith::Div,
                _ => return Ok(None),
            };
            let Some(k) = crate::number::parse(k) else {
                return Ok(None);
            };
            if op == Arith::Div && k.is_zero() {
                return Err(format!("`{s}` divides by zero"));
            }
            (*name, Some((op, k)))
        }
        _ => return Ok(None),
    };
    if matches!(name, "true" | "false" | "null") {
        return Ok(None);
    }
    let Some(path) = path_of(name) else {
        return Ok(None);
    };
    if path.len() == 1 && !refs.numeric && arith.is_none() {
        return Ok(None); // a bare word is text, as a spreadsheet user types it
    }
    let slot = refs.slot(path.clone())?;
    Ok(Some(Operand { slot, path, arith }))
}

impl Test {
    fn holds(&self, v: &Scalar, refs: &[Scalar]) -> bool {
        match self {
            Self::Ref { rel, operand } => {
                let target = operand.value(refs);
                match rel {
                    Rel::Eq => equal(v, &target),
                    Rel::Ne => !equal(v, &target),
                    Rel::Lt => v.compare(&target) == Some(Ordering::Less),
                    Rel::Le => v.compare(&target).is_some_and(|o| o != Ordering::Greater),
                    Rel::Gt => v.compare(&target) == Some(Ordering::Greater),
                    Rel::Ge => v.compare(&target).is_some_and(|o| o != Ordering::Less),
                }
            }
            Self::Eq(lit) => equal(v, lit),
            Self::Ne(lit) => !equal(v, lit),
            Self::Cmp(ord, or_equal, lit) => v
                .compare(lit)
                .is_some_and(|o| o == *ord || (*or_equal && o == Ordering::Equal)),
            Self::Range {
                low,
                low_closed,
                high,
                high_closed,
            } => v.number().is_some_and(|x| {
                (if *low_closed { x >= *low } else { x > *low })
                    && (if *high_closed { x <= *high } else { x < *high })
            }),
            Self::IsNull => matches!(v, Scalar::Null),
            Self::NotNull => !matches!(v, Scalar::Null),
        }
    }

    /// The number interval this test accepts, when it is one.
    pub(crate) fn interval(&self) -> Option<Interval> {
        let n = |s: &Scalar| s.number();
        Some(match self {
            Self::Eq(s) => Interval::point(n(s)?),
            Self::Cmp(Ordering::Less, closed, s) => Interval {
                low: Decimal::MIN,
                low_closed: false,
                high: n(s)?,
                high_closed: *closed,
            },
            Self::Cmp(Ordering::Greater, closed, s) => Interval {
                low: n(s)?,
                low_closed: *closed,
                high: Decimal::MAX,
                high_closed: false,
            },
            Self::Range {
                low,
                low_closed,
                high,
                high_closed,
            } => Interval {
                low: *low,
                low_closed: *low_closed,
                high: *high,
                high_closed: *high_closed,
            },
            _ => return None,
        })
    }
}

/// Equality as a table sees it: numbers by value (`1` equals `1.0`).
fn equal(a: &Scalar, b: &Scalar) -> bool {
    match (a.number(), b.number()) {
        (Some(x), Some(y)) => match (a, b) {
            (Scalar::Int(i), Scalar::Int(j)) => i == j,
            _ => x == y,
        },
        _ => a == b,
    }
}

/// A number interval, for the overlap and reachability checks; the
/// decimals' own limits stand for −∞ and +∞.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Interval {
    pub low: Decimal,
    pub low_closed: bool,
    pub high: Decimal,
    pub high_closed: bool,
}

impl Interval {
    fn point(x: Decimal) -> Self {
        Self {
            low: x,
            low_closed: true,
            high: x,
            high_closed: true,
        }
    }

    /// Whether some number lies in both.
    pub fn meets(&self, other: &Self) -> bool {
        let (lo, lo_closed) = max_low(self, other);
        let (hi, hi_closed) = min_high(self, other);
        lo < hi || (lo == hi && lo_closed && hi_closed)
    }

    /// Whether every number of `other` lies in `self`.
    pub fn covers(&self, other: &Self) -> bool {
        let low_ok = self.low < other.low
            || (self.low == other.low && (self.low_closed || !other.low_closed));
        let high_ok = self.high > other.high
            || (self.high == other.high && (self.high_closed || !other.high_closed));
        low_ok && high_ok
    }
}

fn max_low(a: &Interval, b: &Interval) -> (Decimal, bool) {
    match a.low.partial_cmp(&b.low) {
        Some(Ordering::Greater) => (a.low, a.low_closed),
        Some(Ordering::Less) => (b.low, b.low_closed),
        _ => (a.low, a.low_closed && b.low_closed),
    }
}

fn min_high(a: &Interval, b: &Interval) -> (Decimal, bool) {
    match a.high.partial_cmp(&b.high) {
        Some(Ordering::Less) => (a.high, a.high_closed),
        Some(Ordering::Greater) => (b.high, b.high_closed),
        _ => (a.high, a.high_closed && b.high_closed),
    }
}

/// An input cell: any value, or a list of alternatives (a comma is *or*),
/// possibly negated with `not(…)`.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// `-` or empty: every value.
    Any,
    /// True when one of the alternatives holds (or none, when `negated`).
    OneOf {
        /// The alternatives.
        tests: Vec<Test>,
        /// `not(…)`.
        negated: bool,
    },
}

impl Cell {
    /// Whether `v` passes the cell; `refs` are the other inputs the table's
    /// cells read (see [`RefSlots`]), in slot order.
    pub fn matches(&self, v: &Scalar, refs: &[Scalar]) -> bool {
        match self {
            Self::Any => true,
            Self::OneOf { tests, negated } => tests.iter().any(|t| t.holds(v, refs)) != *negated,
        }
    }
}

/// Parses an input cell that cannot name other inputs but by dotted path.
pub fn parse_input(text: &str) -> Result<Cell, String> {
    parse_input_with(text, &mut RefSlots::default())
}

/// Parses an input cell, registering the other inputs it compares with in
/// `refs`. The error says what is wrong with the text.
pub fn parse_input_with(text: &str, refs: &mut RefSlots) -> Result<Cell, String> {
    let t = text.trim();
    if t.is_empty() || t == "-" {
        return Ok(Cell::Any);
    }
    let (body, negated) = match t.strip_prefix("not(").and_then(|r| r.strip_suffix(')')) {
        Some(inner) => (inner, true),
        None => (t, false),
    };
    let tests = split_alternatives(body)?
        .into_iter()
        .map(|alt| parse_test(alt, refs))
        .collect::<Result<Vec<_>, _>>()?;
    if tests.is_empty() {
        return Err("an empty list of alternatives; write `-` for any value".into());
    }
    Ok(Cell::OneOf { tests, negated })
}

/// Parses an output cell: a literal, or `None` for an empty cell (the
/// output field is then not set).
pub fn parse_output(text: &str) -> Result<Option<Scalar>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    literal(t).map(Some)
}

/// Splits at commas outside quotes and brackets.
fn split_alternatives(s: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut quote: Option<char> = None;
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '[' | '(') => depth += 1,
            (None, ']' | ')') => depth -= 1,
            (None, ',') if depth == 0 => {
                out.push(s[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() {
        return Err("a quote is not closed".into());
    }
    out.push(s[start..].trim());
    if out.iter().any(|a| a.is_empty()) {
        return Err("an empty alternative between commas".into());
    }
    Ok(out)
}

fn parse_test(alt: &str, refs: &mut RefSlots) -> Result<Test, String> {
    match alt {
        "null" => return Ok(Test::IsNull),
        "not null" => return Ok(Test::NotNull),
        _ => {}
    }
    for (op, rel) in [
        ("<=", Rel::Le),
        (">=", Rel::Ge),
        ("!=", Rel::Ne),
        ("<", Rel::Lt),
        (">", Rel::Gt),
        ("=", Rel::Eq),
    ] {
        if let Some(rest) = alt.strip_prefix(op)
            && let Some(operand) = operand(rest.trim(), refs)?
        {
            return Ok(Test::Ref { rel, operand });
        }
    }
    for (op, ord, or_equal) in [
        ("<=", Ordering::Less, true),
        (">=", Ordering::Greater, true),
        ("<", Ordering::Less, false),
        (">", Ordering::Greater, false),
    ] {
        if let Some(rest) = alt.strip_prefix(op) {
            let lit = literal(rest.trim())?;
            if !matches!(lit, Scalar::Int(_) | Scalar::Decimal(_) | Scalar::Str(_)) {
                return Err(format!("`{op}` compares with a number or a quoted text"));
            }
            return Ok(Test::Cmp(ord, or_equal, lit));
        }
    }
    if let Some(rest) = alt.strip_prefix("!=") {
        return Ok(Test::Ne(literal(rest.trim())?));
    }
    if let Some(rest) = alt.strip_prefix('=') {
        return Ok(Test::Eq(literal(rest.trim())?));
    }
    if alt.starts_with('[') || (alt.starts_with('(') && alt.contains("..")) {
        return range(alt);
    }
    Ok(Test::Eq(literal(alt)?))
}

fn range(alt: &str) -> Result<Test, String> {
    let bad = || {
        format!(
            "`{alt}` is not a range: write `[1..10)` (`[` `]` include a bound, `(` `)` exclude it)"
        )
    };
    let low_closed = match alt.chars().next() {
        Some('[') => true,
        Some('(') => false,
        _ => return Err(bad()),
    };
    let high_closed = match alt.chars().last() {
        Some(']') => true,
        Some(')') => false,
        _ => return Err(bad()),
    };
    let inner = &alt[1..alt.len() - 1];
    let (a, b) = inner.split_once("..").ok_or_else(bad)?;
    let num = |s: &str| -> Result<Decimal, String> {
        match literal(s.trim())? {
            Scalar::Int(i) => Ok(Decimal::from(i)),
            Scalar::Decimal(d) => Ok(d),
            _ => Err(format!("a range's bounds are numbers: `{}`", s.trim())),
        }
    };
    let (low, high) = (num(a)?, num(b)?);
    if low > high {
        return Err(format!(
            "the range `{alt}` is empty: its low bound is above its high bound"
        ));
    }
    Ok(Test::Range {
        low,
        low_closed,
        high,
        high_closed,
    })
}

/// A literal: quoted text, a number, `true`, `false`, `null`, or a bare word
/// (text, as a spreadsheet user would type it).
fn literal(s: &str) -> Result<Scalar, String> {
    if s.is_empty() {
        return Err("a comparison with nothing".into());
    }
    for q in ['\'', '"'] {
        if let Some(rest) = s.strip_prefix(q) {
            return match rest.strip_suffix(q) {
                Some(inner) if !inner.contains(q) => Ok(Scalar::Str(inner.to_owned())),
                _ => Err(format!("`{s}`: a quoted text ends with its quote")),
            };
        }
    }
    match s {
        "true" => return Ok(Scalar::Bool(true)),
        "false" => return Ok(Scalar::Bool(false)),
        "null" => return Ok(Scalar::Null),
        _ => {}
    }
    let numeric = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+' || c == '.');
    if numeric {
        if let Ok(i) = s.parse::<i64>() {
            return Ok(Scalar::Int(i));
        }
        return match crate::number::parse(s) {
            Some(d) => Ok(Scalar::Decimal(d)),
            None => Err(format!(
                "`{s}` is not a number (or is beyond ±7.9e28, the range of exact decimals)"
            )),
        };
    }
    if s.chars()
        .any(|c| matches!(c, '<' | '>' | '=' | '[' | ']' | '(' | ')' | '\'' | '"'))
    {
        return Err(format!(
            "`{s}` is neither a test nor a value: quote text (`'{s}'`), or write a test such as `>= 10`"
        ));
    }
    Ok(Scalar::Str(s.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(cell: &str, v: Scalar) -> bool {
        parse_input(cell).expect(cell).matches(&v, &[])
    }

    #[test]
    fn cells_compare_with_other_inputs_and_arithmetic_on_them() {
        let mut refs = RefSlots {
            numeric: true,
            ..RefSlots::default()
        };
        let over = parse_input_with("> user.average * 3", &mut refs).unwrap();
        let home = parse_input_with("!= user.home", &mut refs).unwrap();
        let limit = parse_input_with("<= limit", &mut refs).unwrap();
        assert_eq!(refs.paths.len(), 3);
        let d = |s: &str| Scalar::Decimal(crate::number::parse(s).unwrap());
        let vals = [d("33.333"), Scalar::Str("UK".into()), Scalar::Int(10)];
        assert!(over.matches(&d("100.0"), &vals), "100 > 99.999");
        assert!(
            !over.matches(&d("99.999"), &vals),
            "exact: 99.999 is not above 99.999"
        );
        assert!(!over.matches(&Scalar::Null, &vals));
        assert!(home.matches(&Scalar::Str("US".into()), &vals));
        assert!(!home.matches(&Scalar::Str("UK".into()), &vals));
        assert!(home.matches(&Scalar::Null, &vals), "null != UK");
        assert!(limit.matches(&Scalar::Int(10), &vals));
        // A missing operand fails every comparison but `!=`.
        let missing = [Scalar::Null, Scalar::Null, Scalar::Null];
        assert!(!over.matches(&d("1"), &missing));
        assert!(!home.matches(&Scalar::Null, &missing), "null == null");
        // Outside a number column a bare word is still text.
        let mut text = RefSlots::default();
        assert_eq!(
            parse_input_with("> abc", &mut text).unwrap(),
            parse_input("> 'abc'").unwrap()
        );
        assert!(text.paths.is_empty());
        assert!(parse_input_with("> a.b / 0", &mut text).is_err());
    }

    #[test]
    fn lists_comparisons_ranges_and_null() {
        assert!(m("'US','CA'", Scalar::Str("CA".into())));
        assert!(!m("'US','CA'", Scalar::Str("MX".into())));
        assert!(m("US, CA", Scalar::Str("US".into())), "bare words are text");
        assert!(m("<= 30", Scalar::Int(30)) && !m("< 30", Scalar::Int(30)));
        assert!(m("> 2.5", Scalar::Decimal(Decimal::new(26, 1))) && !m("> 2.5", Scalar::Null));
        assert!(m("[1..10)", Scalar::Int(1)) && !m("[1..10)", Scalar::Int(10)));
        assert!(
            m("(1..10]", Scalar::Decimal(Decimal::new(100, 1))) && !m("(1..10]", Scalar::Int(1))
        );
        assert!(m("null", Scalar::Null) && !m("not null", Scalar::Null));
        assert!(m("-", Scalar::Other) && m("", Scalar::Null));
        assert!(m("not('a','b')", Scalar::Str("c".into())));
        assert!(!m("not('a','b')", Scalar::Str("a".into())));
        assert!(m("!= 'a'", Scalar::Null), "a missing value is not 'a'");
        assert!(m("12", Scalar::Decimal(Decimal::new(120, 1))) && m("= true", Scalar::Bool(true)));
        // A comma is *or*: ZEN's `> 30, <= 60` holds for every number.
        assert!(m("> 30, <= 60", Scalar::Int(5)) && m("> 30, <= 60", Scalar::Int(99)));
        // A comparison across kinds fails rather than guessing.
        assert!(!m("< 30", Scalar::Str("12".into())));
    }

    #[test]
    fn bad_cells_say_why() {
        for bad in ["'open", "[10..1]", "< true", "[a..b]", "a,,b", "x > 3"] {
            assert!(parse_input(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_output("").unwrap(), None);
        assert_eq!(
            parse_output("4.99").unwrap(),
            Some(Scalar::Decimal(Decimal::new(499, 2)))
        );
        assert_eq!(
            parse_output("'ups'").unwrap(),
            Some(Scalar::Str("ups".into()))
        );
    }

    #[test]
    fn intervals_meet_and_cover() {
        let i = |c: &str| match parse_input(c).unwrap() {
            Cell::OneOf { tests, .. } => tests[0].interval().unwrap(),
            Cell::Any => unreachable!(),
        };
        assert!(i("[1..10)").meets(&i(">= 5")));
        assert!(!i("[1..10)").meets(&i(">= 10")));
        assert!(i("< 30").covers(&i("[1..10)")));
        assert!(!i("< 10").covers(&i("[1..10]")));
    }
}
