//! CSV text to a [`DecisionTable`], every problem located at its line and
//! column.

use super::cell::{Cell, RefSlots, Scalar, Test, parse_input_with, parse_output};
use super::{
    Column, ColumnType, DecisionTable, HitPolicy, MAX_CELL_CHARS, MAX_COLUMNS, MAX_PATH_DEPTH,
    MAX_ROWS, Row, TableError,
};

enum Header {
    Input(Column),
    Output(Column),
    Note,
}

fn syntax(line: usize, col: usize, message: impl Into<String>) -> TableError {
    TableError::Syntax {
        line,
        col,
        message: message.into(),
    }
}

/// 1-based character columns where the fields of a raw CSV line start.
fn field_starts(line: &str) -> Vec<usize> {
    let mut starts = vec![1];
    let mut quoted = false;
    for (i, c) in line.chars().enumerate() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => starts.push(i + 2),
            _ => {}
        }
    }
    starts
}

fn header(text: &str) -> Result<Header, String> {
    let t = text.trim();
    if matches!(t, "note" | "notes" | "description" | "comment") {
        return Ok(Header::Note);
    }
    let (side, rest) = t.split_once(':').ok_or_else(|| {
        format!(
            "column `{t}`: a header is `in:<path>`, `out:<path>` (optionally `:<type>`) or `note`"
        )
    })?;
    let (path, kind) = match rest.rsplit_once(':') {
        Some((p, k)) => (p, k),
        None => (rest, "any"),
    };
    let kind = match kind.trim() {
        "any" => ColumnType::Any,
        "string" => ColumnType::String,
        "number" => ColumnType::Number,
        "bool" => ColumnType::Bool,
        other => {
            return Err(format!(
                "column `{t}`: unknown type `{other}` (use string, number, bool or any)"
            ));
        }
    };
    let segments: Vec<String> = path
        .trim()
        .split('.')
        .map(|s| s.trim().to_owned())
        .collect();
    let valid = |s: &String| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
    };
    if !segments.iter().all(valid) {
        return Err(format!(
            "column `{t}`: `{path}` is not a dotted path of names (`order.shipping.country`)"
        ));
    }
    if segments.len() > MAX_PATH_DEPTH {
        return Err(format!(
            "column `{t}`: paths have at most {MAX_PATH_DEPTH} segments"
        ));
    }
    let column = Column {
        header: t.to_owned(),
        path: segments,
        kind,
    };
    match side.trim() {
        "in" => Ok(Header::Input(column)),
        "out" => Ok(Header::Output(column)),
        other => Err(format!(
            "column `{t}`: `{other}:` is neither `in:` nor `out:`"
        )),
    }
}

/// Literals a test compares with, to check them against the column's type.
fn literals(cell: &Cell) -> Vec<&Scalar> {
    match cell {
        Cell::Any => Vec::new(),
        Cell::OneOf { tests, .. } => tests
            .iter()
            .filter_map(|t| match t {
                Test::Eq(s) | Test::Ne(s) | Test::Cmp(_, _, s) => Some(s),
                _ => None,
            })
            .collect(),
    }
}

pub(super) fn parse(
    name: &str,
    file: &str,
    hit: HitPolicy,
    text: &str,
) -> Result<DecisionTable, TableError> {
    let raw_lines: Vec<&str> = text.lines().collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let mut kinds: Vec<Option<bool>> = Vec::new(); // Some(true) input, Some(false) output, None note
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    let mut rows = Vec::new();
    let mut refs = RefSlots::default();
    let mut header_line = 0;
    let mut header_seen = false;
    for record in records.by_ref() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(1, |p| p.line() as usize);
            syntax(line, 1, format!("not valid CSV: {e}"))
        })?;
        let line = record.position().map_or(1, |p| p.line() as usize);
        let starts = field_starts(raw_lines.get(line - 1).copied().unwrap_or(""));
        let col = |i: usize| starts.get(i).copied().unwrap_or(1);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() > MAX_COLUMNS {
            return Err(syntax(line, 1, format!("more than {MAX_COLUMNS} columns")));
        }
        if let Some((i, _)) = record
            .iter()
            .enumerate()
            .find(|(_, f)| f.chars().count() > MAX_CELL_CHARS)
        {
            return Err(syntax(
                line,
                col(i),
                format!("a cell holds at most {MAX_CELL_CHARS} characters"),
            ));
        }
        if !header_seen {
            header_seen = true;
            header_line = line;
            for (i, field) in record.iter().enumerate() {
                match header(field).map_err(|m| syntax(line, col(i), m))? {
                    Header::Input(c) => {
                        inputs.push(c);
                        kinds.push(Some(true));
                    }
                    Header::Output(c) => {
                        outputs.push(c);
                        kinds.push(Some(false));
                    }
                    Header::Note => kinds.push(None),
                }
            }
            if outputs.is_empty() && hit != HitPolicy::CollectCount {
                return Err(syntax(
                    line,
                    1,
                    "no `out:` column: a table must say what it answers",
                ));
            }
            if hit.aggregates() && outputs.len() != 1 {
                return Err(syntax(
                    line,
                    1,
                    format!(
                        "hit policy {hit:?} adds up one output column; this table has {}",
                        outputs.len()
                    ),
                ));
            }
            continue;
        }
        if record.len() != kinds.len() {
            return Err(syntax(
                line,
                col(record.len().min(kinds.len())),
                format!(
                    "{} cells; the header on line {header_line} has {} columns",
                    record.len(),
                    kinds.len()
                ),
            ));
        }
        if rows.len() == MAX_ROWS {
            return Err(syntax(line, 1, format!("more than {MAX_ROWS} rows")));
        }
        let mut tests = Vec::with_capacity(inputs.len());
        let mut outs = Vec::with_capacity(outputs.len());
        for (i, (field, kind)) in record.iter().zip(&kinds).enumerate() {
            let here = |m: String| syntax(line, col(i), m);
            match kind {
                Some(true) => {
                    let column = &inputs[tests.len()];
                    refs.numeric = column.kind == super::ColumnType::Number;
                    let cell = parse_input_with(field, &mut refs)
                        .map_err(|m| here(format!("`{}`: {m}", column.header)))?;
                    if let Some(bad) = literals(&cell).into_iter().find(|l| !column.kind.admits(l))
                    {
                        return Err(here(format!(
                            "`{}` is a {:?} column; this cell tests a {}",
                            column.header,
                            column.kind,
                            bad.kind()
                        )));
                    }
                    tests.push(cell);
                }
                Some(false) => {
                    let column = &outputs[outs.len()];
                    let value = parse_output(field)
                        .map_err(|m| here(format!("`{}`: {m}", column.header)))?;
                    if let Some(v) = value.as_ref().filter(|v| !column.kind.admits(v)) {
                        return Err(here(format!(
                            "`{}` is a {:?} column; this cell is a {}",
                            column.header,
                            column.kind,
                            v.kind()
                        )));
                    }
                    outs.push(value);
                }
                None => {}
            }
        }
        rows.push(Row {
            line,
            tests,
            outputs: outs,
        });
    }
    if !header_seen {
        return Err(syntax(
            1,
            1,
            "the table is empty: the first row names the columns",
        ));
    }
    Ok(DecisionTable {
        name: name.to_owned(),
        file: file.to_owned(),
        hit,
        inputs,
        outputs,
        rows,
        refs: refs.paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEES: &str = "\
# Shipping fee by zone and weight.
in:zone:string,in:weight_kg:number,out:fee:number,out:carrier,note
'domestic',< 2,4.99,usps,light parcels
'domestic',[2..20],9.99,ups,
\"'eu','uk'\",-,19.5,dhl,
-,-,,,catch-all: no fee set
";

    #[test]
    fn reads_columns_rows_and_lines() {
        let t = DecisionTable::from_csv("fees", "tables/fees.csv", HitPolicy::First, FEES)
            .expect("parses");
        assert_eq!(t.inputs.len(), 2);
        assert_eq!(t.outputs[0].path, ["fee"]);
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[0].line, 3, "comments count as lines");
        assert_eq!(t.rows[3].outputs, [None, None]);
    }

    #[test]
    fn problems_name_line_and_column() {
        let cases = [
            ("in:a,out:b\n1,2,3\n", 2, "cells"),
            ("in:a:number,out:b\n'x',1\n", 2, "Number column"),
            ("in:a,out:b:bool\n1,yes\n", 2, "Bool column"),
            ("in:a,side:b\n", 1, "neither"),
            ("in:a\n1\n", 1, "no `out:`"),
            ("in:a,out:b\n[9..1],1\n", 2, "empty"),
            ("", 1, "empty"),
        ];
        for (text, line, needle) in cases {
            let e = DecisionTable::from_csv("t", "t.csv", HitPolicy::First, text).expect_err(text);
            let TableError::Syntax {
                line: l, message, ..
            } = &e
            else {
                panic!("{e}")
            };
            assert_eq!(*l, line, "{text}: {e}");
            assert!(message.contains(needle), "{text}: {message}");
        }
        let e = DecisionTable::from_csv("t", "t.csv", HitPolicy::First, "in:a,out:b:number\n1,x\n")
            .expect_err("type");
        assert!(matches!(e, TableError::Syntax { col: 3, .. }), "{e:?}");
    }
}
