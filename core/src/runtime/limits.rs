use serde::{Deserialize, Serialize};

/// Hard bounds on one evaluation. Untrusted rules and inputs cannot exceed
/// them; exceeding one yields `limit_exceeded`, never a hang or a crash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Rhai operations per evaluation (an endless loop stops here).
    pub max_operations: u64,
    /// Nested function calls.
    pub max_call_levels: usize,
    /// Expression nesting at global level.
    pub max_expr_depth: usize,
    /// Expression nesting inside functions.
    pub max_function_expr_depth: usize,
    /// Characters in one string.
    pub max_string_size: usize,
    /// Elements in one array.
    pub max_array_size: usize,
    /// Entries in one object map.
    pub max_map_size: usize,
    /// Bytes of one JSON input document.
    pub max_input_bytes: usize,
    /// Nesting depth of one JSON input document.
    pub max_input_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_operations: 1_000_000,
            max_call_levels: 48,
            max_expr_depth: 64,
            max_function_expr_depth: 48,
            max_string_size: 64 * 1024,
            max_array_size: 10_000,
            max_map_size: 10_000,
            max_input_bytes: 1024 * 1024,
            max_input_depth: 32,
        }
    }
}

impl Limits {
    /// Ceilings no manifest may raise a limit above, so that a pack cannot
    /// opt out of being bounded.
    pub const CEILING: Limits = Limits {
        max_operations: 100_000_000,
        max_call_levels: 128,
        max_expr_depth: 256,
        max_function_expr_depth: 256,
        max_string_size: 16 * 1024 * 1024,
        max_array_size: 1_000_000,
        max_map_size: 1_000_000,
        max_input_bytes: 16 * 1024 * 1024,
        max_input_depth: 128,
    };

    /// Names of the limits that exceed [`Limits::CEILING`] or are zero.
    pub fn out_of_range(&self) -> Vec<&'static str> {
        let c = Self::CEILING;
        let checks: [(&'static str, u64, u64); 9] = [
            ("max_operations", self.max_operations, c.max_operations),
            (
                "max_call_levels",
                self.max_call_levels as u64,
                c.max_call_levels as u64,
            ),
            (
                "max_expr_depth",
                self.max_expr_depth as u64,
                c.max_expr_depth as u64,
            ),
            (
                "max_function_expr_depth",
                self.max_function_expr_depth as u64,
                c.max_function_expr_depth as u64,
            ),
            (
                "max_string_size",
                self.max_string_size as u64,
                c.max_string_size as u64,
            ),
            (
                "max_array_size",
                self.max_array_size as u64,
                c.max_array_size as u64,
            ),
            (
                "max_map_size",
                self.max_map_size as u64,
                c.max_map_size as u64,
            ),
            (
                "max_input_bytes",
                self.max_input_bytes as u64,
                c.max_input_bytes as u64,
            ),
            (
                "max_input_depth",
                self.max_input_depth as u64,
                c.max_input_depth as u64,
            ),
        ];
        checks
            .into_iter()
            .filter(|(_, v, max)| *v == 0 || v > max)
            .map(|(n, _, _)| n)
            .collect()
    }
}
