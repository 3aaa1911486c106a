use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

use super::Location;
use super::trace::{TraceRecorder, TraceSlot};

/// Something worth knowing that did not stop the evaluation (an unknown
/// decline code, a rule's own `warn(...)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// Machine-readable code.
    pub code: String,
    /// Explanation.
    pub message: String,
    /// Where, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// Per-evaluation collector that native functions reach through the Rhai
/// call tag: the warnings, and the trace when the call is traced. The mutex
/// is for the `Sync` bound only; one evaluation is one thread.
#[derive(Debug, Clone, Default)]
pub(crate) struct WarningSink {
    warnings: Arc<Mutex<Vec<Warning>>>,
    trace: Option<TraceSlot>,
}

impl WarningSink {
    /// A collector for a traced call, recording into `slot`.
    pub(crate) fn traced(slot: TraceSlot) -> Self {
        Self {
            warnings: Arc::default(),
            trace: Some(slot),
        }
    }

    /// Runs `f` on the trace recorder when the call is traced; nothing
    /// otherwise (the common case costs one branch).
    pub(crate) fn trace(&self, f: impl FnOnce(&mut TraceRecorder)) {
        if let Some(slot) = &self.trace {
            slot.with(f);
        }
    }

    pub(crate) fn push(&self, warning: Warning) {
        if let Ok(mut w) = self.warnings.lock() {
            // Bounded: a rule warning in a loop must not grow memory without limit.
            if w.len() < 100 && !w.contains(&warning) {
                w.push(warning);
            }
        }
    }

    pub(crate) fn take(&self) -> Vec<Warning> {
        self.warnings
            .lock()
            .map(|mut w| std::mem::take(&mut *w))
            .unwrap_or_default()
    }
}
