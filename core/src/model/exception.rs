use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Address, AddressRole, Attributes, Customer, Order, PaymentAttempt, Shipment};

/// An order exception: something went wrong with an order and somebody (or
/// something) has to decide what happens next. Input of `triage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExceptionEvent {
    /// Version of this document's schema; see [`super::SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Unique event id (used for idempotency by hosts).
    pub id: String,
    /// When the exception happened.
    pub occurred_at: DateTime<Utc>,
    /// The order concerned.
    pub order: Order,
    /// The customer, when known.
    #[serde(default)]
    pub customer: Option<Customer>,
    /// What went wrong; `kind` selects the variant.
    pub exception: Exception,
    /// Merchant-specific data.
    #[serde(default)]
    pub attributes: Attributes,
}

/// What went wrong, one variant per exception kind (`kind` is the tag).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Exception {
    /// A payment authorization or capture was declined.
    PaymentDeclined(Box<PaymentDeclined>),
    /// An address failed validation (at checkout, by a validator or a carrier).
    AddressInvalid(Box<AddressInvalid>),
    /// The customer asked to change the shipping address after ordering.
    AddressChangeRequested(Box<AddressChangeRequested>),
    /// Not enough stock to fill a line.
    InventoryShortage(InventoryShortage),
    /// The carrier reports a delay or a delivery exception.
    CarrierException(Box<CarrierException>),
    /// The customer (or the merchant) asked to cancel.
    CancellationRequested(CancellationRequested),
    /// The customer asked to return items.
    ReturnRequested(Box<ReturnRequested>),
    /// The order will ship in several parcels.
    SplitShipment(SplitShipment),
    /// A marketplace seller missed its ship-by date.
    MarketplaceSellerLate(MarketplaceSellerLate),
    /// A B2B buyer disputes an invoiced price against its contract.
    ContractPriceDispute(ContractPriceDispute),
    /// A B2B order is held because of the account's credit.
    CreditHold(CreditHold),
    /// A free-text message from the customer about the order.
    CustomerMessage(CustomerMessage),
}

/// The exception kinds, as plain names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, PartialOrd, Ord,
)]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// See [`Exception::PaymentDeclined`].
    PaymentDeclined,
    /// See [`Exception::AddressInvalid`].
    AddressInvalid,
    /// See [`Exception::AddressChangeRequested`].
    AddressChangeRequested,
    /// See [`Exception::InventoryShortage`].
    InventoryShortage,
    /// See [`Exception::CarrierException`].
    CarrierException,
    /// See [`Exception::CancellationRequested`].
    CancellationRequested,
    /// See [`Exception::ReturnRequested`].
    ReturnRequested,
    /// See [`Exception::SplitShipment`].
    SplitShipment,
    /// See [`Exception::MarketplaceSellerLate`].
    MarketplaceSellerLate,
    /// See [`Exception::ContractPriceDispute`].
    ContractPriceDispute,
    /// See [`Exception::CreditHold`].
    CreditHold,
    /// See [`Exception::CustomerMessage`].
    CustomerMessage,
}

impl ExceptionKind {
    /// Every kind, in declaration order.
    pub const ALL: [ExceptionKind; 12] = [
        Self::PaymentDeclined,
        Self::AddressInvalid,
        Self::AddressChangeRequested,
        Self::InventoryShortage,
        Self::CarrierException,
        Self::CancellationRequested,
        Self::ReturnRequested,
        Self::SplitShipment,
        Self::MarketplaceSellerLate,
        Self::ContractPriceDispute,
        Self::CreditHold,
        Self::CustomerMessage,
    ];

    /// The wire name (`payment_declined`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentDeclined => "payment_declined",
            Self::AddressInvalid => "address_invalid",
            Self::AddressChangeRequested => "address_change_requested",
            Self::InventoryShortage => "inventory_shortage",
            Self::CarrierException => "carrier_exception",
            Self::CancellationRequested => "cancellation_requested",
            Self::ReturnRequested => "return_requested",
            Self::SplitShipment => "split_shipment",
            Self::MarketplaceSellerLate => "marketplace_seller_late",
            Self::ContractPriceDispute => "contract_price_dispute",
            Self::CreditHold => "credit_hold",
            Self::CustomerMessage => "customer_message",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl Exception {
    /// The kind of this exception.
    pub fn kind(&self) -> ExceptionKind {
        match self {
            Self::PaymentDeclined(_) => ExceptionKind::PaymentDeclined,
            Self::AddressInvalid(_) => ExceptionKind::AddressInvalid,
            Self::AddressChangeRequested(_) => ExceptionKind::AddressChangeRequested,
            Self::InventoryShortage(_) => ExceptionKind::InventoryShortage,
            Self::CarrierException(_) => ExceptionKind::CarrierException,
            Self::CancellationRequested(_) => ExceptionKind::CancellationRequested,
            Self::ReturnRequested(_) => ExceptionKind::ReturnRequested,
            Self::SplitShipment(_) => ExceptionKind::SplitShipment,
            Self::MarketplaceSellerLate(_) => ExceptionKind::MarketplaceSellerLate,
            Self::ContractPriceDispute(_) => ExceptionKind::ContractPriceDispute,
            Self::CreditHold(_) => ExceptionKind::CreditHold,
            Self::CustomerMessage(_) => ExceptionKind::CustomerMessage,
        }
    }
}

/// A declined payment and the attempts before it on the same order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentDeclined {
    /// The attempt that was declined.
    pub payment: PaymentAttempt,
    /// Earlier attempts on this order, oldest first.
    #[serde(default)]
    pub previous_attempts: Vec<PaymentAttempt>,
}

/// An address that failed validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInvalid {
    /// Which address.
    pub role: AddressRole,
    /// The address as it stands.
    pub address: Address,
    /// Problem codes reported by the validator or carrier (`postal_code_mismatch`, …).
    #[serde(default)]
    pub problems: Vec<String>,
    /// A corrected address proposed by a validator, if any.
    #[serde(default)]
    pub suggestion: Option<Address>,
    /// Who found the problem: `checkout`, `validator` or `carrier`.
    #[serde(default)]
    pub detected_by: Option<String>,
}

/// How far fulfilment has progressed; it decides what can still change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum FulfillmentStatus {
    /// Not yet released to the warehouse.
    #[default]
    Unfulfilled,
    /// Being picked and packed.
    InProgress,
    /// Some lines shipped.
    PartiallyShipped,
    /// Handed to the carrier.
    Shipped,
    /// Delivered.
    Delivered,
}

/// The customer wants the parcel to go somewhere else.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressChangeRequested {
    /// The requested new shipping address.
    pub new_address: Address,
    /// Fulfilment progress when the request came in.
    #[serde(default)]
    pub fulfillment_status: FulfillmentStatus,
    /// Who asked: `customer`, `agent`, `carrier`.
    #[serde(default)]
    pub requested_by: Option<String>,
}

/// Stock is short for a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InventoryShortage {
    /// The short SKU.
    pub sku: String,
    /// Units ordered.
    pub ordered_quantity: u32,
    /// Units available at the assigned node.
    pub available_quantity: u32,
    /// The node that reported the shortage.
    #[serde(default)]
    pub node: Option<String>,
    /// Other nodes with enough stock to reroute to.
    #[serde(default)]
    pub alternative_nodes: Vec<String>,
    /// Expected restock date at the node.
    #[serde(default)]
    pub restock_date: Option<NaiveDate>,
    /// Why the node rejected: `not_in_stock`, `damaged`, `mismatch`, …
    #[serde(default)]
    pub reason: Option<String>,
}

/// A carrier delay or delivery exception.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CarrierException {
    /// The affected shipment, with its tracking events.
    pub shipment: Shipment,
}

/// A cancellation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationRequested {
    /// Who asked: `customer`, `merchant`, `fraud_team`, `system`.
    #[serde(default)]
    pub requested_by: Option<String>,
    /// Stated reason.
    #[serde(default)]
    pub reason: Option<String>,
    /// Fulfilment progress when the request came in.
    #[serde(default)]
    pub fulfillment_status: FulfillmentStatus,
}

/// A return request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequested {
    /// Items to return.
    pub items: Vec<ReturnItem>,
    /// When the order was delivered, which starts the return window.
    #[serde(default)]
    pub delivered_at: Option<DateTime<Utc>>,
    /// The merchant's return window in days.
    #[serde(default = "thirty")]
    pub return_window_days: u32,
}

fn thirty() -> u32 {
    30
}

/// One returned item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnItem {
    /// SKU being returned.
    pub sku: String,
    /// Units.
    pub quantity: u32,
    /// `changed_mind`, `defective`, `damaged`, `wrong_item`, `missing_item`, `not_as_described`, `other`.
    pub reason: String,
    /// Customer's own words.
    #[serde(default)]
    pub comment: Option<String>,
}

/// The order ships in several parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitShipment {
    /// The planned parcels.
    pub parts: Vec<SplitShipmentPart>,
    /// Extra shipping cost the split causes the merchant, minor units.
    #[serde(default)]
    pub extra_cost_minor: i64,
    /// Whether the customer asked to receive everything together.
    #[serde(default)]
    pub ship_complete_requested: bool,
}

/// One parcel of a split shipment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitShipmentPart {
    /// Node shipping this part.
    pub node: String,
    /// SKUs in this part.
    pub skus: Vec<String>,
    /// Estimated ship date.
    #[serde(default)]
    pub ship_date: Option<NaiveDate>,
}

/// A marketplace seller is late to ship.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MarketplaceSellerLate {
    /// Seller id.
    pub seller_id: String,
    /// Ship-by date the seller committed to.
    pub ship_by: DateTime<Utc>,
    /// Seller's late-shipment rate over the last 30 days, in percent.
    #[serde(default)]
    pub late_rate_30d_pct: f64,
    /// Whether the seller has responded since the ship-by date.
    #[serde(default)]
    pub seller_responded: bool,
}

/// A B2B buyer disputes a price.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractPriceDispute {
    /// Disputed SKU.
    pub sku: String,
    /// Units invoiced.
    pub quantity: u32,
    /// Unit price in the contract, minor units.
    pub contract_price_minor: i64,
    /// Unit price invoiced, minor units.
    pub invoiced_price_minor: i64,
    /// Contract id.
    #[serde(default)]
    pub contract_id: Option<String>,
    /// Invoice id.
    #[serde(default)]
    pub invoice_id: Option<String>,
}

/// A B2B order held by credit control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditHold {
    /// Credit limit, minor units.
    pub credit_limit_minor: i64,
    /// Exposure including this order, minor units.
    pub exposure_minor: i64,
    /// Past-due amount, minor units.
    #[serde(default)]
    pub overdue_minor: i64,
    /// Days the oldest invoice is past due.
    #[serde(default)]
    pub days_overdue: u32,
}

/// A customer wrote in about the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerMessage {
    /// `email`, `chat`, `phone`, `social`, `review`.
    #[serde(default)]
    pub channel: Option<String>,
    /// The message text.
    pub text: String,
    /// BCP 47 language tag, when known.
    #[serde(default)]
    pub language: Option<String>,
}
