//! Delivering outbox actions to the configured webhook: at least once, with
//! exponential backoff, a dead-letter state, and the action's idempotency
//! key on every attempt so the receiver runs it once.
//!
//! Each delivery is a signed POST: `Ordex-Signature: t=<unix>,v1=<hex>` where
//! `v1` is HMAC-SHA256 of `"{t}.{body}"` under the webhook secret (Stripe's
//! scheme, so receivers can reuse their verifier).

use std::time::Duration;

use rand::Rng;
use tokio::sync::watch;
use tokio::task::JoinSet;

use super::adapters::signature::hmac_hex;
use super::clock;
use super::config::OutboxSettings;
use super::metrics::StatusLabel;
use super::state::Shared;
use super::store::outbox::{self, ClaimedAction, DeliveryResult};

const BATCH: usize = 16;
const IDLE: Duration = Duration::from_secs(1);

fn backoff(settings: &OutboxSettings, attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.clamp(0, 20)).unwrap_or(20);
    let base = settings
        .base_backoff
        .saturating_mul(2u32.saturating_pow(exp));
    let jitter = rand::rng().random_range(0..=settings.base_backoff.as_millis().max(1) as u64);
    base.min(settings.max_backoff) + Duration::from_millis(jitter)
}

async fn deliver(
    client: reqwest::Client,
    url: String,
    settings: OutboxSettings,
    action: ClaimedAction,
) -> (i64, DeliveryResult) {
    let body = action.body.to_string();
    let t = clock::now().timestamp().to_string();
    let mut req = client
        .post(&url)
        .header("content-type", "application/json")
        .header("idempotency-key", &action.idempotency_key)
        .header("ordex-delivery-attempt", (action.attempts + 1).to_string());
    if let Some(secret) = &settings.webhook_secret {
        let sig = hmac_hex(secret, &[t.as_bytes(), b".", body.as_bytes()]);
        req = req.header("ordex-signature", format!("t={t},v1={sig}"));
    }
    let error = match req.body(body).send().await {
        Ok(resp) if resp.status().is_success() => return (action.id, DeliveryResult::Delivered),
        // The receiver says the action can never be taken.
        Ok(resp) if resp.status() == reqwest::StatusCode::GONE => {
            return (
                action.id,
                DeliveryResult::Dead {
                    error: "410 Gone".into(),
                },
            );
        }
        Ok(resp) => format!("HTTP {}", resp.status()),
        Err(e) => format!("request failed: {e}"),
    };
    let attempts = action.attempts + 1;
    let result = if attempts >= i64::from(settings.max_attempts) {
        DeliveryResult::Dead {
            error: format!("{error} (attempt {attempts} of {})", settings.max_attempts),
        }
    } else {
        DeliveryResult::Retry {
            at: clock::now()
                + chrono::Duration::from_std(backoff(&settings, action.attempts))
                    .unwrap_or_default(),
            error,
        }
    };
    (action.id, result)
}

/// Runs until `shutdown` turns true; deliveries under way are finished and
/// recorded first.
pub async fn run(state: Shared, mut shutdown: watch::Receiver<bool>) {
    let settings = state.config.outbox.clone();
    let Some(url) = settings.webhook_url.clone() else {
        tracing::info!("no webhook URL configured: actions stay in the outbox (GET /v1/actions)");
        let _ = shutdown.wait_for(|s| *s).await;
        return;
    };
    let client = match reqwest::Client::builder().timeout(settings.timeout).build() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "outbox HTTP client");
            return;
        }
    };
    let lease = chrono::Duration::from_std(settings.lease).unwrap_or(chrono::Duration::seconds(60));
    while !*shutdown.borrow() {
        let store = state.store.clone();
        let claimed = tokio::task::spawn_blocking(move || {
            store.write(|tx| outbox::claim(tx, clock::now(), lease, BATCH))
        })
        .await;
        let claimed = match claimed {
            Ok(Ok(c)) => c,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "outbox claim");
                Vec::new()
            }
            Err(e) => {
                tracing::error!(error = %e, "outbox worker");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            let store = state.store.clone();
            let next = tokio::task::spawn_blocking(move || store.read(outbox::next_due))
                .await
                .ok()
                .and_then(Result::ok)
                .flatten();
            let wait = next
                .and_then(|t| (t - clock::now()).to_std().ok())
                .map_or(IDLE, |d| d.min(IDLE));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = state.outbox_wake.notified() => {}
                _ = shutdown.changed() => {}
            }
            continue;
        }
        let mut set = JoinSet::new();
        for action in claimed {
            set.spawn(deliver(
                client.clone(),
                url.clone(),
                settings.clone(),
                action,
            ));
        }
        let mut results = Vec::new();
        while let Some(done) = set.join_next().await {
            if let Ok(r) = done {
                results.push(r);
            }
        }
        for (_, r) in &results {
            let label = match r {
                DeliveryResult::Delivered => "delivered",
                DeliveryResult::Retry { .. } => "retry",
                DeliveryResult::Dead { .. } => "dead",
            };
            state
                .metrics
                .deliveries
                .get_or_create(&StatusLabel {
                    status: label.to_owned(),
                })
                .inc();
        }
        let store = state.store.clone();
        let recorded = tokio::task::spawn_blocking(move || {
            store.write(|tx| {
                let now = clock::now();
                for (id, r) in &results {
                    outbox::finish(tx, *id, r, now)?;
                }
                Ok(())
            })
        })
        .await;
        if !matches!(recorded, Ok(Ok(()))) {
            // Unrecorded deliveries are retried when their lease ends, with the same key.
            tracing::error!("outbox results not recorded; the leases will expire and retry");
        }
    }
    tracing::info!("outbox stopped");
}
