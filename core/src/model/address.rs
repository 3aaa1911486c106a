use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A postal address with the fields Google's address metadata distinguishes,
/// so that country-specific rules (required fields, postal patterns) apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// Recipient name.
    #[serde(default)]
    pub name: Option<String>,
    /// Company or organisation.
    #[serde(default)]
    pub organization: Option<String>,
    /// Street lines, most significant first (street and number, then unit).
    #[serde(default)]
    pub lines: Vec<String>,
    /// Dependent locality / district / neighbourhood, where the country uses one.
    #[serde(default)]
    pub district: Option<String>,
    /// City, town or locality.
    #[serde(default)]
    pub city: Option<String>,
    /// State, province, prefecture or other first-level subdivision.
    #[serde(default)]
    pub region: Option<String>,
    /// Postal code exactly as entered.
    #[serde(default)]
    pub postal_code: Option<String>,
    /// Sorting code (CEDEX and similar).
    #[serde(default)]
    pub sorting_code: Option<String>,
    /// ISO 3166-1 alpha-2 country code, upper case (e.g. `US`, `DE`).
    pub country: String,
    /// Phone number for the carrier.
    #[serde(default)]
    pub phone: Option<String>,
}

/// Which of an order's addresses a finding or an exception is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AddressRole {
    /// Where the goods go.
    Shipping,
    /// The card holder's address.
    Billing,
}
