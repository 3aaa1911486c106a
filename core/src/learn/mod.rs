//! What ordex learns from the stream, as pure functions of (state, input):
//! anomaly detectors that watch rates and volumes, the payment-retry
//! learner, and the cancellation-risk model. No clock, no randomness of
//! their own (a sampler takes its seed as an input), and arithmetic whose
//! result is the same on every platform: only `+ - * /` and `sqrt` on
//! `f64` (correctly rounded by IEEE 754 everywhere, Wasm included) and
//! logarithms from [`det_math`] built on those.

pub mod anomaly;
pub mod det_math;
pub mod retry_bandit;
pub mod risk;
pub mod rng;
