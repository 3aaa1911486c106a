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
    /// Who timed the first attempt: the pack's `schedule`, or the `learned`
    /// retry timing (`learned_retry(request, ctx)`).
    #[serde(default)]
    pub plan_source: PlanSource,
    /// The learner's estimate when it timed the first attempt.
    #[serde(default)]
    pub learned: Option<LearnedTiming>,
}

/// Who timed a retry plan's first attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanSource {
    /// The rule pack's schedule.
    #[default]
    Schedule,
    /// The retry learner, from outcomes of earlier retries.
    Learned,
}

/// The learner's view of the attempt it timed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LearnedTiming {
    /// Posterior mean success probability of the attempt's segment.
    pub estimate: f64,
    /// The segment (`category|country|currency|hour band|day|since`).
    pub segment: String,
    /// Retries seen in the decline's context.
    pub evidence: u32,
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
    /// Who timed the first attempt.
    pub plan_source: PlanSource,
    /// The learner's estimate when it timed the first attempt.
    pub learned: Option<LearnedTiming>,
    /// Content hash of the bundle that decided.
    pub bundle_id: String,
}
