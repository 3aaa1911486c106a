//! `ordex simulate retries`: payment-retry policies in simulated worlds whose
//! ground truth is a file (success chance by decline kind, local hour and
//! weekday, pay days, time since the decline, issuer outages).

pub mod report;
pub mod retries;
pub mod world;

pub use retries::{PolicyResult, SeedResult, run_seed};
pub use world::{World, WorldError};
