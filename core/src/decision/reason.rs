use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::Attributes;

/// Why a decision came out the way it did: the rule, its explanation, and
/// the facts it used (e.g. `{"visa_category": 2, "reattempts_used": 14}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Id of the rule that fired (`payment.soft_decline`).
    pub rule: String,
    /// Human-readable explanation for agents.
    pub message: String,
    /// Facts the rule relied on.
    #[serde(default)]
    pub facts: Attributes,
}

/// A step to take, with its parameters (`retry_payment` at a time, `send_return_label`, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// Action type, snake_case.
    #[serde(rename = "type")]
    pub kind: String,
    /// Parameters the executor needs.
    #[serde(default)]
    pub params: Attributes,
}
