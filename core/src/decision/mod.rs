//! What rules decide: the typed outputs of the three entry points.
//!
//! Rules return plain Rhai maps; the runtime validates them into these types
//! (see [`crate::runtime`]), so a host never sees a malformed decision.

mod checkout;
mod reason;
mod retry;
mod triage;

pub use checkout::{CheckoutDecision, CheckoutRuleOutput, Finding, Severity};
pub use reason::{Action, Reason};
pub use retry::{CustomerAction, LearnedTiming, PlanSource, RetryPlan, RetryRuleOutput};
pub use triage::{Route, TriageDecision, TriageRuleOutput, Urgency, ValueTier};
