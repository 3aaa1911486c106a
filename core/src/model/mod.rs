//! The order-exception model: everything a rule can read.
//!
//! All money is an integer count of the currency's minor unit (cents for USD,
//! yen for JPY, fils for KWD) so that arithmetic is exact and identical on every
//! runtime. Every top-level document carries `schema_version`.

mod address;
mod customer;
mod exception;
mod inputs;
mod order;
mod payment;
mod schema;
mod shipment;

pub use address::{Address, AddressRole};
pub use customer::{B2bTerms, Customer, CustomerTier, ExceptionHistory};
pub use exception::{
    AddressChangeRequested, AddressInvalid, CancellationRequested, CarrierException,
    ContractPriceDispute, CreditHold, CustomerMessage, Exception, ExceptionEvent, ExceptionKind,
    FulfillmentStatus, InventoryShortage, MarketplaceSellerLate, PaymentDeclined, ReturnItem,
    ReturnRequested, SplitShipment, SplitShipmentPart,
};
pub use inputs::{
    CheckoutRequest, IncidentRef, PaymentInstrument, RetryLearning, RetryRequest, TriageContext,
};
pub use order::{Channel, Order, OrderLine, ShippingMethod};
pub use payment::{CardBrand, Gateway, Initiator, PaymentAttempt, PaymentMethod};
pub use schema::{SCHEMA_VERSION, SchemaDocument, json_schema, json_schemas};
pub use shipment::{Shipment, TrackingEvent};

/// Free-form, merchant-specific data carried through untouched. Rules can read
/// it; ordex itself never interprets it.
pub type Attributes = serde_json::Map<String, serde_json::Value>;
