use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Reason;

/// What the customer must do before a retry can succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CustomerAction {
    /// Nothing; the merchant retries.
    None,
    /// Enter a new card or update the expiry.
    UpdateCard,
    /// Complete 3-D Secure or another authentication.
    Authenticate,
    /// Call the issuing bank.
    ContactBank,
    /// Pay another way.
    UseAnotherMethod,
}

/// What a `retry` rule returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryRuleOutput {
    /// Whether to try again at all.
    pub retry: bool,
    /// Planned attempt times, ascending, all after `now`. Empty when `retry` is false.
    #[serde(default)]
    pub next_attempts: Vec<DateTime<Utc>>,
    /// Total attempts allowed for this charge, the failed ones included.
    pub max_attempts: u32,
    /// Conditions that cancel the remaining attempts.
    #[serde(default)]
    pub stop_conditions: Vec<String>,
    /// What the customer must do.
    pub customer_action: CustomerAction,
    /// Card-network rules applied ("Visa category 2: 3 of 20 reattempts used in 30 days").
    #[serde(default)]
    pub compliance_notes: Vec<String>,
    /// Reasons.
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// Rules that fired.
    #[serde(default)]
    pub rules_fired: Vec<String>,
}

/// The retry plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryPlan {
    /// Whether to try again at all.
    pub retry: bool,
    /// Planned attempt times, ascending.
    pub next_attempts: Vec<DateTime<Utc>>,
    /// Total attempts allowed for this charge.
    pub max_attempts: u32,
    /// Conditions that cancel the remaining attempts.
    pub stop_conditions: Vec<String>,
    /// What the customer must do.
    pub customer_action: CustomerAction,
    /// Card-network rules applied.
    pub compliance_notes: Vec<String>,
    /// Reasons.
    pub reasons: Vec<Reason>,
    /// Rules that fired.
    pub rules_fired: Vec<String>,
    /// Content hash of the bundle that decided.
    pub bundle_id: String,
}
