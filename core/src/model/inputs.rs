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
    /// The gateway's answer when it declined the authorisation, so the
    /// rules decide what the shopper is told and can do next.
    #[serde(default)]
    pub decline: Option<AuthorizationDecline>,
}

/// A declined authorisation as the gateway reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationDecline {
    /// Whose code vocabulary `code` uses.
    pub gateway: crate::model::Gateway,
    /// The decline code (Stripe `decline_code`, Adyen `refusalReasonCode`,
    /// Braintree processor code, ISO 8583 response code).
    pub code: String,
    /// The issuer's advice code, when given (Stripe `advice_code`).
    #[serde(default)]
    pub advice_code: Option<String>,
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
    /// Incidents open now (a gateway failing, a carrier in trouble, a source
    /// gone silent), as the service's stream detectors found them.
    #[serde(default)]
    pub incidents: Vec<IncidentRef>,
    /// Merchant-specific data.
    #[serde(default)]
    pub attributes: Attributes,
}

/// An open incident, as rules see it in `ctx.incidents`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentRef {
    /// The service's incident id.
    pub id: i64,
    /// `declines_surge`, `carrier_exceptions_surge`, `shortages_surge`,
    /// `address_failures_surge`, `source_silent`, …
    pub kind: String,
    /// The watched series: `declines`, `carrier_exceptions`, `shortages`,
    /// `address_failures` or `volume`.
    pub metric: String,
    /// What it is about: `gateway=adyen`, `gateway=adyen,category=issuer_unavailable`,
    /// `carrier=ups`, `node=dc-1`, `sku=…`, `country=DE`, `source=stripe`.
    pub scope: String,
    /// `up` (a surge) or `down` (a drop or silence).
    pub direction: String,
    /// `open` or `acknowledged`.
    pub status: String,
    /// When the series began to move (the detector's change point).
    pub started_at: DateTime<Utc>,
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
    /// What the host learned from earlier retries, for `learned_retry`
    /// in rules: the counts of the decline's context and a seed.
    #[serde(default)]
    pub learning: Option<RetryLearning>,
}

/// Outcomes of earlier retries the host passes to the retry entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetryLearning {
    /// Counts per segment (the decline's context and its pooled segments).
    pub stats: crate::learn::retry_bandit::RetryStats,
    /// Learner settings (defaults when absent).
    #[serde(default)]
    pub spec: Option<crate::learn::retry_bandit::LearnerSpec>,
    /// The issuer's offset from UTC in minutes.
    #[serde(default)]
    pub utc_offset_minutes: i32,
    /// The seed of the learner's sampling (the host derives it from the event).
    pub seed: u64,
}
