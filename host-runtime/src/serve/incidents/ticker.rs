//! The clock of the detectors: closes ended buckets of every series, so a
//! source that stops sending (no events arrive to close its buckets) is
//! still noticed.

use std::time::Duration;

use tokio::sync::watch;

use crate::serve::clock;
use crate::serve::state::Shared;

/// Series advanced per write transaction, so intake never waits long.
const PER_TICK: usize = 500;

/// Ticks until `stop` turns true.
pub async fn run(state: Shared, mut stop: watch::Receiver<bool>) {
    let bucket = state
        .watch
        .bucket
        .to_std()
        .unwrap_or(Duration::from_secs(300));
    let every = (bucket / 4).clamp(Duration::from_millis(250), Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        let s = state.clone();
        let done = tokio::task::spawn_blocking(move || {
            let changes = s.store.write(|tx| super::tick(tx, clock::now(), &s.watch, PER_TICK))?;
            s.metrics.incidents(&changes);
            if !changes.opened.is_empty() || !changes.resolved.is_empty() {
                s.outbox_wake.notify_one();
                for (id, kind) in &changes.opened {
                    tracing::warn!(incident = id, kind = %kind, "incident opened by the stream detectors");
                }
            }
            Ok::<_, crate::serve::store::StoreError>(())
        })
        .await;
        match done {
            Ok(Err(e)) => tracing::error!(error = %e, "the detectors' tick failed"),
            Err(e) => tracing::error!(error = %e, "the detectors' tick panicked"),
            Ok(Ok(())) => {}
        }
    }
}
