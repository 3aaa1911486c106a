//! Decision tables as data: a CSV file in the pack, declared in `ordex.toml`
//! under `[tables]`, parsed and checked once when the pack compiles and
//! evaluated by Rust code (not interpreted Rhai) when a rule calls
//! `table("name", input)`.
//!
//! The header row names the columns: `in:<path>[:<type>]` reads the input at
//! a dotted path, `out:<path>[:<type>]` writes the output at one, and `note`
//! columns are for people. Types are `string`, `number`, `bool` or `any`
//! (the default); cells are checked against them. Each further row is a
//! rule: its input cells are tests ([`cell`]), its output cells literals.

pub mod analysis;
pub mod cell;
mod eval;
mod parse;

use serde::{Deserialize, Serialize};

pub use cell::{Arith, Cell, Operand, Rel, Scalar, Test};
pub use eval::Outcome;

/// Rows a table may hold: far above any hand-written table, low enough that
/// a call's cost stays bounded.
pub const MAX_ROWS: usize = 10_000;
/// Columns a table may hold.
pub const MAX_COLUMNS: usize = 64;
/// Characters a cell may hold.
pub const MAX_CELL_CHARS: usize = 1_000;
/// Segments of a column path (`order.shipping.country` has three).
pub const MAX_PATH_DEPTH: usize = 8;

/// Which rows a table answers with when several match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum HitPolicy {
    /// The first matching row, in file order (`()` when none matches).
    #[default]
    First,
    /// The one matching row; two matching rows are an error (and `ordex
    /// check` warns about rows that can overlap).
    Unique,
    /// Every matching row, in file order, as an array of outputs.
    Collect,
    /// The sum of the single output column over the matching rows.
    CollectSum,
    /// The least value of the single output column (`()` when none matches).
    CollectMin,
    /// The greatest value of the single output column (`()` when none matches).
    CollectMax,
    /// How many rows match.
    CollectCount,
}

impl HitPolicy {
    /// Whether the policy reduces one output column to a number.
    pub fn aggregates(self) -> bool {
        matches!(self, Self::CollectSum | Self::CollectMin | Self::CollectMax)
    }
}

/// The type a column declares for its cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// Any literal.
    Any,
    /// Quoted or bare text.
    String,
    /// Numbers.
    Number,
    /// `true` / `false`.
    Bool,
}

impl ColumnType {
    /// Whether a literal of kind `kind` (see [`Scalar::kind`]) fits.
    pub fn admits(self, value: &Scalar) -> bool {
        matches!(
            (self, value),
            (Self::Any, _)
                | (_, Scalar::Null)
                | (Self::String, Scalar::Str(_))
                | (Self::Number, Scalar::Int(_) | Scalar::Decimal(_))
                | (Self::Bool, Scalar::Bool(_))
        )
    }
}

/// One input or output column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header as written (`in:order.country:string`).
    pub header: String,
    /// The dotted path, split.
    pub path: Vec<String>,
    /// Declared type.
    pub kind: ColumnType,
}

/// One rule of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// 1-based line in the file, for messages and traces.
    pub line: usize,
    /// One test per input column.
    pub tests: Vec<Cell>,
    /// One literal per output column; `None` leaves the field unset.
    pub outputs: Vec<Option<Scalar>>,
}

/// A decision table, compiled.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionTable {
    /// Name rules call it by.
    pub name: String,
    /// Pack file it came from.
    pub file: String,
    /// Hit policy.
    pub hit: HitPolicy,
    /// Input columns, in file order.
    pub inputs: Vec<Column>,
    /// Output columns, in file order.
    pub outputs: Vec<Column>,
    /// Rules, in file order.
    pub rows: Vec<Row>,
    /// Other inputs the cells compare with (`> user.limit * 2`), read once
    /// per call beside the input columns; a cell's operand names its slot.
    pub refs: Vec<Vec<String>>,
}

/// A table that cannot be read or evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// The file breaks the format at a place.
    #[error("{line}:{col}: {message}")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        col: usize,
        /// What is wrong.
        message: String,
    },
    /// Several rows matched a `unique` table.
    #[error("table `{table}` has hit policy unique, but rows on lines {lines:?} all match")]
    NotUnique {
        /// Table name.
        table: String,
        /// Lines of the matching rows.
        lines: Vec<usize>,
    },
    /// An aggregate met a value it cannot add up.
    #[error("table `{table}`: line {line} gives {found} to {policy:?}, which needs numbers")]
    NotNumeric {
        /// Table name.
        table: String,
        /// Line of the row.
        line: usize,
        /// Kind of value found.
        found: &'static str,
        /// The policy.
        policy: HitPolicy,
    },
}

impl DecisionTable {
    /// Reads a table from its CSV text (see the module docs for the format).
    pub fn from_csv(
        name: &str,
        file: &str,
        hit: HitPolicy,
        text: &str,
    ) -> Result<Self, TableError> {
        parse::parse(name, file, hit, text)
    }
}
