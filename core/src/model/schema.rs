use schemars::JsonSchema;
use serde_json::Value;

use crate::decision::{CheckoutDecision, RetryPlan, TriageDecision};
use crate::model::{CheckoutRequest, ExceptionEvent, RetryRequest, TriageContext};

/// The schema version this build reads and writes. Inputs with another
/// version are refused with `unsupported_schema_version`.
pub const SCHEMA_VERSION: u32 = 1;

/// Every published document type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaDocument {
    /// Input of `checkout`.
    CheckoutRequest,
    /// Output of `checkout`.
    CheckoutDecision,
    /// Input of `triage`.
    ExceptionEvent,
    /// Context of `triage`.
    TriageContext,
    /// Output of `triage`.
    TriageDecision,
    /// Input of `retry`.
    RetryRequest,
    /// Output of `retry`.
    RetryPlan,
}

impl SchemaDocument {
    /// All documents, inputs first.
    pub const ALL: [SchemaDocument; 7] = [
        Self::CheckoutRequest,
        Self::ExceptionEvent,
        Self::TriageContext,
        Self::RetryRequest,
        Self::CheckoutDecision,
        Self::TriageDecision,
        Self::RetryPlan,
    ];

    /// File-friendly name (`exception_event`).
    pub fn name(self) -> &'static str {
        match self {
            Self::CheckoutRequest => "checkout_request",
            Self::CheckoutDecision => "checkout_decision",
            Self::ExceptionEvent => "exception_event",
            Self::TriageContext => "triage_context",
            Self::TriageDecision => "triage_decision",
            Self::RetryRequest => "retry_request",
            Self::RetryPlan => "retry_plan",
        }
    }
}

fn schema_of<T: JsonSchema>() -> Value {
    serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null)
}

/// The JSON Schema (draft 2020-12) of one document, generated from the Rust types.
pub fn json_schema(doc: SchemaDocument) -> Value {
    match doc {
        SchemaDocument::CheckoutRequest => schema_of::<CheckoutRequest>(),
        SchemaDocument::CheckoutDecision => schema_of::<CheckoutDecision>(),
        SchemaDocument::ExceptionEvent => schema_of::<ExceptionEvent>(),
        SchemaDocument::TriageContext => schema_of::<TriageContext>(),
        SchemaDocument::TriageDecision => schema_of::<TriageDecision>(),
        SchemaDocument::RetryRequest => schema_of::<RetryRequest>(),
        SchemaDocument::RetryPlan => schema_of::<RetryPlan>(),
    }
}

/// Every schema with its name.
pub fn json_schemas() -> Vec<(&'static str, Value)> {
    SchemaDocument::ALL
        .into_iter()
        .map(|d| (d.name(), json_schema(d)))
        .collect()
}
