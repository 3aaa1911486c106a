//! What `ordex check` says about a table before it runs: rows of a `unique`
//! table that can match together, rows of a `first` table that an earlier
//! row always shadows, and numbers a one-number-column `first` table leaves
//! unanswered. Only what can be proven is reported: a test the analysis
//! cannot reason about (`not(…)`, `!=`) never produces a warning.

use super::cell::{Cell, Interval, Scalar, Test};
use super::{DecisionTable, HitPolicy};

/// One finding about a table.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Line of the row it is about.
    pub line: usize,
    /// `table_overlap`, `table_unreachable_row` or `table_gap`.
    pub code: &'static str,
    /// What was found.
    pub message: String,
}

/// Whether the two tests surely accept a common value (`Some(true)`), surely
/// do not (`Some(false)`), or the analysis cannot tell (`None`).
fn tests_meet(a: &Test, b: &Test) -> Option<bool> {
    match (a, b) {
        // It depends on another input's value.
        (Test::Ref { .. }, _) | (_, Test::Ref { .. }) => None,
        (Test::IsNull, Test::IsNull) => Some(true),
        (Test::IsNull, other) | (other, Test::IsNull) => {
            Some(matches!(other, Test::Ne(_) | Test::Eq(Scalar::Null)))
        }
        (Test::NotNull, other) | (other, Test::NotNull) => {
            Some(!matches!(other, Test::Eq(Scalar::Null)))
        }
        (Test::Eq(x), Test::Eq(y)) => Some(x == y || same_number(x, y)),
        (Test::Ne(_), _) | (_, Test::Ne(_)) => None,
        _ => match (a.interval(), b.interval()) {
            (Some(i), Some(j)) => Some(i.meets(&j)),
            _ => None,
        },
    }
}

fn same_number(x: &Scalar, y: &Scalar) -> bool {
    match (x, y) {
        (Scalar::Int(a), Scalar::Decimal(b)) | (Scalar::Decimal(b), Scalar::Int(a)) => {
            crate::number::Decimal::from(*a) == *b
        }
        _ => false,
    }
}

fn cells_meet(a: &Cell, b: &Cell) -> Option<bool> {
    match (a, b) {
        (Cell::Any, _) | (_, Cell::Any) => Some(true),
        (
            Cell::OneOf {
                tests: ta,
                negated: false,
            },
            Cell::OneOf {
                tests: tb,
                negated: false,
            },
        ) => {
            let mut unknown = false;
            for x in ta {
                for y in tb {
                    match tests_meet(x, y) {
                        Some(true) => return Some(true),
                        None => unknown = true,
                        Some(false) => {}
                    }
                }
            }
            if unknown { None } else { Some(false) }
        }
        _ => None,
    }
}

/// Whether every value `b` accepts, `a` accepts too (false when unsure).
fn test_covers(a: &Test, b: &Test) -> bool {
    match (a, b) {
        (Test::Ref { .. }, _) | (_, Test::Ref { .. }) => false,
        (Test::IsNull, Test::IsNull) => true,
        (Test::NotNull, t) => !matches!(t, Test::IsNull | Test::Ne(_)),
        (Test::Eq(x), Test::Eq(y)) => x == y || same_number(x, y),
        (Test::Ne(_), _) | (_, Test::Ne(_)) => false,
        _ => match (a.interval(), b.interval()) {
            (Some(i), Some(j)) => i.covers(&j),
            _ => false,
        },
    }
}

fn cell_covers(a: &Cell, b: &Cell) -> bool {
    match (a, b) {
        (Cell::Any, _) => true,
        (_, Cell::Any) => false,
        (
            Cell::OneOf {
                tests: ta,
                negated: false,
            },
            Cell::OneOf {
                tests: tb,
                negated: false,
            },
        ) => tb.iter().all(|y| ta.iter().any(|x| test_covers(x, y))),
        (x, y) => x == y,
    }
}

/// Every finding about `table`, in line order.
pub fn analyse(table: &DecisionTable) -> Vec<Finding> {
    let mut out = Vec::new();
    let rows = &table.rows;
    match table.hit {
        HitPolicy::Unique => {
            for (j, later) in rows.iter().enumerate() {
                if let Some(earlier) = rows[..j].iter().find(|r| {
                    r.tests
                        .iter()
                        .zip(&later.tests)
                        .all(|(a, b)| cells_meet(a, b) == Some(true))
                }) {
                    out.push(Finding {
                        line: later.line,
                        code: "table_overlap",
                        message: format!(
                            "table `{}` (hit policy unique): the row on line {} and the row on line {} can both match",
                            table.name, earlier.line, later.line
                        ),
                    });
                }
            }
        }
        HitPolicy::First => {
            for (j, later) in rows.iter().enumerate() {
                if let Some(earlier) = rows[..j].iter().find(|r| {
                    r.tests
                        .iter()
                        .zip(&later.tests)
                        .all(|(a, b)| cell_covers(a, b))
                }) {
                    out.push(Finding {
                        line: later.line,
                        code: "table_unreachable_row",
                        message: format!(
                            "table `{}` (hit policy first): the row on line {} never answers, the row on line {} matches everything it does",
                            table.name, later.line, earlier.line
                        ),
                    });
                }
            }
            out.extend(gaps(table));
        }
        _ => {}
    }
    out
}

/// Numbers that no row of a one-input `first` table over numbers accepts.
fn gaps(table: &DecisionTable) -> Option<Finding> {
    if table.inputs.len() != 1 || table.rows.is_empty() {
        return None;
    }
    let mut intervals = Vec::new();
    for row in &table.rows {
        match &row.tests[0] {
            Cell::Any => return None,
            Cell::OneOf {
                tests,
                negated: false,
            } => {
                for t in tests {
                    intervals.push(t.interval()?);
                }
            }
            Cell::OneOf { .. } => return None,
        }
    }
    // Sweep from −∞: the point reached so far, and whether it is covered.
    intervals.sort_by_key(|i| i.low);
    let mut reach = Interval {
        low: crate::number::Decimal::MIN,
        low_closed: false,
        high: crate::number::Decimal::MIN,
        high_closed: false,
    };
    let mut first = true;
    for i in &intervals {
        let touches = first && i.low == crate::number::Decimal::MIN
            || i.low < reach.high
            || (i.low == reach.high && (i.low_closed || reach.high_closed));
        if !touches {
            return Some(gap_finding(table, &reach, i, first));
        }
        first = false;
        if i.high > reach.high || (i.high == reach.high && i.high_closed) {
            reach.high = i.high;
            reach.high_closed = i.high_closed;
        }
    }
    if reach.high != crate::number::Decimal::MAX {
        let above = if reach.high_closed { ">" } else { ">=" };
        return Some(Finding {
            line: table.rows[0].line,
            code: "table_gap",
            message: format!(
                "table `{}`: no row answers `{}` {above} {} (add a last row with `-` for the rest)",
                table.name, table.inputs[0].header, reach.high
            ),
        });
    }
    None
}

fn gap_finding(table: &DecisionTable, reach: &Interval, next: &Interval, first: bool) -> Finding {
    let unanswered = if first {
        format!("{} {}", if next.low_closed { "<" } else { "<=" }, next.low)
    } else if reach.high == next.low {
        format!("= {}", next.low)
    } else {
        format!(
            "in {}{}..{}{}",
            if reach.high_closed { "(" } else { "[" },
            reach.high,
            next.low,
            if next.low_closed { ")" } else { "]" }
        )
    };
    Finding {
        line: table.rows[0].line,
        code: "table_gap",
        message: format!(
            "table `{}`: no row answers `{}` {unanswered}",
            table.name, table.inputs[0].header
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(hit: HitPolicy, csv: &str) -> Vec<(usize, &'static str)> {
        let t = DecisionTable::from_csv("t", "t.csv", hit, csv).expect("parses");
        analyse(&t).into_iter().map(|f| (f.line, f.code)).collect()
    }

    #[test]
    fn overlaps_under_unique() {
        let csv = "in:zone,in:kg:number,out:c\nus,< 2,a\nus,[2..5],b\nus,[4..9],c\neu,-,d\n";
        assert_eq!(findings(HitPolicy::Unique, csv), [(4, "table_overlap")]);
        // `!=` cannot be reasoned about: no warning rather than a wrong one.
        let csv = "in:zone,out:c\n!= us,a\nus,b\n";
        assert!(findings(HitPolicy::Unique, csv).is_empty());
    }

    #[test]
    fn shadowed_rows_under_first() {
        let csv = "in:zone,in:kg:number,out:c\n-,< 10,a\nus,[2..5],b\n-,-,z\n";
        assert_eq!(
            findings(HitPolicy::First, csv),
            [(3, "table_unreachable_row")]
        );
        let csv = "in:zone,out:c\n\"'us','ca'\",a\nca,b\n";
        assert_eq!(
            findings(HitPolicy::First, csv),
            [(3, "table_unreachable_row")]
        );
    }

    #[test]
    fn gaps_of_one_number_column() {
        let csv = "in:days:number,out:c\n< 30,a\n(30..60],b\n> 60,c\n";
        let f = findings(HitPolicy::First, csv);
        assert_eq!(f, [(2, "table_gap")], "30 itself is unanswered");
        let csv = "in:days:number,out:c\n< 30,a\n[30..60],b\n> 60,c\n";
        assert!(findings(HitPolicy::First, csv).is_empty());
        let csv = "in:days:number,out:c\n>= 0,a\n";
        assert_eq!(findings(HitPolicy::First, csv), [(2, "table_gap")]);
    }
}
