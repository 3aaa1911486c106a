//! Training the text models a pack carries (`ordex train`): labelled rows in,
//! a seeded stratified split, multinomial logistic regression on the core's
//! hashed features, quantized into the core's [`TextModel`] — so the model
//! scored here is exactly the one every runtime evaluates — and a report.
//!
//! [`TextModel`]: ordex_core::knowledge::text::TextModel

pub mod data;
pub mod logreg;
pub mod metrics;
pub mod risk;
pub mod svg;

pub use data::{Example, read_csv, stratified_split};
pub use logreg::{TrainOptions, train};
pub use metrics::{Evaluation, evaluate};

use thiserror::Error;

/// Why training could not run.
#[derive(Debug, Error)]
pub enum TrainError {
    /// The data file could not be read.
    #[error("{path}: {message}")]
    Data {
        /// File.
        path: String,
        /// What is wrong (with the row, where known).
        message: String,
    },
    /// Too little data to train on.
    #[error("{0}")]
    TooLittle(String),
}
