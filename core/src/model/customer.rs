use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Attributes;

/// The merchant's own segmentation of the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum CustomerTier {
    /// First order or guest checkout.
    New,
    /// Ordinary returning customer.
    #[default]
    Standard,
    /// Loyalty-programme member.
    Loyal,
    /// Top customers the merchant wants handled by people.
    Vip,
}

/// The buyer, as the order system knows them at the time of the event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The merchant's customer id.
    pub id: String,
    /// Merchant-assigned tier.
    #[serde(default)]
    pub tier: CustomerTier,
    /// Lifetime value in minor units of `currency`.
    #[serde(default)]
    pub lifetime_value_minor: i64,
    /// Currency of `lifetime_value_minor` (ISO 4217).
    #[serde(default)]
    pub currency: Option<String>,
    /// Number of orders placed so far, this one included.
    #[serde(default)]
    pub order_count: u32,
    /// When the account was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When the customer's previous order was placed.
    #[serde(default)]
    pub last_order_at: Option<DateTime<Utc>>,
    /// When the customer last cancelled an order (or part of one).
    #[serde(default)]
    pub last_cancellation_at: Option<DateTime<Utc>>,
    /// Email address, when known.
    #[serde(default)]
    pub email: Option<String>,
    /// Earlier exceptions and disputes of this customer.
    #[serde(default)]
    pub history: ExceptionHistory,
    /// Contract and credit terms of a business customer.
    #[serde(default)]
    pub b2b: Option<B2bTerms>,
    /// Merchant-specific data.
    #[serde(default)]
    pub attributes: Attributes,
}

/// Counts of past trouble, the facts that turn a routine case into a risky one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ExceptionHistory {
    /// Order exceptions of any kind in the last 90 days.
    #[serde(default)]
    pub exceptions_90d: u32,
    /// Payment declines in the last 30 days, across cards.
    #[serde(default)]
    pub declines_30d: u32,
    /// Returns in the last 365 days.
    #[serde(default)]
    pub returns_365d: u32,
    /// Chargebacks ever received.
    #[serde(default)]
    pub chargebacks: u32,
    /// Confirmed fraud flags on the account.
    #[serde(default)]
    pub fraud_flags: u32,
    /// Orders (or order lines) the customer cancelled, ever.
    #[serde(default)]
    pub cancellations: u32,
}

/// Contract and credit terms of a B2B account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct B2bTerms {
    /// The buyer's company account.
    pub account_id: String,
    /// The governing price contract, if any.
    #[serde(default)]
    pub contract_id: Option<String>,
    /// Credit limit in minor units.
    #[serde(default)]
    pub credit_limit_minor: i64,
    /// Credit currently used (open invoices and orders), minor units.
    #[serde(default)]
    pub credit_used_minor: i64,
    /// Amount past due, minor units.
    #[serde(default)]
    pub overdue_minor: i64,
    /// Payment terms in days (net 30 = 30).
    #[serde(default)]
    pub payment_terms_days: u32,
    /// Strategic accounts get an account manager in the loop.
    #[serde(default)]
    pub strategic: bool,
}
