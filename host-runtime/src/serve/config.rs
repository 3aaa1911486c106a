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
}
