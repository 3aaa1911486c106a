//! Reading what customers and carriers write: hashed text features and the
//! linear classifiers trained on them (`ordex train`), evaluated with integer
//! arithmetic so every runtime gives the same answer.

pub mod entities;
pub mod features;
pub mod model;
mod street;

pub use model::{ModelError, PackedRows, Prediction, Scored, TextModel};
