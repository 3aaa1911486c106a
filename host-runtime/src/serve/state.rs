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
    /// The web pages and the npm package, as read at start.
    pub site: super::static_site::StaticSite,
    /// The database.
    pub store: Arc<Store>,
    /// The rule bundles.
    pub bundles: Bundles,
    /// Metrics.
    pub metrics: Metrics,
    /// Inputs to every triage.
    pub triage_settings: TriageSettings,
    /// Serializes triage per order.
    pub order_locks: OrderLocks,
    /// How the stream detectors watch the events.
    pub watch: super::incidents::WatchSettings,
    /// Wakes the outbox deliverer when new actions are committed.
    pub outbox_wake: Notify,
    /// Set when shutdown starts: readiness turns false.
    pub draining: AtomicBool,
    /// Held for the life of the service: one process per database.
    pub _lock: std::fs::File,
}

impl AppState {
    /// The window events' `occurred_at` must fall in, now.
    pub fn time_window(&self) -> super::event_rules::TimeWindow {
        super::event_rules::TimeWindow {
            now: super::clock::now(),
            max_age: self.config.max_event_age,
            max_skew: self.config.max_event_skew,
        }
    }
}

/// The handle handlers receive.
pub type Shared = Arc<AppState>;

/// Lock stripes keyed by order id: events of one order are triaged in
/// turn (each sees the previous one's case and history), different orders
/// in parallel.
pub struct OrderLocks {
    stripes: Vec<std::sync::Mutex<()>>,
}

impl Default for OrderLocks {
    fn default() -> Self {
        Self {
            stripes: (0..64).map(|_| std::sync::Mutex::new(())).collect(),
        }
    }
}

impl OrderLocks {
    /// Locks the stripes of `orders`, in stripe order (so two requests never
    /// wait on each other in a cycle).
    pub fn lock<'a>(
        &self,
        orders: impl Iterator<Item = &'a str>,
    ) -> Vec<std::sync::MutexGuard<'_, ()>> {
        use std::hash::{Hash, Hasher};
        let mut idx: Vec<usize> = orders
            .map(|o| {
                let mut h = std::collections::hash_map::DefaultHasher::new();
                o.hash(&mut h);
                (h.finish() % self.stripes.len() as u64) as usize
            })
            .collect();
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter()
            .map(|i| {
                self.stripes[i]
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            })
            .collect()
    }
}
