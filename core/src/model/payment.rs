use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the shopper paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Credit, debit or prepaid card.
    #[default]
    Card,
    /// Apple Pay, Google Pay and other tokenised wallets.
    Wallet,
    /// ACH, SEPA and other direct debits.
    BankDebit,
    /// Buy now, pay later.
    Bnpl,
    /// Bank transfer / invoice.
    BankTransfer,
    /// Gift card or store credit.
    GiftCard,
}

/// Card network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardBrand {
    /// Visa.
    Visa,
    /// Mastercard (and Maestro).
    Mastercard,
    /// American Express.
    Amex,
    /// Discover.
    Discover,
    /// JCB.
    Jcb,
    /// UnionPay.
    Unionpay,
    /// Diners Club.
    Diners,
    /// Any other network.
    Other,
}

/// The gateway whose code vocabulary `decline_code` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gateway {
    /// Stripe `decline_code`.
    Stripe,
    /// Adyen `refusalReasonCode`.
    Adyen,
    /// Braintree processor response code.
    Braintree,
    /// Raw ISO 8583 response code from an acquirer.
    Iso8583,
    /// Anything else; the code is kept but cannot be classified.
    Other,
}

/// Whether the customer was present (CIT) or the merchant charged a stored
/// credential (MIT); card networks count retries separately for each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Initiator {
    /// Customer-initiated transaction.
    #[default]
    Customer,
    /// Merchant-initiated transaction (subscriptions, reattempts, split charges).
    Merchant,
}

/// One authorization attempt and what the gateway answered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentAttempt {
    /// The gateway's id for the attempt.
    #[serde(default)]
    pub id: Option<String>,
    /// When the attempt was made.
    pub at: DateTime<Utc>,
    /// Payment method.
    #[serde(default)]
    pub method: PaymentMethod,
    /// Card network, for cards and card-backed wallets.
    #[serde(default)]
    pub brand: Option<CardBrand>,
    /// Stable fingerprint of the card, used to count attempts per card.
    #[serde(default)]
    pub card_fingerprint: Option<String>,
    /// ISO 3166-1 alpha-2 country of the issuing bank (from the BIN).
    #[serde(default)]
    pub bin_country: Option<String>,
    /// Gateway that reported the result.
    pub gateway: Gateway,
    /// Whether the attempt was approved.
    #[serde(default)]
    pub approved: bool,
    /// Decline code exactly as the gateway sent it (absent when approved).
    #[serde(default)]
    pub decline_code: Option<String>,
    /// Network advice code (Stripe `advice_code`, Mastercard MAC).
    #[serde(default)]
    pub advice_code: Option<String>,
    /// Raw network response code, when the gateway passes it through.
    #[serde(default)]
    pub network_code: Option<String>,
    /// Amount in minor units.
    pub amount_minor: i64,
    /// ISO 4217 currency.
    pub currency: String,
    /// 1 for the first attempt on this order, 2 for the first retry, …
    #[serde(default = "one")]
    pub attempt_number: u32,
    /// Customer- or merchant-initiated.
    #[serde(default)]
    pub initiator: Initiator,
    /// Gateway risk score 0–100, when the gateway provides one.
    #[serde(default)]
    pub risk_score: Option<u32>,
}

fn one() -> u32 {
    1
}
