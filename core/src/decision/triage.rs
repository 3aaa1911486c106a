use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Action, Reason};
use crate::model::ExceptionKind;

/// How soon someone must act. P1 is the most urgent.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub enum Urgency {
    /// Act now: money or a key customer at immediate risk.
    P1,
    /// Same business day.
    P2,
    /// Within a couple of days.
    P3,
    /// Whenever convenient.
    P4,
}

/// Who handles the exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Route {
    /// An automated workflow resolves it (retry, ask the shopper, reroute).
    SelfHeal,
    /// A human agent in the queue.
    Agent,
    /// Nothing to do beyond recording it.
    AutoClose,
    /// A senior team (fraud, credit, account management).
    Escalate,
}

/// The customer's value to the merchant, as the rules grade it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ValueTier {
    /// Unknown or new.
    Low,
    /// Ordinary repeat customer.
    Medium,
    /// High lifetime value.
    High,
    /// The merchant's most valuable accounts.
    Top,
}

/// What a `triage` rule returns, before the runtime completes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRuleOutput {
    /// Category within the kind (`soft_decline`, `po_box`, …).
    pub category: String,
    /// Urgency.
    pub urgency: Urgency,
    /// 0–1000; higher is handled first within the queue.
    pub priority_score: u32,
    /// Customer value tier.
    pub customer_value_tier: ValueTier,
    /// Who handles it.
    pub route: Route,
    /// Name of the workflow to run or queue to use.
    pub workflow: String,
    /// Recommended actions in order.
    #[serde(default)]
    pub actions: Vec<Action>,
    /// SLA in minutes from `now`; ignored when `sla_due` is given.
    #[serde(default)]
    pub sla_minutes: Option<i64>,
    /// Absolute SLA due time.
    #[serde(default)]
    pub sla_due: Option<DateTime<Utc>>,
    /// Reasons, one per rule that fired.
    #[serde(default)]
    pub reasons: Vec<Reason>,
    /// Rules that fired, in order.
    #[serde(default)]
    pub rules_fired: Vec<String>,
}

/// The triage decision a host acts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageDecision {
    /// Event id the decision is for.
    pub event_id: String,
    /// Exception kind of the event.
    pub kind: ExceptionKind,
    /// Category within the kind.
    pub category: String,
    /// Urgency P1–P4.
    pub urgency: Urgency,
    /// 0–1000 queue priority.
    pub priority_score: u32,
    /// Customer value tier.
    pub customer_value_tier: ValueTier,
    /// Who handles it.
    pub route: Route,
    /// Workflow or queue.
    pub workflow: String,
    /// Recommended actions with parameters.
    pub actions: Vec<Action>,
    /// When the SLA runs out.
    pub sla_due: DateTime<Utc>,
    /// Why.
    pub reasons: Vec<Reason>,
    /// Rules that fired.
    pub rules_fired: Vec<String>,
    /// Content hash of the bundle that decided.
    pub bundle_id: String,
}
