//! Training the cancellation-risk model (`ordex train risk`): orders and
//! cancellations read from an invoice log (UCI Online Retail's layout),
//! labels from what happened after each order, a time split, a logistic
//! fit, and the evaluation the model is judged by.

mod fit;
mod metrics;
mod retail;

pub use fit::{FitOptions, fit};
pub use metrics::{Calibration, auc, calibration, precision_at_top};
pub use retail::{Labelled, RetailError, read_orders};
