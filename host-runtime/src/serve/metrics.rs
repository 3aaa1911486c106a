//! Prometheus metrics: counters and histograms updated as work happens,
//! gauges read from the store when scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

use super::store::QueueCounts;
use super::store::outbox::STATUSES;

/// Labels of accepted and refused events.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EventLabels {
    /// `api`, `stripe`, `easypost`, `aftership`.
    pub source: String,
    /// `accepted`, `duplicate`, `rejected`, `ignored`.
    pub outcome: String,
}

/// Labels of decisions.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    /// Route decided (`rule_error` counts as its fallback route `agent`).
    pub route: String,
    /// Exception kind.
    pub kind: String,
}

/// A single `kind` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// The kind.
    pub kind: String,
}

/// A single `status` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StatusLabel {
    /// The status.
    pub status: String,
}

/// Every metric the service exports.
pub struct Metrics {
    registry: Registry,
    /// Events received, by source and outcome.
    pub events: Family<EventLabels, Counter>,
    /// Decisions stored, by route and kind.
    pub decisions: Family<DecisionLabels, Counter>,
    /// Evaluations whose rules failed (the case goes to an agent).
    pub rule_errors: Counter,
    /// Time in the rules per event (triage plus retry plan).
    pub evaluation_seconds: Histogram,
    /// Wasm instructions per event.
    pub evaluation_fuel: Histogram,
    /// Whole intake requests, validation to commit.
    pub intake_seconds: Histogram,
    /// Delivery attempts by result (`delivered`, `retry`, `dead`).
    pub deliveries: Family<StatusLabel, Counter>,
    /// Incidents opened by the detectors, by kind.
    pub incidents_opened: Family<KindLabel, Counter>,
    /// Incidents their detector resolved (the series came back).
    pub incidents_resolved: Counter,
    agent_queue: Gauge,
    open_cases: Gauge,
    open_incidents: Gauge,
    outbox: Family<StatusLabel, Gauge>,
    outbox_lag: Gauge<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("ordex");
        let events = Family::<EventLabels, Counter>::default();
        registry.register(
            "events",
            "Events received, by source and outcome",
            events.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "Decisions stored, by route and exception kind",
            decisions.clone(),
        );
        let rule_errors = Counter::default();
        registry.register(
            "rule_errors",
            "Evaluations whose rules failed",
            rule_errors.clone(),
        );
        let evaluation_seconds = Histogram::new(exponential_buckets(0.000_1, 2.0, 16));
        registry.register(
            "evaluation_seconds",
            "Time in the rules per event (triage and retry plan)",
            evaluation_seconds.clone(),
        );
        let evaluation_fuel = Histogram::new(exponential_buckets(100_000.0, 2.0, 14));
        registry.register(
            "evaluation_fuel",
            "Wasm instructions per event (wasmtime fuel)",
            evaluation_fuel.clone(),
        );
        let intake_seconds = Histogram::new(exponential_buckets(0.000_5, 2.0, 14));
        registry.register(
            "intake_seconds",
            "Intake requests from validation to durable commit",
            intake_seconds.clone(),
        );
        let deliveries = Family::<StatusLabel, Counter>::default();
        registry.register(
            "action_deliveries",
            "Outbox delivery attempts by result",
            deliveries.clone(),
        );
        let incidents_opened = Family::<KindLabel, Counter>::default();
        registry.register(
            "incidents_opened",
            "Incidents opened by the stream detectors, by kind",
            incidents_opened.clone(),
        );
        let incidents_resolved = Counter::default();
        registry.register(
            "incidents_resolved_by_detector",
            "Incidents resolved because their series came back to normal",
            incidents_resolved.clone(),
        );
        let open_incidents = Gauge::default();
        registry.register(
            "open_incidents",
            "Incidents not resolved yet",
            open_incidents.clone(),
        );
        let agent_queue = Gauge::default();
        registry.register(
            "agent_queue_depth",
            "Open cases routed to people",
            agent_queue.clone(),
        );
        let open_cases = Gauge::default();
        registry.register("open_cases", "Open cases of any route", open_cases.clone());
        let outbox = Family::<StatusLabel, Gauge>::default();
        registry.register("outbox_actions", "Outbox actions by status", outbox.clone());
        let outbox_lag = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "outbox_lag_seconds",
            "How long the oldest due, undelivered action has waited",
            outbox_lag.clone(),
        );
        Self {
            registry,
            events,
            decisions,
            rule_errors,
            evaluation_seconds,
            evaluation_fuel,
            intake_seconds,
            deliveries,
            incidents_opened,
            incidents_resolved,
            agent_queue,
            open_cases,
            open_incidents,
            outbox,
            outbox_lag,
        }
    }

    /// Counts one event.
    pub fn event(&self, source: &str, outcome: &str) {
        self.events
            .get_or_create(&EventLabels {
                source: source.to_owned(),
                outcome: outcome.to_owned(),
            })
            .inc();
    }

    /// Counts incidents opened and resolved by the detectors.
    pub fn incidents(&self, changes: &super::incidents::Changes) {
        for (_, kind) in &changes.opened {
            self.incidents_opened
                .get_or_create(&KindLabel { kind: kind.clone() })
                .inc();
        }
        self.incidents_resolved
            .inc_by(changes.resolved.len() as u64);
    }

    /// The text exposition, with gauges set from `counts`.
    pub fn render(&self, counts: &QueueCounts) -> String {
        self.agent_queue.set(counts.agent_queue);
        self.open_cases.set(counts.open_cases);
        self.open_incidents.set(counts.open_incidents);
        for status in STATUSES {
            let n = counts
                .actions_by_status
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            self.outbox
                .get_or_create(&StatusLabel {
                    status: status.to_owned(),
                })
                .set(n);
        }
        self.outbox_lag.set(counts.outbox_lag_seconds);
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}
