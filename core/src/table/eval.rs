//! Evaluating a table: the input values once, then each row's tests, then
//! the hit policy.

use crate::number::Decimal;

use super::cell::Scalar;
use super::{DecisionTable, HitPolicy, TableError};

/// What a table answers, before it becomes a rule value.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// No row matched a `first`, `unique`, `collect_min` or `collect_max` table.
    Nothing,
    /// The row (index into [`DecisionTable::rows`]) whose outputs are the answer.
    Row(usize),
    /// The matching rows of a `collect` table, in file order.
    Rows(Vec<usize>),
    /// The number an aggregating policy computed.
    Number(Scalar),
}

impl DecisionTable {
    /// Indices of the rows whose every test holds for `values` (one per
    /// input column; then one per [`DecisionTable::refs`] path), in file
    /// order; `first` stops at the first.
    pub fn matching_rows(&self, values: &[Scalar]) -> Vec<usize> {
        let (columns, refs) = values.split_at(self.inputs.len().min(values.len()));
        let mut out = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            if row
                .tests
                .iter()
                .zip(columns)
                .all(|(t, v)| t.matches(v, refs))
            {
                out.push(i);
                if self.hit == HitPolicy::First {
                    break;
                }
            }
        }
        out
    }

    /// The table's answer for `values` (one per input column, in column
    /// order, then one per [`DecisionTable::refs`] path).
    pub fn evaluate(&self, values: &[Scalar]) -> Result<(Outcome, Vec<usize>), TableError> {
        let rows = self.matching_rows(values);
        let outcome = match self.hit {
            HitPolicy::First => rows.first().map_or(Outcome::Nothing, |r| Outcome::Row(*r)),
            HitPolicy::Unique => match rows.as_slice() {
                [] => Outcome::Nothing,
                [one] => Outcome::Row(*one),
                many => {
                    return Err(TableError::NotUnique {
                        table: self.name.clone(),
                        lines: many.iter().map(|r| self.rows[*r].line).collect(),
                    });
                }
            },
            HitPolicy::Collect => Outcome::Rows(rows.clone()),
            HitPolicy::CollectCount => Outcome::Number(Scalar::Int(rows.len() as i64)),
            policy => self.aggregate(policy, &rows)?,
        };
        Ok((outcome, rows))
    }

    /// Sum, min or max of the single output column over `rows`, in file
    /// order (a fixed order, so float sums agree in every runtime). Empty
    /// cells are skipped; integers stay integers until a fraction appears.
    fn aggregate(&self, policy: HitPolicy, rows: &[usize]) -> Result<Outcome, TableError> {
        let mut acc: Option<Scalar> = None;
        for r in rows {
            let value = match self.rows[*r].outputs.first() {
                Some(Some(v)) => v,
                _ => continue,
            };
            let x = match value {
                Scalar::Int(_) | Scalar::Decimal(_) => value.clone(),
                other => {
                    return Err(TableError::NotNumeric {
                        table: self.name.clone(),
                        line: self.rows[*r].line,
                        found: other.kind(),
                        policy,
                    });
                }
            };
            acc = Some(match acc {
                None => x,
                Some(a) => combine(policy, a, x),
            });
        }
        Ok(match (acc, policy) {
            (Some(v), _) => Outcome::Number(v),
            (None, HitPolicy::CollectSum) => Outcome::Number(Scalar::Int(0)),
            (None, _) => Outcome::Nothing,
        })
    }
}

fn as_decimal(s: &Scalar) -> Decimal {
    match s {
        Scalar::Int(i) => Decimal::from(*i),
        Scalar::Decimal(d) => *d,
        _ => Decimal::ZERO,
    }
}

fn combine(policy: HitPolicy, a: Scalar, b: Scalar) -> Scalar {
    match policy {
        HitPolicy::CollectSum => match (&a, &b) {
            (Scalar::Int(x), Scalar::Int(y)) => x.checked_add(*y).map_or(
                Scalar::Decimal(Decimal::from(*x) + Decimal::from(*y)),
                Scalar::Int,
            ),
            // Exact; a sum beyond a decimal's range saturates.
            _ => Scalar::Decimal(as_decimal(&a).saturating_add(as_decimal(&b))),
        },
        HitPolicy::CollectMin => {
            if as_decimal(&b) < as_decimal(&a) {
                b
            } else {
                a
            }
        }
        _ => {
            if as_decimal(&b) > as_decimal(&a) {
                b
            } else {
                a
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARRIERS: &str = "\
in:zone,in:weight:number,out:carrier,out:fee:number
domestic,< 2,usps,4
domestic,[2..20],ups,9
domestic,-,freight,40
eu,-,dhl,19.5
";

    fn table(hit: HitPolicy) -> DecisionTable {
        DecisionTable::from_csv("carriers", "tables/carriers.csv", hit, CARRIERS).unwrap()
    }

    fn s(v: &str) -> Scalar {
        Scalar::Str(v.into())
    }

    #[test]
    fn hit_policies() {
        let v = [s("domestic"), Scalar::Decimal(Decimal::new(15, 1))];
        assert_eq!(
            table(HitPolicy::First).evaluate(&v).unwrap().0,
            Outcome::Row(0)
        );
        assert_eq!(
            table(HitPolicy::Collect).evaluate(&v).unwrap().0,
            Outcome::Rows(vec![0, 2])
        );
        assert!(
            DecisionTable::from_csv("c", "c.csv", HitPolicy::CollectSum, CARRIERS).is_err(),
            "two output columns cannot be summed"
        );
        let e = table(HitPolicy::Unique)
            .evaluate(&v)
            .expect_err("rows 2 and 4");
        assert_eq!(
            e,
            TableError::NotUnique {
                table: "carriers".into(),
                lines: vec![2, 4]
            }
        );
        assert_eq!(
            table(HitPolicy::First)
                .evaluate(&[s("mars"), Scalar::Int(1)])
                .unwrap()
                .0,
            Outcome::Nothing
        );
        assert_eq!(
            table(HitPolicy::CollectCount).evaluate(&v).unwrap().0,
            Outcome::Number(Scalar::Int(2))
        );
    }

    #[test]
    fn aggregates_in_file_order() {
        let fees = "in:tag,out:fee:number\n-,1\nbulky,2.5\n-,\nhazmat,10\n";
        let t = |hit| DecisionTable::from_csv("fees", "f.csv", hit, fees).unwrap();
        let v = [s("bulky")];
        assert_eq!(
            t(HitPolicy::CollectSum).evaluate(&v).unwrap().0,
            Outcome::Number(Scalar::Decimal(Decimal::new(35, 1)))
        );
        assert_eq!(
            t(HitPolicy::CollectMax).evaluate(&v).unwrap().0,
            Outcome::Number(Scalar::Decimal(Decimal::new(25, 1)))
        );
        assert_eq!(
            t(HitPolicy::CollectMin).evaluate(&[s("x")]).unwrap().0,
            Outcome::Number(Scalar::Int(1))
        );
        assert_eq!(
            t(HitPolicy::CollectSum).evaluate(&[s("none")]).unwrap().0,
            Outcome::Number(Scalar::Int(1)),
        );
    }
}
