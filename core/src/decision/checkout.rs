use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Reason;

/// How a checkout finding affects the shopper.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The order must not be placed until this is fixed.
    Block,
    /// Ask the shopper to confirm.
    Warn,
    /// For the merchant's records.
    Info,
}

/// One problem found in a cart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Machine-readable code (`postal_code_malformed`).
    pub code: String,
    /// JSON path of the field concerned (`order.shipping_address.postal_code`).
    pub field: String,
    /// Severity.
    pub severity: Severity,
    /// Message safe to show the shopper.
    pub message: String,
    /// A corrected value to offer the shopper, when there is one.
    #[serde(default)]
    pub suggestion: Option<serde_json::Value>,
    /// What the shopper can do next, when the rules say (after a decline:
    /// `try_again`, `authenticate`, `check_card_details`, `use_another_method`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_step: Option<String>,
}

/// What a `checkout` rule returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRuleOutput {
    /// Findings in the order the rules produced them.
    #[serde(default)]
    pub findings: Vec<Finding>,
    /// Reasons for the merchant.
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// Rules that fired.
    #[serde(default)]
    pub rules_fired: Vec<String>,
}

/// The checkout answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutDecision {
    /// True when any finding blocks the order.
    pub blocked: bool,
    /// Findings, most severe first (stable within a severity).
    pub findings: Vec<Finding>,
    /// Reasons for the merchant.
    pub reasons: Vec<Reason>,
    /// Rules that fired.
    pub rules_fired: Vec<String>,
    /// Content hash of the bundle that decided.
    pub bundle_id: String,
}
