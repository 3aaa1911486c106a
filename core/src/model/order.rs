use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Address, Attributes};

/// Where the order was placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The merchant's web storefront.
    #[default]
    Web,
    /// The merchant's mobile app.
    App,
    /// A third-party marketplace, or a marketplace seller's order.
    Marketplace,
    /// Business-to-business ordering (portal, EDI, sales rep).
    B2b,
    /// Point of sale or ship-from-store.
    Store,
}

/// An order, or a cart about to become one (checkout).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Order {
    /// Order id (or cart id at checkout).
    pub id: String,
    /// Sales channel.
    #[serde(default)]
    pub channel: Channel,
    /// ISO 4217 currency of every amount in the order.
    pub currency: String,
    /// When the order was placed; absent at checkout.
    #[serde(default)]
    pub placed_at: Option<DateTime<Utc>>,
    /// Order lines.
    #[serde(default)]
    pub lines: Vec<OrderLine>,
    /// Grand total in minor units. When absent it is computed from the lines.
    #[serde(default)]
    pub total_minor: Option<i64>,
    /// Shipping charged, minor units.
    #[serde(default)]
    pub shipping_minor: i64,
    /// Where the goods go.
    #[serde(default)]
    pub shipping_address: Option<Address>,
    /// Billing address of the payer.
    #[serde(default)]
    pub billing_address: Option<Address>,
    /// Chosen shipping method.
    #[serde(default)]
    pub shipping_method: Option<ShippingMethod>,
    /// Merchant-specific data.
    #[serde(default)]
    pub attributes: Attributes,
}

/// One line of an order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    /// Stock-keeping unit.
    pub sku: String,
    /// Units ordered; must be at least 1.
    pub quantity: u32,
    /// Price per unit in minor units.
    pub unit_price_minor: i64,
    /// Product title for messages.
    #[serde(default)]
    pub title: Option<String>,
    /// Warehouse, store or 3PL that fulfils the line.
    #[serde(default)]
    pub fulfillment_node: Option<String>,
    /// Marketplace seller that fulfils the line.
    #[serde(default)]
    pub seller_id: Option<String>,
    /// Final sale items cannot be returned.
    #[serde(default)]
    pub final_sale: bool,
}

/// The shipping option the customer chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ShippingMethod {
    /// Carrier code (`ups`, `fedex`, `usps`, `dhl_express`, …).
    pub carrier: String,
    /// Carrier service level (`ground`, `express`, `next_day`, …).
    #[serde(default)]
    pub service: Option<String>,
    /// Delivery date promised to the customer.
    #[serde(default)]
    pub promised_by: Option<DateTime<Utc>>,
}

impl Order {
    /// The order total: `total_minor` when given, else lines plus shipping.
    /// Saturates rather than overflows on absurd inputs.
    pub fn total(&self) -> i64 {
        self.total_minor.unwrap_or_else(|| {
            self.lines
                .iter()
                .map(|l| l.unit_price_minor.saturating_mul(i64::from(l.quantity)))
                .fold(self.shipping_minor, i64::saturating_add)
        })
    }
}
