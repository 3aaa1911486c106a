//! What every request handler shares.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::sync::Notify;

use super::bundles::Bundles;
use super::config::ServeConfig;
use super::metrics::Metrics;
use super::pipeline::TriageSettings;
use super::store::Store;

/// Shared service state.
pub struct AppState {
    /// The configuration it started with.
    pub config: ServeConfig,
    /// The database.
    pub store: Arc<Store>,
    /// The rule bundles.
    pub bundles: Bundles,
    /// Metrics.
    pub metrics: Metrics,
    /// Inputs to every triage.
    pub triage_settings: TriageSettings,
    /// Wakes the outbox deliverer when new actions are committed.
    pub outbox_wake: Notify,
    /// Set when shutdown starts: readiness turns false.
    pub draining: AtomicBool,
}

/// The handle handlers receive.
pub type Shared = Arc<AppState>;
