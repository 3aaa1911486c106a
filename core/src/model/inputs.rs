use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Attributes, CardBrand, Customer, Order, PaymentAttempt, PaymentMethod};

/// Input of `checkout`: the cart about to be placed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// Version of this document's schema.
    pub schema_version: u32,
    /// The cart, as an order without `placed_at`.
    pub order: Order,
    /// The shopper, when signed in.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// What the shopper is about to pay with.
    #[serde(default)]
    pub payment: Option<PaymentInstrument>,
    /// Shopper email.
    #[serde(default)]
    pub email: Option<String>,
    /// Merchant-specific data.
    #[serde(default)]
    pub attributes: Attributes,
}

/// The payment instrument entered at checkout (never the card number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInstrument {
    /// Payment method.
    #[serde(default)]
    pub method: PaymentMethod,
    /// Card network.
    #[serde(default)]
    pub brand: Option<CardBrand>,
    /// Issuing country from the BIN.
    #[serde(default)]
    pub bin_country: Option<String>,
    /// Expiry month 1–12.
    #[serde(default)]
    pub exp_month: Option<u32>,
    /// Four-digit expiry year.
    #[serde(default)]
    pub exp_year: Option<i32>,
    /// Whether the card is prepaid.
    #[serde(default)]
    pub prepaid: bool,
}

/// Facts about the merchant and the surroundings that triage may weigh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct TriageContext {
    /// Merchant id, for multi-tenant hosts.
    #[serde(default)]
    pub merchant_id: Option<String>,
    /// Offset of the merchant's time zone from UTC in minutes (e.g. -300).
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// Open cases already held for this customer.
    #[serde(default)]
    pub open_cases_for_customer: u32,
    /// Current agent-queue depth, to let rules self-heal more under load.
    #[serde(default)]
    pub queue_depth: u32,
    /// Merchant-specific data.
    #[serde(default)]
    pub attributes: Attributes,
}

/// Input of `retry`: the decline to plan for and the card's attempt history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryRequest {
    /// Version of this document's schema.
    pub schema_version: u32,
    /// The attempt that just failed.
    pub failure: PaymentAttempt,
    /// Earlier attempts on the same card, any order, oldest first.
    #[serde(default)]
    pub history: Vec<PaymentAttempt>,
    /// Whether the charge is recurring (subscription, instalment).
    #[serde(default)]
    pub recurring: bool,
    /// The latest time the merchant is willing to collect by.
    #[serde(default)]
    pub collect_by: Option<DateTime<Utc>>,
}
