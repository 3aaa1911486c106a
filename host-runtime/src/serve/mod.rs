//! `ordex serve`: the backend triage service.
//!
//! Events come in over HTTP (the API or provider webhooks), are evaluated by
//! the active rule bundle in wasmtime, and are stored durably with their
//! decision, their case and the actions the decision asks for — in one
//! SQLite transaction, before the service answers. Agents work the case
//! queue through the API; an outbox deliverer sends actions to a webhook.

pub mod adapters;
pub mod api;
pub mod batch_view;
pub mod bundles;
pub mod clock;
pub mod config;
pub mod error;
pub mod event_rules;
pub mod incidents;
pub mod intake;
pub mod listener;
pub mod metrics;
pub mod openapi;
pub mod outbox;
pub mod pipeline;
pub mod replay;
pub mod state;
pub mod static_site;
pub mod store;
pub mod whatif;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use thiserror::Error;
use tokio::sync::{Notify, watch};

pub use config::{
    BundleCheckLimits, ConnectionLimits, OutboxSettings, ProviderSecrets, ServeConfig,
};

use self::bundles::Bundles;
use self::metrics::Metrics;
use self::pipeline::TriageSettings;
use self::state::AppState;
use self::store::{Store, bundles as stored_bundles};
use crate::pack_dir;

/// Why the service could not start or stopped with an error.
#[derive(Debug, Error)]
pub enum ServeError {
    /// The database could not be opened.
    #[error("{path}: {source}")]
    Store {
        /// Database file.
        path: std::path::PathBuf,
        /// Cause.
        source: store::StoreError,
    },
    /// The rule pack could not be read.
    #[error(transparent)]
    Pack(#[from] pack_dir::PackError),
    /// The bundle to activate at start-up was rejected.
    #[error("the start-up bundle was rejected: {0}")]
    Bundle(String),
    /// Another `ordex serve` uses this database.
    #[error("{0} is held by another ordex serve: one process per database")]
    Locked(std::path::PathBuf),
    /// The address could not be bound, or the server failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

fn rejected(e: bundles::BundlesError) -> ServeError {
    match e {
        bundles::BundlesError::Rejected(r) => ServeError::Bundle(format!("{r}: {}", r.detail())),
        other => ServeError::Bundle(other.to_string()),
    }
}

/// Opens the store and activates the stored bundle, or the configured pack
/// when the database has none yet.
pub fn prepare(config: ServeConfig) -> Result<Arc<AppState>, ServeError> {
    if let Some(dir) = config.database.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    // The outbox assumes one process per database: a second one would
    // deliver the first one's in-flight actions.
    let lock_path = config.database.with_extension("lock");
    let lock = private_file(&lock_path)?;
    if lock.try_lock().is_err() {
        return Err(ServeError::Locked(lock_path));
    }
    // The database holds customers' data: readable by this user only, like
    // the key file (SQLite gives its -wal and -shm files the same mode).
    drop(private_file(&config.database)?);
    let store = Store::open(&config.database).map_err(|source| ServeError::Store {
        path: config.database.clone(),
        source,
    })?;
    let bundles = Bundles::new(
        config.runtime,
        config.module.as_deref(),
        config.limits,
        config.bundle_check,
    )
    .map_err(rejected)?;
    let store_err = |source| ServeError::Store {
        path: config.database.clone(),
        source,
    };
    match store.read(stored_bundles::active).map_err(store_err)? {
        Some((id, json)) => {
            let (active, _) = bundles.prepare(&json).map_err(rejected)?;
            tracing::info!(bundle = %id, "resuming with the stored active bundle");
            bundles.activate(active);
        }
        None => {
            let bundle = pack_dir::load(&config.pack)?;
            let json = bundle.to_json();
            let (active, tests) = bundles.prepare_upload(&json).map_err(rejected)?;
            let id = active.id.clone();
            let now = clock::now();
            store
                .write(|tx| {
                    stored_bundles::insert(tx, &id, &json, tests.passed, tests.total, now)?;
                    stored_bundles::activate(tx, &id, now)
                })
                .map_err(store_err)?;
            tracing::info!(bundle = %id, pack = %config.pack.display(), passed = tests.passed, "activated the rule pack");
            bundles.activate(active);
        }
    }
    let recovered = store
        .write(|tx| store::outbox::recover(tx))
        .map_err(store_err)?;
    if recovered > 0 {
        tracing::warn!(
            actions = recovered,
            "actions left in flight by the previous run are due again"
        );
    }
    let triage_settings = TriageSettings {
        merchant_id: config.merchant_id.clone(),
    };
    let watch = config.watch.clone();
    let site = static_site::StaticSite::snapshot(config.www.as_deref(), config.pkg.as_deref())?;
    let (files, bytes) = site.size();
    tracing::info!(files, bytes, pkg = ?site.pkg_hash(), "web pages snapshot taken");
    Ok(Arc::new(AppState {
        site,
        config,
        store: Arc::new(store),
        bundles,
        metrics: Metrics::new(),
        triage_settings,
        order_locks: state::OrderLocks::default(),
        watch,
        outbox_wake: Notify::new(),
        draining: AtomicBool::new(false),
        _lock: lock,
    }))
}

/// Opens `path` for writing, creating it readable and writable by this user
/// only; an existing file keeps its content.
fn private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

async fn shutdown_signal(state: Arc<AppState>) {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    state.draining.store(true, Ordering::SeqCst);
    tracing::info!("shutting down: finishing requests in flight");
}

/// Serves until SIGINT or SIGTERM; requests in flight and deliveries under
/// way finish first, within the shutdown grace period.
pub async fn run(state: Arc<AppState>) -> Result<(), ServeError> {
    let listener = tokio::net::TcpListener::bind(state.config.addr).await?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = %state.config.database.display(), "ordex serve listening");
    // Scripts and tests wait for this line on standard output.
    println!("ordex serve listening on http://{addr}");
    let (stop_tx, stop_rx) = watch::channel(false);
    let deliverer = tokio::spawn(outbox::run(state.clone(), stop_rx.clone()));
    let ticker = tokio::spawn(incidents::ticker::run(state.clone(), stop_rx));
    let app = api::router(state.clone());
    listener::serve(
        listener,
        app,
        state.config.connections.clone(),
        shutdown_signal(state.clone()),
    )
    .await?;
    let _ = stop_tx.send(true);
    let _ = deliverer.await;
    let _ = ticker.await;
    tracing::info!("stopped");
    Ok(())
}
