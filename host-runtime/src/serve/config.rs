//! How the service is configured (command-line flags, each with an
//! `ORDEX_*` environment variable).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::evaluator::RuntimeKind;
use crate::wasm_host::HostLimits;

/// Outbox delivery settings.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// Where actions are POSTed; without one, actions wait in the outbox.
    pub webhook_url: Option<String>,
    /// HMAC-SHA256 key of the `Ordex-Signature` header.
    pub webhook_secret: Option<String>,
    /// Attempts before an action is dead-lettered.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt.
    pub base_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
    /// How long a delivery may take before another deliverer may retry it.
    pub lease: Duration,
    /// HTTP timeout per delivery.
    pub timeout: Duration,
}

/// Provider webhook secrets.
#[derive(Debug, Clone, Default)]
pub struct ProviderSecrets {
    /// Stripe endpoint signing secret (`whsec_…`).
    pub stripe: Option<String>,
    /// EasyPost webhook secret.
    pub easypost: Option<String>,
    /// AfterShip webhook secret.
    pub aftership: Option<String>,
    /// Seconds a signed timestamp may differ from now (Stripe).
    pub tolerance_secs: i64,
}

/// How long and how much a client may hold the service: every bound on a
/// connection and on what an unauthenticated caller can make it do.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time to send a request's headers; also how long an idle keep-alive
    /// connection is kept (hyper starts the same timer when it waits for the
    /// next request).
    pub header_timeout: Duration,
    /// Time to send a request's body once its headers are in.
    pub body_timeout: Duration,
    /// Time a response write may stay blocked on a client that does not read.
    pub write_timeout: Duration,
    /// Open connections at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Request body bytes held in memory at once, per route group (events,
    /// webhooks, bundles, the rest); a request that would exceed it gets 503.
    pub inflight_body_bytes: usize,
    /// Webhook requests per second per source address (sustained).
    pub webhook_rate_per_sec: u32,
    /// Webhook requests a source address may send in a burst.
    pub webhook_burst: u32,
    /// After SIGTERM, how long requests in flight may take before their
    /// connections are cut.
    pub shutdown_grace: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            max_connections: 1024,
            inflight_body_bytes: 64 << 20,
            webhook_rate_per_sec: 50,
            webhook_burst: 200,
            shutdown_grace: Duration::from_secs(10),
        }
    }
}

/// Budgets for checking an uploaded bundle before it can be activated.
#[derive(Debug, Clone, Copy)]
pub struct BundleCheckLimits {
    /// Wall time for the whole check: loading and every test case.
    pub total: Duration,
    /// Share of test cases (in percent) that may end in `limit_exceeded`
    /// before the bundle is refused, unless its manifest allows it.
    pub max_limit_share_percent: u32,
}

impl Default for BundleCheckLimits {
    fn default() -> Self {
        Self {
            total: Duration::from_secs(60),
            max_limit_share_percent: 50,
        }
    }
}

/// Everything `ordex serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Listen address.
    pub addr: SocketAddr,
    /// SQLite database file.
    pub database: PathBuf,
    /// Rule pack (directory or bundle file) activated when the database has none.
    pub pack: PathBuf,
    /// Where rules run.
    pub runtime: RuntimeKind,
    /// The host-ABI module.
    pub module: Option<PathBuf>,
    /// Guest limits per call.
    pub limits: HostLimits,
    /// Accepted bearer keys.
    pub api_keys: Vec<String>,
    /// Outbox delivery.
    pub outbox: OutboxSettings,
    /// Provider webhook secrets.
    pub providers: ProviderSecrets,
    /// Largest event body (bytes).
    pub max_body_bytes: usize,
    /// Largest bundle upload (bytes).
    pub max_bundle_bytes: usize,
    /// Static web pages served at `/`.
    pub www: Option<PathBuf>,
    /// The built npm package served at `/pkg/` (for the checkout demo).
    pub pkg: Option<PathBuf>,
    /// Passed to rules as `ctx.merchant_id`.
    pub merchant_id: Option<String>,
    /// Currency of orders only known from a carrier webhook.
    pub default_currency: String,
    /// Connection timeouts and caps.
    pub connections: ConnectionLimits,
    /// Budgets of the upload check.
    pub bundle_check: BundleCheckLimits,
    /// How far an event's `occurred_at` may lie before the server's clock.
    pub max_event_age: chrono::Duration,
    /// How far an event's `occurred_at` may lie after the server's clock.
    pub max_event_skew: chrono::Duration,
    /// How the stream detectors watch the events.
    pub watch: super::incidents::WatchSettings,
    /// `Access-Control-Allow-Origin` of the public checkout bundle (`*`, or
    /// the storefront's origin).
    pub public_cors_origin: String,
}
